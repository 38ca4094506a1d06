"""Boundaries of the time limits and of the SLA scan, found by mutation testing (QUALITY.md):
every unit of a limit, exactly-at-the-deadline, a promise or request at the very start, a
span with no working time, the scan's stages at their exact instants."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from complaints import clocks, sla
from complaints.models import ClockState, SlaClock
from crm.calendar import WorkingCalendar
from crm.models import Notification

from .conftest import at

CAL = WorkingCalendar()
SPECS = {s.code: s for s in sla.DEFAULT_RULES}


@pytest.mark.parametrize(("amount", "unit", "working", "start", "end"), [
    # working time: minutes, hours and days of office time, across lunch and the night
    (90, "minutes", True, at(2026, 11, 23, 11), at(2026, 11, 23, 14)),
    (Decimal("1.5"), "hours", True, at(2026, 11, 23, 11), at(2026, 11, 23, 14)),
    (2, "hours", True, at(2026, 11, 23, 17), at(2026, 11, 24, 10)),
    (1, "days", True, at(2026, 11, 23, 14), at(2026, 11, 24, 14)),
    (Decimal("0.5"), "days", True, at(2026, 11, 23, 9), at(2026, 11, 23, 14, 15)),
    # calendar time: the clock runs through nights, weekends and holidays
    (90, "minutes", False, at(2026, 11, 21, 23), at(2026, 11, 22, 0, 30)),
    (2, "hours", False, at(2026, 10, 1, 23), at(2026, 10, 2, 1)),
    (Decimal("1.5"), "hours", False, at(2026, 10, 1, 23), at(2026, 10, 2, 0, 30)),
    # whole calendar days are a period: to the end of the last day, moved past days off
    (1, "days", False, at(2026, 11, 23, 14), at(2026, 11, 25, 0)),
    (1, "days", False, at(2026, 11, 20, 14), at(2026, 11, 24, 0)),  # Saturday → end of Monday
    (Decimal("1.5"), "days", False, at(2026, 11, 20, 14), at(2026, 11, 22, 2)),
])
def test_every_unit_of_a_limit_in_working_and_calendar_time(amount, unit, working, start, end):
    assert sla.add_duration(CAL, start, amount, unit, working) == end


@pytest.mark.parametrize(("code", "extra", "expected"), [
    # a "promise" or a "request" at the very moment of receipt is no promise or request: the rule applies
    (sla.NEED_REPLY, {"promised_by": at(2026, 11, 23, 10)}, at(2026, 11, 24, 10)),
    (sla.MINOR, {"requested_by": at(2026, 11, 23, 10)}, at(2026, 11, 23, 15, 15)),
    # a request at exactly the rule's limit is that limit
    (sla.MINOR, {"requested_by": at(2026, 11, 23, 15, 15)}, at(2026, 11, 23, 15, 15)),
    (sla.MINOR, {"requested_by": at(2026, 11, 23, 10, 1)}, at(2026, 11, 23, 10, 1)),
    (sla.NEED_REPLY, {"promised_by": at(2026, 11, 23, 10, 1)}, at(2026, 11, 23, 10, 1)),
])
def test_a_promise_or_request_at_the_moment_of_receipt_is_not_one(code, extra, expected):
    spec = SPECS[code]
    assert sla.deadline_for(CAL, at(2026, 11, 23, 10), spec.amount, spec.unit, spec.working_time,
                            **extra) == expected


def test_the_warning_and_manager_points_are_shares_of_the_span():
    start = at(2026, 11, 23, 9)
    points = sla.span_points(CAL, start, at(2026, 11, 23, 18), 80, 150, True)  # one working day
    assert points == {"warn_at": at(2026, 11, 23, 16, 30), "escalate_at": at(2026, 11, 24, 14, 15)}
    # calendar time: plain shares of the elapsed span
    points = sla.span_points(CAL, start, start + dt.timedelta(days=10), 80, 150, False)
    assert points == {"warn_at": start + dt.timedelta(days=8), "escalate_at": start + dt.timedelta(days=15)}


def test_a_request_at_exactly_the_limit_is_the_rules_deadline_and_an_earlier_one_the_owners():
    """Only a deadline counted by the rule is an estimate over a year not confirmed yet."""
    estimating_2027 = WorkingCalendar(tracked_from=2027)
    start, limit = at(2026, 12, 31, 16), at(2027, 1, 4, 10, 45)  # half a working day over the New Year
    assert sla.clock_times(estimating_2027, start, SPECS[sla.MINOR], 80)["deadline"] == limit
    at_limit = sla.clock_times(estimating_2027, start, SPECS[sla.MINOR], 80, limit)
    assert (at_limit["deadline"], at_limit["estimated"]) == (limit, True)
    earlier = sla.clock_times(estimating_2027, start, SPECS[sla.MINOR], 80, at(2027, 1, 4, 10))
    assert (earlier["deadline"], earlier["estimated"]) == (at(2027, 1, 4, 10), False)


def test_a_span_without_working_time_is_shared_in_calendar_time():
    # promised for Saturday morning, received Friday after hours: no office time between them
    start, promised = at(2026, 11, 20, 19), at(2026, 11, 21, 9)
    assert sla.fraction_point(CAL, start, promised, 50, True) == at(2026, 11, 21, 2)
    assert sla.fraction_point(CAL, start, start, 80, True) == start


def test_clock_times_of_a_new_clock_default_to_the_150_percent_manager_point():
    times = sla.clock_times(CAL, at(2026, 11, 23, 9), SPECS[sla.IMPORTANT], 80)
    times.pop("estimated")  # the calendar's status: its own tests (test_calendar_years)
    assert times == {"started_at": at(2026, 11, 23, 9), "deadline": at(2026, 11, 23, 18),
                     "warn_at": at(2026, 11, 23, 16, 30), "escalate_at": at(2026, 11, 24, 14, 15)}
    promised = sla.clock_times(CAL, at(2026, 11, 23, 9), SPECS[sla.NEED_REPLY], 50,
                               promised_by=at(2026, 11, 23, 11), manager_percent=200)
    promised.pop("estimated")
    assert promised == {"started_at": at(2026, 11, 23, 9), "deadline": at(2026, 11, 23, 11),
                        "warn_at": at(2026, 11, 23, 10), "escalate_at": at(2026, 11, 23, 14, 30)}
    requested = sla.clock_times(CAL, at(2026, 11, 23, 9), SPECS[sla.MINOR], 50, at(2026, 11, 23, 10))
    assert requested["deadline"] == at(2026, 11, 23, 10)


def test_a_pause_moves_every_time_of_the_clock_by_the_time_paused():
    times = {"deadline": at(2026, 11, 24, 9), "warn_at": at(2026, 11, 23, 15, 30)}
    moved, paused = sla.shift_after_pause(CAL, times, at(2026, 11, 23, 17), at(2026, 11, 24, 10), True)
    assert paused == dt.timedelta(hours=2)
    assert moved == {"deadline": at(2026, 11, 24, 11), "warn_at": at(2026, 11, 23, 17, 30)}
    # working time: a time moved past the evening goes on the next morning
    moved, _ = sla.shift_after_pause(CAL, {"deadline": at(2026, 11, 23, 17)}, at(2026, 11, 23, 17),
                                     at(2026, 11, 24, 10), True)
    assert moved == {"deadline": at(2026, 11, 24, 10)}
    moved, paused = sla.shift_after_pause(CAL, times, at(2026, 11, 23, 17), at(2026, 11, 24, 10), False)
    assert paused == dt.timedelta(hours=17)
    assert moved == {"deadline": at(2026, 11, 25, 2), "warn_at": at(2026, 11, 24, 8, 30)}
    # paused at night and resumed before opening: no working time passed, nothing moves
    assert sla.shift_after_pause(CAL, times, at(2026, 11, 23, 19), at(2026, 11, 24, 8), True) == (
        times, dt.timedelta(0))


@pytest.mark.parametrize(("unit", "working", "counted"), [
    ("minutes", True, True), ("hours", True, True), ("days", True, True),
    # calendar time: whole days are a period whose last day moves past days off; minutes and hours are not
    ("days", False, True), ("hours", False, False), ("minutes", False, False),
])
def test_which_limits_are_counted_on_the_calendar_and_so_may_be_estimates(unit, working, counted):
    assert sla.uses_calendar(unit, working) is counted
    estimating_2027 = WorkingCalendar(tracked_from=2027)
    assert sla.counted_over_estimate(estimating_2027, at(2026, 12, 30, 9), at(2027, 1, 4, 9), unit, working) is counted
    assert sla.counted_over_estimate(estimating_2027, at(2026, 12, 1, 9), at(2026, 12, 31, 9), unit, working) is False
    # a new clock started five minutes before 2027: its deadline is in 2027, an estimate if counted on the calendar
    spec = sla.RuleSpec("limit", "时限", Decimal({"minutes": 30, "hours": 2, "days": 1}[unit]), unit, working)
    times = sla.clock_times(estimating_2027, at(2026, 12, 31, 23, 55), spec, 80)
    assert times["deadline"].year == 2027 and times["estimated"] is counted


TWO_HOURS = sla.RuleSpec("two_hours", "两小时", Decimal(2), "hours", True)


@pytest.mark.parametrize(("spec", "start", "paused", "times"), [
    # one working day received 12-30 09:00 (due 18:00 that day), paused 15 working hours: the New
    # Year holiday 01-01…01-03 is passed over; the manager's 200 % point moves as well
    (SPECS[sla.IMPORTANT], at(2026, 12, 30, 9), dt.timedelta(hours=15),
     {"deadline": at(2027, 1, 4, 18), "warn_at": at(2027, 1, 4, 16, 30), "escalate_at": at(2027, 1, 5, 18)}),
    # fifteen calendar days (due at the end of 12-25), paused a week of calendar time
    (SPECS[sla.MAJOR_RESOLVE], at(2026, 12, 10, 10), dt.timedelta(days=7),
     {"deadline": at(2027, 1, 2, 0), "warn_at": at(2026, 12, 29, 21, 12), "escalate_at": at(2027, 1, 17, 14)}),
    # two working hours received 12-31 15:00 (due 17:00), paused two working hours
    (TWO_HOURS, at(2026, 12, 31, 15), dt.timedelta(hours=2),
     {"deadline": at(2027, 1, 4, 10), "warn_at": at(2027, 1, 4, 9, 36), "escalate_at": at(2027, 1, 4, 12)}),
])
def test_a_recount_moves_a_clock_paused_before_by_the_time_it_was_paused(spec, start, paused, times):
    """The rule's own deadline is in 2026; only the pause takes it into 2027: an estimate until
    2027 is confirmed."""
    estimating_2027, confirmed_2027 = WorkingCalendar(tracked_from=2027), WorkingCalendar(tracked_from=2028)
    assert sla.clock_times(estimating_2027, start, spec, 80)["estimated"] is False
    recount = {"started_at": start, "deadline": times["deadline"], "paused_total": paused, "spec": spec,
               "warn_percent": 80, "manager_percent": 200}
    assert sla.recounted_times(estimating_2027, confirmed_2027, **recount) == {**times, "estimated": False}
    assert sla.recounted_times(estimating_2027, estimating_2027, **recount) == {**times, "estimated": True}
    # a deadline that is not what the rule and the pause give (extended, promised): not the calendar's to move
    moved = {**recount, "deadline": times["deadline"] + dt.timedelta(minutes=1)}
    assert sla.recounted_times(estimating_2027, confirmed_2027, **moved) is None


@pytest.mark.parametrize(("received", "now", "problem"), [
    ((2026, 11, 23, 9), (2026, 11, 23, 9), ""),  # logged the very minute it was received
    # the calendar's own time zone (here UTC) decides which day "now" and the received time are:
    # Monday 20:00 UTC (Tuesday 04:00 in Shanghai): the previous working day is Friday 11-20
    ((2026, 11, 20, 12), (2026, 11, 23, 20), ""),
    ((2026, 11, 19, 20), (2026, 11, 23, 20), "受理时间不能早于上一个工作日（2026-11-20）。"),
])
def test_a_typed_received_time_is_read_in_the_calendars_time_zone(received, now, problem):
    utc = dt.timezone.utc
    cal = WorkingCalendar(tz=utc)
    assert sla.received_at_problem(cal, dt.datetime(*received, tzinfo=utc), dt.datetime(*now, tzinfo=utc)) == problem


def test_done_exactly_at_the_deadline_is_on_time():
    assert sla.on_time(at(2026, 11, 23, 18), at(2026, 11, 23, 18))
    assert not sla.on_time(at(2026, 11, 23, 18), at(2026, 11, 23, 18) + dt.timedelta(seconds=1))


# --- The clocks in the database ----------------------------------------------------------------

def test_a_clock_stopped_exactly_at_its_deadline_is_met_and_a_second_later_is_late(case_in):
    on_time, late = case_in("classified"), case_in("classified")
    deadline = on_time.clocks.get(rule__code=sla.IMPORTANT).deadline
    SlaClock.objects.filter(complaint=late, rule__code=sla.IMPORTANT).update(deadline=deadline)
    assert clocks.clocks_stop([on_time.pk], [sla.IMPORTANT], at=deadline) == 1
    assert clocks.clocks_stop([late.pk], [sla.IMPORTANT], at=deadline + dt.timedelta(seconds=1)) == 1
    assert SlaClock.objects.filter(complaint=on_time, rule__code=sla.IMPORTANT).values_list(
        "state", "met_at").get() == (ClockState.MET, deadline)
    assert SlaClock.objects.filter(complaint=late, rule__code=sla.IMPORTANT).values_list(
        "state", "met_at").get() == (ClockState.LATE, deadline + dt.timedelta(seconds=1))
    # a stopped clock is not stopped again, nor cancelled
    assert clocks.clocks_stop([on_time.pk], [sla.IMPORTANT], at=deadline) == 0
    assert clocks.clocks_cancel([on_time.pk], [sla.IMPORTANT]) == 0


def test_a_paused_clock_can_be_stopped_or_cancelled(case_in, users):
    stopped, cancelled = case_in("classified"), case_in("classified")
    for case in (stopped, cancelled):
        clocks.clock_pause(clock=case.clocks.get(rule__code=sla.IMPORTANT), user=users["cs_staff"], reason="业主出差")
    assert clocks.clocks_stop([stopped.pk], [sla.IMPORTANT], at=timezone.now()) == 1
    assert clocks.clocks_cancel([cancelled.pk], [sla.IMPORTANT]) == 1
    assert stopped.clocks.get(rule__code=sla.IMPORTANT).state == ClockState.MET
    assert cancelled.clocks.get(rule__code=sla.IMPORTANT).state == ClockState.CANCELLED


def test_a_restarted_clock_runs_again_from_its_new_start(case_in):
    case = case_in("classified")
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    SlaClock.objects.filter(pk=clock.pk).update(state=ClockState.BREACHED, escalation=3, met_at=timezone.now(),
                                                breached_at=timezone.now(), paused_at=timezone.now())
    restarted = clocks.clock_start(case, sla.IMPORTANT, start=at(2026, 11, 23, 9))
    row = SlaClock.objects.get(pk=restarted.pk)
    assert row.pk == clock.pk
    assert (row.state, row.escalation, row.met_at, row.breached_at, row.paused_at) == (
        ClockState.RUNNING, 0, None, None, None)
    assert (row.started_at, row.deadline, row.warn_at, row.escalate_at) == (
        at(2026, 11, 23, 9), at(2026, 11, 23, 18), at(2026, 11, 23, 16, 30), at(2026, 11, 24, 14, 15))


def test_the_case_shows_its_earliest_live_deadline_or_none(case_in):
    case = case_in("classified")
    clocks.clock_start(case, sla.RETURN_VISIT, start=at(2026, 11, 23, 9))
    live = SlaClock.objects.filter(complaint=case)
    clocks.refresh_next_deadline([case.pk])
    case.refresh_from_db()
    assert case.next_deadline == min(live.values_list("deadline", flat=True))
    clocks.clocks_cancel([case.pk], [sla.IMPORTANT, sla.RETURN_VISIT])
    clocks.refresh_next_deadline([case.pk])
    case.refresh_from_db()
    assert case.next_deadline is None




def test_the_scan_acts_at_exactly_each_point_of_a_clock(case_in, users):
    from django.urls import reverse

    case = case_in("investigated")  # cs_staff handles it
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    # another case's clock, not due for anything yet: no step of the scan touches it
    later = case_in("investigated").clocks.get(rule__code=sla.IMPORTANT)
    SlaClock.objects.filter(pk=later.pk).update(warn_at=clock.warn_at + dt.timedelta(days=10),
                                                deadline=clock.deadline + dt.timedelta(days=20),
                                                escalate_at=clock.escalate_at + dt.timedelta(days=30))
    nothing = {"warned": 0, "breached": 0, "to_manager": 0, "notified": 0}
    assert clocks.sla_scan(now=clock.warn_at - dt.timedelta(seconds=1)) == nothing
    assert clocks.sla_scan(now=clock.warn_at) == {"warned": 1, "breached": 0, "to_manager": 0, "notified": 1}
    assert SlaClock.objects.filter(pk=clock.pk).values_list("state", "escalation").get() == (ClockState.AT_RISK, 1)
    assert clocks.sla_scan(now=clock.warn_at) == nothing
    # the handler's notice and the supervisors' summary
    assert clocks.sla_scan(now=clock.deadline) == {"warned": 0, "breached": 1, "to_manager": 0, "notified": 2}
    row = SlaClock.objects.get(pk=clock.pk)
    assert (row.state, row.escalation, row.breached_at) == (ClockState.BREACHED, 2, clock.deadline)
    assert clocks.sla_scan(now=clock.deadline) == nothing
    assert clocks.sla_scan(now=clock.escalate_at - dt.timedelta(seconds=1)) == nothing
    assert clocks.sla_scan(now=clock.escalate_at) == {"warned": 0, "breached": 0, "to_manager": 1, "notified": 1}
    assert SlaClock.objects.filter(pk=clock.pk).values_list("state", "escalation").get() == (ClockState.BREACHED, 3)
    assert clocks.sla_scan(now=clock.escalate_at) == nothing  # the manager is asked once
    assert SlaClock.objects.filter(pk=later.pk).values_list("state", "escalation", "breached_at").get() == (
        ClockState.RUNNING, 0, None)
    handler = Notification.objects.filter(recipient=users["cs_staff"]).order_by("pk")
    url = reverse("complaints:detail", args=[case.pk])
    assert list(handler.values_list("title", "level", "url", "dedupe_key")) == [
        (f"时限即将超时：{case.number} 重要投诉处置", "warning", url, f"sla:{clock.pk}:warn"),
        (f"时限已超时：{case.number} 重要投诉处置", "danger", url, f"sla:{clock.pk}:breach"),
    ]
    supervisor = Notification.objects.get(recipient=users["cs_supervisor"], title__contains="已超时")
    assert (supervisor.title, supervisor.body, supervisor.level) == (
        "1项时限已超时", f"{case.number} 重要投诉处置", "danger")
    manager = Notification.objects.get(recipient=users["manager"], title__contains="超时未处理")
    assert (manager.title, manager.body, manager.level) == ("1项时限超时未处理", f"{case.number} 重要投诉处置", "danger")


def _changed_before_the_scans_write(clock, **change):
    """Another worker's write to ``clock`` that lands between the scan's read and its first
    UPDATE of the clocks (a handler stops or pauses it, another scan escalates it)."""
    from django.db import connection

    table = SlaClock._meta.db_table
    done = []

    def wrapper(execute, sql, params, many, context):
        if not done and sql.lstrip().upper().startswith("UPDATE") and table in sql:
            done.append(sql)
            sets = ", ".join(f'"{column}" = %s' for column in change)
            execute(f'UPDATE "{table}" SET {sets} WHERE "id" = %s', [*change.values(), clock.pk], False, context)
        return execute(sql, params, many, context)

    return connection.execute_wrapper(wrapper)


@pytest.mark.parametrize(("point", "change", "kept"), [
    # stopped on time (or paused) by the handler just before the scan breaches or warns it
    ("deadline", {"state": ClockState.MET}, (ClockState.MET, 0)),
    ("warn_at", {"state": ClockState.PAUSED}, (ClockState.PAUSED, 0)),
    # warned by another scan, then paused and resumed: it is not warned again
    ("warn_at", {"escalation": 1}, (ClockState.RUNNING, 1)),
    # stopped late just before the manager is asked
    ("escalate_at", {"state": ClockState.LATE}, (ClockState.LATE, 2)),
])
def test_a_clock_changed_between_the_scans_read_and_its_write_keeps_the_change_and_is_not_notified(
        case_in, users, point, change, kept):
    clock = case_in("investigated").clocks.get(rule__code=sla.IMPORTANT)
    if point == "escalate_at":
        clocks.sla_scan(now=clock.deadline)
    notes = Notification.objects.count()
    with _changed_before_the_scans_write(clock, **change):
        result = clocks.sla_scan(now=getattr(clock, point))
    assert result == {"warned": 0, "breached": 0, "to_manager": 0, "notified": 0}
    assert SlaClock.objects.filter(pk=clock.pk).values_list("state", "escalation").get() == kept
    assert Notification.objects.count() == notes


def test_a_clock_met_before_its_warning_is_never_warned_and_one_stopped_late_never_reaches_the_manager(
        case_in, users):
    met = case_in("investigated").clocks.get(rule__code=sla.IMPORTANT)
    clocks.clocks_stop([met.complaint_id], [sla.IMPORTANT], at=met.started_at + dt.timedelta(minutes=5))
    assert clocks.sla_scan(now=met.warn_at)["warned"] == 0
    late = case_in("investigated").clocks.get(rule__code=sla.IMPORTANT)
    clocks.sla_scan(now=late.deadline)
    clocks.clocks_stop([late.complaint_id], [sla.IMPORTANT], at=late.deadline + dt.timedelta(hours=1))
    assert clocks.sla_scan(now=max(met.escalate_at, late.escalate_at))["to_manager"] == 0
    assert SlaClock.objects.filter(pk=late.pk).values_list("state", "escalation").get() == (ClockState.LATE, 2)
    assert not Notification.objects.filter(title__contains="即将超时").exists()
    assert not Notification.objects.filter(title__contains="超时未处理").exists()


def test_each_batch_of_breaches_gets_its_own_summary_even_for_the_same_case(case_in, users):
    from complaints import services

    case = case_in("registered")
    services.complaint_classify(complaint=case, user=users["cs_supervisor"], valid=True, severity="major")
    answer = case.clocks.get(rule__code=sla.MAJOR_ANSWER)
    resolve = case.clocks.get(rule__code=sla.MAJOR_RESOLVE)
    assert clocks.sla_scan(now=answer.deadline)["breached"] == 1
    assert clocks.sla_scan(now=resolve.deadline)["breached"] == 1
    summaries = Notification.objects.filter(recipient=users["cs_supervisor"], title="1项时限已超时").order_by("pk")
    assert list(summaries.values_list("body", flat=True)) == [
        f"{case.number} 重大投诉明确答复", f"{case.number} 重大投诉解决"]


def test_a_batch_notified_twice_is_told_once(case_in, users):
    first, second = case_in("investigated"), case_in("investigated")
    rows = sorted(SlaClock.objects.filter(complaint__in=[first, second], rule__code=sla.IMPORTANT).values_list(
        "pk", "complaint__number", "complaint__handler_id", "complaint__first_responder_id", "rule__name",
        "complaint_id"))
    # as two workers would: the handler's two notices once, the second time none
    assert clocks._notify_handlers(rows, stage="breach", level="danger") == 2
    assert clocks._notify_handlers(rows, stage="breach", level="danger") == 0
    assert clocks._notify_handlers([], stage="warn", level="warning") == 0


def test_a_clock_breached_without_a_warning_goes_straight_to_breached(case_in, users):
    case = case_in("investigated")
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    assert clocks.sla_scan(now=clock.deadline + dt.timedelta(hours=1))["breached"] == 1
    assert SlaClock.objects.filter(pk=clock.pk).values_list("state", "escalation").get() == (
        ClockState.BREACHED, 2)
    assert not Notification.objects.filter(recipient=users["cs_staff"], title__contains="即将超时").exists()


def test_an_inactive_handler_is_not_notified_and_the_summary_lists_ten_cases(case_in, users):
    cases = [case_in("investigated") for _ in range(11)]
    users["cs_staff"].is_active = False
    users["cs_staff"].save(update_fields=["is_active"])
    SlaClock.objects.filter(rule__code=sla.IMPORTANT).update(deadline=at(2026, 11, 23, 9))
    assert clocks.sla_scan(now=at(2026, 11, 23, 9))["breached"] == 11
    assert not Notification.objects.filter(recipient=users["cs_staff"]).exists()
    # The handler's own notices go to the department instead (crm.notifications: never dropped),
    # beside the one summary of the scan.
    summary = Notification.objects.get(recipient=users["cs_supervisor"], title__endswith="项时限已超时")
    assert summary.title == "11项时限已超时"
    assert summary.body.split("；") == [f"{c.number} 重要投诉处置" for c in cases[:10]]


def test_return_visit_reminders_list_the_due_visits_for_the_front_desk(case_in, users):
    from django.urls import reverse

    first, second = case_in("executed"), case_in("executed")
    SlaClock.objects.filter(complaint=first, rule__code=sla.RETURN_VISIT).update(deadline=at(2026, 11, 24, 9))
    SlaClock.objects.filter(complaint=second, rule__code=sla.RETURN_VISIT).update(deadline=at(2026, 11, 23, 14, 5))
    assert clocks.return_visit_reminders(now=at(2026, 11, 23, 9)) == 1
    note = Notification.objects.get(recipient=users["front_desk"], title__startswith="待回访")
    assert note.title == "待回访 2 件"
    assert note.body == f"{second.number} 截止11-23 14:05\n{first.number} 截止11-24 09:00"
    assert note.url == reverse("complaints:register") + "?queue=visits"
    assert note.dedupe_key.startswith("complaints:visits:2026-11-23:")
    # the next day they are reminded again; a day with no visit due says nothing
    assert clocks.return_visit_reminders(now=at(2026, 11, 24, 9)) == 1
    clocks.clocks_stop([first.pk, second.pk], [sla.RETURN_VISIT], at=at(2026, 11, 24, 10))
    assert clocks.return_visit_reminders(now=at(2026, 11, 25, 9)) == 0


def _due_visits(like, numbers, deadline):
    """Cases of ``like``'s project with a return visit due at ``deadline``, written in bulk."""
    from complaints.models import Complaint, SlaRule

    rule = SlaRule.objects.get(code=sla.RETURN_VISIT)
    cases = Complaint.objects.bulk_create([
        Complaint(number=number, received_at=like.received_at, received_by_id=like.received_by_id,
                  first_responder_id=like.first_responder_id, complainant_name="业主", project_id=like.project_id,
                  title="回访", description="回访") for number in numbers])
    SlaClock.objects.bulk_create([
        SlaClock(complaint=case, rule=rule, started_at=deadline - dt.timedelta(days=1), deadline=deadline,
                 warn_at=deadline, escalate_at=deadline) for case in cases])
    return cases


