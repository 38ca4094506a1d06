"""The clocks and a year's holiday notice (issue 18): a deadline counted over an estimated year
is marked 按预估日历; confirming or correcting the year recounts the open clocks once."""
import io

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from complaints import clocks, sla
from complaints.models import ClockState, Kind, SlaClock, TimelineEntry
from crm.models import CalendarYear, Notification

from .conftest import at

# A 2030 notice as the State Council would write it: Spring Festival 02-02 to 02-08, and the
# Saturday after it, 02-09, a 调休 working day. The library's estimate has 02-04…02-07 off and
# 02-08 (Friday) working, 02-09 off.
NOTICE = {"notice_title": "国务院办公厅关于2030年部分节假日安排的通知", "notice_date": "2029-11-12",
          "holiday_ranges": "春节 2030-02-02 至 2030-02-08", "working_days": "2030-02-09"}


def confirm(users, year=2030, **changes):
    """Confirm (or correct) ``year``'s notice on the admin page, as the admin does."""
    client = Client()
    client.force_login(users["admin"])
    row = CalendarYear.objects.filter(year=year).first()
    url = (reverse("admin:crm_calendaryear_change", args=[row.pk]) if row
           else reverse("admin:crm_calendaryear_add"))
    response = client.post(url, {"year": year, **NOTICE, **changes, "_confirm": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return CalendarYear.objects.get(year=year)


def important_clock(case_in, received_at):
    case = case_in("classified", received_at=received_at)
    return case.clocks.get(rule__code=sla.IMPORTANT)


def test_a_confirmed_year_with_a_tiaoxiu_saturday_makes_a_clock_count_that_saturday_as_working(case_in, users):
    confirm(users)
    # Friday 02-01 17:00 + one working day: 1 h that Friday, the holiday, then 7.5 h on the
    # working Saturday 02-09 (the estimate would have said Friday 02-08 17:00, a day off).
    clock = important_clock(case_in, at(2030, 2, 1, 17))
    assert clock.deadline == at(2030, 2, 9, 17)
    assert not clock.estimated


def test_a_deadline_counted_over_an_estimated_year_is_marked(case_in, users):
    clock = important_clock(case_in, at(2030, 2, 1, 17))
    assert clock.deadline == at(2030, 2, 8, 17)  # the library's rule: Friday 02-08 is a working day
    assert clock.estimated
    inside_2026 = important_clock(case_in, at(2026, 11, 23, 9))
    assert not inside_2026.estimated


def test_a_year_confirmed_after_clocks_started_recounts_exactly_the_open_ones_once(case_in, new_case, users):
    moving = important_clock(case_in, at(2030, 2, 1, 17))
    paused = important_clock(case_in, at(2030, 2, 1, 16))
    clocks.clock_pause(clock=paused, user=users["cs_staff"], reason="等待业主在家")
    met = important_clock(case_in, at(2030, 2, 1, 10))
    clocks.clocks_stop([met.complaint_id], [sla.IMPORTANT], at=at(2030, 2, 1, 11))
    breached = important_clock(case_in, at(2030, 1, 28, 9))
    clocks.sla_scan(now=at(2030, 1, 28, 18, 1))
    promised = new_case(kind=Kind.NEED, received_at=at(2030, 2, 1, 17), promised_by=at(2030, 2, 8, 12)) \
        .clocks.get(rule__code=sla.NEED_REPLY)
    same_day = important_clock(case_in, at(2030, 3, 4, 9))  # its deadline does not move, its mark goes
    before = {c.pk: (c.deadline, c.state) for c in SlaClock.objects.all()}
    assert SlaClock.objects.get(pk=breached.pk).state == ClockState.BREACHED
    assert SlaClock.objects.get(pk=met.pk).state == ClockState.MET

    row = confirm(users)

    after = {c.pk: c for c in SlaClock.objects.all()}
    assert after[moving.pk].deadline == at(2030, 2, 9, 17) and not after[moving.pk].estimated
    assert after[paused.pk].deadline == at(2030, 2, 9, 16) and after[paused.pk].state == ClockState.PAUSED
    for untouched in (met, breached, promised):
        assert (after[untouched.pk].deadline, after[untouched.pk].state) == before[untouched.pk]
    assert after[same_day.pk].deadline == before[same_day.pk][0] and not after[same_day.pk].estimated
    # the history has the old and the new due time; the handlers are told, once
    record = after[moving.pk].history.first()
    assert record.deadline == at(2030, 2, 9, 17)
    assert "2030-02-08 17:00" in record.history_change_reason and "2030-02-09 17:00" in record.history_change_reason
    entries = TimelineEntry.objects.filter(text__startswith="2030年节假日安排已确认")
    assert sorted(entries.values_list("complaint_id", flat=True)) == sorted([moving.complaint_id, paused.complaint_id])
    notes = Notification.objects.filter(title__startswith="时限调整")
    assert notes.count() == 2
    assert set(notes.values_list("recipient", flat=True)) == {users["front_desk"].pk}
    assert after[moving.pk].complaint.next_deadline == at(2030, 2, 9, 17)

    # the same notice saved again moves nothing and tells nobody again
    history = SlaClock.history.count()
    assert confirm(users).revision == row.revision + 1
    assert (entries.count(), notes.count(), SlaClock.history.count()) == (2, 2, history)

    # a correction (the working Saturday withdrawn) moves them again, once
    confirm(users, working_days="")
    assert SlaClock.objects.get(pk=moving.pk).deadline == at(2030, 2, 11, 17)
    assert (entries.count(), notes.count()) == (4, 4)


def test_the_case_page_marks_an_estimated_deadline_until_the_year_is_confirmed(case_in, users):
    clock = important_clock(case_in, at(2030, 2, 1, 17))
    client = Client()
    client.force_login(users["cs_supervisor"])
    url = reverse("complaints:detail", args=[clock.complaint_id])
    body = client.get(url).content.decode()
    assert 'data-testid="estimated-badge"' in body and "按预估日历" in body
    confirm(users)
    assert 'data-testid="estimated-badge"' not in client.get(url).content.decode()


def _register_rows(users):
    client = Client()
    client.force_login(users["admin"])
    response = client.get(reverse("crm:export_register", args=["complaints"]))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return rows[0], {r[0]: r for r in rows[1:]}


def test_the_register_export_says_which_deadlines_are_estimated(case_in, users):
    estimated = important_clock(case_in, at(2030, 2, 1, 17)).complaint
    official = important_clock(case_in, at(2026, 11, 23, 9)).complaint
    header, rows = _register_rows(users)
    column = header.index("按预估日历")
    assert rows[estimated.number][column] == "重要处置"
    assert rows[official.number][column] in ("", None)
    confirm(users)
    header, rows = _register_rows(users)
    assert rows[estimated.number][column] in ("", None)


def test_sla_clock_times_say_whether_the_deadline_is_the_rules_over_an_estimate():
    from crm.calendar import WorkingCalendar

    cal = WorkingCalendar()
    spec = sla.RuleSpec("x", "x", 1, "days", True)
    assert sla.clock_times(cal, at(2030, 2, 1, 17), spec, 80)["estimated"]
    assert not sla.clock_times(cal, at(2030, 2, 1, 17), spec, 80, promised_by=at(2030, 2, 1, 18))["estimated"]
    minutes = sla.RuleSpec("t", "t", 10, "minutes", False)
    assert not sla.clock_times(cal, at(2030, 2, 1, 17), minutes, 80)["estimated"]  # not counted on the calendar
    assert not sla.clock_times(cal, at(2025, 2, 3, 17), spec, 80)["estimated"]
    confirmed = WorkingCalendar(official={2030: (frozenset(), frozenset())})
    assert not sla.clock_times(confirmed, at(2030, 2, 1, 17), spec, 80)["estimated"]
