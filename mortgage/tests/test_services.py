"""Agreements with the approval step, certificate cases from materials to release, chases,
late reminders, reminders, the hand-over to legal and the lawsuit."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from crm.calendar import period_end
from crm.models import ApprovalRequest, Notification, Rule
from crm.tests.factories import CustomerFactory, OwnershipFactory
from crm.workflow import TransitionNotAllowed
from mortgage import services
from mortgage.imports import overdue_upload_apply, overdue_upload_receive
from mortgage.models import (
    AgencyAgreement,
    AgentCompany,
    LitigationCase,
    OverdueRecord,
    TitleCertificateCase,
)
from mortgage.tests.conftest import months_ago, row, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(estate, make_user):
    staff, manager = make_user("cs_staff"), make_user("manager")
    agent = services.agent_company_save(user=staff, name="安居代办", contact_person="王经理", phone="0571-1234", rating=4)
    agreement = services.agreement_create(user=staff, agent=agent, project=estate["project"], scope="分户产权证及抵押登记",
                                          fee_per_case=Decimal("300"), total_fee=Decimal("1200"), days_submit=5)
    services.agreement_submit(agreement=agreement, user=staff)
    services.agreement_decide(agreement=agreement, user=manager, approve=True)
    agreement.refresh_from_db()
    return agreement


def test_an_agreement_goes_to_the_manager_and_takes_effect_when_approved(estate, make_user):
    staff, manager = make_user("cs_staff"), make_user("manager")
    agent = AgentCompany.objects.create(name="甲代办")
    agreement = services.agreement_create(user=staff, agent=agent, project=estate["project"], scope="办证",
                                          total_fee=Decimal("5000"))
    services.agreement_submit(agreement=agreement, user=staff)
    assert agreement.status == AgencyAgreement.Status.PENDING
    assert ApprovalRequest.objects.get().approver_role == "manager"
    with pytest.raises(PermissionDenied):
        services.agreement_decide(agreement=agreement, user=staff, approve=True)
    services.agreement_decide(agreement=agreement, user=manager, approve=False, comment="费用过高")
    assert agreement.status == AgencyAgreement.Status.REJECTED
    services.agreement_submit(agreement=agreement, user=staff)
    services.agreement_decide(agreement=agreement, user=manager, approve=True)
    assert agreement.status == AgencyAgreement.Status.ACTIVE
    assert ApprovalRequest.objects.count() == 2


def test_an_agreement_below_the_approval_threshold_takes_effect_without_approval(estate, make_user):
    Rule.objects.filter(key="mortgage.agreement_approval_min_fee").update(value=Decimal("10000"))
    staff = make_user("cs_staff")
    agreement = services.agreement_create(user=staff, agent=AgentCompany.objects.create(name="乙"),
                                          project=estate["project"], scope="办证", total_fee=Decimal("500"))
    services.agreement_submit(agreement=agreement, user=staff)
    assert agreement.status == AgencyAgreement.Status.ACTIVE and not ApprovalRequest.objects.exists()


def test_cases_are_created_once_per_delivered_unit_and_owner(estate, agreement, make_user):
    staff = make_user("cs_staff")
    created = services.certificate_cases_create_for_project(project=estate["project"], agreement=agreement, user=staff)
    assert created == 4  # the fifth unit is not delivered
    assert services.certificate_cases_create_for_project(project=estate["project"], agreement=agreement, user=staff) == 0
    case = TitleCertificateCase.objects.get(unit=estate["units"][0])
    assert case.loan == estate["loans"][0]
    assert case.due_date == period_end(timezone.localdate(), days=5, deadline=True)
    assert case.history.count() == 1


def test_a_case_runs_from_materials_to_the_guarantee_released_by_finance(estate, agreement, make_user):
    staff, finance = make_user("cs_staff"), make_user("finance")
    services.certificate_cases_create_for_project(project=estate["project"], agreement=agreement, user=staff)
    case = TitleCertificateCase.objects.get(unit=estate["units"][0])
    services.certificate_advance(case=case, action="submit", user=staff)
    services.certificate_advance(case=case, action="file", user=staff)
    with pytest.raises(ValidationError, match="产权证号"):
        services.certificate_advance(case=case, action="issue", user=staff)
    services.certificate_advance(case=case, action="issue", user=staff, certificate_number="浙(2026)杭州不动产权第001号")
    with pytest.raises(ValidationError, match="有按揭贷款"):
        services.certificate_advance(case=case, action="complete", user=staff)
    services.certificate_advance(case=case, action="register_mortgage", user=staff)
    services.certificate_advance(case=case, action="request_release", user=staff)
    assert Notification.objects.filter(recipient=finance).count() == 1
    with pytest.raises(PermissionDenied):
        services.certificate_advance(case=case, action="confirm_release", user=staff)
    services.certificate_advance(case=case, action="confirm_release", user=finance)
    case.refresh_from_db()
    assert case.stage == "released" and case.released_by == finance and case.due_date is None
    loan = estate["loans"][0]
    loan.refresh_from_db()
    assert not loan.guarantee_active and loan.guarantee_released_on == timezone.localdate()
    with pytest.raises(TransitionNotAllowed):
        services.certificate_advance(case=case, action="confirm_release", user=finance)


def test_a_case_without_a_loan_is_completed_after_the_certificate(estate, make_user):
    staff = make_user("cs_staff")
    from mortgage.models import MortgageLoan

    MortgageLoan.objects.filter(pk=estate["loans"][0].pk).delete()
    services.certificate_cases_create_for_project(project=estate["project"], user=staff)
    case = TitleCertificateCase.objects.get(unit=estate["units"][0])
    for action in ("submit", "file"):
        services.certificate_advance(case=case, action=action, user=staff)
    services.certificate_advance(case=case, action="issue", user=staff, certificate_number="X-1")
    with pytest.raises(ValidationError, match="没有按揭贷款"):
        services.certificate_advance(case=case, action="register_mortgage", user=staff)
    services.certificate_advance(case=case, action="complete", user=staff)
    assert case.stage == "completed"


def test_chases_are_logged_and_late_cases_remind_staff_once_a_day(estate, agreement, make_user):
    staff = make_user("cs_staff")
    services.certificate_cases_create_for_project(project=estate["project"], agreement=agreement, user=staff,
                                                  collected_on=dt.date(2026, 11, 2))  # due Monday 11-09
    case = TitleCertificateCase.objects.get(unit=estate["units"][0])
    services.certificate_chase_log(case=case, user=staff, result="代办公司称下周递件",
                                   next_date=timezone.localdate() + dt.timedelta(days=3))
    assert case.chases.count() == 1
    with pytest.raises(ValidationError):
        services.certificate_chase_log(case=case, user=staff, result=" ")
    assert services.certificates_chase_late() == 4
    row = case.history.order_by("-history_id").first()  # the job's mark has its history row (issue 15 §2)
    assert (row.late_notified_on, row.history_change_reason) == (timezone.localdate(), "办理超期，已提醒督促")
    rows = case.history.count()
    assert services.certificates_chase_late() == 0
    assert case.history.count() == rows
    assert Notification.objects.filter(recipient=staff).count() == 4
    services.certificate_advance(case=case, action="submit", user=staff)
    assert TitleCertificateCase.objects.get(pk=case.pk).due_date > timezone.localdate()


def test_late_cases_are_reminded_a_chunk_at_a_time_each_once(estate, agreement, make_user, monkeypatch):
    """However many certificates are late, no statement carries more than a chunk of ids: with
    chunks of one, each of the four late cases is marked and notified once, and a finished case
    and a case reminded today are left alone."""
    staff = make_user("cs_staff")
    services.certificate_cases_create_for_project(project=estate["project"], agreement=agreement, user=staff,
                                                  collected_on=dt.date(2026, 11, 2))
    cases = list(TitleCertificateCase.objects.order_by("pk"))
    TitleCertificateCase.objects.filter(pk=cases[0].pk).update(stage="completed")
    TitleCertificateCase.objects.filter(pk=cases[1].pk).update(late_notified_on=timezone.localdate())
    monkeypatch.setattr(services, "CHUNK_SIZE", 1)
    assert services.certificates_chase_late() == len(cases) - 2
    marked = dict(TitleCertificateCase.objects.values_list("pk", "late_notified_on"))
    assert marked[cases[0].pk] is None and all(marked[c.pk] == timezone.localdate() for c in cases[1:])
    urls = list(Notification.objects.filter(recipient=staff).values_list("url", flat=True))
    assert sorted(urls) == sorted(f"/mortgage/certificates/{c.pk}/" for c in cases[2:])
    assert services.certificates_chase_late() == 0


@pytest.mark.parametrize("collected_on, due", [
    (dt.date(2026, 9, 26), dt.date(2026, 10, 8)),  # 5 days end on 10-01, in the National Day holiday
    (dt.date(2026, 11, 16), dt.date(2026, 11, 23)),  # Saturday 11-21 → Monday
    (dt.date(2026, 11, 2), dt.date(2026, 11, 9)),  # Saturday 11-07 → Monday
    (dt.date(2026, 11, 11), dt.date(2026, 11, 16)),  # Monday: the collection day is not counted
])
def test_a_certificate_due_date_is_the_agreed_days_after_the_stage_moved_past_days_off(
        estate, agreement, make_user, collected_on, due):
    staff = make_user("cs_staff")
    services.certificate_cases_create_for_project(project=estate["project"], agreement=agreement, user=staff,
                                                  collected_on=collected_on)
    assert set(TitleCertificateCase.objects.values_list("due_date", flat=True)) == {due}


def test_a_stage_advanced_before_a_holiday_is_due_after_it(estate, agreement, make_user):
    staff = make_user("cs_staff")
    AgencyAgreement.objects.filter(pk=agreement.pk).update(days_file=15)
    services.certificate_cases_create_for_project(project=estate["project"], agreement=agreement, user=staff,
                                                  collected_on=dt.date(2026, 9, 10))
    case = TitleCertificateCase.objects.get(unit=estate["units"][0])
    services.certificate_advance(case=case, action="submit", user=staff, on=dt.date(2026, 9, 17))
    assert TitleCertificateCase.objects.get(pk=case.pk).due_date == dt.date(2026, 10, 8)  # 10-02 is a holiday


@pytest.mark.parametrize("on, since, required", [
    (dt.date(2026, 7, 15), dt.date(2026, 1, 15), False),  # exactly six months
    (dt.date(2026, 7, 16), dt.date(2026, 1, 15), True),  # six months and a day
    # 02-28 + 6 months ends 08-28: on 08-31 it is three days more (a fixed "today - 6 months" missed it)
    (dt.date(2026, 8, 31), dt.date(2026, 2, 28), True),
    (dt.date(2026, 8, 31), dt.date(2026, 3, 1), False),
    (dt.date(2026, 8, 28), dt.date(2026, 2, 28), False),
    # 08-31 + 6 months ends 2027-02-28 (art. 202); 03-01 is a day more
    (dt.date(2027, 2, 28), dt.date(2026, 8, 31), False),
    (dt.date(2027, 3, 1), dt.date(2026, 8, 31), True),
    # elapsed time does not move: the end on a holiday (10-01) is over the next day
    (dt.date(2026, 10, 2), dt.date(2026, 4, 1), True),
])
def test_overdue_more_than_six_months_counts_calendar_months_and_never_moves(estate, make_user, on, since, required):
    finance = make_user("finance")
    make_user("cs_supervisor")
    upload = overdue_upload_receive(user=finance, uploaded=xlsx([row(estate["loans"][0], 500, months_ago(1))]),
                                    report_date=timezone.localdate())
    overdue_upload_apply(upload=upload, user=finance)
    OverdueRecord.objects.update(overdue_since=since)  # the list said so, as of ``on``
    assert services.litigation_evaluate(today=on) == int(required)
    record = OverdueRecord.objects.get()
    assert record.litigation_required is required
    assert ("逾期超过6个月" in record.litigation_reason) is required


def test_the_litigation_job_is_safe_to_run_twice(estate, make_user):
    finance, supervisor = make_user("finance"), make_user("cs_supervisor")
    upload = overdue_upload_receive(user=finance, uploaded=xlsx([row(estate["loans"][0], 500, months_ago(5, days=-5))]),
                                    report_date=timezone.localdate())
    overdue_upload_apply(upload=upload, user=finance)
    assert not OverdueRecord.objects.get().litigation_required
    # time passes: the same record is now more than six months overdue
    later = timezone.localdate() + dt.timedelta(days=40)
    assert services.litigation_evaluate(today=later) == 1
    assert services.litigation_evaluate(today=later) == 0
    assert Notification.objects.filter(recipient=supervisor).count() == 1
    record = OverdueRecord.objects.get()
    assert record.history.first().history_change_reason == "诉讼规则判定须诉讼"


def _listed(estate, make_user, loans=None):
    """Open records of the estate's loans, none of them meeting the rule yet (small, recent)."""
    finance = make_user("finance")
    loans = loans or estate["loans"]
    upload = overdue_upload_receive(user=finance, uploaded=xlsx([row(loan, 100, months_ago(1)) for loan in loans]),
                                    report_date=timezone.localdate())
    overdue_upload_apply(upload=upload, user=finance)
    assert not OverdueRecord.objects.filter(litigation_required=True).exists()
    return {r.loan.loan_number: r for r in OverdueRecord.objects.select_related("loan", "customer")}


