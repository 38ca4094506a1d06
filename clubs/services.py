"""Every write of the clubs app: forums, the club, the points ledger, activities."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clubs.models import (
    ACTIVITY_WORKFLOW, CLUB_WORKFLOW, EDITABLE_STATES, FORUM_WORKFLOW, Club, ClubActivity, ClubMember,
    ForumChecklistItem, ForumOpinion, ForumParticipant, OwnerForum, PointsEntry,
)
from crm.approvals import approval_decide, approval_submit, approved_at
from crm.edits import row_edit
from crm.languages import recorded
from crm.rules import rule_int
from crm.scopes import visible_projects
from crm.sequences import next_value
from crm.validators import check_happened
from crm.workflow import update_with_history


# The checklist a new forum starts with: rows of the forum, edited and ticked by its organisers.
DEFAULT_CHECKLIST = ["确定会场并布置", "发出邀请并确认参会业主", "准备座谈提纲与资料", "安排记录人员与签到表"]  # i18n: data

EARN_RULES = {
    PointsEntry.Kind.JOIN: "clubs.points_join",
    PointsEntry.Kind.REFERRAL: "clubs.points_referral",
    PointsEntry.Kind.PURCHASE: "clubs.points_purchase",
    PointsEntry.Kind.PARTICIPATION: "clubs.points_participation",
    PointsEntry.Kind.SUGGESTION: "clubs.points_suggestion",
}


def save_fields(obj, user, fields, reason=""):
    """Save ``fields`` of ``obj`` with its history row's user and reason."""
    obj._history_user = user
    if reason:
        obj._change_reason = reason
    obj.save(update_fields=fields)


def _check_project(user, project):
    if project is not None and not visible_projects(user).filter(pk=project.pk).exists():
        raise PermissionDenied(_("该项目不在您的权限范围内。"))


def _require_editable(obj):
    if obj.status not in EDITABLE_STATES:
        raise ValidationError(_("方案已提交或已批准，不能再修改。"))


# --- Who may do what, and when ---------------------------------------------------------------
# Each check raises with the reason, or passes. The service calls it before writing; the page
# shows the button or form only when it passes (crm.workflow.allowed), and a form page refuses
# to open without it: one rule for the three. Workflow steps are checked by their workflow.

