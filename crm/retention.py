"""Retention: what the office keeps for years, and what it lets go.

Two admin-set rules (``crm.rules``, edited in the admin without a deploy) say how long a row is
kept: ``crm.notification_keep_days`` for notifications the recipient has read (an unread one is
never deleted, however old) and ``crm.export_keep_days`` for Excel exports and their files under
``var/exports`` (they hold personal data). Beat jobs delete what is older (``crm.purge_old_notifications``
and ``crm.purge_old_exports``), by windows of ids: each statement touches at most ``CHUNK_SIZE``
ids and commits on its own, so a run over a million old rows holds no lock for long, sends no id
list to the database, and a second run finds nothing to do.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from crm.calendar import elapsed_cutoff_at
from crm.rules import rule_int

CHUNK_SIZE = 5000  # ids per delete statement (a module constant so tests can lower it)


def delete_by_id_windows(queryset, *, upper_pk: int | None = None, chunk_size: int | None = None,
                         before_delete: Callable | None = None) -> int:
    """Delete the rows of ``queryset`` one window of ``chunk_size`` consecutive ids at a time, from
    the table's first id up to ``upper_pk`` (default: the highest id ``queryset`` matches), each
    window in its own transaction. The window's condition is the queryset's own, so a row that
    stopped matching meanwhile stays. ``before_delete(window)`` runs first in the window's
    transaction, with the window's queryset (to remove files). Returns how many rows were deleted.
    """
    size = chunk_size or CHUNK_SIZE
    model = queryset.model
    lower = model._base_manager.aggregate(lo=Min("pk"))["lo"]
    if upper_pk is None:
        upper_pk = queryset.aggregate(hi=Max("pk"))["hi"]
    if lower is None or upper_pk is None:
        return 0
    deleted = 0
    for start in range(lower, upper_pk + 1, size):
        window = queryset.filter(pk__gte=start, pk__lt=min(start + size, upper_pk + 1))
        with transaction.atomic():
            if before_delete is not None:
                before_delete(window)
            deleted += window.delete()[0]
    return deleted


def notification_cutoff(now: dt.datetime | None = None) -> dt.datetime | None:
    """Read notifications made before this instant are deleted; None: the rule is 0 (keep all).

    The age is elapsed time (民法典 art. 201): made on the 1st, 180 days end at the end of the
    180th day after it."""
    days = rule_int("crm.notification_keep_days")
    if days <= 0:
        return None
    return elapsed_cutoff_at(now or timezone.now(), days=days)


def notifications_purge_read(now: dt.datetime | None = None) -> int:
    """Delete the notifications read and older than the rule ``crm.notification_keep_days``.

    The windows end at the newest notification made before the cutoff (found on the
    ``created_at`` index), so the run walks only the old part of the table."""
    from crm.models import Notification

    cutoff = notification_cutoff(now)
    if cutoff is None:
        return 0
    old = Notification.objects.filter(created_at__lt=cutoff)
    upper = old.aggregate(hi=Max("pk"))["hi"]
    return delete_by_id_windows(old.filter(read_at__isnull=False), upper_pk=upper)
