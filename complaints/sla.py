"""Time limits (服务时限) as pure functions: no database, so every deadline is testable.

A clock's deadline is ``start`` plus the rule's amount, counted on the working calendar
(public holidays off, 调休 Saturdays on) or in calendar time, as the rule says. Whole calendar
days are a period under 民法典 art. 201–203 (``crm.calendar.period_end_at``): the day received
is not counted, the limit ends at the end of its last day, moved to the next working day
when that day is off.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext

from crm.calendar import WorkingCalendar, period_end_at


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str
    amount: Decimal
    unit: str  # minutes / hours / days
    working_time: bool


TRANSFER = "transfer"
MINOR = "minor"
IMPORTANT = "important"
MAJOR_ANSWER = "major_answer"
MAJOR_RESOLVE = "major_resolve"
NEED_REPLY = "need_reply"
FEEDBACK = "feedback"
RETURN_VISIT = "return_visit"

# The defaults of DOMAIN.md's table; a data migration writes them, admins edit them.
DEFAULT_RULES = [
    RuleSpec(TRANSFER, "首问转交", Decimal(10), "minutes", False),  # i18n: data
    RuleSpec(MINOR, "轻微投诉处置", Decimal("0.5"), "days", True),  # i18n: data
    RuleSpec(IMPORTANT, "重要投诉处置", Decimal(1), "days", True),  # i18n: data
    RuleSpec(MAJOR_ANSWER, "重大投诉明确答复", Decimal(2), "days", True),  # i18n: data
    RuleSpec(MAJOR_RESOLVE, "重大投诉解决", Decimal(15), "days", False),  # i18n: data; seed: 15日, calendar days
    RuleSpec(NEED_REPLY, "需求/建议答复", Decimal(1), "days", True),  # i18n: data
    # Step 7, the same day as disposal: 0 calendar days ends at the end of the day of disposal
    # (art. 201: that day is not counted, so the period is that day itself), on the next working
    # day when disposal happened on a day off.
    RuleSpec(FEEDBACK, "处置当日反馈业主", Decimal(0), "days", False),  # i18n: data
    RuleSpec(RETURN_VISIT, "处置后回访", Decimal(1), "days", True),  # i18n: data
]
DEFAULT_MANAGER_PERCENT = Decimal(150)  # the rule complaints.sla_manager_percent's default
SEVERITY_RULES = {"minor": [MINOR], "important": [IMPORTANT], "major": [MAJOR_ANSWER, MAJOR_RESOLVE]}


def add_duration(cal: WorkingCalendar, start: dt.datetime, amount, unit: str, working: bool) -> dt.datetime:
    """``start`` plus ``amount`` ``unit`` of working or calendar time."""
    amount = float(amount)
    minutes = {"minutes": amount, "hours": amount * 60}.get(unit)
    if working:
        if unit == "days":
            return cal.add_working_days(start, amount)
        return cal.add_working_minutes(start, minutes)
    if unit == "days":
        if amount.is_integer():  # a limit to act in whole days: art. 201–203
            return period_end_at(start, days=int(amount), deadline=True, cal=cal)
        return start + dt.timedelta(days=amount)  # a fraction of a day is a duration, not a period
    return start + dt.timedelta(minutes=minutes)


def deadline_for(cal: WorkingCalendar, start: dt.datetime, amount, unit: str, working: bool,
                 requested_by: dt.datetime | None = None, promised_by: dt.datetime | None = None) -> dt.datetime:
    """The deadline of a clock.

    ``requested_by``, the owner's requested time, only shortens the rule's limit (a minor
    complaint: "immediately, or by the owner's requested time, at most half a day").
    ``promised_by``, a time promised to the owner, replaces the limit, earlier or later (a need
    or suggestion: "a reply within 1 day, or by the time promised to the owner").
    """
    return _deadline(cal, start, amount, unit, working, requested_by, promised_by)[0]


def _deadline(cal, start, amount, unit, working, requested_by=None, promised_by=None) -> tuple[dt.datetime, bool]:
    """``deadline_for`` and whether the deadline is the rule's (counted on the calendar)."""
    if promised_by is not None and promised_by > start:
        return promised_by, False
    deadline = add_duration(cal, start, amount, unit, working)
    if requested_by is not None and start < requested_by < deadline:
        return requested_by, False
    return deadline, True


def uses_calendar(unit: str, working: bool) -> bool:
    """Whether a limit is counted on the working calendar: working time, or whole days whose
    last day moves past days off. Minutes and hours of calendar time are not."""
    return working or unit == "days"


