"""Every write of the complaints app: one function per transition.

Each service checks the transition through the workflow (role and current state, a
compare-and-set in the database), records what happened on the case's timeline, moves
the SLA clocks, and notifies. Views and Celery tasks only call these.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.contrib.auth import get_user_model
from django.db.models import Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from crm.approvals import approval_decide, approval_submit, pending_for
from crm.calendar import calendar
from crm.notifications import notify, notify_role
from crm.roles import Role
from crm.rules import rule, rule_int
from crm.scopes import visible_projects
from crm.sequences import next_value

from . import sla
from .models import (
    LIVE_CLOCK_STATES, LONG_KINDS, NUMBER_PREFIX, OPEN_STATES, ClockState, Complaint, ComplaintReport,
    CorrectiveAction, DisposalPlan, Event, Kind, NegotiationRound, ReturnVisit, Severity, SlaClock, SlaRule,
    State, TimelineEntry,
)

SEVERITY_CLOCKS = [sla.MINOR, sla.IMPORTANT, sla.MAJOR_ANSWER, sla.MAJOR_RESOLVE]


def case_url(complaint) -> str:
    try:
        return reverse("complaints:detail", args=[complaint.pk])
    except NoReverseMatch:
        return ""


def digits(text: str) -> str:
    return "".join(ch for ch in (text or "") if ch.isdigit())


def timeline_add(complaint, user, kind: str, text: str) -> TimelineEntry:
    return TimelineEntry.objects.create(complaint=complaint, actor=user, kind=kind, text=text)


def _fire(complaint, name: str, *, user, updates: dict | None = None, text: str = "") -> Complaint:
    transition = complaint.workflow.check(complaint, name, user)
    complaint.workflow.fire(complaint, name, user=user, updates=updates)
    timeline_add(complaint, user, name, f"{transition.label}" + (f"：{text}" if text else ""))
    return complaint


def _check(complaint, name: str, user) -> None:
    complaint.workflow.check(complaint, name, user)


def _require(value: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError(message)
    return value.strip()


# --- SLA clocks -----------------------------------------------------------------------------


def _rules() -> dict[str, SlaRule]:
    return {r.code: r for r in SlaRule.objects.all()}


def clock_start(complaint, code: str, *, start: dt.datetime, requested_by=None, rules=None) -> SlaClock | None:
    """Start (or restart) the clock of rule ``code`` on a case."""
    spec = (rules or _rules()).get(code)
    if spec is None:
        return None
    times = sla.clock_times(calendar(), start, spec, rule("complaints.sla_warn_percent"), requested_by)
    clock, _ = SlaClock.objects.update_or_create(
        complaint=complaint, rule=spec,
        defaults={**times, "state": ClockState.RUNNING, "escalation": 0, "met_at": None, "breached_at": None,
                  "paused_at": None},
    )
    return clock


def clocks_stop(complaint_ids, codes, *, at: dt.datetime) -> int:
    """Stop live clocks: met if on time, late otherwise (two set-based updates)."""
    live = SlaClock.objects.filter(complaint_id__in=complaint_ids, rule__code__in=codes,
                                   state__in=[*LIVE_CLOCK_STATES, ClockState.PAUSED])
    met = live.filter(deadline__gte=at).update(state=ClockState.MET, met_at=at)
    late = live.update(state=ClockState.LATE, met_at=at)
    return met + late


def clocks_cancel(complaint_ids, codes) -> int:
    return SlaClock.objects.filter(
        complaint_id__in=complaint_ids, rule__code__in=codes, state__in=[*LIVE_CLOCK_STATES, ClockState.PAUSED]
    ).update(state=ClockState.CANCELLED)


def refresh_next_deadline(complaint_ids) -> None:
    """Denormalize the earliest live clock deadline onto the case (the register sorts by it)."""
    earliest = (
        SlaClock.objects.filter(complaint_id=OuterRef("pk"), state__in=LIVE_CLOCK_STATES)
        .values("complaint_id").annotate(m=Min("deadline")).values("m")[:1]
    )
    Complaint.objects.filter(pk__in=complaint_ids).update(next_deadline=Subquery(earliest))


# --- Registration ---------------------------------------------------------------------------


@transaction.atomic
def complaint_register(*, received_by, kind: str, channel: str, category: str, title: str, description: str,
                       project=None, customer=None, unit=None, complainant_name: str = "",
                       complainant_phone: str = "", received_at: dt.datetime | None = None, first_responder=None,
                       needs_transfer: bool = False, owner_requested_by=None, promised_by=None,
                       forwarded_by_company=None, event=None) -> Complaint:
    """Register a case (受理登记) with a readable number per kind and start its first clocks."""
    if kind not in Kind.values:
        raise ValidationError("请选择正确的类型。")
    project = project or (unit.project if unit else None) or (customer.project if customer else None)
    if project is None:
        raise ValidationError("请选择业主、房号或项目。")
    if not visible_projects(received_by).filter(pk=project.pk).exists():
        raise PermissionDenied("该项目不在您的权限范围内。")
    if unit is not None and unit.project_id != project.pk:
        raise ValidationError("房号不属于所选项目。")
    name = (complainant_name or (customer.name if customer else "")).strip()
    phone = (complainant_phone or (customer.phone if customer else "")).strip()
    if not name or not phone:
        raise ValidationError("请选择业主，或填写投诉人姓名和联系电话。")
    received_at = received_at or timezone.now()
    year = timezone.localtime(received_at).year
    number = f"{NUMBER_PREFIX[kind]}-{year}-{next_value(f'complaints.{kind}.{year}'):06d}"
    complaint = Complaint(
        number=number, kind=kind, channel=channel, category=category, title=title.strip(),
        description=description.strip(), project=project, customer=customer, unit=unit, complainant_name=name,
        complainant_phone=phone, phone_digits=digits(phone), received_at=received_at, received_by=received_by,
        first_responder=first_responder or received_by, needs_transfer=needs_transfer,
        owner_requested_by=owner_requested_by, promised_by=promised_by, forwarded_by_company=forwarded_by_company,
    )
    complaint._history_user = received_by
    complaint.save()
    source = f"（{forwarded_by_company}转交）" if forwarded_by_company else ""
    timeline_add(complaint, received_by, "register",
                 f"受理登记{source}：{complaint.get_kind_display()}，{complaint.get_channel_display()}，{title}")
    rules = _rules()
    if needs_transfer:
        clock_start(complaint, sla.TRANSFER, start=received_at, rules=rules)
    if kind == Kind.NEED:
        clock_start(complaint, sla.NEED_REPLY, start=received_at, requested_by=promised_by, rules=rules)
    refresh_next_deadline([complaint.pk])
    if event is not None:
        event_link(complaint=complaint, event=event, user=received_by)
    complaint.refresh_from_db()
    return complaint


@transaction.atomic
def complaint_transfer(*, complaint, user, department=None, handler=None, note: str = "") -> Complaint:
    """Transfer to the responsible department (within 10 minutes when the first responder cannot handle it)."""
    now = timezone.now()
    target = "、".join(str(x) for x in (department, handler) if x) or "责任部门"
    _fire(complaint, "transfer", user=user, updates={"department": department, "handler": handler},
          text=f"转交{target}{('，' + note) if note else ''}")
    clocks_stop([complaint.pk], [sla.TRANSFER], at=now)
    refresh_next_deadline([complaint.pk])
    if handler:
        notify(recipients=[handler], title=f"新转交的案件：{complaint.number}", body=complaint.title,
               url=case_url(complaint), dedupe_key=f"complaint:{complaint.pk}:handler:{handler.pk}")
    return complaint


def _notify_superiors(complaint, severity: str) -> None:
    if severity not in (Severity.MAJOR, Severity.IMPORTANT):
        return
    label = Severity(severity).label
    for role in (Role.CS_SUPERVISOR, Role.MANAGER):
        notify_role(role, title=f"{label}投诉：{complaint.number} {complaint.title}", body=complaint.major_reason,
                    url=case_url(complaint), level="warning", dedupe_key=f"complaint:{complaint.pk}:severity:{severity}")


@transaction.atomic
def complaint_classify(*, complaint, user, valid: bool, severity: str = "", reason: str = "") -> Complaint:
    """界定性质: invalid (explained, then closed) or valid with a severity; major and important
    cases are reported to the superiors at once."""
    now = timezone.now()
    if not valid:
        reason = _require(reason, "界定为无效时，请填写向业主的解释说明。")
        _fire(complaint, "classify_invalid", user=user,
              updates={"valid": False, "invalid_reason": reason, "classified_at": now, "closed_at": now}, text=reason)
        clocks_cancel([complaint.pk], [sla.TRANSFER])
        refresh_next_deadline([complaint.pk])
        return complaint
    if complaint.major_reason:
        severity = Severity.MAJOR  # an automatic rule already made it major
    if severity not in Severity.values:
        raise ValidationError("请选择严重程度（重大、重要或轻微）。")
    _fire(complaint, "classify_valid", user=user,
          updates={"valid": True, "severity": severity, "classified_at": now},
          text=f"有效，{Severity(severity).label}" + (f"（{reason}）" if reason else ""))
    clocks_stop([complaint.pk], [sla.TRANSFER], at=now)
    rules = _rules()
    for code in sla.SEVERITY_RULES[severity]:
        clock_start(complaint, code, start=complaint.received_at,
                    requested_by=complaint.owner_requested_by if code == sla.MINOR else None, rules=rules)
    refresh_next_deadline([complaint.pk])
    _notify_superiors(complaint, severity)
    return complaint


@transaction.atomic
def complaint_investigate(*, complaint, user, cause: str, responsibility: str) -> Complaint:
    cause = _require(cause, "请填写原因分析。")
    responsibility = _require(responsibility, "请填写责任认定。")
    updates = {"cause": cause, "responsibility": responsibility}
    if complaint.handler_id is None:
        updates["handler"] = user
    return _fire(complaint, "investigate", user=user, updates=updates, text=f"原因：{cause}；责任：{responsibility}")


# --- Disposal plan and its approval ---------------------------------------------------------


@transaction.atomic
def plan_submit(*, complaint, user, content: str) -> DisposalPlan:
    """Submit a new version of the disposal plan to the approver the authority matrix names."""
    content = _require(content, "请填写处置方案内容。")
    _check(complaint, "submit_plan", user)
    version = complaint.plans.count() + 1
    approval = approval_submit(
        target=complaint, subject="complaints.disposal_plan", title=f"{complaint.number} 处置方案",
        content=content, submitted_by=user, level=complaint.severity, snapshot={"severity": complaint.severity},
        url=case_url(complaint),
    )
    plan = DisposalPlan(complaint=complaint, version=approval.version, content=content, approval=approval,
                        drafted_by=user)
    plan._history_user = user
    plan.save()
    _fire(complaint, "submit_plan", user=user, text=f"第{version}版：{content}")
    return plan


@transaction.atomic
def plan_decide(*, complaint, user, approve: bool, comment: str = "") -> DisposalPlan:
    """Approve or reject the pending plan version; the case moves on in the same transaction."""
    name = "approve_plan" if approve else "reject_plan"
    _check(complaint, name, user)
    pending = pending_for(complaint)
    if pending is None:
        raise ValidationError("没有待审批的方案。")
    approval_decide(request_id=pending.pk, user=user, approve=approve, comment=comment, url=case_url(complaint))
    plan = DisposalPlan.objects.get(approval=pending)
    verdict = "批准" if approve else "驳回"
    _fire(complaint, name, user=user, text=f"第{plan.version}版{verdict}" + (f"，意见：{comment}" if comment else ""))
    return plan


@transaction.atomic
def negotiation_record(*, complaint, user, agreed: bool, owner_opinion: str) -> NegotiationRound:
    """One negotiation round (磋商) of the approved plan; the first round is the clear answer."""
    owner_opinion = _require(owner_opinion, "请记录业主意见。")
    name = "negotiate_agree" if agreed else "negotiate_fail"
    _check(complaint, name, user)
    plan = complaint.plans.order_by("-version").first()
    round_ = NegotiationRound(complaint=complaint, plan=plan, number=complaint.rounds.count() + 1, agreed=agreed,
                              owner_opinion=owner_opinion, by=user)
    round_._history_user = user
    round_.save()
    _fire(complaint, name, user=user, text=f"第{round_.number}轮（方案第{plan.version}版）：{owner_opinion}")
    clocks_stop([complaint.pk], [sla.MAJOR_ANSWER], at=timezone.now())
    refresh_next_deadline([complaint.pk])
    return round_


@transaction.atomic
def complaint_execute(*, complaint, user, result: str) -> Complaint:
    """处置 and check the result: the disposal clocks stop, the return-visit clock starts."""
    result = _require(result, "请填写处置及检查结果。")
    now = timezone.now()
    _fire(complaint, "execute", user=user, updates={"execution_result": result, "disposed_at": now}, text=result)
    clocks_stop([complaint.pk], SEVERITY_CLOCKS, at=now)
    clock_start(complaint, sla.RETURN_VISIT, start=now)
    refresh_next_deadline([complaint.pk])
    return complaint


@transaction.atomic
def complaint_feedback(*, complaint, user, feedback: str, owner_opinion: str = "") -> Complaint:
    feedback = _require(feedback, "请填写反馈内容。")
    return _fire(complaint, "feedback", user=user, updates={"feedback_text": feedback, "owner_opinion": owner_opinion},
                 text=f"{feedback}" + (f"；业主意见：{owner_opinion}" if owner_opinion else ""))


@transaction.atomic
def correction_send(*, complaint, user, method: str, departments: str, action: str) -> CorrectiveAction:
    """Send the cause to the departments concerned by a meeting or a numbered 工作联系函."""
    departments = _require(departments, "请填写相关部门。")
    action = _require(action, "请填写纠正和预防措施。")
    if method not in CorrectiveAction.Method.values:
        raise ValidationError("请选择会议或工作联系函。")
    _check(complaint, "send_correction", user)
    letter = ""
    if method == CorrectiveAction.Method.LETTER:
        year = timezone.localdate().year
        letter = f"GZLXF-{year}-{next_value(f'complaints.letter.{year}'):04d}"
    correction = CorrectiveAction(complaint=complaint, method=method, letter_number=letter,
                                  departments=departments, action=action, sent_by=user)
    correction._history_user = user
    correction.save()
    _fire(complaint, "send_correction", user=user,
          text=f"{correction.get_method_display()}{letter}，发往{departments}：{action}")
    return correction


@transaction.atomic
def correction_verify(*, complaint, user, verification: str) -> CorrectiveAction:
    verification = _require(verification, "请填写验证结果。")
    _check(complaint, "verify_correction", user)
    correction = complaint.corrections.order_by("-sent_at").first()
    correction.verification, correction.verified_by, correction.verified_at = verification, user, timezone.now()
    correction._history_user = user
    correction.save(update_fields=["verification", "verified_by", "verified_at"])
    _fire(complaint, "verify_correction", user=user, text=verification)
    return correction


@transaction.atomic
def return_visit_record(*, complaint, user, handled: bool, satisfaction: int, more_needs: str = "") -> ReturnVisit:
    """回访: was it handled, was the owner satisfied, anything else."""
    if satisfaction not in range(1, 6):
        raise ValidationError("满意度请选择 1 到 5。")
    _check(complaint, "return_visit", user)
    visit = ReturnVisit(complaint=complaint, handled=handled, satisfaction=satisfaction, more_needs=more_needs,
                        by=user)
    visit._history_user = user
    visit.save()
    _fire(complaint, "return_visit", user=user, updates={"satisfaction": satisfaction},
          text=f"{'已处理' if handled else '未处理'}，满意度{satisfaction}" + (f"，其他需求：{more_needs}" if more_needs else ""))
    clocks_stop([complaint.pk], [sla.RETURN_VISIT], at=timezone.now())
    refresh_next_deadline([complaint.pk])
    return visit


@transaction.atomic
def complaint_reply(*, complaint, user, reply: str) -> Complaint:
    """Answer a need, suggestion, enquiry or praise (the short path)."""
    reply = _require(reply, "请填写答复内容。")
    _fire(complaint, "reply", user=user, updates={"reply_text": reply}, text=reply)
    clocks_stop([complaint.pk], [sla.NEED_REPLY, sla.TRANSFER], at=timezone.now())
    refresh_next_deadline([complaint.pk])
    return complaint


@transaction.atomic
def complaint_close(*, complaint, user, note: str = "") -> Complaint:
    _fire(complaint, "close", user=user, updates={"closed_at": timezone.now()}, text=note)
    clocks_cancel([complaint.pk], [r for r in sla.SEVERITY_RULES["major"] + [sla.TRANSFER]])
    refresh_next_deadline([complaint.pk])
    return complaint


@transaction.atomic
def complaint_archive(*, complaint, user) -> Complaint:
    return _fire(complaint, "archive", user=user)


# --- Events and the automatic major rules ---------------------------------------------------


@transaction.atomic
def event_create(*, project, title: str, user) -> Event:
    event = Event(project=project, title=_require(title, "请填写事件名称。"), created_by=user)
    event._history_user = user
    event.save()
    return event


def _distinct_owner_count(event) -> int:
    owners = (
        Complaint.objects.filter(event=event, kind__in=LONG_KINDS)
        .annotate(who=Coalesce("customer__code", "phone_digits", Value("")))
        .values("who").distinct()
    )
    return owners.count()


@transaction.atomic
def event_link(*, complaint, event, user) -> Complaint:
    """Link a case to an event; five or more distinct owners make all its complaints major."""
    if event.project_id != complaint.project_id:
        raise ValidationError("事件与案件不属于同一项目。")
    Complaint.objects.filter(pk=complaint.pk).update(event=event)
    complaint.event = event
    timeline_add(complaint, user, "event", f"关联事件：{event.title}")
    threshold = rule_int("complaints.event_major_owner_count")
    count = _distinct_owner_count(event)
    if count >= threshold:
        ids = list(Complaint.objects.filter(event=event, kind__in=LONG_KINDS, state__in=OPEN_STATES)
                   .exclude(severity=Severity.MAJOR).values_list("pk", flat=True))
        make_major(ids, reason=f"同一事件“{event.title}”已有{count}户业主投诉（≥{threshold}户）", user=user)
        Event.objects.filter(pk=event.pk, major_at__isnull=True).update(major_at=timezone.now())
    return complaint


def make_major(ids, *, reason: str, user=None) -> list[int]:
    """Make cases major (set-based, compare-and-set on the severity): record the reason,
    swap classified cases' severity clocks for the major ones, tell the superiors."""
    ids = list(ids)
    if not ids:
        return []
    candidates = Complaint.objects.filter(pk__in=ids).exclude(severity=Severity.MAJOR)
    changed = list(candidates.values_list("pk", flat=True))
    if not changed:
        return []
    Complaint.objects.filter(pk__in=changed).exclude(severity=Severity.MAJOR).update(
        severity=Severity.MAJOR, major_reason=reason[:200])
    classified = list(Complaint.objects.filter(pk__in=changed, valid=True, disposed_at__isnull=True)
                      .only("pk", "received_at"))
    clocks_cancel([c.pk for c in classified], [sla.MINOR, sla.IMPORTANT])
    rules = _rules()
    cal, warn = calendar(), rule("complaints.sla_warn_percent")
    new_clocks = []
    for case in classified:  # only the cases that just changed
        for code in (sla.MAJOR_ANSWER, sla.MAJOR_RESOLVE):
            spec = rules.get(code)
            if spec:
                new_clocks.append(SlaClock(complaint_id=case.pk, rule=spec,
                                           **sla.clock_times(cal, case.received_at, spec, warn)))
    SlaClock.objects.bulk_create(new_clocks, ignore_conflicts=True)
    refresh_next_deadline(changed)
    TimelineEntry.objects.bulk_create(
        [TimelineEntry(complaint_id=pk, actor=user, kind="major", text=f"升级为重大投诉：{reason}") for pk in changed])
    numbers = list(Complaint.objects.filter(pk__in=changed).values_list("number", flat=True))
    key = hashlib.sha1(",".join(map(str, sorted(changed))).encode()).hexdigest()[:16]
    for role in (Role.CS_SUPERVISOR, Role.MANAGER):
        notify_role(role, title=f"升级为重大投诉：{'、'.join(numbers[:5])}{'等' if len(numbers) > 5 else ''}",
                    body=reason, level="danger", dedupe_key=f"complaints:major:{key}")
    return changed


