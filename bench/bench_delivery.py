"""Notification delivery (issue 14 §4): notices per second per worker to an SMTP server on loopback.

    python -m bench.bench_delivery               # 2,000 notices a run (1,000 through the slow relay)
    python -m bench.bench_delivery --quick       # 1,000
    DATABASE_URL=postgres://… python -m bench.bench_delivery

Ours: ``crm.notifications.deliver_pending`` (the ``crm.deliver_pending_notifications`` job): a
sweep claims batches of 100, sends each over one SMTP connection and marks them delivered in one
update. Baseline, measured in the same run on the same notices: the sweep as it was before
(``baseline_deliver``: one notice at a time, marked delivered before sending, ``send_mail`` and
so one SMTP connection per notice). The server is ``crm.smtp_sink`` on 127.0.0.1, in this
process; a second pair of lines adds 2 ms before each of its answers (a relay across a LAN).
The old sweep also stopped at 500 notices a minute (8.3/s however fast the relay): the
figure here is its speed within a sweep. The notices are stored in a transaction that is
rolled back at the end (each run rolled back to a savepoint), so the data set is left as it was.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bootstrap, database_label, parse_args, report  # noqa: E402

SIZES = {"full": 2_000, "quick": 1_000, "smoke": 30}
RELAY_DELAY = 0.002  # seconds before each answer of the "LAN relay"
TARGET = 50  # notices/s per worker (issue 14)


class Rollback(Exception):
    pass


def baseline_deliver(limit: int = 500) -> int:
    """The sweep before issue 14: claim by marking delivered first, then one send_mail (one SMTP
    connection) per notice; a worker killed in between loses the notice."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.db.models import F
    from django.utils import timezone

    from crm.models import Notification
    from crm.notifications import MAX_ATTEMPTS

    delivered = 0
    pending = (Notification.objects.filter(delivered_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
               .select_related("recipient").order_by("pk")[:limit])
    for note in pending:
        claimed = Notification.objects.filter(pk=note.pk, delivered_at__isnull=True).update(
            delivered_at=timezone.now(), attempts=F("attempts") + 1)
        if not claimed:
            continue
        try:
            if note.recipient.email:
                link = f"\n\n{note.url}" if note.url else ""
                send_mail(note.title, f"{note.body}{link}", settings.DEFAULT_FROM_EMAIL, [note.recipient.email])
            delivered += 1
        except Exception as exc:  # noqa: BLE001 - as the old sweep did
            Notification.objects.filter(pk=note.pk).update(delivered_at=None, last_error=str(exc)[:300])
    return delivered


def _recipients(count: int) -> list[int]:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = [User(username=f"bench_notice_{i}", email=f"bench_notice_{i}@example.test", first_name=f"收件人{i}")
             for i in range(count)]
    User.objects.bulk_create(users)
    return list(User.objects.filter(username__startswith="bench_notice_").values_list("pk", flat=True))


def _store(recipient_ids, n: int) -> None:
    from crm.models import Notification

    Notification.objects.bulk_create([
        Notification(recipient_id=recipient_ids[i % len(recipient_ids)],
                     title=f"时限已超时：TS-2026-{i:06d} 重要投诉处置",
                     body="请尽快处理。", url=f"/complaints/{i}/", level="danger", dedupe_key=f"bench:delivery:{i}")
        for i in range(n)], batch_size=500)


def _run(send, recipients, n: int, sink) -> tuple[float, int, int]:
    """Seconds to deliver ``n`` fresh notices with ``send``, the SMTP connections and messages it
    took; rolled back to a savepoint afterwards."""
    from django.db import transaction

    sid = transaction.savepoint()
    _store(recipients, n)
    connections, messages = sink.connections, len(sink.messages)
    started = time.perf_counter()
    delivered = 0
    while True:
        sent = send()
        delivered += sent
        if not sent:
            break
    seconds = time.perf_counter() - started
    transaction.savepoint_rollback(sid)
    if delivered != n:
        raise RuntimeError(f"delivered {delivered} of {n}")
    return seconds, sink.connections - connections, len(sink.messages) - messages


def main(argv=None) -> list[str]:
    args = parse_args(argv, description=__doc__.splitlines()[0])
    bootstrap()
    from django.db import transaction
    from django.test.utils import override_settings
    from django.utils import timezone

    from crm.models import Notification
    from crm.notifications import BATCH_SIZE, deliver_pending
    from crm.smtp_sink import SmtpSink

    if not args.smoke:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    size = SIZES[args.mode]
    runs = 1 if args.smoke else 3
    db = database_label()
    lines = []
    try:
        with transaction.atomic():
            # whatever the data set holds undelivered is not this bench's to send (rolled back)
            Notification.objects.filter(delivered_at__isnull=True).update(delivered_at=timezone.now())
            recipients = _recipients(50)
            relay = f"relay answering after {RELAY_DELAY * 1000:.0f} ms"
            for label, delay, n in (("loopback", 0.0, size), (relay, RELAY_DELAY, min(size, 1000))):
                with SmtpSink(reply_delay=delay) as sink, override_settings(**sink.settings()):
                    ours, base = [], []
                    for _ in range(runs):  # alternating, so a change of load hits both alike
                        ours.append(_run(lambda: deliver_pending(sweep_seconds=3600), recipients, n, sink))
                        base.append(_run(lambda: baseline_deliver(limit=500), recipients, n, sink))
                ours_rate = statistics.median(n / s for s, _, _ in ours)
                base_rate = statistics.median(n / s for s, _, _ in base)
                spread = f"{min(n / s for s, _, _ in ours):.0f}-{max(n / s for s, _, _ in ours):.0f}/s"
                conns = f"{ours[-1][1]} vs {base[-1][1]} SMTP connections"
                # ratio = ours ÷ baseline for a rate: report() divides baseline by ours, so give it times
                lines.append(report(
                    f"delivery {n:,} notices, one worker, {label} [{db}] (ms per notice)",
                    1000 / ours_rate, 1000 / base_rate, unit="ms",
                    note=f"ours {ours_rate:.0f} notices/s (runs {spread}), baseline {base_rate:.0f}/s; {conns} "
                         f"(batches of {BATCH_SIZE}); target >= {TARGET}/s"))
            raise Rollback
    except Rollback:
        pass
    return lines


if __name__ == "__main__":
    main()
