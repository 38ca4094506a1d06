import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from crm.calendar import period_end
from crm.models import Notification
from crm.rules import forget
from property_liaison import services
from property_liaison.models import (
    ActionItem, Cadence, CommitteeFormation, CoordinationGap, PropertyAppointment, Rectification, RepairRequest,
    WarrantyCategory,
)
from property_liaison.tests.factories import project_with_company, unit

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _meeting(user, project, days_ago):
    return services.coordination_record(user=user, project=project, date=TODAY() - dt.timedelta(days=days_ago),
                                        form="meeting", attendees="甲、乙", minutes="纪要")


def test_project_last_coordinated_35_days_ago_is_flagged_once_however_often_the_job_runs(make_user):
    staff = make_user("cs_staff")
    supervisor = make_user("cs_supervisor")
    project, _ = project_with_company()
    _meeting(staff, project, 35)
    assert services.coordination_cadence_check() == 1
    services.coordination_cadence_check()
    from django.core.management import call_command
    call_command("runjob", "property_liaison.coordination_cadence")
    # and on the following days, while nobody coordinates, it is still the same gap
    for later in (1, 2, 7):
        services.coordination_cadence_check(TODAY() + dt.timedelta(days=later))
    gap = CoordinationGap.objects.get(project=project)
    assert gap.last_date == TODAY() - dt.timedelta(days=35)
    assert gap.due_date == period_end(gap.last_date, months=1, deadline=True)
    assert Notification.objects.filter(recipient=supervisor, dedupe_key__startswith="liaison.cadence").count() == 1
    assert Notification.objects.filter(dedupe_key__startswith="liaison.cadence").count() == 1


def _meeting_on(user, project, day):
    return services.coordination_record(user=user, project=project, date=day, form="meeting", attendees="甲、乙",
                                        minutes="纪要")


def test_a_new_coordination_after_a_gap_clears_it_and_a_later_gap_is_flagged_again(make_user):
    staff = make_user("cs_staff")
    supervisor = make_user("cs_supervisor")
    project, _ = project_with_company(start=dt.date(2025, 1, 1))
    _meeting_on(staff, project, dt.date(2026, 6, 1))
    assert services.coordination_cadence_check(dt.date(2026, 7, 2)) == 1  # due 07-01
    _meeting_on(staff, project, dt.date(2026, 7, 10))
    assert services.coordination_cadence_check(dt.date(2026, 7, 20)) == 0
    assert services.coordination_cadence_check(dt.date(2026, 8, 11)) == 1  # due 08-10: a second, distinct gap
    assert CoordinationGap.objects.filter(project=project).count() == 2
    assert Notification.objects.filter(recipient=supervisor, dedupe_key__startswith="liaison.cadence").count() == 2


@pytest.mark.parametrize("last, still_on_time, flagged", [
    # 每月至少协调一次 is a calendar month after the last coordination (民法典 art. 201–202), not 31 days
    (dt.date(2026, 11, 14), dt.date(2026, 12, 14), dt.date(2026, 12, 15)),
    # after February: 01-31 + 1 month ends 02-28 (a 调休 working Saturday in 2026), not 03-03
    (dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 1)),
    (dt.date(2026, 3, 31), dt.date(2026, 4, 30), dt.date(2026, 5, 1)),
    # a last day in the National Day holiday moves to the next working day (art. 203)
    (dt.date(2026, 9, 3), dt.date(2026, 10, 8), dt.date(2026, 10, 9)),
])
def test_monthly_cadence_is_a_calendar_month_and_flags_the_day_after(make_user, last, still_on_time, flagged):
    staff = make_user("cs_staff")
    project, _ = project_with_company(start=dt.date(2025, 1, 1))
    _meeting_on(staff, project, last)
    assert services.coordination_cadence_check(still_on_time) == 0
    assert services.coordination_cadence_check(flagged) == 1
    assert CoordinationGap.objects.get(project=project).due_date == still_on_time


