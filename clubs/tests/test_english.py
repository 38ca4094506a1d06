"""An English user meets the clubs' refusals and notices in English, while what the pages write
as a record (an approval's plan, a case made from an opinion, a points entry's reason) stays in
the office's language whoever wrote it."""
import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from clubs import services
from clubs.tests import factories
from clubs.models import ClubMember, ForumOpinion, OwnerForum, PointsEntry
from crm.approvals import approved_at
from crm.models import ApprovalRequest, StaffProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(as_role):
    """english(role) -> the client logged in as that demo user, who chose English."""
    def login(role):
        client = as_role(role)
        StaffProfile.objects.filter(user__username=role).update(language="en")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


def test_redeeming_more_than_the_balance_is_refused_in_english_and_writes_nothing(english):
    client = english("cs_staff")
    member = ClubMember.objects.filter(club__name="阳光·悦邻会", status="active").first()
    balance = services.points_balance(member)
    before = PointsEntry.objects.filter(member=member).count()
    response = client.post(reverse("clubs:member_act", args=[member.pk, "redeem"]),
                           {"kind": "gift", "points": balance + 1, "reason": "大礼包"}, follow=True)
    page = response.content.decode()
    assert f"Not enough points: the balance is {balance}, {balance + 1} cannot be redeemed." in page
    assert "积分不足" not in page
    assert PointsEntry.objects.filter(member=member).count() == before
    assert services.points_balance(member) == balance


def test_holding_a_forum_before_its_approval_is_refused_in_english(english):
    client = english("cs_staff")
    forum = OwnerForum.objects.get(status="prepared")
    early = timezone.localtime(approved_at(forum)) - dt.timedelta(days=1)
    invited = list(forum.participants.values_list("customer_id", flat=True))
    response = client.post(reverse("clubs:forum_act", args=[forum.pk, "hold"]),
                           {"held_at": early.strftime("%Y-%m-%dT%H:%M"), "minutes": "记录", "attended": invited[:1]},
                           follow=True)
    assert "Held at cannot be before plan approval time" in response.content.decode()
    forum.refresh_from_db()
    assert forum.status == "prepared" and forum.held_at is None


def test_an_english_user_submitting_a_plan_reads_english_and_the_approval_keeps_chinese(english):
    client = english("cs_staff")
    forum = factories.forum(User.objects.get(username="cs_staff"), title="English plan")
    response = client.post(reverse("clubs:forum_act", args=[forum.pk, "submit"]), follow=True)
    assert "Submitted for approval." in response.content.decode()
    forum.refresh_from_db()
    assert forum.status == "submitted"
    approval = ApprovalRequest.objects.filter(object_id=forum.pk, subject="clubs.forum_plan").latest("pk")
    assert approval.title == f"客户座谈会方案：{forum.title}"
    assert f"预算：{forum.budget} 元" in approval.content and "Budget" not in approval.content


def test_an_opinion_turned_into_a_case_by_an_english_user_is_recorded_in_chinese(english):
    client = english("cs_staff")
    forum = OwnerForum.objects.get(status="held")
    opinion = forum.opinions.filter(complaint__isnull=True, customer__isnull=False).first()
    response = client.post(reverse("clubs:opinion_to_case", args=[forum.pk, opinion.pk]), follow=True)
    opinion.refresh_from_db()
    case = opinion.complaint
    assert f"Turned into complaint {case.number}." in response.content.decode()
    assert case.title == f"座谈会意见：{opinion.text[:40]}"
    assert case.description == f"{forum.number}《{forum.title}》中{opinion.speaker}提出：{opinion.text}"
    assert opinion.history.first().history_change_reason == "转为投诉"
    assert ForumOpinion.objects.get(pk=opinion.pk).complaint_id == case.pk
