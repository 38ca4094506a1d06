import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from clubs import activities, services
from clubs.models import Club, ClubActivity, ClubMember, ForumOpinion, OwnerForum, PointsEntry
from crm.models import ApprovalRequest
from owners.models import Customer

pytestmark = pytest.mark.django_db


def _user(name):
    return get_user_model().objects.get(username=name)


def _version_rows(page):
    return re.findall(r'<tr class="version-row">(.*?)</tr>', page, re.S)


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
    response = client.post(reverse("clubs:forum_act", args=[forum.pk, "submit"]), follow=True)
    assert "请先选择参会业主" in response.content.decode()
    forum.refresh_from_db()
    assert forum.status == "draft"
    guests = list(Customer.objects.filter(stage="resident").values_list("pk", flat=True)[:3])
    client.post(reverse("clubs:forum_participants", args=[forum.pk]), {"customer": guests, "criteria": "已入住"})
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
    rows = _version_rows(page)
    assert len(rows) == 2
    # each version carries its own content, decision, decider and comment, in its own row
    assert "第1版" in rows[0] and "预算：3000.00 元" in rows[0] and "已驳回" in rows[0] and "预算过高" in rows[0]
    assert "1200" not in rows[0] and "已批准" not in rows[0]
    assert "第2版" in rows[1] and "预算：1200.00 元" in rows[1] and "已批准" in rows[1] and "同意" in rows[1]
    assert "3000" not in rows[1] and "预算过高" not in rows[1]
    assert rows[0].count(manager.first_name) == rows[1].count(manager.first_name) == 1


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
    rows = re.findall(r'<tr><td><a href="/clubs/members/(\d+)/">([^<]+)</a></td>.*?<td class="text-end">(-?\d+)</td></tr>',
                      page, re.S)
    shown = {int(pk): (number, int(balance)) for pk, number, balance in rows}
    assert shown == {m.pk: (m.number, services.points_balance(m)) for m in club.members.all()}
    assert len({b for _, b in shown.values()}) > 1  # the demo members differ, so a mix-up would show


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
    assert sheet.title == title
    expected = {"clubs-forums": OwnerForum.objects.count(), "clubs-activity-plans": ClubActivity.objects.count(),
                "clubs-activity-records": ClubActivity.objects.filter(status__in=["done", "evaluated"]).count()}[code]
    assert sheet.max_row == 1 + expected and sheet.cell(1, 1).value == "编号"
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


# --- Audit additions ---------------------------------------------------------------------------

def test_an_activity_plan_approved_on_its_page_is_stamped_once_on_the_approval(client, demo):
    """The shared approval step through the activity's page: the manager's decision moves the
    activity and stamps who, when and the comment on its ApprovalRequest, not on the activity."""
    staff, manager = _user("cs_staff"), _user("manager")
    club = Club.objects.filter(status="founded").first()
    activity = activities.activity_create(
        user=staff, club=club, title="端午包粽子", kind="single", period_start=timezone.localdate(),
        period_end=timezone.localdate(), purpose="邻里联谊", content="包粽子", format="gathering", budget=800)
    client.force_login(staff)
    client.post(reverse("clubs:activity_act", args=[activity.pk, "submit"]))
    approval = ApprovalRequest.objects.get(subject="clubs.club_plan", object_id=activity.pk, status="pending")
    activity.refresh_from_db()
    assert activity.status == "submitted" and approval.approver_role == "manager"
    client.force_login(manager)
    client.post(reverse("clubs:activity_act", args=[activity.pk, "decide"]), {"decision": "approve", "comment": "同意"})
    activity.refresh_from_db()
    approval.refresh_from_db()
    assert activity.status == "approved"
    assert (approval.status, approval.comment, approval.decided_by) == ("approved", "同意", manager)
    assert approval.decided_at is not None


