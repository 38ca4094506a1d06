"""访问客户月度指标: each department visits at least 10 owners a month and each customer
assistant (客户助理) at least 20, counted as distinct owners within the calendar month and shown
as attainment; the two numbers are rules an admin edits (crm.rules)."""
import datetime as dt
import itertools
import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from crm.models import Department, Rule
from crm.rules import rule
from crm.tests.factories import make_customer, make_project
from owners import selectors, services
from owners.models import CustomerVisit

pytestmark = pytest.mark.django_db

DEPT, ASSISTANT = "owners.visit_quota_department", "owners.visit_quota_assistant"
JANUARY = (2026, 1)
_serial = itertools.count(1)


def set_quota(key, value):
    """As the admin's save does: the row changes and the cached value is forgotten (crm.signals)."""
    row = Rule.objects.get(key=key)
    row.value = value
    row.save()


def visit(user, on, n=1, *, customers=None):
    """``user`` visits ``n`` new owners (or ``customers``) on the day ``on``; returns them."""
    if customers is None:
        project = make_project(code=f"p{next(_serial)}")
        customers = [make_customer(project, name=f"业主{k}", phone=f"1390000{k:04d}")
                     for k in itertools.islice(_serial, n)]
    for customer in customers:
        services.visit_record(customer=customer, user=user, visited_on=on, method=CustomerVisit.Method.PHONE)
    return customers


def row(rows, name):
    found = [r for r in rows if r["name"] == name]
    assert len(found) == 1, rows
    return found[0]


@pytest.fixture
def affairs(db):
    return Department.objects.get_or_create(code="customer-affairs", defaults={"name": "客户事务部"})[0]


