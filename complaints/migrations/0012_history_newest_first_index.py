"""The case page reads a case's history newest first, a slice at a time (crm.history.newest_first):
an index on (id, history_date, history_id) lets the database walk it in order and stop after the
slice, instead of sorting every version of a case with years of changes. simple-history declares
its historical model itself (its own composite option indexes history_date first), so the index
is created here in SQL and is not part of the model state."""
from django.db import migrations

INDEX = "historicalcomplaint_id_newest"


class Migration(migrations.Migration):
    dependencies = [("complaints", "0011_register_scope_indexes")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON complaints_historicalcomplaint (id, history_date, history_id)",
            f"DROP INDEX {INDEX}",
        ),
    ]
