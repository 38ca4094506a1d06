"""Webhooks: the outbox row is written with the event, a real receiver on loopback answering 500
twice then 200 gets the event once signed, a broker that is down loses nothing, and an admin
can replay a delivery."""
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse

from api import outbox
from api.models import WebhookDelivery, WebhookSubscription
from complaints import services as complaint_services

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server in a thread that answers the given status codes in turn, then 200."""

    def __init__(self, answers=()):
        self.answers, self.received = list(answers), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.headers, body))  # case-insensitive names
                code = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """What a receiver does (README): HMAC-SHA256 of "<timestamp>.<body>" with the secret."""
    expected = "sha256=" + hmac.new(secret.encode(), headers["X-CRM-Timestamp"].encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-CRM-Signature"])


def subscribe(caller, url, events, secret="s3cret"):
    return WebhookSubscription.objects.create(client=caller.system, url=url, secret=secret, events=events)


def test_a_case_created_is_delivered_once_signed_after_two_500s(system, two_projects, register_case,
                                                                django_capture_on_commit_callbacks):
    caller = system(projects=[two_projects["lake"]["project"]])
    with Receiver(answers=[500, 500]) as receiver:
        subscribe(caller, receiver.url, ["case.created"])
        with django_capture_on_commit_callbacks(execute=True):
            case = register_case(two_projects["lake"])
    assert len(receiver.received) == 3
    headers, body = receiver.received[-1]
    assert verify("s3cret", headers, body)
    payload = json.loads(body)
    assert payload["type"] == "case.created" and payload["data"]["number"] == case.number
    assert set(payload) == {"id", "type", "occurred_at", "data"}
    assert len({json.loads(b)["id"] for _, b in receiver.received}) == 1  # the same event each time
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 3 and delivery.last_status_code == 200
    assert list(delivery.tries.values_list("status_code", flat=True)) == [500, 500, 200]


def test_another_projects_events_and_unsubscribed_events_are_not_sent(system, two_projects, register_case):
    caller = system(projects=[two_projects["lake"]["project"]])
    subscribe(caller, "http://127.0.0.1:9/none", ["case.created"])
    register_case(two_projects["hill"])
    assert not WebhookDelivery.objects.exists()
    case = register_case(two_projects["lake"])
    sup = __import__("crm.tests.factories", fromlist=["UserFactory"]).UserFactory(role="cs_supervisor")
    complaint_services.complaint_classify(complaint=case, user=sup, valid=True, severity="minor")
    assert list(WebhookDelivery.objects.values_list("event_type", flat=True)) == ["case.created"]


def test_the_outbox_row_is_rolled_back_with_the_event(system, two_projects, register_case):
    from django.db import transaction

    caller = system(all_projects=True)
    subscribe(caller, "http://127.0.0.1:9/none", ["case.created"])
    with pytest.raises(RuntimeError), transaction.atomic():
        register_case(two_projects["lake"])
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError
    assert not WebhookDelivery.objects.exists()


def test_with_the_broker_down_nothing_is_lost(system, two_projects, register_case, monkeypatch,
                                              django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    from api import tasks

    caller = system(all_projects=True)

    def down(*args, **kwargs):
        raise OperationalError("broker down")

    monkeypatch.setattr(tasks.deliver_webhook, "apply_async", down)
    with Receiver() as receiver:
        subscribe(caller, receiver.url, ["case.classified", "case.created"])
        with django_capture_on_commit_callbacks(execute=True):
            register_case(two_projects["lake"])
        assert receiver.received == [] and WebhookDelivery.objects.get().status == "pending"
        monkeypatch.undo()
        assert outbox.deliver_due() == 1
    assert len(receiver.received) == 1 and WebhookDelivery.objects.get().status == "delivered"


def test_a_customer_changed_by_the_api_or_a_page_is_an_event(system, two_projects, make_user):
    from owners.models import Customer
    from owners.services import customer_update

    caller = system(all_projects=True, source="sales1")
    subscribe(caller, "http://127.0.0.1:9/none", ["customer.changed"])
    caller.post(reverse("api:customers_bulk"), {"records": [
        {"external_id": "C1", "project": "P-lake", "name": "李四", "phone": "13900001111"}]})
    owner = two_projects["hill"]["owner"]
    customer_update(customer=owner, user=make_user("cs_staff", username="st"), name="新名字", phone=owner.phone)
    caller.post(reverse("api:customers_bulk"), {"records": [
        {"external_id": "C1", "project": "P-lake", "name": "李四四", "phone": "13900001111"}]})
    data = [d.payload["data"] for d in WebhookDelivery.objects.order_by("pk")]
    c1 = Customer.objects.get(external_id="C1")
    assert c1.name == "李四四"
    # one shape whoever made the change (the API's events had no code)
    assert data == [{"id": c1.pk, "code": c1.code, "external_id": "C1", "change": "created"},
                    {"id": owner.pk, "code": owner.code, "external_id": "", "change": "updated"},
                    {"id": c1.pk, "code": c1.code, "external_id": "C1", "change": "updated"}]


def test_a_failing_receiver_is_retried_with_backoff_and_given_up_after_24_hours(system, two_projects,
                                                                               register_case, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    caller = system(all_projects=True)
    monkeypatch.setattr(outbox, "_enqueue", lambda *a, **k: None)  # the test drives each try
    with Receiver(answers=[503] * 50) as receiver:
        subscribe(caller, receiver.url, ["case.created"])
        register_case(two_projects["lake"])
        delivery = WebhookDelivery.objects.get()
        assert outbox.deliver(delivery.pk, 0) == "pending"
        delivery.refresh_from_db()
        wait = delivery.next_attempt_at - timezone.now()
        assert dt.timedelta(seconds=25) < wait <= dt.timedelta(seconds=30)
        assert outbox.deliver(delivery.pk, 0) == "skipped"  # that try was made: not twice
        WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - dt.timedelta(hours=24))
        assert outbox.deliver(delivery.pk, 1) == "failed"
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


def test_the_admin_replays_a_delivery(system, two_projects, register_case, make_user, client, monkeypatch,
                                      django_capture_on_commit_callbacks):
    caller = system(all_projects=True)
    with Receiver(answers=[500]) as receiver:
        subscribe(caller, receiver.url, ["case.created"])
        monkeypatch.setattr(outbox, "backoff", lambda n: outbox.GIVE_UP_AFTER * 2)  # gives up at once
        with django_capture_on_commit_callbacks(execute=True):
            register_case(two_projects["lake"])
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "failed"
        client.force_login(make_user("admin", username="root"))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("admin:api_webhookdelivery_changelist"),
                                   {"action": "replay", "_selected_action": [delivery.pk]})
        assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and len(receiver.received) == 2
    page = client.get(reverse("admin:api_webhookdelivery_change", args=[delivery.pk]))
    assert page.status_code == 200 and "500" in page.content.decode()


def test_a_customer_imported_from_excel_is_an_event_and_a_preview_is_not(system, make_user, roles):
    import io

    from crm.tests.factories import ProjectFactory
    from owners import imports
    from owners.tests.test_imports import valid_id, xlsx

    ProjectFactory(code="sunshine", name="阳光花园")
    subscribe(system(all_projects=True), "http://127.0.0.1:9/none", ["customer.changed"])
    content = xlsx(["姓名", "手机", "身份证号", "所属项目", "外部系统", "外部编号"],
                   [["钱七", "13700000001", valid_id(7), "sunshine", "sales", "C-7"]])
    admin = make_user("admin", username="root")
    assert imports.run_import("customers", imports.read_dataset(io.BytesIO(content)), user=admin, dry_run=True).ok
    assert not WebhookDelivery.objects.exists()
    assert imports.run_import("customers", imports.read_dataset(io.BytesIO(content)), user=admin, dry_run=False).ok
    data = WebhookDelivery.objects.get().payload["data"]
    assert (data["change"], data["external_id"]) == ("created", "C-7")


def test_a_subscription_rolled_back_receives_nothing_afterwards(system, two_projects, register_case):
    """The subscriptions are cached: one created in a transaction that read them (an event in the
    same transaction) and then rolled back used to stay in the cache, and the next event wrote a
    delivery pointing at a subscription that never existed (a foreign-key error at its commit)."""
    from django.db import transaction

    caller = system(all_projects=True)
    with transaction.atomic():
        subscribe(caller, "http://127.0.0.1:9/hook", ["case.created"])
        register_case(two_projects["lake"])
        assert WebhookDelivery.objects.count() == 1
        transaction.set_rollback(True)
    assert not WebhookSubscription.objects.exists()
    register_case(two_projects["lake"])
    assert not WebhookDelivery.objects.exists()
