"""我的信息, the preference-profile viewers, a correction request, and the inbox."""
import pytest
from django.test import Client

from complaints.models import Complaint
from crm.models import Notification
from owners.models import AccessLog

from .conftest import post_form
from .test_cases import report

pytestmark = pytest.mark.django_db


def test_my_data_is_masked_and_shows_who_viewed_my_preference_profile(client, place, owner_login, make_user):
    customer = place["owners"][0]
    viewer = make_user("cs_staff")
    AccessLog.objects.create(user=viewer, customer=customer, what=AccessLog.What.PREFERENCE, reason="准备生日关怀")
    AccessLog.objects.create(user=viewer, customer=place["owners"][1], what=AccessLog.What.PREFERENCE,
                             reason="别人的记录")
    owner_login(0)
    page = client.get("/m/me/").content.decode()
    assert customer.name in page and customer.phone not in page and customer.phone[-4:] in page
    assert "准备生日关怀" in page and "客户事务部专员" in page and viewer.username not in page
    assert "别人的记录" not in page


def test_a_correction_request_becomes_a_need_case(client, place, owner_login):
    owner_login(0)
    post_form(client, "/m/me/", "/m/me/correction/",
              {"customer": place["owners"][0].pk, "text": "手机号已更换为 13911112222"})
    case = Complaint.objects.get()
    assert case.kind == "need_suggestion" and case.channel == "owner_portal" and "13911112222" in case.description
    other = place["owners"][1].pk
    assert post_form(client, "/m/me/", "/m/me/correction/", {"customer": other, "text": "x"}).status_code == 404
    assert Complaint.objects.count() == 1


def test_the_inbox_lists_my_messages_and_never_the_login_code(client, place, owner_login):
    owner_login(0)
    report(client, place["units"][0])
    case = Complaint.objects.get()
    page = client.get("/m/inbox/").content.decode()
    assert case.number in page and "验证码是" not in page
    note = Notification.objects.get(recipient__owner_account__phone=place["owners"][0].phone, secret=False)
    response = client.get(f"/m/inbox/{note.pk}/")
    assert response["Location"] == f"/m/cases/{case.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None
    other = owner_login(1, Client())
    assert other.get(f"/m/inbox/{note.pk}/").status_code == 404


def test_the_club_page_shows_my_points_and_ledger_only(client, place, owner_login, make_user):
    import datetime as dt

    from clubs import services as club_services

    staff = make_user("cs_staff")
    club = club_services.club_create(user=staff, name="阳光会", founding_plan="方案", project=place["project"])
    from clubs.models import Club

    Club.objects.filter(pk=club.pk).update(status="founded", founded_on=dt.date(2026, 1, 1))
    club.refresh_from_db()
    mine = club_services.member_enroll(user=staff, club=club, customer=place["owners"][0])
    theirs = club_services.member_enroll(user=staff, club=club, customer=place["owners"][1])
    club_services.points_earn(user=staff, member=mine, kind="referral", reason="推荐亲友")
    club_services.points_earn(user=staff, member=theirs, kind="purchase", reason="别人的积分")
    owner_login(0)
    page = client.get("/m/club/").content.decode()
    assert "阳光会" in page and mine.number in page and "推荐亲友" in page
    assert theirs.number not in page and "别人的积分" not in page


def test_an_owner_signs_up_for_a_forum_within_its_capacity_and_deadline(client, place, owner_login, make_user):
    import datetime as dt

    from django.utils import timezone

    from clubs import services as club_services
    from clubs.models import ForumParticipant, OwnerForum

    staff = make_user("cs_staff")
    forum = club_services.forum_create(user=staff, title="物业服务座谈", kind="general", purpose="听取意见",
                                       planned_at=timezone.now() + dt.timedelta(days=7), project=place["project"],
                                       capacity=1, signup_deadline=timezone.now() + dt.timedelta(days=5))
    OwnerForum.objects.filter(pk=forum.pk).update(status="approved")
    owner_login(0)
    assert "物业服务座谈" in client.get("/m/club/").content.decode()
    client.post(f"/m/forums/{forum.pk}/join/")
    assert ForumParticipant.objects.filter(forum=forum, customer=place["owners"][0]).exists()
    other = owner_login(1, Client())
    page = other.post(f"/m/forums/{forum.pk}/join/", follow=True).content.decode()
    assert "名额已满" in page and ForumParticipant.objects.count() == 1
    client.post(f"/m/forums/{forum.pk}/cancel/")
    assert not ForumParticipant.objects.exists()
    OwnerForum.objects.filter(pk=forum.pk).update(signup_deadline=timezone.now() - dt.timedelta(minutes=1))
    page = other.post(f"/m/forums/{forum.pk}/join/", follow=True).content.decode()
    assert "报名已截止" in page and not ForumParticipant.objects.exists()
    OwnerForum.objects.filter(pk=forum.pk).update(status="draft")
    assert other.post(f"/m/forums/{forum.pk}/join/").status_code == 404
