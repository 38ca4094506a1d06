"""Every write of the property liaison: coordination, supervision, the owners' committee and
warranty repairs. Status changes go through the workflows declared in models.py."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.calendar import calendar, period_end
from crm.languages import recorded
from crm.notifications import notify, notify_role
from crm.scopes import role_users
from crm.rules import rule, rule_int
from crm.sequences import next_value
from crm.validators import check_happened
from crm.workflow import update_with_history
from owners.models import Project, Unit
from owners.validators import is_master_date
from property_liaison.committee import committee_condition
from property_liaison.defaults import ensure_default_categories
from property_liaison.models import (
    COMMITTEE_WORKFLOW, REPAIR_WORKFLOW, ActionItem, Cadence, CommitteeFormation, CoordinationGap,
    CoordinationMeeting, CoordinationPlan, Finding, FollowUp, Inspection, InspectionScore, PropertyAppointment,
    Rectification, RepairRequest, WarrantyCategory,
)

def _company_users(company):
    if company is None:
        return []
    return role_users("property_company").filter(profile__property_company=company)


# The longest gap between two coordinations, as a period under 民法典 art. 201–203; the monthly
# one is the rule liaison.coordination_max_interval_months (calendar months, not 31 days).
CADENCE_PERIODS = {Cadence.DAILY: {"days": 1}, Cadence.WEEKLY: {"days": 7}}


def _today() -> dt.date:
    return timezone.localdate()


def current_appointment(project, on: dt.date | None = None) -> PropertyAppointment | None:
    on = on or _today()
    return (PropertyAppointment.objects.filter(project=project, start_date__lte=on)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=on)).select_related("company")
            .order_by("-start_date").first())


def managed_projects(on: dt.date | None = None):
    """Projects in the daily-management period: a company is appointed today (置换 ends it)."""
    on = on or _today()
    return Project.objects.filter(
        Q(appointments__end_date__isnull=True) | Q(appointments__end_date__gte=on),
        appointments__start_date__lte=on,
    ).distinct()


# --- Follow-ups: action items and rectifications (answer, verify, send back) ------------------

@dataclass(frozen=True)
class _Wording:
    """A kind of follow-up's own words in its refusals and notices (marked for translation)."""
    no_answer: str  # the refusal of an empty answer
    answered: str  # the title of the notice of an answer to verify, from {follow_up}
    reopened: str  # the title of the notice of a send-back, from {follow_up}
    reopened_body: str  # the send-back notice's text, from {project}, {note} and {deadline}


FOLLOW_UP_WORDING = {
    ActionItem: _Wording(_("请填写处理答复。"), _("协调事项已答复待验证：{follow_up}"), _("协调事项被退回：{follow_up}"),
                         _("{project}，退回原因：{note}")),
    Rectification: _Wording(_("请填写整改答复。"), _("整改已答复待验证：{follow_up}"), _("整改被退回：{follow_up}"),
                            _("{project}，退回原因：{note}，整改期限 {deadline}。")),
}


@transaction.atomic
def follow_up_answer(*, user, follow_up: FollowUp, answer: str, evidence=None) -> FollowUp:
    """The responsible party answers what it did, with evidence; whoever raised the follow-up
    (recorded the coordination, inspected) is told, so that the developer verifies it."""
    words = FOLLOW_UP_WORDING[type(follow_up)]
    if not answer.strip():
        raise ValidationError(words.no_answer)
    updates = {"answer": answer}
    if evidence:
        follow_up.evidence.save(evidence.name, evidence, save=False)
        updates["evidence"] = follow_up.evidence.name
    follow_up = follow_up.workflow.fire(follow_up, "answer", user=user, updates=updates)
    notify(recipients=[follow_up.raised_by], title=format_lazy(words.answered, follow_up=str(follow_up)[:60]),
           body=format_lazy(_("{project}：{answer}"), project=follow_up.project.name, answer=answer[:200]),
           url=follow_up.get_absolute_url(), target=follow_up)
    return follow_up


@transaction.atomic
def follow_up_verify(*, user, follow_up: FollowUp, note: str = "") -> FollowUp:
    """The developer checks the answer and closes the follow-up."""
    return follow_up.workflow.fire(follow_up, "verify", user=user, updates={"verification_note": note})