ON = dt.date(2026, 9, 1)
SIX_MONTHS_AND_A_DAY = dt.date(2026, 2, 28)  # ends 08-31: more than six months on 09-01


def test_the_litigation_reason_names_every_condition_met_and_the_supervisor_is_told_which_records(
        estate, make_user):
    supervisor = make_user("cs_supervisor")
    records = _listed(estate, make_user)
    OverdueRecord.objects.filter(pk=records["L0001"].pk).update(bank_recommends=True)
    OverdueRecord.objects.filter(pk=records["L0002"].pk).update(overdue_since=SIX_MONTHS_AND_A_DAY)
    OverdueRecord.objects.filter(pk=records["L0003"].pk).update(amount=Decimal("20000.01"))
    OverdueRecord.objects.filter(pk=records["L0004"].pk).update(
        bank_recommends=True, overdue_since=SIX_MONTHS_AND_A_DAY, amount=Decimal("20000.01"))
    before = timezone.now()
    assert services.litigation_evaluate(today=ON) == 4
    reasons = {
        "L0001": "银行建议诉讼；", "L0002": "逾期超过6个月；", "L0003": "逾期金额超过20,000元；",
        "L0004": "银行建议诉讼；逾期超过6个月；逾期金额超过20,000元；",
    }
    for number, reason in reasons.items():
        record = OverdueRecord.objects.get(pk=records[number].pk)
        assert (record.litigation_required, record.litigation_reason) == (True, reason)
        assert before <= record.litigation_flagged_at <= timezone.now()
        marked = record.history.filter(history_change_reason="诉讼规则判定须诉讼").get()
        assert (marked.history_type, marked.history_user, marked.litigation_reason) == ("~", None, reason)
    note = Notification.objects.get(recipient=supervisor, dedupe_key__startswith="mortgage:litigation:")
    assert (note.title, note.level) == ("新增 4 条按揭逾期须诉讼", "danger")
    assert note.url == reverse("mortgage:overdue_list") + "?litigation=1"
    assert note.body.split("\n") == [f"业主{i} L000{i}：{reasons[f'L000{i}']}" for i in range(1, 5)]


