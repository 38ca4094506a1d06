from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm import rules
from crm.admin_base import CrmAdmin, CrmModelAdmin, CrmStackedInline
from crm.calendar_years import (
    NoticeError,
    calendar_year_confirm,
    format_ranges,
    notice_preview,
)
from crm.forms import CalendarYearNoticeForm
from crm.models import (
    ApprovalRequest,
    ApprovalRule,
    CalendarOverride,
    CalendarYear,
    Department,
    ExportJob,
    Notification,
    Rule,
    StaffProfile,
    WebhookEndpoint,
    WorkingHours,
)


class StaffProfileInline(CrmStackedInline):
    model = StaffProfile
    can_delete = False
    filter_horizontal = ["projects"]
    verbose_name_plural = gettext_lazy("员工档案")


admin.site.unregister(User)


@admin.register(User)
class CrmUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "email", "is_active", "role"]
    list_select_related = ["profile"]

    @admin.display(description=gettext_lazy("角色"))
    def role(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.get_role_display() if profile else "—"


@admin.register(Department)
class DepartmentAdmin(CrmAdmin):
    list_display = ["name", "code"]


@admin.register(Rule)
class RuleAdmin(CrmAdmin):
    """The rules' descriptions and units come from code (crm.rules), shown in the reader's
    language; the seeded row keeps the office's text, which is what a search finds."""
    list_display = ["key", "rule_description", "value", "rule_unit"]
    list_editable = ["value"]
    readonly_fields = ["key", "rule_unit", "rule_description"]
    search_fields = ["key", "description"]

    @admin.display(description=gettext_lazy("说明"), ordering="description")
    def rule_description(self, obj):
        return rules.label(obj.key)[0] or obj.description

    @admin.display(description=gettext_lazy("单位"))
    def rule_unit(self, obj):
        return rules.label(obj.key)[1] or obj.unit

    def has_add_permission(self, request):
        return False  # rules come from code; an admin changes their values

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(CrmAdmin):
    list_display = ["date", "is_working_day", "note"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(CrmAdmin):
    """A year's notice (国务院办公厅关于XXXX年部分节假日安排的通知): one form with the holiday ranges
    and the 调休 working days as the notice lists them, a preview of how they differ from the
    library's estimate, and a confirm button that goes through ``calendar_year_confirm``.
    Correcting a confirmed year is the same form; every confirmation is on the history."""

    list_display = ["year", "status", "notice_title", "notice_date", "confirmed_by", "confirmed_at", "revision"]
    list_filter = ["status"]
    template = "admin/crm/calendaryear/notice_form.html"

    def has_delete_permission(self, request, obj=None):
        return False  # a year is corrected, never removed: its history stays whole

    def revert_disabled(self, request, obj=None):
        return True  # only the notice form changes a year: a revert would skip the clocks' recount

    def add_view(self, request, form_url="", extra_context=None):
        return self.notice_view(request, None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return self.notice_view(request, obj)

    def notice_view(self, request, obj):
        if not (self.has_change_permission(request, obj) if obj else self.has_add_permission(request)):
            raise PermissionDenied
        preview = None
        if request.method == "POST":
            form = CalendarYearNoticeForm(request.POST, year_fixed=obj is not None,
                                          initial={"year": obj.year} if obj else None)
            if form.is_valid():
                data = form.cleaned_data
                existing = CalendarYear.objects.filter(year=data["year"], status=CalendarYear.Status.OFFICIAL).first()
                if obj is None and existing:
                    form.add_error("year", _("%(year)d年已确认；如需更正，请在列表中打开该年份。") % {"year": data["year"]})
                elif "_confirm" in request.POST:
                    try:
                        row = calendar_year_confirm(
                            year=data["year"], notice_title=data["notice_title"], notice_date=data["notice_date"],
                            holiday_ranges=data["holiday_ranges"], working_days=data["working_days"],
                            user=request.user)
                    except NoticeError as exc:
                        for message in exc.messages:
                            form.add_error(None, message)
                    else:
                        messages.success(request, _("%(year)d年节假日安排已确认为正式日历（第%(n)d次确认）。")
                                         % {"year": row.year, "n": row.revision})
                        return redirect("admin:crm_calendaryear_changelist")
                if form.is_valid():
                    preview = notice_preview(data["year"], data["holiday_ranges"], data["working_days"])
        else:
            initial = {"year": timezone.localdate().year + 1}
            if obj is not None:
                initial = {"year": obj.year, "notice_title": obj.notice_title, "notice_date": obj.notice_date,
                           "holiday_ranges": format_ranges(obj.holiday_ranges),
                           "working_days": "\n".join(obj.working_days)}
                preview = notice_preview(obj.year, obj.holiday_ranges, obj.working_days)
            form = CalendarYearNoticeForm(initial=initial, year_fixed=obj is not None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta, "original": obj, "form": form, "preview": preview,
            "title": _("%(year)d年节假日安排") % {"year": obj.year} if obj else _("录入年度节假日安排"),
        }
        return TemplateResponse(request, self.template, context)


@admin.register(WorkingHours)
class WorkingHoursAdmin(CrmAdmin):
    list_display = ["__str__"]

    def has_add_permission(self, request):
        return not WorkingHours.objects.exists()


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(CrmAdmin):
    list_display = ["subject", "level", "approver_role", "description"]
    list_editable = ["approver_role"]


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(CrmAdmin):
    list_display = ["title", "version", "status", "approver_role", "submitted_by", "submitted_at", "decided_by"]
    list_filter = ["status", "subject", "approver_role"]
    readonly_fields = [f.name for f in ApprovalRequest._meta.fields]

    def has_add_permission(self, request):
        return False  # decisions are made on the plan's page, through the approval service


@admin.register(Notification)
class NotificationAdmin(CrmModelAdmin):
    list_display = ["title", "recipient", "level", "created_at", "read_at", "delivered_at", "attempts"]
    list_filter = ["level"]
    search_fields = ["title", "recipient__username"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(CrmModelAdmin):
    list_display = ["name", "kind", "active"]


@admin.register(ExportJob)
class ExportJobAdmin(CrmModelAdmin):
    list_display = ["register", "user", "status", "done", "total", "created_at"]
    list_filter = ["status", "register"]