@transaction.atomic
def follow_up_reopen(*, user, follow_up: FollowUp, note: str) -> FollowUp:
    """The developer sends an unsatisfactory answer back; the company is told why when the
    follow-up is its to do."""
    if not note.strip():
        raise ValidationError(_("退回时请写明原因。"))
    follow_up = follow_up.workflow.fire(follow_up, "reopen", user=user, updates={"verification_note": note})
    if follow_up.company_answers:
        words = FOLLOW_UP_WORDING[type(follow_up)]
        notify(recipients=_company_users(follow_up.property_company),
               title=format_lazy(words.reopened, follow_up=str(follow_up)[:60]),
               body=format_lazy(words.reopened_body, project=follow_up.project.name, note=note,
                                deadline=getattr(follow_up, "deadline", "")),
               url=follow_up.get_absolute_url(), target=follow_up, level="warning")
    return follow_up


# --- Coordination ----------------------------------------------------------------------------

def cadence_period(cadence: str) -> dict:
    """The period allowed after a coordination before the next one is late: a day, a week, or
    (monthly, "每月至少协调一次") the rule's number of calendar months, at least one."""
    if cadence in CADENCE_PERIODS:
        return CADENCE_PERIODS[cadence]
    return {"months": max(rule_int("liaison.coordination_max_interval_months"), 1)}


@transaction.atomic
def coordination_plan_set(*, user, project, cadence: str, note: str = "") -> CoordinationPlan:
    """Set a project's target cadence (daily, weekly or monthly)."""
    if cadence not in Cadence.values:
        raise ValidationError(_("协调频次只能是每日、每周或每月。"))
    plan, _created = CoordinationPlan.objects.get_or_create(project=project)
    plan.cadence, plan.note = cadence, note
    plan._history_user = user
    plan.save()
    return plan


@transaction.atomic
def coordination_record(*, user, project, date: dt.date, form: str, attendees: str, minutes: str,
                        issues_raised: str = "") -> CoordinationMeeting:
    """Record a coordination (meeting, call, on-site…) with the company managing the project."""
    check_happened(date, label=_("协调日期"))
    appointment = current_appointment(project, date)
    meeting = CoordinationMeeting(
        number=f"XT{next_value('liaison.meeting'):06d}", project=project,
        company=appointment.company if appointment else None, date=date, form=form, attendees=attendees,
        minutes=minutes, issues_raised=issues_raised, recorded_by=user,
    )
    meeting._history_user = user
    meeting.save()
    return meeting


@transaction.atomic
def action_item_add(*, user, meeting, description: str, party: str, assignee: str, due_date: dt.date) -> ActionItem:
    """Add an action (owner and due date) to a coordination."""
    item = ActionItem(meeting=meeting, project_id=meeting.project_id, description=description, party=party,
                      assignee=assignee, due_date=due_date)
    item._history_user = user
    item.save()
    if party == ActionItem.Party.PROPERTY_COMPANY:
        notify(recipients=_company_users(meeting.company),
               title=format_lazy(_("新的协调事项：{description}"), description=description[:60]),
               body=format_lazy(_("{project}，完成期限 {due_date}，请在系统中答复。"), project=meeting.project.name,
                                due_date=due_date),
               url=item.get_absolute_url(), target=item)
    return item


def coordination_status(on: dt.date | None = None) -> list[dict]:
    """Per managed project: cadence, last coordination, the date the next one is due, and
    whether it is late. Two queries whatever the number of projects."""
    on = on or _today()
    plans = dict(CoordinationPlan.objects.values_list("project_id", "cadence"))
    projects = (managed_projects(on).annotate(last_date=Max("coordination_meetings__date"))
                .order_by("name"))
    starts = dict(PropertyAppointment.objects.filter(start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)).values_list("project_id", "start_date"))
    cal = calendar()
    rows = []
    for project in projects:
        cadence = plans.get(project.pk, Cadence.MONTHLY)
        since = project.last_date or starts.get(project.pk) or on
        # the last day to coordinate: a deadline to act, so a holiday moves it (art. 203)
        due = period_end(since, **cadence_period(cadence), deadline=True, cal=cal)
        rows.append({"project": project, "cadence": cadence, "cadence_label": Cadence(cadence).label,
                     "last_date": project.last_date, "due_date": due,
                     "late": on > due, "late_days": max((on - due).days, 0)})
    return rows


