"""Dates typed on the mortgage pages that must have happened, in order (issue 13, defect 6)."""
import pytest
from django.urls import reverse
from django.utils import timezone

from mortgage.models import LitigationCase, OverdueUpload, TitleCertificateCase
from mortgage.tests.conftest import months_ago, row, xlsx

pytestmark = pytest.mark.django_db


# --- Dates that have happened (issue 13, defect 6) -----------------------------------------------

def _case_row(case):
    case = TitleCertificateCase.objects.get(pk=case.pk)
    return (case.stage, case.stage_since, case.filed_on, case.due_date, case.certificate_date, case.history.count())


def test_a_certificate_stage_date_before_the_previous_stage_or_in_the_future_is_refused(as_role):
    import datetime as dt

    from crm.calendar import period_end

    client = as_role("cs_staff")
    case = TitleCertificateCase.objects.filter(stage="submitted", agreement__isnull=False).first()
    submitted = case.stage_since
    url = reverse("mortgage:certificate_advance", args=[case.pk, "file"])
    before = _case_row(case)
    backwards = client.post(url, {"on": "2020-01-01"}, follow=True).content.decode()
    assert f"递件日期不能早于进入上一阶段“已提交代办”的日期（{submitted:%Y-%m-%d}）。" in backwards
    assert _case_row(case) == before
    future = client.post(url, {"on": timezone.localdate() + dt.timedelta(days=1)}, follow=True).content.decode()
    assert "日期不能晚于今天。" in future and _case_row(case) == before

    client.post(url, {"on": submitted})
    case.refresh_from_db()
    assert (case.stage, case.filed_on, case.stage_since) == ("filed", submitted, submitted)
    assert case.due_date == period_end(submitted, days=case.agreement.days_for("filed"), deadline=True)


def test_a_certificate_issue_date_before_the_filing_is_refused(as_role):
    import datetime as dt

    client = as_role("cs_staff")
    case = TitleCertificateCase.objects.filter(stage="filed").first()
    url = reverse("mortgage:certificate_advance", args=[case.pk, "issue"])
    before = _case_row(case)
    body = client.post(url, {"on": case.stage_since, "certificate_number": "浙(2026)第1号",
                             "certificate_date": case.stage_since - dt.timedelta(days=1)}, follow=True).content.decode()
    assert f"出证日期不能早于进入上一阶段“已递件登记”的日期（{case.stage_since:%Y-%m-%d}）。" in body
    assert _case_row(case) == before
    body = client.post(url, {"on": case.stage_since, "certificate_number": "浙(2026)第1号",
                             "certificate_date": timezone.localdate() + dt.timedelta(days=3)}, follow=True)
    assert "出证日期不能晚于今天。" in body.content.decode() and _case_row(case) == before
    client.post(url, {"on": case.stage_since, "certificate_number": "浙(2026)第1号", "certificate_date": case.stage_since})
    case.refresh_from_db()
    assert (case.stage, case.certificate_date, case.certificate_number) == ("issued", case.stage_since, "浙(2026)第1号")


def test_cases_cannot_be_opened_with_materials_collected_in_the_future(as_role):
    import datetime as dt

    client = as_role("cs_staff")
    project = TitleCertificateCase.objects.first().project
    before = TitleCertificateCase.objects.count()
    body = client.post(reverse("mortgage:certificate_bulk_create"), {
        "project": project.pk, "collected_on": timezone.localdate() + dt.timedelta(days=1)}, follow=True)
    assert "材料收齐日期不能晚于今天。" in body.content.decode()
    assert TitleCertificateCase.objects.count() == before


def _lawsuit_row(case):
    case = LitigationCase.objects.get(pk=case.pk)
    return (case.stage, case.filed_on, case.hearing_on, case.judgment_on, case.history.count())