def auto_major(now: dt.datetime | None = None) -> list[int]:
    """A valid complaint unresolved after N days (rule) becomes major. Safe to run twice."""
    now = now or timezone.now()
    days = rule_int("complaints.unresolved_major_days")
    ids = list(Complaint.objects.filter(
        kind__in=LONG_KINDS, valid=True, disposed_at__isnull=True, state__in=OPEN_STATES,
        received_at__lte=now - dt.timedelta(days=days),
    ).exclude(severity=Severity.MAJOR).values_list("pk", flat=True))
    return make_major(ids, reason=f"有效投诉超过{days}天未解决")


# --- Pauses and extensions ------------------------------------------------------------------


@transaction.atomic
def clock_pause(*, clock, user, reason: str) -> SlaClock:
    reason = _require(reason, "请填写暂停原因。")
    now = timezone.now()
    changed = SlaClock.objects.filter(pk=clock.pk, state__in=LIVE_CLOCK_STATES).update(
        state=ClockState.PAUSED, paused_at=now, paused_reason=reason, paused_by=user)
    if not changed:
        raise ValidationError("该时限当前不能暂停。")
    clock.refresh_from_db()
    timeline_add(clock.complaint, user, "clock", f"暂停时限“{clock.rule.name}”：{reason}")
    refresh_next_deadline([clock.complaint_id])
    return clock


