import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clubs import activities, services
from clubs.models import ClubActivity, OwnerForum, PointsEntry
from clubs.tests import factories as f
from crm.approvals import approvals_for
from crm.models import Rule
from crm.tests.factories import make_customer, make_project

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
    # the attendance is written with its history (issue 15 §2): a row for the one who came, none for the other
    came, absent = forum.participants.get(customer=a), forum.participants.get(customer=b)
    row = came.history.order_by("-history_id").first()
    assert (row.attended, row.history_user, row.history_change_reason) == (True, staff, "登记座谈会出席")
    assert not absent.history.filter(history_change_reason="登记座谈会出席").exists()


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


def test_the_whole_balance_can_be_redeemed_down_to_zero_and_one_point_is_enough(staff, manager):
    club = f.founded_club(staff, manager)
    m = f.member(staff, club)  # 100 points for joining
    services.points_redeem(user=staff, member=m, kind="gift", points=1, reason="书签")
    services.points_redeem(user=staff, member=m, kind="fee_offset", points=99, reason="抵物业费")
    assert services.points_balance(m) == 0
    with pytest.raises(ValidationError) as refused:
        services.points_redeem(user=staff, member=m, kind="gift", points=1, reason="书签")
    assert refused.value.messages == ["积分不足：当前余额 0 分，不能兑换 1 分。"]
    assert list(PointsEntry.objects.filter(member=m).order_by("pk").values_list("kind", "points")) == [
        ("join", 100), ("gift", -1), ("fee_offset", -99)]


def test_a_ledger_line_keeps_its_kind_reason_actor_and_audit_user(staff, manager, make_user):
    club = f.founded_club(staff, manager)
    m = f.member(staff, club)
    long_reason = "兑" * 250
    earned = services.points_earn(user=staff, member=m, kind="purchase", reason="  购房奖励  ")
    supervisor = make_user("cs_supervisor", username="sup")
    redeemed = services.points_redeem(user=supervisor, member=m, kind="fee_offset", points=30, reason=long_reason)
    assert list(PointsEntry.objects.filter(pk__in=[earned.pk, redeemed.pk]).order_by("pk").values_list(
        "kind", "reason", "actor")) == [("purchase", "购房奖励", staff.pk), ("fee_offset", "兑" * 200, supervisor.pk)]
    assert PointsEntry.objects.get(pk=earned.pk).history.get().history_user == staff
    assert PointsEntry.objects.get(pk=redeemed.pk).history.get().history_user == supervisor
    services.points_earn(user=staff, member=m, kind="suggestion", reason="议" * 250)
    assert PointsEntry.objects.get(member=m, kind="suggestion").reason == "议" * 200


@pytest.mark.parametrize("call,message", [
    (dict(kind="join", points=10, reason="雨伞"), "请选择兑换方式。"),
    (dict(kind="gift", points=0, reason="雨伞"), "兑换积分须为正整数。"),
    (dict(kind="gift", points=None, reason="雨伞"), "兑换积分须为正整数。"),
    (dict(kind="gift", points=-5, reason="雨伞"), "兑换积分须为正整数。"),
    (dict(kind="gift", points=10, reason="   "), "请填写兑换事由（如礼品名称）。"),
])
def test_a_refused_redemption_says_why_and_writes_nothing(staff, manager, call, message):
    club = f.founded_club(staff, manager)
    m = f.member(staff, club)
    with pytest.raises(ValidationError) as refused:
        services.points_redeem(user=staff, member=m, **call)
    assert refused.value.messages == [message]
    assert services.points_balance(m) == 100


@pytest.mark.parametrize("call,message", [
    (dict(kind="gift", reason="礼品"), "请选择获得积分的方式。"),
    (dict(kind="purchase", reason="  "), "请填写事由。"),
])
def test_a_refused_earning_says_why_and_writes_nothing(staff, manager, call, message):
    club = f.founded_club(staff, manager)
    m = f.member(staff, club)
    with pytest.raises(ValidationError) as refused:
        services.points_earn(user=staff, member=m, **call)
    assert refused.value.messages == [message]
    assert services.points_balance(m) == 100


