"""重大投诉解决 (major_resolve): 15 calendar days, as the seed's 15日 reads, not 15 working days.

Only a row that still holds the old default (15 days of working time) changes; an admin's own
choice is left alone. Clocks already running keep the deadline they were started with.
"""
from decimal import Decimal

from django.db import migrations
from django.utils import timezone

OLD_DEFAULT = {"code": "major_resolve", "amount": Decimal(15), "unit": "days"}


def _set(apps, *, working_time: bool, reason: str):
    SlaRule = apps.get_model("complaints", "SlaRule")
    History = apps.get_model("complaints", "HistoricalSlaRule")
    for row in SlaRule.objects.filter(**OLD_DEFAULT, working_time=not working_time):
        SlaRule.objects.filter(pk=row.pk).update(working_time=working_time)
        # every field the rule has at this point (a later migration removed extension_role)
        values = {f.attname: getattr(row, f.attname) for f in SlaRule._meta.concrete_fields}
        History.objects.create(**values | {"working_time": working_time}, history_date=timezone.now(),
                               history_type="~", history_change_reason=reason)


def to_calendar_days(apps, schema_editor):
    _set(apps, working_time=False, reason="重大投诉15日按自然日计算")


def to_working_days(apps, schema_editor):
    _set(apps, working_time=True, reason="回退：重大投诉15日按工作日计算")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0006_search_indexes")]
    operations = [migrations.RunPython(to_calendar_days, to_working_days)]
