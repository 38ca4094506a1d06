"""The working calendar: mainland-China public holidays, 调休 working weekends, admin
overrides and office hours with a lunch break.

Each year is *official* or *estimated* (``CalendarYear``): an official year's days off and
调休 working days are the ones of the State Council's notice as an admin entered or confirmed
it; an estimated year's come from the ``holidays`` package's rule, which before the notice
is out has the festivals and their "observed" days but no 调休 working weekends. Years before
``FIRST_TRACKED_YEAR`` are past: the package's data for them was checked against each year's
notice (see its ``China`` class), so they count as official. A single-day ``CalendarOverride``
wins over both.

``WorkingCalendar`` is pure (no database) so that deadlines are testable; ``calendar()``
builds one from the database and caches it briefly per process.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
from django.utils import timezone

from crm import caching

MAX_DAYS = 3660  # a deadline more than ten years out is a bug, not a deadline
FIRST_TRACKED_YEAR = 2026  # from this year on, a year is official only once an admin confirmed its notice


@lru_cache(maxsize=32)
def _cn_year(year: int) -> tuple[frozenset, frozenset]:
    cn = holidays.country_holidays("CN", years=year)
    days_off = frozenset(d for d in cn if d.year == year)
    workdays = frozenset(d for d in getattr(cn, "weekend_workdays", ()) if d.year == year)
    return days_off, workdays


@dataclass(frozen=True)
class OfficeHours:
    morning_start: dt.time = dt.time(9, 0)
    morning_end: dt.time = dt.time(12, 0)
    afternoon_start: dt.time = dt.time(13, 30)
    afternoon_end: dt.time = dt.time(18, 0)

    def periods(self) -> tuple[tuple[dt.time, dt.time], ...]:
        return ((self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end))

    @property
    def minutes_per_day(self) -> int:
        def minutes(a, b):
            return (b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)

        return sum(minutes(a, b) for a, b in self.periods())


@dataclass(frozen=True)
class WorkingCalendar:
    hours: OfficeHours = OfficeHours()
    overrides: dict = field(default_factory=dict)  # date -> is_working_day
    tz: dt.tzinfo | None = None
    # year -> (days off, 调休 working days) of the years whose notice an admin confirmed
    official: dict = field(default_factory=dict)
    tracked_from: int = FIRST_TRACKED_YEAR

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        days_off, workdays = self.official.get(day.year) or _cn_year(day.year)
        if day in workdays:
            return True
        if day in days_off:
            return False
        return day.weekday() < 5

    def is_estimated(self, year: int) -> bool:
        """Whether ``year``'s days come from the library's rule, not from a confirmed notice."""
        return year >= self.tracked_from and year not in self.official

    def spans_estimated(self, start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> bool:
        """Whether the interval ``start``…``end`` (dates, or instants read in local time)
        touches an estimated year: a deadline counted over it is only an estimate."""
        first, last = (_local_date(x, self._tz()) for x in (start, end))
        if last < first:
            first, last = last, first
        return any(self.is_estimated(year) for year in range(first.year, last.year + 1))

    def _tz(self):
        return self.tz or timezone.get_default_timezone()

    def _periods_on(self, day: dt.date):
        tz = self._tz()
        for start, end in self.hours.periods():
            yield (dt.datetime.combine(day, start, tzinfo=tz), dt.datetime.combine(day, end, tzinfo=tz))

    def add_working_time(self, start: dt.datetime, delta: dt.timedelta) -> dt.datetime:
        """The instant when ``delta`` of working time has passed after ``start``."""
        if delta < dt.timedelta(0):
            raise ValueError("delta must not be negative")
        if not delta:
            return start
        local = start.astimezone(self._tz())
        remaining = delta
        day = local.date()
        for _ in range(MAX_DAYS):
            if self.is_working_day(day):
                for p_start, p_end in self._periods_on(day):
                    if p_end <= local:
                        continue
                    begin = max(p_start, local)
                    available = p_end - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += dt.timedelta(days=1)
        raise ValueError("deadline beyond the calendar's range")

    def add_working_minutes(self, start: dt.datetime, minutes: float) -> dt.datetime:
        return self.add_working_time(start, dt.timedelta(minutes=minutes))

    def add_working_days(self, start: dt.datetime, days: float) -> dt.datetime:
        """Working days as office time: half a day is half of one day's office minutes."""
        return self.add_working_minutes(start, days * self.hours.minutes_per_day)

    def working_time_between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Working time from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
        if b < a:
            return -self.working_time_between(b, a)
        tz = self._tz()
        a, b = a.astimezone(tz), b.astimezone(tz)
        total = dt.timedelta(0)
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                for p_start, p_end in self._periods_on(day):
                    lo, hi = max(p_start, a), min(p_end, b)
                    if hi > lo:
                        total += hi - lo
            day += dt.timedelta(days=1)
        return total

    def next_working_day(self, day: dt.date) -> dt.date:
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day