def test_the_litigation_rule_leaves_records_short_of_every_threshold_and_closed_records_alone(estate, make_user):
    records = _listed(estate, make_user)
    OverdueRecord.objects.filter(pk=records["L0001"].pk).update(
        amount=Decimal("20000.00"), overdue_since=SIX_MONTHS_AND_A_DAY + dt.timedelta(days=1))
    OverdueRecord.objects.filter(pk=records["L0002"].pk).update(
        status=OverdueRecord.Status.CLOSED, closed_on=ON, bank_recommends=True, amount=Decimal("90000"))
    assert services.litigation_evaluate(today=ON) == 0
    assert not OverdueRecord.objects.filter(litigation_required=True).exists()
    assert not Notification.objects.filter(dedupe_key__startswith="mortgage:litigation:").exists()


def test_each_litigation_run_reports_only_the_records_it_marked(estate, make_user):
    supervisor = make_user("cs_supervisor")
    records = _listed(estate, make_user)
    OverdueRecord.objects.filter(pk=records["L0001"].pk).update(bank_recommends=True)
    assert services.litigation_evaluate(today=ON) == 1
    OverdueRecord.objects.filter(pk=records["L0002"].pk).update(bank_recommends=True)
    assert services.litigation_evaluate(today=ON) == 1
    notes = list(Notification.objects.filter(recipient=supervisor).order_by("pk").values_list("title", "body"))
    assert notes == [("新增 1 条按揭逾期须诉讼", "业主1 L0001：银行建议诉讼；"),
                     ("新增 1 条按揭逾期须诉讼", "业主2 L0002：银行建议诉讼；")]
    first = OverdueRecord.objects.get(pk=records["L0001"].pk)
    assert first.history.filter(history_change_reason="诉讼规则判定须诉讼").count() == 1


