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
