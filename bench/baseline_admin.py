"""The baseline of the register benchmark: Django's admin changelist over the same table, with
the same columns, filters, search and sort, on a bench-only AdminSite (the product's admin is
left as it is). Mounted by ``bench/urls.py`` at /bench-admin/ only while a benchmark runs."""
from django.contrib import admin

from complaints.models import Complaint

site = admin.AdminSite(name="benchadmin")


@admin.register(Complaint, site=site)
class ComplaintChangelist(admin.ModelAdmin):
    list_display = ("number", "kind", "received_at", "project", "unit", "complainant_name", "title", "severity",
                    "state", "next_deadline")
    list_filter = ("state", "severity", "project", "received_at")
    search_fields = ("number", "phone_digits")
    ordering = ("next_deadline", "-received_at")
    list_select_related = ("project", "unit__building", "forwarded_by_company")
    list_per_page = 30


# The baseline of the full-text search benchmark (bench/bench_search.py): the admin's search box
# over the same words a case's search document holds (crm.search), as icontains on each field.
search_site = admin.AdminSite(name="benchsearchadmin")


@admin.register(Complaint, site=search_site)
class ComplaintTextSearch(ComplaintChangelist):
    search_fields = ("title", "description", "cause", "responsibility", "execution_result", "feedback_text",
                     "owner_opinion", "reply_text")
    ordering = ("-received_at", "-pk")
