from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.roles import Role


class ApprovalRule(models.Model):
    """The authority matrix: which role approves what (and at which level, e.g. severity)."""

    subject = models.CharField(_("审批事项"), max_length=60)
    level = models.CharField(_("级别"), max_length=30, blank=True, help_text=_("留空表示该事项的默认规则"))
    approver_role = models.CharField(_("审批角色"), max_length=30, choices=Role.choices)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("审批权限")
        verbose_name_plural = _("审批权限")
        ordering = ["subject", "level"]
        constraints = [models.UniqueConstraint(fields=["subject", "level"], name="approval_rule_unique")]

    def __str__(self):
        return f"{self.subject}/{self.level or '*'} → {self.get_approver_role_display()}"


class ApprovalRequest(models.Model):
    """One submitted version of a plan and the decision on it. Versions are never overwritten."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        WITHDRAWN = "withdrawn", _("已撤回")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    subject = models.CharField(_("审批事项"), max_length=60)
    level = models.CharField(_("级别"), max_length=30, blank=True)
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("方案内容"))
    snapshot = models.JSONField(_("方案快照"), default=dict, blank=True)
    approver_role = models.CharField(_("审批角色"), max_length=30, choices=Role.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提交人")
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    comment = models.TextField(_("审批意见"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("审批")
        verbose_name_plural = _("审批")
        ordering = ["content_type", "object_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "version"], name="approval_version_unique"),
            models.UniqueConstraint(
                fields=["content_type", "object_id"], condition=Q(status="pending"), name="approval_one_pending"
            ),
        ]
        indexes = [models.Index(fields=["status", "approver_role"], name="approval_queue")]

    def __str__(self):
        return f"{self.title} v{self.version} ({self.get_status_display()})"
