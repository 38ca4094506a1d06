from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from owners.models import Building, Customer, Ownership, Project, Unit


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "closeout_date", "first_movein_date"]
    search_fields = ["name", "code"]


@admin.register(Building)
class BuildingAdmin(SimpleHistoryAdmin):
    list_display = ["name", "project"]
    list_filter = ["project"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "project", "area", "layout", "delivery_date"]
    list_filter = ["project"]
    search_fields = ["number", "building__name"]


class OwnershipInline(admin.TabularInline):
    model = Ownership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "project", "stage", "source", "confidential"]
    list_filter = ["project", "stage", "source", "confidential"]
    search_fields = ["code", "name"]
    inlines = [OwnershipInline]