def test_a_reminder_lists_the_first_two_hundred_visits_and_counts_the_rest(case_in, users):
    like = case_in("registered")
    _due_visits(like, [f"V{i:03d}" for i in range(200)], at(2026, 11, 24, 9))
    assert clocks.return_visit_reminders(now=at(2026, 11, 23, 9)) == 1
    note = Notification.objects.get(recipient=users["front_desk"], title__startswith="待回访")
    assert note.title == "待回访 200 件"
    assert note.body.split("\n") == [f"V{i:03d} 截止11-24 09:00" for i in range(200)]
    # one more, due earlier: the first two hundred change, the notice counts all and says how many are left out
    _due_visits(like, ["W000"], at(2026, 11, 23, 18))
    assert clocks.return_visit_reminders(now=at(2026, 11, 23, 10)) == 1
    note = Notification.objects.filter(recipient=users["front_desk"], title__startswith="待回访").latest("pk")
    assert note.title == "待回访 201 件"
    assert note.body.split("\n") == ["W000 截止11-23 18:00", *[f"V{i:03d} 截止11-24 09:00" for i in range(199)],
                                      "……另有 1 件，见待回访队列"]


def test_a_reminder_the_same_day_tells_the_visits_that_became_due_since(case_in, users):
    first, second = case_in("executed"), case_in("executed")
    clocks.clocks_cancel([second.pk], [sla.RETURN_VISIT])
    assert clocks.return_visit_reminders(now=at(2026, 11, 23, 9)) == 1
    assert clocks.return_visit_reminders(now=at(2026, 11, 23, 10)) == 0  # nothing new since
    # the first visit is made, the second case's visit is due again: a new list the same day
    clocks.clocks_stop([first.pk], [sla.RETURN_VISIT], at=at(2026, 11, 23, 11))
    clocks.clock_start(second, sla.RETURN_VISIT, start=at(2026, 11, 23, 11))
    assert clocks.return_visit_reminders(now=at(2026, 11, 23, 12)) == 1
    notes = Notification.objects.filter(recipient=users["front_desk"], title__startswith="待回访").order_by("pk")
    assert [note.body.split(" ")[0] for note in notes] == [first.number, second.number]


