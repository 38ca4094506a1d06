"""Edits and typed dates of the clubs pages, read back from the database (issue 13, defects 1 and 6)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from clubs import services
from clubs.models import Club, ClubActivity, ClubMember, OwnerForum, PointsEntry
from clubs.tests.test_views import _user
from owners.models import Customer

pytestmark = pytest.mark.django_db


# --- Edits read back from the database (issue 13, defect 1) -------------------------------------

def _posted(form):
    """What the edit page would send back unchanged: its initial values, as the browser posts them."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if hasattr(value, "pk"):
            value = value.pk
        elif hasattr(value, "strftime") and hasattr(value, "hour"):
            value = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        data[name] = "" if value is None else value
    return data


def test_a_forum_plan_edited_on_its_page_is_saved_with_one_history_entry(as_role):
    client = as_role("cs_staff")
    forum = OwnerForum.objects.get(status="draft")
    url = reverse("clubs:forum_edit", args=[forum.pk])
    data = _posted(client.get(url).context["form"])
    entries = forum.history.count()
    assert client.post(url, {**data, "location": "阳光花园二楼会议室", "budget": "1500"}).status_code == 302
    stored = OwnerForum.objects.get(pk=forum.pk)
    assert (stored.location, stored.budget, stored.title) == ("阳光花园二楼会议室", 1500, forum.title)
    assert stored.history.count() == entries + 1
    entry = stored.history.first()
    assert (entry.history_user.username, entry.history_change_reason) == ("cs_staff", "修改方案")


def test_a_founding_plan_edited_on_its_page_is_saved_with_one_history_entry(as_role):
    client = as_role("cs_staff")
    client.post(reverse("clubs:club_create"), {"name": "阳光·新邻会", "project": "", "founding_plan": "初稿", "rules": ""})
    club = Club.objects.get(name="阳光·新邻会")
    entries = club.history.count()
    response = client.post(reverse("clubs:club_edit", args=[club.pk]),
                           {"name": "阳光·新邻会", "project": "", "founding_plan": "第二稿", "rules": "章程草案"})
    assert response.status_code == 302
    stored = Club.objects.get(pk=club.pk)
    assert (stored.founding_plan, stored.rules) == ("第二稿", "章程草案")
    assert stored.history.count() == entries + 1
    assert stored.history.first().history_change_reason == "修改成立方案"


def test_an_activity_plan_edited_on_its_page_is_saved_with_one_history_entry(as_role):
    client = as_role("cs_staff")
    activity = ClubActivity.objects.get(status="draft")
    url = reverse("clubs:activity_edit", args=[activity.pk])
    data = _posted(client.get(url).context["form"])
    entries = activity.history.count()
    assert client.post(url, {**data, "content": "中秋赏月、猜灯谜"}).status_code == 302
    stored = ClubActivity.objects.get(pk=activity.pk)
    assert stored.content == "中秋赏月、猜灯谜" and stored.title == activity.title
    assert stored.history.count() == entries + 1
    assert stored.history.first().history_change_reason == "修改活动方案"


def test_a_member_edited_on_its_page_is_saved_with_one_history_entry(as_role):
    client = as_role("cs_staff")
    member = ClubMember.objects.filter(club__name="阳光·悦邻会").order_by("number").last()
    entries = member.history.count()
    client.post(reverse("clubs:member_act", args=[member.pk, "update"]), {"level": "gold", "status": member.status})
    stored = ClubMember.objects.get(pk=member.pk)
    assert stored.level == "gold" and stored.history.count() == entries + 1
    assert stored.history.first().history_user.username == "cs_staff"


# --- Dates that have happened (issue 13, defect 6) -----------------------------------------------

def _local(moment, fmt="%Y-%m-%dT%H:%M"):
    return timezone.localtime(moment).strftime(fmt)


def test_a_forum_held_before_its_approval_or_in_the_future_is_refused(as_role):
    from crm.approvals import approved_at

    client = as_role("cs_staff")
    forum = OwnerForum.objects.get(status="prepared")
    approved = approved_at(forum)
    url = reverse("clubs:forum_act", args=[forum.pk, "hold"])
    entries = forum.history.count()
    body = client.post(url, {"held_at": _local(approved - timezone.timedelta(days=1)), "minutes": "纪要"},
                       follow=True).content.decode()
    assert f"召开时间不能早于方案批准时间（{_local(approved, '%Y-%m-%d %H:%M')}）。" in body
    body = client.post(url, {"held_at": _local(timezone.now() + timezone.timedelta(days=1)), "minutes": "纪要"},
                       follow=True).content.decode()
    assert "召开时间不能晚于现在。" in body
    stored = OwnerForum.objects.get(pk=forum.pk)
    assert (stored.status, stored.held_at, stored.history.count()) == ("prepared", None, entries)
    held = approved + timezone.timedelta(hours=1)
    client.post(url, {"held_at": _local(held), "minutes": "纪要"})
    stored = OwnerForum.objects.get(pk=forum.pk)
    assert stored.status == "held" and _local(stored.held_at) == _local(held)


