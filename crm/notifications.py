"""Notifications: stored in the database first, then delivered (e-mail, group robot) by
Celery. If the broker is down the rows wait, and the every-minute sweep delivers them
once it is back, so nothing is lost.
"""
from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from crm.models import Notification, WebhookEndpoint
from crm.scopes import role_users

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def notify(*, recipients: Iterable, title: str, body: str = "", url: str = "",
           level: str = Notification.Level.INFO, dedupe_key: str = "") -> int:
    """Store one notification per recipient and schedule delivery after commit.

    With a ``dedupe_key`` a recipient gets the event once, however often it is raised.
    Returns how many notifications are new.
    """
    recipients = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not recipients:
        return 0
    before = (
        Notification.objects.filter(dedupe_key=dedupe_key, recipient_id__in=recipients).count() if dedupe_key else 0
    )
    Notification.objects.bulk_create(
        [
            Notification(recipient_id=pk, title=title[:200], body=body, url=url[:300], level=level, dedupe_key=dedupe_key)
            for pk in recipients
        ],
        ignore_conflicts=bool(dedupe_key),
    )
    created = (
        Notification.objects.filter(dedupe_key=dedupe_key, recipient_id__in=recipients).count() - before
        if dedupe_key
        else len(recipients)
    )
    if created:
        transaction.on_commit(schedule_delivery)
    return created


def notify_many(notifications: list[Notification], batch: int = 2000) -> int:
    """Store many prepared notifications (each with its recipient and dedupe_key) in a few
    queries whatever their number, for beat jobs that raise one per record. Returns how many
    are new; delivery is scheduled once."""
    created = 0
    for start in range(0, len(notifications), batch):
        chunk = notifications[start:start + batch]
        keys = {n.dedupe_key for n in chunk if n.dedupe_key}
        before = Notification.objects.filter(dedupe_key__in=keys).count() if keys else 0
        Notification.objects.bulk_create(chunk, ignore_conflicts=True)
        after = Notification.objects.filter(dedupe_key__in=keys).count() if keys else 0
        created += after - before + sum(1 for n in chunk if not n.dedupe_key)
    if created:
        transaction.on_commit(schedule_delivery)
    return created


def notify_role(role: str, **kwargs) -> int:
    return notify(recipients=role_users(role), **kwargs)


def schedule_delivery() -> None:
    """Ask a worker to deliver now; if the broker is unreachable the sweep will do it."""
    from crm.tasks import deliver_pending_notifications

    try:
        deliver_pending_notifications.delay()
    except Exception as exc:  # noqa: BLE001 - any broker error: the rows are safe in the database
        log.warning("broker unavailable, notifications wait for the sweep: %s", exc)


def deliver_pending(limit: int = 500) -> int:
    """Deliver stored notifications not yet delivered; each is claimed by compare-and-set
    so that two workers never send the same one twice."""
    delivered = 0
    endpoints = list(WebhookEndpoint.objects.filter(active=True))
    pending = (
        Notification.objects.filter(delivered_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .select_related("recipient")
        .order_by("pk")[:limit]
    )
    sent_to_robots = set()
    for note in pending:
        claimed = Notification.objects.filter(pk=note.pk, delivered_at__isnull=True).update(
            delivered_at=timezone.now(), attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        try:
            if note.recipient.email:
                link = f"\n\n{note.url}" if note.url else ""
                send_mail(note.title, f"{note.body}{link}", settings.DEFAULT_FROM_EMAIL, [note.recipient.email])
            key = (note.title, note.url)
            if endpoints and key not in sent_to_robots:
                for endpoint in endpoints:
                    post_webhook(endpoint, f"{note.title}\n{note.body}".strip())
                sent_to_robots.add(key)
            delivered += 1
        except Exception as exc:  # noqa: BLE001 - a failed channel is retried by the sweep
            Notification.objects.filter(pk=note.pk).update(delivered_at=None, last_error=str(exc)[:300])
            log.warning("notification %s not delivered: %s", note.pk, exc)
    return delivered


def post_webhook(endpoint: WebhookEndpoint, text: str, timeout: float = 5.0) -> None:
    """WeCom and DingTalk group robots both take a JSON text message."""
    payload = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()
    request = urllib.request.Request(endpoint.url, data=payload, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - admin-set URL
        if response.status >= 300:
            raise OSError(f"webhook answered {response.status}")


def mark_read(*, user, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