def coordination_cadence_check(on: dt.date | None = None) -> int:
    """Flag every managed project whose coordination is overdue and tell the supervisors once.

    A gap is identified by (project, due date): it is stored once (unique constraint) and
    notified once (dedupe key), so running the job again changes nothing until a new
    coordination moves the due date on.
    """
    on = on or _today()
    late = [row for row in coordination_status(on) if row["late"]]
    CoordinationGap.objects.bulk_create(
        [CoordinationGap(project=row["project"], due_date=row["due_date"], last_date=row["last_date"])
         for row in late], ignore_conflicts=True)
    url = reverse("property_liaison:cadence_report")
    gaps = {(g.project_id, g.due_date): g for g in CoordinationGap.objects.filter(
        project__in=[row["project"] for row in late], due_date__in={row["due_date"] for row in late})}
    for row in late:
        last = row["last_date"].isoformat() if row["last_date"] else _("从未协调")
        notify_role("cs_supervisor", title=format_lazy(_("{project}未按期与物业公司协调"), project=row["project"].name),
                    body=format_lazy(_("协调频次：{cadence}；上次协调：{last}；应于 {due_date} 前协调。"),
                                     cadence=row["cadence_label"], last=last, due_date=row["due_date"]),
                    url=url, target=gaps[(row["project"].pk, row["due_date"])], level="warning",
                    dedupe_key=f"liaison.cadence:{row['project'].pk}:{row['due_date'].isoformat()}")
    return len(late)


# --- Supervision -----------------------------------------------------------------------------

@transaction.atomic
def inspection_record(*, user, project, kind: str, date: dt.date, summary: str,
                      scores: dict[str, tuple[int, str]]) -> Inspection:
    """Record an inspection with its checklist scores by area (0-100); the total is their mean."""
    appointment = current_appointment(project, date)
    if appointment is None:
        raise ValidationError(_("该项目在检查日期没有受委托的物业公司。"))
    check_happened(date, label=_("检查日期"))
    for area, (score, _note) in scores.items():
        if not 0 <= int(score) <= 100:
            raise ValidationError(_("每项得分应在 0 到 100 之间。"))
    inspection = Inspection(number=f"JC{next_value('liaison.inspection'):06d}", project=project,
                            company=appointment.company, kind=kind, date=date, inspector=user, summary=summary)
    if scores:
        total = sum(Decimal(int(s)) for s, _note in scores.values()) / len(scores)
        inspection.score = total.quantize(Decimal("0.1"))
    inspection._history_user = user
    inspection.save()
    InspectionScore.objects.bulk_create([
        InspectionScore(inspection=inspection, area=area, score=int(score), note=note)
        for area, (score, note) in scores.items()])
    return inspection


@transaction.atomic
def finding_add(*, user, inspection: Inspection, area: str, description: str, photo=None,
                requirement: str = "", deadline: dt.date | None = None) -> Finding:
    """Add a finding (with a photo); with a requirement and deadline it also asks for a rectification."""
    finding = Finding(inspection=inspection, area=area, description=description)
    if photo:
        finding.photo.save(photo.name, photo, save=False)
    finding._history_user = user
    finding.save()
    if requirement:
        rectification_require(user=user, finding=finding, requirement=requirement, deadline=deadline)
    return finding


@transaction.atomic
def rectification_require(*, user, finding: Finding, requirement: str, deadline: dt.date | None) -> Rectification:
    if deadline is None:
        raise ValidationError(_("请填写整改期限。"))
    if deadline < finding.inspection.date:
        raise ValidationError(_("整改期限不能早于检查日期。"))
    rect = Rectification(finding=finding, project_id=finding.inspection.project_id, requirement=requirement,
                         deadline=deadline)
    rect._history_user = user
    rect.save()
    notify(recipients=_company_users(finding.inspection.company),
           title=format_lazy(_("整改通知：{requirement}"), requirement=requirement[:60]),
           body=format_lazy(_("{project}，整改期限 {deadline}，请整改后在系统中答复。"),
                            project=finding.inspection.project.name, deadline=deadline),
           url=rect.get_absolute_url(), target=rect, level="warning")
    return rect


