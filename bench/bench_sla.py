"""SLA scan (issue 8 §5): 100,000 open cases with three clocks each.

    python -m bench.bench_sla               # 100,000 cases
    python -m bench.bench_sla --quick       # 10,000 cases
    DATABASE_URL=postgres://… python -m bench.bench_sla

Ours: ``complaints.clocks.sla_scan(now=T)``, the service that ``manage.py runjob
complaints.sla_scan`` runs (this bench does not change it). The bench gives every generated
case three live clocks (raw inserts inside a transaction that is rolled back at the end, so the
data set is left as it was) whose warn/deadline/escalation times are spread deterministically
around a fixed instant T:

- *idle*: a scan at which nothing is due (the steady state between two minutes);
- *tick*: a scan at which 0.1 % of the clocks breach, 0.2 % reach the warning point and 0.1 %
  of already breached ones go to the manager (each run rolled back to the same state).

Each is measured at a tenth of the cases and at all of them, in the same run, with its query
count. Baseline: a per-case Python loop over the same cases (load the case's clocks, check
each, update each changed clock and notify its handler one by one). The loop is linear in the
cases; above 20,000 cases it is scaled from its run at the tenth (it would take a quarter of an
hour), and ``BENCH_FULL_BASELINE=1`` runs it in full.

Years of notices (issue 14 §3): at all the cases, the idle scan and the tick are measured again
with 10,000 and with 1,000,000 notifications in the table (``--quick``: 100,000; inserted in
bulk inside the same rolled-back transaction, read and unread, most with a dedupe key), each
line against the same scan at 10,000 (ratio 1.00x = flat). Baseline of the tick at the largest
table: the same scan with the dedupe-key index dropped (the table as it was before issue 14).
``auto_major`` over the cases the data set has due (about 4,300 at 100,000 cases) is measured
against ``baseline_make_major``, the version before issue 14 (one statement for all the ids).
"""
from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import parse_args, report, setup  # noqa: E402

SPREAD = 10_000  # clock times are spread over this many minutes around T
NOTIFICATIONS = {"full": (10_000, 1_000_000), "quick": (10_000, 100_000), "smoke": (100, 1_000)}
FULL_BASELINE_MAX = 20_000  # above: the baseline loop is scaled from the tenth (BENCH_FULL_BASELINE=1 runs it)


class Rollback(Exception):
    pass


def _instant():
    from django.utils import timezone

    return timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=1)


def add_clocks(case_ids, rule_ids, now) -> int:
    """Three live clocks per case, their times spread deterministically around ``now``."""
    from bench.inserter import Inserter
    from complaints.models import SlaClock

    ins = Inserter(SlaClock)
    minute = dt.timedelta(minutes=1)
    for case_id in case_ids:
        for k, rule_id in enumerate(rule_ids):
            h = (case_id * 7919 + k * 104729) % SPREAD
            state, escalation, breached_at = "running", 0, None
            deadline = now + (h - 10) * minute  # h < 10: breaches at T
            warn_at = deadline - 20 * minute  # 10 <= h < 30: warns at T
            escalate_at = deadline + dt.timedelta(days=1)
            if h >= SPREAD - 10:  # already breached and reported; goes to the manager at T
                state, escalation = "breached", 2
                deadline = now - dt.timedelta(days=1)
                warn_at, breached_at, escalate_at = deadline - dt.timedelta(hours=4), deadline, now - minute
            ins.add(complaint_id=case_id, rule_id=rule_id, started_at=now - dt.timedelta(days=2), deadline=deadline,
                    warn_at=warn_at, escalate_at=escalate_at, state=state, escalation=escalation,
                    breached_at=breached_at, met_at=None, paused_total=dt.timedelta(0))
    return ins.finish()


