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
    moved, paused = sla.shift_after_pause(CAL, times, at(2026, 11, 23, 17), at(2026, 11, 24, 10), False)
    assert paused == dt.timedelta(hours=17)
    assert moved == {"deadline": at(2026, 11, 25, 2), "warn_at": at(2026, 11, 24, 8, 30)}
    # paused at night and resumed before opening: no working time passed, nothing moves
    assert sla.shift_after_pause(CAL, times, at(2026, 11, 23, 19), at(2026, 11, 24, 8), True) == (
        times, dt.timedelta(0))


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


def test_ids_go_to_the_database_in_pieces_of_two_thousand(monkeypatch):
    assert [len(piece) for piece in clocks._id_chunks(list(range(4001)))] == [2000, 2000, 1]
    monkeypatch.setattr(clocks, "CHUNK_SIZE", 2)
    assert [len(piece) for piece in clocks._id_chunks(list(range(5)))] == [2, 2, 1]
    assert list(clocks._id_chunks([])) == []


def test_the_scan_acts_at_exactly_each_point_of_a_clock(case_in, users):
    case = case_in("investigated")  # cs_staff handles it
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    assert clocks.sla_scan(now=clock.warn_at - dt.timedelta(seconds=1)) == {
        "warned": 0, "breached": 0, "to_manager": 0}
    assert clocks.sla_scan(now=clock.warn_at) == {"warned": 1, "breached": 0, "to_manager": 0}
    assert SlaClock.objects.filter(pk=clock.pk).values_list("state", "escalation").get() == (ClockState.AT_RISK, 1)
    assert clocks.sla_scan(now=clock.deadline) == {"warned": 0, "breached": 1, "to_manager": 0}
    row = SlaClock.objects.get(pk=clock.pk)
    assert (row.state, row.escalation, row.breached_at) == (ClockState.BREACHED, 2, clock.deadline)
    assert clocks.sla_scan(now=clock.escalate_at - dt.timedelta(seconds=1))["to_manager"] == 0
    assert clocks.sla_scan(now=clock.escalate_at) == {"warned": 0, "breached": 0, "to_manager": 1}
    assert SlaClock.objects.get(pk=clock.pk).escalation == 3
    handler = Notification.objects.filter(recipient=users["cs_staff"]).order_by("pk")
    assert list(handler.values_list("title", "level", "dedupe_key")) == [
        (f"时限即将超时：{case.number} 重要投诉处置", "warning", f"sla:{clock.pk}:warn"),
        (f"时限已超时：{case.number} 重要投诉处置", "danger", f"sla:{clock.pk}:breach"),
    ]
    supervisor = Notification.objects.get(recipient=users["cs_supervisor"], title__contains="已超时")
    assert (supervisor.title, supervisor.body, supervisor.level) == (
        "1项时限已超时", f"{case.number} 重要投诉处置", "danger")
    manager = Notification.objects.get(recipient=users["manager"], title__contains="超时未处理")
    assert (manager.title, manager.body, manager.level) == ("1项时限超时未处理", f"{case.number} 重要投诉处置", "danger")


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