def test_a_club_founded_before_its_approval_or_in_the_future_is_refused(as_role):
    staff, manager = _user("cs_staff"), _user("manager")
    club = services.club_create(user=staff, name="阳光·日期会", founding_plan="方案")
    services.club_submit(user=staff, club=club)
    services.club_decide(user=manager, club=club, approve=True)
    today = timezone.localdate()
    client = as_role("cs_staff")
    url = reverse("clubs:club_act", args=[club.pk, "found"])
    body = client.post(url, {"founded_on": today - timezone.timedelta(days=1), "rules": "章程"}, follow=True)
    assert f"成立日期不能早于成立方案批准日期（{today:%Y-%m-%d}）。" in body.content.decode()
    body = client.post(url, {"founded_on": today + timezone.timedelta(days=1), "rules": "章程"}, follow=True)
    assert "成立日期不能晚于今天。" in body.content.decode()
    assert (Club.objects.get(pk=club.pk).status, Club.objects.get(pk=club.pk).founded_on) == ("approved", None)
    client.post(url, {"founded_on": today, "rules": "章程"})
    assert (Club.objects.get(pk=club.pk).status, Club.objects.get(pk=club.pk).founded_on) == ("founded", today)


def test_a_member_joining_before_the_club_was_founded_or_in_the_future_is_refused(as_role):
    client = as_role("cs_staff")
    club = Club.objects.get(name="阳光·悦邻会")
    customer = Customer.objects.exclude(pk__in=club.members.values("customer_id")).filter(project=club.project).first()
    url = reverse("clubs:club_act", args=[club.pk, "enroll"])
    data = {"customer": customer.pk, "level": "regular"}
    body = client.post(url, {**data, "joined_on": club.founded_on - timezone.timedelta(days=1)}, follow=True)
    assert f"入会日期不能早于客户会成立日期（{club.founded_on:%Y-%m-%d}）。" in body.content.decode()
    body = client.post(url, {**data, "joined_on": timezone.localdate() + timezone.timedelta(days=1)}, follow=True)
    assert "入会日期不能晚于今天。" in body.content.decode()
    assert not ClubMember.objects.filter(club=club, customer=customer).exists()
    client.post(url, {**data, "joined_on": club.founded_on})
    assert ClubMember.objects.get(club=club, customer=customer).joined_on == club.founded_on


def test_an_activity_carried_out_before_its_approval_or_in_the_future_is_refused(as_role):
    from crm.approvals import approved_at

    client = as_role("cs_staff")
    activity = ClubActivity.objects.get(status="approved")
    approved = timezone.localdate(approved_at(activity))
    url = reverse("clubs:activity_act", args=[activity.pk, "carry_out"])
    data = {"record": "活动记录", "spend": "100"}
    body = client.post(url, {**data, "held_on": approved - timezone.timedelta(days=1)}, follow=True)
    assert f"开展日期不能早于活动方案批准日期（{approved:%Y-%m-%d}）。" in body.content.decode()
    body = client.post(url, {**data, "held_on": timezone.localdate() + timezone.timedelta(days=1)}, follow=True)
    assert "开展日期不能晚于今天。" in body.content.decode()
    stored = ClubActivity.objects.get(pk=activity.pk)
    assert (stored.status, stored.held_on, PointsEntry.objects.filter(activity=activity).count()) == (
        "approved", None, 0)
    client.post(url, {**data, "held_on": approved})
    stored = ClubActivity.objects.get(pk=activity.pk)
    assert (stored.status, stored.held_on) == ("done", approved)


def test_the_admin_cannot_type_a_held_or_founded_date_that_bypasses_the_check(as_role):
    admin = as_role("admin")
    pages = {
        "held_at": ("admin:clubs_ownerforum_change", OwnerForum.objects.get(status="held").pk),
        "founded_on": ("admin:clubs_club_change", Club.objects.get(name="阳光·悦邻会").pk),
        "held_on": ("admin:clubs_clubactivity_change", ClubActivity.objects.get(status="done").pk),
        "joined_on": ("admin:clubs_clubmember_change", ClubMember.objects.first().pk),
    }
    for field, (name, pk) in pages.items():
        page = admin.get(reverse(name, args=[pk])).content.decode()
        assert f'name="{field}' not in page, field
