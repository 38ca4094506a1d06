"""The one way an edit page's values reach a stored row.

A ModelForm writes the posted values onto its ``instance`` while it validates
(``BaseModelForm._post_clean``), so an instance a view hands on already "has" the change: a
service that compares the submitted values with it finds nothing to save, and the page says
"saved" while the row is unchanged. Every edit service therefore calls :func:`row_edit`, which
never trusts the caller's object: it reads the row as stored, under a lock, compares the
submitted values with that, and saves only what differs, with one history entry.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from django.db import models, transaction

M = TypeVar("M", bound=models.Model)


def _same(field: models.Field, stored, submitted) -> bool:
    if field.many_to_one or field.one_to_one:
        # Compare ids, so a foreign key costs no query (and a submitted object or id both work).
        submitted_id = submitted.pk if isinstance(submitted, models.Model) else submitted
        return stored == submitted_id
    return stored == submitted


@transaction.atomic
def row_edit(model: type[M], pk, *, user, values: Mapping, fields: Iterable[str], reason: str = "",
             guard: Callable[[M], None] | None = None, validate: bool = True) -> tuple[M, list[str]]:
    """Apply the submitted ``values`` (only the names in ``fields``) to the stored row ``pk``.

    The row is read with ``select_for_update`` (what another user saved a moment ago is the
    base, not the copy the form showed); ``guard(row)`` may refuse the edit from the stored
    state (a plan already submitted, say). The fields whose submitted value differs are set,
    validated (``full_clean`` of those fields only, when ``validate``) and saved with
    ``update_fields`` (plus any ``auto_now`` field), recording ``user`` and ``reason`` in the
    history. Returns the stored row and the names that changed; nothing is written when
    nothing changed.
    """
    row = model._default_manager.select_for_update().get(pk=pk)
    if guard is not None:
        guard(row)
    meta = model._meta
    changed = []
    for name in fields:
        if name not in values:
            continue
        field = meta.get_field(name)
        if _same(field, getattr(row, field.attname), values[name]):
            continue
        setattr(row, name, values[name])
        changed.append(name)
    if not changed:
        return row, []
    if validate:
        row.full_clean(exclude=[f.name for f in meta.concrete_fields if f.name not in changed])
    stamps = [f.name for f in meta.concrete_fields if getattr(f, "auto_now", False) and f.name not in changed]
    row._history_user = user
    if reason:
        row._change_reason = reason
    row.save(update_fields=changed + stamps)
    return row, changed