def test_a_suspended_member_is_told_why_nothing_changes(staff, manager):
    club = f.founded_club(staff, manager)
    m = f.member(staff, club)
    services.member_update(user=staff, member=m, level="regular", status="suspended")
    with pytest.raises(ValidationError) as refused:
        services.points_redeem(user=staff, member=m, kind="gift", points=10, reason="雨伞")
    assert refused.value.messages == ["该会员当前为“暂停”状态，不能获得积分，也不能兑换积分。"]
    with pytest.raises(ValidationError) as refused:
        services.points_earn(user=staff, member=m, kind="suggestion", reason="建议被采纳")
    assert refused.value.messages == ["该会员当前为“暂停”状态，不能获得积分，也不能兑换积分。"]


# --- Activities --------------------------------------------------------------------------------

def test_activity_goes_from_plan_to_evaluation_and_attendees_earn_points(staff, manager):
    club = f.founded_club(staff, manager)
    m = f.member(staff, club)
    act = f.activity(staff, club)
    activities.activity_submit(user=staff, activity=act)
    activities.activity_decide(user=manager, activity=act, approve=False, comment="内容再丰富些")
    activities.activity_update_plan(user=staff, activity=act, content="赏月、猜灯谜、亲子手工")
    activities.activity_submit(user=staff, activity=act)
    activities.activity_decide(user=manager, activity=act, approve=True)
    activities.activity_carry_out(user=staff, activity=act, held_on=timezone.localdate(), record="到场热烈",
                                spend=Decimal("5600"), attendees=[m])
    act.refresh_from_db()
    assert act.attendance == 1 and act.over_budget
    assert services.points_balance(m) == 100 + 20
    activities.activity_evaluate(user=staff, activity=act, score=85, what_worked="亲子环节", to_improve="控制预算")
    activities.improvement_add(user=staff, activity=act, description="提前比价采购", owner="李专员")
    act.refresh_from_db()
    assert act.status == ClubActivity.Status.EVALUATED and act.score == 85
    assert act.evaluated_by == staff  # the transition's stamp
    assert act.improvements.count() == 1
    assert [v.status for v in approvals_for(act)] == ["rejected", "approved"]


def test_activity_cannot_be_carried_out_before_approval(staff, manager):
    club = f.founded_club(staff, manager)
    act = f.activity(staff, club)
    with pytest.raises(ValidationError):
        activities.activity_carry_out(user=staff, activity=act, held_on=timezone.localdate(), record="x",
                                    spend=Decimal("1"))


def test_evaluation_score_must_be_between_0_and_100(staff, manager):
    club = f.founded_club(staff, manager)
    act = f.activity(staff, club)
    activities.activity_submit(user=staff, activity=act)
    activities.activity_decide(user=manager, activity=act, approve=True)
    activities.activity_carry_out(user=staff, activity=act, held_on=timezone.localdate(), record="x", spend=Decimal("1"))
    with pytest.raises(ValidationError):
        activities.activity_evaluate(user=staff, activity=act, score=120, what_worked="a", to_improve="")
    act.refresh_from_db()
    assert act.status == ClubActivity.Status.DONE


def test_activity_end_before_start_is_refused(staff, manager):
    club = f.founded_club(staff, manager)
    with pytest.raises(ValidationError):
        f.activity(staff, club, period_start=dt.date(2026, 5, 2), period_end=dt.date(2026, 5, 1))


# --- Audit additions ---------------------------------------------------------------------------

def test_the_submitted_version_states_the_planned_time_in_local_time(staff):
    planned = timezone.make_aware(dt.datetime(2026, 12, 5, 14, 30))  # Asia/Shanghai
    forum = f.forum(staff, planned_at=planned)
    services.forum_submit(user=staff, forum=forum)
    assert "时间：2026-12-05 14:30" in approvals_for(forum).get().content


