"""The history tab: who changed what and when, for any model with simple-history."""
from django.core.paginator import Paginator


def history_rows(obj, page: int = 1, per_page: int = 20):
    """A page of an object's history, newest first, each with the fields that changed.

    Diffs are computed against the previous record within the page (and one before it),
    so a page costs two queries whatever the history's length; the records referenced by
    foreign keys (a handler, a department; and the records their names read, such as a unit's
    building) are joined into those queries, so a change shows their names, not their ids.
    """
    relations = []
    for f in obj.history.model._meta.concrete_fields:
        if f.is_relation and f.name not in ("history_user", "history_relation"):
            relations.append(f.name)
            # One level further: a unit's name reads its building, a building's its project.
            relations += [f"{f.name}__{g.name}" for g in f.related_model._meta.concrete_fields
                          if g.many_to_one and g.related_model is not f.related_model]
    records = obj.history.select_related("history_user", *relations).order_by("-history_date", "-history_id")
    paginator = Paginator(records, per_page)
    page_obj = paginator.get_page(page)
    items = list(page_obj.object_list)
    start = (page_obj.number - 1) * per_page
    following = records[start + len(items): start + len(items) + 1]
    chain = items + list(following)
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
            "kind": {"+": "创建", "~": "修改", "-": "删除"}.get(record.history_type, record.history_type),
            "changes": changes,
        })
    return rows, page_obj


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
        return "是" if value else "否"
    return value