def test_the_litigation_notice_names_twenty_records_and_counts_them_all(estate, make_user):
    from mortgage.models import MortgageLoan

    supervisor = make_user("cs_supervisor")
    loans = list(estate["loans"])
    for i in range(6, 23):  # 17 more owners and loans: 21 in all
        owner = CustomerFactory(code=f"T{i:05d}", name=f"业主{i}", phone=f"139000000{i:02d}",
                                        project=estate["project"], id_number=f"11010119800101{i:04d}")
        OwnershipFactory(customer=owner, unit=estate["units"][4])
        loans.append(MortgageLoan.objects.create(
            loan_number=f"L{i:04d}", customer=owner, unit=estate["units"][4], project=estate["project"],
            bank="建设银行", amount=Decimal("800000"), term_months=240))
    _listed(estate, make_user, loans)
    OverdueRecord.objects.update(bank_recommends=True)
    assert services.litigation_evaluate(today=ON) == 21
    note = Notification.objects.get(recipient=supervisor)
    assert note.title == "新增 21 条按揭逾期须诉讼"
    assert len(note.body.split("\n")) == 20


def test_the_litigation_job_makes_as_many_queries_for_one_record_as_for_four(estate, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_user("cs_supervisor")
    records = _listed(estate, make_user)
    OverdueRecord.objects.filter(pk=records["L0001"].pk).update(bank_recommends=True)
    from api.outbox import subscriptions

    subscriptions()  # the webhook subscriptions are read once and kept in the cache, not per run
    with CaptureQueriesContext(connection) as one:
        assert services.litigation_evaluate(today=ON) == 1
    OverdueRecord.objects.exclude(pk=records["L0001"].pk).update(bank_recommends=True)
    OverdueRecord.objects.filter(pk=records["L0001"].pk).update(status=OverdueRecord.Status.CLOSED, closed_on=ON)
    with CaptureQueriesContext(connection) as three:
        assert services.litigation_evaluate(today=ON) == 3
    assert len(three) == len(one)


@pytest.fixture
def flagged(estate, make_user):
    finance = make_user("finance")
    upload = overdue_upload_receive(user=finance, uploaded=xlsx([row(estate["loans"][2], 25000, months_ago(2)),
                                                                 row(estate["loans"][0], 100, months_ago(1))]),
                                    report_date=timezone.localdate())
    overdue_upload_apply(upload=upload, user=finance)
    return OverdueRecord.objects.get(loan=estate["loans"][2]), OverdueRecord.objects.get(loan=estate["loans"][0])


def test_reminders_are_logged_on_open_records(flagged, make_user):
    staff = make_user("cs_staff")
    record, _ = flagged
    reminder = services.reminder_log(record=record, user=staff, method="phone", summary="业主称月底还款",
                                     promise="月底前还清", next_follow_up=timezone.localdate() + dt.timedelta(days=7))
    assert reminder.get_method_display() == "电话"
    with pytest.raises(ValidationError):
        services.reminder_log(record=record, user=staff, method="sms", summary="x",
                              next_follow_up=timezone.localdate() - dt.timedelta(days=1))


def test_only_flagged_records_are_handed_to_a_legal_user_who_tracks_the_lawsuit(flagged, make_user):
    staff, legal, other_legal = make_user("cs_staff"), make_user("legal"), make_user("legal")
    record, unflagged = flagged
    with pytest.raises(ValidationError, match="须诉讼"):
        services.litigation_hand_over(record=unflagged, user=staff, assignee=legal, dossier_note="x")
    with pytest.raises(ValidationError, match="法务"):
        services.litigation_hand_over(record=record, user=staff, assignee=staff, dossier_note="x")
    case = services.litigation_hand_over(record=record, user=staff, assignee=legal, dossier_note="三次电话催缴无果")
    with pytest.raises(ValidationError, match="已移交"):
        services.litigation_hand_over(record=record, user=staff, assignee=legal, dossier_note="again")
    assert Notification.objects.filter(recipient=legal).count() == 1
    with pytest.raises(PermissionDenied):
        services.litigation_advance(case=case, action="file", user=other_legal, court="西湖区法院")
    with pytest.raises(ValidationError, match="法院"):
        services.litigation_advance(case=case, action="file", user=legal)
    services.litigation_advance(case=case, action="file", user=legal, court="西湖区人民法院", court_case_number="(2026)浙0106民初1号")
    services.litigation_advance(case=case, action="hearing", user=legal)
    services.litigation_advance(case=case, action="judgment", user=legal, outcome="判决业主归还欠款")
    services.litigation_advance(case=case, action="enforce", user=legal)
    services.litigation_advance(case=case, action="close", user=legal, outcome="执行完毕")
    case.refresh_from_db()
    assert case.stage == LitigationCase.Stage.CLOSED and case.filed_on and case.judgment_on
    with pytest.raises(TransitionNotAllowed):
        services.litigation_advance(case=case, action="settle", user=legal, outcome="x")


def test_statistics_give_counts_late_cases_and_average_days(estate, agreement, make_user):
    from mortgage.selectors import certificate_statistics

    staff = make_user("cs_staff")
    today = timezone.localdate()
    services.certificate_cases_create_for_project(project=estate["project"], agreement=agreement, user=staff,
                                                  collected_on=today - dt.timedelta(days=30))
    case = TitleCertificateCase.objects.get(unit=estate["units"][0])
    for action in ("submit", "file"):
        services.certificate_advance(case=case, action=action, user=staff, on=today - dt.timedelta(days=20))
    services.certificate_advance(case=case, action="issue", user=staff, certificate_number="N1",
                                 on=today - dt.timedelta(days=10))
    stats = certificate_statistics(TitleCertificateCase.objects.all())
    assert stats["total"] == 4 and stats["late"] == 3  # three still waiting past the agreed 5 days
    (project,) = stats["by_project"]
    assert project["avg_issue"] == 20.0 and project["late"] == 3
    assert stats["by_agent"][0]["agreement__agent__name"] == "安居代办"
    by_stage = {s["code"]: s for s in stats["by_stage"]}
    assert by_stage["issued"]["total"] == 1 and by_stage["issued"]["late"] == 0
    assert by_stage["issued"]["avg_waiting"] == 10.0  # issued ten days ago, due after the agreed 15
    assert by_stage["collected"]["total"] == 3 and by_stage["collected"]["late"] == 3
    assert by_stage["collected"]["avg_waiting"] == 30.0
    assert by_stage["released"] == {"stage": "担保已撤销", "code": "released", "total": 0, "late": 0,
                                    "avg_waiting": None}


def test_a_rejected_agreement_is_revised_before_it_is_submitted_again(estate, make_user):
    staff, manager = make_user("cs_staff"), make_user("manager")
    agreement = services.agreement_create(user=staff, agent=AgentCompany.objects.create(name="丙代办"),
                                          project=estate["project"], scope="办证", total_fee=Decimal("9000"))
    services.agreement_submit(agreement=agreement, user=staff)
    with pytest.raises(ValidationError, match="不能修改"):
        services.agreement_update(agreement=agreement, user=staff, total_fee=Decimal("1"))
    services.agreement_decide(agreement=agreement, user=manager, approve=False, comment="费用过高")
    revised = services.agreement_update(agreement=agreement, user=staff, total_fee=Decimal("6000"))
    assert revised.total_fee == Decimal("6000") and revised.history.first().history_user == staff
    services.agreement_submit(agreement=revised, user=staff)
    assert ApprovalRequest.objects.order_by("-pk").first().snapshot == {"total_fee": "6000.00"}
    services.agreement_decide(agreement=revised, user=manager, approve=True)
    with pytest.raises(ValidationError, match="生效"):
        services.agreement_update(agreement=revised, user=staff, scope="改")
    revised.refresh_from_db()
    assert revised.scope == "办证"


def test_a_loan_is_registered_only_for_an_owner_of_the_unit_and_links_its_open_case(estate, make_user):
    from mortgage.models import MortgageLoan

    finance, staff = make_user("finance"), make_user("cs_staff")
    owner, unit = estate["owners"][4], estate["units"][4]  # the fifth unit has no loan yet
    with pytest.raises(PermissionDenied):
        services.loan_create(user=staff, customer=owner, unit=unit, loan_number="N1", bank="中国银行",
                             amount=Decimal("100000"), term_months=120)
    with pytest.raises(ValidationError, match="不是"):
        services.loan_create(user=finance, customer=estate["owners"][0], unit=unit, loan_number="N1",
                             bank="中国银行", amount=Decimal("100000"), term_months=120)
    with pytest.raises(ValidationError, match="金额"):
        services.loan_create(user=finance, customer=owner, unit=unit, loan_number="N1", bank="中国银行",
                             amount=Decimal("0"), term_months=120)
    assert not MortgageLoan.objects.filter(loan_number="N1").exists()
    case = TitleCertificateCase.objects.create(project=estate["project"], unit=unit, customer=owner,
                                               stage_since=timezone.localdate(), collected_on=timezone.localdate())
    loan = services.loan_create(user=finance, customer=owner, unit=unit, loan_number="N1", bank="中国银行",
                                amount=Decimal("100000"), term_months=120)
    assert loan.guarantee_active and loan.project == estate["project"]
    case.refresh_from_db()
    assert case.loan == loan
    assert case.history.first().history_user == finance and case.history.first().loan_id == loan.pk


def test_reminders_are_logged_by_each_of_the_five_methods_and_not_on_a_closed_record(flagged, make_user):
    from mortgage.models import CollectionReminder

    staff = make_user("cs_staff")
    record, other = flagged
    methods = ["phone", "sms", "email", "lawyer_letter", "visit"]
    assert [m for m, _ in CollectionReminder.Method.choices] == methods
    for method in methods:
        services.reminder_log(record=record, user=staff, method=method, summary=f"{method} 已联系", promise="下周还款",
                              promised_date=timezone.localdate() + dt.timedelta(days=7),
                              next_follow_up=timezone.localdate() + dt.timedelta(days=8))
    assert record.reminders.count() == 5
    assert set(record.reminders.values_list("promise", flat=True)) == {"下周还款"}
    with pytest.raises(ValidationError):
        services.reminder_log(record=record, user=staff, method="fax", summary="x")
    OverdueRecord.objects.filter(pk=other.pk).update(status="closed")
    other.refresh_from_db()
    with pytest.raises(ValidationError, match="已结清"):
        services.reminder_log(record=other, user=staff, method="phone", summary="x")
    assert record.reminders.count() == 5 and other.reminders.count() == 0


def test_a_chase_is_kept_as_typed_and_each_refusal_says_why(estate, agreement, make_user):
    """督促办证: the result (trimmed), the next date (today is allowed), who chased, in the
    history; a blank result, a past next date, a user without the right, a finished case: each
    refused with its own reason, nothing written."""
    from mortgage.models import CertificateChase

    staff = make_user("cs_staff")
    services.certificate_cases_create_for_project(project=estate["project"], agreement=agreement, user=staff,
                                                  collected_on=dt.date(2026, 11, 2))
    case = TitleCertificateCase.objects.get(unit=estate["units"][0])
    today = timezone.localdate()
    services.certificate_chase_log(case=case, user=staff, result="  代办公司称明日递件 ", next_date=today)
    chase = CertificateChase.objects.get(case=case)
    assert (chase.result, chase.next_date, chase.chased_by) == ("代办公司称明日递件", today, staff)
    assert chase.history.get().history_user == staff
    refusals = [
        (dict(user=staff, result=" ", next_date=None), ValidationError, "请填写督促结果。"),
        (dict(user=staff, result="再催", next_date=today - dt.timedelta(days=1)), ValidationError,
         "下次督促日期不能早于今天。"),
        (dict(user=make_user("finance"), result="再催", next_date=None), PermissionDenied, "您没有记录督促办证的权限。"),
    ]
    for kwargs, error, message in refusals:
        with pytest.raises(error) as refused:
            services.certificate_chase_log(case=case, **kwargs)
        assert (refused.value.messages if error is ValidationError else [str(refused.value)]) == [message]
    TitleCertificateCase.objects.filter(pk=case.pk).update(stage="completed")
    with pytest.raises(ValidationError) as refused:
        services.certificate_chase_log(case=TitleCertificateCase.objects.get(pk=case.pk), user=staff, result="再催")
    assert refused.value.messages == ["该产权证已办结，无需督促。"]
    assert CertificateChase.objects.count() == 1


def test_the_late_notice_names_the_unit_owner_stage_agreed_day_and_agent(estate, agreement, make_user):
    staff = make_user("cs_staff")
    services.certificate_cases_create_for_project(project=estate["project"], agreement=agreement, user=staff,
                                                  collected_on=dt.date(2026, 11, 2))
    cases = list(TitleCertificateCase.objects.filter(unit__in=estate["units"][:2]).order_by("pk"))
    TitleCertificateCase.objects.exclude(pk__in=[c.pk for c in cases]).update(stage="completed")
    TitleCertificateCase.objects.filter(pk=cases[1].pk).update(agreement=None)
    assert services.certificates_chase_late() == 2
    notes = {n.url: n for n in Notification.objects.filter(recipient=staff)}
    for case, agent in ((cases[0], "安居代办"), (cases[1], "—")):
        case.refresh_from_db()
        note = notes[reverse("mortgage:certificate_detail", args=[case.pk])]
        stage = TitleCertificateCase.Stage(case.stage).label
        assert note.title == f"产权证办理超期：{case.unit} {case.customer.name}（{stage}，约定 {case.due_date}）"
        assert (note.body, note.level) == (f"代办公司：{agent}，请督促办理。", "danger")


def test_the_late_reminder_costs_the_same_queries_for_one_case_or_many_and_a_statement_per_chunk(
        estate, agreement, make_user, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff = make_user("cs_staff")
    services.certificate_cases_create_for_project(project=estate["project"], agreement=agreement, user=staff,
                                                  collected_on=dt.date(2026, 11, 2))
    late = list(TitleCertificateCase.objects.order_by("pk"))
    TitleCertificateCase.objects.exclude(pk=late[0].pk).update(late_notified_on=timezone.localdate())
    with CaptureQueriesContext(connection) as one:
        assert services.certificates_chase_late() == 1
    TitleCertificateCase.objects.update(late_notified_on=None)
    Notification.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        assert services.certificates_chase_late() == len(late)
    # No query per case: the four cases cost no more than one did (which also read the rules).
    assert len(late) > 1 and len(many.captured_queries) <= len(one.captured_queries)
    import re

    froms = [table for q in many.captured_queries for table in re.findall(r'FROM "(\w+)"', q["sql"])]
    assert "mortgage_titlecertificatecase" in froms
    # The unit, its owner and the agent come with the cases (no query of theirs per case).
    assert not {"owners_unit", "owners_customer", "owners_building", "mortgage_agentcompany",
                "mortgage_agencyagreement"} & set(froms)
    TitleCertificateCase.objects.update(late_notified_on=None)
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    with CaptureQueriesContext(connection) as chunked:
        services.certificates_chase_late()
    marks = [q for q in chunked.captured_queries
             if q["sql"].startswith("UPDATE") and "mortgage_titlecertificatecase" in q["sql"]]
    assert len(marks) == -(-len(late) // 2)