def test_cancelling_clocks_touches_only_the_named_cases_and_rules(case_in):
    one, other = case_in("executed"), case_in("executed")  # each: the return visit and the feedback run

    def states(case):
        return dict(SlaClock.objects.filter(complaint=case).values_list("rule__code", "state"))

    assert clocks.clocks_cancel([one.pk], [sla.RETURN_VISIT]) == 1
    assert (states(one)[sla.RETURN_VISIT], states(one)[sla.FEEDBACK]) == (ClockState.CANCELLED, ClockState.RUNNING)
    assert (states(other)[sla.RETURN_VISIT], states(other)[sla.FEEDBACK]) == (ClockState.RUNNING, ClockState.RUNNING)
    # stopping, likewise
    assert clocks.clocks_stop([other.pk], [sla.FEEDBACK], at=timezone.now()) == 1
    assert (states(other)[sla.RETURN_VISIT], states(other)[sla.FEEDBACK]) == (ClockState.RUNNING, ClockState.MET)
    assert states(one)[sla.FEEDBACK] == ClockState.RUNNING


def test_each_case_shows_its_own_earliest_deadline(case_in):
    early, late = case_in("classified"), case_in("classified")
    SlaClock.objects.filter(complaint=early).update(deadline=at(2026, 11, 23, 10))
    SlaClock.objects.filter(complaint=late).update(deadline=at(2026, 11, 24, 10))
    clocks.refresh_next_deadline([early.pk, late.pk])
    assert dict(type(early).objects.filter(pk__in=[early.pk, late.pk]).values_list("pk", "next_deadline")) == {
        early.pk: at(2026, 11, 23, 10), late.pk: at(2026, 11, 24, 10)}
