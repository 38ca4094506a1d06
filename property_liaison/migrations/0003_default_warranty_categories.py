"""The national default warranty periods; admins edit them (see property_liaison/defaults.py)."""
from django.db import migrations

from property_liaison.defaults import ensure_default_categories


def forwards(apps, schema_editor):
    ensure_default_categories(apps.get_model("property_liaison", "WarrantyCategory"),
                              using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("property_liaison", "0002_liaison_records")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
