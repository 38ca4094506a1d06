"""The archive (资料归档, issue 7 §7): closed records older than an admin-set age are archived.

An app declares once, beside its model, which records may be archived: its workflows'
archive transition (whose sources are the closed states and whose target is the archived
state, so the states are declared only in the workflow) and the field that holds the closing
date (``archivable(...)``). The beat job ``crm.archive_closed`` then moves every closed record
older than the rule ``crm.archive_after_days`` to its archived state in bulk: a
compare-and-set ``update`` per chunk, one history entry per record, and the app's own
follow-up (e.g. a timeline entry). An archived record is read-only: the app's services call
``ensure_writable(obj)`` before any write and get a Chinese refusal. It stays in its
register, so it is still searched, shown and exported.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crm.calendar import elapsed_cutoff_at
from crm.rules import rule_int

READ_ONLY_MESSAGE = "该记录已归档，只能查看、搜索和导出，不能再修改。"


@dataclass(frozen=True)
class Archivable:
    model: type
    closed_states: tuple[str, ...]
    archived_state: str
    closed_at_field: str
    state_field: str = "state"
    archived_at_field: str = ""  # stamped with the run's time: tells exactly which rows a run moved
    reason: str = "资料归档（关闭超过规定天数，自动归档）"
    on_archived: Callable[[list[int], dt.datetime], None] | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label


ARCHIVABLE: dict[str, Archivable] = {}


def archivable(model, *, workflows, transition: str = "archive", closed_at_field: str, archived_at_field: str = "",
               reason: str = "", on_archived=None) -> Archivable:
    """Declare that ``model``'s closed records are archived by the shared job, through the
    transition ``transition`` of its workflows (one per kind of record; same field and target)."""
    steps = [workflow.get(transition) for workflow in workflows]
    targets = {step.target for step in steps}
    fields = {workflow.field for workflow in workflows}
    if len(targets) != 1 or len(fields) != 1:
        raise ValueError(f"{model._meta.label}: the {transition!r} transitions must share one field and target")
    entry = Archivable(model=model, closed_states=tuple(sorted({s for step in steps for s in step.sources})),
                       archived_state=targets.pop(), closed_at_field=closed_at_field, state_field=fields.pop(),
                       archived_at_field=archived_at_field, on_archived=on_archived,
                       **({"reason": reason} if reason else {}))
    ARCHIVABLE[entry.label] = entry
    return entry


def _entry_for(obj) -> Archivable | None:
    return ARCHIVABLE.get(type(obj)._meta.label)


def is_archived(obj) -> bool:
    """Whether ``obj`` is archived now, read in the database (the object may be stale)."""
    entry = _entry_for(obj)
    if entry is None or obj.pk is None:
        return False
    return type(obj)._default_manager.filter(pk=obj.pk, **{entry.state_field: entry.archived_state}).exists()


def ensure_writable(obj) -> None:
    """Refuse any write to an archived record (a ValidationError with a Chinese message)."""
    if is_archived(obj):
        raise ValidationError(READ_ONLY_MESSAGE)


def archive_cutoff(now: dt.datetime | None = None) -> dt.datetime | None:
    """Records closed before this instant are due for the archive; None: the rule is 0 (off).

    The age is elapsed time under 民法典 art. 201: closed on the 1st, 365 days end at the end of
    the 365th day after it (a holiday does not move it)."""
    days = rule_int("crm.archive_after_days")
    if days <= 0:
        return None
    return elapsed_cutoff_at(now or timezone.now(), days=days)


def _archive_chunk(entry: Archivable, ids: list[int], now: dt.datetime) -> int:
    manager = entry.model._default_manager
    updates = {entry.state_field: entry.archived_state}
    if entry.archived_at_field:
        updates[entry.archived_at_field] = now
    with transaction.atomic():
        # Compare-and-set: a row that someone reopened or archived meanwhile is left alone.
        changed = manager.filter(pk__in=ids, **{f"{entry.state_field}__in": entry.closed_states}).update(**updates)
        if not changed:
            return 0
        moved = manager.filter(pk__in=ids, **updates)
        objs = list(moved)
        if hasattr(entry.model, "history"):
            entry.model.history.bulk_history_create(objs, update=True, default_change_reason=entry.reason,
                                                    default_date=now)
        if entry.on_archived:
            entry.on_archived([o.pk for o in objs], now)
    return changed


def archive_closed(now: dt.datetime | None = None, *, chunk_size: int = 1000) -> dict[str, int]:
    """Archive every closed record older than the rule, model by model, in chunks.
    Safe to run twice: the second run finds nothing closed and old enough."""
    now = now or timezone.now()
    cutoff = archive_cutoff(now)
    result = {}
    for label, entry in ARCHIVABLE.items():
        result[label] = 0
        if cutoff is None:
            continue
        due = entry.model._default_manager.filter(
            **{f"{entry.state_field}__in": entry.closed_states, f"{entry.closed_at_field}__lt": cutoff}
        ).order_by("pk").values_list("pk", flat=True)
        last = 0
        while True:
            ids = list(due.filter(pk__gt=last)[:chunk_size])
            if not ids:
                break
            result[label] += _archive_chunk(entry, ids, now)
            last = ids[-1]
    return result