def counted_over_estimate(cal: WorkingCalendar, start: dt.datetime, deadline: dt.datetime, unit: str,
                          working: bool) -> bool:
    """Whether a deadline counted on ``cal`` from ``start`` went over an estimated year."""
    return uses_calendar(unit, working) and cal.spans_estimated(start, deadline)


def fraction_point(cal: WorkingCalendar, start: dt.datetime, deadline: dt.datetime, percent, working: bool
                   ) -> dt.datetime:
    """The instant when ``percent`` of the span start→deadline has been used."""
    share = float(percent) / 100
    if working:
        total = cal.working_time_between(start, deadline)
        if total <= dt.timedelta(0):
            return start + (deadline - start) * share
        return cal.add_working_time(start, total * share)
    return start + (deadline - start) * share


def span_points(cal: WorkingCalendar, start: dt.datetime, deadline: dt.datetime, warn_percent, manager_percent,
                working: bool) -> dict:
    """When a clock warns its handler (``warn_percent`` of the span start→deadline used) and
    when it asks the manager (``manager_percent``, past 100 once breached). Both are rules."""
    return {
        "warn_at": fraction_point(cal, start, deadline, warn_percent, working),
        "escalate_at": fraction_point(cal, start, deadline, manager_percent, working),
    }


def clock_times(cal: WorkingCalendar, start: dt.datetime, spec, warn_percent, requested_by=None, *,
                promised_by=None, manager_percent=DEFAULT_MANAGER_PERCENT) -> dict:
    """Deadline, warning time and the time to ask the manager of a new clock, and whether the
    deadline is only an estimate (counted by the rule over a year not yet confirmed)."""
    deadline, by_rule = _deadline(cal, start, spec.amount, spec.unit, spec.working_time, requested_by, promised_by)
    return {"started_at": start, "deadline": deadline,
            **span_points(cal, start, deadline, warn_percent, manager_percent, spec.working_time),
            "estimated": by_rule and counted_over_estimate(cal, start, deadline, spec.unit, spec.working_time)}


def recounted_times(old: WorkingCalendar, new: WorkingCalendar, *, started_at: dt.datetime, deadline: dt.datetime,
                    paused_total: dt.timedelta, spec, warn_percent, manager_percent) -> dict | None:
    """A running clock's times counted again on ``new`` after a year's days changed, or None
    when its deadline is not the calendar's to move: it is not what the rule gives on ``old``
    (a time promised or requested by the owner, an approved extension, a rule edited since).

    The clock is counted as it was: the rule's times from ``started_at``, then moved on by the
    time it was paused (as ``shift_after_pause`` did at each resume)."""
    def counted(cal):
        times = clock_times(cal, started_at, spec, warn_percent, manager_percent=manager_percent)
        times.pop("started_at")
        estimated = times.pop("estimated")
        if paused_total > dt.timedelta(0):
            times = {key: cal.add_working_time(value, paused_total) if spec.working_time else value + paused_total
                     for key, value in times.items()}
            estimated = estimated or counted_over_estimate(cal, started_at, times["deadline"], spec.unit,
                                                           spec.working_time)
        return {**times, "estimated": estimated}

    if counted(old)["deadline"] != deadline:
        return None
    return counted(new)


def shift_after_pause(cal: WorkingCalendar, times: dict, paused_at: dt.datetime, resumed_at: dt.datetime,
                      working: bool) -> tuple[dict, dt.timedelta]:
    """Move a paused clock's times on by the (working or calendar) time it was paused."""
    paused = cal.working_time_between(paused_at, resumed_at) if working else resumed_at - paused_at
    if paused <= dt.timedelta(0):
        return dict(times), dt.timedelta(0)

    def move(value):
        return cal.add_working_time(value, paused) if working else value + paused

    return {key: move(value) for key, value in times.items()}, paused


def on_time(deadline: dt.datetime, done_at: dt.datetime) -> bool:
    return done_at <= deadline


def previous_working_day(cal: WorkingCalendar, day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while not cal.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def received_at_problem(cal: WorkingCalendar, received_at: dt.datetime, now: dt.datetime) -> str:
    """Why a 受理时间 typed at the front desk cannot be taken ("" when it can): it is when the
    owner called or came, so it is past, and a call is logged by the next working day at the
    latest (every clock of the case starts from it)."""
    if received_at > now:
        return gettext("受理时间不能晚于当前时间。")
    tz = cal.tz or timezone.get_default_timezone()
    earliest = previous_working_day(cal, now.astimezone(tz).date())
    if received_at.astimezone(tz).date() < earliest:
        return gettext("受理时间不能早于上一个工作日（{date}）。").format(date=f"{earliest:%Y-%m-%d}")
    return ""
