from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Rule(models.Model):
    """A number of DOMAIN.md that an admin changes without a deploy (quotas, thresholds…).

    Defaults are declared in code (``crm.rules.DEFAULTS``); a row here overrides one.
    """

    key = models.CharField(_("规则"), max_length=80, unique=True)
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("业务参数")
        verbose_name_plural = _("业务参数")
        ordering = ["key"]

    def __str__(self):
        value = self.value.normalize() if isinstance(self.value, Decimal) else self.value
        return f"{self.description or self.key}: {value} {self.unit}".strip()


class Sequence(models.Model):
    """A named counter for readable numbers (customer codes, case numbers); never reused."""

    key = models.CharField(max_length=60, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")

    def __str__(self):
        return f"{self.key}={self.value}"
