import time

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from crm.demo import DEMO_PASSWORD


def _patterns_without_arguments(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            yield from _patterns_without_arguments(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and not entry.pattern.regex.groups:
            yield prefix + str(entry.pattern)


@pytest.mark.django_db
def test_every_page_but_login_requires_a_login(client):
    # The API's schema and its documentation are published; its endpoints want a system
    # client's token (401, not the staff login page: another system cannot log in there).
    public = {"accounts/login/", "healthz", "i18n/setlang/", "api/schema/", "api/docs/", "api/docs/redoc/", "m/login/"}
    checked = tokens = 0
    for route in _patterns_without_arguments():
        if route in public or "<" in route:
            continue
        response = client.get("/" + route)
        if route.startswith("api/v1/"):
            assert response.status_code == 401, route
            tokens += 1
            continue
        assert response.status_code == 302, route
        # the owner portal has its own login page
        assert response["Location"].startswith("/m/login/" if route.startswith("m/") else "/accounts/login/"), route
        checked += 1
    assert checked >= 5 and tokens >= 5


@pytest.mark.django_db
def test_login_page_speaks_chinese(client):
    response = client.get(reverse("login"))
    assert "请使用工作账号登录" in response.content.decode()


@pytest.mark.django_db
def test_english_is_available(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    response = client.get(reverse("login"))
    assert "Sign in with your work account" in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_is_refused_in_chinese(client, make_user):
    make_user("front_desk", username="desk")
    response = client.post(reverse("login"), {"username": "desk", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode() or "请输入一个正确的" in response.content.decode()


@pytest.mark.django_db
def test_axes_locks_username_and_ip_after_five_failures_then_cools_off(client, make_user, settings):
    from axes.models import AccessAttempt

    make_user("front_desk", username="desk")
    for _ in range(5):
        client.post(reverse("login"), {"username": "desk", "password": "wrong"}, REMOTE_ADDR="10.0.0.5")
    locked = client.post(reverse("login"), {"username": "desk", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.5")
    assert locked.status_code == 429
    assert "暂时锁定" in locked.content.decode()
    # The same user from another desk is not locked: username and IP together.
    other = client.post(reverse("login"), {"username": "desk", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.6")
    assert other.status_code == 302
    # A cool-off, never a permanent lock.
    assert settings.AXES_COOLOFF_TIME.total_seconds() > 0
    AccessAttempt.objects.update(attempt_time="2000-01-01T00:00:00Z")
    client.logout()
    again = client.post(reverse("login"), {"username": "desk", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.5")
    assert again.status_code == 302


@pytest.mark.django_db
def test_idle_session_is_ended(client, make_user, settings):
    user = make_user("front_desk")
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["crm_last_seen"] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 5
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_session_ends_at_the_absolute_limit_even_when_active(client, make_user, settings):
    client.force_login(make_user("front_desk"))
    client.get(reverse("home"))
    session = client.session
    session["crm_started"] = int(time.time()) - settings.SESSION_COOKIE_AGE - 5
    session["crm_last_seen"] = int(time.time())
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_disabled_user_loses_the_session(client, make_user):
    user = make_user("front_desk")
    client.force_login(user)
    user.is_active = False
    user.save()
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_password_change_page_in_chinese(client, make_user):
    client.force_login(make_user("cs_staff"))
    assert "修改密码" in client.get(reverse("password_change")).content.decode()


@pytest.mark.django_db
def test_denied_permission_is_a_friendly_403(client, make_user):
    client.force_login(make_user("front_desk"))
    response = client.get(reverse("admin:index"))
    # The admin sends non-staff users to its login; our own views raise PermissionDenied.
    assert response.status_code in (302, 403)
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory

    from crm.views import permission_denied

    request = RequestFactory().get("/x/")
    request.user = make_user("legal")
    denied = permission_denied(request, PermissionDenied("您的角色不能查看该客户。"))
    assert denied.status_code == 403
    assert "您的角色不能查看该客户" in denied.content.decode()
