"""Webhooks: the outbox and its delivery.

``record_event`` (subscribed to ``crm.events``) writes one ``WebhookDelivery`` per matching
subscription in the transaction of the event, and asks Celery to send it once that commits.
If the broker is down the row waits for the every-minute sweep (``deliver_due``), so nothing is
lost. Each try is claimed first (a compare-and-set on the attempt number and a 5-minute lease),
so the task and the sweep never send the same try twice. A receiver answering anything but 2xx
is tried again after 30 s, 1, 2, 4 … minutes (at most an hour apart) until 24 hours after the
event; then the delivery is given up (``failed``) and an admin may replay it.

The receiver checks ``X-CRM-Signature: sha256=<hex>``, the HMAC-SHA256 with the subscription's
secret of ``<X-CRM-Timestamp>.<body>`` (README, "API").
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crm import caching

from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)
GIVE_UP_AFTER = dt.timedelta(hours=24)
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(hours=1)
LEASE = dt.timedelta(minutes=5)
TIMEOUT = 10  # seconds a receiver has to answer


SUBSCRIPTIONS_KEY = "api:webhook-subscriptions"


def subscriptions() -> list[tuple[int, frozenset, frozenset | None]]:
    """(subscription id, its events, its client's projects or None for all) of the active
    subscriptions, kept in the cache until one of them or their clients changes (every case
    transition asks, and almost always the answer is "none")."""
    return caching.remember(SUBSCRIPTIONS_KEY, _active_subscriptions, 3600)


def _active_subscriptions() -> list[tuple[int, frozenset, frozenset | None]]:
    return [(s.pk, frozenset(s.events or ()), None if s.client.all_projects
             else frozenset(p.pk for p in s.client.projects.all()))
            for s in WebhookSubscription.objects.filter(active=True, client__active=True)
            .select_related("client").prefetch_related("client__projects")]


def subscriptions_changed(**kwargs) -> None:
    caching.forget(SUBSCRIPTIONS_KEY)


def record_event(event_type: str, events: list, *, occurred_at) -> list[WebhookDelivery]:
    """One outbox row per event and active subscription to ``event_type`` whose client may see
    the event's project (an event of no project goes to every subscriber)."""
    subs = [(pk, projects) for pk, names, projects in subscriptions() if event_type in names]
    if not subs:
        return []
    rows = []
    for project_id, data in events:
        event_id = uuid.uuid4()
        payload = json.loads(json.dumps({"id": str(event_id), "type": event_type, "occurred_at": occurred_at,
                                         "data": data}, cls=DjangoJSONEncoder))
        rows += [WebhookDelivery(subscription_id=pk, event_id=event_id, event_type=event_type, payload=payload,
                                 next_attempt_at=occurred_at)
                 for pk, projects in subs if projects is None or project_id is None or project_id in projects]
    if not rows:
        return []
    rows = WebhookDelivery.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _enqueue(ids))
    return rows


def _enqueue(ids, attempt: int = 0, countdown: float = 0) -> None:
    from .tasks import deliver_webhook

    for pk in ids:
        try:
            deliver_webhook.apply_async(args=(pk, attempt), countdown=countdown)
        except Exception as exc:  # noqa: BLE001 - broker down: the row waits for the sweep
            log.warning("webhook delivery %s left for the sweep: %s", pk, type(exc).__name__)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failed try: 30 s, 1 min, 2 min … at most an hour."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def _claim(pk: int, attempt: int, now) -> WebhookDelivery | None:
    claimed = WebhookDelivery.objects.filter(pk=pk, status=WebhookDelivery.Status.PENDING, attempts=attempt).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)).update(claimed_until=now + LEASE)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("subscription").get(pk=pk)


def deliver(pk: int, attempt: int) -> str:
    """Send try number ``attempt`` of a delivery (unless another worker has it or it is done);
    record the answer and schedule the next try. Returns the delivery's status."""
    now = timezone.now()
    delivery = _claim(pk, attempt, now)
    if delivery is None:
        return "skipped"
    sub = delivery.subscription
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(now.timestamp()))
    request = urllib.request.Request(sub.url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "crm-webhooks/1",
        "X-CRM-Event": delivery.event_type, "X-CRM-Delivery": str(delivery.event_id),
        "X-CRM-Timestamp": timestamp, "X-CRM-Signature": sign(sub.secret, timestamp, body)})
    code, error = None, ""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - admin-set https/http URL
            code = response.status
    except urllib.error.HTTPError as exc:
        code, error = exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        error = type(exc).__name__ + ": " + str(getattr(exc, "reason", exc))[:200]
    return _record(delivery, attempt, code, error)


def _record(delivery: WebhookDelivery, attempt: int, code, error: str) -> str:
    now = timezone.now()
    WebhookAttempt.objects.create(delivery=delivery, status_code=code, error=error[:300])
    values = {"attempts": attempt + 1, "claimed_until": None, "last_status_code": code, "last_error": error[:300]}
    if code is not None and 200 <= code < 300:
        values.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=now)
        wait = None
    else:
        wait = backoff(attempt + 1)
        if now + wait - delivery.created_at > GIVE_UP_AFTER:
            values["status"], wait = WebhookDelivery.Status.FAILED, None
        else:
            values["next_attempt_at"] = now + wait
    WebhookDelivery.objects.filter(pk=delivery.pk, attempts=attempt).update(**values)
    if wait is not None:
        log.info("webhook delivery %s try %s failed (%s), next in %s", delivery.pk, attempt + 1, code or error, wait)
        _enqueue([delivery.pk], attempt + 1, countdown=wait.total_seconds())
    return values.get("status", WebhookDelivery.Status.PENDING)


def deliver_due(*, now=None, limit: int = 500) -> int:
    """The sweep: every pending delivery whose time has come (one the broker never got, a task
    lost with its worker), sent in this process. Returns how many were tried."""
    now = now or timezone.now()
    due = list(WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
               .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
               .order_by("next_attempt_at").values_list("pk", "attempts")[:limit])
    for pk, attempts in due:
        deliver(pk, attempts)
    return len(due)


@transaction.atomic
def delivery_replay(*, ids) -> int:
    """Send these deliveries again (the admin's replay button): pending now, whatever they were."""
    now = timezone.now()
    rows = list(WebhookDelivery.objects.filter(pk__in=ids).values_list("pk", "attempts"))
    WebhookDelivery.objects.filter(pk__in=ids).update(status=WebhookDelivery.Status.PENDING, next_attempt_at=now,
                                                      claimed_until=None, created_at=now)
    for pk, attempts in rows:
        transaction.on_commit(lambda pk=pk, attempts=attempts: _enqueue([pk], attempts))
    return len(rows)
