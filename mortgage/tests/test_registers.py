"""The title-certificate and overdue registers carry the chases, the reminders with the owner's
promise, and the lawsuit's stage: the records the department keeps, not only the case's dates."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def _rows(client, code):
    response = client.get(reverse("crm:export_register", args=[code]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_a_reminder_logged_on_the_record_page_and_the_lawsuit_stage_are_in_the_overdue_register(as_role):
    from mortgage.models import OverdueRecord

    client = as_role("cs_staff")
    record = OverdueRecord.objects.filter(status="open", litigation__isnull=True).order_by("pk").first()
    response = client.post(reverse("mortgage:overdue_reminder", args=[record.pk]), {
        "method": "phone", "summary": "业主称工资延发", "promise": "月底前还清", "promised_date": "2027-01-31",
        "next_follow_up": "2027-01-05"})
    assert response.status_code == 302
    assert record.reminders.get(summary="业主称工资延发").promise == "月底前还清"
    header, rows = _rows(client, "mortgage-overdue")
    mine = next(r for r in rows if r[header.index("贷款编号")] == record.loan.loan_number)
    latest = mine[header.index("最近催缴及承诺")]
    assert "电话" in latest and "业主称工资延发" in latest and "承诺：月底前还清（2027-01-31前还款）" in latest
    assert "下次跟进 2027-01-05" in latest and mine[header.index("催缴次数")] == record.reminders.count()
    sued = OverdueRecord.objects.filter(litigation__isnull=False).select_related("litigation", "loan").first()
    row = next(r for r in rows if r[header.index("贷款编号")] == sued.loan.loan_number)
    assert row[header.index("诉讼阶段")] == sued.litigation.get_stage_display()


def test_the_certificate_register_shows_how_often_and_how_lately_the_agent_was_chased(as_role):
    from mortgage.models import TitleCertificateCase

    case = TitleCertificateCase.objects.filter(chases__isnull=False).distinct().order_by("pk").first()
    header, rows = _rows(as_role("cs_staff"), "mortgage-certificates")
    last = case.chases.order_by("-chased_at").first()
    row = next(r for r in rows if r[header.index("房号")] == case.unit.number
               and r[header.index("业主")] == case.customer.name)
    assert row[header.index("督促次数")] == case.chases.count() and last.result in row[header.index("最近督促")]


# --- Filters an export cannot apply (crm.exports.Register.filter_form) ----------------------

def test_the_certificate_register_export_refuses_a_project_or_stage_it_does_not_offer(as_role):
    from crm.testing import export_refused

    client = as_role("cs_staff")
    assert export_refused(client, "mortgage-certificates", {"project": "abc"})[0].startswith("项目：")
    reasons = export_refused(client, "mortgage-certificates", {"stage": "nonsense", "late": "maybe"})
    assert [reason.split("：")[0] for reason in reasons] == ["阶段", "超期"]


def test_the_certificate_register_export_keeps_exactly_the_cases_of_a_valid_filter(as_role):
    from crm.testing import export_keeps_exactly
    from mortgage.models import TitleCertificateCase

    stage = TitleCertificateCase.objects.order_by("pk").values_list("stage", flat=True).first()
    export_keeps_exactly(as_role("cs_staff"), "mortgage-certificates", {"stage": stage}, "办理阶段",
                         TitleCertificateCase.Stage(stage).label)
