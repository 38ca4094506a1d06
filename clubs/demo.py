"""Demo forums, clubs, members and activities in every state, built through the services.

Idempotent: each record is looked up by its natural key (title or name) and only built,
then walked to its demo state, when it does not exist yet.
"""
import datetime as dt
from decimal import Decimal

from django.utils import timezone

from clubs import activities, services
from clubs.models import Club, ClubActivity, ClubMember, OwnerForum
from crm.approvals import approvals_for
from crm.demo import demo_loader, demo_user
from crm.models import Notification
from owners.models import Customer, Project

FORUM_STEPS = ["draft", "submitted", "rejected", "approved", "prepared", "held", "analysed", "closed"]
ACTIVITY_STEPS = ["draft", "submitted", "rejected", "approved", "done", "evaluated"]


def _approved_before(target, when) -> None:
    """The demo builds today a plan that was held in the past; its approval is dated a week
    before, as it would have been (a forum or activity cannot be held before its approval)."""
    if isinstance(when, dt.date) and not isinstance(when, dt.datetime):
        when = timezone.make_aware(dt.datetime.combine(when, dt.time(10)))
    decided = min(timezone.now(), when - dt.timedelta(days=7))
    approvals_for(target).update(submitted_at=decided - dt.timedelta(days=2), decided_at=decided)


def _walk_forum(forum, target, staff, manager, owners):
    steps = [s for s in FORUM_STEPS[1:FORUM_STEPS.index(target) + 1] if s != "rejected" or target == "rejected"]
    for step in steps:
        if step == "submitted":
            services.forum_set_participants(user=staff, forum=forum, customers=owners, criteria="项目：阳光花园；已入住")
            services.forum_submit(user=staff, forum=forum)
        elif step == "rejected":
            services.forum_decide(user=manager, forum=forum, approve=False, comment="预算偏高，请压缩到 1500 元以内")
        elif step == "approved":
            services.forum_decide(user=manager, forum=forum, approve=True, comment="同意")
            _approved_before(forum, forum.planned_at)
        elif step == "prepared":
            for item in forum.checklist.all():
                services.checklist_toggle(user=staff, item=item)
            services.forum_prepare(user=staff, forum=forum)
        elif step == "held":
            services.forum_hold(user=staff, forum=forum, held_at=forum.planned_at,
                                minutes="业主代表发言：电梯停运、地库照明不足、保洁频次偏低。项目部现场答复。",
                                attended_ids=[o.pk for o in owners[:2]])
            first = services.opinion_add(user=staff, forum=forum, text="2栋电梯近一个月停运三次", theme="equipment",
                                         customer=owners[0])
            services.opinion_add(user=staff, forum=forum, text="地库照明不足", theme="equipment", customer=owners[1])
            services.opinion_add(user=staff, forum=forum, text="楼道保洁频次偏低", theme="cleaning", speaker="业主代表")
            services.opinion_to_case(user=staff, opinion=first)
        elif step == "analysed":
            services.forum_analyse(user=staff, forum=forum, analysis="设备设施类意见最集中(2条)，已转投诉跟进。")
        elif step == "closed":
            services.forum_use_results(user=staff, forum=forum, result_use="service",
                                       follow_up="督促物业公司加密电梯维保，下次座谈会通报结果",
                                       follow_up_due=timezone.localdate() + dt.timedelta(days=30))


def _walk_activity(activity, target, staff, manager, members):
    steps = [s for s in ACTIVITY_STEPS[1:ACTIVITY_STEPS.index(target) + 1] if s != "rejected" or target == "rejected"]
    for step in steps:
        if step == "submitted":
            activities.activity_submit(user=staff, activity=activity)
        elif step == "rejected":
            activities.activity_decide(user=manager, activity=activity, approve=False, comment="请补充安全预案")
        elif step == "approved":
            activities.activity_decide(user=manager, activity=activity, approve=True, comment="同意")
            _approved_before(activity, activity.period_start)
        elif step == "done":
            activities.activity_carry_out(user=staff, activity=activity, held_on=activity.period_start,
                                        record="活动顺利开展，业主反响热烈。", spend=activity.budget + Decimal("300"),
                                        attendees=members)
        elif step == "evaluated":
            activities.activity_evaluate(user=staff, activity=activity, score=86, what_worked="亲子互动环节受欢迎",
                                       to_improve="物料采购超预算，需提前比价")
            activities.improvement_add(user=staff, activity=activity, description="物料提前两周比价采购",
                                     owner="李专员", due_date=timezone.localdate() + dt.timedelta(days=14))


