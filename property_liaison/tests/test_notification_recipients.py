"""Who each notice of the property liaison reaches (every job and service that notifies): the
property company hears of its own projects' action items and rectifications, which it can
open, and of nothing else; the department hears of the rest."""
import datetime as dt

import pytest
from django.utils import timezone

from crm.models import Notification
from crm.testing import notices_not_opening
from property_liaison import services
from property_liaison.models import PropertyAppointment, Rectification
from property_liaison.tests.factories import project_with_company, unit

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def world(make_user):
    project, company = project_with_company()
    _, other = project_with_company()
    users = {role: make_user(role, username=role) for role in ("cs_staff", "cs_supervisor", "manager")}
    users["liaison"] = make_user("property_company", username="liaison", property_company=company)
    users["stranger"] = make_user("property_company", username="stranger", property_company=other)
    return {"project": project, "users": users}


def told(**filters):
    return set(Notification.objects.filter(**filters).values_list("recipient__username", flat=True))


def _item(world):
    meeting = services.coordination_record(user=world["users"]["cs_staff"], project=world["project"],
                                           date=TODAY() - dt.timedelta(days=1), form="meeting", attendees="甲",
                                           minutes="纪要")
    return services.action_item_add(user=world["users"]["cs_staff"], meeting=meeting, description="修复路灯",
                                    party="property_company", assignee="工程部", due_date=TODAY())


def _rectification(world):
    staff = world["users"]["cs_staff"]
    inspection = services.inspection_record(user=staff, project=world["project"], kind="routine", date=TODAY(),
                                            summary="", scores={"cleaning": (70, "")})
    finding = services.finding_add(user=staff, inspection=inspection, area="cleaning", description="楼道垃圾",
                                   requirement="当日清理", deadline=TODAY() + dt.timedelta(days=3))
    return finding.rectifications.get()


def test_action_items_go_to_the_company_answers_to_the_recorder(world, client):
    users = world["users"]
    item = _item(world)
    assert told(title__startswith="新的协调事项") == {"liaison"}
    services.follow_up_answer(user=users["liaison"], follow_up=item, answer="已修复")
    assert told(title__startswith="协调事项已答复") == {"cs_staff"}
    services.follow_up_reopen(user=users["cs_staff"], follow_up=item, note="仍不亮")
    assert told(title__startswith="协调事项被退回") == {"liaison"}
    assert notices_not_opening(client) == []


def test_a_company_replaced_on_the_project_is_no_longer_told_the_department_is(world, client):
    users = world["users"]
    item = _item(world)
    services.follow_up_answer(user=users["liaison"], follow_up=item, answer="已修复")
    PropertyAppointment.objects.filter(project=world["project"]).update(end_date=TODAY() - dt.timedelta(days=1))
    services.follow_up_reopen(user=users["cs_staff"], follow_up=item, note="仍不亮")
    assert told(title__startswith="协调事项被退回") == {"cs_supervisor"}
    assert notices_not_opening(client, Notification.objects.filter(title__startswith="协调事项被退回")) == []


def test_rectifications_go_to_the_company_answers_to_the_inspector(world, client):
    users = world["users"]
    rect = _rectification(world)
    assert told(title__startswith="整改通知") == {"liaison"}
    services.follow_up_answer(user=users["liaison"], follow_up=rect, answer="已清理")
    assert told(title__startswith="整改已答复") == {"cs_staff"}
    services.follow_up_reopen(user=users["cs_staff"], follow_up=rect, note="仍有垃圾")
    assert told(title__startswith="整改被退回") == {"liaison"}
    assert notices_not_opening(client) == []


def test_an_inspector_who_has_left_is_replaced_by_the_supervisors(world, client):
    users = world["users"]
    rect = _rectification(world)
    users["cs_staff"].is_active = False
    users["cs_staff"].save()
    services.follow_up_answer(user=users["liaison"], follow_up=rect, answer="已清理")
    assert told(title__startswith="整改已答复") == {"cs_supervisor"}
    assert notices_not_opening(client) == []


def test_overdue_rectifications_tell_the_supervisors_only(world, client):
    rect = _rectification(world)
    Rectification.objects.filter(pk=rect.pk).update(deadline=TODAY() - dt.timedelta(days=1))
    services.overdue_rectifications_escalate()
    assert told(title__contains="物业整改逾期") == {"cs_supervisor"}
    assert notices_not_opening(client) == []


def test_the_cadence_check_tells_the_supervisors_only(world, client):
    services.coordination_cadence_check(on=TODAY() + dt.timedelta(days=400))
    assert told(title__contains="未按期与物业公司协调") == {"cs_supervisor"}
    assert notices_not_opening(client) == []


def test_committee_reminders_tell_supervisors_and_late_ones_managers_too(world, client):
    unit(world["project"], "1-101", "100", TODAY() - dt.timedelta(days=40))
    services.committee_reminders()
    assert told(dedupe_key__startswith="liaison.committee_notice:") == {"cs_supervisor"}
    assert told(dedupe_key__startswith="liaison.committee_notice_late:") == {"cs_supervisor", "manager"}
    assert notices_not_opening(client) == []
