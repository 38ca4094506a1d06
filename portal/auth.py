"""Login by phone and SMS code: the code request (rate-limited, the same answer for any number),
its check (five tries, five minutes), and the owner account it signs in, bound at the first
login to the customers whose phone it is."""
from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import StaffProfile
from crm.notifications import notify_owner
from crm.roles import Role
from crm.rules import rule_int
from owners.identity import phone_key
from owners.models import Customer

from .models import CodeRequest, OwnerAccount, SmsCodeDevice, ThrottleKey

CODE_LENGTH = 6
# How long a code lives and how many codes a phone or an IP address may ask for in an hour are
# rules an admin may change (crm.rules: portal.code_valid_minutes, portal.codes_per_phone_hour,
# portal.codes_per_ip_hour); the wrong tries a code survives are portal.code_max_failures.
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normal_phone(value: str) -> str:
    """The mainland mobile number typed (spaces, dashes, +86 allowed), or a ValidationError."""
    digits = phone_key(value)
    if not MOBILE.match(digits):
        raise ValidationError(_("请输入正确的 11 位手机号码。"), code="phone")
    return digits


def lock(key: str) -> None:
    """Serialise the writers of one limit: the row is locked until the transaction ends
    (SQLite runs one writer at a time anyway)."""
    ThrottleKey.objects.get_or_create(key=key)
    ThrottleKey.objects.select_for_update().get(key=key)


def customers_with_phone(phone: str):
    """The customers whose mobile or other phone is this number."""
    forms = {phone, f"+86{phone}", f"86{phone}"}
    return Customer.objects.filter(Q(phone__in=forms) | Q(phone_alt__in=forms))


def owner_account_for(phone: str) -> OwnerAccount:
    """The owner account of a phone, created (with its user, the owner role and no password)
    the first time a known number asks for a code."""
    with transaction.atomic():
        account = OwnerAccount.objects.select_related("user").filter(phone=phone).first()
        if account is not None:
            return account
        first = customers_with_phone(phone).order_by("pk").first()
        user = get_user_model().objects.create_user(username=f"owner_{phone}", password=None,
                                                    first_name=first.name if first else "")
        StaffProfile.objects.create(user=user, role=Role.OWNER)
        user.groups.add(Group.objects.get_or_create(name=Role.OWNER)[0])
        return OwnerAccount.objects.create(user=user, phone=phone)


def sms_code_request(*, phone: str, ip: str | None) -> str | None:
    """Send a login code to ``phone`` if it is a customer's; the caller tells every number the
    same. Refused (ValidationError) past the hour's codes per phone or per IP address (rules),
    counted for known and unknown numbers alike. Returns the code sent (None for an unknown
    number), for the development page only."""
    with transaction.atomic():
        phone = normal_phone(phone)
        since = timezone.now() - dt.timedelta(hours=1)
        lock(f"code:phone:{phone}")
        if CodeRequest.objects.filter(phone=phone, at__gte=since).count() >= rule_int("portal.codes_per_phone_hour"):
            raise ValidationError(_("该号码获取验证码过于频繁，请一小时后再试。"), code="phone_limit")
        if ip:
            lock(f"code:ip:{ip}")
            if CodeRequest.objects.filter(ip=ip, at__gte=since).count() >= rule_int("portal.codes_per_ip_hour"):
                raise ValidationError(_("获取验证码过于频繁，请一小时后再试。"), code="ip_limit")
        CodeRequest.objects.create(phone=phone, ip=ip)
        if not customers_with_phone(phone).exists():
            return None
        account = owner_account_for(phone)
        device, _created = SmsCodeDevice.objects.get_or_create(user=account.user, defaults={"name": phone})
        minutes = rule_int("portal.code_valid_minutes")
        code = device.generate_token(length=CODE_LENGTH, valid_secs=minutes * 60)
        notify_owner(user=account.user, title=_("业主端登录验证码"),
                     body=_("您的验证码是 {code}，{minutes} 分钟内有效。如非本人操作请忽略。").format(
                         code=code, minutes=minutes),
                     sms_to=phone, sms_template="login_code", sms_params={"code": code}, secret=True)
        return code


WRONG_CODE = _("验证码不正确或已过期。如您是业主却收不到验证码，请致电客服热线 {hotline}。")


def sms_code_check(*, phone: str, code: str) -> OwnerAccount:
    """The owner account the code signs in. A wrong, expired or used code, or an unknown number,
    is refused with one message (naming the hotline) and counts a failure: the last allowed
    (rule portal.code_max_failures) kills the code. The first login binds the account to the
    customers whose phone it is."""
    phone = normal_phone(phone)
    account = _verify(phone, code) if re.fullmatch(r"\d{6}", code or "") else None
    if account is None:
        raise ValidationError(str(WRONG_CODE).format(hotline=settings.PORTAL_HOTLINE), code="code")
    return account


def _verify(phone: str, code: str) -> OwnerAccount | None:
    """None when refused, with the failure counted (committed: nothing raised here)."""
    with transaction.atomic():
        account = OwnerAccount.objects.select_related("user").filter(phone=phone).first()
        device = SmsCodeDevice.objects.select_for_update().filter(user=account.user).first() if account else None
        if device is None or not device.verify_token(code):
            return None
        now = timezone.now()
        if account.bound_at is None:
            account.customers.add(*customers_with_phone(phone))
            account.bound_at = now
        account.last_login_at = now
        account.save(update_fields=["bound_at", "last_login_at"])
        return account
