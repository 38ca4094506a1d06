import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarOverride(models.Model):
    """An official notice that changes one day: a holiday added, or a day made a working day."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("依据/说明"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_working_day else '休息'} {self.note}"


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
