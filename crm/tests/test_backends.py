"""The login backend (crm/backends.py): one query for the session's user with profile and unread
count, and Django's own checks (active user, session hash) still in force."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.notifications import notify

pytestmark = pytest.mark.django_db


def test_the_user_profile_and_unread_count_come_in_one_query(client, make_user):
    user = make_user("cs_staff")
    notify(recipients=[user], title="待办一", body="")
    notify(recipients=[user], title="待办二", body="")
    client.force_login(user)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"))
    user_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "auth_user"' in q["sql"]]
    profile_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "crm_staffprofile"' in q["sql"]]
    assert len(user_reads) == 1 and profile_reads == []
    assert response.context["unread_notifications"] == 2
    assert response.context["user_role"] == "cs_staff"


def test_a_deactivated_user_is_logged_out_on_the_next_request(client, make_user):
    user = make_user("front_desk")
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    user.is_active = False
    user.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_a_password_changed_elsewhere_ends_this_session(client, make_user):
    user = make_user("finance")
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    user.set_password("another-Secret-2026")
    user.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_the_unread_badge_counts_up_to_its_cap_and_then_says_99_plus(client, make_user):
    from crm.models import Notification
    from crm.notifications import BADGE_CAP

    user, other = make_user("cs_staff"), make_user("cs_staff")
    Notification.objects.bulk_create(
        [Notification(recipient=user, title=f"待办{i}", dedupe_key=f"k{i}") for i in range(BADGE_CAP)]
        + [Notification(recipient=other, title="别人的", dedupe_key="o")])
    client.force_login(user)
    page = client.get(reverse("home"))
    assert page.context["unread_notifications"] == BADGE_CAP
    assert f'data-testid="unread-count">{BADGE_CAP}</span>' in page.text

    Notification.objects.create(recipient=user, title="第一百条", dedupe_key="k100")
    Notification.objects.create(recipient=user, title="第一百零一条", dedupe_key="k101")
    page = client.get(reverse("home"))
    assert page.context["unread_notifications"] == BADGE_CAP + 1  # counted no further
    assert f'data-testid="unread-count">{BADGE_CAP}+</span>' in page.text

    Notification.objects.filter(recipient=user).exclude(dedupe_key="k0").update(read_at=timezone.now())
    page = client.get(reverse("home"))
    assert 'data-testid="unread-count">1</span>' in page.text
    Notification.objects.filter(recipient=user).update(read_at=timezone.now())
    assert 'data-testid="unread-count"' not in client.get(reverse("home")).text
