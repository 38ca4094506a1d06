"""Raw multi-row inserts for the benchmark data set (``bench.generate``, ``bench.bench_sla``)."""
from __future__ import annotations

import datetime as dt

BATCH = 2000

CONVERTED = {"DateTimeField", "DateField", "DecimalField", "DurationField", "JSONField", "TimeField"}


class Inserter:
    """Raw multi-row INSERTs with ids assigned here: the ORM's bulk_create spends most of its
    time compiling SQL per row, which makes a million rows take many minutes on this machine.
    Values are adapted with each field's own ``get_db_prep_save`` where the database needs it."""

    def __init__(self, model, batch: int = BATCH):
        from django.db import connection
        from django.db.models import Max

        self.connection = connection
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.pk = model._meta.pk
        self.defaults = {f.attname: f.get_default() for f in self.fields if f.has_default() or f.null}
        self.converters = [self._converter(f) for f in self.fields]
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"
        self.next_id = (model._default_manager.aggregate(m=Max(self.pk.attname))["m"] or 0) + 1
        self.rows = []
        self.batch = batch
        self.count = 0

    def _converter(self, field):
        kind = field.get_internal_type()
        if kind not in CONVERTED:
            return None
        if self.connection.vendor == "sqlite" and kind == "DateTimeField":
            # What the SQLite backend's adapt_datetimefield_value() writes, ten times faster.
            return lambda v: str(v.astimezone(dt.timezone.utc).replace(tzinfo=None))
        if self.connection.vendor == "sqlite" and kind == "DateField":
            return str
        if self.connection.vendor == "postgresql" and kind in ("DateTimeField", "DateField"):
            return None  # psycopg adapts aware datetimes and dates itself
        return lambda v: field.get_db_prep_save(v, connection=self.connection)

    def add(self, **values) -> int:
        """Queue one row; returns its id."""
        pk = self.next_id
        self.next_id += 1
        values[self.pk.attname] = pk
        row = []
        for field, convert in zip(self.fields, self.converters):
            value = values[field.attname] if field.attname in values else self.defaults.get(field.attname, "")
            row.append(convert(value) if convert is not None and value is not None else value)
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()
        return pk

    def flush(self) -> None:
        if self.rows:
            with self.connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
            self.count += len(self.rows)
            self.rows = []

    def finish(self) -> int:
        """Write what is queued and move PostgreSQL's id sequence past the ids used here."""
        from django.core.management.color import no_style

        self.flush()
        statements = self.connection.ops.sequence_reset_sql(no_style(), [self.model])
        if statements:
            with self.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        return self.count
