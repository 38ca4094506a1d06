"""Official and estimated years of the working calendar (issue 18)."""
import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import pytest

from crm.calendar import WorkingCalendar, calendar, spans_estimated
from crm.models import CalendarOverride, CalendarYear

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date

pytestmark = pytest.mark.django_db


def _days(year):
    day = D(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


def test_2026_ships_official_with_the_state_council_notice():
    year = CalendarYear.objects.get(year=2026)
    assert year.is_official
    assert year.notice_title == "国务院办公厅关于2026年部分节假日安排的通知"
    assert year.notice_date is None  # not in the package: the admin fills it in from the notice
    assert year.history.first().history_change_reason.startswith("随系统发布")


def test_the_seeded_2026_notice_is_the_holidays_packages_2026_day_by_day():
    official, library = calendar(), WorkingCalendar(official={})
    assert 2026 in official.official
    assert [d for d in _days(2026) if official.is_working_day(d) != library.is_working_day(d)] == []
    # the package's "substituted from …" days are the notice's 调休 working weekends
    cn = holidays.country_holidays("CN", years=2026)
    substituted = sorted(dt.datetime.strptime(name.split("from ")[1].rstrip(")"), "%m/%d/%Y").date()
                         for name in cn.values() if "substituted from" in name)
    assert [d.isoformat() for d in substituted] == CalendarYear.objects.get(year=2026).working_days


def test_an_estimated_year_follows_the_librarys_rule():
    cal = calendar()
    assert cal.is_estimated(2027) and not cal.is_estimated(2026) and not cal.is_estimated(2025)
    assert not cal.is_working_day(D(2027, 2, 9))  # the library's "observed" Spring Festival day
    assert not cal.is_working_day(D(2027, 2, 20))  # a Saturday: no 调休 known yet


def test_a_confirmed_year_uses_the_notices_days_and_nothing_of_the_rule():
    CalendarYear.objects.create(year=2027, status=CalendarYear.Status.OFFICIAL, notice_title="通知",
                                holiday_ranges=[["2027-02-06", "2027-02-12"]], working_days=["2027-02-20"])
    cal = calendar()
    assert not cal.is_estimated(2027)
    assert not cal.is_working_day(D(2027, 2, 12))  # in the notice's range
    assert cal.is_working_day(D(2027, 2, 20))  # the 调休 Saturday
    assert cal.is_working_day(D(2027, 5, 4))  # the library's "observed" Labour Day: not in this notice
    assert cal.is_working_day(D(2027, 1, 1))  # not in this (made-up) notice either


def test_an_estimated_row_is_still_the_rule_and_an_override_wins_over_an_official_year():
    CalendarYear.objects.create(year=2027, status=CalendarYear.Status.ESTIMATED,
                                holiday_ranges=[["2027-03-01", "2027-03-01"]])
    CalendarOverride.objects.create(date=D(2026, 10, 10), is_working_day=False, note="台风停工")
    cal = calendar()
    assert cal.is_estimated(2027) and cal.is_working_day(D(2027, 3, 1))
    assert not cal.is_working_day(D(2026, 10, 10))


def test_spans_estimated_says_whether_an_interval_touches_an_estimated_year():
    assert not spans_estimated(D(2025, 12, 1), D(2026, 12, 31))
    assert spans_estimated(D(2026, 12, 31), D(2027, 1, 4))
    # instants are read in local time: 2026-12-31 17:00 UTC is already 2027 in Beijing
    assert spans_estimated(dt.datetime(2026, 12, 30, 9, tzinfo=TZ), dt.datetime(2026, 12, 31, 17, tzinfo=dt.UTC))
    assert not spans_estimated(dt.datetime(2026, 12, 30, 9, tzinfo=TZ), dt.datetime(2026, 12, 31, 23, tzinfo=TZ))
    CalendarYear.objects.create(year=2027, status=CalendarYear.Status.OFFICIAL)
    assert not spans_estimated(D(2026, 12, 31), D(2027, 1, 4))
    assert spans_estimated(D(2027, 12, 31), D(2028, 1, 4))
