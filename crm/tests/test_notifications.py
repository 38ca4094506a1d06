import http.server
import json
import threading

import pytest
from django.core import mail

from crm.models import Notification, WebhookEndpoint
from crm.notifications import (
    deliver_pending, mark_read, notify, notify_many, notify_role, schedule_delivery, unread_count,
)


@pytest.mark.django_db
def test_notification_is_stored_and_counted_unread(make_user):
    user = make_user("cs_staff")
    notify(recipients=[user], title="重大投诉：TS-2026-0001")
    assert unread_count(user) == 1
    mark_read(user=user)
    assert unread_count(user) == 0


@pytest.mark.django_db
def test_same_event_notifies_once(make_user):
    user = make_user("cs_supervisor")
    assert notify(recipients=[user], title="超时", dedupe_key="case:1:breach") == 1
    assert notify(recipients=[user], title="超时", dedupe_key="case:1:breach") == 0
    assert Notification.objects.filter(recipient=user).count() == 1


@pytest.mark.django_db
def test_many_notifications_are_stored_in_a_few_queries_and_each_event_once(
        make_user, django_assert_max_num_queries):
    users = [make_user("cs_staff") for _ in range(3)]
    batch = [Notification(recipient=u, title=f"超时{i}", dedupe_key=f"sla:{i}:breach") for i in range(30) for u in users]
    with django_assert_max_num_queries(4):  # the recipients (may they open it?), count, insert, count
        assert notify_many(batch) == 90
    again = [Notification(recipient=u, title=f"超时{i}", dedupe_key=f"sla:{i}:breach") for i in range(31) for u in users]
    assert notify_many(again) == 3  # only the new event
    assert Notification.objects.count() == 93


@pytest.mark.django_db
def test_notify_role_reaches_active_holders_only(make_user):
    a, b = make_user("manager"), make_user("manager")
    b.is_active = False
    b.save()
    notify_role("manager", title="待审批")
    assert list(Notification.objects.values_list("recipient", flat=True)) == [a.pk]


@pytest.mark.django_db
def test_delivery_sends_email_once(make_user, django_capture_on_commit_callbacks):
    user = make_user("manager")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[user], title="待审批：处置方案")
    assert len(mail.outbox) == 1
    assert deliver_pending() == 0  # already delivered: nothing twice
    assert Notification.objects.get().delivered_at is not None


class _Robot(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        _Robot.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"errcode":0}')

    def log_message(self, *args):
        pass


@pytest.mark.django_db
def test_group_robot_webhook_receives_the_text(make_user):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Robot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        WebhookEndpoint.objects.create(name="客服群", kind="wecom", url=f"http://127.0.0.1:{server.server_port}/send")
        notify(recipients=[make_user("manager")], title="重大投诉已登记", body="阳光花园 1-101")
        assert deliver_pending() == 1
    finally:
        server.shutdown()
    assert _Robot.received[-1] == {"msgtype": "text", "text": {"content": "重大投诉已登记\n阳光花园 1-101"}}


@pytest.mark.django_db
def test_failed_channel_leaves_the_notification_for_the_sweep(make_user):
    WebhookEndpoint.objects.create(name="坏地址", kind="dingtalk", url="http://127.0.0.1:9/unreachable")
    notify(recipients=[make_user("manager")], title="测试")
    assert deliver_pending() == 0
    note = Notification.objects.get()
    assert note.delivered_at is None and note.attempts == 1 and note.last_error


@pytest.mark.django_db
def test_broker_outage_keeps_the_notification_for_the_sweep(make_user, settings):
    from crm.celery import app

    user = make_user("manager")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    old_url = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    app.conf.broker_connection_retry = False
    app.conf.broker_connection_max_retries = 0
    try:
        notify(recipients=[user], title="重大投诉")
        schedule_delivery()  # must not raise
    finally:
        app.conf.broker_url = old_url
        app.conf.task_always_eager = True
    assert Notification.objects.get().delivered_at is None
    assert deliver_pending() == 1  # the beat sweep delivers once the worker runs again
