"""Login by phone and SMS code, through the pages, reading the rows back."""
import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from crm.models import Notification
from crm.notifications import deliver_pending
from crm.scopes import user_role
from portal.models import CodeRequest, OwnerAccount, SmsCodeDevice

from .conftest import refusals, sent_code

pytestmark = pytest.mark.django_db


def test_an_owner_signs_in_with_the_code_and_is_bound_to_the_customers_with_that_phone(client, place):
    phone = place["owners"][0].phone
    response = client.post("/m/login/", {"phone": phone})
    assert response.status_code == 302 and response["Location"] == "/m/login/code/"
    code = sent_code(phone)
    device = SmsCodeDevice.objects.get(user__owner_account__phone=phone)
    assert device.token and code not in device.token and len(device.token) == 64  # only the hash is kept
    note = Notification.objects.get(sms_to=phone)
    assert note.delivered_at and note.secret and code not in note.body and note.sms_params == {}  # erased once sent
    response = client.post("/m/login/code/", {"phone": phone, "code": code})
    assert response.status_code == 302 and response["Location"] == "/m/privacy/"  # the notice first
    assert client.get("/m/")["Location"] == "/m/privacy/"
    client.post("/m/privacy/")
    account = OwnerAccount.objects.get(phone=phone)
    assert account.consents.get().version == settings.PORTAL_PRIVACY_VERSION
    assert list(account.customers.all()) == [place["owners"][0]]
    assert user_role(account.user) == "owner" and not account.user.get_all_permissions()
    page = client.get("/m/")
    assert page.status_code == 200 and "101" in page.content.decode()
    # the code is used up
    client.post("/m/logout/")
    client.post("/m/login/", {"phone": phone})  # a new code is sent…
    again = client.post("/m/login/code/", {"phone": phone, "code": code}, follow=True)  # …the old one is dead
    assert "验证码不正确或已过期" in again.content.decode()


