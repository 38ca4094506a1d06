import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from crm.models import Notification
from crm.rules import forget
from property_liaison import services
from property_liaison.models import (
    ActionItem, Cadence, CommitteeFormation, CoordinationGap, Rectification, RepairRequest, WarrantyCategory,
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
    assert CoordinationGap.objects.filter(project=project).count() == 1
    assert Notification.objects.filter(recipient=supervisor, dedupe_key__startswith="liaison.cadence").count() == 1


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
        services.rectification_verify(user=liaison, rectification=rect)
    services.rectification_answer(user=liaison, rectification=rect, answer="已清理")
    with pytest.raises(PermissionDenied):
        services.rectification_verify(user=liaison, rectification=rect)
    services.rectification_verify(user=staff, rectification=rect, note="已复查")
    rect.refresh_from_db()
    assert rect.status == Rectification.Status.VERIFIED and rect.answered_by == liaison and rect.verified_by == staff
    assert rect.history.count() == 3


def test_answering_a_rectification_twice_is_refused(make_user):
    staff = make_user("cs_staff")
    project, company = project_with_company()
    liaison = make_user("property_company", property_company=company)
    _, rect = _rectification(staff, project)
    services.rectification_answer(user=liaison, rectification=rect, answer="已清理")
    stale = Rectification.objects.get(pk=rect.pk)
    stale.status = "open"
    with pytest.raises(ValidationError):
        services.rectification_answer(user=liaison, rectification=stale, answer="再答一次")


def test_overdue_rectification_escalates_once(make_user):
    staff = make_user("cs_staff")
    supervisor = make_user("cs_supervisor")
    project, _ = project_with_company()
    _, rect = _rectification(staff, project)
    Rectification.objects.filter(pk=rect.pk).update(deadline=TODAY() - dt.timedelta(days=1))
    assert services.overdue_rectifications_escalate() == 1
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
        services.action_item_answer(user=liaison, item=item, answer=" ")
    services.action_item_answer(user=liaison, item=item, answer="已修复")
    services.action_item_reopen(user=staff, item=item, note="仍有两盏不亮")
    assert ActionItem.objects.get(pk=item.pk).status == "open"
    services.action_item_answer(user=liaison, item=item, answer="全部修复")
    services.action_item_verify(user=staff, item=item)
    assert ActionItem.objects.get(pk=item.pk).status == "verified"


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


def test_warranty_ending_report_lists_units_whose_warranty_ends_within_sixty_days(make_user):
    from property_liaison import selectors

    admin = make_user("admin")
    project, _ = project_with_company()
    # two-year categories end 2 years after delivery: delivered 2 years minus 30 days ago → ends in ~30 days
    soon = unit(project, "1-101", "100", services.add_months(TODAY(), -24) + dt.timedelta(days=30))
    unit(project, "1-102", "100", services.add_months(TODAY(), -24) + dt.timedelta(days=90))
    rows = selectors.warranty_ending(admin)
    assert {row["unit"] for row in rows} == {soon}
    assert {row["category"].code for row in rows} == {"heating_cooling", "electrical", "plumbing", "equipment",
                                                     "decoration"}
    assert all(0 <= row["days_left"] <= 60 for row in rows)


def test_beat_jobs_are_scheduled_under_their_task_names():
    from django.conf import settings

    for name in ("property_liaison.coordination_cadence", "property_liaison.overdue_rectifications",
                 "property_liaison.committee_reminders"):
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] == name
