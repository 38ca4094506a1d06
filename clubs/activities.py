"""Club activities: the plan, its approval, carrying it out (members earn participation
points), its evaluation and the improvements it leads to (the club's activity register)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clubs.models import ACTIVITY_WORKFLOW, ActivityPhoto, Club, ClubActivity, ClubMember, ImprovementAction, PointsEntry
from clubs.services import check_plan_edit, points_earn, require_perm, save_fields
from crm.approvals import approval_decide, approval_submit, approved_at
from crm.edits import row_edit
from crm.languages import recorded
from crm.sequences import next_value
from crm.validators import check_happened

# --- Who may do what, and when (see clubs.services) ---------------------------------------------
def check_activity_create(user, club: Club) -> None:
    require_perm(user, "clubs.add_clubactivity", _("您不能制订活动计划。"))
    if club.status != Club.Status.FOUNDED:
        raise ValidationError(_("客户会成立后才能制订活动计划。"))


def check_improvement_add(user, activity: ClubActivity) -> None:
    require_perm(user, ACTIVITY_WORKFLOW.permission, _("您不能办理客户会活动。"))
    if activity.status != ClubActivity.Status.EVALUATED:
        raise ValidationError(_("活动评估后才能登记改进措施。"))


def check_improvement_done(user, action: ImprovementAction) -> None:
    require_perm(user, "clubs.change_improvementaction", _("您不能办理改进措施。"))
    if action.done_at:
        raise ValidationError(_("该措施已完成。"))


# --- The activity's steps ---------------------------------------------------------------------------

ACTIVITY_PLAN_FIELDS = ("kind", "title", "period_start", "period_end", "purpose", "content", "format", "budget")


def _check_period(start, end):
    if start and end and end < start:
        raise ValidationError(_("结束日期不能早于开始日期。"))


@transaction.atomic
def activity_create(*, user, club: Club, title: str, kind: str, period_start: dt.date, period_end: dt.date,
                    purpose: str, content: str, format: str, budget: Decimal) -> ClubActivity:
    """Draft an activity plan (for a period, or one activity)."""
    check_activity_create(user, club)
    _check_period(period_start, period_end)
    year = period_start.year
    activity = ClubActivity(
        number=f"HD-{year}-{next_value(f'clubs.activity.{year}'):04d}", club=club, kind=kind, title=title.strip(),
        period_start=period_start, period_end=period_end, purpose=purpose.strip(), content=content.strip(),
        format=format, budget=budget, created_by=user,
    )
    activity._history_user = user
    activity.save()
    return activity


@transaction.atomic
def activity_update_plan(*, user, activity: ClubActivity, **fields) -> ClubActivity:
    """Revise a draft or rejected activity plan, compared with the stored row (``crm.edits``)."""
    def guard(stored: ClubActivity) -> None:
        check_plan_edit(user, stored)
        _check_period(fields.get("period_start", stored.period_start), fields.get("period_end", stored.period_end))

    activity, _changed = row_edit(ClubActivity, activity.pk, user=user, values=fields, fields=ACTIVITY_PLAN_FIELDS,
                                  reason=recorded(_("修改活动方案")), guard=guard)
    return activity


def activity_submit(*, user, activity: ClubActivity) -> ClubActivity:
    with transaction.atomic():
        activity.refresh_from_db()
        approval_submit(target=activity, title=recorded(_("客户会活动方案：{title}"), title=activity.title),
                        content=activity.plan_text(), submitted_by=user, snapshot={"budget": str(activity.budget)},
                        url=reverse("clubs:activity_detail", args=[activity.pk]))
        return activity


@transaction.atomic
def activity_decide(*, user, activity: ClubActivity, approve: bool, comment: str = "") -> ClubActivity:
    approval_decide(target=activity, user=user, approve=approve, comment=comment,
                    url=reverse("clubs:activity_detail", args=[activity.pk]))
    return activity


@transaction.atomic
def activity_carry_out(*, user, activity: ClubActivity, held_on: dt.date, record: str, spend: Decimal,
                       attendees=(), attendance: int | None = None, photos=()) -> ClubActivity:
    """Record the activity carried out: attendance (members earn participation points), photos,
    spend against budget. It was carried out after its plan was approved, and not in the future."""
    check_happened(held_on, label=_("开展日期"), after=[(approved_at(activity), _("活动方案批准日期"))])
    if not record.strip():
        raise ValidationError(_("请填写活动记录。"))
    if spend is None or spend < 0:
        raise ValidationError(_("请填写实际支出。"))
    members = list(ClubMember.objects.filter(club=activity.club, status=ClubMember.Status.ACTIVE,
                                             pk__in=[m.pk for m in attendees]))
    count = attendance if attendance is not None else len(members)
    ACTIVITY_WORKFLOW.fire(activity, "carry_out", user=user, updates={
        "held_on": held_on, "record": record.strip(), "spend": spend, "attendance": count})
    activity.attendees.set(members)
    for member in members:
        points_earn(user=user, member=member, kind=PointsEntry.Kind.PARTICIPATION,
                    reason=recorded(_("参加活动：{title}"), title=activity.title), activity=activity)
    for upload in photos:
        ActivityPhoto.objects.create(activity=activity, image=upload, uploaded_by=user)
    return activity


@transaction.atomic
def activity_evaluate(*, user, activity: ClubActivity, score: int, what_worked: str, to_improve: str) -> ClubActivity:
    """Evaluate the activity: score, what worked, what to improve."""
    if score is None or not 0 <= score <= 100:
        raise ValidationError(_("评估得分须在 0 到 100 之间。"))
    if not what_worked.strip() and not to_improve.strip():
        raise ValidationError(_("请填写成功之处或待改进之处。"))
    return ACTIVITY_WORKFLOW.fire(activity, "evaluate", user=user, updates={
        "score": score, "what_worked": what_worked.strip(), "to_improve": to_improve.strip()})


@transaction.atomic
def improvement_add(*, user, activity: ClubActivity, description: str, owner: str = "",
                    due_date: dt.date | None = None) -> ImprovementAction:
    check_improvement_add(user, activity)
    if not description.strip():
        raise ValidationError(_("请填写改进措施。"))
    action = ImprovementAction(activity=activity, description=description.strip(), owner=owner, due_date=due_date,
                               created_by=user)
    action._history_user = user
    action.save()
    return action


@transaction.atomic
def improvement_done(*, user, action: ImprovementAction) -> ImprovementAction:
    check_improvement_done(user, action)
    action.done_at = timezone.now()
    save_fields(action, user, ["done_at"], recorded(_("完成改进措施")))
    return action
