"""Boundaries of the working calendar and of the periods, found by mutation testing (QUALITY.md):
a limit ending exactly at a break, an empty or backward span, the calendar cache, the
database's office hours, naive and default-zone instants."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from crm import caching
from crm import calendar as calendar_module
from crm.calendar import (
    OfficeHours, WorkingCalendar, calendar, day_start, elapsed_cutoff, elapsed_cutoff_at, period_end, period_end_at,
)

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkingCalendar(tz=TZ)
D = dt.date


def at(y, m, d, hh=9, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.mark.parametrize("start, delta, end", [
    # a limit that uses up the morning exactly ends at noon, not when the afternoon opens
    (at(2026, 11, 23, 9), dt.timedelta(hours=3), at(2026, 11, 23, 12)),
    (at(2026, 11, 23, 13, 30), dt.timedelta(hours=4, minutes=30), at(2026, 11, 23, 18)),
    # a start exactly at the end of a period goes on with the next one
    (at(2026, 11, 23, 12), dt.timedelta(minutes=1), at(2026, 11, 23, 13, 31)),
    (at(2026, 11, 23, 18), dt.timedelta(minutes=1), at(2026, 11, 24, 9, 1)),
    # a start in the lunch break waits for the afternoon
    (at(2026, 11, 23, 12, 40), dt.timedelta(minutes=30), at(2026, 11, 23, 14)),
    # one whole working day from an opening ends at that day's close
    (at(2026, 11, 23, 9), dt.timedelta(minutes=450), at(2026, 11, 23, 18)),
    (at(2026, 11, 23, 9), dt.timedelta(minutes=451), at(2026, 11, 24, 9, 1)),
    # Friday evening to Monday morning
    (at(2026, 11, 20, 17, 30), dt.timedelta(hours=1), at(2026, 11, 23, 9, 30)),
])
def test_working_time_is_added_up_to_the_exact_end_of_a_period(start, delta, end):
    assert CAL.add_working_time(start, delta) == end
    assert CAL.working_time_between(start, end) == delta


def test_a_start_in_another_time_zone_is_counted_in_the_calendars_zone():
    start = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)  # 09:00 in Shanghai
    assert CAL.add_working_time(start, dt.timedelta(hours=1)) == at(2026, 11, 23, 10)


def test_working_minutes_and_days_follow_the_office_hours():
    assert CAL.add_working_minutes(at(2026, 11, 23, 9), 90) == at(2026, 11, 23, 10, 30)
    assert CAL.add_working_days(at(2026, 11, 23, 9), 1) == at(2026, 11, 23, 18)
    assert CAL.add_working_days(at(2026, 11, 23, 9), 2) == at(2026, 11, 24, 18)
    short = WorkingCalendar(hours=OfficeHours(dt.time(8), dt.time(12), dt.time(13), dt.time(17)), tz=TZ)
    assert short.add_working_days(at(2026, 11, 23, 8), 0.5) == at(2026, 11, 23, 12)
    assert short.add_working_days(at(2026, 11, 23, 8), 1.5) == at(2026, 11, 24, 12)


def test_a_negative_limit_is_refused_and_an_endless_one_stops():
    with pytest.raises(ValueError, match="^delta must not be negative$"):
        CAL.add_working_time(at(2026, 11, 23), dt.timedelta(minutes=-1))
    never_open = WorkingCalendar(tz=TZ, overrides={D(2026, 11, 23) + dt.timedelta(days=n): False for n in range(4000)})
    with pytest.raises(ValueError, match="^deadline beyond the calendar's range$"):
        never_open.add_working_time(at(2026, 11, 23), dt.timedelta(minutes=1))


@pytest.mark.parametrize("a, b, between", [
    (at(2026, 11, 23, 10), at(2026, 11, 23, 10), dt.timedelta(0)),
    (at(2026, 11, 23, 12, 10), at(2026, 11, 23, 13, 20), dt.timedelta(0)),  # inside the lunch break
    (at(2026, 11, 23, 17), at(2026, 11, 24, 10), dt.timedelta(hours=2)),  # over a night
    (at(2026, 11, 20, 17), at(2026, 11, 23, 10), dt.timedelta(hours=2)),  # over a weekend
    (at(2026, 11, 24, 10), at(2026, 11, 23, 17), -dt.timedelta(hours=2)),
    # the other zone's instants are office hours in Shanghai: 01:00-02:00 UTC is 09:00-10:00
    (dt.datetime(2026, 11, 23, 1, tzinfo=dt.timezone.utc), dt.datetime(2026, 11, 23, 2, tzinfo=dt.timezone.utc),
     dt.timedelta(hours=1)),
])
def test_working_time_between_two_instants(a, b, between):
    assert CAL.working_time_between(a, b) == between


@pytest.mark.parametrize("day, following", [
    (D(2026, 11, 23), D(2026, 11, 24)),  # Monday → Tuesday
    (D(2026, 11, 20), D(2026, 11, 23)),  # Friday → Monday
    (D(2026, 9, 30), D(2026, 10, 8)),  # the National Day week
    (D(2026, 10, 9), D(2026, 10, 10)),  # Friday → the 调休 working Saturday
])
def test_the_next_working_day_is_strictly_after(day, following):
    assert CAL.next_working_day(day) == following


def test_an_admin_override_wins_over_the_statutory_calendar_both_ways():
    cal = WorkingCalendar(tz=TZ, overrides={D(2026, 10, 1): True, D(2026, 11, 23): False})
    assert cal.is_working_day(D(2026, 10, 1)) and not cal.is_working_day(D(2026, 11, 23))
    assert cal.is_working_day(D(2026, 10, 10)) and not cal.is_working_day(D(2026, 10, 2))


def test_the_calendar_uses_the_sites_time_zone_unless_given_one():
    utc = dt.timezone.utc
    plain = WorkingCalendar()
    assert plain.add_working_time(dt.datetime(2026, 11, 23, 1, tzinfo=utc), dt.timedelta(hours=1)) == at(2026, 11, 23, 10)
    in_utc = WorkingCalendar(tz=utc)
    assert in_utc.add_working_time(dt.datetime(2026, 11, 23, 9, tzinfo=utc),
                                   dt.timedelta(hours=1)) == dt.datetime(2026, 11, 23, 10, tzinfo=utc)
    # 17:00 UTC is already the next day in Shanghai: a UTC calendar still counts that afternoon
    late = dt.datetime(2026, 11, 23, 17, tzinfo=utc)
    assert in_utc.add_working_time(late, dt.timedelta(minutes=30)) == dt.datetime(2026, 11, 23, 17, 30, tzinfo=utc)
    assert in_utc.working_time_between(late, late + dt.timedelta(hours=1)) == dt.timedelta(hours=1)


@pytest.mark.django_db
def test_the_database_calendar_is_read_once_a_minute_and_after_every_change(monkeypatch):
    from crm.models import CalendarOverride, WorkingHours

    WorkingHours.objects.create(pk=1, morning_start=dt.time(8), morning_end=dt.time(11, 30),
                                afternoon_start=dt.time(13), afternoon_end=dt.time(17, 30))
    caching.settle()  # the hours as committed (a transaction that changed them never keeps a copy)
    clock = {"now": 1000.0}
    monkeypatch.setattr(calendar_module.time, "monotonic", lambda: clock["now"])
    first = calendar()
    assert first.hours == OfficeHours(dt.time(8), dt.time(11, 30), dt.time(13), dt.time(17, 30))
    assert first.overrides == {}
    CalendarOverride.objects.bulk_create([CalendarOverride(date=D(2026, 11, 24), is_working_day=False)])  # no signal
    clock["now"] += 59
    assert calendar() is first
    clock["now"] += 1
    second = calendar()
    assert second is not first and second.overrides == {D(2026, 11, 24): False}
    assert calendar() is second
    CalendarOverride.objects.create(date=D(2026, 11, 25), is_working_day=False)  # the admin's save forgets it
    assert calendar().overrides == {D(2026, 11, 24): False, D(2026, 11, 25): False}


@pytest.mark.django_db
def test_a_change_reaches_a_process_that_read_the_calendar_less_than_a_minute_ago(monkeypatch):
    """Each process keeps its copy for a minute, tagged with the shared generation it read;
    ``forget()`` moves the generation on, so another process's copy, tagged with the old one,
    is read again at once (for the first change and for every later one)."""
    monkeypatch.setattr(calendar_module.time, "monotonic", lambda: 1000.0)
    for _ in range(3):
        mine = calendar()
        assert calendar() is mine
        held = calendar_module._cached  # another process's copy: same instant, same generation
        calendar_module.forget()
        caching.settle()  # committed
        calendar_module._cached = held
        assert calendar() is not mine


@pytest.mark.django_db
def test_without_hours_in_the_database_the_office_hours_are_the_defaults():
    assert calendar().hours == OfficeHours()
    assert OfficeHours().periods() == ((dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(18)))


# --- Periods -----------------------------------------------------------------------------------

@pytest.mark.parametrize("start, months, end", [
    (D(2026, 12, 31), 1, D(2027, 1, 31)),  # December → January of the next year
    (D(2026, 11, 30), 1, D(2026, 12, 30)),  # November → December, same year
    (D(2026, 12, 15), 12, D(2027, 12, 15)),
    (D(2026, 1, 31), 11, D(2026, 12, 31)),  # into December: its 31st exists
    (D(2026, 1, 31), 13, D(2027, 2, 28)),
    (D(2027, 10, 31), 1, D(2027, 11, 30)),
    (D(2027, 5, 31), 1, D(2027, 6, 30)),
])
def test_calendar_months_across_year_ends_and_short_months(start, months, end):
    assert period_end(start, months=months, deadline=False) == end


def test_a_period_of_nothing_ends_on_the_day_and_negative_parts_are_refused():
    assert period_end(D(2026, 11, 21), deadline=False) == D(2026, 11, 21)
    assert period_end(D(2026, 11, 21), deadline=True, cal=CAL) == D(2026, 11, 23)  # a Saturday moves
    for part in ("days", "months", "years"):
        with pytest.raises(ValueError, match="^a period is not negative$"):
            period_end(D(2026, 1, 1), deadline=False, **{part: -1})
        with pytest.raises(ValueError, match="^a period is not negative$"):
            elapsed_cutoff(D(2026, 1, 1), **{part: -1})
    with pytest.raises(TypeError) as instant:
        period_end(at(2026, 1, 1), days=1, deadline=False)
    assert str(instant.value) == "period_end counts whole days: pass a date (see period_end_at for an instant)"


def test_a_deadline_is_counted_on_the_database_calendar_when_none_is_given(db):
    from crm.models import CalendarOverride

    CalendarOverride.objects.create(date=D(2027, 1, 15), is_working_day=False)
    assert period_end(D(2026, 12, 31), days=15, deadline=True) == D(2027, 1, 18)
    assert period_end_at(D(2026, 12, 31), days=15, deadline=True) == dt.datetime(2027, 1, 19, tzinfo=TZ)


@pytest.mark.parametrize("start, ends_at", [
    # a naive instant is taken as it is written; an aware one in the site's zone
    (dt.datetime(2026, 12, 31, 23, 30), dt.datetime(2027, 1, 16, tzinfo=TZ)),
    (dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.timezone.utc), dt.datetime(2027, 1, 17, tzinfo=TZ)),
    (D(2026, 12, 31), dt.datetime(2027, 1, 16, tzinfo=TZ)),
])
def test_period_end_at_takes_the_local_day_of_the_event(start, ends_at):
    assert period_end_at(start, days=15, deadline=False) == ends_at
    assert period_end_at(start, days=15, deadline=False, cal=CAL) == ends_at


def test_period_end_at_follows_the_zone_it_is_given_or_the_calendars():
    utc = dt.timezone.utc
    start = dt.datetime(2026, 12, 31, 20, tzinfo=utc)  # 01-01 04:00 in Shanghai
    assert period_end_at(start, days=1, deadline=False, tz=utc) == dt.datetime(2027, 1, 2, tzinfo=utc)
    assert period_end_at(start, days=1, deadline=False, cal=WorkingCalendar(tz=utc)) == dt.datetime(
        2027, 1, 2, tzinfo=utc)
    assert period_end_at(start, days=1, deadline=False, cal=CAL) == dt.datetime(2027, 1, 3, tzinfo=TZ)
    assert period_end_at(start, years=1, deadline=False, tz=utc) == dt.datetime(2028, 1, 1, tzinfo=utc)
    assert period_end_at(start, months=1, deadline=False, tz=utc) == dt.datetime(2027, 2, 1, tzinfo=utc)
    # a naive instant is its written day in any zone (05:00 would be the day before in UTC if read as Shanghai)
    assert period_end_at(dt.datetime(2026, 12, 31, 5), days=1, deadline=False, tz=utc) == dt.datetime(
        2027, 1, 2, tzinfo=utc)


def test_a_day_starts_at_midnight_in_the_sites_zone_or_the_one_given():
    assert day_start(D(2026, 11, 23)) == dt.datetime(2026, 11, 23, tzinfo=TZ)
    assert day_start(D(2026, 11, 23), dt.timezone.utc) == dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("on, kw, cutoff", [
    # months and days together: 2026-01-30 + 1 month + 1 day ends 03-01, over on 03-02
    (D(2026, 3, 2), {"months": 1, "days": 1}, D(2026, 1, 31)),
    (D(2026, 3, 1), {"months": 1, "days": 1}, D(2026, 1, 27)),
    (D(2027, 1, 1), {"years": 1, "months": 1}, D(2025, 11, 30)),
    (D(2026, 11, 23), {}, D(2026, 11, 22)),
])
def test_elapsed_cutoff_with_several_units(on, kw, cutoff):
    assert elapsed_cutoff(on, **kw) == cutoff
    assert period_end(cutoff, **kw, deadline=False) < on <= period_end(cutoff + dt.timedelta(days=1), **kw,
                                                                        deadline=False)


def test_elapsed_cutoff_at_counts_in_the_sites_zone_by_default():
    now = dt.datetime(2026, 12, 8, 16, 30, tzinfo=dt.timezone.utc)  # 12-09 00:30 in Shanghai
    assert elapsed_cutoff_at(now, days=7) == dt.datetime(2026, 12, 2, tzinfo=TZ)
    assert elapsed_cutoff_at(now, days=7, tz=dt.timezone.utc) == dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
    assert elapsed_cutoff_at(now, months=1) == dt.datetime(2026, 11, 9, tzinfo=TZ)
    assert elapsed_cutoff_at(now, years=1) == dt.datetime(2025, 12, 9, tzinfo=TZ)
