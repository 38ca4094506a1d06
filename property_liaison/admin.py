from django.contrib import admin

from crm.admin_base import CrmAdmin, CrmTabularInline
from property_liaison.models import (
    CommitteeFormation,
    CoordinationPlan,
    PropertyAppointment,
    PropertyCompany,
    WarrantyCategory,
)


class AppointmentInline(CrmTabularInline):
    model = PropertyAppointment
    extra = 0


@admin.register(PropertyCompany)
class PropertyCompanyAdmin(CrmAdmin):
    list_display = ["name", "contact", "phone"]
    inlines = [AppointmentInline]


@admin.register(WarrantyCategory)
class WarrantyCategoryAdmin(CrmAdmin):
    """Warranty periods are admin settings (defaults from the national rules)."""

    list_display = ["code", "name", "period_months", "note"]
    list_editable = ["period_months"]


@admin.register(CoordinationPlan)
class CoordinationPlanAdmin(CrmAdmin):
    list_display = ["project", "cadence", "note"]


@admin.register(CommitteeFormation)
class CommitteeFormationAdmin(CrmAdmin):
    """Read-only: steps move only through the services (workflow)."""

    list_display = ["project", "step", "condition_date", "notice_due_date", "authorities_notified_on"]
    readonly_fields = [f.name for f in CommitteeFormation._meta.fields]

    def has_add_permission(self, request):
        return False
