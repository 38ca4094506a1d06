"""2026 ships as an official year: its notice is the State Council's
《国务院办公厅关于2026年部分节假日安排的通知》.

The ``holidays`` package's 2026 data (0.108, ``holidays/countries/china.py``) already carries
that notice: its docstring cites it (国务院公报 2025 issue 12406,
https://www.gov.cn/gongbao/2025/issue_12406/202511/content_7048922.html, archived
2025-11-25) and its ``special_public_holidays`` for 2026 are the notice's 调休: each "Day off
(substituted from …)" names a weekend day made a working day (01-04, 02-14, 02-28, 05-09,
09-20, 10-10). The ranges below are the notice's own wording (放假调休 from … to …, weekends
inside a range included); ``crm/tests/test_calendar_years.py`` checks that every day of
2026 is a working day or not exactly as the package says. ``crm.calendar_years.SHIPPED_YEARS``
holds the same data (it recreates the row after a flush); a test compares the two.

The notice's date is not verifiable from the package (it gives only the gazette issue of
November 2025), so ``notice_date`` is left empty for an admin to fill in from the notice
itself on the year's page (/admin/crm/calendaryear/); the year stays official meanwhile.
"""
from django.db import migrations
from django.utils import timezone

YEAR = 2026
TITLE = "国务院办公厅关于2026年部分节假日安排的通知"
HOLIDAY_RANGES = [
    ["2026-01-01", "2026-01-03", "元旦"], ["2026-02-15", "2026-02-23", "春节"],
    ["2026-04-04", "2026-04-06", "清明节"], ["2026-05-01", "2026-05-05", "劳动节"],
    ["2026-06-19", "2026-06-21", "端午节"], ["2026-09-25", "2026-09-27", "中秋节"],
    ["2026-10-01", "2026-10-07", "国庆节"],
]
WORKING_DAYS = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
REASON = "随系统发布：holidays 包 2026 年数据即国务院办公厅2026年节假日安排通知"


def seed(apps, schema_editor):
    CalendarYear = apps.get_model("crm", "CalendarYear")
    if CalendarYear.objects.filter(year=YEAR).exists():
        return  # an admin's row is never overwritten
    fields = {"status": "official", "notice_title": TITLE, "notice_date": None, "holiday_ranges": HOLIDAY_RANGES,
              "working_days": WORKING_DAYS, "revision": 1, "confirmed_at": timezone.now()}
    row = CalendarYear.objects.create(year=YEAR, **fields)
    apps.get_model("crm", "HistoricalCalendarYear").objects.create(
        id=row.pk, year=YEAR, **fields, history_date=timezone.now(), history_type="+", history_change_reason=REASON)


def unseed(apps, schema_editor):
    apps.get_model("crm", "CalendarYear").objects.filter(year=YEAR, notice_title=TITLE, revision=1).delete()


class Migration(migrations.Migration):
    dependencies = [("crm", "0003_calendar_year")]
    operations = [migrations.RunPython(seed, unseed)]
