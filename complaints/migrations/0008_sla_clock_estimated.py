"""A clock remembers that its deadline was counted over an estimated year (按预估日历).

Open clocks that already run into 2027 (whose notice is not confirmed when this ships; 2026
is the last official year) are marked; the calendar's confirmation of 2027 recomputes them.
"""
import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations, models

FIRST_ESTIMATED = dt.datetime(2027, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
OPEN = ["running", "at_risk", "paused"]


def mark_open_clocks(apps, schema_editor):
    official = set(apps.get_model("crm", "CalendarYear").objects.filter(status="official")
                   .values_list("year", flat=True))
    if 2027 not in official:
        apps.get_model("complaints", "SlaClock").objects.filter(
            state__in=OPEN, deadline__gte=FIRST_ESTIMATED).update(estimated=True)


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0007_major_resolve_in_calendar_days'),
        ('crm', '0004_calendar_year_2026_official'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalslaclock',
            name='estimated',
            field=models.BooleanField(default=False, verbose_name='按预估日历'),
        ),
        migrations.AddField(
            model_name='slaclock',
            name='estimated',
            field=models.BooleanField(default=False, verbose_name='按预估日历'),
        ),
        migrations.RunPython(mark_open_clocks, migrations.RunPython.noop),
    ]
