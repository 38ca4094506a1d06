"""Notifications: stored in the database first, then delivered (e-mail, group robot) by
Celery. If the broker is down the rows wait, and the every-minute sweep delivers them
once it is back, so nothing is lost.

A recipient must be someone who can open what the notice points to: ``route`` replaces
anyone else by the role that answers for the record (one rule, for every app and job).
"""
from __future__ import annotations

import json
import logging
import urllib.request
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from crm.models import Notification, WebhookEndpoint
from crm.roles import OUTSIDE_ROLES, Role
from crm.scopes import admin_users, openable_ids, record_scope, role_users, user_role

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


# Who answers for a notice about internal work that points to no record (a summary, a report),
# when its recipient is an outside user or has left.
DEPARTMENT_ROLE = Role.CS_SUPERVISOR


def notify(*, recipients: Iterable, title: str, body: str = "", url: str = "",
           level: str = Notification.Level.INFO, dedupe_key: str = "", target=None) -> int:
    """Store one notification per recipient and schedule delivery after commit.

    ``target`` is the record the notice points to (its ``url``'s page); a recipient who may not
    open it (crm.scopes.can_open: the page's own check) is replaced by the role that answers
    for it. Without a target the notice is about internal work, and an outside user (the
    property company) is replaced by the department. With a ``dedupe_key`` a recipient gets
    the event once, however often it is raised. Returns how many notifications are new.
    """
    users = {u.pk: u for u in recipients if u is not None}
    notes = [Notification(recipient_id=pk, title=title[:200], body=body, url=url[:300], level=level,
                          dedupe_key=dedupe_key) for pk in users]
    return _store(route(notes, [target] * len(notes), users=users))


def notify_many(notifications: list[Notification], batch: int = 2000, *, targets: list | None = None) -> int:
    """Store many prepared notifications (each with its recipient and dedupe_key) in a few
    queries whatever their number, for beat jobs that raise one per record; ``targets[i]`` is
    the record ``notifications[i]`` points to (an instance, or one made from its id), routed as
    in ``notify``. Returns how many are new; delivery is scheduled once."""
    targets = targets if targets is not None else [None] * len(notifications)
    if len(targets) != len(notifications):
        raise ValueError("one target per notification")
    created = 0
    for start in range(0, len(notifications), batch):
        created += _store(route(notifications[start:start + batch], targets[start:start + batch]),
                          schedule=False)
    if created:
        transaction.on_commit(schedule_delivery)
    return created


def notify_role(role: str, **kwargs) -> int:
    return notify(recipients=role_users(role), **kwargs)


def _store(notes: list[Notification], *, schedule: bool = True) -> int:
    if not notes:
        return 0
    keys = {n.dedupe_key for n in notes if n.dedupe_key}
    before = Notification.objects.filter(dedupe_key__in=keys).count() if keys else 0
    Notification.objects.bulk_create(notes, ignore_conflicts=True)
    after = Notification.objects.filter(dedupe_key__in=keys).count() if keys else 0
    created = after - before + sum(1 for n in notes if not n.dedupe_key)
    if created and schedule:
        transaction.on_commit(schedule_delivery)
    return created


def _label(target) -> str | None:
    return None if target is None else target._meta.label_lower


def route(notes: list[Notification], targets: list, *, users: dict | None = None) -> list[Notification]:
    """The notifications as they may be sent: each recipient who may not open its target (or,
    without a target, is an outside user), or who has left, is replaced by the role that
    answers for the target (crm.scopes.RECORD_SCOPES; the department without one), and failing
    any of them by the administrators: a notice is never silently dropped. One query for the
    users and one per recipient and kind of record, however many notices."""
    from django.contrib.auth import get_user_model

    users = dict(users or {})
    missing = {n.recipient_id for n in notes} - set(users)
    if missing:
        users.update(get_user_model().objects.select_related("profile").in_bulk(missing))
    wanted = defaultdict(set)
    for note, target in zip(notes, targets, strict=True):
        if target is not None:
            wanted[(note.recipient_id, _label(target))].add(target.pk)
    allowed = {(pk, label): openable_ids(users.get(pk), label, ids) for (pk, label), ids in wanted.items()}
    kept, strays = [], []
    for note, target in zip(notes, targets, strict=True):
        user = users.get(note.recipient_id)
        if target is not None:
            ok = target.pk in allowed[(note.recipient_id, _label(target))]
        else:
            ok = user is not None and user.is_active and user_role(user) not in (None, *OUTSIDE_ROLES)
        (kept if ok else strays).append((note, target))
    routed = [note for note, _ in kept] + _replacements(strays, users)
    seen, unique = set(), []
    for note in routed:  # one per recipient and event
        key = (note.recipient_id, note.dedupe_key or (note.title, note.body, note.url))
        if key not in seen:
            seen.add(key)
            unique.append(note)
    return unique


def _replacements(strays: list, users: dict) -> list[Notification]:
    """For each notice whose recipient may not open its target, the same notice to every
    holder of the answering role who may (else every administrator), saying who it was for."""
    if not strays:
        return []
    by_role = defaultdict(list)
    for note, target in strays:
        by_role[record_scope(_label(target)).role if target is not None else DEPARTMENT_ROLE].append((note, target))
    out = []
    for role, items in by_role.items():
        for holders in (role_users, lambda _: admin_users()):  # the admins only if the role cannot
            if not items:
                break
            takers_of = _takers(holders(role), items)
            for note, target in list(items):
                takers = takers_of(target)
                if not takers:
                    continue
                items.remove((note, target))
                meant = users.get(note.recipient_id)
                was = f"（原通知对象 {meant.get_full_name() or meant.username} 无法查看该记录，改由您处理。）" if meant else ""
                out += [Notification(recipient_id=pk, title=note.title, body="\n".join(p for p in (note.body, was) if p),
                                     url=note.url, level=note.level, dedupe_key=note.dedupe_key) for pk in takers]
        for note, _ in items:
            log.error("notification %r has no recipient who may open it", note.title)
    return out


def _takers(holders, items):
    """target → the ids of the holders who may open it (internal holders for no target)."""
    holders = [h for h in holders.select_related("profile") if user_role(h) not in OUTSIDE_ROLES]
    by_label = defaultdict(set)
    for _, target in items:
        if target is not None:
            by_label[_label(target)].add(target.pk)
    opens = {(h.pk, label): openable_ids(h, label, ids) for h in holders for label, ids in by_label.items()}

    def takers_of(target):
        if target is None:
            return [h.pk for h in holders]
        return [h.pk for h in holders if target.pk in opens[(h.pk, _label(target))]]

    return takers_of


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
