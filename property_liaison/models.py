from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PropertyCompany(models.Model):
    name = models.CharField(_("物业公司"), max_length=100, unique=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("物业公司")
        verbose_name_plural = _("物业公司")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PropertyAppointment(models.Model):
    """The company appointed to manage a project, from a date until the owners replace it (置换)."""

    project = models.ForeignKey("owners.Project", on_delete=models.PROTECT, related_name="appointments",
                                verbose_name=_("项目"))
    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="appointments",
                                verbose_name=_("物业公司"))
    start_date = models.DateField(_("委托开始"))
    end_date = models.DateField(_("委托结束"), null=True, blank=True)
    contract_no = models.CharField(_("合同编号"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("物业委托")
        verbose_name_plural = _("物业委托")
        ordering = ["project", "-start_date"]

    def __str__(self):
        return f"{self.project} ← {self.company}"
