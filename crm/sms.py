"""SMS backends for the owners' messages (login code, case accepted, plan ready, please answer
the return visit, staff reply), chosen by the ``SMS_BACKEND`` setting:

    console   development: prints the message (the login code shows in the ``make run`` console)
    aliyun    Alibaba Cloud SMS through its SDK ``alibabacloud-dysmsapi20170525``
    tencent   Tencent Cloud SMS through its SDK ``tencentcloud-sdk-python-sms``

The cloud SDKs are imported only when their backend sends, so a deployment installs only the
one it uses; a missing SDK is a clear error (stored on the notice, which is retried). Mainland
SMS is sent by approved templates: ``SMS_TEMPLATES`` maps our template keys (``login_code``,
``case_update``) to the provider's template ids, and each message carries its parameters.

Messages are never sent from a request: ``crm.notifications`` stores them first and its
delivery sweep calls ``send`` (retried like every notification).
"""
from __future__ import annotations

import json
import logging
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)


class SmsError(Exception):
    """The provider refused or could not be reached: the notice is retried."""


class ConsoleBackend:
    """Prints the message: development and tests."""

    sent: ClassVar[list[tuple[str, str, dict]]] = []  # what was sent, in this process (tests read it)

    def send(self, *, phone: str, template: str, params: dict, text: str) -> None:
        ConsoleBackend.sent.append((phone, template, dict(params)))
        print(f"[SMS → {phone}] {text}", flush=True)


def _sdk(module: str, package: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"SMS_BACKEND={settings.SMS_BACKEND!r} needs the package {package} "
            f"(pip install {package}); it is not installed") from exc


class AliyunBackend:
    """Alibaba Cloud SMS (dysmsapi 2017-05-25): ``SendSms`` with a sign name, a template code
    and the template's parameters as JSON."""

    def send(self, *, phone: str, template: str, params: dict, text: str) -> None:
        client_mod = _sdk("alibabacloud_dysmsapi20170525.client", "alibabacloud-dysmsapi20170525")
        models = _sdk("alibabacloud_dysmsapi20170525.models", "alibabacloud-dysmsapi20170525")
        openapi = _sdk("alibabacloud_tea_openapi.models", "alibabacloud-tea-openapi")
        config = openapi.Config(access_key_id=settings.SMS_ACCESS_KEY_ID,
                                access_key_secret=settings.SMS_ACCESS_KEY_SECRET,
                                endpoint="dysmsapi.aliyuncs.com")
        request = models.SendSmsRequest(phone_numbers=phone, sign_name=settings.SMS_SIGN_NAME,
                                        template_code=template_id(template),
                                        template_param=json.dumps(params, ensure_ascii=False))
        response = client_mod.Client(config).send_sms(request)
        body = response.body
        if getattr(body, "code", "") != "OK":
            raise SmsError(f"aliyun: {getattr(body, 'code', '?')} {getattr(body, 'message', '')}")


class TencentBackend:
    """Tencent Cloud SMS (API 2021-01-11): ``SendSms`` with the SDK app id, sign name, template
    id and the template's parameters in order."""

    def send(self, *, phone: str, template: str, params: dict, text: str) -> None:
        credential = _sdk("tencentcloud.common.credential", "tencentcloud-sdk-python-sms")
        sms_client = _sdk("tencentcloud.sms.v20210111.sms_client", "tencentcloud-sdk-python-sms")
        models = _sdk("tencentcloud.sms.v20210111.models", "tencentcloud-sdk-python-sms")
        client = sms_client.SmsClient(
            credential.Credential(settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET), settings.SMS_REGION)
        request = models.SendSmsRequest()
        request.SmsSdkAppId = settings.SMS_APP_ID
        request.SignName = settings.SMS_SIGN_NAME
        request.TemplateId = template_id(template)
        request.TemplateParamSet = [str(v) for v in params.values()]
        request.PhoneNumberSet = [f"+86{phone}"]
        response = client.SendSms(request)
        statuses = getattr(response, "SendStatusSet", None) or []
        if not statuses or getattr(statuses[0], "Code", "") != "Ok":
            raise SmsError(f"tencent: {getattr(statuses[0], 'Code', '?') if statuses else 'no status'}")


BACKENDS = {"console": ConsoleBackend, "aliyun": AliyunBackend, "tencent": TencentBackend}


def get_backend():
    try:
        return BACKENDS[settings.SMS_BACKEND]()
    except KeyError:
        raise ImproperlyConfigured(
            f"SMS_BACKEND={settings.SMS_BACKEND!r}: choose one of {', '.join(BACKENDS)}") from None


def template_id(key: str) -> str:
    """The provider's template id for one of our template keys (SMS_TEMPLATES)."""
    try:
        return settings.SMS_TEMPLATES[key]
    except KeyError:
        raise ImproperlyConfigured(f"SMS_TEMPLATES has no template id for {key!r}") from None
