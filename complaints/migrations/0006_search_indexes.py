"""Indexes for the register search: a B-tree on the complainant's name (its exact branch), and on
PostgreSQL trigram indexes for the partial branches (case number, phone digits), so a search
finds its cases without reading the whole table. SQLite has no trigram index: there the partial
branches stay a scan (fast enough for one office)."""
from django.db import migrations, models

TRIGRAM_INDEXES = {
    # Expressions exactly as Django writes the lookups: number__icontains, phone_digits__contains.
    "complaint_number_trgm": '(UPPER("number"::text)) gin_trgm_ops',
    "complaint_phone_trgm": '"phone_digits" gin_trgm_ops',
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")  # a trusted extension (PostgreSQL 13+)
    for name, expression in TRIGRAM_INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "complaints_complaint" USING gin ({expression})')


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0005_register_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["complainant_name"], name="complaint_complainant"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
