from django.contrib import admin

from crm.admin_base import CrmAdmin
from mortgage.models import (
    AgencyAgreement,
    AgentCompany,
    CertificateChase,
    CollectionReminder,
    LitigationCase,
    MortgageLoan,
    OverdueRecord,
    OverdueUpload,
    TitleCertificateCase,
)


@admin.register(AgentCompany)
class AgentCompanyAdmin(CrmAdmin):
    list_display = ["name", "contact_person", "phone", "rating", "active"]
    search_fields = ["name", "contact_person"]


@admin.register(AgencyAgreement)
class AgencyAgreementAdmin(CrmAdmin):
    list_display = ["number", "agent", "project", "total_fee", "status"]
    list_filter = ["status", "project"]


@admin.register(MortgageLoan)
class MortgageLoanAdmin(CrmAdmin):
    list_display = ["loan_number", "customer", "unit", "bank", "amount", "guarantee_active"]
    search_fields = ["loan_number", "customer__name"]
    raw_id_fields = ["customer", "unit"]


@admin.register(TitleCertificateCase)
class TitleCertificateCaseAdmin(CrmAdmin):
    list_display = ["unit", "customer", "project", "stage", "due_date"]
    list_filter = ["stage", "project"]
    # A stage and its dates move only through certificate_advance, which checks that each date
    # has happened and follows the stage before: read-only (GUARDED_FIELDS, crm.admin_base).
    raw_id_fields = ["unit", "customer", "loan", "agreement"]


@admin.register(OverdueUpload)
class OverdueUploadAdmin(CrmAdmin):
    list_display = ["original_name", "report_date", "uploaded_by", "uploaded_at", "status", "row_count"]
    readonly_fields = [f.name for f in OverdueUpload._meta.fields]


@admin.register(OverdueRecord)
class OverdueRecordAdmin(CrmAdmin):
    list_display = ["loan", "customer", "amount", "overdue_since", "status", "litigation_required"]
    list_filter = ["status", "litigation_required"]
    raw_id_fields = ["loan", "customer", "first_upload", "last_upload"]


@admin.register(LitigationCase)
class LitigationCaseAdmin(CrmAdmin):
    list_display = ["number", "record", "assignee", "stage"]
    raw_id_fields = ["record"]


admin.site.register([CertificateChase, CollectionReminder], CrmAdmin)
