from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from mortgage.models import (
    AgencyAgreement, AgentCompany, CertificateChase, CollectionReminder, LitigationCase, MortgageLoan, OverdueRecord,
    OverdueUpload, TitleCertificateCase,
)


@admin.register(AgentCompany)
class AgentCompanyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "contact_person", "phone", "rating", "active"]
    search_fields = ["name", "contact_person"]


@admin.register(AgencyAgreement)
class AgencyAgreementAdmin(SimpleHistoryAdmin):
    list_display = ["number", "agent", "project", "total_fee", "status"]
    list_filter = ["status", "project"]
    readonly_fields = ["status"]  # moves only through its workflow


@admin.register(MortgageLoan)
class MortgageLoanAdmin(SimpleHistoryAdmin):
    list_display = ["loan_number", "customer", "unit", "bank", "amount", "guarantee_active"]
    search_fields = ["loan_number", "customer__name"]
    raw_id_fields = ["customer", "unit"]


@admin.register(TitleCertificateCase)
class TitleCertificateCaseAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "customer", "project", "stage", "due_date"]
    list_filter = ["stage", "project"]
    # A stage and its dates move only through certificate_advance, which checks that each date
    # has happened and follows the stage before (the due dates are computed from them).
    readonly_fields = ["stage", "stage_since", "due_date", "collected_on", "submitted_on", "filed_on",
                       "certificate_date", "mortgage_registered_on", "release_requested_on", "released_on",
                       "released_by"]
    raw_id_fields = ["unit", "customer", "loan", "agreement"]


@admin.register(OverdueUpload)
class OverdueUploadAdmin(SimpleHistoryAdmin):
    list_display = ["original_name", "report_date", "uploaded_by", "uploaded_at", "status", "row_count"]
    readonly_fields = [f.name for f in OverdueUpload._meta.fields]


@admin.register(OverdueRecord)
class OverdueRecordAdmin(SimpleHistoryAdmin):
    list_display = ["loan", "customer", "amount", "overdue_since", "status", "litigation_required"]
    list_filter = ["status", "litigation_required"]
    raw_id_fields = ["loan", "customer", "first_upload", "last_upload"]


@admin.register(LitigationCase)
class LitigationCaseAdmin(SimpleHistoryAdmin):
    list_display = ["number", "record", "assignee", "stage"]
    readonly_fields = ["stage", "filed_on", "hearing_on", "judgment_on"]  # through litigation_advance only
    raw_id_fields = ["record"]


admin.site.register([CertificateChase, CollectionReminder], SimpleHistoryAdmin)
