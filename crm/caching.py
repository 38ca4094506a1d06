"""Cached values that follow the database's transactions.

A value read from the database and kept in the shared cache (a rule, the webhook subscriptions,
a user's permissions, the calendar's generation) goes stale when a transaction changes its rows.
Deleting the key when the row is saved is not enough, for two reasons:

- until the change commits, another process still reads the old rows and may put the old value
  back in the cache, where it stays after the commit;
- the transaction that made the change may read the value itself (filling the cache with rows
  nobody else can see) and then roll back, leaving the cache with rows that never existed (a
  webhook subscription rolled back kept receiving deliveries whose foreign key pointed nowhere).

So a change ``forget``s its key now *and* once the transaction commits, and ``remember`` does not
use the cache, in either direction, inside a transaction that has forgotten the key and not yet
committed. A rollback discards the pending forget with the rest of the transaction (Django drops
its commit callbacks), and with it the mark.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction

from crm import commit


class _Forget:
    """The commit callback of ``forget``, and the mark that this transaction changed ``key``
    until it has run (a test runs it with ``django_capture_on_commit_callbacks(execute=True)``,
    its way of saying the setup is committed)."""

    __slots__ = ("key", "renew", "committed")

    def __init__(self, key: str, renew: bool):
        self.key, self.renew, self.committed = key, renew, False

    def apply(self) -> None:
        if self.renew:
            cache.set(self.key, uuid.uuid4().hex, None)
        else:
            cache.delete(self.key)

    def __call__(self) -> None:
        self.committed = True
        self.apply()


def forget(key: str, *, renew: bool = False) -> None:
    """Drop ``key`` from the cache now and again when the current transaction commits.
    ``renew=True`` is for a generation key: it gets a new random value instead (every entry
    stored under the old generation is then ignored)."""
    callback = _Forget(key, renew)
    callback.apply()
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        transaction.on_commit(callback)
        marks = connection.__dict__.setdefault("crm_forgotten", {})
        marks.setdefault(key, []).append(callback)


def changed_here(key: str) -> bool:
    """Whether the current transaction has forgotten ``key`` and not yet committed."""
    connection = transaction.get_connection()
    marks = connection.__dict__.get("crm_forgotten", {}).get(key)
    if not marks:
        return False  # the usual answer, without looking through the commit callbacks
    # A mark holds while its callback waits (Django drops those of a rolled-back savepoint).
    pending = {id(callback) for callback in commit.pending()}
    marks[:] = [mark for mark in marks if id(mark) in pending and not mark.committed]
    return bool(marks)


def remember(key: str, compute: Callable[[], Any], timeout: float | None) -> Any:
    """The cached value of ``key``, or ``compute()`` stored for ``timeout`` seconds; read straight
    from the database, and not stored, by a transaction that changed it."""
    if changed_here(key):
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def settle() -> None:
    """Do to the cache what committing the current transaction would, and count its changes as
    committed: for a test's setup, which stays in the test's transaction (never committed)
    while the test then measures what a later request meets."""
    marks = transaction.get_connection().__dict__.get("crm_forgotten", {})
    for key in list(marks):
        for mark in marks.pop(key):
            mark()
