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


# --- The shipped year ----------------------------------------------------------------------


@pytest.mark.parametrize("year, estimated", [
    (2025, False),  # before the first tracked year: past, checked against its notice
    (2026, True),  # the first tracked year is an estimate until its notice is confirmed
    (2027, False),  # confirmed
    (2028, True),
])
def test_a_year_is_estimated_from_the_first_tracked_one_until_its_notice_is_confirmed(year, estimated):
    cal = WorkingCalendar(tz=TZ, official={2027: (frozenset(), frozenset())})
    assert cal.tracked_from == 2026
    assert cal.is_estimated(year) is estimated


UTC = dt.timezone.utc
NEW_YEAR_IN_SHANGHAI = dt.datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 2027-01-01 00:30 in Shanghai


@pytest.mark.parametrize("zone, start, end, estimated", [
    # inside a confirmed year, whatever the years before it
    (TZ, D(2027, 3, 1), D(2027, 3, 5), False),
    (TZ, D(2027, 1, 1), D(2027, 12, 31), False),
    (TZ, D(2026, 12, 31), D(2027, 1, 4), True),
    # a backward interval touches the same years
    (TZ, D(2027, 3, 5), D(2027, 3, 1), False),
    (TZ, D(2027, 1, 4), D(2026, 12, 31), True),
    (TZ, D(2028, 1, 4), D(2027, 12, 31), True),
    # an instant is read in the calendar's zone: already 2027 in Shanghai, still 2026 in UTC
    (TZ, NEW_YEAR_IN_SHANGHAI, NEW_YEAR_IN_SHANGHAI, False),
    (UTC, NEW_YEAR_IN_SHANGHAI, NEW_YEAR_IN_SHANGHAI, True),
])
def test_an_interval_is_estimated_when_one_of_its_local_years_is(zone, start, end, estimated):
    cal = WorkingCalendar(tz=zone, official={2027: (frozenset(), frozenset())})
    assert cal.spans_estimated(start, end) is estimated



def test_the_shipped_years_are_the_migrations_and_come_back_after_a_flush():
    import importlib

    from crm.calendar_years import SHIPPED_YEARS, ensure_shipped_years

    migration = importlib.import_module("crm.migrations.0004_calendar_year_2026_official")
    assert SHIPPED_YEARS[2026] == {"notice_title": migration.TITLE, "holiday_ranges": migration.HOLIDAY_RANGES,
                                   "working_days": migration.WORKING_DAYS}
    CalendarYear.objects.all().delete()
    ensure_shipped_years()
    assert CalendarYear.objects.get(year=2026).is_official
    CalendarYear.objects.filter(year=2026).update(notice_date=D(2025, 11, 4))
    ensure_shipped_years()  # an admin's row is never overwritten
    assert CalendarYear.objects.get(year=2026).notice_date == D(2025, 11, 4)


# --- The admin page ------------------------------------------------------------------------

NOTICE = {"year": 2027, "notice_title": "国务院办公厅关于2027年部分节假日安排的通知", "notice_date": "2026-11-10",
          "holiday_ranges": "元旦 2027-01-01 至 2027-01-03\n春节 2027年2月5日 至 2027年2月11日",
          "working_days": "2027-02-13, 2027-02-20"}


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("admin", username="admin"))
    return client


def _add(client, **data):
    from django.urls import reverse

    return client.post(reverse("admin:crm_calendaryear_add"), data)


def test_the_admin_previews_the_difference_from_the_estimate_then_confirms(admin_client):
    from django.urls import reverse

    page = admin_client.get(reverse("admin:crm_calendaryear_add"))
    assert page.status_code == 200 and "确认为正式日历" in page.content.decode()
    preview = _add(admin_client, **NOTICE, _preview="1")
    body = preview.content.decode()
    assert preview.status_code == 200 and 'data-testid="notice-preview"' in body
    rows = {r["date"]: r for r in preview.context["preview"]}
    assert rows[D(2027, 2, 20)]["notice"] and not rows[D(2027, 2, 20)]["estimate"]  # the 调休 Saturday
    assert rows[D(2027, 2, 11)] == {**rows[D(2027, 2, 11)], "estimate": True, "notice": False}
    assert D(2027, 2, 8) not in rows  # off in both
    assert not CalendarYear.objects.filter(year=2027).exists()  # a preview saves nothing

    response = _add(admin_client, **NOTICE, _confirm="1")
    assert response.status_code == 302
    year = CalendarYear.objects.get(year=2027)
    assert (year.status, year.notice_date, year.revision, year.confirmed_by.username) == (
        CalendarYear.Status.OFFICIAL, D(2026, 11, 10), 1, "admin")
    assert year.holiday_ranges == [["2027-01-01", "2027-01-03", "元旦"], ["2027-02-05", "2027-02-11", "春节"]]
    assert year.working_days == ["2027-02-13", "2027-02-20"]
    assert calendar().is_working_day(D(2027, 2, 20)) and not calendar().is_estimated(2027)


