"""The owner portal's own records: an owner's account (the phone it signs in with and the
customers it was bound to), the SMS login code (a django-otp side-channel device), and the
throttle of code requests. Cases, plans and visits stay the complaints app's."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import SideChannelDevice
from django_otp.util import random_number_token

from crm.rules import rule_int


class OwnerAccount(models.Model):
    """An owner's sign-in: one mobile number, bound at the first login to the customers whose
    phone it is (owners.Customer), and the privacy notice they accepted."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owner_account",
                                verbose_name=_("用户"))
    phone = models.CharField(_("手机号"), max_length=11, unique=True)
    customers = models.ManyToManyField("owners.Customer", blank=True, related_name="owner_accounts",
                                       verbose_name=_("绑定客户"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    bound_at = models.DateTimeField(_("绑定时间"), null=True, blank=True)
    last_login_at = models.DateTimeField(_("最近登录"), null=True, blank=True)
    # The owner's openid for the official account's template messages (crm/wechat.py), bound
    # by staff in the admin (or by the account's OAuth menu link when there is one).
    wechat_openid = models.CharField(_("微信 openid"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("业主端账号")
        verbose_name_plural = _("业主端账号")
        ordering = ["phone"]

    def __str__(self):
        return self.phone


class SmsCodeDevice(SideChannelDevice):
    """The 6-digit login code sent by SMS. django-otp keeps the code and its expiry; here the
    code is kept only as a keyed hash (``token`` holds the hash, never the code) and a code
    dies after the wrong tries of the rule ``portal.code_max_failures`` (portal.auth.sms_code_check)."""

    token = models.CharField(max_length=64, blank=True, null=True)  # HMAC-SHA256 of the code, hex
    failures = models.PositiveSmallIntegerField(_("错误次数"), default=0)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")

    def _hash(self, code: str) -> str:
        return salted_hmac("portal.sms-code", f"{self.pk}:{code}", algorithm="sha256").hexdigest()

    def generate_token(self, length=6, valid_secs=300, commit=True) -> str:
        """A new code (the previous one dies, the tries start again); returns it to be sent,
        keeps only its hash."""
        code = random_number_token(length)
        self.token = self._hash(code)
        self.valid_until = timezone.now() + dt.timedelta(seconds=valid_secs)
        self.failures = 0
        if commit:
            self.save(update_fields=["token", "valid_until", "failures"])
        return code

    def verify_token(self, token) -> bool:
        """True once for the right code within its time; a wrong one counts a failure (in the
        database, so concurrent tries all count) and the last allowed (rule
        ``portal.code_max_failures``) kills the code.
        Call it on a row locked for update."""
        now = timezone.now()
        if not self.token or self.failures >= rule_int("portal.code_max_failures") or now >= self.valid_until:
            return False
        if not constant_time_compare(self.token, self._hash(str(token))):
            type(self).objects.filter(pk=self.pk).update(failures=F("failures") + 1)
            return False
        self.token, self.valid_until, self.failures = None, now, 0
        self.save(update_fields=["token", "valid_until", "failures"])
        return True


class CodeRequest(models.Model):
    """One request for a login code (whether or not the number is known), counted per phone
    and per IP address over the last hour."""

    phone = models.CharField(_("手机号"), max_length=11, db_index=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True, db_index=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("验证码请求")
        verbose_name_plural = _("验证码请求")
        ordering = ["-at"]


class ThrottleKey(models.Model):
    """A row to lock (SELECT … FOR UPDATE) while a limit is counted, so that two concurrent
    requests for the same phone or IP (or case) are counted one after the other."""

    key = models.CharField(max_length=80, unique=True)

    class Meta:
        verbose_name = _("限流锁")
        verbose_name_plural = _("限流锁")


class PrivacyConsent(models.Model):
    """The privacy notice (个人信息保护法) an owner accepted, with its version: a new version is
    asked for again at the next visit."""

    account = models.ForeignKey(OwnerAccount, on_delete=models.CASCADE, related_name="consents",
                                verbose_name=_("业主端账号"))
    version = models.CharField(_("版本"), max_length=20)
    accepted_at = models.DateTimeField(_("同意时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("隐私政策同意记录")
        verbose_name_plural = _("隐私政策同意记录")
        ordering = ["-accepted_at"]
        constraints = [models.UniqueConstraint(fields=["account", "version"], name="consent_once_per_version")]

    def __str__(self):
        return f"{self.account} {self.version}"


class OwnerSubmission(models.Model):
    """A form the owner posted once (a report, a comment, a correction request), by the one-time
    token its page carried: the same form posted again — a double tap, a retry on a slow mobile
    network, the back button — finds the case it made instead of making another."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_submissions",
                             verbose_name=_("用户"))
    token = models.CharField(_("表单令牌"), max_length=64)
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("案件"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("业主端提交记录")
        verbose_name_plural = _("业主端提交记录")
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="portal_submission_once")]
