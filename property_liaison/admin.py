from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from property_liaison.models import PropertyAppointment, PropertyCompany


class AppointmentInline(admin.TabularInline):
    model = PropertyAppointment
    extra = 0


@admin.register(PropertyCompany)
class PropertyCompanyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "contact", "phone"]
    inlines = [AppointmentInline]
