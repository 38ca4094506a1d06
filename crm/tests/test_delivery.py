"""Delivery of stored notifications (crm.notifications.deliver_pending) to a real SMTP server on
loopback (crm.smtp_sink): batches over one connection, disjoint claims, marked after sending, a
killed worker's batch sent again and counted once by its Message-ID."""
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from crm import notifications
from crm.models import Notification
from crm.notifications import deliver_pending, message_id
from crm.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sink(settings):
    with SmtpSink() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        yield server


def _notices(users, per_user: int) -> list[Notification]:
    """Stored as notify() stores them (the delivery is what is tested here, not the routing)."""
    return Notification.objects.bulk_create([
        Notification(recipient=user, title=f"时限已超时：TS-{n:04d}", body="请处理", url=f"/complaints/{n}/",
                     dedupe_key=f"sla:{n}:breach")
        for n, user in enumerate(user for user in users for _ in range(per_user))])


def _rows():
    return {pk: (delivered is not None, attempts, until)
            for pk, delivered, attempts, until in Notification.objects.values_list(
                "pk", "delivered_at", "attempts", "claimed_until")}


@pytest.mark.django_db
def test_a_batch_larger_than_a_connection_takes_one_connection_per_batch_and_marks_all_delivered(
        make_user, sink, monkeypatch):
    monkeypatch.setattr(notifications, "BATCH_SIZE", 10)
    users = [make_user("cs_staff") for _ in range(5)]
    _notices(users, per_user=5)
    assert deliver_pending() == 25
    assert sink.connections == 3  # 10 + 10 + 5
    assert len(sink.messages) == 25
    notes = {message_id(n): n for n in Notification.objects.select_related("recipient")}
    assert set(sink.unique()) == set(notes)
    for mid, received in sink.unique().items():
        assert received.rcpt_to == [notes[mid].recipient.email]
        assert received.message["Subject"] == notes[mid].title
        assert received.message["X-CRM-Notification"] == str(notes[mid].pk)
    assert set(_rows().values()) == {(True, 1, None)}
    assert deliver_pending() == 0 and len(sink.messages) == 25  # nothing twice


@pytest.mark.django_db
def test_a_refused_recipient_fails_alone_and_is_retried_by_the_next_sweep(make_user, settings, monkeypatch):
    monkeypatch.setattr(notifications, "BATCH_SIZE", 10)
    good, gone = make_user("cs_staff"), make_user("cs_staff")
    with SmtpSink(refuse=[gone.email]) as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        _notices([good, gone, good], per_user=2)
        assert deliver_pending() == 4
        assert server.connections == 1  # the refusal did not cost the batch its connection
        assert deliver_pending() == 0  # a failed notice waits for the next sweep
        later = timezone.now() + dt.timedelta(seconds=notifications.RETRY_SECONDS + 1)
        assert deliver_pending(now=later) == 0
    refused = Notification.objects.filter(recipient=gone)
    assert list(refused.values_list("delivered_at", "attempts")) == [(None, 2), (None, 2)]
    assert all("550" in error for error in refused.values_list("last_error", flat=True))
    assert set(Notification.objects.filter(recipient=good).values_list("attempts", flat=True)) == {1}
    assert len(server.unique()) == 4 and {m.rcpt_to[0] for m in server.messages} == {good.email}


@pytest.mark.django_db
def test_an_unreachable_relay_fails_the_batch_once_and_the_notices_wait_for_the_next_sweep(make_user, sink, settings):
    import socket

    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = closed.getsockname()[1]
    _notices([make_user("cs_staff")], per_user=5)
    assert deliver_pending() == 0
    rows = Notification.objects.values_list("delivered_at", "attempts", "last_error")
    assert {(delivered, attempts) for delivered, attempts, _ in rows} == {(None, 1)}
    assert all(error for _, _, error in rows)
    settings.EMAIL_PORT = sink.port  # the relay is back: the next sweep delivers them
    later = timezone.now() + dt.timedelta(seconds=notifications.RETRY_SECONDS + 1)
    assert deliver_pending(now=later) == 5
    assert len(sink.unique()) == 5 and sink.connections == 1