_cached: tuple[float, WorkingCalendar, str | None] | None = None
CACHE_SECONDS = 60
GENERATION_KEY = "crm:calendar:generation"


def calendar() -> WorkingCalendar:
    """The calendar from the database (years, overrides and office hours), cached for a minute
    per process, and no longer than the *generation* in the shared cache: a confirmed year
    reaches every web process and worker at once, so no clock is started on the old days
    after the confirmation has recounted the open ones."""
    from django.core.cache import cache

    global _cached
    if caching.changed_here(GENERATION_KEY):
        return build_calendar()  # this transaction changed the calendar: its own rows, never kept
    generation = cache.get(GENERATION_KEY)
    now = time.monotonic()
    if _cached and _cached[2] == generation and now - _cached[0] < CACHE_SECONDS:
        return _cached[1]
    cal = build_calendar()
    _cached = (now, cal, generation)
    return cal


def build_calendar() -> WorkingCalendar:
    """The calendar as the database has it now (uncached)."""
    from crm.models import CalendarOverride, CalendarYear, WorkingHours

    row = WorkingHours.objects.filter(pk=1).first()
    hours = (
        OfficeHours(row.morning_start, row.morning_end, row.afternoon_start, row.afternoon_end) if row else OfficeHours()
    )
    overrides = dict(CalendarOverride.objects.values_list("date", "is_working_day"))
    official = {y.year: (y.days_off(), y.workdays())
                for y in CalendarYear.objects.filter(status=CalendarYear.Status.OFFICIAL)}
    return WorkingCalendar(hours=hours, overrides=overrides, official=official)


def forget() -> None:
    """Drop the cached calendar everywhere (an admin changed an override, a year or the hours):
    now, and again once the change is committed, for a process that read the old rows meanwhile."""
    global _cached
    _cached = None
    caching.forget(GENERATION_KEY, renew=True)


def spans_estimated(start: dt.date | dt.datetime, end: dt.date | dt.datetime,
                    cal: WorkingCalendar | None = None) -> bool:
    """Whether ``start``…``end`` touches a year that is only estimated on the database's calendar."""
    return (cal or calendar()).spans_estimated(start, end)


# --- Periods under the Civil Code (民法典 art. 200–204) -----------------------------------------
#
# Every period of the product counted in calendar days, months or years goes through these
# functions (working time goes through ``WorkingCalendar``):
#   art. 201  the day of the event is not counted: N days from the 1st end on the (1+N)th;
#   art. 202  months and years are calendar ones: the period ends on the corresponding day of
#             the last month, or on that month's last day when it has no such day
#             (01-31 + 1 month → 02-28/29; 2024-02-29 + 1 year → 2025-02-28);
#   art. 203  a *deadline to act* (a notice, a claim, a due date) whose last day is not a working
#             day ends on the next working day; a *measure of elapsed time* (overdue for more
#             than 6 months, archive age) does not move;
#   art. 203  a period ends at the end of its last day (24:00), i.e. at the start of the next day.


