"""The archive (资料归档, issue 7 §7): closed records older than an admin-set age are archived.

An app declares once, beside its model, which records may be archived: its workflows'
archive transition (whose sources are the closed states and whose target is the archived
state, so the states are declared only in the workflow) and the field that holds the closing
date (``archivable(...)``). The beat job ``crm.archive_closed`` then moves every closed record
older than the rule ``crm.archive_after_days`` to its archived state in bulk, through that
transition (``Workflow.fire_many``: a compare-and-set ``update`` per chunk, the transition's
stamps, e.g. ``archived_at`` with the run's time, one history entry per record), and the app's
own follow-up (e.g. a timeline entry). An archived record is read-only: the app's services call
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
from django.utils.translation import gettext_lazy as _

from crm.calendar import elapsed_cutoff_at
from crm.languages import recorded
from crm.rules import rule_int
from crm.workflow import Transition, Workflow

READ_ONLY_MESSAGE = _("该记录已归档，只能查看、搜索和导出，不能再修改。")


@dataclass(frozen=True)
class Archivable:
    model: type
    workflow: Workflow  # the one whose archive transition writes (every kind's is the same)
    transition: str
    closed_at_field: str
    reason: str = _("资料归档（关闭超过规定天数，自动归档）")  # recorded in the office language
    on_archived: Callable[[list[int], dt.datetime], None] | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def step(self) -> Transition:
        return self.workflow.get(self.transition)

    # The states and the stamp, read from the transition: declared there only.
    @property
    def closed_states(self) -> tuple[str, ...]:
        return self.step.sources

    @property
    def archived_state(self) -> str:
        return self.step.target

    @property
    def state_field(self) -> str:
        return self.workflow.field_of(self.step)

    @property
    def archived_at_field(self) -> str:
        """Stamped with the run's time (the transition's "at" stamp): tells which rows a run moved."""
        return next(iter(self.step.stamp_fields("at")), "")


ARCHIVABLE: dict[str, Archivable] = {}


def archivable(model, *, workflows, transition: str = "archive", closed_at_field: str, reason: str = "",
               on_archived=None) -> Archivable:
    """Declare that ``model``'s closed records are archived by the shared job, through the
    transition ``transition`` of its workflows (one per kind of record: the same field, sources,
    target and stamps, so that one set-based write serves every kind)."""
    steps = [(workflow.field_of(workflow.get(transition)), workflow.get(transition)) for workflow in workflows]
    shapes = {(name, step.sources, step.target, tuple(sorted(step.stamps.items()))) for name, step in steps}
    if len(shapes) != 1:
        raise ValueError(f"{model._meta.label}: the {transition!r} transitions must share one field, sources, "
                         "target and stamps")
    entry = Archivable(model=model, workflow=workflows[0], transition=transition, closed_at_field=closed_at_field,
                       on_archived=on_archived, **({"reason": reason} if reason else {}))
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
    with transaction.atomic():
        # Compare-and-set through the workflow's transition: a row that someone reopened or
        # archived meanwhile is left alone; each moved row gets its history row.
        moved = entry.workflow.fire_many(entry.model._default_manager.filter(pk__in=ids), entry.transition, at=now,
                                         reason=recorded(entry.reason), ids=ids)
        if moved and entry.on_archived:
            entry.on_archived([o.pk for o in moved], now)
    return len(moved)


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
