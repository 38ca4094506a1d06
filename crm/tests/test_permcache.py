"""Permissions kept in the cache between requests (crm/permcache.py): a page does not read them
from the database again, and an admin's change to groups or permissions applies at once."""
import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

REGISTER = "complaints.view_complaint"


def permission_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, [q["sql"] for q in ctx.captured_queries if '"auth_permission"' in q["sql"]]


def test_the_second_page_reads_no_permissions_from_the_database(client, make_user):
    user = make_user("cs_supervisor")
    client.force_login(user)
    response, first = permission_queries(client, reverse("complaints:register"))
    assert response.status_code == 200 and len(first) == 1
    response, second = permission_queries(client, reverse("complaints:register"))
    assert response.status_code == 200 and second == []


def test_joining_and_leaving_a_group_applies_on_the_next_request(client, make_user):
    user = make_user("legal")
    client.force_login(user)
    assert client.get(reverse("complaints:register")).status_code == 403
    user.groups.add(Group.objects.get(name="cs_supervisor"))
    assert client.get(reverse("complaints:register")).status_code == 200
    user.groups.remove(Group.objects.get(name="cs_supervisor"))
    assert client.get(reverse("complaints:register")).status_code == 403


def test_a_permission_taken_from_a_group_is_refused_on_the_next_request(client, make_user):
    user = make_user("cs_supervisor")
    client.force_login(user)
    assert client.get(reverse("complaints:register")).status_code == 200
    app, codename = REGISTER.split(".")
    permission = Permission.objects.get(content_type__app_label=app, codename=codename)
    Group.objects.get(name="cs_supervisor").permissions.remove(permission)
    assert client.get(reverse("complaints:register")).status_code == 403
    user.user_permissions.add(permission)
    assert client.get(reverse("complaints:register")).status_code == 200


def test_cached_permissions_are_the_ones_django_computes(make_user):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.backends import ModelBackend

    from crm.permcache import user_permissions

    user = make_user("finance")
    expected = ModelBackend().get_all_permissions(get_user_model().objects.get(pk=user.pk))
    assert user_permissions(user) == expected  # from the database
    assert user_permissions(user) == expected  # from the cache
