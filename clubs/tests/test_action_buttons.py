"""Every button and form of the forum, club, member and activity pages is shown exactly to a user
the service accepts; the others neither see it nor open or post it (the row read back unchanged)."""
import pytest
from django.urls import reverse

from clubs import activities, services
from clubs.models import Club, ClubActivity, ClubMember, OwnerForum, PointsEntry
from clubs.tests.factories import activity, forum, founded_club, member
from crm.models import ApprovalRequest

pytestmark = pytest.mark.django_db


def body(client, name, pk):
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_only_the_manager_sees_and_takes_the_forum_decision(client, make_user, staff, manager):
    plan = forum(staff)
    services.forum_submit(user=staff, forum=plan)
    decide = reverse("clubs:forum_act", args=[plan.pk, "decide"])
    for who in (staff, make_user("cs_supervisor")):  # the drafter, and a role the matrix does not name
        client.force_login(who)
        page = body(client, "clubs:forum_detail", plan.pk)
        assert 'id="decision-form"' not in page and 'id="do-approve"' not in page
        client.post(decide, {"decision": "approve", "comment": "同意"})
        plan.refresh_from_db()
        assert plan.status == OwnerForum.Status.SUBMITTED
        assert ApprovalRequest.objects.get(object_id=plan.pk, subject="clubs.forum_plan").status == "pending"
    client.force_login(manager)
    assert 'id="do-approve"' in body(client, "clubs:forum_detail", plan.pk)


def test_a_submitted_plan_offers_no_edit_and_its_forms_do_not_open(client, staff):
    plan = forum(staff)
    client.force_login(staff)
    page = body(client, "clubs:forum_detail", plan.pk)
    assert 'id="edit-plan"' in page and 'id="choose-participants"' in page
    services.forum_submit(user=staff, forum=plan)
    page = body(client, "clubs:forum_detail", plan.pk)
    assert 'id="edit-plan"' not in page and 'id="choose-participants"' not in page
    for name in ("clubs:forum_edit", "clubs:forum_participants"):
        assert client.get(reverse(name, args=[plan.pk])).status_code == 403
    client.post(reverse("clubs:forum_edit", args=[plan.pk]), {"title": "改过的标题"})
    plan.refresh_from_db()
    assert plan.title == "业主座谈会"


def test_the_manager_who_only_views_sees_no_edit_or_checklist_and_cannot_open_them(client, staff, manager):
    plan = forum(staff)
    client.force_login(manager)
    page = body(client, "clubs:forum_detail", plan.pk)
    assert 'id="edit-plan"' not in page and 'id="toggle-' not in page and 'id="do-submit"' not in page
    assert client.get(reverse("clubs:forum_edit", args=[plan.pk])).status_code == 403
    item = plan.checklist.first()
    assert client.post(reverse("clubs:checklist_toggle", args=[plan.pk, item.pk])).status_code == 403
    item.refresh_from_db()
    assert not item.done


def test_a_club_that_is_not_founded_offers_no_activity_or_enrolment(client, staff, manager, make_user):
    club = services.club_create(user=staff, name="待成立会", founding_plan="方案")
    client.force_login(staff)
    page = body(client, "clubs:club_detail", club.pk)
    assert 'id="new-activity"' not in page and 'id="do-enroll"' not in page
    assert client.get(reverse("clubs:activity_create", args=[club.pk])).status_code == 403
    founded = founded_club(staff, manager)
    page = body(client, "clubs:club_detail", founded.pk)
    assert 'id="new-activity"' in page and 'id="do-enroll"' in page
    assert 'id="edit-plan"' not in page  # a founded club's plan is no longer edited
    assert client.get(reverse("clubs:club_edit", args=[founded.pk])).status_code == 403
    assert client.get(reverse("clubs:activity_create", args=[founded.pk])).status_code == 200


def test_the_manager_sees_no_enrolment_and_a_forged_one_enrols_nobody(client, staff, manager):
    from crm.tests.factories import make_customer, make_project

    club = founded_club(staff, manager)
    owner = make_customer(make_project("club"), name="李四", phone="13900000009")
    client.force_login(manager)
    assert 'id="do-enroll"' not in body(client, "clubs:club_detail", club.pk)
    client.post(reverse("clubs:club_act", args=[club.pk, "enroll"]), {"customer": owner.pk, "level": "regular",
                                                                      "joined_on": "2026-01-05"})
    assert not ClubMember.objects.filter(club=club, customer=owner).exists()


def test_a_suspended_member_offers_no_points_forms_and_refuses_them(client, staff, manager):
    club = founded_club(staff, manager)
    someone = member(staff, club)
    client.force_login(staff)
    page = body(client, "clubs:member_detail", someone.pk)
    assert 'id="do-earn"' in page and 'id="do-redeem"' in page and 'id="do-update"' in page
    services.member_update(user=staff, member=someone, level=someone.level, status=ClubMember.Status.SUSPENDED)
    page = body(client, "clubs:member_detail", someone.pk)
    assert 'id="do-earn"' not in page and 'id="do-redeem"' not in page and 'id="do-update"' in page
    before = PointsEntry.objects.filter(member=someone).count()
    client.post(reverse("clubs:member_act", args=[someone.pk, "earn"]), {"kind": "suggestion", "reason": "建议"})
    assert PointsEntry.objects.filter(member=someone).count() == before


def test_improvements_are_offered_once_evaluated_and_done_only_once(client, staff, manager):
    club = founded_club(staff, manager)
    event = activity(staff, club)
    client.force_login(staff)
    assert 'id="add-improvement"' not in body(client, "clubs:activity_detail", event.pk)
    client.post(reverse("clubs:activity_act", args=[event.pk, "improvement"]), {"description": "提前通知"})
    assert not event.improvements.exists()
    activities.activity_submit(user=staff, activity=event)
    activities.activity_decide(user=manager, activity=event, approve=True)
    activities.activity_carry_out(user=staff, activity=event, held_on=event.period_start, record="顺利", spend=100)
    activities.activity_evaluate(user=staff, activity=event, score=90, what_worked="气氛好", to_improve="")
    assert 'id="add-improvement"' in body(client, "clubs:activity_detail", event.pk)
    item = activities.improvement_add(user=staff, activity=event, description="提前通知")
    assert f'id="done-{item.pk}"' in body(client, "clubs:activity_detail", event.pk)
    client.force_login(manager)
    page = body(client, "clubs:activity_detail", event.pk)
    assert f'id="done-{item.pk}"' not in page and 'id="add-improvement"' not in page
    assert client.post(reverse("clubs:improvement_done", args=[event.pk, item.pk])).status_code == 403
    item.refresh_from_db()
    assert item.done_at is None
    assert ClubActivity.objects.get(pk=event.pk).status == ClubActivity.Status.EVALUATED
    assert Club.objects.filter(pk=club.pk, status=Club.Status.FOUNDED).exists()
