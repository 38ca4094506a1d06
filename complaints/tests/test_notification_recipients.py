"""Who each notice of the complaints app reaches (every job and service that notifies): the
right people, each able to open the case it points to; a property company's liaison never gets
internal work it cannot open (crm.notifications routes it to the supervisors instead)."""
import datetime as dt

import pytest
from django.utils import timezone

from complaints import clocks, services, sla
from crm.models import Notification
from crm.testing import notices_not_opening
from crm.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def liaison(place, make_user):
    """The liaison of the property company appointed to the place's project."""
    from property_liaison.models import PropertyAppointment, PropertyCompany

    company = PropertyCompany.objects.create(name="湖畔物业")
    PropertyAppointment.objects.create(project=place["project"], company=company, start_date=dt.date(2024, 1, 1))
    return make_user("property_company", username="liaison", property_company=company)


@pytest.fixture
def forwarded(place, liaison):
    """A case the property company forwarded (its liaison is the first responder), no handler yet."""
    return services.complaint_register(
        received_by=liaison, kind="complaint", channel="property", category="repairs", title="楼道漏水",
        description="物业转交", project=place["project"], complainant_name="业主", complainant_phone="13900001111",
        forwarded_by_company=liaison.profile.property_company, needs_transfer=True)


def told(**filters):
    return set(Notification.objects.filter(**filters).values_list("recipient__username", flat=True))


def test_a_forwarded_case_that_breaches_tells_the_supervisors_not_the_liaison(forwarded, liaison, users, client):
    clock = forwarded.clocks.get(rule__code=sla.TRANSFER)
    clocks.sla_scan(now=clock.deadline + dt.timedelta(minutes=1))
    assert told(title__startswith=f"时限已超时：{forwarded.number}") == {"cs_supervisor"}
    assert told(title__contains="项时限已超时") == {"cs_supervisor"}
    assert not Notification.objects.filter(recipient=liaison).exists()
    assert notices_not_opening(client) == []


def test_a_warning_reaches_the_handler_and_one_who_cannot_open_the_case_is_replaced(
        new_case, users, make_user, client):

    elsewhere = make_user("project_dept", username="hill_dept",
                          projects=[ProjectFactory(code="hill", name="山景")])
    mine, foreign = new_case(), new_case()
    services.complaint_transfer(complaint=mine, user=users["front_desk"], handler=users["cs_staff"])
    services.complaint_transfer(complaint=foreign, user=users["front_desk"], handler=elsewhere)
    for case in (mine, foreign):
        services.complaint_classify(complaint=case, user=users["cs_supervisor"], valid=True, severity="minor")
    assert told(title__startswith="新转交的案件") == {"cs_staff", "cs_supervisor"}
    assert told(title=f"新转交的案件：{foreign.number}") == {"cs_supervisor"}
    warn_at = max(c.clocks.get(rule__code=sla.MINOR).warn_at for c in (mine, foreign))
    clocks.sla_scan(now=warn_at + dt.timedelta(seconds=1))
    assert told(title__startswith=f"时限即将超时：{mine.number}") == {"cs_staff"}
    assert told(title__startswith=f"时限即将超时：{foreign.number}") == {"cs_supervisor"}
    assert not Notification.objects.filter(recipient=elsewhere).exists()
    assert notices_not_opening(client) == []


def test_a_breach_long_unhandled_goes_to_the_managers(case_in, users, liaison, client):
    case = case_in("classified")
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    clocks.sla_scan(now=clock.escalate_at + dt.timedelta(seconds=1))
    assert told(title__contains="超时未处理") == {"manager"}
    assert not Notification.objects.filter(recipient=liaison).exists()
    assert notices_not_opening(client) == []


def test_important_and_major_cases_are_reported_to_supervisors_and_managers(forwarded, users, liaison, client):
    services.complaint_classify(complaint=forwarded, user=users["cs_supervisor"], valid=True, severity="important")
    assert told(title__startswith="重要投诉") == {"cs_supervisor", "manager"}
    assert not Notification.objects.filter(recipient=liaison).exists()
    assert notices_not_opening(client) == []


def test_the_automatic_major_rules_tell_supervisors_and_managers(case_in, new_case, place, users, liaison, client):
    case_in("investigated", received_at=timezone.now() - dt.timedelta(days=9))
    clocks.auto_major()
    assert told(title__startswith="升级为重大投诉") == {"cs_supervisor", "manager"}
    event = services.event_create(project=place["project"], title="电梯停运", user=users["cs_staff"])
    for owner in range(5):
        new_case(owner=owner, event=event)
    assert Notification.objects.filter(title__startswith="升级为重大投诉").count() == 4
    assert not Notification.objects.filter(recipient=liaison).exists()
    assert notices_not_opening(client) == []


def test_return_visit_reminders_reach_the_front_desk_only(case_in, users, liaison, client):
    case_in("executed")
    clocks.return_visit_reminders()
    assert told(title__startswith="待回访") == {"front_desk"}
    assert notices_not_opening(client) == []


def test_reports_reach_the_managers_only(case_in, users, liaison, client):
    case_in("closed")
    services.daily_report(today=timezone.localdate() + dt.timedelta(days=1))
    services.weekly_report(today=timezone.localdate() + dt.timedelta(days=7))
    assert told(title__startswith="投诉日报") == told(title__startswith="投诉周报") == {"manager"}
    assert notices_not_opening(client) == []


def test_a_plan_goes_to_its_approver_and_the_decision_to_its_drafter(case_in, users, liaison, client):
    case = case_in("plan_pending")
    assert told(title__startswith="待审批") == {"manager"}
    services.plan_decide(complaint=case, user=users["manager"], approve=False, comment="补充")
    assert told(title__contains="被驳回") == {"cs_staff"}
    assert notices_not_opening(client) == []


def test_an_extension_goes_to_its_approver_and_the_decision_to_who_asked(case_in, users, liaison, client):
    case = case_in("classified")
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    clocks.extension_request(clock=clock, user=users["cs_staff"], reason="等材料",
                             new_deadline=clock.deadline + dt.timedelta(days=1))
    assert told(title__startswith="待审批") == {"manager"}
    clocks.extension_decide(clock=clock, user=users["manager"], approve=True)
    assert told(title__contains="已批准") == {"cs_staff"}
    assert notices_not_opening(client) == []
