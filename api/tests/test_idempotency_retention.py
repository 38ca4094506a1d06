"""Idempotency-Keys are kept for the rule api.idempotency_keep_days (admin-set), then purged by a
nightly job: a retry within that time is answered from the kept answer, one after it runs again."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from api import services
from api.models import IdempotentRequest
from crm import retention
from crm.models import Rule
from crm.rules import forget
from owners.models import Customer

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
RECORD = {"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111", "stage": "signed"}


@pytest.fixture
def sales(system):
    caller = system(all_projects=True, source="sales")
    assert caller.post(reverse("api:projects_bulk"),
                       {"records": [{"external_id": "P1", "code": "lake", "name": "湖畔花园"}]}).status_code == 200
    return caller


def _call(caller, key, record=RECORD):
    return caller.post(reverse("api:customers_bulk"), {"records": [record]}, HTTP_IDEMPOTENCY_KEY=key)


def _made(key, when):
    IdempotentRequest.objects.filter(key=key).update(created_at=when)


def _keep_days(days):
    Rule.objects.update_or_create(key="api.idempotency_keep_days", defaults={"value": days})
    forget("api.idempotency_keep_days")


def test_keys_older_than_the_rule_go_a_window_at_a_time_and_younger_ones_stay(sales, monkeypatch):
    monkeypatch.setattr(retention, "CHUNK_SIZE", 2)
    _keep_days(3)
    for i in range(5):
        # each its own phone: one customer with another's phone is refused as a likely duplicate
        record = {**RECORD, "external_id": f"C{i}", "phone": f"1390000{i:04d}"}
        assert _call(sales, f"old-{i}", record).status_code == 200
        _made(f"old-{i}", dt.datetime(2026, 12, 6, 23, 0, tzinfo=TZ))
    assert _call(sales, "young").status_code == 200
    _made("young", dt.datetime(2026, 12, 7, 0, 0, tzinfo=TZ))
    # three whole days after 12-06 ended (民法典 art. 201, as crm.retention counts)
    assert services.idempotency_purge_old(now=dt.datetime(2026, 12, 10, 0, 0, tzinfo=TZ)) == 5
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["young"]
    assert Customer.objects.count() == 5  # what the calls wrote stays


def test_a_rule_of_zero_keeps_every_key(sales):
    _keep_days(0)
    assert _call(sales, "k").status_code == 200
    _made("k", dt.datetime(2020, 1, 1, tzinfo=TZ))
    assert services.idempotency_purge_old() == 0
    assert IdempotentRequest.objects.filter(key="k").exists()


def test_a_retry_within_the_time_is_replayed_and_after_the_purge_runs_again_as_unchanged(sales, capsys, settings):
    _keep_days(30)
    first = _call(sales, "k-1")
    assert first.json()["counts"]["created"] == 1
    assert _call(sales, "k-1")["Idempotent-Replayed"] == "true"
    _made("k-1", dt.datetime.now(TZ) - dt.timedelta(days=40))
    assert settings.CELERY_BEAT_SCHEDULE["api.purge_old_idempotency_keys"]["task"] == "api.purge_old_idempotency_keys"
    call_command("runjob", "api.purge_old_idempotency_keys")
    assert "api.purge_old_idempotency_keys: 1" in capsys.readouterr().out
    assert not IdempotentRequest.objects.exists()
    again = _call(sales, "k-1")
    assert again.status_code == 200 and "Idempotent-Replayed" not in again
    assert again.json()["counts"] == {"created": 0, "updated": 0, "unchanged": 1, "error": 0}
    customer = Customer.objects.get()
    assert customer.name == "李四" and customer.history.count() == 1
