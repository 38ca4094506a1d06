"""Notifications: stored in the database first, then delivered (e-mail, group robot) by
Celery. If the broker is down the rows wait, and the every-minute sweep delivers them
once it is back, so nothing is lost; a notice is marked delivered only after it was sent,
so a worker killed mid-send loses nothing either (``deliver_pending``).

A recipient must be someone who can open what the notice points to: ``route`` replaces
anyone else by the role that answers for the record (one rule, for every app and job).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import smtplib
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from crm.commit import on_commit_once
from crm.languages import users_languages
from crm.models import Notification, WebhookEndpoint
from crm.roles import OUTSIDE_ROLES, Role
from crm.scopes import admin_users, openable_ids, record_scope, role_users, user_role

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


# Who answers for a notice about internal work that points to no record (a summary, a report),
# when its recipient is an outside user or has left.
DEPARTMENT_ROLE = Role.CS_SUPERVISOR
# The line a replacement notice adds, in its new recipient's language.
REROUTED = _("（原通知对象 {name} 无法查看该记录，改由您处理。）")


def notify(*, recipients: Iterable, title: str, body: str = "", url: str = "",
           level: str = Notification.Level.INFO, dedupe_key: str = "", target=None) -> int:
    """Store one notification per recipient and schedule delivery after commit.

    ``target`` is the record the notice points to (its ``url``'s page); a recipient who may not
    open it (crm.scopes.can_open: the page's own check) is replaced by the role that answers
    for it. Without a target the notice is about internal work, and an outside user (the
    property company) is replaced by the department. A lazy title or body is rendered once the
    recipients are known: in the language of whoever finally receives it. With a ``dedupe_key`` a recipient gets
    the event once, however often it is raised. Returns how many notifications are new.
    """
    users = {u.pk: u for u in recipients if u is not None}
    notes = [Notification(recipient_id=pk, title=title, body=body, url=url[:300], level=level, dedupe_key=dedupe_key)
             for pk in users]
    return _store(in_languages(route(notes, [target] * len(notes), users=users)))


def in_languages(notes: list[Notification]) -> list[Notification]:
    """Each notice in its recipient's language: a title or body marked for translation (a lazy
    string, e.g. ``format_lazy(gettext_lazy("新转交的案件：{number}"), number=…)``) is rendered for
    each recipient under the language kept on their profile (crm/languages.py), one query for
    all. Plain text is stored as given."""
    lazy = [n for n in notes if isinstance(n.title, Promise) or isinstance(n.body, Promise)]
    languages = users_languages(n.recipient_id for n in lazy) if lazy else {}
    for note in lazy:
        with translation.override(languages.get(note.recipient_id, settings.LANGUAGE_CODE)):
            note.title, note.body = str(note.title), str(note.body)
    for note in notes:
        note.title = note.title[:200]
    return notes


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
        created += _store(in_languages(route(notifications[start:start + batch], targets[start:start + batch])),
                          schedule=False)
    if created:
        on_commit_once(schedule_delivery)
    return created


# The moments of a case an owner hears of outside the portal's inbox (issue: "SMS for the moments
# that matter … by the owner's chosen channels"); the owner chooses the channels of each on the
# portal's 消息设置 page (站内 always). Channels beyond SMS exist only when switched on.
OWNER_MOMENTS = {
    "accepted": _("案件已受理（含编号）"),
    "plan": _("处理方案待您确认"),
    "disposed": _("已处理，请您评价（回访）"),
    "reply": _("客服回复"),
}
DEFAULT_CHANNELS = ("sms",)  # a moment the owner never chose for goes by these


def owner_channel_names() -> dict:
    """The external channels an owner may choose: 短信, and 微信 when ``WECHAT_ENABLED``."""
    names = {"sms": _("短信")}
    if settings.WECHAT_ENABLED:
        names["wechat"] = _("微信公众号")
    return names


def owner_channels(user) -> dict[str, set[str]]:
    """moment → the external channels the owner chose for it (or the defaults)."""
    from crm.models import OwnerChannelChoice

    chosen = OwnerChannelChoice.objects.filter(user=user).values_list("choices", flat=True).first() or {}
    return {moment: set(chosen.get(moment, DEFAULT_CHANNELS)) for moment in OWNER_MOMENTS}


@transaction.atomic
def owner_channels_set(*, user, choices: dict) -> None:
    """Record the owner's channels per moment (``{moment: [channel, …]}``); an unknown moment or
    channel is ignored, a moment left out means none beyond the inbox."""
    from crm.models import OwnerChannelChoice

    known = set(owner_channel_names())
    kept = OwnerChannelChoice.objects.filter(user=user).values_list("choices", flat=True).first() or {}
    # A channel not offered now (微信 switched off) stays as the owner chose it.
    clean = {moment: sorted(set(choices.get(moment, ())) & known | set(kept.get(moment, ())) - known)
             for moment in OWNER_MOMENTS}
    OwnerChannelChoice.objects.update_or_create(user=user, defaults={"choices": clean})


def notify_owner(*, user, title: str, body: str = "", url: str = "", moment: str = "", sms_to: str = "",
                 sms_template: str = "", sms_params: dict | None = None, wechat_to: str = "", secret: bool = False,
                 dedupe_key: str = "") -> int:
    """Store one notice for an owner (a portal user): it shows in the portal's inbox (unless it
    is a ``secret`` login code) and goes out by the channels the owner chose for its ``moment``
    (``OWNER_MOMENTS``; without one, as given: a login code always goes by SMS): by SMS to
    ``sms_to`` through the ``SMS_BACKEND`` (crm/sms.py), and by the WeChat official account to
    ``wechat_to`` (crm/wechat.py, when ``WECHAT_ENABLED``) as a row of its own. Both by the same
    delivery sweep as every notice: stored first, retried, nothing lost when the broker is down.
    ``url`` is a portal page, which the portal's own selectors guard, so no staff routing applies;
    nothing of it goes to the staff's e-mail or group robots."""
    channels = owner_channels(user)[moment] if moment else {"sms"}
    sms_to = sms_to if "sms" in channels else ""
    params = sms_params or {}
    notes = [Notification(recipient=user, title=str(title)[:200], body=str(body), url=url[:300],
                          dedupe_key=dedupe_key, channel=Notification.Channel.OWNER, sms_to=sms_to,
                          sms_template=sms_template if sms_to else "", sms_params=params if sms_to else {},
                          secret=secret, read_at=timezone.now() if secret else None)]
    if wechat_to and "wechat" in channels and settings.WECHAT_ENABLED and not secret:
        notes.append(Notification(recipient=user, title=notes[0].title, body=notes[0].body, url=notes[0].url,
                                  dedupe_key=f"{dedupe_key}:wechat" if dedupe_key else "",
                                  channel=Notification.Channel.WECHAT, wechat_to=wechat_to,
                                  sms_template=sms_template, sms_params=params, read_at=timezone.now()))
    return _store(notes)


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
        on_commit_once(schedule_delivery)
    return created


