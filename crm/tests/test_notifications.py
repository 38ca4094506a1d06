import http.server
import json
import threading

import pytest
from django.core import mail

from crm.models import Notification, WebhookEndpoint
from crm.notifications import (
    deliver_pending,
    mark_read,
    notify,
    notify_many,
    notify_role,
    schedule_delivery,
    unread_count,
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
    # the recipients (may they open it?), count, insert, count; Django sends SQLite at most 999
    # parameters a statement, so 90 rows of 12 columns go in two inserts there
    with django_assert_max_num_queries(5):
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


# --- The rule: a recipient must be able to open what the notice points to ----------------------


def _told(**filters):
    return set(Notification.objects.filter(**filters).values_list("recipient__username", flat=True))


@pytest.mark.django_db
def test_a_recipient_who_may_not_open_the_record_is_replaced_by_its_department_and_named(world):
    users, case = world["users"], world["lake_case"]
    sent = notify(recipients=[users["hill_dept"], users["front_desk"]], title="时限已超时", target=case,
                  url=f"/complaints/{case.pk}/", dedupe_key="t:1")
    assert sent == 2
    assert _told(title="时限已超时") == {"front_desk", "cs_supervisor"}
    note = Notification.objects.get(title="时限已超时", recipient=users["cs_supervisor"])
    assert "原通知对象 hill_dept 无法查看该记录" in note.body


@pytest.mark.django_db
def test_an_outside_user_never_gets_internal_work_it_cannot_open(world):
    users = world["users"]
    # the case was forwarded by its company, yet the liaison has no case page to open (403)
    notify(recipients=[users["liaison"]], title="时限已超时", target=world["lake_case"])
    # a notice with no record is internal work: never to an outside user
    notify(recipients=[users["liaison"]], title="日报")
    assert _told(title="时限已超时") == _told(title="日报") == {"cs_supervisor"}
    assert not Notification.objects.filter(recipient=users["liaison"]).exists()


@pytest.mark.django_db
def test_a_recipient_who_can_open_it_keeps_it_even_an_outside_user(world, make_user):
    import datetime as dt

    from property_liaison.models import ActionItem, CoordinationMeeting

    users = world["users"]
    meeting = CoordinationMeeting.objects.create(
        number="XT1", project=world["lake_case"].project, company=users["liaison"].profile.property_company,
        date=dt.date(2026, 1, 5), form="meeting", recorded_by=users["cs_supervisor"])
    item = ActionItem.objects.create(meeting=meeting, project=meeting.project, description="修路灯",
                                     party="property_company", assignee="工程部", due_date=dt.date(2026, 1, 9))
    notify(recipients=[users["liaison"]], title="新的协调事项", target=item)
    assert _told(title="新的协调事项") == {"liaison"}


@pytest.mark.django_db
def test_someone_who_has_left_is_replaced_and_without_anyone_in_the_role_the_admins_are_told(world):
    users = world["users"]
    users["front_desk"].is_active = False
    users["front_desk"].save()
    notify(recipients=[users["front_desk"]], title="新转交的案件", target=world["hill_case"])
    assert _told(title="新转交的案件") == {"cs_supervisor"}
    users["cs_supervisor"].is_active = False
    users["cs_supervisor"].save()
    notify(recipients=[users["hill_dept"]], title="升级", target=world["lake_case"])
    assert _told(title="升级") == {"admin"}


@pytest.mark.django_db
def test_many_notices_are_routed_per_record_in_one_query_per_recipient(world, django_assert_max_num_queries):
    from crm.permcache import user_permissions

    users = world["users"]
    for user in users.values():
        user_permissions(user)
    lake, hill = world["lake_case"], world["hill_case"]
    batch = [Notification(recipient=users["hill_dept"], title=f"超时{c.pk}", dedupe_key=f"sla:{c.pk}")
             for c in (lake, hill)]
    # users, hill_dept's projects and cases, the supervisors and their cases, the replacements'
    # languages (their "meant for" line is in each one's language), count, insert, count
    with django_assert_max_num_queries(9):
        assert notify_many(batch, targets=[lake, hill]) == 2
    assert _told(title=f"超时{hill.pk}") == {"hill_dept"}
    assert _told(title=f"超时{lake.pk}") == {"cs_supervisor"}


@pytest.mark.django_db
def test_the_dedupe_lookup_reads_an_index_not_the_whole_table(make_user):
    """Years of notices: _store counts a batch's events before and after inserting; that count
    must find them on an index of dedupe_key (the unique one leads with the recipient)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    users = [make_user("cs_staff") for _ in range(2)]
    Notification.objects.bulk_create([Notification(recipient=users[i % 2], title="旧", dedupe_key=f"old:{i}")
                                      for i in range(5000)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE crm_notification" if connection.vendor == "postgresql" else "ANALYZE")
    with CaptureQueriesContext(connection) as ctx:
        notify_many([Notification(recipient=u, title="超时", dedupe_key=f"sla:{i}:breach")
                     for i in range(3) for u in users])
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"] and "dedupe_key" in q["sql"]]
    assert len(counts) == 2
    with connection.cursor() as cursor:
        cursor.execute(("EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN ") + counts[0])
        plan = " ".join(str(cell) for row in cursor.fetchall() for cell in row)
    assert "notification_dedupe" in plan, plan