def baseline_scan(case_ids, now) -> dict:
    """The naive job: every open case in a Python loop, its clocks checked one by one."""
    from complaints.models import Complaint, SlaClock
    from crm.notifications import notify

    counts = {"warned": 0, "breached": 0, "to_manager": 0}
    cases = Complaint.objects.filter(pk__in=case_ids).select_related("handler", "first_responder")
    for case in cases.iterator(chunk_size=2000):
        for clock in SlaClock.objects.filter(complaint_id=case.pk).select_related("rule"):
            stage = None
            if clock.state in ("running", "at_risk") and clock.deadline <= now:
                SlaClock.objects.filter(pk=clock.pk).update(state="breached", breached_at=now, escalation=2)
                stage, counts["breached"] = "breach", counts["breached"] + 1
            elif clock.state == "running" and clock.escalation == 0 and clock.warn_at <= now:
                SlaClock.objects.filter(pk=clock.pk).update(state="at_risk", escalation=1)
                stage, counts["warned"] = "warn", counts["warned"] + 1
            elif clock.state == "breached" and clock.escalation == 2 and clock.escalate_at <= now:
                SlaClock.objects.filter(pk=clock.pk).update(escalation=3)
                stage, counts["to_manager"] = "manager", counts["to_manager"] + 1
            if stage:
                notify(recipients=[case.handler or case.first_responder], title=f"时限{stage}：{case.number}",
                       dedupe_key=f"sla:{clock.pk}:{stage}")
    return counts


def add_notifications(count: int, start: int, now) -> int:
    """``count`` old notifications (two years, delivered; nine in ten read, most with a dedupe
    key as the jobs write them), in bulk."""
    from django.contrib.auth import get_user_model

    from bench.inserter import Inserter
    from crm.models import Notification

    users = list(get_user_model().objects.order_by("pk").values_list("pk", flat=True)[:50])
    ins = Inserter(Notification)
    span = dt.timedelta(days=730).total_seconds()
    for i in range(start, start + count):
        made = now - dt.timedelta(seconds=span * ((i * 7919) % 100_003) / 100_003 + 3600)
        key = f"sla:{90_000_000 + i}:{('warn', 'breach', 'manager')[i % 3]}" if i % 10 < 7 else ""
        ins.add(recipient_id=users[i % len(users)], title=f"时限已超时：TS-{i:07d} 重要投诉处置", body="",
                url=f"/complaints/{i}/", level="danger", dedupe_key=key, created_at=made,
                read_at=made if i % 10 else None, delivered_at=made, attempts=1, last_error="", claimed_until=None)
    return ins.finish()


def baseline_make_major(ids, *, reason: str, user=None) -> list[int]:
    """``complaints.clocks.make_major`` before issue 14: every id in one statement (SQLite
    refuses more than 32,766), one transaction per statement."""
    import hashlib

    from complaints import sla
    from complaints.clocks import _percents, clocks_cancel, refresh_next_deadline, sla_rules
    from complaints.models import OPEN_STATES, Complaint, Severity, SlaClock, TimelineEntry
    from crm.calendar import calendar
    from crm.notifications import notify_role
    from crm.roles import Role

    ids = list(ids)
    changed = list(Complaint.objects.filter(pk__in=ids, state__in=OPEN_STATES).exclude(severity=Severity.MAJOR)
                   .values_list("pk", flat=True))
    if not changed:
        return []
    Complaint.objects.filter(pk__in=changed).exclude(severity=Severity.MAJOR).update(
        severity=Severity.MAJOR, major_reason=reason[:200])
    classified = list(Complaint.objects.filter(pk__in=changed, valid=True, disposed_at__isnull=True)
                      .only("pk", "received_at"))
    clocks_cancel([c.pk for c in classified], [sla.MINOR, sla.IMPORTANT])
    rules = sla_rules()
    cal, (warn, manager) = calendar(), _percents()
    SlaClock.objects.bulk_create([
        SlaClock(complaint_id=case.pk, rule=rules[code], **sla.clock_times(cal, case.received_at, rules[code], warn,
                                                                          manager_percent=manager))
        for case in classified for code in (sla.MAJOR_ANSWER, sla.MAJOR_RESOLVE) if code in rules],
        ignore_conflicts=True)
    refresh_next_deadline(changed)
    TimelineEntry.objects.bulk_create(
        [TimelineEntry(complaint_id=pk, actor=user, kind="major", text=f"升级为重大投诉：{reason}") for pk in changed])
    numbers = list(Complaint.objects.filter(pk__in=changed).values_list("number", flat=True))
    key = hashlib.sha1(",".join(map(str, sorted(changed))).encode()).hexdigest()[:16]
    for role in (Role.CS_SUPERVISOR, Role.MANAGER):
        notify_role(role, title=f"升级为重大投诉：{'、'.join(numbers[:5])}", body=reason, level="danger",
                    dedupe_key=f"complaints:major:{key}")
    return changed