def _label(target) -> str | None:
    return None if target is None else target._meta.label_lower


class Target:
    """A record a notice points to, by model and id, for ``notify_many``'s ``targets``: what
    routing reads of it (its ``pk`` and ``_meta``) without building a model instance, which
    costs a beat job that names thousands of records more than the rest of its work."""

    __slots__ = ("_meta", "pk")

    def __init__(self, model, pk):
        self._meta, self.pk = model._meta, pk


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
    for note in routed:  # one per recipient and event (a replacement is the event it replaces)
        key = (note.recipient_id, note.dedupe_key or getattr(note, "event", None) or _event(note))
        if key not in seen:
            seen.add(key)
            unique.append(note)
    return unique


def _event(note: Notification) -> tuple:
    """What identifies a notice without a dedupe key: its title, body and link."""
    return note.title, note.body, note.url


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
        for holders in (role_users, lambda _role: admin_users()):  # the admins only if the role cannot
            if not items:
                break
            takers_of = _takers(holders(role), items)
            for note, target in list(items):
                takers = takers_of(target)
                if not takers:
                    continue
                items.remove((note, target))
                meant = users.get(note.recipient_id)
                was = format_lazy(REROUTED, name=meant.get_full_name() or meant.username) if meant else ""
                body = format_lazy("{}\n{}", note.body, was) if note.body and was else (was or note.body)
                for pk in takers:
                    replacement = Notification(recipient_id=pk, title=note.title, body=body, url=note.url,
                                               level=note.level, dedupe_key=note.dedupe_key)
                    replacement.event = _event(note)  # the line added for whom it was is no other event
                    out.append(replacement)
        for note, _target in items:
            log.error("notification %r has no recipient who may open it", note.title)
    return out


def _takers(holders, items):
    """target → the ids of the holders who may open it (internal holders for no target)."""
    holders = [h for h in holders.select_related("profile") if user_role(h) not in OUTSIDE_ROLES]
    by_label = defaultdict(set)
    for _note, target in items:
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


# Delivery: a sweep claims a batch, sends it over one SMTP connection, then marks what went.
BATCH_SIZE = 100  # notices claimed at once and sent over one SMTP connection
CLAIM_SECONDS = 300  # a claim runs out after this; a batch stops sending a minute before
SWEEP_SECONDS = 50  # a sweep sends batches until none is left or this long (beat starts one a minute)
RETRY_SECONDS = 60  # a failed notice waits this long before it is tried again (the next sweep)