def test_an_unknown_number_gets_the_same_answer_and_no_account_nor_sms(client, place):
    known = client.post("/m/login/", {"phone": place["owners"][0].phone})
    unknown = client.post("/m/login/", {"phone": "13999999999"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    deliver_pending()
    assert not OwnerAccount.objects.filter(phone="13999999999").exists()
    assert not Notification.objects.filter(sms_to="13999999999").exists()
    assert CodeRequest.objects.filter(phone="13999999999").count() == 1  # counted like any other
    page = client.post("/m/login/code/", {"phone": "13999999999", "code": "123456"}, follow=True)
    assert "客服热线" in page.content.decode() and not page.wsgi_request.user.is_authenticated


@pytest.mark.parametrize("wrong_tries, signed_in", [(4, True), (5, False)])
def test_the_fifth_wrong_try_kills_the_code_and_the_fourth_does_not(client, place, wrong_tries, signed_in):
    phone = place["owners"][0].phone
    client.post("/m/login/", {"phone": phone})
    code = sent_code(phone)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(wrong_tries):
        client.post("/m/login/code/", {"phone": phone, "code": wrong})
    assert SmsCodeDevice.objects.get(user__owner_account__phone=phone).failures == wrong_tries
    response = client.post("/m/login/code/", {"phone": phone, "code": code}, follow=True)
    assert response.wsgi_request.user.is_authenticated is signed_in
    device = SmsCodeDevice.objects.get(user__owner_account__phone=phone)
    assert (device.token is None) is signed_in  # used up by the login, or still there and dead
    assert device.failures == (0 if signed_in else wrong_tries)  # a login starts the count again


def test_a_code_expires_after_five_minutes(client, place):
    phone = place["owners"][0].phone
    client.post("/m/login/", {"phone": phone})
    code = sent_code(phone)
    SmsCodeDevice.objects.update(valid_until=timezone.now() - dt.timedelta(seconds=1))
    response = client.post("/m/login/code/", {"phone": phone, "code": code}, follow=True)
    assert not response.wsgi_request.user.is_authenticated


def test_at_most_five_codes_per_phone_and_twenty_per_ip_in_an_hour(client, place):
    phone = place["owners"][0].phone
    for _ in range(5):
        client.post("/m/login/", {"phone": phone})
    page = client.post("/m/login/", {"phone": phone})
    assert page.status_code == 200 and "过于频繁" in page.content.decode()
    assert CodeRequest.objects.filter(phone=phone).count() == 5
    for i in range(14):
        client.post("/m/login/", {"phone": f"1370000{i:04d}"})
    assert CodeRequest.objects.count() == 19
    client.post("/m/login/", {"phone": "13600000001"})
    page = client.post("/m/login/", {"phone": "13600000002"})
    assert "过于频繁" in page.content.decode() and CodeRequest.objects.count() == 20
    CodeRequest.objects.update(at=timezone.now() - dt.timedelta(minutes=61))  # an hour later
    assert client.post("/m/login/", {"phone": phone}).status_code == 302


def test_the_development_page_shows_the_code_only_when_allowed(client, place, settings):
    phone = place["owners"][0].phone
    client.post("/m/login/", {"phone": phone})
    assert 'data-testid="dev-code"' not in client.get("/m/login/code/").content.decode()
    settings.PORTAL_SHOW_CODE = True
    client.post("/m/login/", {"phone": phone})
    page = client.get("/m/login/code/").content.decode()
    assert 'data-testid="dev-code"' in page and sent_code(phone) in page


def test_staff_get_403_on_the_portal_and_owners_403_on_staff_pages(client, place, make_user, owner_login):
    client.force_login(make_user("cs_staff"))
    assert client.get("/m/").status_code == 403
    client.logout()
    assert client.get("/m/")["Location"].startswith("/m/login/")
    owner_login(0)
    for url in ("/", "/complaints/", "/owners/", "/admin/", "/accounts/password/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("backend, package", [("aliyun", "alibabacloud-dysmsapi20170525"),
                                              ("tencent", "tencentcloud-sdk-python-sms")])
def test_a_cloud_backend_without_its_sdk_fails_clearly_and_the_sms_is_retried(client, place, settings, backend,
                                                                           package):
    from crm.sms import AliyunBackend, TencentBackend, get_backend

    settings.SMS_BACKEND = backend
    assert isinstance(get_backend(), {"aliyun": AliyunBackend, "tencent": TencentBackend}[backend])
    with pytest.raises(ImproperlyConfigured, match=package):
        get_backend().send(phone="13800000001", template="login_code", params={"code": "1"}, text="")
    client.post("/m/login/", {"phone": place["owners"][0].phone})
    deliver_pending()
    note = Notification.objects.get(sms_to=place["owners"][0].phone)
    assert note.delivered_at is None and note.attempts == 1 and package in note.last_error
    settings.SMS_BACKEND = "console"  # fixed: the next sweep sends it
    Notification.objects.update(claimed_until=None)
    deliver_pending()
    note.refresh_from_db()
    assert note.delivered_at is not None and note.body == ""


def test_an_unknown_backend_name_is_refused():
    from django.test import override_settings

    from crm.sms import get_backend

    with override_settings(SMS_BACKEND="pigeon"), pytest.raises(ImproperlyConfigured, match="console"):
        get_backend()


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(phone=st.one_of(st.text(max_size=30), st.from_regex(r"^[02-9]\d{10}$", fullmatch=True),
                       st.from_regex(r"^1[0-2]\d{9}$", fullmatch=True), st.from_regex(r"^1\d{5,9}$", fullmatch=True)))
def test_a_bad_phone_number_is_refused_in_chinese_and_nothing_is_written(client, place, phone):
    response = client.post("/m/login/", {"phone": phone})
    assert response.status_code == 200
    refusals(response)
    assert not CodeRequest.objects.exists() and not OwnerAccount.objects.exists()


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.one_of(st.text(max_size=12), st.from_regex(r"^\d{1,5}$", fullmatch=True),
                      st.from_regex(r"^\d{7,9}$", fullmatch=True)))
