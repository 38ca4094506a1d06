"""crm.commit: a follow-up asked for many times in one transaction runs once it commits, once."""
import pytest
from django.db import transaction

from crm.commit import on_commit_once, pending
from crm.models import Notification
from crm.notifications import notify, notify_many, schedule_delivery


class Boom(Exception):
    pass


def deliveries(callbacks):
    return [c for c in callbacks if c is schedule_delivery]


@pytest.mark.django_db
def test_notices_stored_in_one_transaction_ask_for_one_delivery(make_user, django_capture_on_commit_callbacks):
    users = [make_user("cs_staff") for _ in range(3)]
    with django_capture_on_commit_callbacks() as callbacks:
        for i, user in enumerate(users):
            notify(recipients=[user], title=f"待处理{i}")
        notify_many([Notification(recipient=u, title="超时", dedupe_key=f"t:{u.pk}") for u in users])
    assert Notification.objects.count() == 6
    assert deliveries(callbacks) == [schedule_delivery]  # was one per call: four sweeps for one transaction


@pytest.mark.django_db
def test_a_delivery_asked_for_in_a_rolled_back_savepoint_is_asked_for_again(
        make_user, django_capture_on_commit_callbacks):
    user = make_user("cs_staff")
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(Boom), transaction.atomic():
            notify(recipients=[user], title="撤回的")
            assert deliveries(pending()) == [schedule_delivery]
            raise Boom
        assert deliveries(pending()) == []  # Django dropped it with the savepoint
        notify(recipients=[user], title="保留的")
    assert list(Notification.objects.values_list("title", flat=True)) == ["保留的"]
    assert deliveries(callbacks) == [schedule_delivery]


@pytest.mark.django_db
def test_a_delivery_asked_for_in_a_released_savepoint_is_enough(make_user, django_capture_on_commit_callbacks):
    user = make_user("cs_staff")
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            notify(recipients=[user], title="一")
        notify(recipients=[user], title="二")
        with transaction.atomic():
            notify(recipients=[user], title="三")
    assert Notification.objects.count() == 3
    assert deliveries(callbacks) == [schedule_delivery]


@pytest.mark.django_db
def test_other_callbacks_are_kept_apart(django_capture_on_commit_callbacks):
    ran = []

    def first():
        ran.append("first")

    def second():
        ran.append("second")

    with django_capture_on_commit_callbacks(execute=True):
        on_commit_once(first)
        on_commit_once(second)
        on_commit_once(first)
        transaction.on_commit(second)  # Django's own: not deduplicated
    assert ran == ["first", "second", "second"]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_runs_at_once_every_time():
    ran = []

    def callback():
        ran.append(1)

    on_commit_once(callback)
    on_commit_once(callback)
    assert ran == [1, 1]
    assert pending() == []
