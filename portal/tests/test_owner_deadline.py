"""The time an owner is told a step will be done by (预计在 … 前完成这一步) is a promise to the
owner: the nearest deadline of the company's own step while it is still ahead. The page showed
the case's nearest clock of any kind: the front desk's 10-minute transfer (an internal hand-over)
on a case just reported, a deadline already past as if it were a new promise, and a deadline
while the owner was the one asked to answer."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from complaints import services as complaint_services
from complaints.models import ClockState, Complaint, SlaClock

from .test_cases import report

pytestmark = pytest.mark.django_db


def shown_deadline(client, case) -> str | None:
    page = client.get(f"/m/cases/{case.pk}/").content.decode()
    found = re.search(r'data-testid="deadline">预计在 (\d{4}-\d\d-\d\d \d\d:\d\d) 前完成这一步', page)
    return found.group(1) if found else None


def local(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def test_a_case_just_reported_shows_no_deadline_of_the_front_desks_transfer(client, place, owner_login):
    owner_login(0)
    report(client, place["units"][0])
    case = Complaint.objects.get()
    transfer = SlaClock.objects.get(complaint=case, rule__code="transfer")
    assert transfer.state == ClockState.RUNNING and case.next_deadline == transfer.deadline  # the staff's
    assert shown_deadline(client, case) is None


def test_the_company_s_step_shows_its_deadline_until_it_has_passed(client, place, owner_login, make_user):
    owner_login(0)
    report(client, place["units"][0])
    case = Complaint.objects.get()
    complaint_services.complaint_classify(complaint=case, user=make_user("cs_supervisor"), valid=True,
                                          severity="important")
    clock = SlaClock.objects.get(complaint=case, rule__code="important")
    assert clock.deadline > timezone.now()
    assert shown_deadline(client, case) == local(clock.deadline)

    # Still running on the staff's side while at risk: the same promise.
    SlaClock.objects.filter(pk=clock.pk).update(state=ClockState.AT_RISK)
    assert shown_deadline(client, case) == local(clock.deadline)

    # The deadline has passed (the scan has not marked it yet, or has): no promise is shown.
    past = timezone.now() - dt.timedelta(minutes=5)
    SlaClock.objects.filter(pk=clock.pk).update(deadline=past)
    Complaint.objects.filter(pk=case.pk).update(next_deadline=past)
    assert shown_deadline(client, case) is None
    SlaClock.objects.filter(pk=clock.pk).update(state=ClockState.BREACHED)
    assert shown_deadline(client, case) is None
    page = client.get(f"/m/cases/{case.pk}/").content.decode()
    assert "预计在" not in page


def test_no_deadline_is_shown_while_the_owner_is_asked_to_answer_the_plan(client, place, owner_login, make_user):
    """The plan waiting for the owner's answer (磋商): the step is the owner's, not the company's,
    though the minor complaint's clock still runs on the staff's side."""
    from .test_loop import plan_approved

    staff = {r: make_user(r, username=r) for r in ("front_desk", "cs_staff", "cs_supervisor", "manager")}
    owner_login(0)
    report(client, place["units"][0])
    case = Complaint.objects.get()
    complaint_services.complaint_transfer(complaint=case, user=staff["front_desk"], handler=staff["cs_staff"])
    plan_approved(case, staff)
    assert case.state == "plan_approved"
    assert SlaClock.objects.filter(complaint=case, rule__code="minor", state__in=[ClockState.RUNNING, ClockState.AT_RISK],
                                   deadline__gt=timezone.now()).exists()
    page = client.get(f"/m/cases/{case.pk}/").content.decode()
    assert 'data-testid="plan"' in page and "预计在" not in page
