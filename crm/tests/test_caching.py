"""Cached values follow the transactions that change them (crm/caching.py): a change rolled back
leaves nothing of itself in the cache, and a value another process put back before the change
committed is dropped at the commit. Each case goes through the real reader (a rule, a user's
permissions on a page, the working calendar); the webhooks' subscriptions are in
api/tests/test_webhooks.py."""
import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from crm import caching, calendar, rules
from crm.models import CalendarOverride, Rule

pytestmark = pytest.mark.django_db

KEY = "crm.export_keep_days"


def set_rule(value):
    row, _ = Rule.objects.get_or_create(key=KEY, defaults={"value": value})
    row.value = value
    row.save()


def test_a_rule_changed_and_rolled_back_is_the_old_rule_afterwards():
    assert rules.rule(KEY) == Decimal(7)
    with transaction.atomic():
        set_rule(30)
        assert rules.rule(KEY) == Decimal(30)  # the transaction sees its own change…
        transaction.set_rollback(True)
    assert rules.rule(KEY) == Decimal(7)  # …and nobody keeps it after the rollback


def test_an_old_rule_put_back_by_another_process_before_the_commit_is_dropped_at_the_commit(
        django_capture_on_commit_callbacks):
    assert rules.rule(KEY) == Decimal(7)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        set_rule(30)
        cache.set("crm.rule." + KEY, "7", 60)  # another worker read the committed rows meanwhile
    assert callbacks
    assert cache.get("crm.rule." + KEY) is None


def test_a_group_given_and_rolled_back_gives_no_page(client, make_user):
    user = make_user("legal")
    client.force_login(user)
    assert client.get(reverse("complaints:register")).status_code == 403
    with transaction.atomic():
        user.groups.add(Group.objects.get(name="cs_supervisor"))
        assert client.get(reverse("complaints:register")).status_code == 200
        transaction.set_rollback(True)
    assert client.get(reverse("complaints:register")).status_code == 403


def test_a_day_off_declared_and_rolled_back_is_a_working_day_again():
    day = dt.date(2026, 12, 9)  # a Wednesday
    assert calendar.calendar().is_working_day(day)
    with transaction.atomic():
        CalendarOverride.objects.create(date=day, is_working_day=False, note="停电")
        assert not calendar.calendar().is_working_day(day)
        transaction.set_rollback(True)
    assert calendar.calendar().is_working_day(day)


def test_remember_outside_a_change_keeps_the_value_and_inside_one_reads_afresh():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert caching.remember("t:key", compute, 60) == 1
    assert caching.remember("t:key", compute, 60) == 1  # kept
    with transaction.atomic():
        caching.forget("t:key")
        assert caching.remember("t:key", compute, 60) == 2
        assert caching.remember("t:key", compute, 60) == 3  # never kept inside the change
        assert cache.get("t:key") is None
        with transaction.atomic():
            assert caching.changed_here("t:key")  # a savepoint inside still sees the change
        transaction.set_rollback(True)
    assert not caching.changed_here("t:key")
    assert caching.remember("t:key", compute, 60) == 4
    assert caching.remember("t:key", compute, 60) == 4
