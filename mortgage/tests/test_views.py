"""Pages through the test client: scope, permissions, the upload flow, legal's 404."""
import pytest
from django.urls import reverse
from django.utils import timezone

from mortgage.models import LitigationCase, OverdueRecord, OverdueUpload, TitleCertificateCase
from mortgage.tests.conftest import HEADERS, months_ago, row, xlsx

pytestmark = pytest.mark.django_db


def test_the_demo_has_certificate_cases_and_lawsuits_in_every_stage(demo):
    assert set(TitleCertificateCase.objects.values_list("stage", flat=True)) == set(TitleCertificateCase.Stage.values)
    assert set(LitigationCase.objects.values_list("stage", flat=True)) == set(LitigationCase.Stage.values)
    assert OverdueRecord.objects.filter(status="closed").exists()


@pytest.mark.parametrize("role", ["cs_staff", "cs_supervisor", "manager", "finance", "admin"])
def test_the_registers_open_for_the_department_and_finance(as_role, role):
    client = as_role(role)
    for name in ("mortgage:certificate_list", "mortgage:overdue_list"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    body = client.get(reverse("mortgage:certificate_list") + "?late=1").content.decode()
    assert "产权证办理登记簿" in body and "平均出证天数" in body


def test_every_detail_page_renders(as_role):
    client = as_role("cs_supervisor")
    case = TitleCertificateCase.objects.first()
    assert client.get(reverse("mortgage:certificate_detail", args=[case.pk])).status_code == 200
    record = OverdueRecord.objects.filter(litigation_required=True).first()
    assert client.get(reverse("mortgage:overdue_detail", args=[record.pk])).status_code == 200
    letter = client.get(reverse("mortgage:overdue_letter", args=[record.pk])).content.decode()
    assert record.loan.loan_number in letter and str(record.amount) in letter and "print-form" in letter
    assert client.get(reverse("mortgage:litigation_list")).status_code == 200
    assert client.get(reverse("mortgage:agreement_list")).status_code == 200
    export = client.get(reverse("crm:export_register", args=["mortgage-certificates"]) + "?stage=released")
    assert export.status_code == 200 and export["Content-Disposition"].endswith(".xlsx")


def test_legal_sees_only_the_cases_handed_to_it(as_role, make_user):
    client = as_role("legal")
    mine = LitigationCase.objects.first()
    assert client.get(reverse("mortgage:litigation_detail", args=[mine.pk])).status_code == 200
    other = make_user("legal")
    LitigationCase.objects.filter(pk=mine.pk).update(assignee=other)
    assert client.get(reverse("mortgage:litigation_detail", args=[mine.pk])).status_code == 404
    assert client.get(reverse("mortgage:litigation_file", args=[mine.pk, "contract"])).status_code == 404
    assert mine.number not in client.get(reverse("mortgage:litigation_list")).content.decode()
    # and legal opens no overdue record or certificate at all
    assert client.get(reverse("mortgage:overdue_detail", args=[mine.record_id])).status_code == 403
    assert client.get(reverse("mortgage:certificate_list")).status_code == 403


def test_front_desk_cannot_open_the_mortgage_pages(as_role):
    client = as_role("front_desk")
    assert client.get(reverse("mortgage:overdue_list")).status_code == 403
    assert client.get(reverse("mortgage:litigation_list")).status_code == 403


def test_finance_uploads_previews_and_confirms_a_list(as_role):
    client = as_role("finance")
    loans = list(OverdueRecord.objects.filter(status="open").select_related("loan__customer", "loan__unit")[:2])
    good = xlsx([row(r.loan, 999, months_ago(1)) for r in loans])
    response = client.post(reverse("mortgage:overdue_upload"), {"file": good, "report_date": timezone.localdate()})
    upload = OverdueUpload.objects.order_by("-pk").first()
    assert response.status_code == 302 and response.url == reverse("mortgage:overdue_preview", args=[upload.pk])
    page = client.get(response.url).content.decode()
    assert "校验通过" in page and "确认导入" in page
    open_before = OverdueRecord.objects.filter(status="open").count()
    from mortgage.models import LITIGATION_OPEN

    suing = set(OverdueRecord.objects.filter(status="open", litigation__stage__in=LITIGATION_OPEN).exclude(
        pk__in=[r.pk for r in loans]).values_list("pk", flat=True))
    assert suing  # the demo has lawsuits running
    response = client.post(reverse("mortgage:overdue_confirm", args=[upload.pk]))
    assert response.status_code == 302
    # absent loans closed, except those in litigation (issue 13, defect 8)
    still_open = set(OverdueRecord.objects.filter(status="open").values_list("pk", flat=True))
    assert still_open == {r.pk for r in loans} | suing and len(still_open) < open_before
    assert client.post(reverse("mortgage:overdue_confirm", args=[upload.pk])).status_code == 302
    assert OverdueUpload.objects.filter(status="applied").count() == 3


def test_a_bad_list_shows_each_problem_in_chinese_and_writes_nothing(as_role):
    client = as_role("finance")
    before = list(OverdueRecord.objects.order_by("pk").values("pk", "amount", "status"))
    bad = xlsx([["某人", "", "1-1", "NOPE", "银行", "abc", "2026-02-30", 1, "否"]])
    response = client.post(reverse("mortgage:overdue_upload"), {"file": bad, "report_date": timezone.localdate()},
                           follow=True)
    body = response.content.decode()
    assert "未写入任何数据" in body and "不是有效日期" in body and "逾期金额" in body
    missing = xlsx([["x"]], headers=HEADERS[:3])
    body = client.post(reverse("mortgage:overdue_upload"), {"file": missing, "report_date": timezone.localdate()},
                       follow=True).content.decode()
    assert "缺少列" in body
    assert list(OverdueRecord.objects.order_by("pk").values("pk", "amount", "status")) == before


def test_cs_staff_cannot_upload_and_finance_cannot_advance_a_case_before_release(as_role):
    assert as_role("cs_staff").get(reverse("mortgage:overdue_upload")).status_code == 403
    client = as_role("finance")
    case = TitleCertificateCase.objects.filter(stage="collected").first()
    client.post(reverse("mortgage:certificate_advance", args=[case.pk, "submit"]), {"on": timezone.localdate()})
    case.refresh_from_db()
    assert case.stage == "collected"


def test_finance_confirms_a_requested_release_on_the_case_page(as_role):
    client = as_role("finance")
    case = TitleCertificateCase.objects.filter(stage="release_requested").first()
    page = client.get(reverse("mortgage:certificate_detail", args=[case.pk])).content.decode()
    assert "财务确认撤销担保" in page
    client.post(reverse("mortgage:certificate_advance", args=[case.pk, "confirm_release"]), {"on": timezone.localdate()})
    case.refresh_from_db()
    assert case.stage == "released" and not case.loan.guarantee_active


def test_cs_staff_hands_a_flagged_record_with_its_dossier_to_legal_who_opens_it(as_role, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from crm.demo import demo_user
    from crm.models import Notification
    from mortgage import services

    staff = as_role("cs_staff")
    record = OverdueRecord.objects.filter(status="open", litigation_required=False, litigation__isnull=True).first()
    detail = staff.get(reverse("mortgage:overdue_detail", args=[record.pk])).content.decode()
    assert "移交法务" not in detail  # not flagged: no hand-over form
    OverdueRecord.objects.filter(pk=record.pk).update(bank_recommends=True)
    assert services.litigation_evaluate() == 1
    assert "移交法务（诉讼）" in staff.get(reverse("mortgage:overdue_detail", args=[record.pk])).content.decode()
    services.reminder_log(record=record, user=demo_user("cs_staff"), method="lawyer_letter", summary="律师函已寄出未回复")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"
    response = staff.post(reverse("mortgage:overdue_handover", args=[record.pk]), {
        "assignee": demo_user("legal").pk, "dossier_note": "三次催缴无果",
        "contract_file": SimpleUploadedFile("合同.pdf", pdf, content_type="application/pdf")})
    assert response.status_code == 302
    case = LitigationCase.objects.get(record=record)
    assert (case.assignee.username, case.handed_over_by.username, case.stage) == ("legal", "cs_staff", "handed_over")
    assert Notification.objects.filter(recipient=case.assignee, url__endswith=f"/litigation/{case.pk}/").count() == 1

    client.force_login(demo_user("legal"))
    page = client.get(reverse("mortgage:litigation_detail", args=[case.pk])).content.decode()
    assert "律师函已寄出未回复" in page and "三次催缴无果" in page and "银行建议诉讼" in page
    download = client.get(reverse("mortgage:litigation_file", args=[case.pk, "contract"]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf


def test_dashboard_cards_per_role(as_role):
    assert "待确认撤销按揭担保" in as_role("finance").get("/").content.decode()
    assert "新移交的诉讼案卷" in as_role("legal").get("/").content.decode()
    assert "产权证办理超期" in as_role("cs_staff").get("/").content.decode()


def test_an_agreement_is_drafted_submitted_and_approved_through_the_pages(as_role, client):

    from crm.demo import demo_user
    from mortgage.models import AgencyAgreement, AgentCompany
    from owners.models import Project

    staff = as_role("cs_staff")
    response = staff.post(reverse("mortgage:agreement_create"), {
        "agent": AgentCompany.objects.first().pk, "project": Project.objects.get(code="riverside").pk,
        "scope": "分户产权证", "fee_per_case": "200", "total_fee": "4000", "days_submit": 5, "days_file": 10,
        "days_issue": 30, "days_mortgage": 10, "days_release": 20})
    agreement = AgencyAgreement.objects.order_by("-pk").first()
    assert response.status_code == 302 and agreement.status == "draft"
    staff.post(reverse("mortgage:agreement_action", args=[agreement.pk, "submit"]))
    agreement.refresh_from_db()
    assert agreement.status == "pending"
    client.force_login(demo_user("manager"))
    page = client.get(reverse("mortgage:agreement_detail", args=[agreement.pk])).content.decode()
    assert "批准" in page
    client.post(reverse("mortgage:agreement_action", args=[agreement.pk, "approve"]), {"comment": "同意"})
    agreement.refresh_from_db()
    assert agreement.status == "active"


def test_a_rejected_agreement_is_stamped_once_on_the_approval_and_returns_for_revision(as_role):
    """The shared approval step through the agreement's page: the manager's rejection moves the
    agreement back and stamps who, when and why on its ApprovalRequest only."""
    from crm.models import ApprovalRequest
    from mortgage.models import AgencyAgreement

    agreement = AgencyAgreement.objects.get(status="pending")  # the demo's, submitted by the staff
    approval = ApprovalRequest.objects.get(subject="mortgage.agency_agreement", object_id=agreement.pk,
                                           status="pending")
    manager = as_role("manager")
    manager.post(reverse("mortgage:agreement_action", args=[agreement.pk, "reject"]), {"comment": "费用偏高"})
    agreement.refresh_from_db()
    approval.refresh_from_db()
    assert agreement.status == "rejected"
    assert (approval.status, approval.comment, approval.decided_by.username) == ("rejected", "费用偏高", "manager")
    assert approval.decided_at is not None
    assert agreement.history.first().history_change_reason == "驳回"


def _sheet(response):
    import io

    from openpyxl import load_workbook

    content = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_the_certificate_register_exports_exactly_the_filtered_rows(as_role):
    client = as_role("cs_supervisor")
    response = client.get(reverse("crm:export_register", args=["mortgage-certificates"]) + "?stage=released")
    header, rows = _sheet(response)
    assert header[:5] == ("项目", "房号", "业主", "代办公司", "办理阶段")
    released = TitleCertificateCase.objects.filter(stage="released")
    assert len(rows) == released.count() > 0
    assert {r[4] for r in rows} == {"担保已撤销"}
    assert {r[2] for r in rows} == set(released.values_list("customer__name", flat=True))


def test_the_overdue_register_exports_the_reasons_without_a_trailing_separator(as_role):
    client = as_role("cs_supervisor")
    header, rows = _sheet(client.get(reverse("crm:export_register", args=["mortgage-overdue"]) + "?litigation=1"))
    reason = header.index("诉讼理由")
    assert len(rows) == OverdueRecord.objects.filter(litigation_required=True).count() > 0
    assert all(r[reason] and not r[reason].endswith("；") for r in rows)
    record = OverdueRecord.objects.filter(litigation_required=True).first()
    page = client.get(reverse("mortgage:overdue_detail", args=[record.pk])).content.decode()
    assert f"须诉讼：{record.litigation_reason_display}</span>" in page


def test_legal_cannot_move_a_lawsuit_that_was_not_handed_to_it(as_role, make_user):
    client = as_role("legal")
    case = LitigationCase.objects.filter(stage="handed_over").first()
    LitigationCase.objects.filter(pk=case.pk).update(assignee=make_user("legal"))
    response = client.post(reverse("mortgage:litigation_advance", args=[case.pk, "file"]),
                           {"on": timezone.localdate(), "court": "西湖区人民法院"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.stage == "handed_over" and case.court == ""


def test_a_dossier_file_that_is_not_a_pdf_or_image_is_refused_and_nothing_is_handed_over(as_role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from crm.demo import demo_user

    client = as_role("cs_staff")
    record = OverdueRecord.objects.filter(status="open", litigation__isnull=True).first()
    OverdueRecord.objects.filter(pk=record.pk).update(litigation_required=True, litigation_reason="银行建议诉讼；")
    fake = SimpleUploadedFile("合同.pdf", b"MZ\x90\x00 not a pdf")
    response = client.post(reverse("mortgage:overdue_handover", args=[record.pk]),
                           {"assignee": demo_user("legal").pk, "dossier_note": "催缴无果", "contract_file": fake},
                           follow=True)
    assert "只接受 PDF 或图片" in response.content.decode()
    assert not LitigationCase.objects.filter(record=record).exists()


def test_finance_registers_a_loan_and_the_register_lists_searches_and_exports_it(as_role):
    from owners.models import Ownership

    client = as_role("finance")
    ownership = Ownership.objects.filter(kind="owner", unit__mortgage_loans__isnull=True).select_related(
        "customer", "unit").first()
    form = client.get(reverse("mortgage:loan_create")).content.decode()
    assert "房号 / 业主" in form
    response = client.post(reverse("mortgage:loan_create"), {
        "ownership": ownership.pk, "loan_number": "DK-NEW-1", "bank": "中国银行", "amount": "560000",
        "term_months": 300, "start_date": ""})
    assert response.status_code == 302 and response.url == reverse("mortgage:loan_list")
    from mortgage.models import MortgageLoan

    loan = MortgageLoan.objects.get(loan_number="DK-NEW-1")
    assert (loan.customer, loan.unit, loan.guarantee_active) == (ownership.customer, ownership.unit, True)
    assert loan.history.get().history_user.username == "finance"
    page = client.get(reverse("mortgage:loan_list") + "?q=DK-NEW").content.decode()
    assert "DK-NEW-1" in page and "中国银行" in page
    assert "DK-NEW-1" not in client.get(reverse("mortgage:loan_list") + "?q=nothing-like-it").content.decode()
    header, rows = _sheet(client.get(reverse("crm:export_register", args=["mortgage-loans"]) + "?q=DK-NEW"))
    assert len(rows) == 1 and rows[0][0] == "DK-NEW-1" and rows[0][header.index("开发商担保")] == "有效"


def test_a_bad_loan_is_refused_in_chinese_and_nothing_is_written(as_role):
    from mortgage.models import MortgageLoan
    from owners.models import Ownership

    client = as_role("finance")
    ownership = Ownership.objects.filter(kind="owner").first()
    existing = MortgageLoan.objects.first()
    before = MortgageLoan.objects.count()
    body = client.post(reverse("mortgage:loan_create"), {
        "ownership": ownership.pk, "loan_number": existing.loan_number, "bank": "中国银行", "amount": "-5",
        "term_months": 0}).content.decode()
    assert "贷款金额须大于 0" in body and "贷款期限须大于 0 个月" in body and "已存在" in body
    assert MortgageLoan.objects.count() == before


def test_only_finance_and_admin_register_loans(as_role):
    assert as_role("cs_staff").get(reverse("mortgage:loan_create")).status_code == 403
    page = as_role("cs_staff").get(reverse("mortgage:loan_list")).content.decode()
    assert 'data-testid="loan-create"' not in page and "DK" in page


def test_an_agent_company_is_edited_with_its_rating(as_role):
    from mortgage.models import AgentCompany

    client = as_role("cs_staff")
    agent = AgentCompany.objects.get(name="诚信房产咨询服务部")
    entries = agent.history.count()
    data = {"name": agent.name, "contact_person": "赵六", "phone": "0571-1", "rating": 1, "active": ""}
    response = client.post(reverse("mortgage:agent_edit", args=[agent.pk]), data)
    assert response.status_code == 302
    stored = AgentCompany.objects.get(pk=agent.pk)
    assert (stored.contact_person, stored.rating, stored.active) == ("赵六", 1, False)
    assert stored.history.count() == entries + 1
    assert stored.history.first().history_user.username == "cs_staff"
    # the same values again: nothing changed, nothing written
    assert client.post(reverse("mortgage:agent_edit", args=[agent.pk]), data).status_code == 302
    assert stored.history.count() == entries + 1


def test_a_draft_agreement_is_edited_and_an_active_one_is_not(as_role):
    from mortgage.models import AgencyAgreement

    client = as_role("cs_staff")
    draft = AgencyAgreement.objects.filter(status="draft").first()
    data = {"agent": draft.agent_id, "project": draft.project_id, "scope": "分户产权证（修订）", "fee_per_case": "250",
            "total_fee": "5000", "days_submit": 3, "days_file": 10, "days_issue": 30, "days_mortgage": 10,
            "days_release": 20}
    entries = draft.history.count()
    assert client.post(reverse("mortgage:agreement_edit", args=[draft.pk]), data).status_code == 302
    stored = AgencyAgreement.objects.get(pk=draft.pk)
    assert stored.scope == "分户产权证（修订）" and stored.days_submit == 3 and stored.total_fee == 5000
    assert stored.history.count() == entries + 1 and stored.history.first().history_user.username == "cs_staff"
    page = client.get(reverse("mortgage:agreement_detail", args=[draft.pk])).content.decode()
    assert "变更记录" in page and "分户产权证（修订）" in page and 'data-testid="agreement-edit"' in page

    active = AgencyAgreement.objects.filter(status="active").first()
    scope = active.scope
    response = client.post(reverse("mortgage:agreement_edit", args=[active.pk]), {**data, "project": active.project_id},
                           follow=True)
    assert "不能修改" in response.content.decode()
    active.refresh_from_db()
    assert active.scope == scope
    page = client.get(reverse("mortgage:agreement_detail", args=[active.pk])).content.decode()
    assert 'data-testid="agreement-edit"' not in page


def test_the_register_filters_late_cases_and_searches_by_owner(as_role):
    from mortgage.models import FINISHED_STAGES

    client = as_role("cs_staff")
    late = TitleCertificateCase.objects.exclude(stage__in=FINISHED_STAGES).filter(due_date__lt=timezone.localdate())
    response = client.get(reverse("mortgage:certificate_list") + "?late=1")
    shown = {c.pk for c in response.context["page_obj"]}
    assert shown == set(late.values_list("pk", flat=True)) and shown
    case = TitleCertificateCase.objects.select_related("customer").first()
    response = client.get(reverse("mortgage:certificate_list"), {"q": case.customer.name})
    assert {c.customer.name for c in response.context["page_obj"]} == {case.customer.name}


def test_cases_are_created_in_bulk_from_the_register_once(as_role):
    from mortgage.models import AgencyAgreement
    from owners.models import Ownership

    client = as_role("cs_staff")
    agreement = AgencyAgreement.objects.filter(status="active").select_related("project").first()
    project = agreement.project
    TitleCertificateCase.objects.filter(project=project, stage="collected").delete()
    before = TitleCertificateCase.objects.filter(project=project).count()
    expected = (Ownership.objects.filter(unit__project=project, unit__delivery_date__lte=timezone.localdate(),
                                         kind__in=["owner", "co_owner"]).values("unit", "customer").distinct().count())
    data = {"project": project.pk, "agreement": agreement.pk, "collected_on": timezone.localdate()}
    body = client.post(reverse("mortgage:certificate_bulk_create"), data, follow=True).content.decode()
    created = TitleCertificateCase.objects.filter(project=project).count() - before
    assert created == expected - before > 0 and f"新建 {created} 宗" in body
    body = client.post(reverse("mortgage:certificate_bulk_create"), data, follow=True).content.decode()
    assert "没有需要新建的办理" in body and TitleCertificateCase.objects.filter(project=project).count() == expected


def test_the_same_file_uploaded_again_after_import_is_refused_on_the_page(as_role):
    client = as_role("finance")
    record = OverdueRecord.objects.filter(status="open").select_related("loan__customer", "loan__unit").first()
    good = xlsx([row(record.loan, 1234, months_ago(1))])
    response = client.post(reverse("mortgage:overdue_upload"), {"file": good, "report_date": timezone.localdate()})
    client.post(reverse("mortgage:overdue_confirm", args=[int(response.url.rstrip("/").split("/")[-1])]))
    uploads = OverdueUpload.objects.count()
    state = list(OverdueRecord.objects.order_by("pk").values("pk", "amount", "status"))
    good.seek(0)
    body = client.post(reverse("mortgage:overdue_upload"), {"file": good, "report_date": timezone.localdate()}).content.decode()
    assert "重复导入不会改变任何数据" in body
    assert OverdueUpload.objects.count() == uploads
    assert list(OverdueRecord.objects.order_by("pk").values("pk", "amount", "status")) == state


def test_the_record_page_asks_for_a_method_and_a_legal_user_in_chinese(as_role):
    client = as_role("cs_staff")
    record = OverdueRecord.objects.filter(status="open", litigation__isnull=True).first()
    OverdueRecord.objects.filter(pk=record.pk).update(litigation_required=True, litigation_reason="银行建议诉讼；")
    page = client.get(reverse("mortgage:overdue_detail", args=[record.pk])).content.decode()
    assert f"{record.amount:.2f} 元" in page
    assert "请选择催缴方式" in page and "请选择承办法务" in page and "---------" not in page


def test_a_later_list_does_not_close_records_in_litigation_and_tells_legal_and_the_supervisor(client, estate,
                                                                                              make_user):
    """Issue 13, defect 8: a one-row list, nine open records absent from it, five of them with a
    lawsuit running (one per open stage) and one whose lawsuit is settled."""
    import datetime as dt
    from decimal import Decimal

    from crm.models import Notification
    from mortgage import services
    from mortgage.imports import overdue_upload_apply, overdue_upload_receive
    from mortgage.models import MortgageLoan

    finance, staff, legal = make_user("finance"), make_user("cs_staff"), make_user("legal")
    supervisor = make_user("cs_supervisor")
    owners, units = estate["owners"], estate["units"]
    loans = estate["loans"] + [MortgageLoan.objects.create(
        loan_number=f"L{i:04d}", customer=owners[i % 4], unit=units[i % 4], project=estate["project"], bank="建设银行",
        amount=Decimal("800000"), term_months=240) for i in range(5, 11)]
    first = overdue_upload_receive(user=finance, report_date=timezone.localdate() - dt.timedelta(days=10),
                                   uploaded=xlsx([row(loan, 25000, months_ago(2)) for loan in loans]))
    overdue_upload_apply(upload=first, user=finance)
    records = {r.loan.loan_number: r for r in OverdueRecord.objects.select_related("loan")}
    assert len(records) == 10 and all(r.litigation_required for r in records.values())
    steps = {"L0002": [], "L0003": ["file"], "L0004": ["file", "hearing"], "L0005": ["file", "hearing", "judgment"],
             "L0006": ["file", "hearing", "judgment", "enforce"], "L0007": ["settle"]}
    cases = {}
    for number, actions in steps.items():
        case = services.litigation_hand_over(record=records[number], user=staff, assignee=legal, dossier_note="催缴无果")
        for action in actions:
            services.litigation_advance(case=case, action=action, user=legal, court="区法院", outcome="结果")
        cases[number] = case
    suing = ["L0002", "L0003", "L0004", "L0005", "L0006"]
    assert sorted(LitigationCase.objects.values_list("stage", flat=True)) == sorted(
        ["handed_over", "filed", "hearing", "judgment", "enforcement", "settled"])

    client.force_login(finance)
    response = client.post(reverse("mortgage:overdue_upload"), {
        "file": xlsx([row(loans[0], 26000, months_ago(2))], name="later.xlsx"), "report_date": timezone.localdate()},
        follow=True)
    page = response.content.decode()
    held = page.split('data-testid="upload-held"')[1].split("</table>")[0]
    assert "诉讼中，不因名单关闭" in page and "（5）" in held
    for number in suing:
        assert number in held and cases[number].number in held
    assert "L0007" not in held and "L0008" not in held
    assert "本名单未再出现、将结清 4" in page  # L0007 (settled lawsuit), L0008-L0010
    upload = OverdueUpload.objects.get(original_name="later.xlsx")
    client.post(reverse("mortgage:overdue_confirm", args=[upload.pk]))

    status = dict(OverdueRecord.objects.values_list("loan__loan_number", "status"))
    assert {n for n, s in status.items() if s == "open"} == {"L0001", *suing}
    assert {n for n, s in status.items() if s == "closed"} == {"L0007", "L0008", "L0009", "L0010"}
    assert set(OverdueRecord.objects.filter(unlisted_on=timezone.localdate()).values_list(
        "loan__loan_number", flat=True)) == set(suing)

    client.force_login(legal)
    for number in suing:
        case_page = client.get(reverse("mortgage:litigation_detail", args=[cases[number].pk])).content.decode()
        assert f"财务 {timezone.localdate():%Y-%m-%d} 的逾期名单未再列出该记录" in case_page
        assert f"逾期名单 {timezone.localdate():%Y-%m-%d}：未再列出，诉讼中，不因名单关闭" in case_page
    for user in (legal, supervisor):
        notes = Notification.objects.filter(recipient=user, dedupe_key__startswith="mortgage:unlisted:")
        assert sorted(n.url for n in notes) == sorted(
            reverse("mortgage:litigation_detail", args=[cases[number].pk]) for number in suing)
    client.force_login(supervisor)
    note = Notification.objects.filter(recipient=supervisor, dedupe_key__startswith="mortgage:unlisted:").first()
    assert client.get(note.url).status_code == 200


def test_a_record_listed_again_after_being_unlisted_in_litigation_loses_the_note(estate, make_user):
    import datetime as dt

    from mortgage import services
    from mortgage.imports import overdue_upload_apply, overdue_upload_receive

    finance, staff, legal = make_user("finance"), make_user("cs_staff"), make_user("legal")
    loans = estate["loans"]
    today = timezone.localdate()
    for days, listed, amount in ((20, loans[:2], 25000), (10, loans[:1], 25000), (0, loans[:2], 26000)):
        upload = overdue_upload_receive(user=finance, report_date=today - dt.timedelta(days=days),
                                        uploaded=xlsx([row(loan, amount, months_ago(2)) for loan in listed]))
        overdue_upload_apply(upload=upload, user=finance)
        if days == 20:
            services.litigation_hand_over(record=OverdueRecord.objects.get(loan=loans[1]), user=staff,
                                          assignee=legal, dossier_note="催缴无果")
        if days == 10:
            assert OverdueRecord.objects.get(loan=loans[1]).unlisted_on == today - dt.timedelta(days=10)
    record = OverdueRecord.objects.get(loan=loans[1])
    assert record.status == "open" and record.unlisted_on is None and str(record.amount) == "26000.00"
