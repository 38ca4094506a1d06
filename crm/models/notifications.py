from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one user. Stored first, delivered by Celery, so a broker outage loses nothing;
    marked delivered only after it was sent, so a killed worker loses nothing either."""

    class Level(models.TextChoices):
        INFO = "info", _("提示")
        WARNING = "warning", _("预警")
        DANGER = "danger", _("超时/紧急")

    class Channel(models.TextChoices):
        STAFF = "staff", _("员工（邮件、群机器人）")
        OWNER = "owner", _("业主端（站内消息、短信）")
        # The WeChat official-account copy of an owner's notice (crm/wechat.py): its own row, so
        # that it is delivered and retried on its own; never in the inbox (the OWNER row is).
        WECHAT = "wechat", _("业主端（微信公众号）")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices, default=Level.INFO)
    # Identifies the event, so that a job run twice notifies once (unique per recipient).
    dedupe_key = models.CharField(_("去重键"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("外发时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("外发次数"), default=0)
    last_error = models.CharField(_("外发错误"), max_length=300, blank=True)
    # A delivery sweep's claim (crm.notifications.deliver_pending): until when it is sending the
    # notice; the instant also tells which sweep holds it. A worker killed mid-send leaves a claim
    # that runs out, and the notice goes again.
    claimed_until = models.DateTimeField(_("外发占用至"), null=True, blank=True)
    # An owner's notice (crm.notifications.notify_owner) shows in the portal's inbox, goes by SMS when
    # ``sms_to`` is set, and never to the staff's e-mail or group robots.
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, default=Channel.STAFF)
    sms_to = models.CharField(_("短信号码"), max_length=20, blank=True)
    # The provider's template key and parameters: of the SMS, or of the WeChat template message.
    sms_template = models.CharField(_("短信模板"), max_length=40, blank=True)
    sms_params = models.JSONField(_("短信参数"), default=dict, blank=True)
    wechat_to = models.CharField(_("微信 openid"), max_length=64, blank=True)
    # The body and parameters hold a one-time login code: erased once sent, never in the inbox.
    secret = models.BooleanField(_("含验证码"), default=False)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_once_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["delivered_at", "attempts"], name="notification_pending"),
            # crm.notifications._store counts the rows of a batch's events (dedupe_key IN …) before and
            # after inserting; the unique constraint's index leads with the recipient, so without this
            # one that count reads the whole table, which grows by years of notices.
            models.Index(fields=["dedupe_key"], name="notification_dedupe"),
        ]

    def __str__(self):
        return self.title


class OwnerChannelChoice(models.Model):
    """Which of an owner's notices also go outside the portal's inbox (站内 always): per moment
    (crm.notifications.OWNER_MOMENTS), the external channels the owner chose (短信, 微信). A
    moment not named here goes by the default channels (crm.notifications.DEFAULT_CHANNELS)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="channel_choice", verbose_name=_("用户"))
    choices = models.JSONField(_("消息渠道"), default=dict, blank=True)  # {moment: [channel, …]}
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("消息渠道设置")
        verbose_name_plural = _("消息渠道设置")

    def __str__(self):
        return str(self.user)


class WebhookEndpoint(models.Model):
    """A WeCom or DingTalk group robot that receives a copy of every notification."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")

    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("Webhook 地址"), max_length=500)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")

    def __str__(self):
        return self.name