def overdue_rectifications_escalate(on: dt.date | None = None) -> int:
    """Escalate open rectifications past their deadline: mark them (compare-and-set) and tell
    the supervisors once each."""
    on = on or _today()
    overdue = Rectification.objects.filter(status=Rectification.Status.OPEN, deadline__lt=on,
                                           escalated_at__isnull=True)
    rows = list(overdue.values_list("pk", "project__name", "requirement", "deadline"))
    if not rows:
        return 0
    ids = [r[0] for r in rows]
    update_with_history(Rectification.objects.filter(pk__in=ids, status=Rectification.Status.OPEN,
                                                     escalated_at__isnull=True),
                        {"escalated_at": timezone.now()}, ids=ids, reason=recorded(_("整改逾期，已上报主管")))
    for pk, project_name, requirement, deadline in rows:
        notify_role("cs_supervisor", title=format_lazy(_("{project}物业整改逾期：{requirement}"), project=project_name,
                                                       requirement=requirement[:40]),
                    body=format_lazy(_("整改期限 {deadline}，物业公司尚未答复。"), deadline=deadline),
                    url=reverse("property_liaison:rectification_detail", args=[pk]),
                    target=Rectification(pk=pk), level="danger",
                    dedupe_key=f"liaison.rectification_overdue:{pk}")
    return len(rows)


# --- Owners' committee -----------------------------------------------------------------------

def impossible_deliveries(project) -> list[tuple[str, dt.date]]:
    """The project's units whose stored delivery date is outside the master-data rule (stored
    before it: owners.validators), as (unit, date), for the committee page to name."""
    rows = Unit.objects.filter(project=project, delivery_date__isnull=False).select_related("building") \
        .order_by("building__name", "number")
    return [(str(u), u.delivery_date) for u in rows if not is_master_date(u.delivery_date)]


def project_committee_condition(project, on: dt.date | None = None):
    """The committee condition from the project's units. A delivery date outside the master-data
    rule counts as not delivered (1900-01-01 would have met the condition decades ago, 9999-12-31
    is past the calendar's end): the page names those units (``impossible_deliveries``)."""
    units = [(area, day if is_master_date(day) else None)
             for area, day in Unit.objects.filter(project=project).values_list("area", "delivery_date")]
    return committee_condition(
        units, area_percent=rule("liaison.committee_area_percent"),
        years=rule_int("liaison.committee_years_after_first_delivery"),
        min_percent_after_years=rule("liaison.committee_min_area_percent_after_years"),
        notice_days=rule_int("liaison.committee_notice_days"), today=on or _today(), cal=calendar())


@transaction.atomic
def committee_refresh(*, project, user=None) -> CommitteeFormation:
    """Recompute the condition date and the notice due date from the units (areas, deliveries)."""
    condition = project_committee_condition(project)
    formation, _created = CommitteeFormation.objects.get_or_create(project=project)
    if (formation.condition_date, formation.notice_due_date) != (condition.condition_date, condition.notice_due_date):
        formation.condition_date = condition.condition_date
        formation.notice_due_date = condition.notice_due_date
        formation._history_user = user
        formation._change_reason = recorded(_("按交付面积重新计算"))
        formation.save(update_fields=["condition_date", "notice_due_date"])
    return formation


def _previous_step(formation: CommitteeFormation) -> tuple[dt.date | None, str]:
    """The date of the step the formation has reached: the next one cannot be earlier."""
    return formation.step_date, gettext("上一步骤“{step}”的日期").format(step=formation.get_step_display())


@transaction.atomic
def committee_advance(*, user, formation: CommitteeFormation, step: str, on: dt.date, note: str = "") -> CommitteeFormation:
    """Record the next formation step (conditions met, preparatory group, …, registered)."""
    if step == "replaced":
        raise ValidationError(_("物业置换请使用“物业置换”操作。"))
    if step == "conditions_met" and (formation.condition_date is None or formation.condition_date > on):
        raise ValidationError(_("按交付面积计算，该项目尚未具备成立业主大会的条件。"))
    check_happened(on, label=_("本步骤日期"), after=[_previous_step(formation)])
    return COMMITTEE_WORKFLOW.fire(formation, step, user=user, updates={"step_date": on, "note": note})


def check_committee_change(user) -> None:
    """Record the committee's notice or recompute its condition: the committee change permission."""
    if not user.has_perm("property_liaison.change_committeeformation"):
        raise PermissionDenied(_("您不能办理业委会筹备事项。"))


