"""crm.forms.MonthForm / WeekForm: a report's period from its address. None given → the current
one without a word; a value that is not a date (or outside 2000–2100) → the current one, and the
page says so (through the two reports that use them)."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.forms import MonthForm, WeekForm

TODAY = dt.date(2026, 12, 9)  # a Wednesday


@pytest.mark.parametrize("params, chosen, valid", [
    ({}, (2026, 12), True), ({"month": ""}, (2026, 12), True), ({"month": "2025-03"}, (2025, 3), True),
    ({"month": "2026-13"}, (2026, 12), False), ({"month": "abc"}, (2026, 12), False),
    ({"month": "1999-05"}, (2026, 12), False), ({"month": "2026-03-01"}, (2026, 12), False),
])
def test_month_form(params, chosen, valid):
    form = MonthForm(params)
    assert form.chosen(TODAY) == chosen and form.is_valid() is valid


@pytest.mark.parametrize("params, chosen, valid", [
    ({}, dt.date(2026, 12, 7), True), ({"start": "2026-11-30"}, dt.date(2026, 11, 30), True),
    ({"start": "2026-11-26"}, dt.date(2026, 11, 26), True),  # any first day: seven days from it
    ({"start": "2026-02-30"}, dt.date(2026, 12, 7), False), ({"start": "next week"}, dt.date(2026, 12, 7), False),
    ({"start": "2101-01-04"}, dt.date(2026, 12, 7), False),
])
def test_week_form(params, chosen, valid):
    form = WeekForm(params)
    assert form.chosen(TODAY) == chosen and form.is_valid() is valid


@pytest.mark.django_db
def test_the_weekly_report_says_when_its_start_is_not_a_date(demo, as_role):
    client = as_role("cs_supervisor")
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    page = client.get(reverse("complaints:weekly"), {"start": "2026-02-30"})
    assert page.status_code == 200 and page.context["start"] == monday
    assert 'data-testid="filter-errors"' in page.text and "起始日期有误" in page.text
    asked = client.get(reverse("complaints:weekly"), {"start": "2025-01-06"})
    assert asked.context["start"] == dt.date(2025, 1, 6) and asked.context["end"] == dt.date(2025, 1, 12)
    assert 'data-testid="filter-errors"' not in asked.text
    assert 'data-testid="filter-errors"' not in client.get(reverse("complaints:weekly")).text


@pytest.mark.django_db
def test_the_weekly_export_reads_its_start_with_the_same_form_and_refuses_one_that_is_not_a_date(demo, as_role):
    from django.http import QueryDict

    from crm.exports import REGISTERS

    user = as_role("cs_supervisor").get(reverse("home")).context["user"]
    weekly = REGISTERS["complaints-weekly"]
    assert weekly._data(user, QueryDict("start=2025-01-06"))["total"] == 0
    assert weekly._data(user, QueryDict(""))["start"] == weekly._data(user, QueryDict("start=2026-02-30"))["start"]
    # the export itself never gets that far: a start that is not a date is refused (crm.exports)
    assert weekly.invalid(user, QueryDict("start=2026-02-30")) and not weekly.invalid(user, QueryDict("start=2025-01-06"))
