from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm.admin_base import CrmAdmin, CrmModelAdmin, CrmTabularInline
from owners.models import (
    AccessLog,
    AccessRequest,
    Building,
    ContactLog,
    Customer,
    CustomerVisit,
    Greeting,
    Ownership,
    PreferenceProfile,
    Project,
    SatisfactionSurvey,
    SurveyScore,
    Unit,
    UnitDocument,
)


class ProjectAdminForm(forms.ModelForm):
    """The admin's project form records the close-out date under the same rule as the API
    (owners.services.closeout_date_check): a date it did not change is left as it is."""

    class Meta:
        model = Project
        fields = "__all__"

    def clean_closeout_date(self):
        from owners.services import closeout_date_check

        value = self.cleaned_data.get("closeout_date")
        if value is not None and "closeout_date" in self.changed_data:
            try:
                closeout_date_check(value)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["closeout_date"]) from exc
        return value


@admin.register(Project)
class ProjectAdmin(CrmAdmin):
    form = ProjectAdminForm
    list_display = ["name", "code", "closeout_date", "first_movein_date"]
    search_fields = ["name", "code"]


@admin.register(Building)
class BuildingAdmin(CrmAdmin):
    list_display = ["name", "project"]
    list_filter = ["project"]


class UnitDocumentInline(CrmTabularInline):
    model = UnitDocument
    extra = 0
    fields = ["kind", "received_on", "note"]


@admin.register(Unit)
class UnitAdmin(CrmAdmin):
    list_display = ["__str__", "project", "area", "layout", "delivery_date"]
    list_filter = ["project"]
    search_fields = ["number", "building__name"]
    inlines = [UnitDocumentInline]


class OwnershipInline(CrmTabularInline):
    model = Ownership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Customer)
class CustomerAdmin(CrmAdmin):
    list_display = ["code", "name", "project", "stage", "source", "confidential"]
    list_filter = ["project", "stage", "source", "confidential"]
    search_fields = ["code", "name"]
    inlines = [OwnershipInline]


@admin.register(AccessLog)
class AccessLogAdmin(CrmModelAdmin):
    """调阅查看记录: admins review it; nobody adds, edits or deletes entries."""

    list_display = ["created_at", "user", "customer", "what", "reason"]
    list_filter = ["what", "created_at"]
    search_fields = ["user__username", "user__first_name", "customer__code", "customer__name", "reason"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "user", "customer", "what", "reason"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(AccessRequest)
class AccessRequestAdmin(CrmAdmin):
    list_display = ["requested_at", "requested_by", "customer", "status", "decided_by", "valid_on"]
    list_filter = ["status"]
    readonly_fields = ["requested_at", "requested_by", "customer", "reason", "status", "decided_by", "valid_on"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("approvals__decided_by")

    @admin.display(description=_("审批人"))
    def decided_by(self, obj):
        """Stamped once, on the shared approval (crm.ApprovalRequest)."""
        decided = [a.decided_by for a in obj.approvals.all() if a.decided_by_id]
        return decided[-1] if decided else "—"


@admin.register(PreferenceProfile)
class PreferenceProfileAdmin(CrmAdmin):
    list_display = ["customer", "updated_at"]

    def has_view_permission(self, request, obj=None):
        # Profiles are opened through the customer page, which asks a reason and logs it.
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ContactLog)
class ContactLogAdmin(CrmAdmin):
    list_display = ["number", "occurred_at", "kind", "customer", "handled_by"]
    list_filter = ["kind", "project"]
    search_fields = ["number", "customer__name", "customer__code"]


@admin.register(CustomerVisit)
class CustomerVisitAdmin(CrmAdmin):
    list_display = ["visited_on", "customer", "visitor", "department", "method", "satisfaction"]
    list_filter = ["method", "department"]


class SurveyScoreInline(CrmTabularInline):
    model = SurveyScore
    extra = 0


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(CrmAdmin):
    list_display = ["surveyed_on", "customer", "project", "surveyed_by"]
    list_filter = ["project"]
    inlines = [SurveyScoreInline]


@admin.register(Greeting)
class GreetingAdmin(CrmAdmin):
    list_display = ["customer", "occasion", "year", "greeted_by", "greeted_at"]
    list_filter = ["occasion", "year"]


@admin.register(UnitDocument)
class UnitDocumentAdmin(CrmAdmin):
    list_display = ["unit", "kind", "received_on"]
    list_filter = ["kind"]