def test_the_club_page_shows_both_versions_of_a_rejected_then_approved_founding_plan(client, demo):
    staff, manager = _user("cs_staff"), _user("manager")
    club = Club.objects.get(status="submitted")
    client.force_login(manager)
    client.post(reverse("clubs:club_act", args=[club.pk, "decide"]), {"decision": "reject", "comment": "章程再细化"})
    client.force_login(staff)
    response = client.post(reverse("clubs:club_edit", args=[club.pk]),
                           {"name": club.name, "project": "", "founding_plan": "修订后的成立方案", "rules": "章程"})
    assert response.status_code == 302
    client.post(reverse("clubs:club_act", args=[club.pk, "submit"]))
    client.force_login(manager)
    client.post(reverse("clubs:club_act", args=[club.pk, "decide"]), {"decision": "approve", "comment": "准予成立"})
    club.refresh_from_db()
    assert club.status == "approved"
    rows = _version_rows(client.get(reverse("clubs:club_detail", args=[club.pk])).content.decode())
    assert len(rows) == 2
    assert "已驳回" in rows[0] and "章程再细化" in rows[0] and "修订后的成立方案" not in rows[0]
    assert "已批准" in rows[1] and "准予成立" in rows[1] and "修订后的成立方案" in rows[1]


def test_participants_are_chosen_by_filters_and_the_criteria_kept_in_words(as_role):
    client = as_role("cs_staff")
    forum = OwnerForum.objects.get(status="draft")
    customer = Customer.objects.filter(stage="resident").select_related("project").first()
    url = reverse("clubs:forum_participants", args=[forum.pk])
    page = client.get(url, {"project": customer.project_id, "stage": "resident"}).content.decode()
    listed = set(map(int, re.findall(r'name="customer" value="(\d+)"', page)))
    expected = set(Customer.objects.filter(project=customer.project, stage="resident").values_list("pk", flat=True))
    assert listed == expected and customer.pk in listed
    criteria = f"项目：{customer.project.name}；客户阶段：已入住客户"
    assert f'name="criteria" value="{criteria}"' in page
    assert 'data-check-all="customer"' in page
    client.post(url, {"customer": sorted(listed), "criteria": criteria})
    forum.refresh_from_db()
    assert set(forum.participants.values_list("customer_id", flat=True)) == expected
    assert forum.participant_criteria == criteria


def test_choosing_participants_after_submission_is_refused(as_role):
    client = as_role("cs_staff")
    forum = OwnerForum.objects.get(status="submitted")
    before = set(forum.participants.values_list("customer_id", flat=True))
    response = client.post(reverse("clubs:forum_participants", args=[forum.pk]), {"customer": []}, follow=True)
    assert "不能再修改" in response.content.decode()
    assert set(forum.participants.values_list("customer_id", flat=True)) == before


def test_a_participant_id_that_is_unknown_or_not_a_number_is_a_404_and_changes_nothing(as_role):
    client = as_role("cs_staff")
    forum = OwnerForum.objects.get(status="draft")
    before = set(forum.participants.values_list("customer_id", flat=True))
    known = Customer.objects.order_by("pk").first().pk
    url = reverse("clubs:forum_participants", args=[forum.pk])
    for ids in ([known, Customer.objects.order_by("-pk").first().pk + 1000], [known, "abc"]):
        assert client.post(url, {"customer": ids}).status_code == 404
    assert set(forum.participants.values_list("customer_id", flat=True)) == before


def test_an_attendee_who_was_not_invited_is_a_404_and_the_forum_is_not_held(as_role):
    client = as_role("cs_staff")
    forum = OwnerForum.objects.get(status="prepared")
    invited = forum.participants.values_list("customer_id", flat=True)
    stranger = Customer.objects.exclude(pk__in=invited).first()
    data = {"held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "minutes": "记录",
            "attended": [invited[0], stranger.pk]}
    assert client.post(reverse("clubs:forum_act", args=[forum.pk, "hold"]), data).status_code == 404
    forum.refresh_from_db()
    assert forum.status == "prepared" and not forum.participants.filter(attended=True).exists()


