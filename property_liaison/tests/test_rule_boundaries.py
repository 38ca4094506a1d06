"""Boundaries of the cadence and warranty rules, found by mutation testing (QUALITY.md)."""
import datetime as dt

import pytest
from django.utils import timezone

from crm.models import Notification
from property_liaison import services
from property_liaison.models import (
    Cadence,
    CoordinationGap,
    PropertyAppointment,
    WarrantyCategory,
)
from property_liaison.tests.factories import project_with_company, unit
from property_liaison.tests.test_services import _meeting_on

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


# --- Boundaries of the cadence and warranty rules (mutation testing, QUALITY.md) ---------------

def test_the_cadence_notice_says_the_cadence_the_last_coordination_and_the_due_date(make_user):
    from django.urls import reverse

    staff, supervisor = make_user("cs_staff"), make_user("cs_supervisor")
    met, _ = project_with_company(name="金桂园", start=dt.date(2025, 1, 1))
    never, _ = project_with_company(name="银杏园", start=dt.date(2026, 6, 9))
    _meeting_on(staff, met, dt.date(2026, 6, 1))
    assert services.coordination_cadence_check(dt.date(2026, 7, 10)) == 2
    notes = {n.title: n for n in Notification.objects.filter(recipient=supervisor)}
    assert set(notes) == {"金桂园未按期与物业公司协调", "银杏园未按期与物业公司协调"}
    assert notes["金桂园未按期与物业公司协调"].body == "协调频次：每月；上次协调：2026-06-01；应于 2026-07-01 前协调。"
    assert notes["银杏园未按期与物业公司协调"].body == "协调频次：每月；上次协调：从未协调；应于 2026-07-09 前协调。"
    assert {(n.url, n.level) for n in notes.values()} == {(reverse("property_liaison:cadence_report"), "warning")}
    assert set(CoordinationGap.objects.values_list("project__name", "due_date", "last_date")) == {
        ("金桂园", dt.date(2026, 7, 1), dt.date(2026, 6, 1)), ("银杏园", dt.date(2026, 7, 9), None)}


@pytest.mark.parametrize("cadence, last, on, due, late_days", [
    # weekly: Monday 11-16 + 7 days is Monday 11-23; late from the day after
    (Cadence.WEEKLY, dt.date(2026, 11, 16), dt.date(2026, 11, 23), dt.date(2026, 11, 23), None),
    (Cadence.WEEKLY, dt.date(2026, 11, 16), dt.date(2026, 11, 25), dt.date(2026, 11, 23), 2),
    # daily: Friday 11-20 + 1 day is Saturday, moved to Monday 11-23 (a deadline to act)
    (Cadence.DAILY, dt.date(2026, 11, 20), dt.date(2026, 11, 23), dt.date(2026, 11, 23), None),
    (Cadence.DAILY, dt.date(2026, 11, 20), dt.date(2026, 11, 24), dt.date(2026, 11, 23), 1),
    (Cadence.MONTHLY, dt.date(2026, 11, 16), dt.date(2026, 12, 1), dt.date(2026, 12, 16), None),
])
def test_each_cadence_is_due_its_period_after_the_last_coordination(make_user, cadence, last, on, due, late_days):
    staff = make_user("cs_staff")
    project, _ = project_with_company(start=dt.date(2025, 1, 1))
    services.coordination_plan_set(user=staff, project=project, cadence=cadence)
    _meeting_on(staff, project, last)
    row = next(r for r in services.coordination_status(on) if r["project"] == project)
    assert (row["cadence"], row["cadence_label"], row["last_date"], row["due_date"]) == (
        cadence, Cadence(cadence).label, last, due)
    assert (row["late"], row["late_days"]) == (late_days is not None, late_days or 0)


@pytest.mark.parametrize("start, end, managed", [
    (dt.date(2026, 5, 1), dt.date(2026, 6, 1), True),  # the appointment's last day is still managed
    (dt.date(2026, 5, 1), dt.date(2026, 5, 31), False),  # ended the day before
    (dt.date(2026, 6, 1), None, True),  # starts that day
    (dt.date(2026, 6, 2), None, False),  # not yet appointed
])
def test_only_projects_managed_on_the_day_are_checked(start, end, managed):
    project, _ = project_with_company(start=start)
    PropertyAppointment.objects.filter(project=project).update(end_date=end)
    on = dt.date(2026, 6, 1)
    assert (project in services.managed_projects(on)) is managed
    assert any(r["project"] == project for r in services.coordination_status(on)) is managed