def test_a_topic_forum_needs_its_topic(staff):
    with pytest.raises(ValidationError, match="专题"):
        f.forum(staff, kind="topic", topic=" ")
    assert OwnerForum.objects.count() == 0
    forum = f.forum(staff, kind="topic", topic="停车管理")
    with pytest.raises(ValidationError, match="专题"):
        services.forum_update_plan(user=staff, forum=forum, kind="topic", topic="")
    forum.refresh_from_db()
    assert forum.topic == "停车管理"


def test_the_checklist_is_frozen_once_the_forum_is_prepared(staff, manager):
    forum = f.forum(staff)
    services.forum_submit(user=staff, forum=forum)
    services.forum_decide(user=manager, forum=forum, approve=True)
    items = list(forum.checklist.all())
    for item in items:
        services.checklist_toggle(user=staff, item=item)
    services.forum_prepare(user=staff, forum=forum)
    with pytest.raises(ValidationError, match="不能再修改"):
        services.checklist_toggle(user=staff, item=items[0])
    with pytest.raises(ValidationError, match="不能再修改"):
        services.checklist_add(user=staff, forum=forum, text="临时加一项")
    assert forum.checklist.filter(done=True).count() == len(items) == forum.checklist.count()


def test_a_ticked_item_records_who_and_when_and_can_be_unticked_before_preparation(staff):
    forum = f.forum(staff)
    item = forum.checklist.first()
    services.checklist_toggle(user=staff, item=item)
    item.refresh_from_db()
    assert item.done and item.done_by == staff and item.done_at is not None
    services.checklist_toggle(user=staff, item=item)
    item.refresh_from_db()
    assert not item.done and item.done_by is None and item.done_at is None


@pytest.mark.parametrize("kind,key", [
    ("join", "clubs.points_join"), ("referral", "clubs.points_referral"), ("purchase", "clubs.points_purchase"),
    ("participation", "clubs.points_participation"), ("suggestion", "clubs.points_suggestion")])
def test_every_earning_kind_is_worth_its_admin_rule(staff, manager, kind, key):
    club = f.founded_club(staff, manager)
    m = f.member(staff, club)
    Rule.objects.filter(key=key).update(value=37)
    from crm.rules import forget

    forget(key)
    entry = services.points_earn(user=staff, member=m, kind=kind, reason="规则测试")
    assert entry.points == 37 and entry.actor == staff and entry.reason == "规则测试"
    assert services.points_balance(m) == 100 + 37


def test_earning_needs_a_reason_and_an_earning_kind(staff, manager):
    club = f.founded_club(staff, manager)
    m = f.member(staff, club)
    with pytest.raises(ValidationError, match="事由"):
        services.points_earn(user=staff, member=m, kind="purchase", reason="  ")
    with pytest.raises(ValidationError):
        services.points_earn(user=staff, member=m, kind="gift", reason="礼品")
    assert PointsEntry.objects.filter(member=m).count() == 1


def test_a_member_who_is_not_active_neither_earns_nor_redeems(staff, manager):
    club = f.founded_club(staff, manager)
    m = f.member(staff, club)
    services.member_update(user=staff, member=m, level="gold", status="suspended")
    m.refresh_from_db()
    assert (m.level, m.status) == ("gold", "suspended")
    with pytest.raises(ValidationError, match="不能兑换"):
        services.points_redeem(user=staff, member=m, kind="gift", points=10, reason="雨伞")
    with pytest.raises(ValidationError, match="不能获得积分"):
        services.points_earn(user=staff, member=m, kind="suggestion", reason="建议被采纳")
    assert services.points_balance(m) == 100
    assert m.history.first().history_change_reason == "调整会员等级/状态"


def test_member_update_refuses_an_unknown_level(staff, manager):
    club = f.founded_club(staff, manager)
    m = f.member(staff, club)
    with pytest.raises(ValidationError):
        services.member_update(user=staff, member=m, level="diamond", status="active")
    m.refresh_from_db()
    assert m.level == "regular"