def test_a_lawsuit_stage_date_before_the_hand_over_or_the_previous_stage_or_in_the_future_is_refused(as_role):
    import datetime as dt

    client = as_role("legal")
    case = LitigationCase.objects.filter(stage="handed_over", assignee__username="legal").first()
    handed = timezone.localtime(case.handed_over_at)
    url = reverse("mortgage:litigation_advance", args=[case.pk, "file"])
    before = _lawsuit_row(case)
    body = client.post(url, {"on": handed.date() - dt.timedelta(days=1), "court": "滨江法院"}, follow=True)
    assert f"立案日期不能早于移交法务时间（{handed:%Y-%m-%d}）。" in body.content.decode()
    assert _lawsuit_row(case) == before
    body = client.post(url, {"on": timezone.localdate() + dt.timedelta(days=1), "court": "滨江法院"}, follow=True)
    assert "日期不能晚于今天。" in body.content.decode() and _lawsuit_row(case) == before
    client.post(url, {"on": handed.date(), "court": "滨江法院"})
    assert _lawsuit_row(case)[:2] == ("filed", handed.date())

    filed = LitigationCase.objects.filter(stage="filed", filed_on__isnull=False, assignee__username="legal").first()
    before = _lawsuit_row(filed)
    body = client.post(reverse("mortgage:litigation_advance", args=[filed.pk, "hearing"]),
                       {"on": filed.filed_on - dt.timedelta(days=1)}, follow=True)
    assert f"开庭日期不能早于立案日期（{filed.filed_on:%Y-%m-%d}）。" in body.content.decode()
    assert _lawsuit_row(filed) == before


def test_a_loan_paid_out_in_the_future_or_an_agreement_signed_in_the_future_is_refused(as_role):
    import datetime as dt

    from mortgage.models import AgencyAgreement, MortgageLoan
    from owners.models import Ownership

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    finance = as_role("finance")
    ownership = Ownership.objects.filter(kind="owner", unit__mortgage_loans__isnull=True).first()
    body = finance.post(reverse("mortgage:loan_create"), {
        "ownership": ownership.pk, "loan_number": "DK-FUT-1", "bank": "中国银行", "amount": "560000",
        "term_months": 300, "start_date": tomorrow}).content.decode()
    assert "放款日期不能晚于今天。" in body and not MortgageLoan.objects.filter(loan_number="DK-FUT-1").exists()

    staff = as_role("cs_staff")
    draft = AgencyAgreement.objects.filter(status="draft").first()
    data = {"agent": draft.agent_id, "project": draft.project_id, "scope": draft.scope, "fee_per_case": "250",
            "total_fee": "5000", "signed_on": tomorrow, "days_submit": 3, "days_file": 10, "days_issue": 30,
            "days_mortgage": 10, "days_release": 20}
    body = staff.post(reverse("mortgage:agreement_edit", args=[draft.pk]), data).content.decode()
    assert "签订日期不能晚于今天。" in body
    assert AgencyAgreement.objects.get(pk=draft.pk).signed_on == draft.signed_on
    staff.post(reverse("mortgage:agreement_edit", args=[draft.pk]), {**data, "signed_on": timezone.localdate()})
    assert AgencyAgreement.objects.get(pk=draft.pk).signed_on == timezone.localdate()


def test_an_overdue_list_dated_in_the_future_is_refused(as_role, estate):
    import datetime as dt

    client = as_role("finance")
    before = OverdueUpload.objects.count()
    body = client.post(reverse("mortgage:overdue_upload"), {
        "file": xlsx([row(estate["loans"][0], 26000, months_ago(2))]),
        "report_date": timezone.localdate() + dt.timedelta(days=1)}).content.decode()
    assert "报表日期不能晚于今天。" in body and OverdueUpload.objects.count() == before


def test_the_admin_cannot_type_a_stage_date_that_bypasses_the_check(as_role):
    admin = as_role("admin")
    case = TitleCertificateCase.objects.filter(stage="filed").first()
    page = admin.get(reverse("admin:mortgage_titlecertificatecase_change", args=[case.pk])).content.decode()
    assert 'name="filed_on"' not in page and 'name="stage_since"' not in page and 'name="due_date"' not in page
    lawsuit = LitigationCase.objects.first()
    page = admin.get(reverse("admin:mortgage_litigationcase_change", args=[lawsuit.pk])).content.decode()
    assert 'name="filed_on"' not in page and 'name="court"' in page
