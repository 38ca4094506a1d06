from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from simple_history.admin import SimpleHistoryAdmin

from crm.models import (ApprovalRequest, ApprovalRule, CalendarOverride, Department, ExportJob, Notification, Rule,
                        StaffProfile, WebhookEndpoint, WorkingHours)


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    filter_horizontal = ["projects"]
    verbose_name_plural = "员工档案"


admin.site.unregister(User)


@admin.register(User)
class CrmUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "email", "is_active", "role"]
    list_select_related = ["profile"]

    @admin.display(description="角色")
    def role(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.get_role_display() if profile else "—"


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code"]


@admin.register(Rule)
class RuleAdmin(SimpleHistoryAdmin):
    list_display = ["key", "description", "value", "unit"]
    list_editable = ["value"]
    readonly_fields = ["key", "unit", "description"]
    search_fields = ["key", "description"]

    def has_add_permission(self, request):
        return False  # rules come from code; an admin changes their values

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(SimpleHistoryAdmin):
    list_display = ["date", "is_working_day", "note"]
    date_hierarchy = "date"


@admin.register(WorkingHours)
class WorkingHoursAdmin(SimpleHistoryAdmin):
    list_display = ["__str__"]

    def has_add_permission(self, request):
        return not WorkingHours.objects.exists()


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(SimpleHistoryAdmin):
    list_display = ["subject", "level", "approver_role", "description"]
    list_editable = ["approver_role"]


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(SimpleHistoryAdmin):
    list_display = ["title", "version", "status", "approver_role", "submitted_by", "submitted_at", "decided_by"]
    list_filter = ["status", "subject", "approver_role"]
    readonly_fields = [f.name for f in ApprovalRequest._meta.fields]

    def has_add_permission(self, request):
        return False  # decisions are made on the plan's page, through the approval service


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "level", "created_at", "read_at", "delivered_at", "attempts"]
    list_filter = ["level"]
    search_fields = ["title", "recipient__username"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "active"]


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["register", "user", "status", "done", "total", "created_at"]
    list_filter = ["status", "register"]