def test_a_member_enrolled_records_level_join_date_status_and_number(staff, manager):
    club = f.founded_club(staff, manager)
    m = f.member(staff, club, level="silver", joined_on=club.founded_on)
    assert (m.level, m.joined_on, m.status) == ("silver", club.founded_on, "active")
    assert m.number == f"HY{club.pk:02d}-00001"


def test_a_referrer_from_another_club_is_refused(staff, manager):
    club = f.founded_club(staff, manager)
    other = f.founded_club(staff, manager, name="阳光·别会")
    stranger = f.member(staff, other)
    with pytest.raises(ValidationError, match="推荐人"):
        f.member(staff, club, name="李四", phone="13900000002", referred_by=stranger)
    assert club.members.count() == 0


def test_the_club_founding_plan_is_rejected_revised_and_approved_keeping_both_versions(staff, manager):
    club = services.club_create(user=staff, name="阳光·初稿会", founding_plan="初稿")
    services.club_submit(user=staff, club=club)
    services.club_decide(user=manager, club=club, approve=False, comment="章程不全")
    club.refresh_from_db()
    assert club.status == "rejected"
    with pytest.raises(ValidationError):
        services.club_found(user=staff, club=club, founded_on=timezone.localdate(), rules="章程")
    services.club_update_plan(user=staff, club=club, name="阳光·悦享会", founding_plan="修订稿", rules="章程全文")
    services.club_submit(user=staff, club=club)
    services.club_decide(user=manager, club=club, approve=True, comment="同意成立")
    services.club_found(user=staff, club=club, founded_on=timezone.localdate(), rules="章程全文")
    club.refresh_from_db()
    assert (club.status, club.name, club.founded_on) == ("founded", "阳光·悦享会", timezone.localdate())
    versions = list(approvals_for(club))
    assert [(v.version, v.status, v.comment) for v in versions] == [(1, "rejected", "章程不全"),
                                                                    (2, "approved", "同意成立")]
    assert "初稿" in versions[0].content and "修订稿" in versions[1].content


def test_a_club_cannot_be_founded_without_rules(staff, manager):
    club = services.club_create(user=staff, name="阳光·无章会", founding_plan="方案")
    services.club_submit(user=staff, club=club)
    services.club_decide(user=manager, club=club, approve=True)
    with pytest.raises(ValidationError, match="章程"):
        services.club_found(user=staff, club=club, founded_on=timezone.localdate(), rules=" ")
    club.refresh_from_db()
    assert club.status == "approved"


def test_a_period_plan_covers_a_date_range(staff, manager):
    club = f.founded_club(staff, manager)
    act = f.activity(staff, club, kind="period", title="2027 上半年活动计划",
                     period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 6, 30))
    assert act.kind == "period" and act.number == "HD-2027-0001"
    assert "2027-01-01 至 2027-06-30" in act.plan_text()


def test_members_not_active_earn_nothing_for_taking_part(staff, manager):
    club = f.founded_club(staff, manager)
    active = f.member(staff, club)
    left = f.member(staff, club, name="李四", phone="13900000002")
    services.member_update(user=staff, member=left, level="regular", status="left")
    act = f.activity(staff, club)
    activities.activity_submit(user=staff, activity=act)
    activities.activity_decide(user=manager, activity=act, approve=True)
    activities.activity_carry_out(user=staff, activity=act, held_on=timezone.localdate(), record="x",
                                spend=Decimal("10"), attendees=[active, left])
    assert list(act.attendees.all()) == [active]
    assert PointsEntry.objects.filter(activity=act).count() == 1


def test_a_participation_is_earned_once_per_activity(staff, manager):
    from django.db import IntegrityError, transaction

    club = f.founded_club(staff, manager)
    m = f.member(staff, club)
    act = f.activity(staff, club)
    activities.activity_submit(user=staff, activity=act)
    activities.activity_decide(user=manager, activity=act, approve=True)
    activities.activity_carry_out(user=staff, activity=act, held_on=timezone.localdate(), record="x",
                                spend=Decimal("10"), attendees=[m])
    with pytest.raises(IntegrityError), transaction.atomic():
        services.points_earn(user=staff, member=m, kind="participation", reason="再记一次", activity=act)
    assert PointsEntry.objects.filter(member=m, kind="participation").count() == 1