@transaction.atomic
def clock_resume(*, clock, user) -> SlaClock:
    now = timezone.now()
    clock = SlaClock.objects.select_for_update(of=("self",)).select_related("rule", "complaint").get(pk=clock.pk)
    if clock.state != ClockState.PAUSED:
        raise ValidationError("该时限没有暂停。")
    times = {"deadline": clock.deadline, "warn_at": clock.warn_at, "escalate_at": clock.escalate_at}
    moved, paused = sla.shift_after_pause(calendar(), times, clock.paused_at, now, clock.rule.working_time)
    SlaClock.objects.filter(pk=clock.pk).update(**moved, state=ClockState.RUNNING, paused_at=None,
                                                paused_total=clock.paused_total + paused)
    minutes = int(paused.total_seconds() // 60)
    timeline_add(clock.complaint, user, "clock",
                 f"恢复时限“{clock.rule.name}”（暂停原因：{clock.paused_reason}，暂停{minutes}分钟，"
                 f"暂停人：{clock.paused_by}）")
    refresh_next_deadline([clock.complaint_id])
    clock.refresh_from_db()
    return clock


@transaction.atomic
def extension_request(*, clock, user, reason: str, new_deadline: dt.datetime):
    """Ask for a longer limit; the rule's approver (by severity, crm matrix) decides."""
    reason = _require(reason, "请填写延期原因。")
    if new_deadline <= clock.deadline:
        raise ValidationError("新的截止时间应晚于当前截止时间。")
    complaint = clock.complaint
    request = approval_submit(
        target=clock, subject="complaints.extension", title=f"{complaint.number} {clock.rule.name}延期",
        content=reason, submitted_by=user, level=complaint.severity,
        snapshot={"deadline": new_deadline.isoformat()}, url=case_url(complaint))
    timeline_add(complaint, user, "extension",
                 f"申请延长“{clock.rule.name}”至{timezone.localtime(new_deadline):%Y-%m-%d %H:%M}：{reason}")
    return request


@transaction.atomic
def extension_decide(*, clock, user, approve: bool, comment: str = ""):
    pending = pending_for(clock)
    if pending is None:
        raise ValidationError("没有待审批的延期申请。")
    approval_decide(request_id=pending.pk, user=user, approve=approve, comment=comment,
                    url=case_url(clock.complaint))
    if approve:
        deadline = dt.datetime.fromisoformat(pending.snapshot["deadline"])
        warn = sla.fraction_point(calendar(), clock.started_at, deadline, rule("complaints.sla_warn_percent"),
                                  clock.rule.working_time)
        SlaClock.objects.filter(pk=clock.pk).update(
            deadline=deadline, warn_at=warn, escalate_at=deadline + (deadline - clock.started_at) / 2,
            state=ClockState.RUNNING, escalation=0, breached_at=None)
        refresh_next_deadline([clock.complaint_id])
    timeline_add(clock.complaint, user, "extension",
                 f"{'批准' if approve else '驳回'}“{clock.rule.name}”延期" + (f"：{comment}" if comment else ""))
    clock.refresh_from_db()
    return clock


# --- Beat jobs ------------------------------------------------------------------------------


def _notify_clock_batch(clock_ids, *, stage: str, roles=(), to_handlers=True, level="warning") -> int:
    """One notification per recipient for a batch of clocks that just changed."""
    if not clock_ids:
        return 0
    rows = list(SlaClock.objects.filter(pk__in=clock_ids).values_list(
        "pk", "complaint__number", "complaint__handler_id", "complaint__first_responder_id", "rule__name"))
    label = {"warn": "即将超时", "breach": "已超时", "manager": "超时未处理"}[stage]
    sent = 0
    if to_handlers:
        by_user: dict[int, list] = {}
        for pk, number, handler, responder, name in rows:
            by_user.setdefault(handler or responder, []).append((pk, f"{number} {name}"))
        users = {u.pk: u for u in get_user_model().objects.filter(pk__in=by_user)}
        for uid, items in by_user.items():
            for pk, text in items:
                sent += notify(recipients=[users.get(uid)], title=f"时限{label}：{text}", level=level,
                               dedupe_key=f"sla:{pk}:{stage}")
    for role in roles:
        summary = "；".join(f"{n} {name}" for _, n, _, _, name in rows[:10])
        key = hashlib.sha1(",".join(str(r[0]) for r in rows).encode()).hexdigest()[:16]
        sent += notify_role(role, title=f"{len(rows)}项时限{label}", body=summary, level=level,
                            dedupe_key=f"sla:{stage}:{role}:{key}")
    return sent


def sla_scan(now: dt.datetime | None = None) -> dict:
    """Every minute: warn at N% of a clock, mark breaches, escalate handler → supervisor →
    manager. Each step is a compare-and-set on the clock's state/escalation, so a second run
    finds nothing to change and notifies nobody again."""
    now = now or timezone.now()
    # 1. Breaches (running or at risk, deadline passed).
    breach_ids = list(SlaClock.objects.filter(state__in=[ClockState.RUNNING, ClockState.AT_RISK],
                                              deadline__lte=now).values_list("pk", flat=True))
    SlaClock.objects.filter(pk__in=breach_ids, state__in=[ClockState.RUNNING, ClockState.AT_RISK]).update(
        state=ClockState.BREACHED, breached_at=now, escalation=2)
    # 2. Warnings.
    warn_ids = list(SlaClock.objects.filter(state=ClockState.RUNNING, warn_at__lte=now, escalation=0)
                    .values_list("pk", flat=True))
    SlaClock.objects.filter(pk__in=warn_ids, state=ClockState.RUNNING, escalation=0).update(
        state=ClockState.AT_RISK, escalation=1)
    # 3. Breached long enough: the manager.
    manager_ids = list(SlaClock.objects.filter(state=ClockState.BREACHED, escalation=2, escalate_at__lte=now)
                       .values_list("pk", flat=True))
    SlaClock.objects.filter(pk__in=manager_ids, escalation=2).update(escalation=3)
    _notify_clock_batch(warn_ids, stage="warn")
    _notify_clock_batch(breach_ids, stage="breach", roles=(Role.CS_SUPERVISOR,), level="danger")
    _notify_clock_batch(manager_ids, stage="manager", roles=(Role.MANAGER,), to_handlers=False, level="danger")
    return {"warned": len(warn_ids), "breached": len(breach_ids), "to_manager": len(manager_ids)}


def return_visit_reminders(now: dt.datetime | None = None) -> int:
    """Tell the customer assistants which return visits are due (once per clock and day)."""
    now = now or timezone.now()
    rows = list(SlaClock.objects.filter(rule__code=sla.RETURN_VISIT, state__in=LIVE_CLOCK_STATES)
                .values_list("pk", "complaint__number", "deadline")[:200])
    if not rows:
        return 0
    day = timezone.localdate(now).isoformat()
    body = "\n".join(f"{n} 截止{timezone.localtime(d):%m-%d %H:%M}" for _, n, d in rows)
    key = hashlib.sha1(",".join(str(r[0]) for r in rows).encode()).hexdigest()[:12]
    try:
        url = reverse("complaints:register") + "?queue=visits"
    except NoReverseMatch:
        url = ""
    return notify_role(Role.FRONT_DESK, title=f"待回访 {len(rows)} 件", body=body, url=url,
                       dedupe_key=f"complaints:visits:{day}:{key}")


def report_build(*, period: str, start: dt.date, end: dt.date) -> ComplaintReport:
    """Store the daily or weekly statistics and tell the managers (once per period)."""
    from .selectors import report_data

    data = report_data(start=start, end=end)
    report, _ = ComplaintReport.objects.update_or_create(period=period, start=start,
                                                         defaults={"end": end, "data": data})
    name = "日报" if period == "daily" else "周报"
    notify_role(Role.MANAGER, title=f"投诉{name}（{start}～{end}）：共{data['total']}件",
                dedupe_key=f"complaints:report:{period}:{start}")
    return report


def daily_report(today: dt.date | None = None) -> ComplaintReport:
    day = (today or timezone.localdate()) - dt.timedelta(days=1)
    return report_build(period="daily", start=day, end=day)


def weekly_report(today: dt.date | None = None) -> ComplaintReport:
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    return report_build(period="weekly", start=monday, end=monday + dt.timedelta(days=6))



@transaction.atomic
def attachment_add(*, complaint, user, upload):
    """Store an attachment (already validated for size and type by the form)."""
    from .models import Attachment

    item = Attachment(complaint=complaint, file=upload, name=upload.name[:200], size=upload.size,
                      content_type=getattr(upload, "content_type", "")[:100], uploaded_by=user)
    item._history_user = user
    item.save()
    timeline_add(complaint, user, "attachment", f"上传附件：{item.name}（{item.size // 1024} KB）")
    return item
