"""Every write to the SLA clocks (服务时限) of a case, and the jobs that watch them.

Starting, stopping and cancelling clocks (called by the workflow services in the same
transaction), pauses and extensions (their own services), the automatic major rules (a
valid complaint unresolved after N days; five owners on one event) and the beat jobs: the
SLA scan (warn at the rule's percent, mark breaches, escalate handler → supervisor →
manager at the rule's percent) and the return-visit reminders. The deadlines themselves are
pure functions in ``sla.py``. A clock's state moves only through its declared workflow
(``models.CLOCK_FLOW``): one clock by ``fire``, many by ``fire_many``, each change with its
history row. Every job is set-based and a compare-and-set, so a second run changes and
notifies nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Min, OuterRef, Q, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _now
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from crm.approvals import APPROVE, SUBMIT, approval_decide, approval_submit
from crm.calendar import calendar, elapsed_cutoff_at
from crm.languages import recorded
from crm.models import Notification
from crm.notifications import Target, notify_many, notify_role
from crm.roles import Role
from crm.rules import rule, rule_int
from crm.sql import id_chunks, ids_in
from crm.workflow import TransitionNotAllowed, update_with_history
from owners.identity import Contact, count_owners

from . import sla
from .models import (
    CLOCK_FLOW, LIVE_CLOCK_STATES, LONG_KINDS, OPEN_STATES, ClockState, Complaint, Severity, SlaClock, SlaRule,
    TimelineEntry,
)
from .timeline import case_url, case_urls, check_writable, ensure_open, require, timeline_add

SEVERITY_CLOCKS = [sla.MINOR, sla.IMPORTANT, sla.MAJOR_ANSWER, sla.MAJOR_RESOLVE]


def sla_rules() -> dict[str, SlaRule]:
    """The clock rules by code (``ensure_default_rules`` keeps the defaults present)."""
    return {r.code: r for r in SlaRule.objects.all()}


def ensure_default_rules(using: str = "default") -> dict[str, SlaRule]:
    """Create the default rule of every clock that has none; never overwrite an admin's value.
    Runs after every migrate and flush (apps.py), so a wiped or restored database still
    starts every clock."""
    for spec in sla.DEFAULT_RULES:
        SlaRule.objects.using(using).get_or_create(code=spec.code, defaults={
            "name": spec.name, "amount": spec.amount, "unit": spec.unit,
            "working_time": spec.working_time,
        })
    return {r.code: r for r in SlaRule.objects.using(using).all()}


def _percents() -> tuple:
    return rule("complaints.sla_warn_percent"), rule("complaints.sla_manager_percent")


def clock_start(complaint, code: str, *, start: dt.datetime, requested_by=None, promised_by=None,
                rules=None) -> SlaClock:
    """Start (or restart) the clock of rule ``code`` on a case (``sla.deadline_for``: a requested
    time only shortens the limit, a promised one replaces it)."""
    spec = (rules or sla_rules()).get(code)
    if spec is None:
        raise ValidationError(_now("缺少服务时限规则“{code}”，请系统管理员在基础设置中补充。").format(code=code))
    warn, manager = _percents()
    times = sla.clock_times(calendar(), start, spec, warn, requested_by, promised_by=promised_by,
                            manager_percent=manager)
    clock, _created = SlaClock.objects.update_or_create(
        complaint=complaint, rule=spec,
        defaults={**times, "state": ClockState.RUNNING, "escalation": 0, "met_at": None, "breached_at": None,
                  "paused_at": None},
    )
    return clock


def clocks_stop(complaint_ids, codes, *, at: dt.datetime) -> int:
    """Stop the clocks still running (or paused): met if on time, late otherwise (two set-based
    transitions of the clock's workflow, each with its history rows)."""
    clocks = SlaClock.objects.filter(complaint_id__in=complaint_ids, rule__code__in=codes)
    met = CLOCK_FLOW.fire_many(clocks.filter(deadline__gte=at), "meet", at=at)
    late = CLOCK_FLOW.fire_many(clocks, "finish_late", at=at)
    return len(met) + len(late)


def clocks_cancel(complaint_ids, codes) -> int:
    """Cancel the clocks still running (or paused): the case no longer needs them."""
    clocks = SlaClock.objects.filter(complaint_id__in=complaint_ids, rule__code__in=codes)
    return len(CLOCK_FLOW.fire_many(clocks, "cancel"))


def refresh_next_deadline(complaint_ids) -> None:
    """Denormalize the earliest live clock deadline onto the case (the register sorts by it)."""
    earliest = (
        SlaClock.objects.filter(complaint_id=OuterRef("pk"), state__in=LIVE_CLOCK_STATES)
        .values("complaint_id").annotate(m=Min("deadline")).values("m")[:1]
    )
    Complaint.objects.filter(pk__in=complaint_ids).update(next_deadline=Subquery(earliest))


# --- The automatic major rules --------------------------------------------------------------


def make_major(cases, *, reason: str, user=None) -> list[int]:
    """Make cases major (set-based, compare-and-set on the severity): record the reason,
    swap classified cases' severity clocks for the major ones, tell the superiors once.

    ``cases`` is a list of ids or a queryset of cases; either is taken ``CHUNK_SIZE`` cases at a
    time, each chunk in its own transaction, so that no statement carries a longer id list and
    the cost per case stays the same however many are due. One notice names them all."""
    rules, cal, (warn, manager) = sla_rules(), calendar(), _percents()
    # The notice lists the first five in the register's order (newest received first).
    wave = _Wave(keep=5, order=lambda row: (-row[0].timestamp(), row[1]))
    changed = []
    for ids in id_chunks(cases, CHUNK_SIZE):
        with transaction.atomic():
            rows = _make_major_chunk(ids, reason=reason, user=user, rules=rules, cal=cal, warn=warn,
                                     manager=manager)
        changed += [pk for _, pk, _ in rows]
        wave.add([pk for _, pk, _ in rows], rows)
    if not changed:
        return []
    numbers = [number for _, _, number in wave.first]
    for role in (Role.CS_SUPERVISOR, Role.MANAGER):
        title = (format_lazy(_("升级为重大投诉：{numbers}等"), numbers="、".join(numbers)) if wave.count > len(numbers)
                 else format_lazy(_("升级为重大投诉：{numbers}"), numbers="、".join(numbers)))
        notify_role(role, title=title, body=reason, level="danger", dedupe_key=f"complaints:major:{wave.key}")
    return changed


def _make_major_chunk(ids, *, reason, user, rules, cal, warn, manager) -> list[tuple]:
    """One chunk of ``make_major``, in the caller's transaction: the cases still open and not
    major are locked (waiting for a writer that holds one, then read again), changed, and
    returned as (received_at, id, number)."""
    rows = list(Complaint.objects.select_for_update().filter(pk__in=ids, state__in=OPEN_STATES)
                .exclude(severity=Severity.MAJOR).order_by("pk")  # locks taken in one order: no deadlock
                .values_list("received_at", "pk", "number", "valid", "disposed_at"))
    if not rows:
        return []
    changed = [pk for _, pk, *_ in rows]
    # Compare-and-set as well as the lock: a case made major meanwhile (by a writer the lock did not
    # hold back) keeps that classification, and only the cases this write changed go on, each
    # with its history row.
    written = {case.pk for case in update_with_history(
        Complaint.objects.filter(pk__in=changed).exclude(severity=Severity.MAJOR),
        {"severity": Severity.MAJOR, "major_reason": recorded(reason)[:200]}, ids=changed, user=user,
        reason=recorded(_("升级为重大投诉：{reason}"), reason=recorded(reason))[:100])}
    rows = [row for row in rows if row[1] in written]
    if not rows:
        return []
    changed = [pk for _, pk, *_ in rows]
    classified = [(pk, received) for received, pk, _, valid, disposed in rows if valid is True and disposed is None]
    clocks_cancel([pk for pk, _ in classified], [sla.MINOR, sla.IMPORTANT])
    new_clocks = []
    for pk, received in classified:  # only the cases that just changed
        for code in (sla.MAJOR_ANSWER, sla.MAJOR_RESOLVE):
            spec = rules.get(code)
            if spec:
                new_clocks.append(SlaClock(complaint_id=pk, rule=spec, **sla.clock_times(
                    cal, received, spec, warn, manager_percent=manager)))
    SlaClock.objects.bulk_create(new_clocks, ignore_conflicts=True)
    refresh_next_deadline(changed)
    text = recorded(_("升级为重大投诉：{reason}"), reason=recorded(reason))
    TimelineEntry.objects.bulk_create([TimelineEntry(complaint_id=pk, actor=user, kind="major", text=text)
                                       for pk in changed])
    return [(received, pk, number) for received, pk, number, *_ in rows]


def auto_major(now: dt.datetime | None = None) -> list[int]:
    """A valid complaint unresolved after N days (rule) becomes major. Safe to run twice.

    N days are elapsed time under 民法典 art. 201: received on the 1st, 7 days end at the end
    of the 8th, so the case becomes major on the 9th; a holiday does not move it."""
    now = now or timezone.now()
    days = rule_int("complaints.unresolved_major_days")
    due = Complaint.objects.filter(
        kind__in=LONG_KINDS, valid=True, disposed_at__isnull=True, state__in=OPEN_STATES,
        received_at__lt=elapsed_cutoff_at(now, days=days),
    ).exclude(severity=Severity.MAJOR)
    return make_major(due, reason=format_lazy(_("有效投诉超过{days}天未解决"), days=days))


def event_major_check(event, *, user=None) -> list[int]:
    """Five or more distinct owners (rule) on one event make all its open complaints major.

    Distinct owners by ``owners.identity``: an owner found by the phone lookup once and typed
    by name and phone another time is one owner."""
    count = count_owners(Contact(customer, phone, name) for customer, phone, name in
                         Complaint.objects.filter(event=event, kind__in=LONG_KINDS)
                         .values_list("customer_id", "complainant_phone", "complainant_name"))
    threshold = rule_int("complaints.event_major_owner_count")
    if count < threshold:
        return []
    ids = list(Complaint.objects.filter(event=event, kind__in=LONG_KINDS, state__in=OPEN_STATES)
               .exclude(severity=Severity.MAJOR).values_list("pk", flat=True))
    changed = make_major(ids, reason=format_lazy(_("同一事件“{title}”已有{count}户业主投诉（≥{threshold}户）"),
                                                 title=event.title, count=count, threshold=threshold), user=user)
    update_with_history(type(event).objects.filter(pk=event.pk, major_at__isnull=True), {"major_at": timezone.now()},
                        user=user, reason=recorded(_("同一事件已有{count}户业主投诉，升级为重大"), count=count)[:100])
    return changed


# --- Pauses and extensions ------------------------------------------------------------------


CLOCK_REFUSALS = {"pause": _("该时限当前不能暂停。"), "resume": _("该时限没有暂停。")}


def check_clock_state(clock, op: str) -> None:
    """Whether the clock's state allows ``op`` (pause, resume: the sources of its transition in
    ``CLOCK_FLOW``; extend); with ``check_writable`` the rule for both the case page's clock
    forms and the services below."""
    if op in CLOCK_REFUSALS and clock.state not in CLOCK_FLOW.get(op).sources:
        raise ValidationError(CLOCK_REFUSALS[op])
    if op == "extend" and clock.state not in EXTENDABLE_STATES:
        raise ValidationError(_("该时限已结束，不能申请延期。"))


def clock_ops(complaint, clocks, user) -> dict[int, set[str]]:
    """{clock id: the operations ``user`` may take on it now} for the case page."""
    from crm.workflow import allowed

    if not allowed(check_writable, complaint, user):
        return {}
    return {c.pk: {op for op in ("pause", "resume", "extend") if allowed(check_clock_state, c, op)} for c in clocks}


@transaction.atomic
def clock_pause(*, clock, user, reason: str) -> SlaClock:
    reason = require(reason, _("请填写暂停原因。"))
    check_writable(clock.complaint, user)
    check_clock_state(clock, "pause")
    try:  # who and when are the transition's stamps
        clock = CLOCK_FLOW.fire(clock, "pause", user=user, updates={"paused_reason": reason})
    except TransitionNotAllowed:  # paused or stopped meanwhile
        raise ValidationError(CLOCK_REFUSALS["pause"]) from None
    timeline_add(clock.complaint, user, "clock", recorded(_("暂停时限“{rule}”：{reason}"), rule=clock.rule.name,
                                                          reason=reason))
    refresh_next_deadline([clock.complaint_id])
    return clock


@transaction.atomic
def clock_resume(*, clock, user) -> SlaClock:
    check_writable(clock.complaint, user)
    now = timezone.now()
    clock = SlaClock.objects.select_for_update(of=("self",)).select_related("rule", "complaint").get(pk=clock.pk)
    check_clock_state(clock, "resume")
    times = {"deadline": clock.deadline, "warn_at": clock.warn_at, "escalate_at": clock.escalate_at}
    cal, rule_ = calendar(), clock.rule
    moved, paused = sla.shift_after_pause(cal, times, clock.paused_at, now, rule_.working_time)
    estimated = clock.estimated or (paused > dt.timedelta(0) and rule_.working_time
                                    and cal.spans_estimated(clock.paused_at, moved["deadline"]))
    CLOCK_FLOW.fire(clock, "resume", user=user, updates={**moved, "paused_at": None, "estimated": estimated,
                                                         "paused_total": clock.paused_total + paused})
    minutes = int(paused.total_seconds() // 60)
    timeline_add(clock.complaint, user, "clock", recorded(
        _("恢复时限“{rule}”（暂停原因：{reason}，暂停{minutes}分钟，暂停人：{user}）"), rule=clock.rule.name,
        reason=clock.paused_reason, minutes=minutes, user=clock.paused_by))
    refresh_next_deadline([clock.complaint_id])
    return clock


EXTENDABLE_STATES = (*LIVE_CLOCK_STATES, ClockState.PAUSED)


@transaction.atomic
def extension_request(*, clock, user, reason: str, new_deadline: dt.datetime):
    """Ask for a longer limit; the rule's approver (by severity, crm matrix) decides."""
    reason = require(reason, _("请填写延期原因。"))
    check_writable(clock.complaint, user)
    check_clock_state(clock, "extend")
    if new_deadline <= clock.deadline:
        raise ValidationError(_("新的截止时间应晚于当前截止时间。"))
    complaint = clock.complaint
    return approval_submit(
        target=clock, title=recorded(_("{number} {rule}延期"), number=complaint.number, rule=clock.rule.name), content=reason, submitted_by=user,
        level=complaint.severity, snapshot={"deadline": new_deadline.isoformat()}, url=case_url(complaint))


@transaction.atomic
def extension_decide(*, clock, user, approve: bool, comment: str = ""):
    """Approve (the clock moves to the new deadline) or reject with a comment (it keeps its
    deadline) the pending extension request; crm's approval step checks who may decide."""
    ensure_open(clock.complaint)
    approval_decide(target=clock, user=user, approve=approve, comment=comment, url=case_url(clock.complaint))
    clock.refresh_from_db()
    return clock


def extension_recorded(clock, request, *, event: str, user) -> None:
    """What an SLA clock does at each step of its extension's approval (the effect of
    ``SlaClock.approval_step``): an approved extension moves the deadline; every step is a
    timeline line. Raising here undoes the decision."""
    deadline = dt.datetime.fromisoformat(request.snapshot["deadline"])
    if event == SUBMIT:
        timeline_add(clock.complaint, user, "extension", recorded(
            _("申请延长“{rule}”至{deadline}：{reason}"), rule=clock.rule.name, deadline=_local(deadline),
            reason=request.content))
        return
    if event == APPROVE:
        clock = SlaClock.objects.select_for_update().select_related("rule").get(pk=clock.pk)
        if clock.state not in EXTENDABLE_STATES:
            raise ValidationError(_("该时限已结束，无需再延期；请驳回该申请。"))
        warn, manager = _percents()
        working = clock.rule.working_time
        CLOCK_FLOW.fire(
            clock, "extend_paused" if clock.state == ClockState.PAUSED else "extend", user=user,
            updates={"deadline": deadline, "escalation": 0, "breached_at": None,
                     "estimated": False,  # an approved instant, not counted on the calendar
                     **sla.span_points(calendar(), clock.started_at, deadline, warn, manager, working)})
        refresh_next_deadline([clock.complaint_id])
    message = ((_("批准“{rule}”延期：{comment}") if request.comment else _("批准“{rule}”延期")) if event == APPROVE
               else (_("驳回“{rule}”延期：{comment}") if request.comment else _("驳回“{rule}”延期")))
    timeline_add(clock.complaint, user, "extension", recorded(message, rule=clock.rule.name, comment=request.comment))


def pending_extensions(clocks, user) -> dict[int, dict]:
    """{clock id: {"request": the pending extension request, "can_decide": bool}} in one query,
    for the case page's approve / reject form."""
    from django.contrib.contenttypes.models import ContentType

    from crm.approvals import can_decide
    from crm.models import ApprovalRequest

    ids = [c.pk for c in clocks if c.state in (*LIVE_CLOCK_STATES, ClockState.PAUSED)]
    if not ids:  # a finished case asks nothing
        return {}
    requests = ApprovalRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(SlaClock), object_id__in=ids,
        status=ApprovalRequest.Status.PENDING).select_related("submitted_by")
    return {r.object_id: {"request": r, "can_decide": can_decide(r, user),
                          "deadline": dt.datetime.fromisoformat(r.snapshot["deadline"])} for r in requests}


# --- Beat jobs ------------------------------------------------------------------------------


CHUNK_SIZE = 2000  # ids per statement and per transaction of a beat job (SQLite takes at most 32,766
# parameters); a module constant so that tests can lower it and cross chunks with a few rows


class _Wave:
    """What a job changed over all its chunks, for the one summary that names it, in constant
    memory: how many, the first ``keep`` rows in ``order``, and a digest of every id that does not
    depend on the order the chunks came in (the summary's dedupe key)."""

    def __init__(self, *, keep: int, order):
        self.keep, self.order = keep, order
        self.count, self.digest, self.first = 0, 0, []

    def add(self, ids, rows) -> None:
        self.count += len(ids)
        for pk in ids:
            self.digest ^= int.from_bytes(hashlib.sha1(str(pk).encode()).digest()[:8], "big")
        self.first = sorted([*self.first, *rows], key=self.order)[:self.keep]

    @property
    def key(self) -> str:
        return hashlib.sha1(f"{self.count}:{self.digest:016x}".encode()).hexdigest()[:16]


# The notices of each stage of the scan: to the handler (one clock), to a role (the wave).
SCAN_TITLES = {"warn": _("时限即将超时：{number} {rule}"), "breach": _("时限已超时：{number} {rule}"),
               "manager": _("时限超时未处理：{number} {rule}")}
SCAN_SUMMARIES = {"warn": _("{count}项时限即将超时"), "breach": _("{count}项时限已超时"),
                  "manager": _("{count}项时限超时未处理")}


def _notify_handlers(rows, *, stage: str, level: str) -> int:
    """One notification per clock to its case's handler, else the first responder; one who may
    not open the case (a property company's liaison who forwarded it, someone who has left) is
    replaced by the supervisors (crm.notifications.route)."""
    told = [row for row in rows if row[2] or row[3]]
    urls = case_urls({row[5] for row in told})
    return notify_many([
        Notification(recipient_id=handler or responder, title=format_lazy(SCAN_TITLES[stage], number=number, rule=name), level=level,
                     url=urls[case_id], dedupe_key=f"sla:{pk}:{stage}")
        for pk, number, handler, responder, name, case_id in told],
        targets=[Target(Complaint, row[5]) for row in told])


def _scan_stage(due, transition: str, *, now: dt.datetime, updates: dict, stage: str, roles=(), to_handlers=True,
                level="warning") -> tuple[int, int]:
    """Fire ``transition`` of ``CLOCK_FLOW`` on every clock of ``due`` by compare-and-set (the
    filters of ``due`` are part of it), ``CHUNK_SIZE`` at a time: each chunk is
    claimed (on PostgreSQL locked, skipping clocks another scan holds), changed and its handlers
    notified in one transaction; then one summary per role for the whole stage. Only the clocks
    this write really changed are counted and told: one that a handler stopped or paused, or
    another scan escalated, between the claim and the write keeps that change and is not
    notified. A few queries per chunk whatever the number of clocks or notifications; the clocks
    found are those due, on the (state, time) indexes, in no order (a sort would read every due
    clock for each chunk). Returns (clocks changed, notifications sent)."""
    wave = _Wave(keep=10, order=lambda row: row[0])  # the summary lists the oldest clocks
    claim = due.order_by()
    if connection.features.has_select_for_update_skip_locked:
        claim = claim.select_for_update(skip_locked=True)
    sent = 0
    while True:
        with transaction.atomic():
            ids = list(claim.values_list("pk", flat=True)[:CHUNK_SIZE])
            if not ids:
                break
            changed = CLOCK_FLOW.fire_many(due.filter(ids_in("pk", ids)), transition, at=now, updates=updates, ids=ids,
                                           instances=False)
            rows = sorted(SlaClock.objects.filter(ids_in("pk", changed)).order_by().values_list(
                "pk", "complaint__number", "complaint__handler_id", "complaint__first_responder_id", "rule__name",
                "complaint_id"))
            if to_handlers:
                sent += _notify_handlers(rows, stage=stage, level=level)
        wave.add([row[0] for row in rows], [(pk, number, name) for pk, number, _, _, name, _ in rows])
    for role in roles if wave.count else ():
        sent += notify_role(role, title=format_lazy(SCAN_SUMMARIES[stage], count=wave.count), level=level,
                            body="；".join(f"{number} {name}" for _, number, name in wave.first),
                            dedupe_key=f"sla:{stage}:{role}:{wave.key}")
    return wave.count, sent


def sla_scan(now: dt.datetime | None = None) -> dict:
    """Every minute: warn at N% of a clock, mark breaches, escalate handler → supervisor →
    manager (at the rule's percent of the clock, stored on it as ``escalate_at``). Each step
    is a compare-and-set on the clock's state/escalation, so a second run finds nothing to
    change and notifies nobody again; each runs in chunks (``_scan_stage``)."""
    now = now or timezone.now()
    live = [ClockState.RUNNING, ClockState.AT_RISK]
    breached = _scan_stage(SlaClock.objects.filter(state__in=live, deadline__lte=now), "breach", now=now,
                           updates={"escalation": 2}, stage="breach", roles=(Role.CS_SUPERVISOR,), level="danger")
    warned = _scan_stage(SlaClock.objects.filter(state=ClockState.RUNNING, warn_at__lte=now, escalation=0), "warn",
                         now=now, updates={"escalation": 1}, stage="warn")
    to_manager = _scan_stage(SlaClock.objects.filter(state=ClockState.BREACHED, escalation=2, escalate_at__lte=now),
                             "escalate", now=now, updates={"escalation": 3}, stage="manager", roles=(Role.MANAGER,),
                             to_handlers=False, level="danger")
    return {"warned": warned[0], "breached": breached[0], "to_manager": to_manager[0],
            "notified": warned[1] + breached[1] + to_manager[1]}


def return_visit_reminders(now: dt.datetime | None = None) -> int:
    """Tell the customer assistants which return visits are due (once per clock and day)."""
    now = now or timezone.now()
    due = SlaClock.objects.filter(rule__code=sla.RETURN_VISIT, state__in=LIVE_CLOCK_STATES)
    rows = list(due.order_by("deadline", "pk").values_list("pk", "complaint__number", "deadline")[:200])
    if not rows:
        return 0
    total = len(rows) if len(rows) < 200 else due.count()
    day = timezone.localdate(now).isoformat()
    lines = [format_lazy(_("{number} 截止{deadline}"), number=n, deadline=f"{timezone.localtime(d):%m-%d %H:%M}")
             for _pk, n, d in rows]
    key = hashlib.sha1(",".join(str(r[0]) for r in rows).encode()).hexdigest()[:12]
    try:
        url = reverse("complaints:register") + "?queue=visits"
    except NoReverseMatch:
        url = ""
    if total > len(rows):
        lines.append(format_lazy(_("……另有 {count} 件，见待回访队列"), count=total - len(rows)))
    return notify_role(Role.FRONT_DESK, title=format_lazy(_("待回访 {count} 件"), count=total),
                       body=format_lazy("{}" + "\n{}" * (len(lines) - 1), *lines), url=url,
                       dedupe_key=f"complaints:visits:{day}:{key}")


# --- A year's holiday notice confirmed or corrected -----------------------------------------

RECOUNTED_STATES = [ClockState.RUNNING, ClockState.AT_RISK, ClockState.PAUSED]


def _local(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


@transaction.atomic
def clocks_recount_for_year(*, year: int, revision: int, old, new, user=None, now: dt.datetime | None = None
                            ) -> list[int]:
    """Count again, on the ``new`` calendar, the open clocks whose span reaches into ``year``
    (so every clock whose deadline falls in it) after the year's notice was confirmed or
    corrected. Returns the ids of the clocks whose deadline moved.

    A clock that is met, late, breached or past its deadline is not rewritten, nor one whose
    deadline is not the rule's on the ``old`` calendar (``sla.recounted_times``). Each moved
    clock gets a history row and a timeline entry with the old and the new due time, and its
    handler one notification per confirmation (``revision``); a clock whose only change is
    that it is no longer an estimate loses its mark quietly. A second run finds nothing to do.
    """
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    first = dt.datetime.combine(dt.date(year, 1, 1), dt.time.min, tzinfo=tz)
    after = dt.datetime.combine(dt.date(year + 1, 1, 1), dt.time.min, tzinfo=tz)
    clocks = list(
        SlaClock.objects.select_for_update(of=("self",)).select_related("rule", "complaint")
        .filter(state__in=RECOUNTED_STATES, started_at__lt=after, deadline__gte=first)
        .filter(Q(state=ClockState.PAUSED) | Q(deadline__gt=now)).order_by("pk"))
    if not clocks:
        return []
    warn, manager = _percents()
    moved, marked = [], []
    for clock in clocks:
        times = sla.recounted_times(old, new, started_at=clock.started_at, deadline=clock.deadline,
                                    paused_total=clock.paused_total, spec=clock.rule, warn_percent=warn,
                                    manager_percent=manager)
        if times is None or (times["deadline"] == clock.deadline and times["estimated"] == clock.estimated):
            continue
        before = clock.deadline
        for key, value in times.items():
            setattr(clock, key, value)
        if clock.deadline != before:
            clock._change_reason = recorded(_("{year}年节假日安排确认后重算：截止时间由{before}改为{after}"), year=year,
                                            before=_local(before), after=_local(clock.deadline))
            moved.append((clock, before))
        else:
            clock._change_reason = recorded(_("{year}年节假日安排确认后重算：截止时间不变，不再按预估日历"), year=year)
            marked.append(clock)
    bulk_update_with_history([c for c, _ in moved] + marked, SlaClock,
                             ["deadline", "warn_at", "escalate_at", "estimated"], default_user=user)
    TimelineEntry.objects.bulk_create([
        TimelineEntry(complaint_id=clock.complaint_id, actor=user, kind="clock",
                      text=recorded(_("{year}年节假日安排已确认，时限“{rule}”截止时间由{before}改为{after}"), year=year,
                                    rule=clock.rule.name, before=_local(before), after=_local(clock.deadline)))
        for clock, before in moved])
    recipients = {c.pk: c.complaint.handler_id or c.complaint.first_responder_id for c, _ in moved}
    active = set(get_user_model().objects.filter(pk__in=set(recipients.values()) - {None}, is_active=True)
                 .values_list("pk", flat=True))
    notify_many([
        Notification(recipient_id=recipients[clock.pk], level="warning", url=case_url(clock.complaint)[:300],
                     title=format_lazy(_("时限调整：{number} {rule}"), number=clock.complaint.number,
                                       rule=clock.rule.name),
                     body=format_lazy(_("{year}年节假日安排已确认，截止时间由{before}改为{after}。"), year=year,
                                      before=_local(before), after=_local(clock.deadline)),
                     dedupe_key=f"calendar:{year}:r{revision}:sla:{clock.pk}")
        for clock, before in moved if recipients[clock.pk] in active])
    refresh_next_deadline({c.complaint_id for c, _ in moved})
    return [c.pk for c, _ in moved]


def _calendar_year_confirmed(sender, *, year, old, new, user=None, **kwargs):
    """``crm.calendar_years.calendar_year_confirmed``: recount the clocks of the year."""
    clocks_recount_for_year(year=year.year, revision=year.revision, old=old, new=new, user=user)
