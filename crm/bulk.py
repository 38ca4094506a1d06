"""Writing tens of thousands of rows, and their simple-history rows, in one go.

For the overdue-list import (≥ 5,000 rows/s with validation and history, bench/bench_import.py).
The ORM's ``bulk_create`` compiles every value through the field, the compiler and the backend
(``field_as_sql``, ``prepare_value``, ``get_db_prep_save``), for the record and again for its
history row: at 50,000 rows that alone took longer than the target allows, and ``bulk_update``
(a ``CASE WHEN id = …`` per field and row) was twenty times slower still (bench/RESULTS.md).
These helpers write the same rows with one statement per table: each column's values adapted
by the backend's own adapter (``connection.ops.adapt_*``), chosen once per column; ``COPY`` on
PostgreSQL, one prepared statement run by ``executemany`` elsewhere (SQLite loops in C).

``insert_history`` writes exactly the rows simple-history's ``bulk_history_create`` writes
(same columns, same values: ``crm/tests/test_bulk.py`` compares them on SQLite and PostgreSQL).
Rows are dicts keyed by attname (``loan_id``, not ``loan``): what ``.values()`` returns.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from django.db import connection

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


def _values(fields: list, rows: Sequence[dict], constants: list | None = None) -> Iterator[list]:
    """Each row's values for ``fields``, adapted, then ``constants`` (adapted already)."""
    pairs = [(f.attname, _adapter(f)) for f in fields]
    tail = constants or []
    for row in rows:
        yield [row[name] if adapt is None else adapt(row[name]) for name, adapt in pairs] + tail


def insert_rows(model, names: Sequence[str], rows: Sequence[dict], constants: dict | None = None) -> None:
    """INSERT ``rows`` (dicts by attname, each with every name in ``names``) into ``model``'s
    table, with ``constants`` (attname -> value) the same on every row."""
    if not rows:
        return
    qn = connection.ops.quote_name
    fields, fixed = _fields(model, names), _fields(model, list(constants or {}))
    fixed_values = [value if (adapt := _adapter(f)) is None else adapt(value)
                    for f, value in zip(fixed, (constants or {}).values())]
    table, columns = qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields + fixed)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: no SQL text to build or parse per row
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in _values(fields, rows, fixed_values):
                    copy.write_row(values)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields + fixed))})",
                               list(_values(fields, rows, fixed_values)))


def update_rows(model, names: Sequence[str], rows: Sequence[dict]) -> None:
    """UPDATE the columns ``names`` of ``rows`` (dicts by attname, with the primary key) by primary
    key: on PostgreSQL COPY into a temporary table and one ``UPDATE … FROM`` it, elsewhere one
    prepared statement run by ``executemany``."""
    if not rows:
        return
    qn = connection.ops.quote_name
    pk = model._meta.pk
    fields = _fields(model, names)
    table = qn(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            temp = qn(f"bulk_{model._meta.db_table}")
            typed = ", ".join(f"c{i} {f.db_type(connection)}" for i, f in enumerate(fields))
            cursor.execute(f"DROP TABLE IF EXISTS {temp}")
            cursor.execute(f"CREATE TEMPORARY TABLE {temp} (pk {pk.rel_db_type(connection)}, {typed})")
            with cursor.cursor.copy(f"COPY {temp} FROM STDIN") as copy:
                for values, row in zip(_values(fields, rows), rows):
                    copy.write_row([row[pk.attname], *values])
            sets = ", ".join(f"{qn(f.column)} = v.c{i}" for i, f in enumerate(fields))
            cursor.execute(f"UPDATE {table} SET {sets} FROM {temp} AS v WHERE {table}.{qn(pk.column)} = v.pk")
            cursor.execute(f"DROP TABLE {temp}")
        else:
            sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {qn(pk.column)} = %s",
                               [[*values, row[pk.attname]] for values, row in zip(_values(fields, rows), rows)])


def insert_history(model, rows: Sequence[dict], *, history_type: str, user, reason: str, date) -> None:
    """One simple-history row per record of ``model`` (``rows``: every tracked field by attname,
    as ``model.objects.values()`` gives them), with who, why and when: the rows
    ``model.history.bulk_history_create(…, default_user=user, default_change_reason=reason,
    default_date=date)`` would write ("+" created, "~" changed)."""
    history = model.history.model
    insert_rows(history, [f.attname for f in history.tracked_fields], rows, constants={
        "history_date": date, "history_type": history_type, "history_user_id": getattr(user, "pk", None),
        "history_change_reason": reason})