def test_the_checklist_buttons_disappear_and_a_forged_toggle_is_refused_once_prepared(as_role):
    client = as_role("cs_staff")
    forum = OwnerForum.objects.get(status="prepared")
    item = forum.checklist.first()
    page = client.get(reverse("clubs:forum_detail", args=[forum.pk])).content.decode()
    assert f'id="toggle-{item.pk}"' not in page
    response = client.post(reverse("clubs:checklist_toggle", args=[forum.pk, item.pk]), follow=True)
    assert "不能再修改" in response.content.decode()
    item.refresh_from_db()
    assert item.done


def test_an_evaluation_score_over_100_shows_a_chinese_message_and_changes_nothing(as_role):
    client = as_role("cs_staff")
    activity = ClubActivity.objects.get(status="done")
    response = client.post(reverse("clubs:activity_act", args=[activity.pk, "evaluate"]),
                           {"score": "120", "what_worked": "好", "to_improve": ""}, follow=True)
    assert "100" in response.content.decode() and "确保该值小于或等于" in response.content.decode()
    activity.refresh_from_db()
    assert activity.status == "done" and activity.score is None


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_recorded(as_role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_role("cs_staff")
    activity = ClubActivity.objects.get(status="approved")
    points_before = PointsEntry.objects.count()
    fake = SimpleUploadedFile("photo.png", b"MZ this is a program", content_type="image/png")
    response = client.post(reverse("clubs:activity_act", args=[activity.pk, "carry_out"]), {
        "held_on": "2026-11-20", "spend": "100", "record": "记录", "photos": fake,
        "attendees": list(activity.club.members.values_list("pk", flat=True))}, follow=True)
    assert "文件内容与扩展名不符" in response.content.decode()
    activity.refresh_from_db()
    assert activity.status == "approved" and activity.photos.count() == 0 and activity.held_on is None
    assert PointsEntry.objects.count() == points_before


@pytest.mark.parametrize("params,expected", [({"q": "已评估"}, {"evaluated"}), ({"status": "rejected"}, {"rejected"}),
                                             ({"q": "不存在的活动"}, set())])
def test_activity_plans_list_searches_and_filters(as_role, params, expected):
    client = as_role("cs_staff")
    response = client.get(reverse("clubs:activity_list"), params)
    statuses = {a.status for a in response.context["page_obj"]}
    assert statuses == expected
    if not expected:
        assert "没有符合筛选条件的记录" in response.content.decode()  # not "暂无活动": the filter found none


def test_forum_list_searches_by_title_and_filters_by_status(as_role):
    client = as_role("cs_staff")
    response = client.get(reverse("clubs:forum_list"), {"q": "已分析"})
    assert [f.status for f in response.context["page_obj"]] == ["analysed"]
    response = client.get(reverse("clubs:forum_list"), {"status": "closed"})
    assert [f.status for f in response.context["page_obj"]] == ["closed"]
    response = client.get(reverse("clubs:forum_list"), {"q": "不存在的座谈会"})
    assert not response.context["page_obj"].object_list and "没有符合筛选条件的记录" in response.content.decode()


def test_the_forum_print_form_carries_the_minutes_opinions_and_follow_up(as_role):
    client = as_role("cs_staff")
    forum = OwnerForum.objects.get(status="closed")
    page = client.get(reverse("clubs:forum_print", args=[forum.pk])).content.decode()
    assert 'class="print-form' in page and "data-print" in page and '<h1 class="h4 text-center">客户座谈会记录' in page
    assert forum.minutes in page and forum.follow_up in page and f"{forum.follow_up_due:%Y-%m-%d}" in page
    case = forum.opinions.exclude(complaint=None).get().complaint
    assert case.number in page


def test_the_activity_print_form_is_a_plan_before_and_a_record_after_it_is_carried_out(as_role):
    client = as_role("cs_staff")
    plan = ClubActivity.objects.get(status="approved")
    page = client.get(reverse("clubs:activity_print", args=[plan.pk])).content.decode()
    assert 'class="print-form' in page and "data-print" in page and ">客户会活动计划</h1>" in page
    assert "同意" in page  # the approval of its version
    done = ClubActivity.objects.get(status="evaluated")
    page = client.get(reverse("clubs:activity_print", args=[done.pk])).content.decode()
    assert ">客户会活动记录</h1>" in page and done.record in page and str(done.score) in page


def test_member_level_and_status_change_through_the_member_page(as_role):
    client = as_role("cs_staff")
    member = ClubMember.objects.filter(club__name="阳光·悦邻会").order_by("number").last()
    client.post(reverse("clubs:member_act", args=[member.pk, "update"]), {"level": "gold", "status": "suspended"})
    member.refresh_from_db()
    assert (member.level, member.status) == ("gold", "suspended")
    before = PointsEntry.objects.filter(member=member).count()
    response = client.post(reverse("clubs:member_act", args=[member.pk, "redeem"]),
                           {"kind": "gift", "points": 1, "reason": "雨伞"}, follow=True)
    assert "不能兑换" in response.content.decode()
    assert PointsEntry.objects.filter(member=member).count() == before


def test_earning_points_through_the_member_page_uses_the_rule(as_role):
    client = as_role("cs_staff")
    member = ClubMember.objects.filter(club__name="阳光·悦邻会", status="active").order_by("number").first()
    balance = services.points_balance(member)
    client.post(reverse("clubs:member_act", args=[member.pk, "earn"]), {"kind": "suggestion", "reason": "建议增设充电桩"})
    entry = PointsEntry.objects.filter(member=member).order_by("-pk").first()
    assert (entry.kind, entry.points, entry.reason, entry.actor.username) == ("suggestion", 50, "建议增设充电桩",
                                                                              "cs_staff")
    assert services.points_balance(member) == balance + 50


def test_filters_and_choices_speak_chinese(as_role):
    client = as_role("cs_staff")
    for url in (reverse("clubs:forum_list"), reverse("clubs:activity_list"),
                reverse("clubs:club_detail", args=[Club.objects.get(status="founded").pk]),
                reverse("clubs:forum_detail", args=[OwnerForum.objects.get(status="held").pk])):
        assert "---------" not in client.get(url).content.decode(), url


@pytest.mark.parametrize("name,title,params,count", [
    ("clubs:forum_register_print", "客户座谈会记录", {"status": "closed"}, 1),
    ("clubs:forum_register_print", "客户座谈会记录", {}, 8),
    ("clubs:activity_plan_print", "客户会活动计划", {}, 6),
    ("clubs:activity_plan_print", "客户会活动计划", {"status": "draft"}, 1),
    ("clubs:activity_record_print", "客户会活动记录", {}, 2),
    ("clubs:activity_record_print", "客户会活动记录", {"q": "不存在"}, 0),
])
def test_each_register_prints_as_one_form_with_the_list_filters(as_role, name, title, params, count):
    client = as_role("cs_staff")
    response = client.get(reverse(name), params)
    page = response.content.decode()
    assert response.status_code == 200 and 'class="print-form' in page and "data-print" in page
    assert f'<h1 class="h4 text-center">{title}</h1>' in page
    assert page.count('class="register-row"') == count
    if not count:
        assert "没有符合条件的记录" in page


def test_the_register_lists_link_to_their_printed_form_keeping_the_filters(as_role):
    client = as_role("cs_staff")
    page = client.get(reverse("clubs:activity_records"), {"status": "done"}).content.decode()
    assert f'href="{reverse("clubs:activity_record_print")}?status=done"' in page
    page = client.get(reverse("clubs:forum_list"), {"q": "x"}).content.decode()
    assert f'href="{reverse("clubs:forum_register_print")}?q=x"' in page


def test_a_printed_register_stops_at_the_limit_and_says_so(as_role, monkeypatch):
    from clubs import views

    monkeypatch.setattr(views, "PRINT_LIMIT", 3)
    page = as_role("cs_staff").get(reverse("clubs:forum_register_print")).content.decode()
    assert page.count('class="register-row"') == 3 and 'id="truncated"' in page and "共 8 条" in page


def test_a_due_follow_up_shows_on_the_dashboard_and_is_closed_from_the_forum_page(as_role):
    from clubs.dashboard import cards

    client = as_role("cs_staff")
    forum = OwnerForum.objects.get(status="closed")
    OwnerForum.objects.filter(pk=forum.pk).update(follow_up_due=timezone.localdate())
    card = next(c for c in cards(_user("cs_staff")) if c.title == "座谈会结果跟进到期")
    assert card.count == 1
    listed = client.get(card.url).context["page_obj"]
    assert [f.pk for f in listed] == [forum.pk]
    page = client.get(reverse("clubs:forum_detail", args=[forum.pk])).content.decode()
    assert 'id="do-follow-up-done"' in page
    client.post(reverse("clubs:forum_act", args=[forum.pk, "follow_up_done"]), {"result": "维保已加密"})
    forum.refresh_from_db()
    assert forum.follow_up_result == "维保已加密"
    assert not [c for c in cards(_user("cs_staff")) if c.title == "座谈会结果跟进到期"]
    page = client.get(reverse("clubs:forum_detail", args=[forum.pk])).content.decode()
    assert 'id="do-follow-up-done"' not in page and "跟进已完成" in page
    assert not client.get(reverse("clubs:forum_list"), {"follow_up": "due"}).context["page_obj"].object_list


def test_the_manager_cannot_close_a_follow_up(as_role):
    client = as_role("manager")
    forum = OwnerForum.objects.get(status="closed")
    assert client.post(reverse("clubs:forum_act", args=[forum.pk, "follow_up_done"]), {"result": "x"}).status_code == 403
    forum.refresh_from_db()
    assert forum.follow_up_done_at is None


def test_demo_forums_are_planned_in_office_hours(demo):
    assert {timezone.localtime(f.planned_at).hour for f in OwnerForum.objects.all()} == {14}


def test_each_action_of_a_page_is_a_row_of_its_table_and_an_unknown_one_is_a_404(client, demo):
    """crm.views.run_action: a posted action runs its one service call; an invalid form calls
    nothing; an action the table does not know is a 404 and changes nothing."""
    client.force_login(_user("cs_staff"))
    client.post(reverse("clubs:forum_create"), _forum_data(title="动作表座谈会"))
    forum = OwnerForum.objects.get(title="动作表座谈会")
    assert client.post(reverse("clubs:forum_act", args=[forum.pk, "launch"])).status_code == 404
    assert client.post(reverse("clubs:forum_act", args=[forum.pk, "checklist"]), {"text": ""}).status_code == 302
    assert not forum.checklist.filter(text="").exists()
    count = forum.checklist.count()
    client.post(reverse("clubs:forum_act", args=[forum.pk, "checklist"]), {"text": "准备签到表"})
    assert forum.checklist.count() == count + 1 and forum.checklist.filter(text="准备签到表").exists()
    response = client.post(reverse("clubs:forum_act", args=[forum.pk, "submit"]), follow=True)  # a button
    assert "请先选择参会业主" in response.content.decode()  # the service's refusal, nothing changed
    forum.refresh_from_db()
    assert forum.status == "draft"


def test_demo_has_one_portal_application_waiting_and_staff_open_its_enrolment(client, demo):
    """The demo's 黄志强 applied on the portal; the supervisor sees it and 办理入会 chooses him."""
    from clubs.models import ClubApplication

    application = ClubApplication.objects.get()
    assert (application.customer.name, application.status, application.club.name) == ("黄志强", "pending", "阳光·悦邻会")
    assert not ClubMember.objects.filter(club=application.club, customer=application.customer).exists()
    client.force_login(get_user_model().objects.get(username="cs_supervisor"))
    url = reverse("clubs:club_detail", args=[application.club_id])
    assert "黄志强" in client.get(url).content.decode().split('id="club-applications"')[1].split("</ul>")[0]
    chosen = client.get(url, {"applicant": application.customer_id}).content.decode()
    assert f'<option value="{application.customer_id}" selected>' in chosen
