"""The working calendar: mainland-China public holidays, 调休 working weekends, admin
overrides and office hours with a lunch break.

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

MAX_DAYS = 3660  # a deadline more than ten years out is a bug, not a deadline


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

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        days_off, workdays = _cn_year(day.year)
        if day in workdays:
            return True
        if day in days_off:
            return False
        return day.weekday() < 5

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


_cached: tuple[float, WorkingCalendar] | None = None
CACHE_SECONDS = 60


def calendar() -> WorkingCalendar:
    """The calendar from the database (overrides and office hours), cached for a minute."""
    global _cached
    now = time.monotonic()
    if _cached and now - _cached[0] < CACHE_SECONDS:
        return _cached[1]
    from crm.models import CalendarOverride, WorkingHours

    row = WorkingHours.objects.filter(pk=1).first()
    hours = (
        OfficeHours(row.morning_start, row.morning_end, row.afternoon_start, row.afternoon_end) if row else OfficeHours()
    )
    overrides = dict(CalendarOverride.objects.values_list("date", "is_working_day"))
    cal = WorkingCalendar(hours=hours, overrides=overrides)
    _cached = (now, cal)
    return cal


def forget() -> None:
    """Drop the cached calendar (an admin changed an override or the hours)."""
    global _cached
    _cached = None
