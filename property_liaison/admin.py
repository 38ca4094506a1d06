from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from property_liaison.models import (
    CommitteeFormation, CoordinationPlan, PropertyAppointment, PropertyCompany, WarrantyCategory,
)


class AppointmentInline(admin.TabularInline):
    model = PropertyAppointment
    extra = 0


@admin.register(PropertyCompany)
class PropertyCompanyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "contact", "phone"]
    inlines = [AppointmentInline]


@admin.register(WarrantyCategory)
class WarrantyCategoryAdmin(SimpleHistoryAdmin):
    """Warranty periods are admin settings (defaults from the national rules)."""

    list_display = ["code", "name", "period_months", "note"]
    list_editable = ["period_months"]


@admin.register(CoordinationPlan)
class CoordinationPlanAdmin(SimpleHistoryAdmin):
    list_display = ["project", "cadence", "note"]


@admin.register(CommitteeFormation)
class CommitteeFormationAdmin(SimpleHistoryAdmin):
    """Read-only: steps move only through the services (workflow)."""

    list_display = ["project", "step", "condition_date", "notice_due_date", "authorities_notified_on"]
    readonly_fields = [f.name for f in CommitteeFormation._meta.fields]

    def has_add_permission(self, request):
        return False