def test_cadence_plans_and_the_monthly_rule_in_calendar_months(make_user):
    from crm.models import Rule

    staff = make_user("cs_staff")
    project, _ = project_with_company()
    services.coordination_plan_set(user=staff, project=project, cadence=Cadence.WEEKLY)
    with pytest.raises(ValidationError):
        services.coordination_plan_set(user=staff, project=project, cadence="quarterly")
    assert project.coordination_plan.cadence == Cadence.WEEKLY
    assert services.cadence_period(Cadence.MONTHLY) == {"months": 1}
    # the monthly rule is an admin setting in calendar months; less than one month means one
    Rule.objects.filter(key="liaison.coordination_max_interval_months").update(value=2)
    forget("liaison.coordination_max_interval_months")
    assert services.cadence_period(Cadence.MONTHLY) == {"months": 2}
    Rule.objects.filter(key="liaison.coordination_max_interval_months").update(value=0)
    forget("liaison.coordination_max_interval_months")
    assert services.cadence_period(Cadence.MONTHLY) == {"months": 1}
    assert services.cadence_period(Cadence.WEEKLY) == {"days": 7}
    assert services.cadence_period(Cadence.DAILY) == {"days": 1}


def test_a_project_never_coordinated_is_due_a_cadence_after_the_appointment_starts(make_user):
    make_user("cs_supervisor")
    project, _ = project_with_company(start=dt.date(2026, 10, 23))
    on = dt.date(2026, 12, 2)
    row = next(r for r in services.coordination_status(on) if r["project"] == project)
    assert row["last_date"] is None and row["due_date"] == dt.date(2026, 11, 23) and row["late_days"] == 9
    assert services.coordination_cadence_check(on) == 1