def test_a_month_counts_the_owners_visited_from_its_first_day_to_its_last(make_user, affairs):
    front = make_user("front_desk", username="qian", department=affairs)
    visit(front, dt.date(2025, 12, 31))  # the day before: December's
    inside = visit(front, dt.date(2026, 1, 1)) + visit(front, dt.date(2026, 1, 31))
    visit(front, dt.date(2026, 2, 1))  # the day after: February's
    visit(front, dt.date(2026, 1, 15), customers=inside)  # visited twice: one owner
    data = selectors.quota_attainment(front, *JANUARY)
    assert (data["start"], data["end"]) == (dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert row(data["assistants"], "qian")["count"] == 2
    assert row(data["departments"], "客户事务部")["count"] == 2
    february = selectors.quota_attainment(front, 2026, 2)
    assert (february["start"], february["end"]) == (dt.date(2026, 2, 1), dt.date(2026, 3, 1))
    assert row(february["assistants"], "qian")["count"] == 1


@pytest.mark.parametrize("visited, quota, percent, met", [
    (0, 1, 0, False),     # nobody visited: 0 %, even against a quota of one
    (9, 10, 90, False),   # one short
    (10, 10, 100, True),  # exactly the quota meets it
    (12, 10, 100, True),  # above the quota: 100 %, never more
    (0, 0, 100, True),    # a quota of 0 is always met
])
def test_attainment_is_the_share_of_the_quota_up_to_100_and_the_quota_itself_meets_it(
        make_user, affairs, visited, quota, percent, met):
    set_quota(DEPT, quota)
    set_quota(ASSISTANT, quota)
    front = make_user("front_desk", username="qian", department=affairs)
    visit(front, dt.date(2026, 1, 10), visited)
    data = selectors.quota_attainment(front, *JANUARY)
    for shown in (row(data["assistants"], "qian"), row(data["departments"], "客户事务部")):
        assert (shown["count"], shown["quota"], shown["percent"], shown["met"]) == (visited, quota, percent, met)


def test_the_report_lists_the_department_and_every_active_assistant_even_without_visits(make_user, affairs):
    sales = Department.objects.create(code="sales", name="销售部")
    make_user("front_desk", username="a_idle", department=affairs)  # no visit: listed with 0
    gone = make_user("front_desk", username="b_gone", department=affairs)
    gone.is_active = False
    gone.save(update_fields=["is_active"])  # left: not listed without a visit
    make_user("cs_staff", username="c_staff", department=affairs)  # not an assistant: not listed without a visit
    visiting_staff = make_user("cs_staff", username="d_staff", department=sales)
    visit(visiting_staff, dt.date(2026, 1, 5), 3)  # a visit counts whoever made it
    data = selectors.quota_attainment(visiting_staff, *JANUARY)
    assert [(a["name"], a["count"], a["percent"], a["met"]) for a in data["assistants"]] == [
        ("a_idle", 0, 0, False), ("d_staff", 3, 15, False)]
    assert [(d["name"], d["count"], d["percent"], d["met"]) for d in data["departments"]] == [
        ("客户事务部", 0, 0, False), ("销售部", 3, 30, False)]
    other_month = selectors.quota_attainment(visiting_staff, 2025, 12)
    assert [a["name"] for a in other_month["assistants"]] == ["a_idle"]
    assert [d["name"] for d in other_month["departments"]] == ["客户事务部"]


def test_the_quotas_are_the_admins_rules_and_a_change_shows_at_once(make_user, client, affairs):
    front = make_user("front_desk", username="qian", department=affairs)
    visit(front, dt.date(2026, 1, 10), 11)
    client.force_login(make_user("cs_supervisor"))
    body = client.get(reverse("owners:quota_report"), {"month": "2026-01"}).content.decode()
    assert "各部门（每月不少于 10 户）" in body and "客户助理（每人每月不少于 20 户）" in body
    assert "<td>qian</td><td>11</td><td>20</td>" in body and "<td>客户事务部</td><td>11</td><td>10</td>" in body

    admin = Client()
    admin.force_login(make_user("admin"))
    for key, value in ((DEPT, "12"), (ASSISTANT, "11")):
        response = admin.post(reverse("admin:crm_rule_change", args=[Rule.objects.get(key=key).pk]), {"value": value})
        assert response.status_code == 302
    assert (Rule.objects.get(key=DEPT).value, Rule.objects.get(key=ASSISTANT).value) == (12, 11)
    response = client.get(reverse("owners:quota_report"), {"month": "2026-01"})
    body = response.content.decode()
    assert "各部门（每月不少于 12 户）" in body and "客户助理（每人每月不少于 11 户）" in body
    assert [(d["count"], d["quota"], d["percent"], d["met"]) for d in response.context["departments"]] == [
        (11, 12, 92, False)]
    assert [(a["count"], a["quota"], a["percent"], a["met"]) for a in response.context["assistants"]] == [
        (11, 11, 100, True)]


def test_without_an_admins_row_the_quotas_are_10_and_20(make_user, affairs):
    Rule.objects.filter(key__in=[DEPT, ASSISTANT]).delete()
    front = make_user("front_desk", username="qian", department=affairs)
    visit(front, dt.date(2026, 1, 10), 10)
    data = selectors.quota_attainment(front, *JANUARY)
    assert (data["dept_quota"], data["assistant_quota"]) == (10, 20)
    assert (row(data["departments"], "客户事务部")["met"], row(data["assistants"], "qian")["percent"]) == (True, 50)


@pytest.mark.skipif("locmem" not in settings.CACHES["default"]["BACKEND"],
                    reason="Redis expires its keys on the server's clock")
def test_a_quota_changed_without_the_admin_shows_within_a_minute(make_user, affairs, monkeypatch):
    """A row changed by a bulk update (no save, no signal) is read again when the cached value
    is a minute old."""
    front = make_user("front_desk", username="qian", department=affairs)
    real, ahead = time.time, {"s": 0}
    monkeypatch.setattr(time, "time", lambda: real() + ahead["s"])
    assert selectors.quota_attainment(front, *JANUARY)["assistant_quota"] == 20
    Rule.objects.filter(key=ASSISTANT).update(value=15)
    ahead["s"] = 60
    assert selectors.quota_attainment(front, *JANUARY)["assistant_quota"] == 15


def test_a_misspelt_rule_fails_naming_it():
    with pytest.raises(KeyError) as exc:
        rule("owners.visit_quota_dept")
    assert exc.value.args == ("unknown rule 'owners.visit_quota_dept'",)


@pytest.mark.parametrize("count, quota, shown", [(199, 200, 99), (399, 400, 99), (200, 200, 100), (250, 200, 100),
                                                 (2, 3, 67), (1, 3, 33), (0, 10, 0), (9, 10, 90), (5, 0, 100)])
def test_attainment_is_never_100_percent_while_the_quota_is_not_met(count, quota, shown):
    from owners.selectors import _percent

    assert _percent(count, quota) == shown