def check_notice(user, formation: CommitteeFormation) -> None:
    check_committee_change(user)
    if formation.condition_date is None:
        raise ValidationError(_("尚未具备条件，无需报告。"))


@transaction.atomic
def committee_notify_authorities(*, user, formation: CommitteeFormation, on: dt.date) -> CommitteeFormation:
    """Record the written notice to the district housing office and the sub-district office."""
    check_notice(user, formation)
    check_happened(on, label=_("书面报告日期"), after=[(formation.condition_date, _("具备成立条件的日期"))])
    formation.authorities_notified_on = on
    formation._history_user = user
    formation.save(update_fields=["authorities_notified_on"])
    return formation


@transaction.atomic
def property_replace(*, user, formation: CommitteeFormation, on: dt.date, new_company_name: str) -> CommitteeFormation:
    """The owners replace the property company (置换): the appointment ends, so coordination is
    no longer required; warranty repairs go on."""
    if not new_company_name.strip():
        raise ValidationError(_("请填写接管的物业公司。"))
    check_happened(on, label=_("物业置换日期"), after=[_previous_step(formation)])
    formation = COMMITTEE_WORKFLOW.fire(formation, "replaced", user=user, updates={
        "replaced_on": on, "new_company_name": new_company_name, "step_date": on})
    for appointment in PropertyAppointment.objects.filter(project_id=formation.project_id).filter(
            Q(end_date__isnull=True) | Q(end_date__gt=on)):
        appointment.end_date = on
        appointment._history_user = user
        appointment._change_reason = recorded(_("物业置换"))
        appointment.save(update_fields=["end_date"])
    return formation


def committee_reminders(on: dt.date | None = None) -> int:
    """Refresh every project's condition date and remind the supervisors of a notice that is
    due and not yet recorded; once it is late, remind the supervisors and the managers again.
    Each reminder goes once per project and condition date."""
    on = on or _today()
    reminded = 0
    for project in Project.objects.all().only("pk", "name"):
        formation = committee_refresh(project=project)
        if not formation.condition_date or formation.condition_date > on or formation.authorities_notified_on:
            continue
        url = reverse("property_liaison:committee_detail", args=[project.pk])
        key = f"{project.pk}:{formation.condition_date.isoformat()}"
        reminded += bool(notify_role(
            "cs_supervisor", title=format_lazy(_("{project}已具备成立业主大会条件，请在 {due_date} 前书面报告"),
                                               project=project.name, due_date=formation.notice_due_date),
            body=format_lazy(_("具备条件日期：{condition_date}；须报告区房管部门和街道办事处。"),
                             condition_date=formation.condition_date),
            url=url, target=formation, level="warning", dedupe_key=f"liaison.committee_notice:{key}"))
        if formation.notice_due_date < on:
            for role in ("cs_supervisor", "manager"):
                reminded += bool(notify_role(
                    role, title=format_lazy(_("{project}业委会书面报告已逾期（期限 {due_date}）"), project=project.name,
                                            due_date=formation.notice_due_date),
                    body=format_lazy(_("具备条件日期：{condition_date}；尚未记录向区房管部门和街道办事处的书面报告。"),
                                     condition_date=formation.condition_date),
                    url=url, target=formation, level="danger", dedupe_key=f"liaison.committee_notice_late:{key}"))
    return reminded


# --- Warranty repairs ------------------------------------------------------------------------

def warranty_categories_ensure() -> int:
    """Create any missing default category; never overwrite an admin's period."""
    return ensure_default_categories(WarrantyCategory)


def warranty_end(delivery_date: dt.date | None, category: WarrantyCategory, cal=None) -> dt.date | None:
    """The last day to claim a warranty repair: the category's period after the delivery day
    (民法典 art. 201: the delivery day is not counted; art. 202: calendar months); a claim is a
    deadline to act, so a last day off moves to the next working day (art. 203)."""
    if delivery_date is None:
        return None
    return period_end(delivery_date, months=category.period_months, deadline=True, cal=cal)


def in_warranty(unit, category: WarrantyCategory, on: dt.date) -> tuple[bool, dt.date | None]:
    ends = warranty_end(unit.delivery_date, category)
    return (ends is not None and unit.delivery_date <= on <= ends), ends


