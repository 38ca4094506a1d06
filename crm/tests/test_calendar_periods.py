"""Periods under the Civil Code (民法典 art. 201–203): crm.calendar.period_end and companions."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.calendar import WorkingCalendar, elapsed_cutoff, elapsed_cutoff_at, period_end, period_end_at

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkingCalendar(tz=TZ)
D = dt.date


@pytest.mark.parametrize("start, kw, end", [
    # art. 201: the day of the event is not counted
    (D(2026, 11, 14), {"days": 1}, D(2026, 11, 15)),
    (D(2026, 12, 31), {"days": 15}, D(2027, 1, 15)),
    (D(2026, 12, 25), {"days": 7}, D(2027, 1, 1)),  # year end
    (D(2024, 6, 15), {"years": 2}, D(2026, 6, 15)),
    (D(2026, 11, 14), {"months": 1}, D(2026, 12, 14)),
    (D(2026, 12, 15), {"months": 1}, D(2027, 1, 15)),  # across the year end
    # art. 202: a month without the corresponding day ends on its last day
    (D(2026, 1, 31), {"months": 1}, D(2026, 2, 28)),
    (D(2028, 1, 31), {"months": 1}, D(2028, 2, 29)),  # leap year
    (D(2026, 1, 29), {"months": 1}, D(2026, 2, 28)),
    (D(2026, 3, 31), {"months": 1}, D(2026, 4, 30)),
    (D(2026, 8, 31), {"months": 6}, D(2027, 2, 28)),
    (D(2026, 2, 28), {"months": 1}, D(2026, 3, 28)),
    (D(2024, 2, 29), {"years": 1}, D(2025, 2, 28)),
    (D(2024, 2, 29), {"years": 4}, D(2028, 2, 29)),
    (D(2023, 2, 28), {"years": 1}, D(2024, 2, 28)),
    (D(2026, 11, 14), {"months": 0}, D(2026, 11, 14)),
    (D(2024, 6, 15), {"months": 60}, D(2029, 6, 15)),
    (D(2026, 1, 31), {"months": 1, "days": 1}, D(2026, 3, 1)),
])
def test_period_end_counts_calendar_days_months_and_years(start, kw, end):
    assert period_end(start, **kw, deadline=False) == end


@pytest.mark.parametrize("start, kw, end", [
    # art. 203: a deadline whose last day is a holiday moves to the next working day…
    *[(D(2026, 9, day), {"days": 30}, D(2026, 10, 8)) for day in range(1, 8)],  # 10-01..10-07 → 10-08
    (D(2026, 9, 30), {"days": 1}, D(2026, 10, 8)),
    (D(2026, 11, 21), {"days": 7}, D(2026, 11, 30)),  # Saturday 11-28 → Monday 11-30
    (D(2026, 1, 28), {"months": 1}, D(2026, 2, 28)),  # 2026-02-28 is a 调休 working Saturday: stays
    (D(2026, 1, 31), {"months": 1}, D(2026, 2, 28)),
    (D(2026, 9, 10), {"months": 1}, D(2026, 10, 10)),  # 调休 Saturday after National Day
    (D(2026, 12, 17), {"days": 15}, D(2027, 1, 4)),  # New Year's Day 2027 (Fri) → Monday 01-04
    # …and a working last day stays
    (D(2026, 12, 31), {"days": 15}, D(2027, 1, 15)),
    (D(2024, 6, 15), {"years": 2}, D(2026, 6, 15)),
])
def test_a_deadline_to_act_ending_on_a_day_off_moves_to_the_next_working_day(start, kw, end):
    assert period_end(start, **kw, deadline=True, cal=CAL) == end


@pytest.mark.parametrize("start, kw, end", [
    *[(D(2026, 9, day), {"days": 30}, D(2026, 10, day)) for day in range(1, 8)],
    (D(2026, 11, 21), {"days": 7}, D(2026, 11, 28)),
    (D(2026, 4, 1), {"months": 6}, D(2026, 10, 1)),
])
def test_a_measure_of_elapsed_time_does_not_move(start, kw, end):
    assert period_end(start, **kw, deadline=False, cal=CAL) == end


def test_an_admin_override_decides_the_next_working_day():
    closed = WorkingCalendar(tz=TZ, overrides={D(2027, 1, 15): False})
    assert period_end(D(2026, 12, 31), days=15, deadline=True, cal=closed) == D(2027, 1, 18)
    opened = WorkingCalendar(tz=TZ, overrides={D(2026, 10, 3): True})
    assert period_end(D(2026, 9, 3), days=30, deadline=True, cal=opened) == D(2026, 10, 3)


def test_a_period_is_counted_in_whole_days_and_is_not_negative():
    with pytest.raises(TypeError):
        period_end(dt.datetime(2026, 1, 1, tzinfo=TZ), days=1, deadline=False)
    with pytest.raises(ValueError):
        period_end(D(2026, 1, 1), days=-1, deadline=False)
    with pytest.raises(ValueError):
        elapsed_cutoff(D(2026, 1, 1), months=-1)


@pytest.mark.parametrize("start, kw, deadline, ends_at", [
    (dt.datetime(2026, 12, 31, 16, 0, tzinfo=TZ), {"days": 15}, True, dt.datetime(2027, 1, 16, tzinfo=TZ)),
    # 23:30 UTC on 12-30 is 07:30 on 12-31 in Shanghai: the local date is the day of the event
    (dt.datetime(2026, 12, 30, 23, 30, tzinfo=dt.timezone.utc), {"days": 15}, True, dt.datetime(2027, 1, 16, tzinfo=TZ)),
    (dt.datetime(2026, 9, 1, 10, 0, tzinfo=TZ), {"days": 30}, True, dt.datetime(2026, 10, 9, tzinfo=TZ)),
    (dt.datetime(2026, 9, 1, 10, 0, tzinfo=TZ), {"days": 30}, False, dt.datetime(2026, 10, 2, tzinfo=TZ)),
    (D(2024, 6, 15), {"years": 2}, False, dt.datetime(2026, 6, 16, tzinfo=TZ)),
])
def test_a_period_ends_at_the_end_of_its_last_day(start, kw, deadline, ends_at):
    assert period_end_at(start, **kw, deadline=deadline, cal=CAL) == ends_at


@pytest.mark.parametrize("on, kw, cutoff", [
    # overdue "for more than 6 months" on ``on`` ⇔ since <= cutoff
    (D(2026, 7, 15), {"months": 6}, D(2026, 1, 14)),  # since 01-15: exactly 6 months, not more
    (D(2026, 7, 16), {"months": 6}, D(2026, 1, 15)),
    (D(2026, 8, 31), {"months": 6}, D(2026, 2, 28)),  # 02-28 + 6 months = 08-28, over by 08-31
    (D(2026, 3, 1), {"months": 1}, D(2026, 1, 31)),  # 01-29..01-31 + 1 month all end 02-28
    (D(2026, 2, 28), {"months": 1}, D(2026, 1, 27)),
    (D(2028, 3, 1), {"years": 1}, D(2027, 2, 28)),
    (D(2025, 3, 1), {"years": 1}, D(2024, 2, 29)),  # 2024-02-29 + 1 year ends 2025-02-28
    (D(2026, 12, 9), {"days": 7}, D(2026, 12, 1)),
    (D(2027, 1, 1), {"days": 365}, D(2025, 12, 31)),
    (D(2026, 10, 8), {"days": 7}, D(2026, 9, 30)),  # holidays do not matter: elapsed time
])
def test_elapsed_cutoff_is_the_last_event_day_whose_period_is_over(on, kw, cutoff):
    assert elapsed_cutoff(on, **kw) == cutoff


@given(on=st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31)),
       days=st.integers(0, 400), months=st.integers(0, 30), years=st.integers(0, 3))
def test_elapsed_cutoff_inverts_period_end(on, days, months, years):
    cutoff = elapsed_cutoff(on, days=days, months=months, years=years)
    assert period_end(cutoff, days=days, months=months, years=years, deadline=False) < on
    assert period_end(cutoff + dt.timedelta(days=1), days=days, months=months, years=years, deadline=False) >= on


def test_elapsed_cutoff_at_is_the_start_of_the_day_after_the_cutoff():
    now = dt.datetime(2026, 12, 9, 0, 30, tzinfo=TZ)
    assert elapsed_cutoff_at(now, days=7, tz=TZ) == dt.datetime(2026, 12, 2, tzinfo=TZ)
    assert elapsed_cutoff_at(now - dt.timedelta(hours=1), days=7, tz=TZ) == dt.datetime(2026, 12, 1, tzinfo=TZ)


@pytest.mark.parametrize("year,month,bounds", [
    (2026, 1, (dt.date(2026, 1, 1), dt.date(2026, 2, 1))),
    (2024, 2, (dt.date(2024, 2, 1), dt.date(2024, 3, 1))),   # a leap February ends with its 29th
    (2026, 12, (dt.date(2026, 12, 1), dt.date(2027, 1, 1))),  # December runs into the next year
])
def test_a_calendar_month_runs_from_its_first_day_to_the_next_months_first(year, month, bounds):
    from crm.calendar import month_bounds

    assert month_bounds(year, month) == bounds
