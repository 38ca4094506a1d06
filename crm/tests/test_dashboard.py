"""The home page's cards (crm/dashboard.py): cached per user; one's own action shows at once,
another user's action does not throw one's cached cards away (it shows within the minute)."""
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from complaints.models import Complaint, State

pytestmark = pytest.mark.django_db


def logged_in(username) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def waiting_for_me(client) -> int:
    cards = client.get(reverse("home")).context["cards"]
    return next(card.count for card in cards if card.title == "待我审批")


def test_own_action_shows_at_once_and_another_users_within_the_minute(demo):
    manager, staff = logged_in("manager"), logged_in("cs_staff")
    before = waiting_for_me(manager)
    case = Complaint.objects.filter(state=State.INVESTIGATED).order_by("pk").first()
    response = staff.post(reverse("complaints:act", args=[case.pk, "submit_plan"]), {"content": "更换全部窗户密封条"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.PLAN_PENDING
    assert waiting_for_me(manager) == before  # another user's action: the cached cards stay…
    cache.clear()  # …until their minute is over
    assert waiting_for_me(manager) == before + 1
    response = manager.post(reverse("complaints:act", args=[case.pk, "approve_plan"]), {"comment": "同意"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.PLAN_APPROVED
    assert waiting_for_me(manager) == before  # one's own action: at once


def test_forget_cards_makes_the_next_home_page_recompute_the_users_cards(demo):
    from crm.dashboard import forget_cards

    manager = logged_in("manager")
    before_manager = waiting_for_me(manager)
    case = Complaint.objects.filter(state=State.INVESTIGATED).order_by("pk").first()
    staff = logged_in("cs_staff")
    assert staff.post(reverse("complaints:act", args=[case.pk, "submit_plan"]),
                      {"content": "更换密封条"}).status_code == 302
    assert waiting_for_me(manager) == before_manager  # another user's action: still cached
    forget_cards(get_user_model().objects.get(username="manager"))
    assert waiting_for_me(manager) == before_manager + 1