def deliver_pending(*, now: dt.datetime | None = None, batch_size: int | None = None,
                    sweep_seconds: float | None = None) -> int:
    """Deliver stored notifications not yet delivered, a batch after another, until none is
    left or the sweep has run ``SWEEP_SECONDS``. Returns how many were delivered.

    Each batch is claimed (``_claim``: several workers take disjoint batches), its e-mails go
    over one SMTP connection, each with a ``Message-ID`` made from the notice's id (its
    idempotency key: a copy sent again is the same message to a mail store and to the reader's
    client), and only then are the sent ones marked delivered, in one update. A worker killed
    in between has marked nothing: its claim runs out after ``CLAIM_SECONDS`` and a later
    sweep sends the batch again (at least once). A failure is stored on the notice, which is
    retried by the next sweeps up to ``MAX_ATTEMPTS`` times."""
    budget = time.monotonic() + (SWEEP_SECONDS if sweep_seconds is None else sweep_seconds)
    endpoints = list(WebhookEndpoint.objects.filter(active=True))
    delivered = 0
    while True:
        until, batch = _claim(batch_size or BATCH_SIZE, now or timezone.now())
        if not batch:
            break
        failures = _send_batch(batch, endpoints, stop_at=time.monotonic() + CLAIM_SECONDS - 60)
        delivered += _record(batch, failures, now or timezone.now(), until)
        if time.monotonic() >= budget:
            break
    return delivered


def _claim(size: int, now: dt.datetime) -> tuple[dt.datetime, list[Notification]]:
    """Up to ``size`` notices nobody holds, claimed until ``CLAIM_SECONDS`` from ``now`` (that
    instant identifies the claim afterwards): on PostgreSQL the rows are locked, skipping those
    another worker is claiming; the update is a compare-and-set on the claim in any case
    (SQLite has no row locks and runs one writer at a time), so each notice is held by one
    sweep at a time. Returns the claim's instant and the notices with their recipients."""
    free = Notification.objects.filter(delivered_at__isnull=True, attempts__lt=MAX_ATTEMPTS).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    pick = free.order_by("attempts", "pk")  # new ones first, each in the order it came
    if connection.features.has_select_for_update_skip_locked:
        pick = pick.select_for_update(skip_locked=True)
    until = now + dt.timedelta(seconds=CLAIM_SECONDS)
    with transaction.atomic():
        ids = list(pick.values_list("pk", flat=True)[:size])
        if not ids:
            return until, []
        free.filter(pk__in=ids).update(claimed_until=until)
    return until, list(Notification.objects.filter(pk__in=ids, claimed_until=until).select_related("recipient")
                       .order_by("pk"))


