"""The history tab: who changed what and when, for any model with simple-history."""
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

HISTORY_PARAM = "hmore"  # the query parameter of the history's "older" link, on every page
TIMELINE_PARAM = "tmore"  # the same for a record's timeline
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


@dataclass
class Slice:
    """One slice of a record's entries, newest first, found by a keyset (the time and id of the
    last entry shown): its cost does not grow with the number of entries, however long the
    history or the timeline. ``older`` is the cursor of the next slice (None at the end);
    ``param`` the query parameter that carries it; ``first`` whether this is the newest slice."""

    items: list
    older: str | None
    param: str
    first: bool
    following: object = None  # the newest entry past the slice (the history diffs against it)


def _cursor(moment: dt.datetime, pk: int) -> str:
    return f"{(moment - _EPOCH) // dt.timedelta(microseconds=1)}-{pk}"


def _parse_cursor(cursor) -> tuple[dt.datetime, int] | None:
    """A cursor from the query string; anything malformed (typed or forged) means the newest."""
    try:
        micros, pk = str(cursor).split("-")
        return _EPOCH + dt.timedelta(microseconds=int(micros)), int(pk)
    except (TypeError, ValueError, OverflowError):
        return None


def newest_first(qs, cursor=None, *, per_page: int, time_field: str, param: str) -> Slice:
    """``per_page`` entries of ``qs`` older than ``cursor``, newest first (``time_field``, then
    id), and the one after them, in one query."""
    qs = qs.order_by(f"-{time_field}", "-pk")
    after = _parse_cursor(cursor) if cursor else None
    if after is not None:
        moment, pk = after
        qs = qs.filter(Q(**{f"{time_field}__lt": moment}) | Q(**{time_field: moment, "pk__lt": pk}))
    items = list(qs[:per_page + 1])
    older = following = None
    if len(items) > per_page:
        last, following = items[per_page - 1], items[per_page]
        older = _cursor(getattr(last, time_field), last.pk)
    return Slice(items=items[:per_page], older=older, param=param, first=after is None, following=following)


def history_rows(obj, cursor=None, per_page: int = 20):
    """A slice of an object's history, newest first, each with the fields that changed, and the
    Slice (its ``older`` cursor for the "更早的记录" link).

    Diffs are computed against the next older record, read in the same query, so a slice costs
    one query whatever the history's length; the records referenced by foreign keys (a handler,
    a department; and the records their names read, such as a unit's building) are joined into
    it, so a change shows their names, not their ids.
    """
    relations = []
    for f in obj.history.model._meta.concrete_fields:
        if f.is_relation and f.name not in ("history_user", "history_relation"):
            relations.append(f.name)
            # One level further: a unit's name reads its building, a building's its project.
            relations += [f"{f.name}__{g.name}" for g in f.related_model._meta.concrete_fields
                          if g.many_to_one and g.related_model is not f.related_model]
    records = obj.history.select_related("history_user", *relations)  # pk: simple-history's history_id
    found = newest_first(records, cursor, per_page=per_page, time_field="history_date", param=HISTORY_PARAM)
    items = found.items
    chain = items + ([found.following] if found.following is not None else [])
    fields = {f.attname: f for f in obj._meta.concrete_fields}
    rows = []
    for i, record in enumerate(items):
        older = chain[i + 1] if i + 1 < len(chain) else None
        changes = []
        if older is not None:
            for name, field in fields.items():
                old, new = getattr(older, name, None), getattr(record, name, None)
                if old != new:
                    changes.append({"field": field.verbose_name, "old": _shown(field, old, older),
                                    "new": _shown(field, new, record)})
        rows.append({
            "record": record,
            "kind": {"+": _("创建"), "~": _("修改"), "-": _("删除")}.get(record.history_type, record.history_type),
            "changes": changes,
        })
    return rows, found


def history_context(request, obj) -> dict:
    """What includes/history.html needs, for any detail page (the one way every app pages it)."""
    rows, found = history_rows(obj, request.GET.get(HISTORY_PARAM))
    return {"history_rows": rows, "history_page": found}


def _shown(field, value, record=None):
    """A value as people read it: a choice's label, 是/否 for a boolean, the name of a
    referenced record (joined into the page's query; its id if it was deleted since)."""
    if value is None or value == "":
        return value
    if field.is_relation and record is not None:
        related = getattr(record, field.name, None) if field.name in record._state.fields_cache else None
        if related is None:
            return value
        full_name = getattr(related, "get_full_name", None)
        return (full_name() if callable(full_name) else "") or str(related)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return value
