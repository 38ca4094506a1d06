"""The 来电来访记录 list and the monthly quota report read their choices from the address: a
value that is not one (a bookmark, a hand-edited address) says so and shows nothing it was not
asked for, never a list that looks filtered."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from owners.models import ContactLog

pytestmark = pytest.mark.django_db

LIST = reverse("owners:contact_list")


def numbers(response) -> list[str]:
    return [c.number for c in response.context["page_obj"]]


def test_the_contact_list_filters_by_words_kind_and_days(demo, as_role):
    client = as_role("cs_staff")
    assert numbers(client.get(LIST)) == ["LD-DEMO-003", "LD-DEMO-001", "LD-DEMO-002"]  # newest first
    assert numbers(client.get(LIST, {"q": "楼道灯"})) == ["LD-DEMO-003"]
    assert numbers(client.get(LIST, {"q": "刘建国"})) == ["LD-DEMO-003", "LD-DEMO-001"]
    assert numbers(client.get(LIST, {"kind": "visit"})) == ["LD-DEMO-002"]
    today = timezone.localdate()
    since = today - dt.timedelta(days=3)
    assert numbers(client.get(LIST, {"occurred_from": f"{since:%Y-%m-%d}"})) == ["LD-DEMO-003", "LD-DEMO-001"]
    assert numbers(client.get(LIST, {"occurred_to": f"{since:%Y-%m-%d}"})) == ["LD-DEMO-002"]
    page = client.get(LIST, {"kind": "call", "q": "产权证"})
    assert numbers(page) == ["LD-DEMO-001"] and 'data-testid="filter-errors"' not in page.text


@pytest.mark.parametrize("params", [{"kind": "letter"}, {"occurred_from": "2026-02-30"}, {"project": "999999"}])
def test_an_invalid_contact_filter_says_so_and_filters_nothing(demo, as_role, params):
    page = as_role("cs_staff").get(LIST, params)
    assert page.status_code == 200
    assert 'data-testid="filter-errors"' in page.text and "筛选条件有误" in page.text
    assert numbers(page) == ["LD-DEMO-003", "LD-DEMO-001", "LD-DEMO-002"]


def test_the_project_menu_offers_only_the_users_projects(demo, as_role):
    from crm.scopes import visible_projects

    page = as_role("cs_staff").get(LIST)
    user = page.context["user"]
    offered = {str(pk) for pk, _ in page.context["filter"].form.fields["project"].choices if pk}
    assert offered == {str(pk) for pk in visible_projects(user).values_list("pk", flat=True)}


def test_the_export_follows_the_same_filters(demo, as_role):
    from django.http import QueryDict

    from crm.exports import REGISTERS

    user = as_role("cs_staff").get(LIST).context["user"]
    rows = REGISTERS["owners-contacts"].queryset(user, QueryDict("kind=visit"))
    assert [c.number for c in rows] == ["LD-DEMO-002"]
    assert ContactLog.objects.filter(number__startswith="LD-DEMO-").count() == 3


@pytest.mark.parametrize("month", ["2026-13", "abc", "1999-05", "2026-1-1"])
def test_a_month_that_is_not_one_shows_this_month_and_says_so(demo, as_role, month):
    page = as_role("cs_supervisor").get(reverse("owners:quota_report"), {"month": month})
    this_month = f"{timezone.localdate():%Y-%m}"
    assert page.status_code == 200 and page.context["month"] == this_month
    assert 'data-testid="filter-errors"' in page.text and "月份有误，下面显示的是本月" in page.text
    reason = "日期应在 2000 年至 2100 年之间" if month == "1999-05" else "月份应为 年-月，例如 2026-12"
    assert reason in page.text
    assert f'value="{this_month}"' in page.text


def test_a_month_asked_for_is_shown_without_a_warning(demo, as_role):
    client = as_role("cs_supervisor")
    page = client.get(reverse("owners:quota_report"), {"month": "2025-03"})
    assert page.context["month"] == "2025-03" and 'data-testid="filter-errors"' not in page.text
    # the demo's visits are this month's: none in March 2025
    assert [d["count"] for d in page.context["departments"]] in ([], [0])
    assert 'data-testid="filter-errors"' not in client.get(reverse("owners:quota_report")).text