def test_correcting_a_confirmed_year_is_on_its_history(admin_client):
    from django.urls import reverse

    _add(admin_client, **NOTICE, _confirm="1")
    year = CalendarYear.objects.get(year=2027)
    url = reverse("admin:crm_calendaryear_change", args=[year.pk])
    form = admin_client.get(url)
    assert "春节 2027-02-05 至 2027-02-11" in form.content.decode()
    # adding the same year again is refused: it is corrected on its own page
    again = _add(admin_client, **NOTICE, _confirm="1")
    assert again.status_code == 200 and "2027年已确认" in again.content.decode()
    response = admin_client.post(url, {**NOTICE, "year": 1999, "working_days": "2027-02-20", "_confirm": "1"})
    assert response.status_code == 302
    year.refresh_from_db()
    assert (year.year, year.working_days, year.revision) == (2027, ["2027-02-20"], 2)  # the year cannot change
    reasons = list(year.history.values_list("history_change_reason", flat=True))
    assert reasons == ["更正2027年节假日安排", "确认2027年节假日安排"]
    assert admin_client.get(reverse("admin:crm_calendaryear_history", args=[year.pk])).status_code == 200


@pytest.mark.parametrize(("change", "message"), [
    ({"holiday_ranges": "春节 2027-02-11 至 2027-02-05"}, "结束日期 2027-02-05 早于开始日期 2027-02-11"),
    ({"holiday_ranges": "元旦 2026-12-31 至 2027-01-02"}, "2026-12-31 不在2027年内"),
    ({"working_days": "2028-01-08"}, "2028-01-08 不在2027年内"),
    ({"working_days": "2027-02-06"}, "2027-02-06 既在放假日期内又是调休上班日"),
    ({"working_days": "2027-02-15"}, "2027-02-15 是星期一，本来就是工作日"),
    ({"holiday_ranges": "春节 2027-02-05 至 2027-02-11\n2027-02-10"}, "第1项与第2项重叠"),
    ({"holiday_ranges": "春节 2027-02-30 至 2027-03-02"}, "放假日期第1行有不存在的日期"),
    ({"holiday_ranges": "春节 二月五日至十一日"}, "放假日期第1行应为"),
    ({"working_days": "二月二十日"}, "调休上班日期第1行无法识别日期"),
    ({"holiday_ranges": ""}, "这个字段是必填项"),
    ({"notice_date": ""}, "这个字段是必填项"),
])
def test_bad_notice_input_gets_a_chinese_message_and_saves_nothing(admin_client, change, message):
    response = _add(admin_client, **{**NOTICE, **change}, _confirm="1")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert calendar().is_estimated(2027)


def test_the_confirm_service_refuses_what_the_form_refuses(make_user):
    from crm.calendar_years import NoticeError, calendar_year_confirm

    with pytest.raises(NoticeError) as error:
        calendar_year_confirm(year=2027, notice_title="", notice_date=None, holiday_ranges=[["2027-02-11", "2027-02-05"]],
                              working_days=["2027-02-06"], user=make_user("admin"))
    assert "请填写通知发布日期。" in error.value.messages and "请填写通知标题。" in error.value.messages
    assert any("早于开始日期" in m for m in error.value.messages)
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_only_the_admin_opens_the_years_page(client, make_user):
    from django.urls import reverse

    client.force_login(make_user("cs_supervisor"))
    response = client.get(reverse("admin:crm_calendaryear_add"))
    assert response.status_code in (302, 403)
    assert _add(client, **NOTICE, _confirm="1").status_code in (302, 403)
    assert not CalendarYear.objects.filter(year=2027).exists()


# --- The weekly warning and the banner ------------------------------------------------------


@pytest.fixture
def warned(make_user):
    return {"admin": make_user("admin"), "cs_supervisor": make_user("cs_supervisor"),
            "front_desk": make_user("front_desk")}


def _warnings(user):
    from crm.models import Notification

    return Notification.objects.filter(recipient=user, title__contains="节假日安排尚未确认").count()


def test_the_weekly_warning_goes_out_once_a_week_from_1_november_and_stops_on_confirmation(warned):
    from crm.calendar_years import calendar_year_confirm, calendar_year_warning

    assert calendar_year_warning(today=D(2026, 10, 31)) == 0  # 2027 is estimated, but not yet time
    assert calendar_year_warning(today=D(2026, 11, 1)) == 2  # a Sunday: the admin and the supervisor
    assert calendar_year_warning(today=D(2026, 11, 1)) == 0  # the beat runs daily, and again by hand
    assert calendar_year_warning(today=D(2026, 11, 2)) == 2  # Monday: a new ISO week
    for day in range(3, 9):
        assert calendar_year_warning(today=D(2026, 11, day)) == 0
    assert [_warnings(warned[r]) for r in ("admin", "cs_supervisor", "front_desk")] == [2, 2, 0]
    from crm.models import Notification

    note = Notification.objects.filter(recipient=warned["admin"]).first()
    assert note.url == "/admin/crm/calendaryear/" and "2027年" in note.title
    assert Notification.objects.filter(recipient=warned["cs_supervisor"]).first().url == ""  # no admin link
    calendar_year_confirm(year=2027, notice_title="通知", notice_date=D(2026, 11, 10),
                          holiday_ranges=[["2027-02-05", "2027-02-11"]], working_days=[], user=warned["admin"])
    assert calendar_year_warning(today=D(2026, 11, 9)) == 0
    assert calendar_year_warning(today=D(2026, 12, 28)) == 0