APPLICANT_PHONE = "13700137003"  # i18n: data


@demo_loader(order=50)
def load_clubs(log):
    staff, manager = demo_user("cs_staff"), demo_user("manager")
    started = timezone.now()
    sunshine = Project.objects.get(code="sunshine")
    # 黄志强 is not enrolled here: he applies on the portal (portal/demo.py), so the club's page
    # shows one application waiting.
    owners = list(Customer.objects.filter(project=sunshine).exclude(phone=APPLICANT_PHONE).order_by("code")[:3])
    base = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)  # 14:00 in the office
    made = 0
    for i, state in enumerate(FORUM_STEPS):
        title = f"阳光花园业主座谈会（演示：{OwnerForum.Status(state).label}）"
        if OwnerForum.objects.filter(title=title).exists():
            continue
        forum = services.forum_create(
            user=staff, title=title, kind="topic" if i % 2 else "general", topic="物业服务" if i % 2 else "",
            purpose="听取业主对物业服务和社区配套的意见", project=sunshine,
            planned_at=base + dt.timedelta(days=14 - 7 * i), location="阳光花园会所", budget=Decimal("2000"))
        _walk_forum(forum, state, staff, manager, owners)
        made += 1

    club = Club.objects.filter(name="阳光·悦邻会").first()
    if club is None:
        club = services.club_create(user=staff, name="阳光·悦邻会", project=sunshine,
                                    founding_plan="以阳光花园业主为主体成立客户会，增进业主与公司的沟通。",
                                    rules="一、宗旨：服务业主、和谐邻里。\n二、会员：本公司业主自愿入会。")
        services.club_submit(user=staff, club=club)
        services.club_decide(user=manager, club=club, approve=True, comment="同意成立")
        founded_on = timezone.localdate() - dt.timedelta(days=90)
        _approved_before(club, founded_on)
        services.club_found(user=staff, club=club, founded_on=founded_on, rules=club.rules)
    if not Club.objects.filter(name="江畔·华府会").exists():
        pending = services.club_create(user=staff, name="江畔·华府会", project=Project.objects.get(code="riverside"),
                                       founding_plan="江畔华府入伙后成立客户会。")
        services.club_submit(user=staff, club=pending)

    members = []
    for owner in owners:
        member = ClubMember.objects.filter(club=club, customer=owner).first()
        if member is None:
            member = services.member_enroll(user=staff, club=club, customer=owner,
                                            referred_by=members[0] if members else None,
                                            joined_on=timezone.localdate() - dt.timedelta(days=60))
            if not members:
                services.points_earn(user=staff, member=member, kind="purchase", reason="推荐亲友购房成交")
                services.points_redeem(user=staff, member=member, kind="gift", points=300, reason="兑换家用电器礼品")
        members.append(member)

    today = timezone.localdate()
    for i, state in enumerate(ACTIVITY_STEPS):
        title = f"悦邻会活动（演示：{ClubActivity.Status(state).label}）"
        if ClubActivity.objects.filter(club=club, title=title).exists():
            continue
        start = today + dt.timedelta(days=21 - 7 * i)
        activity = activities.activity_create(
            user=staff, club=club, title=title, kind="period" if i == 0 else "single", period_start=start,
            period_end=start + dt.timedelta(days=90 if i == 0 else 0), purpose="增进邻里感情",
            content="亲子手工、邻里茶话", format="gathering", budget=Decimal("3000"))
        _walk_activity(activity, state, staff, manager, members[:2])
        made += 1
    # The approval step notified the demo users while the history was built; the pending
    # approvals still show on the dashboard, so these inbox lines are marked read.
    Notification.objects.filter(url__startswith="/clubs/", created_at__gte=started, read_at__isnull=True).update(
        read_at=timezone.now())
    log(f"座谈会与客户会演示数据：新建 {made} 条")
