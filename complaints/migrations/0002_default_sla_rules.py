from django.db import migrations


def create_rules(apps, schema_editor):
    from complaints.sla import DEFAULT_RULES

    SlaRule = apps.get_model("complaints", "SlaRule")
    for spec in DEFAULT_RULES:
        SlaRule.objects.get_or_create(code=spec.code, defaults={
            "name": spec.name, "amount": spec.amount, "unit": spec.unit,
            "working_time": spec.working_time,
        })


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
