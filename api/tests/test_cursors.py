"""Cursor pages: a cursor is only one the API wrote. Every other (a position that is no value of
the ordering, an offset past the cap, a reverse flag of junk, a key of its own, stray characters)
is a 404 ``无效游标`` in the API's error shape on every list, never a 200 with an empty or wrong
page, while the cursors the API writes still walk the pages both ways."""
import datetime as dt
from base64 import b64encode

import pytest
from django.urls import reverse

from .test_reads import _visited

pytestmark = pytest.mark.django_db

LISTS = ["api:case_list", "api:return_visit_list", "api:survey_list", "api:overdue_list", "api:projects_list",
         "api:buildings_list", "api:units_list", "api:customers_list", "api:ownerships_list"]
WHEN = "2026-12-07 10:00:00+00:00"  # a position of the case list (received_at) as the API writes it


def _b64(text: str) -> str:
    return b64encode(text.encode()).decode()


def _forgeries(name: str) -> dict:
    """Altered cursors, by what is wrong; ``good`` is a position the list's ordering could hold."""
    good = WHEN if name == "api:case_list" else "5"
    return {
        "text position": _b64("p=abc"),
        "a day that does not exist": _b64("p=2026-02-30 10:00:00+00:00"),
        "a date without its time": _b64("p=2026-12-07"),
        "a time without its zone": _b64("p=2026-12-07 10:00:00"),
        "a fraction": _b64("p=1.5"),
        "a number past 64 bits": _b64("p=99999999999999999999999"),
        "a number with a leading zero": _b64("p=05"),
        "an offset past the cap": _b64(f"o=99999&p={good}"),
        "a zero offset written": _b64(f"o=0&p={good}"),
        "a negative offset": _b64(f"o=-3&p={good}"),
        "a reverse flag of junk": _b64(f"r=junk&p={good}"),
        "a reverse flag of 2": _b64(f"r=2&p={good}"),
        "a key of its own": _b64(f"p={good}&x=1"),
        "a position twice": _b64(f"p={good}&p={good}"),
        "stray characters": _b64(f"p={good}") + "!!",
        "not base64": "%%%",
        "base64 of bytes": _b64("\u00e9") + "AA==",
        "empty": "",
    }


@pytest.fixture
def every_list(system, two_projects, register_case, overdue, make_user):
    """A client of every project and scope, with a row or two in every list."""
    from owners.services import survey_record

    for place in two_projects.values():
        register_case(place)
        survey_record(customer=place["owner"], user=make_user("cs_staff", username=f"s-{place['project'].code}"),
                      surveyed_on=dt.date(2026, 11, 1), scores={"overall": 4})
    for _ in range(2):
        _visited(register_case(two_projects["lake"]), lambda role, username=None: make_user(role))
    caller = system(all_projects=True, source="sales1")
    for resource, records in (
        ("buildings", [{"external_id": f"B{i}", "project": "P-lake", "name": f"{i + 8}栋"} for i in (1, 2)]),
        ("units", [{"external_id": f"U{i}", "building": "B1", "number": f"{i}01", "area": "90"} for i in (1, 2)]),
        ("customers", [{"external_id": f"C{i}", "project": "P-lake", "name": "李四", "phone": f"1390000111{i}"}
                       for i in (1, 2)]),
        ("ownerships", [{"external_id": f"O{i}", "customer": f"C{i}", "unit": f"U{i}"} for i in (1, 2)]),
    ):
        assert caller.post(reverse(f"api:{resource}_bulk"), {"records": records}).json()["counts"]["created"] == 2
    return caller


@pytest.mark.parametrize("name", LISTS)
def test_every_altered_cursor_is_a_404_on_every_list(every_list, name):
    assert every_list.get(reverse(name)).json()["results"], name  # the list has rows to show
    wrong = {}
    for what, cursor in _forgeries(name).items():
        response = every_list.get(reverse(name), {"cursor": cursor})
        if response.status_code != 404 or response.json() != {"detail": "无效游标"}:
            wrong[what] = (response.status_code, response.content[:80])
    assert wrong == {}


@pytest.mark.parametrize("name", LISTS)
def test_the_cursors_the_api_writes_walk_every_list_both_ways(every_list, name):
    first = every_list.get(reverse(name), {"page_size": 1}).json()
    assert first["next"] is not None, name
    second = every_list.get(first["next"]).json()
    assert second["results"] and second["results"] != first["results"]
    assert second["previous"] is not None
    back = every_list.get(second["previous"]).json()
    assert back["results"] == first["results"]