def test_a_year_that_started_unconfirmed_is_still_warned_about(warned):
    from crm.calendar_years import calendar_year_warning

    assert calendar_year_warning(today=D(2027, 3, 1)) == 2
    from crm.models import Notification

    assert Notification.objects.filter(title__contains="时限正按预估日历计算", level="danger").count() == 2


def test_runjob_runs_the_warning_once(warned, monkeypatch, capsys):
    from django.core.management import call_command

    from crm import calendar_years

    monkeypatch.setattr(calendar_years, "local_today", lambda: D(2026, 11, 5))
    call_command("runjob", "crm.calendar_year_warning")
    call_command("runjob", "crm.calendar_year_warning")
    assert capsys.readouterr().out.splitlines() == ["crm.calendar_year_warning: 2", "crm.calendar_year_warning: 0"]
    from django.conf import settings
    from celery.schedules import crontab

    assert settings.CELERY_BEAT_SCHEDULE["crm.calendar_year_warning"]["schedule"] == crontab(hour=8, minute=0)


def test_the_banner_shows_from_1_november_to_admin_and_supervisor_and_goes_on_confirmation(
        client, warned, monkeypatch):
    from django.urls import reverse

    from crm import calendar_years

    def banner(role):
        client.force_login(warned[role])
        return 'data-testid="calendar-year-banner"' in client.get(reverse("home")).content.decode()

    monkeypatch.setattr(calendar_years, "local_today", lambda: D(2026, 10, 31))
    assert not banner("admin") and not banner("cs_supervisor")
    monkeypatch.setattr(calendar_years, "local_today", lambda: D(2026, 11, 1))
    assert banner("admin") and banner("cs_supervisor") and not banner("front_desk")
    client.force_login(warned["admin"])
    assert "/admin/crm/calendaryear/" in client.get(reverse("home")).content.decode()
    client.force_login(warned["cs_supervisor"])
    assert "/admin/crm/calendaryear/" not in client.get(reverse("home")).content.decode()
    calendar_years.calendar_year_confirm(year=2027, notice_title="通知", notice_date=D(2026, 11, 10),
                                         holiday_ranges=[["2027-02-05", "2027-02-11"]], working_days=[],
                                         user=warned["admin"])
    assert not banner("admin") and not banner("cs_supervisor")


# --- Every other period on the same calendar (item 5) ---------------------------------------


def test_every_period_that_counts_days_off_follows_the_years_status(make_user):
    """Warranty claims, title-certificate due dates and the owners'-committee notice end on a
    working day of the database's calendar: a 调休 Saturday of a confirmed year is one."""
    from types import SimpleNamespace

    from crm.calendar import period_end
    from crm.calendar_years import calendar_year_confirm
    from mortgage.services import _due
    from property_liaison.services import warranty_end

    saturday, monday = D(2030, 2, 9), D(2030, 2, 11)
    category = SimpleNamespace(period_months=24)
    agreement = SimpleNamespace(days_for=lambda stage: 30)
    before = (period_end(D(2030, 1, 9), days=31, deadline=True), warranty_end(D(2028, 2, 9), category),
              _due(agreement, "collecting", D(2030, 1, 10)))
    assert before == (monday, monday, monday)  # estimated: the Saturday is a weekend day
    calendar_year_confirm(year=2030, notice_title="国务院办公厅关于2030年部分节假日安排的通知",
                          notice_date=D(2029, 11, 12), holiday_ranges=[["2030-02-02", "2030-02-08"]],
                          working_days=["2030-02-09"], user=make_user("admin"))
    after = (period_end(D(2030, 1, 9), days=31, deadline=True), warranty_end(D(2028, 2, 9), category),
             _due(agreement, "collecting", D(2030, 1, 10)))
    assert after == (saturday, saturday, saturday)


def test_a_confirmation_reaches_a_process_that_cached_the_old_calendar(make_user):
    """Another web process or worker holds its own copy; the shared generation moves on."""
    from crm import calendar as working_calendar
    from crm.calendar_years import calendar_year_confirm

    stale = calendar()
    assert stale.is_estimated(2027)
    calendar_year_confirm(year=2027, notice_title="通知", notice_date=D(2026, 11, 10),
                          holiday_ranges=[["2027-02-05", "2027-02-11"]], working_days=[], user=make_user("admin"))
    # as if in another process: its own cached copy, made before the confirmation
    working_calendar._cached = (working_calendar._cached[0] if working_calendar._cached else 0, stale, "old")
    assert not calendar().is_estimated(2027)