def _check_delivery_date(unit) -> None:
    """A delivery date stored before the master-data rule (owners.validators) and outside it — a
    legacy system's 1900-01-01 or 9999-12-31 for "unknown" — would decide the warranty wrongly
    (a 1900 delivery: every repair paid by the owner), so the unit is corrected first."""
    if not is_master_date(unit.delivery_date):
        raise ValidationError(gettext("该房号的交付日期 {day} 有误，无法判断是否在保修期内；请先在房号资料中更正交付日期。")
                              .format(day=unit.delivery_date.isoformat()))


def _check_case_reference(user, unit, reference: str) -> None:
    """A repair taken over from a case names a case the user can see, of the unit's project."""
    from complaints.selectors import complaints_for

    if not reference:
        raise ValidationError(_("由案件转入的报修请填写案件编号。"))
    case = complaints_for(user).filter(number=reference).only("pk", "project_id").first()
    if case is None:
        raise ValidationError(gettext("未找到编号为 {reference} 的案件。").format(reference=reference))
    if case.project_id and case.project_id != unit.project_id:
        raise ValidationError(gettext("案件 {reference} 不属于该房号所在项目。").format(reference=reference))


@transaction.atomic
def repair_register(*, user, unit, category: WarrantyCategory, location: str, description: str,
                    reported_on: dt.date, source: str = RepairRequest.Source.OWNER, customer=None,
                    case_reference: str = "", photo=None) -> RepairRequest:
    """Register a repair request; whether it is in warranty is decided at once from the
    unit's delivery date and the category's period."""
    if unit.delivery_date is None:
        raise ValidationError(_("该房号尚未交付，不能登记保修维修。"))
    _check_delivery_date(unit)
    check_happened(reported_on, label=_("报修日期"), after=[(unit.delivery_date, _("房号交付日期"))])
    case_reference = case_reference.strip()
    if source == RepairRequest.Source.CASE:
        _check_case_reference(user, unit, case_reference)
    covered, ends = in_warranty(unit, category, reported_on)
    repair = RepairRequest(
        number=f"WX{next_value('liaison.repair'):06d}", project_id=unit.project_id, unit=unit, customer=customer,
        source=source, case_reference=case_reference, category=category, location=location,
        description=description, reported_on=reported_on, warranty_ends=ends, in_warranty=covered, created_by=user)
    if photo:
        repair.photo.save(photo.name, photo, save=False)
    repair._history_user = user
    repair.save()
    return repair


@transaction.atomic
def repair_assign(*, user, repair: RepairRequest, assignee: str, due_date: dt.date) -> RepairRequest:
    if not assignee.strip():
        raise ValidationError(_("请填写维修单位或人员。"))
    return REPAIR_WORKFLOW.fire(repair, "assign", user=user, updates={"assignee": assignee, "due_date": due_date})


@transaction.atomic
def repair_complete(*, user, repair: RepairRequest, on: dt.date, note: str) -> RepairRequest:
    """Completed (again, after the owner rejected the work): not before the report or an earlier completion."""
    check_happened(on, label=_("完工日期"), after=[(repair.reported_on, _("报修日期")),
                                               (repair.completed_on, _("上次完工日期"))])
    return REPAIR_WORKFLOW.fire(repair, "complete", user=user, updates={"completed_on": on, "completion_note": note})


@transaction.atomic
def repair_confirm(*, user, repair: RepairRequest, on: dt.date) -> RepairRequest:
    check_happened(on, label=_("业主确认日期"), after=[(repair.completed_on, _("完工日期"))])
    return REPAIR_WORKFLOW.fire(repair, "confirm", user=user, updates={"owner_confirmed_on": on})


@transaction.atomic
def repair_reject(*, user, repair: RepairRequest, note: str) -> RepairRequest:
    if not note.strip():
        raise ValidationError(_("请写明业主不认可的原因。"))
    return REPAIR_WORKFLOW.fire(repair, "reject", user=user,
                                updates={"completion_note": recorded(_("返修：{note}"), note=note)})


@transaction.atomic
def repair_visit(*, user, repair: RepairRequest, on: dt.date, note: str) -> RepairRequest:
    if not note.strip():
        raise ValidationError(_("请填写回访情况。"))
    check_happened(on, label=_("回访日期"), after=[(repair.completed_on, _("完工日期")),
                                               (repair.owner_confirmed_on, _("业主确认日期"))])
    return REPAIR_WORKFLOW.fire(repair, "visit", user=user, updates={"return_visit_on": on, "return_visit_note": note})