@pytest.mark.django_db
def test_a_claimed_batch_is_not_claimed_again_until_its_claim_runs_out(make_user):
    _notices([make_user("cs_staff")], per_user=10)
    now = timezone.now()
    until, first = notifications._claim(4, now)
    _, second = notifications._claim(10, now + dt.timedelta(seconds=1))
    assert len(first) == 4 and len(second) == 6
    assert not {n.pk for n in first} & {n.pk for n in second}
    assert notifications._claim(10, now + dt.timedelta(seconds=2))[1] == []
    held = Notification.objects.filter(pk__in=[n.pk for n in first])
    assert set(held.values_list("claimed_until", flat=True)) == {until}
    later = now + dt.timedelta(seconds=notifications.CLAIM_SECONDS + 2)
    again, batch = notifications._claim(10, later)
    assert len(batch) == 10  # a killed worker's claims run out
    assert set(Notification.objects.values_list("claimed_until", flat=True)) == {again}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_in_parallel_send_each_notice_once(make_user, sink, monkeypatch):
    from crm.testing import run_at_once

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite serializes every writer")
    monkeypatch.setattr(notifications, "BATCH_SIZE", 15)
    _notices([make_user("cs_staff") for _ in range(10)], per_user=20)
    outcomes = run_at_once(deliver_pending, deliver_pending, deliver_pending)
    assert [exc for _, exc in outcomes] == [None, None, None]
    assert sum(result for result, _ in outcomes) == 200
    assert len(sink.messages) == 200 and len(sink.unique()) == 200  # no copy at all
    assert set(_rows().values()) == {(True, 1, None)}


# --- A real worker killed while the relay holds a message -----------------------------------------

def _worker_database() -> tuple[str, Path | None]:
    """A DATABASE_URL by which another process sees this test's rows: the test database itself
    on PostgreSQL; on SQLite (in memory) a file copy, to be copied back afterwards."""
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        user, password = settings_dict["USER"], settings_dict["PASSWORD"]
        host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
        return f"postgres://{user}:{password}@{host}:{port}/{settings_dict['NAME']}", None
    connection.ensure_connection()
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"crm-delivery-{os.getpid()}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    return f"sqlite:///{path}", path


def _copy_back(path: Path | None) -> None:
    if path is None:
        return
    source = sqlite3.connect(path)
    source.backup(connection.connection)
    source.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_loses_nothing_and_each_notice_arrives_once(make_user, settings):
    users = [make_user("cs_staff") for _ in range(3)]
    _notices(users, per_user=4)
    notes = {message_id(n): n for n in Notification.objects.select_related("recipient")}
    url, path = _worker_database()
    with SmtpSink(hold_at=7) as server:
        env = {k: v for k, v in os.environ.items()
               if k not in ("CRM_TESTING", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL")}
        env.update({"DATABASE_URL": url, "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                    "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(server.port)})
        worker = subprocess.Popen([sys.executable, "manage.py", "runjob", "crm.deliver_pending_notifications"],
                                  cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert server.holding.wait(90), worker.stderr.read1().decode() if worker.poll() is not None else "no 7th"
            worker.send_signal(signal.SIGKILL)  # while the relay has the 7th message and has not answered
            worker.wait(10)
        finally:
            if worker.poll() is None:
                worker.kill()
            worker.stdout.close()
            worker.stderr.close()
        server.release()
        assert worker.returncode == -signal.SIGKILL
        _copy_back(path)
        # The killed worker marked nothing delivered: its batch is still claimed, by it alone.
        assert {(delivered, attempts, until is not None) for delivered, attempts, until in _rows().values()} == {
            (False, 0, True)}
        assert len(set(Notification.objects.values_list("claimed_until", flat=True))) == 1
        for name, value in server.settings().items():
            setattr(settings, name, value)
        assert deliver_pending() == 0  # its claim holds until it runs out: no second sender meanwhile
        later = timezone.now() + dt.timedelta(seconds=notifications.CLAIM_SECONDS + 1)
        assert deliver_pending(now=later) == 12
    # The relay accepted six from the killed worker (the seventh's sender died before the answer);
    # the next sweep sent the whole batch again (at least once)…
    assert len(server.messages) == 6 + 12
    unique = server.unique()
    assert set(unique) == set(notes)  # …and each notice is there once by its Message-ID, none lost
    for mid, received in unique.items():
        assert received.rcpt_to == [notes[mid].recipient.email]
        assert received.message["Subject"] == notes[mid].title
    assert set(_rows().values()) == {(True, 1, None)}
