import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clubs import services
from clubs.models import ClubActivity, OwnerForum, PointsEntry
from clubs.tests import factories as f
from crm.approvals import approvals_for
from crm.models import Rule
from owners.tests.factories import make_customer, make_project

pytestmark = pytest.mark.django_db


def _prepared_and_held(staff, manager, forum):
    services.forum_submit(user=staff, forum=forum)
    services.forum_decide(user=manager, forum=forum, approve=True)
    for item in forum.checklist.all():
        services.checklist_toggle(user=staff, item=item)
    services.forum_prepare(user=staff, forum=forum)
    return services.forum_hold(user=staff, forum=forum, held_at=timezone.now(), minutes="业主反映电梯故障频繁")


def test_rejected_forum_plan_is_revised_and_approved_keeping_both_versions(staff, manager):
    forum = f.forum(staff)
    services.forum_submit(user=staff, forum=forum)
    services.forum_decide(user=manager, forum=forum, approve=False, comment="预算过高")
    forum.refresh_from_db()
    assert forum.status == OwnerForum.Status.REJECTED
    services.forum_update_plan(user=staff, forum=forum, budget=Decimal("800"))
    services.forum_submit(user=staff, forum=forum)
    services.forum_decide(user=manager, forum=forum, approve=True, comment="同意")
    forum.refresh_from_db()
    assert forum.status == OwnerForum.Status.APPROVED
    versions = list(approvals_for(forum))
    assert [(v.version, v.status, v.comment) for v in versions] == [(1, "rejected", "预算过高"), (2, "approved", "同意")]
    assert "2000" in versions[0].content and "800" in versions[1].content


def test_staff_cannot_approve_a_forum_plan(staff, make_user):
    forum = f.forum(staff)
    services.forum_submit(user=staff, forum=forum)
    other = make_user("cs_supervisor")
    with pytest.raises(PermissionDenied):
        services.forum_decide(user=other, forum=forum, approve=True)
    forum.refresh_from_db()
    assert forum.status == OwnerForum.Status.SUBMITTED


def test_rejection_needs_a_comment_and_changes_nothing(staff, manager):
    forum = f.forum(staff)
    services.forum_submit(user=staff, forum=forum)
    with pytest.raises(ValidationError):
        services.forum_decide(user=manager, forum=forum, approve=False, comment="")
    forum.refresh_from_db()
    assert forum.status == OwnerForum.Status.SUBMITTED


def test_submitted_plan_cannot_be_edited(staff):
    forum = f.forum(staff)
    services.forum_submit(user=staff, forum=forum)
    with pytest.raises(ValidationError):
        services.forum_update_plan(user=staff, forum=forum, budget=Decimal("1"))


def test_forum_cannot_be_prepared_with_open_checklist_items(staff, manager):
    forum = f.forum(staff)
    services.forum_submit(user=staff, forum=forum)
    services.forum_decide(user=manager, forum=forum, approve=True)
    with pytest.raises(ValidationError, match="未完成"):
        services.forum_prepare(user=staff, forum=forum)


def test_participants_are_chosen_from_owners_and_attendance_recorded(staff, manager):
    project = make_project("forum")
    a = make_customer(project, name="甲", phone="13900000011")
    b = make_customer(project, name="乙", phone="13900000012")
    forum = f.forum(staff, project=project)
    assert services.forum_set_participants(user=staff, forum=forum, customers=[a, b], criteria="项目：forum") == 2
    services.forum_submit(user=staff, forum=forum)
    services.forum_decide(user=manager, forum=forum, approve=True)
    for item in forum.checklist.all():
        services.checklist_toggle(user=staff, item=item)
    services.forum_prepare(user=staff, forum=forum)
    services.forum_hold(user=staff, forum=forum, held_at=timezone.now(), minutes="记录", attended_ids=[a.pk])
    forum.refresh_from_db()
    assert forum.attendance == 1
    assert list(forum.participants.filter(attended=True).values_list("customer__name", flat=True)) == ["甲"]


def test_an_opinion_becomes_a_linked_case_in_the_complaints_register(staff, manager):
    from complaints.models import Complaint

    project = make_project("forum")
    owner = make_customer(project, name="王业主", phone="13900000099")
    forum = _prepared_and_held(staff, manager, f.forum(staff, project=project))
    opinion = services.opinion_add(user=staff, forum=forum, text="电梯经常停运", theme="equipment", customer=owner)
    complaint = services.opinion_to_case(user=staff, opinion=opinion)
    opinion.refresh_from_db()
    assert opinion.complaint == complaint
    assert Complaint.objects.get(pk=complaint.pk).channel == "forum"
    assert complaint.customer == owner and complaint.category == "equipment"
    with pytest.raises(ValidationError, match="已转为案件"):
        services.opinion_to_case(user=staff, opinion=opinion)
    assert Complaint.objects.count() == 1


def test_forum_is_analysed_and_results_used(staff, manager):
    from clubs.selectors import forum_themes

    forum = _prepared_and_held(staff, manager, f.forum(staff))
    services.opinion_add(user=staff, forum=forum, text="电梯", theme="equipment", speaker="甲")
    services.opinion_add(user=staff, forum=forum, text="门禁", theme="equipment", speaker="乙")
    services.opinion_add(user=staff, forum=forum, text="保洁", theme="cleaning", speaker="丙")
    assert [(t["theme"], t["count"]) for t in forum_themes(forum)] == [("设备设施", 2), ("保洁", 1)]
    services.forum_analyse(user=staff, forum=forum, analysis="设备问题最集中")
    services.forum_use_results(user=staff, forum=forum, result_use="service", follow_up="电梯维保加密",
                               follow_up_due=timezone.localdate())
    forum.refresh_from_db()
    assert forum.status == OwnerForum.Status.CLOSED and forum.result_use == "service"


