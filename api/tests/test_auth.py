"""Bearer tokens, scopes, the rate limit, the last use, and nothing secret in the logs."""
import hashlib
import logging

import pytest
from django.urls import reverse

from api.models import SystemClient

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_only_as_its_sha256(system):
    caller = system()
    stored = SystemClient.objects.get(pk=caller.system.pk)
    assert stored.token_hash == hashlib.sha256(caller.token.encode()).hexdigest()
    assert caller.token not in str(SystemClient.objects.filter(pk=stored.pk).values().get())
    assert stored.user.username == f"api-{stored.source}" and not stored.user.has_usable_password()


def test_the_bearer_token_identifies_the_client_and_records_its_last_use(system):
    caller = system(scopes=["cases:read"])
    response = caller.get(reverse("api:me"))
    assert response.status_code == 200, response.content
    assert response.json()["scopes"] == ["cases:read"]
    assert SystemClient.objects.get(pk=caller.system.pk).last_used_at is not None


def test_no_token_a_wrong_token_or_an_inactive_client_is_401(system, client):
    caller = system()
    assert client.get(reverse("api:me")).status_code == 401
    assert client.get(reverse("api:me"), HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    SystemClient.objects.filter(pk=caller.system.pk).update(active=False)
    assert caller.get(reverse("api:me")).status_code == 401


def test_a_staff_session_reaches_no_endpoint(client, make_user):
    client.force_login(make_user("admin", username="boss"))
    assert client.get(reverse("api:case_list")).status_code == 401
    assert client.post(reverse("api:customers_bulk"), {}, content_type="application/json"
                       ).status_code == 401


def test_a_resource_outside_the_clients_scopes_is_403(system):
    caller = system(scopes=["overdue:read"], all_projects=True)
    assert caller.get(reverse("api:overdue_list")).status_code == 200
    assert caller.get(reverse("api:case_list")).status_code == 403
    assert caller.post(reverse("api:customers_bulk"), {"records": []}).status_code == 403


def test_read_scope_does_not_allow_writing(system):
    caller = system(scopes=["customers:read"], all_projects=True)
    assert caller.post(reverse("api:customers_bulk"), {"records": []}).status_code == 403


def test_the_rate_limit_is_per_client(system):
    limited, other = system(rate_limit=2), system(rate_limit=2)
    assert [limited.get(reverse("api:me")).status_code for _ in range(3)] == [200, 200, 429]
    assert other.get(reverse("api:me")).status_code == 200


def test_neither_the_token_nor_personal_data_reach_the_logs(system, two_projects, caplog):
    caller = system(all_projects=True, source="sales1")
    with caplog.at_level(logging.DEBUG):
        caller.get(reverse("api:me"))
        caller.post(reverse("api:customers_bulk"), {"records": [
            {"external_id": "C-1", "project": "P-lake", "name": "李四", "phone": "13900001111",
             "id_number": "110101199003074512"},
            {"external_id": "C-2", "project": "P-nowhere", "name": "王五", "phone": "bad"}]})
        caller.http.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {caller.token}x")
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in (caller.token, "13900001111", "110101199003074512", "李四", "王五"):
        assert secret not in text


def test_the_schema_and_the_docs_are_served_offline(client):
    schema = client.get(reverse("api:schema"))
    assert schema.status_code == 200 and b"/api/v1/cases/" in schema.content
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower() and "//unpkg" not in html
    assert client.get(reverse("api:redoc")).status_code == 200


def test_the_api_refuses_a_call_without_a_token_in_chinese(client):
    """Another system's programmers read the refusals: Django REST framework's own messages come
    in Chinese, like the API's own (its catalogue is installed)."""
    response = client.get(reverse("api:case_list"))
    assert response.status_code == 401
    assert response.json()["detail"] == "身份认证信息未提供。"


@pytest.mark.parametrize("scheme", ["Token", "Basic", "JWT"])
def test_a_token_sent_with_another_word_than_bearer_is_told_the_header_format(system, scheme):
    """"Token <token>" was answered "身份认证信息未提供" (nothing sent), like a call without a header."""
    caller = system(all_projects=True)
    response = caller.http.get(reverse("api:me"), HTTP_AUTHORIZATION=f"{scheme} {caller.token}")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authorization 头格式应为：Bearer <令牌>。"}
    assert caller.http.get(reverse("api:me"), HTTP_AUTHORIZATION=f"bearer {caller.token}").status_code == 200