def message_id(note: Notification) -> str:
    """The notice's idempotency key as an e-mail ``Message-ID``: the same for every copy."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<crm-notification-{note.pk}@{domain}>"


def _email(note: Notification) -> EmailMessage:
    link = f"\n\n{note.url}" if note.url else ""
    return EmailMessage(note.title, f"{note.body}{link}", settings.DEFAULT_FROM_EMAIL, [note.recipient.email],
                        headers={"Message-ID": message_id(note), "X-CRM-Notification": str(note.pk)})


def _send_batch(batch: list[Notification], endpoints, *, stop_at: float) -> dict[int, str]:
    """Send a claimed batch: the e-mails over one SMTP connection (a new one only after the
    relay dropped it), then one group-robot text per distinct title and link. Returns
    {notice id: error} for those that failed; a notice left unsent because the claim is
    about to run out is returned with an empty error (released, not counted as an attempt)."""
    failures: dict[int, str] = {}
    outside = (Notification.Channel.OWNER, Notification.Channel.WECHAT)
    owners = [note for note in batch if note.channel in outside]
    if owners:
        failures.update(_send_sms([n for n in owners if n.channel == Notification.Channel.OWNER], stop_at=stop_at))
        failures.update(_send_wechat([n for n in owners if n.channel == Notification.Channel.WECHAT],
                                     stop_at=stop_at))
        batch = [note for note in batch if note.channel not in outside]
    mailed = [note for note in batch if note.recipient.email]
    if mailed:
        smtp = get_connection()
        try:
            for index, note in enumerate(mailed):
                if time.monotonic() >= stop_at:
                    failures[note.pk] = ""
                    continue
                try:
                    smtp.open()  # a no-op while the connection is open
                except Exception as exc:  # noqa: BLE001 - the relay is unreachable: the rest waits for the sweep
                    log.warning("mail relay unreachable, %s notices wait: %s", len(mailed) - index, exc)
                    failures.update((n.pk, _error(exc)) for n in mailed[index:])
                    break
                try:
                    smtp.send_messages([_email(note)])
                except Exception as exc:  # noqa: BLE001 - a refused or lost message is retried by the sweep
                    failures[note.pk] = _error(exc)
                    log.warning("notification %s not delivered: %s", note.pk, exc)
                    if not isinstance(exc, smtplib.SMTPRecipientsRefused):
                        smtp.close()  # the connection may be broken: the next message opens a new one
        finally:
            smtp.close()
    if endpoints:
        by_text = defaultdict(list)
        for note in batch:
            if note.pk not in failures:
                by_text[(note.title, note.url)].append(note)
        for notes in by_text.values():
            try:
                for endpoint in endpoints:
                    post_webhook(endpoint, f"{notes[0].title}\n{notes[0].body}".strip())
            except Exception as exc:  # noqa: BLE001 - a failed robot is retried by the sweep
                log.warning("group robot did not take %r: %s", notes[0].title, exc)
                failures.update((note.pk, _error(exc)) for note in notes)
    return failures


def _send_sms(notes: list[Notification], *, stop_at: float) -> dict[int, str]:
    """Send the owners' notices that go by SMS (the others are inbox-only: nothing to send).
    Returns {notice id: error} as ``_send_batch`` does."""
    from crm.sms import get_backend

    failures: dict[int, str] = {}
    texted = [note for note in notes if note.sms_to]
    if not texted:
        return failures
    try:
        backend = get_backend()
    except Exception as exc:  # noqa: BLE001 - a misconfigured backend: stored on each notice, retried
        return {note.pk: _error(exc) for note in texted}
    for note in texted:
        if time.monotonic() >= stop_at:
            failures[note.pk] = ""
            continue
        try:
            backend.send(phone=note.sms_to, template=note.sms_template, params=note.sms_params,
                         text=f"{note.title} {note.body}".strip())
        except Exception as exc:  # noqa: BLE001 - the provider refused or is unreachable: retried by the sweep
            failures[note.pk] = _error(exc)
            log.warning("SMS notice %s not delivered: %s", note.pk, exc)
    return failures


def _send_wechat(notes: list[Notification], *, stop_at: float) -> dict[int, str]:
    """Send the WeChat copies of owners' notices (crm/wechat.py). Returns {notice id: error}."""
    from crm.wechat import send_template

    failures: dict[int, str] = {}
    for note in notes:
        if time.monotonic() >= stop_at:
            failures[note.pk] = ""
            continue
        try:
            send_template(openid=note.wechat_to, template=note.sms_template, params=note.sms_params,
                          title=note.title, url=note.url)
        except Exception as exc:  # noqa: BLE001 - WeChat refused or is unreachable: retried by the sweep
            failures[note.pk] = _error(exc)
            log.warning("WeChat notice %s not delivered: %s", note.pk, exc)
    return failures


def _error(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__)[:300]


def _record(batch: list[Notification], failures: dict[int, str], now: dt.datetime, until: dt.datetime) -> int:
    """Mark the batch after sending: the sent ones delivered in one update, the failed ones
    with their error (one update per error) and held back until the next sweep, the claim
    released. Only rows still held by this claim (``until``) are touched, so a sweep whose
    claim ran out does not undo another's work."""
    held = Notification.objects.filter(claimed_until=until)
    sent = [note.pk for note in batch if note.pk not in failures]
    delivered = held.filter(pk__in=sent).update(delivered_at=now, attempts=F("attempts") + 1, claimed_until=None)
    # A login code is kept only until it went out (the portal keeps its hash).
    Notification.objects.filter(pk__in=sent, secret=True, delivered_at=now).update(body="", sms_params={})
    by_error = defaultdict(list)
    for pk, error in failures.items():
        by_error[error].append(pk)
    for error, ids in by_error.items():
        if error:
            held.filter(pk__in=ids).update(attempts=F("attempts") + 1, last_error=error,
                                           claimed_until=now + dt.timedelta(seconds=RETRY_SECONDS))
            # A login code that will not be tried again is not kept either.
            Notification.objects.filter(pk__in=ids, secret=True, attempts__gte=MAX_ATTEMPTS).update(
                body="", sms_params={})
        else:  # not sent before the claim ran out: free at once, no attempt counted
            held.filter(pk__in=ids).update(claimed_until=None)
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


# The navigation's unread badge counts this many at most and then says "99+": a count that reads
# at most this many index entries, however many unread notices years have left a user.
BADGE_CAP = 99


def unread_count(user) -> int:
    """The badge's count: the user's unread notices, up to BADGE_CAP + 1."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True)[:BADGE_CAP + 1].count()


def badge_text(unread: int) -> str:
    """What the unread badge shows: the count, or 99+ beyond BADGE_CAP ('' for none)."""
    if not unread:
        return ""
    return f"{BADGE_CAP}+" if unread > BADGE_CAP else str(unread)