def test_improvement_actions_need_an_evaluation_and_are_done_once(staff, manager):
    club = f.founded_club(staff, manager)
    act = f.activity(staff, club)
    activities.activity_submit(user=staff, activity=act)
    activities.activity_decide(user=manager, activity=act, approve=True)
    activities.activity_carry_out(user=staff, activity=act, held_on=timezone.localdate(), record="x", spend=Decimal("1"))
    with pytest.raises(ValidationError, match="评估后"):
        activities.improvement_add(user=staff, activity=act, description="太早")
    activities.activity_evaluate(user=staff, activity=act, score=70, what_worked="", to_improve="签到慢")
    action = activities.improvement_add(user=staff, activity=act, description="电子签到", owner="王专员",
                                      due_date=dt.date(2026, 12, 31))
    activities.improvement_done(user=staff, action=action)
    assert action.done_at is not None
    with pytest.raises(ValidationError, match="已完成"):
        activities.improvement_done(user=staff, action=action)


def test_an_opinion_before_the_forum_is_held_is_refused(staff):
    forum = f.forum(staff)
    with pytest.raises(ValidationError, match="召开后"):
        services.opinion_add(user=staff, forum=forum, text="意见", theme="equipment", speaker="甲")
    assert forum.opinions.count() == 0


def test_the_follow_up_of_applied_results_is_closed_once_with_its_result(staff, manager):
    from clubs.selectors import follow_ups_due

    forum = _prepared_and_held(staff, manager, f.forum(staff))
    with pytest.raises(ValidationError, match="结果应用后"):
        services.forum_follow_up_done(user=staff, forum=forum, result="太早")
    services.forum_analyse(user=staff, forum=forum, analysis="电梯问题集中")
    due = timezone.localdate() + dt.timedelta(days=10)
    services.forum_use_results(user=staff, forum=forum, result_use="service", follow_up="加密维保", follow_up_due=due)
    assert list(follow_ups_due(staff)) == []
    assert list(follow_ups_due(staff, on=due)) == [forum]
    with pytest.raises(ValidationError, match="跟进结果"):
        services.forum_follow_up_done(user=staff, forum=forum, result=" ")
    services.forum_follow_up_done(user=staff, forum=forum, result="停运次数降为每月 0 次")
    forum.refresh_from_db()
    assert forum.follow_up_result == "停运次数降为每月 0 次" and forum.follow_up_done_at is not None
    assert list(follow_ups_due(staff, on=due)) == []
    with pytest.raises(ValidationError, match="已完成"):
        services.forum_follow_up_done(user=staff, forum=forum, result="再来一次")
    assert forum.history.first().history_change_reason == "完成跟进"


def test_a_forum_plan_without_participants_cannot_be_submitted(staff):
    forum = f.forum(staff, invite=False)
    with pytest.raises(ValidationError, match="参会业主"):
        services.forum_submit(user=staff, forum=forum)
    forum.refresh_from_db()
    assert forum.status == OwnerForum.Status.DRAFT and not approvals_for(forum).exists()


def test_a_user_without_the_ledger_permission_is_told_so_and_nothing_is_written(staff, manager):
    club = f.founded_club(staff, manager)
    m = f.member(staff, club)
    with pytest.raises(PermissionDenied) as refused:
        services.points_earn(user=manager, member=m, kind="suggestion", reason="建议被采纳")
    assert str(refused.value) == "您不能登记积分。"
    with pytest.raises(PermissionDenied) as refused:
        services.points_redeem(user=manager, member=m, kind="gift", points=10, reason="雨伞")
    assert str(refused.value) == "您不能登记积分。"
    assert list(PointsEntry.objects.filter(member=m).values_list("kind", flat=True)) == ["join"]
