import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_one_club_activity_goes_from_plan_through_approval_to_evaluation(demo, page, browser_login):
    from django.utils import timezone

    from clubs.models import Club, ClubActivity, PointsEntry

    today = timezone.localdate().isoformat()  # held after its approval (today), never in the future

    club = Club.objects.get(name="阳光·悦邻会")
    member = club.members.order_by("number").first()
    browser_login("cs_staff")
    page.goto(f"/clubs/club/{club.pk}/activities/new/")
    page.select_option("#id_kind", "single")
    page.fill("#id_title", "浏览器测试：重阳登高")
    page.fill("#id_period_start", today)
    page.fill("#id_period_end", today)
    page.fill("#id_purpose", "关爱长者")
    page.fill("#id_content", "登山、茶叙")
    page.select_option("#id_format", "outing")
    page.fill("#id_budget", "4000")
    page.click("#submit")
    page.wait_for_url("**/clubs/activities/*/")
    page.click("#do-submit")
    assert "待审批" in page.locator("#status").inner_text()
    activity = ClubActivity.objects.get(title="浏览器测试：重阳登高")

    page.context.clear_cookies()
    browser_login("manager")
    page.goto(f"/clubs/activities/{activity.pk}/")
    page.fill("#id_comment", "同意，注意安全")
    page.click("#do-approve")
    assert "已批准" in page.locator("#status").inner_text()
    assert "注意安全" in page.locator("#versions").inner_text()

    page.context.clear_cookies()
    browser_login("cs_staff")
    page.goto(f"/clubs/activities/{activity.pk}/")
    assert page.locator("#do-approve").count() == 0
    page.fill("#id_held_on", today)
    page.select_option("#id_attendees", [str(member.pk)])
    page.fill("#id_spend", "4300")
    page.fill("#id_record", "32 位业主参加，登顶后茶叙")
    page.set_input_files("#id_photos", files=[{"name": "p.png", "mimeType": "image/png",
                                               "buffer": b"\x89PNG\r\n\x1a\n" + b"0" * 32}])
    page.click("#do-carry-out")
    assert "已开展" in page.locator("#status").inner_text()
    assert "超预算" in page.locator("#spend").inner_text()
    page.fill("#id_score", "88")
    page.fill("#id_what_worked", "长者参与度高")
    page.fill("#id_to_improve", "交通安排需提前")
    page.click("#do-evaluate")
    assert "已评估" in page.locator("#status").inner_text()
    page.fill("#id_description", "提前一周预订大巴")
    page.click("#add-improvement")
    assert "提前一周预订大巴" in page.locator("#improvements").inner_text()

    activity.refresh_from_db()
    assert activity.score == 88 and activity.photos.count() == 1 and activity.attendance == 1
    assert PointsEntry.objects.filter(member=member, activity=activity, kind="participation").exists()


def test_participants_are_chosen_by_filters_and_select_all(demo, page, browser_login):
    from clubs.models import OwnerForum
    from owners.models import Customer, Project

    forum = OwnerForum.objects.get(status="draft")
    project = Project.objects.get(code="sunshine")
    expected = set(Customer.objects.filter(project=project, stage="resident").values_list("pk", flat=True))
    browser_login("cs_staff")
    page.goto(f"/clubs/forums/{forum.pk}/participants/")
    page.select_option("#id_project", str(project.pk))
    page.select_option("#id_stage", "resident")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**stage=resident**")
    page.check("#check-all")
    assert page.locator('input[name="customer"]:checked').count() == len(expected)
    page.click("#save-participants")
    page.wait_for_url(f"**/clubs/forums/{forum.pk}/")
    assert f"{len(expected)} 人（项目：阳光花园；客户阶段：已入住客户）" in page.inner_text("body")
    assert set(forum.participants.values_list("customer_id", flat=True)) == expected
