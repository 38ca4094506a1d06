"""The portal's pages cost a fixed number of queries, whatever the timeline's length."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Complaint
from complaints.timeline import timeline_add

from .test_cases import report

pytestmark = pytest.mark.django_db


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries), [q["sql"][:120] for q in queries.captured_queries]


def test_home_and_case_page_queries_are_few_and_flat(client, place, owner_login):
    owner_login(0)
    report(client, place["units"][0])
    case = Complaint.objects.get()
    home, home_sql = _count(client, "/m/")
    short, _ = _count(client, f"/m/cases/{case.pk}/")
    for i in range(30):
        timeline_add(case, case.received_by, "owner_comment", f"补充{i}")
    long, long_sql = _count(client, f"/m/cases/{case.pk}/")
    assert home <= 6, home_sql
    assert long == short and long <= 8, long_sql


def test_a_long_timeline_shows_its_newest_entries_and_links_to_the_older_ones(client, place, owner_login):
    """The case page stays a light phone page however long the case ran (the bench's 2,000-entry
    case made a 185 KB page): the newest TIMELINE_SHOWN entries, and a link to the ones before."""
    import re

    from portal.selectors import TIMELINE_SHOWN

    owner_login(0)
    report(client, place["units"][0])
    case = Complaint.objects.get()
    for i in range(2 * TIMELINE_SHOWN):
        timeline_add(case, case.received_by, "owner_comment", f"补充{i:03d}")
    timeline_add(case, case.received_by, "internal_note", "内部备注")  # never shown, never counted
    page = client.get(f"/m/cases/{case.pk}/").content.decode()
    shown = re.findall(r"补充(\d{3})", page)
    assert shown == [f"{i:03d}" for i in range(TIMELINE_SHOWN, 2 * TIMELINE_SHOWN)], shown
    assert "内部备注" not in page
    older = re.search(r'href="/m/cases/\d+/\?before=(\d+)" data-testid="older"', page).group(1)
    page = client.get(f"/m/cases/{case.pk}/?before={older}").content.decode()
    assert re.findall(r"补充(\d{3})", page) == [f"{i:03d}" for i in range(TIMELINE_SHOWN)]
    older = re.search(r'href="/m/cases/\d+/\?before=(\d+)" data-testid="older"', page).group(1)  # the register entry is older
    page = client.get(f"/m/cases/{case.pk}/?before={older}").content.decode()
    timeline = page.split('data-testid="timeline"')[1]
    assert "补充" not in timeline and "已受理" in timeline and 'data-testid="older"' not in page
