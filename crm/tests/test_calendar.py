import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from crm.calendar import OfficeHours, WorkingCalendar, calendar
from crm.models import CalendarOverride, WorkingHours

TZ = ZoneInfo("Asia/Shanghai")
cal = WorkingCalendar(tz=TZ)


def at(y, m, d, hh=9, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


def test_national_day_is_a_holiday():
    assert not cal.is_working_day(dt.date(2026, 10, 1))


def test_tiaoxiu_saturday_2026_10_10_is_a_working_day():
    assert dt.date(2026, 10, 10).weekday() == 5
    assert cal.is_working_day(dt.date(2026, 10, 10))


def test_ordinary_weekend_is_off_and_weekday_is_on():
    assert not cal.is_working_day(dt.date(2026, 11, 21))  # Saturday
    assert cal.is_working_day(dt.date(2026, 11, 23))  # Monday


def test_a_date_in_2027_is_known():
    assert not cal.is_working_day(dt.date(2027, 1, 1))  # New Year's Day
    assert cal.is_working_day(dt.date(2027, 1, 5))


def test_lunch_break_does_not_count():
    # 11:30 + 1 working hour: 30 minutes before lunch, 30 after 13:30.
    assert cal.add_working_time(at(2026, 11, 23, 11, 30), dt.timedelta(hours=1)) == at(2026, 11, 23, 14, 0)
    assert cal.working_time_between(at(2026, 11, 23, 11, 0), at(2026, 11, 23, 14, 0)) == dt.timedelta(hours=1, minutes=30)


def test_adding_across_the_national_day_week_skips_to_the_next_working_day():
    # 2026-09-30 17:00 + 2 working hours: 1 h that evening, then the first working day after the holiday.
    end = cal.add_working_time(at(2026, 9, 30, 17, 0), dt.timedelta(hours=2))
    assert end.date() > dt.date(2026, 10, 7)
    assert cal.is_working_day(end.date())
    assert end.time() == dt.time(10, 0)


def test_adding_onto_the_tiaoxiu_saturday():
    # Friday 2026-10-09 17:30 + 1 h: half an hour on Friday, half an hour on the working Saturday.
    assert cal.add_working_time(at(2026, 10, 9, 17, 30), dt.timedelta(hours=1)) == at(2026, 10, 10, 9, 30)


def test_start_outside_office_hours_begins_at_next_opening():
    assert cal.add_working_time(at(2026, 11, 23, 20, 0), dt.timedelta(minutes=10)) == at(2026, 11, 24, 9, 10)


def test_half_a_working_day_is_half_of_the_office_minutes():
    hours = OfficeHours()
    assert hours.minutes_per_day == 450
    # 225 minutes: 9:00-12:00 is 180, then 45 after lunch.
    assert cal.add_working_days(at(2026, 11, 23, 9, 0), 0.5) == at(2026, 11, 23, 14, 15)


def test_working_time_between_is_negative_backwards():
    assert cal.working_time_between(at(2026, 11, 23, 10), at(2026, 11, 23, 9)) == -dt.timedelta(hours=1)


def test_zero_delta_returns_the_start():
    assert cal.add_working_time(at(2026, 11, 23, 20), dt.timedelta(0)) == at(2026, 11, 23, 20)


@pytest.mark.django_db
def test_admin_override_makes_a_day_off_and_hours_are_editable():
    CalendarOverride.objects.create(date=dt.date(2026, 11, 24), is_working_day=False, note="临时停工通知")
    WorkingHours.objects.create(pk=1, morning_start=dt.time(8, 30))
    db_cal = calendar()
    assert not db_cal.is_working_day(dt.date(2026, 11, 24))
    assert db_cal.hours.morning_start == dt.time(8, 30)
    assert db_cal.add_working_time(at(2026, 11, 23, 17, 30), dt.timedelta(hours=1)) == at(2026, 11, 25, 9, 0)
