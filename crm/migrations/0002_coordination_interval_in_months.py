"""The coordination cadence is counted in calendar months (民法典 art. 202), no longer in days.

The old rule row ``liaison.coordination_max_interval_days`` (31 天) becomes
``liaison.coordination_max_interval_months`` (1 月), so that the admin list shows the rule
that is applied and no stale one. The code always capped the old rule at 31 days, so every
old value meant "at most a month": the new row holds 1.
"""
from django.db import migrations
from django.utils import timezone

OLD, NEW = "liaison.coordination_max_interval_days", "liaison.coordination_max_interval_months"
NEW_FIELDS = {"value": 1, "unit": "月", "description": "每个项目至少每月协调一次：上次协调后最长间隔的自然月数"}


def to_months(apps, schema_editor):
    Rule = apps.get_model("crm", "Rule")
    old = Rule.objects.filter(key=OLD).first()
    if old is None:
        return
    if Rule.objects.filter(key=NEW).exists():
        old.delete()
        return
    Rule.objects.filter(pk=old.pk).update(key=NEW, **NEW_FIELDS)
    # the rule's change history says what happened to the admin's row
    apps.get_model("crm", "HistoricalRule").objects.create(
        id=old.pk, key=NEW, **NEW_FIELDS, history_date=timezone.now(), history_type="~",
        history_change_reason="协调间隔改按自然月计算(民法典第二百零二条)")


def to_days(apps, schema_editor):
    Rule = apps.get_model("crm", "Rule")
    Rule.objects.filter(key=NEW).update(key=OLD, value=31, unit="天", description="每个项目至少每月协调一次(最长间隔)")


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]
    operations = [migrations.RunPython(to_months, to_days)]