def _drop_dedupe_index() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX notification_dedupe")


def _timed(fn, runs: int):
    """Median seconds of ``fn`` over ``runs``, each rolled back to a savepoint; the last result."""
    from django.db import transaction

    samples, result = [], None
    for _ in range(runs):
        sid = transaction.savepoint()
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
        transaction.savepoint_rollback(sid)
    return statistics.median(samples), result


def _counted(fn):
    """``fn``'s result and its query count (no query log: the baseline runs more than the
    9,000 queries Django's log keeps)."""
    from django.db import connection

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        result = fn()
    return result, count


def _queries(fn) -> int:
    from django.db import transaction

    sid = transaction.savepoint()
    _, n = _counted(fn)
    transaction.savepoint_rollback(sid)
    return n


def _analyze(connection, table: str) -> None:
    """On PostgreSQL, the statistics autovacuum keeps after a bulk insert (the bench inserts
    300,000 clocks and a million notifications in its own transaction, which autovacuum cannot
    see: without them the planner took the clocks table for empty, and the tick doubled)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def main(argv=None) -> list[str]:
    args = parse_args(argv, description=__doc__.splitlines()[0])
    setup(args)
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.common import database_label
    from complaints.clocks import CHUNK_SIZE, auto_major
    from complaints.models import LONG_KINDS, OPEN_STATES, Complaint, SlaClock, SlaRule
    from crm.calendar import elapsed_cutoff_at
    from crm.models import Notification
    from crm.rules import rule
    try:
        from complaints.clocks import sla_scan
    except ImportError:  # before the clocks module was split out of services
        from complaints.services import sla_scan

    db = database_label()
    runs = 1 if args.smoke else 5
    now = _instant()
    idle_at = now - dt.timedelta(days=30)
    lines = []
    try:
        with transaction.atomic():
            case_ids = list(Complaint.objects.order_by("pk").values_list("pk", flat=True))
            rule_ids = list(SlaRule.objects.order_by("pk").values_list("pk", flat=True)[:3])
            SlaClock.objects.all()._raw_delete(SlaClock.objects.db)
            small = case_ids[:max(1, len(case_ids) // 10)]
            results = {}
            added = 0
            extrapolated = False
            for size_ids in (small, case_ids):
                added += add_clocks(case_ids[len(small):] if size_ids is case_ids else small, rule_ids, now)
                _analyze(connection, "complaints_slaclock")
                n = len(size_ids)
                idle_s, _ = _timed(lambda: sla_scan(now=idle_at), runs)
                tick_s, tick = _timed(lambda: sla_scan(now=now), runs)
                if size_ids is case_ids and len(case_ids) > FULL_BASELINE_MAX and not os.environ.get("BENCH_FULL_BASELINE"):
                    # The loop is linear in the cases (one case after the other): at the full size it
                    # would take a quarter of an hour, so it is scaled from the tenth measured above.
                    first = results[len(small)]
                    scale = len(case_ids) / len(small)
                    base_s, base, base_q = first["baseline"] * scale, "scaled from the tenth", \
                        round(first["baseline_q"] * scale)
                    extrapolated = True
                else:
                    base_s, (base, base_q) = _timed(lambda ids=size_ids: _counted(lambda: baseline_scan(ids, now)), 1)
                results[n] = {
                    "clocks": added, "idle": idle_s, "tick": tick_s, "tick_result": tick, "baseline": base_s,
                    "baseline_result": base,
                    "idle_q": _queries(lambda: sla_scan(now=idle_at)), "tick_q": _queries(lambda: sla_scan(now=now)),
                    "baseline_q": base_q,
                }
                r = results[n]
                print(f"  {n:,} cases, {added:,} clocks: idle {idle_s * 1000:.0f} ms ({r['idle_q']} queries), "
                      f"tick {tick_s * 1000:.0f} ms ({r['tick_q']} queries, {tick}), "
                      f"baseline {base_s * 1000:.0f} ms ({r['baseline_q']} queries, {base})", flush=True)
            # Years of notices: the same scans with more and more notifications in the table.
            present = Notification.objects.count()
            volumes = {}
            for volume in NOTIFICATIONS[args.mode]:
                if volume > present:
                    started = time.perf_counter()
                    present += add_notifications(volume - present, present, now)
                    print(f"  inserted notifications up to {present:,} in {time.perf_counter() - started:.1f} s",
                          flush=True)
                _analyze(connection, "crm_notification")
                idle_s, _ = _timed(lambda: sla_scan(now=idle_at), runs)
                tick_s, tick = _timed(lambda: sla_scan(now=now), runs)
                volumes[present] = {"idle": idle_s, "tick": tick_s, "tick_result": tick,
                                    "tick_q": _queries(lambda: sla_scan(now=now))}
                print(f"  {present:,} notifications: idle {idle_s * 1000:.0f} ms, tick {tick_s * 1000:.0f} ms "
                      f"({volumes[present]['tick_q']} queries, {tick})", flush=True)
            sid = transaction.savepoint()
            _drop_dedupe_index()
            unindexed_s, _ = _timed(lambda: sla_scan(now=now), runs)
            transaction.savepoint_rollback(sid)
            print(f"  {present:,} notifications without the dedupe index: tick {unindexed_s * 1000:.0f} ms", flush=True)
            # The automatic major rule over the cases due in the data set (the clocks above are theirs).
            major_s, major = _timed(lambda: len(auto_major()), runs)
            days = int(rule("complaints.unresolved_major_days"))
            due = list(Complaint.objects.filter(
                kind__in=LONG_KINDS, valid=True, disposed_at__isnull=True, state__in=OPEN_STATES,
                received_at__lt=elapsed_cutoff_at(timezone.now(), days=days)).exclude(severity="major")
                .values_list("pk", flat=True))
            old_major_s, old_major = _timed(lambda: len(baseline_make_major(due, reason="bench")), runs)
            print(f"  auto_major: {major:,} cases in {major_s * 1000:.0f} ms; "
                  f"before issue 14 {old_major:,} in {old_major_s * 1000:.0f} ms", flush=True)
            raise Rollback
    except Rollback:
        pass
    small_n, big_n = min(results), max(results)
    big, little = results[big_n], results[small_n]
    label = f"sla scan {big_n:,} cases x 3 clocks [{db}]"
    scaled = " (baseline scaled linearly from the tenth)" if extrapolated else ""
    lines.append(report(f"{label} idle (nothing due)", big["idle"] * 1000, big["baseline"] * 1000, unit="ms",
                        note=f"target <= 1000 ms on PostgreSQL{scaled}"))
    lines.append(report(f"{label} tick (0.4% of clocks change)", big["tick"] * 1000, big["baseline"] * 1000,
                        unit="ms", note=f"{big['tick_result']}"))
    lines.append(report(f"sla scan queries idle {small_n:,} vs {big_n:,} cases [{db}]", big["idle_q"],
                        little["idle_q"], unit="queries", note="ratio 1.00x = constant"))
    lines.append(report(f"sla scan queries tick {small_n:,} vs {big_n:,} cases [{db}]", big["tick_q"],
                        little["tick_q"], unit="queries",
                        note=f"baseline loop {little['baseline_q']} -> {big['baseline_q']} queries"))
    low, high = min(volumes), max(volumes)
    label = f"sla scan {big_n:,} cases, {high:,} vs {low:,} notifications [{db}]"
    lines.append(report(f"{label} idle", volumes[high]["idle"] * 1000, volumes[low]["idle"] * 1000, unit="ms",
                        note="ratio 1.00x = flat in the notifications; target <= 300 ms"))
    lines.append(report(f"{label} tick", volumes[high]["tick"] * 1000, volumes[low]["tick"] * 1000, unit="ms",
                        note=f"{volumes[high]['tick_result']}; target <= 1000 ms with ~1,000 clocks changing"))
    lines.append(report(f"sla scan tick {big_n:,} cases, {high:,} notifications, dedupe index vs none [{db}]",
                        volumes[high]["tick"] * 1000, unindexed_s * 1000, unit="ms",
                        note="baseline: the table as before issue 14 (no index on dedupe_key)"))
    lines.append(report(f"auto_major {major:,} due cases of {big_n:,} [{db}]", major_s * 1000, old_major_s * 1000,
                        unit="ms", note=f"chunks of {CHUNK_SIZE:,} ids; baseline: one statement for all ids "
                                        "(refused by SQLite above 32,766)"))
    return lines


if __name__ == "__main__":
    main()
