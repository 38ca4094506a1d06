"""Data migrations of crm, run on rows as an older release left them."""
import importlib

import pytest
from django.apps import apps

from crm.models import Rule
from crm.rules import rule

pytestmark = pytest.mark.django_db
months = importlib.import_module("crm.migrations.0002_coordination_interval_in_months")


def test_the_coordination_rule_in_days_becomes_one_in_calendar_months():
    Rule.objects.filter(key=months.NEW).delete()
    old = Rule.objects.create(key=months.OLD, value=31, unit="天", description="每个项目至少每月协调一次(最长间隔)")
    months.to_months(apps, None)
    assert not Rule.objects.filter(key=months.OLD).exists()
    new = Rule.objects.get(key=months.NEW)
    assert (new.pk, new.value, new.unit) == (old.pk, 1, "月")
    assert new.history.first().history_change_reason.startswith("协调间隔改按自然月")
    assert rule(months.NEW) == 1


def test_a_stale_day_rule_is_dropped_when_the_month_rule_already_exists():
    Rule.objects.update_or_create(key=months.NEW, defaults={"value": 2, "unit": "月"})
    Rule.objects.create(key=months.OLD, value=31, unit="天")
    months.to_months(apps, None)
    assert list(Rule.objects.filter(key__startswith="liaison.coordination").values_list("key", "value")) == [
        (months.NEW, 2)]