def test_forum_cannot_be_held_before_preparation(staff):
    forum = f.forum(staff)
    with pytest.raises(ValidationError):
        services.forum_hold(user=staff, forum=forum, held_at=timezone.now(), minutes="x")


# --- Club and points -------------------------------------------------------------------------

def test_members_can_join_only_a_founded_club(staff, manager):
    club = services.club_create(user=staff, name="阳光·未成立会", founding_plan="方案")
    with pytest.raises(ValidationError, match="成立后"):
        f.member(staff, club)
    club = f.founded_club(staff, manager)
    assert club.status == "founded" and club.rules == "会员章程"


def test_joining_and_referral_earn_points_from_the_rules(staff, manager):
    Rule.objects.filter(key="clubs.points_join").update(value=150)
    club = f.founded_club(staff, manager)
    first = f.member(staff, club)
    second = f.member(staff, club, name="李四", phone="13900000002", referred_by=first)
    assert services.points_balance(second) == 150
    assert services.points_balance(first) == 150 + 200
    entry = PointsEntry.objects.get(member=first, kind="referral")
    assert entry.actor == staff and "李四" in entry.reason


def test_the_same_owner_cannot_join_twice(staff, manager):
    club = f.founded_club(staff, manager)
    m = f.member(staff, club)
    with pytest.raises(ValidationError, match="已是本会会员"):
        services.member_enroll(user=staff, club=club, customer=m.customer)


def test_redeeming_more_than_the_balance_is_refused(staff, manager):
    club = f.founded_club(staff, manager)
    m = f.member(staff, club)  # 100 points for joining
    services.points_redeem(user=staff, member=m, kind="gift", points=60, reason="雨伞")
    with pytest.raises(ValidationError, match="积分不足"):
        services.points_redeem(user=staff, member=m, kind="fee_offset", points=41, reason="抵物业费")
    assert services.points_balance(m) == 40
    assert PointsEntry.objects.filter(member=m).count() == 2


def test_redeeming_zero_or_an_earning_kind_is_refused(staff, manager):
    club = f.founded_club(staff, manager)
    m = f.member(staff, club)
    with pytest.raises(ValidationError):
        services.points_redeem(user=staff, member=m, kind="gift", points=0, reason="x")
    with pytest.raises(ValidationError):
        services.points_redeem(user=staff, member=m, kind="join", points=10, reason="x")


# --- Activities --------------------------------------------------------------------------------

def test_activity_goes_from_plan_to_evaluation_and_attendees_earn_points(staff, manager):
    club = f.founded_club(staff, manager)
    m = f.member(staff, club)
    act = f.activity(staff, club)
    services.activity_submit(user=staff, activity=act)
    services.activity_decide(user=manager, activity=act, approve=False, comment="内容再丰富些")
    services.activity_update_plan(user=staff, activity=act, content="赏月、猜灯谜、亲子手工")
    services.activity_submit(user=staff, activity=act)
    services.activity_decide(user=manager, activity=act, approve=True)
    services.activity_carry_out(user=staff, activity=act, held_on=timezone.localdate(), record="到场热烈",
                                spend=Decimal("5600"), attendees=[m])
    act.refresh_from_db()
    assert act.attendance == 1 and act.over_budget
    assert services.points_balance(m) == 100 + 20
    services.activity_evaluate(user=staff, activity=act, score=85, what_worked="亲子环节", to_improve="控制预算")
    services.improvement_add(user=staff, activity=act, description="提前比价采购", owner="李专员")
    act.refresh_from_db()
    assert act.status == ClubActivity.Status.EVALUATED and act.score == 85
    assert act.improvements.count() == 1
    assert [v.status for v in approvals_for(act)] == ["rejected", "approved"]


def test_activity_cannot_be_carried_out_before_approval(staff, manager):
    club = f.founded_club(staff, manager)
    act = f.activity(staff, club)
    with pytest.raises(ValidationError):
        services.activity_carry_out(user=staff, activity=act, held_on=timezone.localdate(), record="x",
                                    spend=Decimal("1"))


def test_evaluation_score_must_be_between_0_and_100(staff, manager):
    club = f.founded_club(staff, manager)
    act = f.activity(staff, club)
    services.activity_submit(user=staff, activity=act)
    services.activity_decide(user=manager, activity=act, approve=True)
    services.activity_carry_out(user=staff, activity=act, held_on=timezone.localdate(), record="x", spend=Decimal("1"))
    with pytest.raises(ValidationError):
        services.activity_evaluate(user=staff, activity=act, score=120, what_worked="a", to_improve="")
    act.refresh_from_db()
    assert act.status == ClubActivity.Status.DONE


def test_activity_end_before_start_is_refused(staff, manager):
    club = f.founded_club(staff, manager)
    with pytest.raises(ValidationError):
        f.activity(staff, club, period_start=dt.date(2026, 5, 2), period_end=dt.date(2026, 5, 1))
