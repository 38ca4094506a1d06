"""Query pieces the ORM makes slow for bulk work, shared by every app."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import FieldDoesNotExist
from django.db.models import BooleanField, Expression, F, QuerySet


class IdsIn(Expression):
    """``column IN (%s, %s, …)`` over a list of integer ids, as a filter condition.

    ``filter(complaint_id__in=ids)`` prepares every id through the field (a related lookup
    normalises and converts each value): for the 2,000 ids of an export chunk that costs more
    than the query. The ids here come from the database (a chunk of primary keys), so they are
    bound as plain integer parameters; ``int()`` refuses anything else. Keep a list within one
    chunk: SQLite refuses more than 32,766 parameters.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, ids: Sequence[int]):
        super().__init__()
        self.column = F(column)
        self.ids = [int(pk) for pk in ids]

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        if not self.ids:
            return "1 = 0", []
        column, params = compiler.compile(self.column)
        if connection.vendor == "postgresql":
            # One array parameter, as the text of an array of integers: psycopg parses a query's
            # placeholders, and dumps a list's items, one by one in Python (for 2,000 ids more
            # than the query costs).
            return f"{column} = ANY(%s::bigint[])", [*params, "{" + ",".join(map(str, self.ids)) + "}"]
        return f"{column} IN ({', '.join(['%s'] * len(self.ids))})", [*params, *self.ids]


def ids_in(column: str, ids: Sequence[int]) -> IdsIn:
    """``Model.objects.filter(ids_in("complaint_id", ids))``: see :class:`IdsIn`."""
    return IdsIn(column, ids)


def id_chunks(records, size: int):
    """Lists of at most ``size`` ids: of a list of ids, or of a queryset read in id order, one
    chunk after the other (each read after the caller has handled the one before, so a job that
    changes the rows it reads moves on past them). How a beat job keeps every statement within
    one chunk whatever the number of rows due: SQLite refuses more than 32,766 parameters."""
    if isinstance(records, QuerySet):
        ids = records.order_by("pk").values_list("pk", flat=True)
        last = None
        while chunk := list((ids if last is None else ids.filter(pk__gt=last))[:size]):
            yield chunk
            last = chunk[-1]
        return
    records = list(records)
    for start in range(0, len(records), size):
        yield records[start:start + size]


def _aware_datetimes(tz, suffix: str = ""):
    """A column of date-time text → aware date-times, as Django's converters return them, by
    ``datetime.fromisoformat`` (C) instead of ``parse_datetime`` and ``make_aware`` (or
    psycopg's loader and Django's ``replace(tzinfo=…)``) per value: Django's parse_datetime
    tries ``fromisoformat`` first too, so the values are the same. SQLite's text is in the
    connection's zone without an offset (UTC unless DATABASES says otherwise): ``suffix`` appends
    it, as ``replace(tzinfo=…)`` costs four times the parse; PostgreSQL's has its offset."""
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    parse = dt.datetime.fromisoformat

    def convert(column):
        out = []
        for value in column:
            if value is not None:
                try:
                    value = parse(value + suffix)
                except ValueError:  # it holds an offset, or a form fromisoformat refuses
                    value = parse_datetime(value)
                if value.tzinfo is None:
                    value = timezone.make_aware(value, tz)
            out.append(value)
        return out

    return convert


def _dates(column):
    return [value if value is None or isinstance(value, dt.date) else dt.date.fromisoformat(value)
            for value in column]


def _booleans(column):
    return [bool(value) if value in (0, 1) else value for value in column]


def plain_values(queryset, fields: Sequence, *, chunk_size: int = 2000):
    """The rows of ``queryset.values_list(*fields)``, the same values Django returns, in lists of
    at most ``chunk_size`` tuples (for bulk reading: exports).

    Read through the query's compiler on Django's chunked cursor (server-side on PostgreSQL)
    without Django's per-value converters, which cost more than the query in a large export:
    the date-time columns are selected as text (so that neither the sqlite3 module's decltype
    converter nor psycopg's loader with Django's time zone parse them in Python) and parsed by
    ``datetime.fromisoformat`` a column at a time; on SQLite dates and booleans likewise. Any other converter (a field's
    ``from_db_value``, decimals) is applied as Django applies it.
    """
    from django.db import connections
    from django.db.models import TextField
    from django.db.models.functions import Cast
    from django.db.models.sql.constants import MULTI

    connection = connections[queryset.db]
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        utc = connection.timezone is dt.timezone.utc or str(connection.timezone) == "UTC"
        as_text = _aware_datetimes(connection.timezone, "+00:00" if utc else "")
    elif connection.vendor == "postgresql":
        as_text = _aware_datetimes(connection.timezone)
    else:
        as_text = None
    model = queryset.model
    fast = {}  # column index -> a converter of a whole column
    exprs = []
    for i, name in enumerate(fields):
        field = _field_of(model, name)
        kind = field.get_internal_type() if field is not None else None
        plain = field is not None and not hasattr(field, "from_db_value")
        if as_text and plain and kind == "DateTimeField":
            fast[i] = as_text
            exprs.append(Cast(name, TextField()))
            continue
        if sqlite and plain and kind == "DateField":
            fast[i] = _dates
        elif sqlite and plain and kind == "BooleanField":
            fast[i] = _booleans
        exprs.append(name)
    query = queryset.values_list(*exprs).query
    compiler = query.get_compiler(using=queryset.db)
    chunks = compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=chunk_size)
    columns = [s[0] for s in compiler.select[:compiler.col_count]]
    slow = [(i, convs, expr) for i, (convs, expr) in compiler.get_converters(columns).items() if i not in fast]
    for rows in chunks:
        rows = list(rows)
        if not rows:
            continue
        if fast or slow:
            cols = list(zip(*rows))
            for i, convert in fast.items():
                cols[i] = convert(cols[i])
            for i, convs, expr in slow:
                values = []
                for value in cols[i]:
                    for convert in convs:
                        value = convert(value, expr, connection)
                    values.append(value)
                cols[i] = values
            rows = list(zip(*cols))
        yield rows


def _field_of(model, path: str):
    """The model field ``path`` (``pk``, ``a__b__c``) ends at, or None (a lookup, a transform or
    an annotation: no fast path)."""
    if path == "pk":
        return model._meta.pk
    field = None
    for part in path.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model if field.is_relation else None
    if field is not None and field.is_relation:
        return getattr(field, "target_field", None) if field.concrete else None
    return field