def test_a_malformed_code_is_refused_in_chinese_and_nothing_is_written(client, place, code):
    phone = place["owners"][0].phone
    session = client.session
    session["portal_phone"] = phone
    session.save()
    before = list(SmsCodeDevice.objects.values_list("failures", flat=True))
    response = client.post("/m/login/code/", {"phone": phone, "code": code})
    assert response.status_code == 200
    refusals(response)
    assert list(SmsCodeDevice.objects.values_list("failures", flat=True)) == before
    assert not get_user_model().objects.filter(owner_account__isnull=False, last_login__isnull=False).exists()


def test_a_login_code_that_cannot_be_sent_is_erased_after_the_last_try(client, place, settings):
    from crm.notifications import MAX_ATTEMPTS

    settings.SMS_BACKEND = "aliyun"  # its SDK is not installed: every try fails
    client.post("/m/login/", {"phone": place["owners"][0].phone})
    for _ in range(MAX_ATTEMPTS):
        Notification.objects.update(claimed_until=None)
        deliver_pending()
    note = Notification.objects.get(sms_to=place["owners"][0].phone)
    assert note.attempts == MAX_ATTEMPTS and note.delivered_at is None
    assert note.body == "" and note.sms_params == {}


def set_rules(**values):
    """The admin edits the portal's rules (crm.rules, the Rule table)."""
    from crm.models import Rule

    for name, value in values.items():
        row, _ = Rule.objects.get_or_create(key=f"portal.{name}", defaults={"value": value})
        row.value = value
        row.save()


def test_the_login_limits_are_rules_an_admin_changes(client, place, capsys):
    set_rules(code_max_failures=2, code_valid_minutes=2, codes_per_phone_hour=2, codes_per_ip_hour=3)
    phone = place["owners"][0].phone
    client.post("/m/login/", {"phone": phone})
    page = client.get("/m/login/code/").content.decode()
    assert "2 分钟内有效" in page
    code = sent_code(phone)
    device = SmsCodeDevice.objects.get(user__owner_account__phone=phone)
    assert abs((device.valid_until - timezone.now()) - dt.timedelta(minutes=2)) < dt.timedelta(seconds=1)
    assert f"您的验证码是 {code}，2 分钟内有效" in capsys.readouterr().out  # the SMS as sent (erased since)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(2):
        client.post("/m/login/code/", {"phone": phone, "code": wrong})
    response = client.post("/m/login/code/", {"phone": phone, "code": code}, follow=True)
    assert not response.wsgi_request.user.is_authenticated  # dead after the second wrong try
    assert client.post("/m/login/", {"phone": phone}).status_code == 302  # the second code of the hour
    page = client.post("/m/login/", {"phone": phone})
    assert page.status_code == 200 and "过于频繁" in page.content.decode()  # the third is refused
    assert CodeRequest.objects.filter(phone=phone).count() == 2
    assert client.post("/m/login/", {"phone": "13700000001"}).status_code == 302  # the IP's third
    page = client.post("/m/login/", {"phone": "13700000002"})
    assert "过于频繁" in page.content.decode() and CodeRequest.objects.count() == 3


def test_a_code_is_good_until_its_last_second(client, place):
    phone = place["owners"][0].phone
    client.post("/m/login/", {"phone": phone})
    code = sent_code(phone)
    SmsCodeDevice.objects.update(valid_until=timezone.now() + dt.timedelta(seconds=2))
    response = client.post("/m/login/code/", {"phone": phone, "code": code})
    assert response.status_code == 302 and response.wsgi_request.user.is_authenticated


