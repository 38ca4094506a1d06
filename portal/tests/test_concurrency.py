"""The code and chase limits under two concurrent requests, on PostgreSQL with real row locks."""
import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from complaints.models import Complaint, TimelineEntry
from crm.testing import run_at_once
from portal import auth, services
from portal.models import CodeRequest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite serializes every writer")


def test_two_code_requests_at_once_cannot_pass_the_fifth(place):
    phone = place["owners"][0].phone
    for _ in range(4):
        auth.sms_code_request(phone=phone, ip="10.0.0.1")
    outcomes = run_at_once(lambda: auth.sms_code_request(phone=phone, ip="10.0.0.2"),
                           lambda: auth.sms_code_request(phone=phone, ip="10.0.0.3"))
    errors = [exc for _, exc in outcomes if exc is not None]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), outcomes
    assert CodeRequest.objects.filter(phone=phone).count() == 5


def test_two_chases_at_once_make_one(client, place, owner_login):
    from .test_cases import report

    owner_login(0)
    report(client, place["units"][0])
    case = Complaint.objects.get()
    user = case.received_by
    outcomes = run_at_once(lambda: services.case_chase(user=user, case=case),
                           lambda: services.case_chase(user=user, case=case))
    errors = [exc for _, exc in outcomes if exc is not None]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), outcomes
    assert TimelineEntry.objects.filter(complaint=case, kind="owner_chase").count() == 1
