"""What runs once the current transaction commits, as Django keeps it.

Django's ``transaction.on_commit`` runs every callback given, as often as it was given. A
service that asks for the same follow-up many times in one transaction (a notice stored per
case of a beat job, per recipient of an approval) wants it once: ``on_commit_once``.
"""
from __future__ import annotations

from collections.abc import Callable

from django.db import transaction


def pending(using: str | None = None) -> list[Callable]:
    """The callbacks waiting for the current transaction's commit (none outside a transaction).
    Django keeps (savepoint ids, callback, robust) per callback and drops those of a savepoint or
    transaction that rolls back; there is no public way to ask for them."""
    connection = transaction.get_connection(using)
    return [entry[1] for entry in connection.run_on_commit] if connection.in_atomic_block else []


def on_commit_once(callback: Callable, using: str | None = None) -> None:
    """``transaction.on_commit(callback)`` unless the same callback already waits for this
    transaction's commit. A waiting one is enough wherever it was asked for: if it was given
    inside a savepoint still open, rolling that savepoint back also undoes what is asked now; if
    inside one already released, that savepoint can no longer roll back; and a rolled-back one
    is no longer waiting. Outside a transaction the callback runs at once, every time."""
    if any(waiting is callback for waiting in pending(using)):
        return
    transaction.on_commit(callback, using=using)