def test_the_first_login_records_the_owner_and_when(client, place):
    """The account is named after its customer, is in the owner group, and knows when it was
    bound and when it last signed in (read back)."""
    phone = place["owners"][0].phone
    client.post("/m/login/", {"phone": phone})
    before = timezone.now()
    client.post("/m/login/code/", {"phone": phone, "code": sent_code(phone)})
    account = OwnerAccount.objects.select_related("user").get(phone=phone)
    assert account.user.first_name == place["owners"][0].name
    assert list(account.user.groups.values_list("name", flat=True)) == ["owner"]
    assert before <= account.bound_at <= timezone.now() and account.last_login_at == account.bound_at
    device = SmsCodeDevice.objects.get(user=account.user)
    assert device.name == phone and device.failures == 0 and device.token is None


def test_the_login_limits_refuse_with_their_own_words_and_codes(place):
    from django.core.exceptions import ValidationError

    from portal import auth

    phone = place["owners"][0].phone
    for _ in range(5):
        auth.sms_code_request(phone=phone, ip="10.0.0.1")
    with pytest.raises(ValidationError) as refused:
        auth.sms_code_request(phone=phone, ip="10.0.0.1")
    assert refused.value.messages == ["该号码获取验证码过于频繁，请一小时后再试。"] and refused.value.code == "phone_limit"
    for i in range(15):
        auth.sms_code_request(phone=f"1370000{i:04d}", ip="10.0.0.1")
    with pytest.raises(ValidationError) as refused:
        auth.sms_code_request(phone="13600000001", ip="10.0.0.1")
    assert refused.value.messages == ["获取验证码过于频繁，请一小时后再试。"] and refused.value.code == "ip_limit"
    assert auth.sms_code_request(phone="13600000001", ip="10.0.0.2") is None  # another address counts apart
    with pytest.raises(ValidationError) as refused:
        auth.normal_phone("1234")
    assert refused.value.messages == ["请输入正确的 11 位手机号码。"] and refused.value.code == "phone"
    with pytest.raises(ValidationError) as refused:
        auth.sms_code_check(phone="13600000001", code="123456")
    assert refused.value.messages == [str(auth.WRONG_CODE).format(hotline=settings.PORTAL_HOTLINE)]
    assert refused.value.code == "code" and settings.PORTAL_HOTLINE in refused.value.messages[0]


def test_a_malformed_code_never_reaches_the_device_nor_counts_a_try(place):
    from django.core.exceptions import ValidationError

    from portal import auth

    phone = place["owners"][0].phone
    auth.sms_code_request(phone=phone, ip=None)
    code = sent_code(phone)
    for bad in ("12345", "1234567", f"{code[:5]}a", ""):
        with pytest.raises(ValidationError):
            auth.sms_code_check(phone=phone, code=bad)
    assert SmsCodeDevice.objects.get(user__owner_account__phone=phone).failures == 0
    assert auth.sms_code_check(phone=phone, code=code).phone == phone


def test_the_code_sms_names_itself_and_its_six_digits(client, place, capsys):
    phone = place["owners"][0].phone
    client.post("/m/login/", {"phone": phone})
    code = sent_code(phone)
    assert len(code) == 6 and code.isdigit()
    assert Notification.objects.get(sms_to=phone).title == "业主端登录验证码"
    assert f"[SMS → {phone}] 业主端登录验证码 您的验证码是 {code}，5 分钟内有效。如非本人操作请忽略。" in capsys.readouterr().out


def test_a_code_dies_at_its_last_instant(place):
    """Valid strictly before ``valid_until`` (the clock is set on Django's timezone.now)."""
    from unittest import mock

    from portal import auth

    phone = place["owners"][0].phone
    auth.sms_code_request(phone=phone, ip=None)
    code = sent_code(phone)
    device = SmsCodeDevice.objects.get(user__owner_account__phone=phone)
    with mock.patch("portal.models.timezone.now", return_value=device.valid_until):
        assert not SmsCodeDevice.objects.get(pk=device.pk).verify_token(code)
    with mock.patch("portal.models.timezone.now", return_value=device.valid_until - dt.timedelta(microseconds=1)):
        assert SmsCodeDevice.objects.get(pk=device.pk).verify_token(code)
