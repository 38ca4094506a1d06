"""The administrator's screens of the API (admin › 系统接入): a client is created there and its
token shown once."""
import re

import pytest
from django.urls import reverse

from api.models import SystemClient, token_hash
from crm.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _add_form(**data):
    return {"name": "销售系统", "source": "sales", "rate_limit": "120", "active": "on",
            "subscriptions-TOTAL_FORMS": "0", "subscriptions-INITIAL_FORMS": "0",
            "subscriptions-MIN_NUM_FORMS": "0", "subscriptions-MAX_NUM_FORMS": "1000", **data}


def test_a_client_of_chosen_projects_is_created_with_them_and_its_token_shown_once(admin_client):
    lake, hill = ProjectFactory(code="lake", name="湖畔花园"), ProjectFactory(code="hill", name="山景苑")
    response = admin_client.post(reverse("admin:api_systemclient_add"), _add_form(
        scopes=["projects:read", "closeout:write"], projects=[str(lake.pk)]))
    # It was a 500 ("instance is on database None") for any client not of every project.
    assert response.status_code == 200, response.content[:500]
    token = re.search(r'<code id="api-token">([^<]+)</code>', response.content.decode()).group(1)
    client = SystemClient.objects.get()
    assert client.token_hash == token_hash(token) and not client.all_projects
    assert list(client.projects.all()) == [lake] and hill not in client.projects.all()
    assert client.scopes == ["projects:read", "closeout:write"]
    assert client.user.username == "api-sales"
    me = admin_client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.json()["projects"] == [lake.pk]