def _shift_months(day: dt.date, months: int) -> dt.date:
    """The day ``months`` calendar months after (or before) ``day``, clamped to the month's end."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (next_month - dt.timedelta(days=1)).day))


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """A calendar month as [its first day, the next month's first day): a monthly report's or
    quota's period (December runs to the next year's 1 January)."""
    first = dt.date(year, month, 1)
    return first, _shift_months(first, 1)


def _period_last_day(start: dt.date, days: int, months: int) -> dt.date:
    return _shift_months(start, months) + dt.timedelta(days=days)


def period_end(start: dt.date, *, days: int = 0, months: int = 0, years: int = 0, deadline: bool,
               cal: WorkingCalendar | None = None) -> dt.date:
    """The last day of a period of ``years``/``months``/``days`` after the event on ``start``.

    ``deadline=True``: a period for someone to act; a last day that is a holiday or a
    non-working weekend day moves to the next working day of ``cal`` (default: the database's
    calendar). ``deadline=False``: a measure of elapsed time; it never moves.
    """
    if isinstance(start, dt.datetime):
        raise TypeError("period_end counts whole days: pass a date (see period_end_at for an instant)")
    if min(days, months, years) < 0:
        raise ValueError("a period is not negative")
    last = _period_last_day(start, int(days), int(months) + 12 * int(years))
    if deadline:
        cal = cal or calendar()
        if not cal.is_working_day(last):
            last = cal.next_working_day(last)
    return last


def _local_tz(cal: WorkingCalendar | None, tz):
    return tz or (cal.tz if cal else None) or timezone.get_default_timezone()


def _local_date(start, tz) -> dt.date:
    if isinstance(start, dt.datetime):
        return start.astimezone(tz).date() if timezone.is_aware(start) else start.date()
    return start


def day_start(day: dt.date, tz=None) -> dt.datetime:
    """The instant a local day begins (00:00 in ``tz``, default the site's time zone)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz or timezone.get_default_timezone())


def period_end_at(start: dt.date | dt.datetime, *, days: int = 0, months: int = 0, years: int = 0,
                  deadline: bool, cal: WorkingCalendar | None = None, tz=None) -> dt.datetime:
    """The instant a period ends: the start of the day after its last day, in local time.

    ``start`` may be the event's instant: its local date is the (uncounted) day of the event.
    """
    tz = _local_tz(cal, tz)
    last = period_end(_local_date(start, tz), days=days, months=months, years=years, deadline=deadline, cal=cal)
    return day_start(last + dt.timedelta(days=1), tz)


def elapsed_cutoff(on: dt.date, *, days: int = 0, months: int = 0, years: int = 0) -> dt.date:
    """The latest event day whose period of elapsed time is over before the day ``on`` begins.

    "Overdue for more than 6 months on ``on``" ⇔ ``overdue_since <= elapsed_cutoff(on, months=6)``.
    The inverse of ``period_end(..., deadline=False)``, which is not one-to-one at month ends
    (01-29, 01-30 and 01-31 all reach 02-28 in a month), hence the search around a first guess.
    """
    if min(days, months, years) < 0:
        raise ValueError("a period is not negative")
    months = int(months) + 12 * int(years)
    days = int(days)
    guess = _shift_months(on, -months) - dt.timedelta(days=days)
    one = dt.timedelta(days=1)
    while _period_last_day(guess, days, months) >= on:
        guess -= one
    while _period_last_day(guess + one, days, months) < on:
        guess += one
    return guess


def elapsed_cutoff_at(now: dt.datetime, *, days: int = 0, months: int = 0, years: int = 0, tz=None) -> dt.datetime:
    """The instant X such that an event that happened before X has its elapsed period over at ``now``
    (filter ``happened_at__lt=X``): periods end at the end of their last local day."""
    tz = tz or timezone.get_default_timezone()
    cutoff = elapsed_cutoff(now.astimezone(tz).date(), days=days, months=months, years=years)
    return day_start(cutoff + dt.timedelta(days=1), tz)
