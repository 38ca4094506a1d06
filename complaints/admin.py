from django.contrib import admin

from crm.admin_base import CrmAdmin, CrmTabularInline

from .models import Complaint, ComplaintReport, Event, SlaClock, SlaRule, TimelineEntry


@admin.register(SlaRule)
class SlaRuleAdmin(CrmAdmin):
    list_display = ["code", "name", "amount", "unit", "working_time"]
    list_editable = ["amount", "unit", "working_time"]


class TimelineInline(CrmTabularInline):
    model = TimelineEntry
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "kind", "text"]


@admin.register(Complaint)
class ComplaintAdmin(CrmAdmin):
    """Read-only in the admin: every change goes through the services."""

    list_display = ["number", "kind", "project", "complainant_name", "severity", "state", "received_at"]
    list_filter = ["kind", "state", "severity", "category"]
    search_fields = ["number", "complainant_name", "phone_digits"]
    inlines = [TimelineInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(SlaClock)
class SlaClockAdmin(CrmAdmin):
    list_display = ["complaint", "rule", "started_at", "deadline", "estimated", "state", "met_at"]
    list_filter = ["state", "rule", "estimated"]

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(Event, CrmAdmin)
admin.site.register(ComplaintReport)
