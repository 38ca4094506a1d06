"""A broker outage against a real Redis: work goes on, notifications follow when Redis returns.

The test runs its own redis-server on a free loopback port, so that it can stop and start it
without disturbing the Redis other tests use; a real Celery worker (in this process) consumes
from it once it is back.
"""
import contextlib
import os
import shutil
import socket
import subprocess
import time

import pytest
from django.core import mail

from complaints import services
from complaints.models import State
from crm.models import Notification

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, binary: str, port: int):
        self.binary, self.port, self.process = binary, port, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server():
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server not found: apt-get install -y redis-server"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = RedisServer(binary, _free_port())
    server.start()
    yield server
    server.stop()


def _reset_pools(app):
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(redis_server):
    """The Celery app publishes to the test's own Redis, for real (not eagerly)."""
    from crm.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "broker_transport_options")}
    app.conf.update(broker_url=redis_server.url, task_always_eager=False, broker_transport_options={})
    _reset_pools(app)
    yield app
    app.conf.update(saved)
    _reset_pools(app)


def test_with_redis_down_cases_are_logged_and_plans_approved_and_notified_when_it_returns(
        broker, redis_server, case_in, new_case, users):
    from celery.contrib.testing.worker import start_worker

    pending_plan = case_in(State.PLAN_PENDING)
    Notification.objects.update(delivered_at=None)  # start counting from here
    before = set(Notification.objects.values_list("pk", flat=True))

    redis_server.stop()
    started = time.monotonic()
    case = new_case()  # the front desk logs a complaint
    services.complaint_transfer(complaint=case, user=users["front_desk"])
    services.complaint_classify(complaint=case, user=users["cs_supervisor"], valid=True, severity="major")
    services.plan_decide(complaint=pending_plan, user=users["manager"], approve=True)
    assert time.monotonic() - started < 15, "a broker outage must not hold the office up"

    case.refresh_from_db()
    pending_plan.refresh_from_db()
    assert case.severity == "major" and pending_plan.state == State.PLAN_APPROVED
    raised = Notification.objects.exclude(pk__in=before)
    assert raised.filter(title__contains="重大").exists()  # the superiors are told of the major case
    assert raised.filter(recipient=users["cs_staff"]).exists()  # the drafter hears of the approval
    assert not raised.filter(delivered_at__isnull=False).exists()  # nothing was delivered during the outage

    redis_server.start()
    mail.outbox.clear()
    from crm.tasks import deliver_pending_notifications

    with start_worker(broker, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        deliver_pending_notifications.delay()  # what beat sends every minute
        deadline = time.monotonic() + 30
        while raised.filter(delivered_at__isnull=True).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    assert not raised.filter(delivered_at__isnull=True).exists()
    delivered_to = {address for message in mail.outbox for address in message.to}
    assert {note.recipient.email for note in raised.select_related("recipient") if note.recipient.email} <= delivered_to
