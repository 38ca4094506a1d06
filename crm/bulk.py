"""Writing tens of thousands of rows, and their simple-history rows, in one go.

For the overdue-list import (≥ 5,000 rows/s with validation and history, bench/bench_import.py).
The ORM's ``bulk_create`` compiles every value through the field, the compiler and the backend
(``field_as_sql``, ``prepare_value``, ``get_db_prep_save``), for the record and again for its
history row: at 50,000 rows that alone took longer than the target allows, and ``bulk_update``
(a ``CASE WHEN id = …`` per field and row) was twenty times slower still (bench/RESULTS.md).
These helpers write the same rows with one statement per table: ``COPY`` on PostgreSQL, one
prepared statement run by ``executemany`` elsewhere (SQLite loops in C).

Rows are tuples (or lists) of values in the order of ``names`` (attnames: ``loan_id``, not
``loan``), what ``.values_list(*names)`` returns. They are turned into columns once
(``zip(*rows)``); a column whose values the driver does not take as they are is adapted by the
backend's own adapter (``connection.ops.adapt_*``), chosen once per column and mapped over it;
constants are repeated, not copied into each row. So a row costs the driver's tuple and no
Python object of ours (bench/RESULTS.md: a dict per record and a list per history row were
where the time went).

``insert_history`` writes exactly the rows simple-history's ``bulk_history_create`` writes
(same columns, same values: ``crm/tests/test_bulk.py`` compares them on SQLite and PostgreSQL).
``among`` is a filter "column is one of these values" bound as one parameter, for lookups of
tens of thousands of keys (``__in`` binds one parameter per value: SQLite caps them, and the
client splits and converts a query of 20,000 placeholders).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

# Values the database drivers (sqlite3, psycopg) take as they are.
_NATIVE = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
           "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField", "BooleanField",
           "CharField", "TextField", "ForeignKey", "OneToOneField"}


def _adapter(field) -> Callable | None:
    """How one column's values go to the driver (None: as they are)."""
    ops, kind = connection.ops, field.get_internal_type()
    if kind in _NATIVE:
        return None
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DecimalField":
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    return lambda value: field.get_db_prep_save(value, connection=connection)


def _fields(model, names: Sequence[str]) -> list:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [by_attname[name] for name in names]


def _columns(fields: list, columns: list, constants: Iterable = ()) -> list[Iterable]:
    """``columns`` (the values of the first fields), each adapted, then ``constants`` (the
    values of the remaining fields), each repeated."""
    adapted = [column if (adapt := _adapter(f)) is None else map(adapt, column) for f, column in zip(fields, columns)]
    return adapted + [repeat(value) for value in _adapted(fields[len(columns):], constants)]


def _adapted(fields: list, values: Iterable) -> list:
    return [value if (adapt := _adapter(f)) is None else adapt(value) for f, value in zip(fields, values)]


def history_names(model) -> list[str]:
    """The attnames simple-history keeps of ``model``, in the order ``insert_history`` takes them."""
    return [f.attname for f in model.history.model.tracked_fields]


def insert_rows(model, names: Sequence[str], rows: Sequence[Sequence], constants: dict | None = None) -> None:
    """INSERT ``rows`` (tuples of the values of ``names``) into ``model``'s table, with
    ``constants`` (attname -> value) the same on every row."""
    if not rows:
        return
    constants = constants or {}
    qn = connection.ops.quote_name
    fields = _fields(model, [*names, *constants])
    values = zip(*_columns(fields, list(zip(*rows)), constants.values()))
    table, columns = qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: no SQL text to build or parse per row
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                write = copy.write_row
                for row in values:
                    write(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})", values)


def update_rows(model, names: Sequence[str], rows: Sequence[Sequence], only: Sequence[str] | None = None) -> None:
    """UPDATE by primary key the rows ``rows`` (tuples of the values of ``names``, the primary
    key's among them): the columns ``only`` (default: every other name). On PostgreSQL COPY into
    a temporary table and one ``UPDATE … FROM`` it, elsewhere one prepared statement run by
    ``executemany``."""
    if not rows:
        return
    qn = connection.ops.quote_name
    pk = model._meta.pk
    only = [name for name in (only or names) if name != pk.attname]
    fields = _fields(model, only)
    columns = list(zip(*rows))
    keys = columns[names.index(pk.attname)]
    values = _columns(fields, [columns[names.index(name)] for name in only])
    table = qn(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            temp = qn(f"bulk_{model._meta.db_table}")
            typed = ", ".join(f"c{i} {f.db_type(connection)}" for i, f in enumerate(fields))
            cursor.execute(f"DROP TABLE IF EXISTS {temp}")
            cursor.execute(f"CREATE TEMPORARY TABLE {temp} (pk {pk.rel_db_type(connection)}, {typed})")
            with cursor.cursor.copy(f"COPY {temp} FROM STDIN") as copy:
                write = copy.write_row
                for row in zip(keys, *values):
                    write(row)
            sets = ", ".join(f"{qn(f.column)} = v.c{i}" for i, f in enumerate(fields))
            cursor.execute(f"UPDATE {table} SET {sets} FROM {temp} AS v WHERE {table}.{qn(pk.column)} = v.pk")
            cursor.execute(f"DROP TABLE {temp}")
        else:
            sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {qn(pk.column)} = %s", zip(*values, keys))


def insert_history(model, rows: Sequence[Sequence], *, history_type: str, user, reason: str, date) -> None:
    """One simple-history row per record of ``model`` (``rows``: tuples of ``history_names(model)``,
    as ``model.objects.values_list(*history_names(model))`` gives them), with who, why and when:
    the rows ``model.history.bulk_history_create(…, default_user=user, default_change_reason=reason,
    default_date=date)`` would write ("+" created, "~" changed)."""
    insert_rows(model.history.model, history_names(model), rows, constants={
        "history_date": date, "history_type": history_type, "history_user_id": getattr(user, "pk", None),
        "history_change_reason": reason})


def among(model, attname: str, values: Sequence) -> RawSQL:
    """A filter for ``model``'s queries: the column ``attname`` holds one of ``values`` (strings
    or integers), bound as one parameter: an array on PostgreSQL, a JSON list elsewhere."""
    qn = connection.ops.quote_name
    column = f"{qn(model._meta.db_table)}.{qn(_fields(model, [attname])[0].column)}"
    if connection.vendor == "postgresql":
        return RawSQL(f"{column} = ANY(%s)", (list(values),), output_field=BooleanField())
    return RawSQL(f"{column} IN (SELECT value FROM json_each(%s))", (json.dumps(list(values)),),
                  output_field=BooleanField())
