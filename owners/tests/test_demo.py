import pytest

from owners.demo import OWNERS, PROSPECTS
from owners.models import (
    AccessRequest, ContactLog, Customer, CustomerVisit, Greeting, Ownership, PreferenceProfile, SatisfactionSurvey,
    SurveyScore, UnitDocument,
)

pytestmark = pytest.mark.django_db


def owners_demo_rows():
    """The rows the owners demo loader writes (other apps' loaders add their own customers)."""
    phones = [row[6] for row in OWNERS] + [row[3] for row in PROSPECTS]
    return {
        "customers": Customer.objects.filter(phone__in=phones).count(),
        "ownerships": Ownership.objects.filter(customer__phone__in=phones).count(),
        "contacts": ContactLog.objects.filter(number__startswith="LD-DEMO-").count(),
        "visits": CustomerVisit.objects.filter(visitor__username="front_desk").count(),
        "surveys": SatisfactionSurvey.objects.filter(comment__startswith="[演示]").count(),
        "scores": SurveyScore.objects.filter(survey__comment__startswith="[演示]").count(),
        "profiles": PreferenceProfile.objects.count(),
        "documents": UnitDocument.objects.count(),
        "greetings": Greeting.objects.count(),
        "requests": sorted(AccessRequest.objects.filter(reason__startswith="[演示]").values_list("status", flat=True)),
    }


EXPECTED = {
    "customers": 8, "ownerships": 6, "contacts": 3, "visits": 4, "surveys": 6, "scores": 30, "profiles": 1,
    "documents": 4, "greetings": 1, "requests": ["approved", "pending", "rejected"],
}


def test_demo_writes_the_expected_owner_records_in_every_state(demo):
    assert owners_demo_rows() == EXPECTED
    assert Customer.objects.get(name="陈美玲").confidential
    stages = Customer.objects.filter(phone__in=[r[6] for r in OWNERS] + [r[3] for r in PROSPECTS])
    assert set(stages.values_list("stage", flat=True)) == set(Customer.Stage.values)
    assert Customer.objects.get(name="孙雅琴").online and not Customer.objects.get(name="孙雅琴").ownerships.exists()


def test_demo_data_loads_twice_without_duplicates(demo):
    from owners.demo import load_customer_affairs, load_projects

    load_projects(lambda *_: None)
    load_customer_affairs(lambda *_: None)
    assert owners_demo_rows() == EXPECTED


def test_the_old_approved_demo_request_opens_nothing_today(demo):
    from django.contrib.auth import get_user_model

    from owners.selectors import granted_customer_ids

    assert granted_customer_ids(get_user_model().objects.get(username="front_desk")) == []
