import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarOverride(models.Model):
    """One day changed outside a year's notice (``CalendarYear``): a later State Council
    change of one day, a local day off (typhoon), or a day made a working day. It wins over
    both an official and an estimated year."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("依据/说明"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date} {gettext('上班') if self.is_working_day else gettext('休息')} {self.note}"


class WorkingHours(models.Model):
    """The office hours with a lunch break; one row (pk=1)."""

    morning_start = models.TimeField(_("上午上班"), default=datetime.time(9, 0))
    morning_end = models.TimeField(_("上午下班"), default=datetime.time(12, 0))
    afternoon_start = models.TimeField(_("下午上班"), default=datetime.time(13, 30))
    afternoon_end = models.TimeField(_("下午下班"), default=datetime.time(18, 0))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作时间")
        verbose_name_plural = _("工作时间")

    def clean(self):
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValidationError(_("工作时间须依次为：上午上班 < 上午下班 ≤ 下午上班 < 下午下班。"))

    def __str__(self):
        return f"{self.morning_start:%H:%M}-{self.morning_end:%H:%M}, {self.afternoon_start:%H:%M}-{self.afternoon_end:%H:%M}"


class CalendarYear(models.Model):
    """One year's holiday arrangement (国务院办公厅关于XXXX年部分节假日安排的通知).

    *Official*: an admin entered or confirmed the notice; the year's days off are its holiday
    ranges and its 调休 working days are working, nothing else of the ``holidays`` package's rule
    applies. *Estimated* (or no row): the package's rule only, which for a year whose notice
    is not out yet has the festival days but no 调休 working weekends. Single-day
    ``CalendarOverride`` rows still apply on top of either (a later change of one day).
    """

    class Status(models.TextChoices):
        OFFICIAL = "official", _("已确认（国务院通知）")
        ESTIMATED = "estimated", _("预估（按规则推算）")

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ESTIMATED)
    notice_title = models.CharField(_("通知标题"), max_length=200, blank=True)
    notice_date = models.DateField(_("通知发布日期"), null=True, blank=True)
    # [["2027-02-05", "2027-02-11", "春节"], …]: the notice's 放假 ranges, first and last day
    # included, with the festival's name when given.
    holiday_ranges = models.JSONField(_("放假日期"), default=list, blank=True)
    # ["2027-02-13", …]: the notice's 调休上班 days (weekend days made working days).
    working_days = models.JSONField(_("调休上班日期"), default=list, blank=True)
    # Moves on at every confirmation or correction, so that what follows one (recomputed
    # clocks, their handlers' notices) happens once per confirmation.
    revision = models.PositiveIntegerField(_("确认次数"), default=0)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("确认人"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")
        ordering = ["-year"]

    def __str__(self):
        return gettext("{year}年 {status}").format(year=self.year, status=self.get_status_display())

    @property
    def is_official(self) -> bool:
        return self.status == self.Status.OFFICIAL

    def days_off(self) -> frozenset:
        """Every day inside the notice's holiday ranges."""
        days = set()
        for first, last, *name in self.holiday_ranges:
            day, last = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
            while day <= last:
                days.add(day)
                day += datetime.timedelta(days=1)
        return frozenset(days)

    def workdays(self) -> frozenset:
        return frozenset(datetime.date.fromisoformat(d) for d in self.working_days)
