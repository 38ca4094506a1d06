import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from clubs import services
from clubs.models import Club, ClubActivity, ClubMember, ForumOpinion, OwnerForum, PointsEntry
from crm.models import ApprovalRequest

pytestmark = pytest.mark.django_db


def _user(name):
    return get_user_model().objects.get(username=name)


def _forum_data(**kw):
    data = {"title": "浏览器外的座谈会", "kind": "general", "topic": "", "purpose": "听意见", "project": "",
            "planned_at": (timezone.localtime() + timezone.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "location": "会所", "format": "meeting", "budget": "3000"}
    data.update(kw)
    return data


def test_manager_rejects_staff_revises_manager_approves_and_the_page_shows_both_versions(client, demo):
    staff, manager = _user("cs_staff"), _user("manager")
    client.force_login(staff)
    response = client.post(reverse("clubs:forum_create"), _forum_data())
    forum = OwnerForum.objects.get(title="浏览器外的座谈会")
    assert response.url == reverse("clubs:forum_detail", args=[forum.pk])
    client.post(reverse("clubs:forum_act", args=[forum.pk, "submit"]))

    client.force_login(manager)
    page = client.get(reverse("clubs:forum_detail", args=[forum.pk])).content.decode()
    assert 'id="do-approve"' in page and 'id="do-submit"' not in page
    client.post(reverse("clubs:forum_act", args=[forum.pk, "decide"]), {"decision": "reject", "comment": "预算过高"})
    forum.refresh_from_db()
    assert forum.status == "rejected"

    client.force_login(staff)
    page = client.get(reverse("clubs:forum_detail", args=[forum.pk])).content.decode()
    assert 'id="do-approve"' not in page and 'id="edit-plan"' in page
    client.post(reverse("clubs:forum_edit", args=[forum.pk]), _forum_data(budget="1200"))
    client.post(reverse("clubs:forum_act", args=[forum.pk, "submit"]))

    client.force_login(manager)
    client.post(reverse("clubs:forum_act", args=[forum.pk, "decide"]), {"decision": "approve", "comment": "同意"})
    forum.refresh_from_db()
    assert forum.status == "approved"
    page = client.get(reverse("clubs:forum_detail", args=[forum.pk])).content.decode()
    assert page.count('class="version-row"') == 2
    assert "预算过高" in page and "同意" in page and "已驳回" in page and "已批准" in page
    assert "3000" in page and "1200" in page  # each version's own content


def test_staff_posting_a_decision_is_refused_and_changes_nothing(client, demo):
    forum = OwnerForum.objects.get(status="submitted")
    client.force_login(_user("cs_supervisor"))
    response = client.post(reverse("clubs:forum_act", args=[forum.pk, "decide"]), {"decision": "approve"}, follow=True)
    assert "须由" in response.content.decode()
    forum.refresh_from_db()
    assert forum.status == "submitted"
    assert ApprovalRequest.objects.filter(object_id=forum.pk, subject="clubs.forum_plan", status="pending").exists()


def test_one_click_turns_an_opinion_into_a_linked_case(as_role):
    client = as_role("cs_staff")
    forum = OwnerForum.objects.get(status="held")
    opinion = forum.opinions.filter(complaint__isnull=True, customer__isnull=False).first()
    page = client.get(reverse("clubs:forum_detail", args=[forum.pk])).content.decode()
    assert f'id="to-case-{opinion.pk}"' in page
    client.post(reverse("clubs:opinion_to_case", args=[forum.pk, opinion.pk]))
    opinion.refresh_from_db()
    assert opinion.complaint is not None and opinion.complaint.channel == "forum"
    page = client.get(reverse("clubs:forum_detail", args=[forum.pk])).content.decode()
    assert opinion.complaint.number in page and f'id="to-case-{opinion.pk}"' not in page


def test_manager_cannot_turn_an_opinion_into_a_case(as_role):
    client = as_role("manager")
    opinion = ForumOpinion.objects.filter(complaint__isnull=True).first()
    response = client.post(reverse("clubs:opinion_to_case", args=[opinion.forum_id, opinion.pk]))
    assert response.status_code == 403


def test_redeeming_more_than_the_balance_shows_a_message_and_writes_nothing(as_role):
    client = as_role("cs_staff")
    member = ClubMember.objects.filter(club__name="阳光·悦邻会").first()
    balance = services.points_balance(member)
    before = PointsEntry.objects.count()
    response = client.post(reverse("clubs:member_act", args=[member.pk, "redeem"]),
                           {"kind": "gift", "points": balance + 1, "reason": "大礼包"}, follow=True)
    assert "积分不足" in response.content.decode()
    assert PointsEntry.objects.count() == before
    page = client.get(reverse("clubs:member_detail", args=[member.pk])).content.decode()
    assert f'id="balance">{balance}<' in page


def test_club_page_lists_members_with_balances(as_role):
    client = as_role("cs_staff")
    club = Club.objects.get(name="阳光·悦邻会")
    page = client.get(reverse("clubs:club_detail", args=[club.pk])).content.decode()
    for member in club.members.all():
        assert member.number in page
    assert str(services.points_balance(club.members.order_by("number").first())) in page


def test_pages_open_for_every_state(as_role):
    client = as_role("cs_staff")
    for forum in OwnerForum.objects.all():
        assert client.get(reverse("clubs:forum_detail", args=[forum.pk])).status_code == 200
        assert client.get(reverse("clubs:forum_print", args=[forum.pk])).status_code == 200
    for activity in ClubActivity.objects.all():
        assert client.get(reverse("clubs:activity_detail", args=[activity.pk])).status_code == 200
        assert client.get(reverse("clubs:activity_print", args=[activity.pk])).status_code == 200
    for name in ("clubs:home", "clubs:forum_list", "clubs:activity_list", "clubs:activity_records"):
        assert client.get(reverse(name)).status_code == 200
    forum = OwnerForum.objects.get(status="draft")
    assert client.get(reverse("clubs:forum_participants", args=[forum.pk]) + "?stage=resident").status_code == 200


def test_demo_has_forums_and_activities_in_every_state(demo):
    assert set(OwnerForum.objects.values_list("status", flat=True)) == set(OwnerForum.Status.values)
    assert set(ClubActivity.objects.values_list("status", flat=True)) == set(ClubActivity.Status.values)
    from crm.demo import load_all

    counts = (OwnerForum.objects.count(), ClubActivity.objects.count(), PointsEntry.objects.count())
    load_all(lambda *_: None)
    assert (OwnerForum.objects.count(), ClubActivity.objects.count(), PointsEntry.objects.count()) == counts


@pytest.mark.parametrize("code,title", [("clubs-forums", "客户座谈会记录"), ("clubs-activity-plans", "客户会活动计划"),
                                        ("clubs-activity-records", "客户会活动记录")])
def test_registers_export_to_excel_with_the_list_filters(as_role, code, title):
    client = as_role("cs_staff")
    response = client.get(reverse("crm:export_register", args=[code]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.title == title and sheet.max_row > 1
    filtered = client.get(reverse("crm:export_register", args=[code]) + "?status=evaluated"
                          if code != "clubs-forums" else reverse("crm:export_register", args=[code]) + "?status=closed")
    rows = openpyxl.load_workbook(io.BytesIO(b"".join(filtered.streaming_content))).active.max_row
    assert rows == 2


def test_users_without_clubs_permissions_are_refused(as_role):
    client = as_role("front_desk")
    assert client.get(reverse("clubs:home")).status_code == 403
    assert client.get(reverse("crm:export_register", args=["clubs-forums"])).status_code == 403


def test_manager_sees_but_cannot_submit(as_role):
    client = as_role("manager")
    forum = OwnerForum.objects.get(status="draft")
    assert client.get(reverse("clubs:forum_detail", args=[forum.pk])).status_code == 200
    assert client.post(reverse("clubs:forum_act", args=[forum.pk, "submit"])).status_code == 403