def test_the_coordination_status_rows_of_many_projects_take_the_same_queries_as_one(make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff = make_user("cs_staff")
    first, _ = project_with_company(start=dt.date(2025, 1, 1))
    _meeting_on(staff, first, dt.date(2026, 6, 1))
    services.coordination_status(dt.date(2026, 7, 10))  # the rules and the calendar are cached after this
    with CaptureQueriesContext(connection) as one:
        assert len(services.coordination_status(dt.date(2026, 7, 10))) == 1
    for _ in range(3):
        other, _ = project_with_company(start=dt.date(2025, 1, 1))
        services.coordination_plan_set(user=staff, project=other, cadence=Cadence.WEEKLY)
        _meeting_on(staff, other, dt.date(2026, 6, 1))
    with CaptureQueriesContext(connection) as four:
        assert len(services.coordination_status(dt.date(2026, 7, 10))) == 4
    assert len(four) == len(one)


def test_a_warranty_covers_the_delivery_day_through_its_last_day_and_nothing_undelivered(make_user):
    project, _ = project_with_company()
    pipe = WarrantyCategory.objects.get(code="plumbing")  # 24 months
    home = unit(project, "1-101", "100", dt.date(2024, 6, 17))
    end = dt.date(2026, 6, 17)
    assert services.warranty_end(home.delivery_date, pipe) == end
    assert services.in_warranty(home, pipe, dt.date(2024, 6, 16)) == (False, end)
    assert services.in_warranty(home, pipe, dt.date(2024, 6, 17)) == (True, end)
    assert services.in_warranty(home, pipe, end) == (True, end)
    bare = unit(project, "1-102", "100", None)
    assert services.warranty_end(None, pipe) is None
    assert services.in_warranty(bare, pipe, dt.date(2026, 1, 5)) == (False, None)


def test_the_warranty_ending_report_is_sorted_by_end_then_unit_with_the_days_left(make_user):
    from property_liaison import selectors

    admin = make_user("admin")
    project, _ = project_with_company()
    later = unit(project, "1-103", "100", dt.date(2024, 6, 18))
    first = unit(project, "1-101", "100", dt.date(2024, 6, 16))
    second = unit(project, "1-102", "100", dt.date(2024, 6, 16))
    unit(project, "1-104", "100", dt.date(2024, 6, 19))  # 06-19 is the Dragon Boat holiday: ends 06-22
    unit(project, "1-105", "100", dt.date(2024, 6, 12))  # ended Friday 06-12, before the day
    rows = [(r["unit"], r["ends"], r["days_left"]) for r in selectors.warranty_ending(admin, days=3,
                                                                                     on=dt.date(2026, 6, 15))
            if r["category"].code == "plumbing"]
    assert rows == [(first, dt.date(2026, 6, 16), 1), (second, dt.date(2026, 6, 16), 1),
                    (later, dt.date(2026, 6, 18), 3)]


def test_the_warranty_ending_report_of_many_units_takes_the_same_queries_as_one(make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from property_liaison import selectors

    admin = make_user("admin")
    project, _ = project_with_company()
    unit(project, "1-101", "100", dt.date(2024, 6, 17))

    def read():
        rows = selectors.warranty_ending(admin, days=3, on=dt.date(2026, 6, 16))
        return [(r["unit"].project.name, r["unit"].building.name) for r in rows]  # as the page shows them

    read()  # the rules and the calendar are cached after this
    with CaptureQueriesContext(connection) as one:
        assert len(read()) == 5  # the five two-year categories
    for number in ("1-102", "1-103"):
        unit(project, number, "100", dt.date(2024, 6, 18))
    with CaptureQueriesContext(connection) as three:
        assert len(read()) == 15
    assert len(three) == len(one)


def test_the_warranty_ending_report_shows_a_property_company_only_its_own_projects(make_user):
    from property_liaison import selectors

    mine, company = project_with_company()
    theirs, _ = project_with_company()
    own = unit(mine, "1-101", "100", dt.date(2024, 6, 16))
    unit(theirs, "1-101", "100", dt.date(2024, 6, 16))
    liaison = make_user("property_company", property_company=company)
    rows = selectors.warranty_ending(liaison, days=3, on=dt.date(2026, 6, 15))
    assert rows and {r["unit"] for r in rows} == {own}
    assert len(selectors.warranty_ending(make_user("admin"), days=3, on=dt.date(2026, 6, 15))) == 2 * len(rows)