def test_project_coordinated_within_its_cadence_is_not_flagged(make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    _meeting(staff, project, 20)
    assert services.coordination_cadence_check() == 0
    services.coordination_plan_set(user=staff, project=project, cadence=Cadence.WEEKLY)
    assert services.coordination_cadence_check() == 1


def test_replaced_project_no_longer_needs_coordination(make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    _meeting(staff, project, 60)
    formation = CommitteeFormation.objects.create(project=project, step=CommitteeFormation.Step.REGISTERED)
    services.property_replace(user=staff, formation=formation, on=TODAY() - dt.timedelta(days=1),
                              new_company_name="业委会选聘的物业")
    assert services.coordination_cadence_check() == 0
    assert CommitteeFormation.objects.get(pk=formation.pk).step == "replaced"


def test_replacement_ends_coordination_but_warranty_repairs_go_on(make_user):
    staff = make_user("cs_staff")
    project, company = project_with_company()
    liaison = make_user("property_company", property_company=company)
    home = unit(project, delivered=TODAY() - dt.timedelta(days=400))
    formation = CommitteeFormation.objects.create(project=project, step=CommitteeFormation.Step.REGISTERED)
    services.property_replace(user=staff, formation=formation, on=TODAY() - dt.timedelta(days=1),
                              new_company_name="业委会选聘的物业")
    assert project not in services.managed_projects()
    repair = services.repair_register(user=staff, unit=home, category=WarrantyCategory.objects.get(code="plumbing"),
                                      location="厨房", description="下水管渗漏", reported_on=TODAY())
    assert repair.in_warranty is True
    services.repair_assign(user=staff, repair=repair, assignee="原施工单位", due_date=TODAY())
    services.repair_complete(user=staff, repair=repair, on=TODAY(), note="已更换")
    assert RepairRequest.objects.get(pk=repair.pk).status == RepairRequest.Status.COMPLETED
    # the replaced company no longer sees the project's records
    from crm.scopes import visible_projects

    assert not visible_projects(liaison).filter(pk=project.pk).exists()


def test_replacement_needs_an_elected_committee_and_a_new_company(make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    formation = CommitteeFormation.objects.create(project=project, step=CommitteeFormation.Step.OWNERS_MEETING)
    with pytest.raises(ValidationError):
        services.property_replace(user=staff, formation=formation, on=TODAY(), new_company_name="新物业")
    CommitteeFormation.objects.filter(pk=formation.pk).update(step=CommitteeFormation.Step.ELECTED)
    formation.refresh_from_db()
    with pytest.raises(ValidationError):
        services.property_replace(user=staff, formation=formation, on=TODAY(), new_company_name=" ")
    assert PropertyAppointment.objects.get(project=project).end_date is None


def _rectification(staff, project, deadline_days=7):
    inspection = services.inspection_record(user=staff, project=project, kind="routine", date=TODAY(), summary="",
                                            scores={"security": (90, ""), "cleaning": (70, "楼道有垃圾")})
    finding = services.finding_add(user=staff, inspection=inspection, area="cleaning", description="楼道垃圾未清",
                                   requirement="当日清理", deadline=TODAY() + dt.timedelta(days=deadline_days))
    return inspection, finding.rectifications.get()


def test_inspection_score_is_the_mean_of_its_checklist(make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    inspection, _ = _rectification(staff, project)
    assert inspection.score == 80


def test_company_answers_and_developer_verifies_a_rectification(make_user):
    staff = make_user("cs_staff")
    project, company = project_with_company()
    liaison = make_user("property_company", property_company=company)
    _, rect = _rectification(staff, project)
    with pytest.raises(PermissionDenied):
        services.follow_up_verify(user=liaison, follow_up=rect)
    services.follow_up_answer(user=liaison, follow_up=rect, answer="已清理")
    with pytest.raises(PermissionDenied):
        services.follow_up_verify(user=liaison, follow_up=rect)
    services.follow_up_verify(user=staff, follow_up=rect, note="已复查")
    rect.refresh_from_db()
    assert rect.status == Rectification.Status.VERIFIED and rect.answered_by == liaison and rect.verified_by == staff
    assert rect.history.count() == 3


def test_answering_a_rectification_twice_is_refused(make_user):
    staff = make_user("cs_staff")
    project, company = project_with_company()
    liaison = make_user("property_company", property_company=company)
    _, rect = _rectification(staff, project)
    services.follow_up_answer(user=liaison, follow_up=rect, answer="已清理")
    stale = Rectification.objects.get(pk=rect.pk)
    stale.status = "open"
    with pytest.raises(ValidationError):
        services.follow_up_answer(user=liaison, follow_up=stale, answer="再答一次")


def test_overdue_rectification_escalates_once(make_user):
    staff = make_user("cs_staff")
    supervisor = make_user("cs_supervisor")
    project, _ = project_with_company()
    _, rect = _rectification(staff, project)
    Rectification.objects.filter(pk=rect.pk).update(deadline=TODAY() - dt.timedelta(days=1))
    assert services.overdue_rectifications_escalate() == 1
    row = rect.history.order_by("-history_id").first()  # the mark has its history row (issue 15 §2)
    assert row.escalated_at == Rectification.objects.get(pk=rect.pk).escalated_at is not None
    assert row.history_change_reason == "整改逾期，已上报主管"
    assert services.overdue_rectifications_escalate() == 0
    assert Notification.objects.filter(recipient=supervisor, dedupe_key=f"liaison.rectification_overdue:{rect.pk}").count() == 1


def test_action_item_answer_verify_and_reopen(make_user):
    staff = make_user("cs_staff")
    project, company = project_with_company()
    liaison = make_user("property_company", property_company=company)
    meeting = _meeting(staff, project, 1)
    item = services.action_item_add(user=staff, meeting=meeting, description="修复路灯", party="property_company",
                                    assignee="工程部", due_date=TODAY())
    with pytest.raises(ValidationError):
        services.follow_up_answer(user=liaison, follow_up=item, answer=" ")
    services.follow_up_answer(user=liaison, follow_up=item, answer="已修复")
    services.follow_up_reopen(user=staff, follow_up=item, note="仍有两盏不亮")
    assert ActionItem.objects.get(pk=item.pk).status == "open"
    services.follow_up_answer(user=liaison, follow_up=item, answer="全部修复")
    services.follow_up_verify(user=staff, follow_up=item)
    stored = ActionItem.objects.get(pk=item.pk)
    assert stored.status == "verified"
    # who answered and verified, and when: the transitions' stamps, written with the state
    assert (stored.answered_by, stored.verified_by) == (liaison, staff)
    assert stored.answered_at <= stored.verified_at
    row = stored.history.order_by("-history_id").first()
    assert (row.status, row.verified_by_id, row.verified_at) == ("verified", staff.pk, stored.verified_at)


def test_committee_refresh_stores_the_day_half_the_area_is_delivered(make_user):
    project, _ = project_with_company()
    unit(project, "1-101", "100", dt.date(2025, 3, 1))
    unit(project, "1-102", "100", dt.date(2025, 6, 10))
    unit(project, "1-103", "200", None)
    formation = services.committee_refresh(project=project)
    assert formation.condition_date == dt.date(2025, 6, 10)
    assert formation.notice_due_date == dt.date(2025, 6, 25)


def test_committee_rules_are_admin_settings(make_user):
    from crm.models import Rule

    project, _ = project_with_company()
    unit(project, "1-101", "100", dt.date(2025, 3, 1))
    unit(project, "1-102", "100", dt.date(2025, 6, 10))
    unit(project, "1-103", "200", None)
    Rule.objects.filter(key="liaison.committee_area_percent").update(value=25)
    forget("liaison.committee_area_percent")
    assert services.committee_refresh(project=project).condition_date == dt.date(2025, 3, 1)


def test_committee_steps_cannot_be_skipped(make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    unit(project, "1-101", "100", dt.date(2025, 3, 1))
    formation = services.committee_refresh(project=project)
    with pytest.raises(ValidationError):
        services.committee_advance(user=staff, formation=formation, step="owners_meeting", on=TODAY())
    services.committee_advance(user=staff, formation=formation, step="conditions_met", on=TODAY())
    services.committee_advance(user=staff, formation=formation, step="preparatory_group", on=TODAY())
    assert CommitteeFormation.objects.get(pk=formation.pk).step == "preparatory_group"


def test_four_year_old_unit_waterproofing_leak_is_in_warranty_and_plumbing_is_not(make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    home = unit(project, delivered=TODAY() - dt.timedelta(days=4 * 365))
    leak = services.repair_register(user=staff, unit=home, category=WarrantyCategory.objects.get(code="waterproofing"),
                                    location="卫生间", description="渗漏", reported_on=TODAY())
    pipe = services.repair_register(user=staff, unit=home, category=WarrantyCategory.objects.get(code="plumbing"),
                                    location="厨房", description="水管漏水", reported_on=TODAY())
    assert leak.in_warranty is True
    assert pipe.in_warranty is False


def test_warranty_periods_are_admin_settings(make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    home = unit(project, delivered=TODAY() - dt.timedelta(days=4 * 365))
    WarrantyCategory.objects.filter(code="waterproofing").update(period_months=36)
    leak = services.repair_register(user=staff, unit=home, category=WarrantyCategory.objects.get(code="waterproofing"),
                                    location="卫生间", description="渗漏", reported_on=TODAY())
    assert leak.in_warranty is False
    assert leak.warranty_ends == period_end(home.delivery_date, months=36, deadline=True)


def test_default_warranty_periods_follow_the_national_rules(db):
    periods = dict(WarrantyCategory.objects.values_list("code", "period_months"))
    assert periods == {"structure": 600, "waterproofing": 60, "heating_cooling": 24, "electrical": 24,
                       "plumbing": 24, "equipment": 24, "decoration": 24}


@pytest.mark.parametrize("delivered, last_day", [
    # 民法典 art. 201: the delivery day is not counted, so two years end on the anniversary
    (dt.date(2024, 6, 15), dt.date(2026, 6, 15)),
    # art. 202: 2024-02-29 + 2 years → the last day of February 2026
    (dt.date(2024, 2, 29), dt.date(2026, 2, 28)),
    # art. 203: a claim is a deadline to act; a Sunday moves to Monday…
    (dt.date(2024, 3, 1), dt.date(2026, 3, 2)),
    # …and the National Day holiday to 10-08
    (dt.date(2024, 10, 1), dt.date(2026, 10, 8)),
])
def test_warranty_ends_on_the_anniversary_moved_past_days_off(make_user, delivered, last_day):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    home = unit(project, delivered=delivered)
    pipe = WarrantyCategory.objects.get(code="plumbing")  # 2 years
    assert services.in_warranty(home, pipe, last_day) == (True, last_day)
    assert services.in_warranty(home, pipe, last_day + dt.timedelta(days=1))[0] is False
    for reported_on, covered in ((last_day, True), (last_day + dt.timedelta(days=1), False)):
        repair = services.repair_register(user=staff, unit=home, category=pipe, location="厨房", description="漏水",
                                          reported_on=min(reported_on, TODAY()))
        if reported_on <= TODAY():
            row = RepairRequest.objects.get(pk=repair.pk)
            assert (row.warranty_ends, row.in_warranty) == (last_day, covered)


def test_score_trends_average_by_month_per_project_and_per_company(make_user):
    from property_liaison import selectors

    staff = make_user("cs_staff")
    one, company_one = project_with_company()
    two, company_two = project_with_company()
    for project, score in ((one, 90), (one, 70), (two, 60)):
        services.inspection_record(user=staff, project=project, kind="routine", date=TODAY(), summary="",
                                   scores={"security": (score, "")})
    trends = selectors.score_trends(staff)
    month = TODAY().strftime("%Y-%m")
    assert trends["months"][-1] == month and len(trends["months"]) == 12
    projects = {s["name"]: s["data"][-1] for s in trends["projects"]}
    companies = {s["name"]: s["data"][-1] for s in trends["companies"]}
    assert projects == {one.name: 80.0, two.name: 60.0}
    assert companies == {company_one.name: 80.0, company_two.name: 60.0}
    assert trends["areas"] == [{"area": "security", "avg": round((90 + 70 + 60) / 3, 1)}]


def test_repair_goes_through_assignment_completion_confirmation_and_return_visit(make_user):
    staff = make_user("cs_staff")
    project, company = project_with_company()
    liaison = make_user("property_company", property_company=company)
    home = unit(project, delivered=TODAY() - dt.timedelta(days=100))
    repair = services.repair_register(user=staff, unit=home, category=WarrantyCategory.objects.get(code="electrical"),
                                      location="客厅", description="插座无电", reported_on=TODAY())
    services.repair_assign(user=liaison, repair=repair, assignee="物业工程部", due_date=TODAY())
    services.repair_complete(user=liaison, repair=repair, on=TODAY(), note="更换插座")
    services.repair_confirm(user=staff, repair=repair, on=TODAY())
    with pytest.raises(PermissionDenied):
        services.repair_visit(user=liaison, repair=repair, on=TODAY(), note="满意")
    services.repair_visit(user=staff, repair=repair, on=TODAY(), note="满意")
    assert RepairRequest.objects.get(pk=repair.pk).status == "visited"


def test_a_repair_from_a_case_must_name_a_real_case_of_the_same_project(make_user):
    from complaints import services as complaint_services

    staff = make_user("cs_staff")
    project, _ = project_with_company()
    elsewhere, _ = project_with_company()
    home = unit(project, delivered=TODAY() - dt.timedelta(days=100))
    plumbing = WarrantyCategory.objects.get(code="plumbing")

    def case(on):
        return complaint_services.complaint_register(
            received_by=staff, kind="complaint", channel="phone", category="repairs", title="厨房漏水",
            description="x", project=on, complainant_name="业主", complainant_phone="13800000000")

    def register(reference):
        return services.repair_register(user=staff, unit=home, category=plumbing, location="厨房",
                                        description="漏水", reported_on=TODAY(), source="case",
                                        case_reference=reference)

    for reference, message in (("", "请填写案件编号"), ("TS-NONE", "未找到编号为 TS-NONE 的案件"),
                               (case(elsewhere).number, "不属于该房号所在项目")):
        with pytest.raises(ValidationError) as exc:
            register(reference)
        assert message in str(exc.value)
    assert not RepairRequest.objects.exists()
    own = case(project)
    assert register(f" {own.number} ").case_reference == own.number


def test_undelivered_unit_cannot_have_a_warranty_repair(make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    with pytest.raises(ValidationError):
        services.repair_register(user=staff, unit=unit(project), category=WarrantyCategory.objects.first(),
                                 location="x", description="y", reported_on=TODAY())


def test_company_users_are_told_of_a_new_rectification(make_user):
    staff = make_user("cs_staff")
    project, company = project_with_company()
    _, other_company = project_with_company()
    liaison = make_user("property_company", property_company=company)
    stranger = make_user("property_company", property_company=other_company)
    _rectification(staff, project)
    assert Notification.objects.filter(recipient=liaison, title__startswith="整改通知").count() == 1
    assert not Notification.objects.filter(recipient=stranger).exists()


def test_committee_reminder_is_sent_once_until_the_notice_is_recorded(make_user):
    supervisor = make_user("cs_supervisor")
    project, _ = project_with_company()
    unit(project, "1-101", "100", TODAY() - dt.timedelta(days=3))
    assert services.committee_reminders() == 1
    assert services.committee_reminders() == 0
    assert Notification.objects.filter(recipient=supervisor, dedupe_key__startswith="liaison.committee_notice").count() == 1


def test_a_late_committee_notice_reminds_supervisors_and_managers_once(make_user):
    supervisor = make_user("cs_supervisor")
    manager = make_user("manager")
    project, _ = project_with_company()
    unit(project, "1-101", "100", TODAY() - dt.timedelta(days=20))
    services.committee_reminders()
    services.committee_reminders()
    late = Notification.objects.filter(dedupe_key__startswith="liaison.committee_notice_late")
    assert set(late.values_list("recipient", flat=True)) == {supervisor.pk, manager.pk}
    assert late.count() == 2
    assert Notification.objects.filter(recipient=supervisor, dedupe_key__startswith="liaison.committee_notice:").count() == 1


def test_no_committee_reminder_once_the_notice_is_recorded(make_user):
    staff = make_user("cs_staff")
    make_user("cs_supervisor")
    project, _ = project_with_company()
    unit(project, "1-101", "100", TODAY() - dt.timedelta(days=20))
    formation = services.committee_refresh(project=project)
    services.committee_notify_authorities(user=staff, formation=formation, on=TODAY() - dt.timedelta(days=10))
    assert services.committee_reminders() == 0
    assert not Notification.objects.filter(dedupe_key__startswith="liaison.committee").exists()


def test_answers_tell_the_developer_and_send_backs_tell_the_company(make_user):
    staff = make_user("cs_staff")
    project, company = project_with_company()
    liaison = make_user("property_company", property_company=company)
    _, rect = _rectification(staff, project)
    services.follow_up_answer(user=liaison, follow_up=rect, answer="已清理")
    assert Notification.objects.filter(recipient=staff, title__startswith="整改已答复待验证").count() == 1
    services.follow_up_reopen(user=staff, follow_up=rect, note="仍有垃圾")
    assert Notification.objects.filter(recipient=liaison, title__startswith="整改被退回", body__contains="仍有垃圾").count() == 1
    meeting = _meeting(staff, project, 1)
    item = services.action_item_add(user=staff, meeting=meeting, description="修复路灯", party="property_company",
                                    assignee="工程部", due_date=TODAY())
    services.follow_up_answer(user=liaison, follow_up=item, answer="已修复")
    assert Notification.objects.filter(recipient=staff, title__startswith="协调事项已答复待验证").count() == 1
    services.follow_up_reopen(user=staff, follow_up=item, note="仍有两盏不亮")
    assert Notification.objects.filter(recipient=liaison, title__startswith="协调事项被退回").count() == 1


def test_warranty_ending_report_lists_units_whose_warranty_ends_within_sixty_days(make_user):
    from property_liaison import selectors

    admin = make_user("admin")
    project, _ = project_with_company()
    # two-year categories end 2 years after delivery: delivered 2 years minus 30 days ago → ends in ~30 days
    soon = unit(project, "1-101", "100", TODAY() - relativedelta(months=24) + dt.timedelta(days=30))
    unit(project, "1-102", "100", TODAY() - relativedelta(months=24) + dt.timedelta(days=90))
    rows = selectors.warranty_ending(admin)
    assert {row["unit"] for row in rows} == {soon}
    assert {row["category"].code for row in rows} == {"heating_cooling", "electrical", "plumbing", "equipment",
                                                     "decoration"}
    assert all(0 <= row["days_left"] <= 60 for row in rows)


@pytest.mark.parametrize("delivered, on", [
    (dt.date(2024, 6, 15), dt.date(2026, 6, 15)),  # ends on the anniversary, not the day before
    (dt.date(2024, 10, 5), dt.date(2026, 10, 8)),  # 2026-10-05 is in the holiday: ends 10-08
    (dt.date(2024, 1, 31), dt.date(2026, 1, 31)),  # a Saturday: ends Monday 02-02
])
def test_warranty_ending_report_lists_a_warranty_on_its_last_day(make_user, delivered, on):
    from property_liaison import selectors

    admin = make_user("admin")
    project, _ = project_with_company()
    home = unit(project, "1-101", "100", delivered)
    rows = [r for r in selectors.warranty_ending(admin, days=0, on=on) if r["category"].code == "plumbing"]
    if on.weekday() < 5:
        assert [(r["unit"], r["ends"], r["days_left"]) for r in rows] == [(home, on, 0)]
    else:
        assert rows == []
        moved = [r for r in selectors.warranty_ending(admin, days=2, on=on) if r["category"].code == "plumbing"]
        assert [(r["unit"], r["ends"], r["days_left"]) for r in moved] == [(home, dt.date(2026, 2, 2), 2)]


def test_beat_jobs_are_scheduled_under_their_task_names():
    from django.conf import settings

    for name in ("property_liaison.coordination_cadence", "property_liaison.overdue_rectifications",
                 "property_liaison.committee_reminders"):
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] == name


def _set_rule(key, value):
    from crm.models import Rule

    assert Rule.objects.filter(key=key).update(value=value) == 1
    forget(key)


def test_the_two_year_path_and_the_notice_days_are_admin_settings(make_user):
    project, _ = project_with_company()
    unit(project, "1-101", "30", dt.date(2022, 5, 1))
    unit(project, "1-102", "70", None)
    formation = services.committee_refresh(project=project)  # 30% delivered: two years after the first delivery
    assert (formation.condition_date, formation.notice_due_date) == (dt.date(2024, 5, 1), dt.date(2024, 5, 16))
    _set_rule("liaison.committee_years_after_first_delivery", 3)
    _set_rule("liaison.committee_notice_days", 30)
    formation = services.committee_refresh(project=project)
    # 2025-05-01 + 30 days is Saturday 05-31, the start of the Dragon Boat holiday: due Tuesday 06-03
    assert (formation.condition_date, formation.notice_due_date) == (dt.date(2025, 5, 1), dt.date(2025, 6, 3))
    _set_rule("liaison.committee_min_area_percent_after_years", 40)
    assert services.committee_refresh(project=project).condition_date is None


def test_the_warranty_ending_horizon_is_an_admin_setting(make_user):
    from property_liaison import selectors

    admin = make_user("admin")
    project, _ = project_with_company()
    later = unit(project, "1-102", "100", TODAY() - relativedelta(months=24) + dt.timedelta(days=90))
    assert not selectors.warranty_ending(admin)
    _set_rule("liaison.warranty_ending_report_days", 120)
    rows = selectors.warranty_ending(admin)
    assert {row["unit"] for row in rows} == {later}
    assert all(60 < row["days_left"] <= 120 for row in rows)