def require_perm(user, permission: str, message: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(message)


def _plan_workflow(obj):
    return {OwnerForum: FORUM_WORKFLOW, Club: CLUB_WORKFLOW, ClubActivity: ACTIVITY_WORKFLOW}[type(obj)]


def check_plan_edit(user, obj) -> None:
    """Revise a plan (a forum's also its invited owners): the change permission of its kind,
    while it is a draft or was rejected."""
    require_perm(user, _plan_workflow(obj).permission, _("您不能修改该方案。"))
    _require_editable(obj)


def check_checklist(user, forum: OwnerForum) -> None:
    """Add or tick preparation items until the forum is declared prepared."""
    require_perm(user, FORUM_WORKFLOW.permission, _("您不能办理座谈会。"))
    _require_checklist_open(forum)


def check_opinion_add(user, forum: OwnerForum) -> None:
    require_perm(user, FORUM_WORKFLOW.permission, _("您不能办理座谈会。"))
    if forum.status not in (OwnerForum.Status.HELD, OwnerForum.Status.ANALYSED):
        raise ValidationError(_("座谈会召开后才能登记意见。"))


def check_opinion_to_case(user, opinion: ForumOpinion) -> None:
    """Turn an opinion into a case: the right to change opinions and to register complaints,
    once per opinion, and only when the case can name an owner or a project."""
    require_perm(user, "clubs.change_forumopinion", _("您不能处理座谈会意见。"))
    require_perm(user, "complaints.add_complaint", _("您不能登记投诉。"))
    if opinion.complaint_id:
        raise ValidationError(_("该意见已转为案件。"))
    if opinion.customer_id is None and opinion.forum.project_id is None:
        raise ValidationError(_("该意见没有提出业主，且座谈会未指定项目，无法转为案件。"))


def check_follow_up_done(user, forum: OwnerForum) -> None:
    require_perm(user, FORUM_WORKFLOW.permission, _("您不能办理座谈会。"))
    if forum.status != OwnerForum.Status.CLOSED:
        raise ValidationError(_("登记结果应用后才能完成跟进。"))
    if forum.follow_up_done_at:
        raise ValidationError(_("该座谈会的跟进已完成。"))


def check_enroll(user, club: Club) -> None:
    require_perm(user, "clubs.add_clubmember", _("您不能发展会员。"))
    if club.status != Club.Status.FOUNDED:
        raise ValidationError(_("客户会成立后才能发展会员。"))


def check_points(user, member: ClubMember) -> None:
    """Earn or redeem points: the ledger permission, for an active member."""
    require_perm(user, "clubs.add_pointsentry", _("您不能登记积分。"))
    if member.status != ClubMember.Status.ACTIVE:
        raise ValidationError(gettext("该会员当前为“{status}”状态，不能获得积分，也不能兑换积分。").format(
            status=member.get_status_display()))


def check_member_update(user, member: ClubMember) -> None:
    require_perm(user, "clubs.change_clubmember", _("您不能调整会员等级和状态。"))




# --- Owner forums ------------------------------------------------------------------------------

PLAN_FIELDS = ("title", "kind", "topic", "purpose", "project", "planned_at", "location", "format", "budget",
               "participant_criteria", "capacity", "signup_deadline")


@transaction.atomic
def forum_create(*, user, title: str, kind: str, purpose: str, planned_at: dt.datetime, project=None,
                 topic: str = "", location: str = "", format: str = OwnerForum.Format.MEETING,
                 budget: Decimal = Decimal("0"), participant_criteria: str = "", capacity: int | None = None,
                 signup_deadline: dt.datetime | None = None) -> OwnerForum:
    """Draft a forum plan with the default preparation checklist."""
    _check_project(user, project)
    if kind == OwnerForum.Kind.TOPIC and not topic.strip():
        raise ValidationError(_("专题座谈会请填写专题。"))
    year = timezone.localtime(planned_at).year
    forum = OwnerForum(
        number=f"ZT-{year}-{next_value(f'clubs.forum.{year}'):04d}", title=title.strip(), kind=kind,
        topic=topic.strip(), purpose=purpose.strip(), project=project, planned_at=planned_at, location=location,
        format=format, budget=budget, participant_criteria=participant_criteria, created_by=user,
        capacity=capacity, signup_deadline=signup_deadline,
    )
    forum._history_user = user
    forum.save()
    ForumChecklistItem.objects.bulk_create([ForumChecklistItem(forum=forum, text=t) for t in DEFAULT_CHECKLIST])
    return forum


@transaction.atomic
def forum_update_plan(*, user, forum: OwnerForum, **fields) -> OwnerForum:
    """Revise a draft or rejected plan (the rejected version stays in the approval history)."""
    _check_project(user, fields.get("project"))
    if fields.get("kind") == OwnerForum.Kind.TOPIC and not (fields.get("topic") or "").strip():
        raise ValidationError(_("专题座谈会请填写专题。"))
    forum, _changed = row_edit(OwnerForum, forum.pk, user=user, values=fields, fields=PLAN_FIELDS,
                               reason=recorded(_("修改方案")), guard=lambda stored: check_plan_edit(user, stored))
    return forum


@transaction.atomic
def forum_set_participants(*, user, forum: OwnerForum, customers, criteria: str = "") -> int:
    """Replace the invited owners (chosen from owners by filters) while the plan can be edited."""
    check_plan_edit(user, forum)
    from owners.selectors import customers_for

    allowed = customers_for(user).filter(pk__in=[c.pk for c in customers])
    forum.participants.all().delete()
    ForumParticipant.objects.bulk_create([ForumParticipant(forum=forum, customer=c) for c in allowed])
    if criteria:
        forum.participant_criteria = criteria[:200]
        save_fields(forum, user, ["participant_criteria"], recorded(_("选择参会业主")))
    return forum.participants.count()


SIGNUP_STATES = (OwnerForum.Status.APPROVED, OwnerForum.Status.PREPARED)


def _signup_open(forum: OwnerForum) -> None:
    now = timezone.now()
    if forum.status not in SIGNUP_STATES or forum.planned_at <= now:
        raise ValidationError(_("该座谈会目前不接受报名。"))
    if forum.signup_deadline and forum.signup_deadline <= now:
        raise ValidationError(_("报名已截止。"))


@transaction.atomic
def forum_sign_up(*, user, forum: OwnerForum, customer) -> ForumParticipant:
    """An owner signs up for an approved forum of their project (the owner portal: ``customer``
    is the owner's own, found by the portal), within its deadline and capacity (the forum's row
    locked while the places are counted)."""
    forum = OwnerForum.objects.select_for_update().get(pk=forum.pk)
    _signup_open(forum)
    if forum.project_id and customer.project_id != forum.project_id and not customer.units.filter(
            project_id=forum.project_id).exists():
        raise ValidationError(_("该座谈会仅面向本项目业主。"))
    if forum.participants.filter(customer=customer).exists():
        raise ValidationError(_("您已报名。"))
    if forum.capacity is not None and forum.participants.count() >= forum.capacity:
        raise ValidationError(_("名额已满。"))
    participant = ForumParticipant(forum=forum, customer=customer)
    participant._history_user = user
    participant.save()
    return participant


@transaction.atomic
def forum_sign_up_cancel(*, user, forum: OwnerForum, customer) -> None:
    """An owner cancels their sign-up before the deadline."""
    forum = OwnerForum.objects.select_for_update().get(pk=forum.pk)
    _signup_open(forum)
    participant = forum.participants.filter(customer=customer).first()
    if participant is None:
        raise ValidationError(_("您尚未报名。"))
    participant._history_user = user
    participant.delete()


def forum_submit(*, user, forum: OwnerForum) -> OwnerForum:
    """Submit the plan (again, after a rejection) as a new version for the manager's approval."""
    with transaction.atomic():
        forum.refresh_from_db()
        if forum.status in EDITABLE_STATES and not forum.participants.exists():
            raise ValidationError(_("请先选择参会业主，再提交审批。"))
        url = reverse("clubs:forum_detail", args=[forum.pk])
        snapshot = {"budget": str(forum.budget), "planned_at": forum.planned_at.isoformat(),
                    "participants": forum.participants.count()}
        approval_submit(target=forum, title=recorded(_("客户座谈会方案：{title}"), title=forum.title),
                        content=forum.plan_text(), submitted_by=user, snapshot=snapshot, url=url)
        return forum


@transaction.atomic
def forum_decide(*, user, forum: OwnerForum, approve: bool, comment: str = "") -> OwnerForum:
    """The approver's decision on the pending version; the forum moves on in the same transaction."""
    approval_decide(target=forum, user=user, approve=approve, comment=comment,
                    url=reverse("clubs:forum_detail", args=[forum.pk]))
    return forum


CHECKLIST_OPEN_STATES = (OwnerForum.Status.DRAFT, OwnerForum.Status.SUBMITTED, OwnerForum.Status.REJECTED,
                         OwnerForum.Status.APPROVED)


def _require_checklist_open(forum: OwnerForum):
    # Once declared prepared, the checklist is the record of what was done: no more changes.
    if forum.status not in CHECKLIST_OPEN_STATES:
        raise ValidationError(_("座谈会已准备就绪，准备工作清单不能再修改。"))


@transaction.atomic
def checklist_add(*, user, forum: OwnerForum, text: str) -> ForumChecklistItem:
    check_checklist(user, forum)
    if not text.strip():
        raise ValidationError(_("请填写准备事项。"))
    item = ForumChecklistItem(forum=forum, text=text.strip())
    item._history_user = user
    item.save()
    return item


@transaction.atomic
def checklist_toggle(*, user, item: ForumChecklistItem) -> ForumChecklistItem:
    """Tick an item, or untick it, while the forum is still being prepared."""
    item = ForumChecklistItem.objects.select_for_update().select_related("forum").get(pk=item.pk)
    check_checklist(user, item.forum)
    item.done = not item.done
    item.done_by = user if item.done else None
    item.done_at = timezone.now() if item.done else None
    save_fields(item, user, ["done", "done_by", "done_at"])
    return item


@transaction.atomic
def forum_prepare(*, user, forum: OwnerForum) -> OwnerForum:
    """Preparation complete: every checklist item must be done."""
    open_items = forum.checklist.filter(done=False).count()
    if open_items:
        raise ValidationError(gettext("还有 {count} 项准备工作未完成。").format(count=open_items))
    return FORUM_WORKFLOW.fire(forum, "prepare", user=user)


@transaction.atomic
def forum_hold(*, user, forum: OwnerForum, held_at: dt.datetime, minutes: str, attended_ids=(),
               attendance: int | None = None) -> OwnerForum:
    """Record the forum held: attendance and minutes (客户座谈会记录). It was held after its plan
    was approved, and not in the future."""
    check_happened(held_at, label=_("召开时间"), after=[(approved_at(forum), _("方案批准时间"))])
    if not minutes.strip():
        raise ValidationError(_("请填写座谈会记录。"))
    attended_ids = list(attended_ids)
    # Only the participants whose attendance changes are written, each with its history row.
    for attended, rows in ((False, forum.participants.exclude(customer_id__in=attended_ids)),
                           (True, forum.participants.filter(customer_id__in=attended_ids))):
        update_with_history(rows.exclude(attended=attended), {"attended": attended}, user=user,
                            reason=recorded(_("登记座谈会出席")))
    count = attendance if attendance is not None else forum.participants.filter(customer_id__in=attended_ids).count()
    return FORUM_WORKFLOW.fire(forum, "hold", user=user,
                               updates={"held_at": held_at, "minutes": minutes.strip(), "attendance": count})


@transaction.atomic
def opinion_add(*, user, forum: OwnerForum, text: str, theme: str, customer=None, speaker: str = "") -> ForumOpinion:
    """An opinion heard at the forum."""
    from complaints.models import Category

    check_opinion_add(user, forum)
    if theme not in Category.values:
        raise ValidationError(_("请选择意见主题。"))
    if not text.strip():
        raise ValidationError(_("请填写意见内容。"))
    opinion = ForumOpinion(forum=forum, text=text.strip(), theme=theme, customer=customer,
                           speaker=speaker or (customer.name if customer else ""), recorded_by=user)
    opinion._history_user = user
    opinion.save()
    return opinion


@transaction.atomic
def opinion_to_case(*, user, opinion: ForumOpinion, kind: str = "complaint"):
    """Turn an opinion into a case in the complaints register (channel 座谈会) and link it back."""
    from complaints.services import complaint_register

    opinion = ForumOpinion.objects.select_for_update(of=("self",)).select_related("forum", "customer").get(pk=opinion.pk)
    check_opinion_to_case(user, opinion)
    forum = opinion.forum
    project = forum.project if opinion.customer is None else None
    complaint = complaint_register(
        received_by=user, kind=kind, channel="forum", category=opinion.theme,
        title=recorded(_("座谈会意见：{text}"), text=opinion.text[:40]),
        description=recorded(_("{number}《{title}》中{speaker}提出：{text}"), number=forum.number, title=forum.title,
                             speaker=opinion.speaker or recorded(_("业主")), text=opinion.text),
        customer=opinion.customer, project=project,
        complainant_name=opinion.speaker or (opinion.customer.name if opinion.customer else recorded(_("座谈会业主"))),
        complainant_phone=opinion.customer.phone if opinion.customer else "—",
    )
    opinion.complaint = complaint
    save_fields(opinion, user, ["complaint"], recorded(_("转为投诉")))
    return complaint


@transaction.atomic
def forum_analyse(*, user, forum: OwnerForum, analysis: str) -> OwnerForum:
    """Record the analysis (themes and counts are computed from the opinions)."""
    if not analysis.strip():
        raise ValidationError(_("请填写分析结论。"))
    return FORUM_WORKFLOW.fire(forum, "analyse", user=user, updates={"analysis": analysis.strip()})


@transaction.atomic
def forum_use_results(*, user, forum: OwnerForum, result_use: str, follow_up: str,
                      follow_up_due: dt.date | None = None) -> OwnerForum:
    """How the results are used (forums, service, relationship work) and the follow-up."""
    if result_use not in OwnerForum.ResultUse.values:
        raise ValidationError(_("请选择结果应用方向。"))
    if not follow_up.strip():
        raise ValidationError(_("请填写跟进措施。"))
    return FORUM_WORKFLOW.fire(forum, "use_results", user=user, updates={
        "result_use": result_use, "follow_up": follow_up.strip(), "follow_up_due": follow_up_due})


@transaction.atomic
def forum_follow_up_done(*, user, forum: OwnerForum, result: str) -> OwnerForum:
    """Close the follow-up of a forum's results with what came of it (once)."""
    if not result.strip():
        raise ValidationError(_("请填写跟进结果。"))
    forum = OwnerForum.objects.select_for_update().get(pk=forum.pk)
    check_follow_up_done(user, forum)
    forum.follow_up_result, forum.follow_up_done_at = result.strip(), timezone.now()
    save_fields(forum, user, ["follow_up_result", "follow_up_done_at"], recorded(_("完成跟进")))
    return forum


# --- The club ----------------------------------------------------------------------------------

@transaction.atomic
def club_create(*, user, name: str, founding_plan: str, rules: str = "", project=None) -> Club:
    _check_project(user, project)
    if Club.objects.filter(name=name.strip()).exists():
        raise ValidationError(_("已有同名客户会。"))
    club = Club(name=name.strip(), founding_plan=founding_plan.strip(), rules=rules.strip(), project=project,
                created_by=user)
    club._history_user = user
    club.save()
    return club


@transaction.atomic
def club_update_plan(*, user, club: Club, name: str, founding_plan: str, rules: str = "", project=None) -> Club:
    """Revise a draft or rejected founding plan, compared with the stored row (``crm.edits``)."""
    _check_project(user, project)
    if Club.objects.filter(name=name.strip()).exclude(pk=club.pk).exists():
        raise ValidationError(_("已有同名客户会。"))
    values = {"name": name.strip(), "founding_plan": founding_plan.strip(), "rules": rules.strip(), "project": project}
    club, _changed = row_edit(Club, club.pk, user=user, values=values, fields=values.keys(),
                              reason=recorded(_("修改成立方案")), guard=lambda stored: check_plan_edit(user, stored))
    return club


def club_submit(*, user, club: Club) -> Club:
    with transaction.atomic():
        club.refresh_from_db()
        approval_submit(target=club, title=recorded(_("客户会成立方案：{name}"), name=club.name), content=club.plan_text(),
                        submitted_by=user, snapshot={"name": club.name}, url=reverse("clubs:club_detail", args=[club.pk]))
        return club


@transaction.atomic
def club_decide(*, user, club: Club, approve: bool, comment: str = "") -> Club:
    approval_decide(target=club, user=user, approve=approve, comment=comment,
                    url=reverse("clubs:club_detail", args=[club.pk]))
    return club


@transaction.atomic
def club_found(*, user, club: Club, founded_on: dt.date, rules: str) -> Club:
    """The approved club is founded with its rules (章程), on a day not before the approval."""
    check_happened(founded_on, label=_("成立日期"), after=[(approved_at(club), _("成立方案批准日期"))])
    if not rules.strip():
        raise ValidationError(_("请填写客户会章程。"))
    return CLUB_WORKFLOW.fire(club, "found", user=user, updates={"founded_on": founded_on, "rules": rules.strip()})


# --- Members and the points ledger -------------------------------------------------------------

@transaction.atomic
def member_enroll(*, user, club: Club, customer, level: str = ClubMember.Level.REGULAR,
                  joined_on: dt.date | None = None, referred_by: ClubMember | None = None) -> ClubMember:
    """Enroll an owner; the joining points and the referrer's points are earned at once."""
    from owners.selectors import customers_for

    check_enroll(user, club)
    if not customers_for(user).filter(pk=customer.pk).exists():
        raise PermissionDenied(_("该业主不在您的权限范围内。"))
    if referred_by is not None and referred_by.club_id != club.pk:
        raise ValidationError(_("推荐人须是本会会员。"))
    joined_on = joined_on or timezone.localdate()
    check_happened(joined_on, label=_("入会日期"), after=[(club.founded_on, _("客户会成立日期"))])
    member = ClubMember(club=club, customer=customer, level=level, joined_on=joined_on,
                        referred_by=referred_by,
                        number=f"HY{club.pk:02d}-{next_value(f'clubs.member.{club.pk}'):05d}")
    member._history_user = user
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise ValidationError(_("该业主已是本会会员。")) from exc
    points_earn(user=user, member=member, kind=PointsEntry.Kind.JOIN, reason=recorded(_("入会")))
    from .applications import applications_close  # an owner's pending application is answered

    applications_close(club=club, customer=customer, member=member)
    if referred_by is not None:
        points_earn(user=user, member=referred_by, kind=PointsEntry.Kind.REFERRAL,
                    reason=recorded(_("推荐 {name} 入会"), name=customer.name))
    return member


@transaction.atomic
def member_update(*, user, member: ClubMember, level: str, status: str) -> ClubMember:
    check_member_update(user, member)
    if level not in ClubMember.Level.values or status not in ClubMember.Status.values:
        raise ValidationError(_("请选择正确的等级和状态。"))
    member, _changed = row_edit(ClubMember, member.pk, user=user, values={"level": level, "status": status},
                                fields=("level", "status"), reason=recorded(_("调整会员等级/状态")))
    return member


def points_balance(member: ClubMember) -> int:
    return PointsEntry.objects.filter(member=member).aggregate(total=Sum("points"))["total"] or 0


def points_earn(*, user, member: ClubMember, kind: str, reason: str, activity=None) -> PointsEntry:
    """Earn points of one kind; the amount is the admin's rule for that kind."""
    # ``with`` rather than ``@transaction.atomic``: mutmut skips decorated functions, and the
    # ledger's rules are measured by mutation testing (QUALITY.md).
    with transaction.atomic():
        if kind not in EARN_RULES:
            raise ValidationError(_("请选择获得积分的方式。"))
        # The status as stored, not as the caller's copy last saw it.
        current = ClubMember.objects.get(pk=member.pk)
        check_points(user, current)
        if not reason.strip():
            raise ValidationError(_("请填写事由。"))
        entry = PointsEntry(member=current, kind=kind, points=rule_int(EARN_RULES[kind]),
                            reason=reason.strip()[:200], actor=user, activity=activity)
        entry._history_user = user
        entry.save()
        return entry


def points_redeem(*, user, member: ClubMember, kind: str, points: int, reason: str) -> PointsEntry:
    """Redeem points for a gift or a fee offset; never more than the balance.

    The member row is locked before the balance is summed, so two redemptions at once are
    serialised and the second sees the first's entry.
    """
    with transaction.atomic():  # not a decorator: see points_earn
        if kind not in PointsEntry.REDEEM_KINDS:
            raise ValidationError(_("请选择兑换方式。"))
        if points is None or points <= 0:
            raise ValidationError(_("兑换积分须为正整数。"))
        if not reason.strip():
            raise ValidationError(_("请填写兑换事由（如礼品名称）。"))
        locked = ClubMember.objects.select_for_update().get(pk=member.pk)
        check_points(user, locked)
        balance = points_balance(locked)
        if points > balance:
            raise ValidationError(gettext("积分不足：当前余额 {balance} 分，不能兑换 {points} 分。").format(
                balance=balance, points=points))
        entry = PointsEntry(member=locked, kind=kind, points=-points, reason=reason.strip()[:200], actor=user)
        entry._history_user = user
        entry.save()
        return entry
