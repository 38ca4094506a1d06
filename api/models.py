"""系统接入: the other systems (the sales system first) that use the API, and what they get.

A client's token is shown once when it is issued and kept only as its SHA-256 (``token_hash``);
the first characters (``token_prefix``) let an admin tell tokens apart. Every write of a client
is made by its own service user (``user``), so the records' history says which system changed
what. ``source`` is the namespace of the client's external ids on the records it sends.
"""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from crm.events import EVENT_TYPES

READ, WRITE = "read", "write"


class Resource(models.TextChoices):
    CASES = "cases", _("案件")
    RETURN_VISITS = "return_visits", _("回访与满意度")
    OVERDUE = "overdue", _("按揭逾期记录")
    PROJECTS = "projects", _("项目")
    BUILDINGS = "buildings", _("楼栋")
    UNITS = "units", _("房号")
    CUSTOMERS = "customers", _("客户")
    OWNERSHIPS = "ownerships", _("房产关系")
    CLOSEOUT = "closeout", _("封盘交接")


SCOPE_CHOICES = [(f"{r.value}:{level}", format_lazy(_("{resource}（{level}）"), resource=r.label, level=label))
                 for r in Resource
                 for level, label in ((READ, _("读")), (WRITE, _("写")))]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SystemClient(models.Model):
    name = models.CharField(_("系统名称"), max_length=100, unique=True)
    source = models.SlugField(_("外部编号来源"), max_length=30,
                              help_text=_("该系统外部编号的命名空间，例如 sales；同一系统的多个令牌可共用"))
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(_("令牌前缀"), max_length=12, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="system_client",
                                editable=False, verbose_name=_("服务账号"))
    scopes = models.JSONField(_("权限范围"), default=list, blank=True)
    all_projects = models.BooleanField(_("全部项目"), default=False)
    projects = models.ManyToManyField("owners.Project", blank=True, related_name="+", verbose_name=_("允许的项目"))
    rate_limit = models.PositiveIntegerField(_("每分钟请求上限"), default=120)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("接入系统")
        verbose_name_plural = _("接入系统")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def allows(self, resource: str, level: str) -> bool:
        """Write implies read."""
        scopes = set(self.scopes or ())
        return f"{resource}:{level}" in scopes or (level == READ and f"{resource}:{WRITE}" in scopes)

    def project_ids(self) -> tuple[int, ...] | None:
        """The projects this client may read and write (None: every project); cached on the
        object, which lives for one request."""
        if self.all_projects:
            return None
        if not hasattr(self, "_project_ids"):
            self._project_ids = tuple(self.projects.values_list("pk", flat=True))
        return self._project_ids


class IdempotentRequest(models.Model):
    """A write call made with an ``Idempotency-Key``: its answer is kept and given again to a
    retry with the same key (nothing is written twice)."""

    client = models.ForeignKey(SystemClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("幂等请求")
        verbose_name_plural = _("幂等请求")
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotent_request_unique")]


class WebhookSubscription(models.Model):
    client = models.ForeignKey(SystemClient, on_delete=models.CASCADE, related_name="subscriptions",
                               verbose_name=_("接入系统"))
    url = models.URLField(_("接收地址"), max_length=300)
    secret = models.CharField(_("签名密钥"), max_length=100)
    events = models.JSONField(_("订阅事件"), default=list)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("Webhook 订阅")
        verbose_name_plural = _("Webhook 订阅")

    def __str__(self):
        return f"{self.client} → {self.url}"


EVENT_CHOICES = [(name, name) for name in EVENT_TYPES]


class WebhookDelivery(models.Model):
    """The outbox: one row per event and subscription, written in the transaction of the event,
    delivered by ``api.deliver_webhook`` (retried with backoff for 24 hours, see api.outbox)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("已放弃")

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries",
                                     verbose_name=_("订阅"))
    event_id = models.UUIDField(_("事件编号"))
    event_type = models.CharField(_("事件"), max_length=40, choices=EVENT_CHOICES)
    payload = models.JSONField(_("内容"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), db_index=True)
    claimed_until = models.DateTimeField(_("发送占用至"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近状态码"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("Webhook 投递记录")
        verbose_name_plural = _("Webhook 投递记录")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"


class WebhookAttempt(models.Model):
    """One try of a delivery: when, the receiver's status code or the error."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries",
                                 verbose_name=_("投递"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(_("状态码"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("投递尝试")
        verbose_name_plural = _("投递尝试")
        ordering = ["at"]
