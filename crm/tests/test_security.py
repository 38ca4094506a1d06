import logging

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_security_headers_on_every_page(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_failed_logins_are_logged(client, make_user, caplog):
    make_user("cs_staff", username="staff1")
    with caplog.at_level(logging.WARNING, logger="crm.security"):
        client.post(reverse("login"), {"username": "staff1", "password": "nope"})
    assert "login failed username=staff1" in caplog.text


@pytest.mark.django_db
def test_denied_permissions_are_logged(as_role, caplog):
    with caplog.at_level(logging.WARNING, logger="crm.security"):
        response = as_role("legal").get(reverse("crm:export_register", args=["no-such-register"]))
    assert response.status_code == 403
    assert "permission denied user=legal" in caplog.text
