"""An index in the register's deadline order (issue 8): the first page and, with the ids found
on it alone, any deep page read only the 30 rows they show instead of sorting 100,000 cases.

Plain SQL (valid on SQLite and PostgreSQL) so that the model module stays as it is; ascending
next_deadline keeps NULLs last on PostgreSQL, and SQLite walks it for NULLS LAST too."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("complaints", "0004_complaint_archived_at")]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX complaint_register_deadline ON complaints_complaint "
                "(next_deadline, received_at DESC, id DESC)",
            reverse_sql="DROP INDEX complaint_register_deadline",
        ),
    ]
