"""Every button and form of the case page is shown exactly to a user the service accepts.

Per kind of button: a user who may not act does not see it and cannot open or post its form
(the row read back is unchanged); a user who may sees it.
"""
import datetime as dt

import pytest
from django.urls import reverse

from complaints import clocks, services
from complaints.models import Event, Kind, SlaClock, State
from crm.models import ApprovalRequest

pytestmark = pytest.mark.django_db


def page(client, case):
    response = client.get(reverse("complaints:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_only_the_approver_the_matrix_names_sees_and_opens_the_plan_decision(case_in, users, client):
    case = case_in(State.PLAN_PENDING)  # an important complaint: the manager decides
    pending = ApprovalRequest.objects.get(object_id=case.pk, status="pending")
    assert pending.approver_role == "manager"

    client.force_login(users["cs_supervisor"])  # the matrix names the manager, not the supervisor
    body = page(client, case)
    assert 'data-transition="approve_plan"' not in body and 'data-transition="reject_plan"' not in body
    for name in ("approve_plan", "reject_plan"):
        url = reverse("complaints:act", args=[case.pk, name])
        assert client.get(url).status_code == 403
        assert client.post(url, {"comment": "同意"}).status_code == 403
    case.refresh_from_db()
    pending.refresh_from_db()
    assert case.state == State.PLAN_PENDING and pending.status == "pending" and pending.decided_by is None

    client.force_login(users["manager"])
    body = page(client, case)
    assert 'data-transition="approve_plan"' in body and 'data-transition="reject_plan"' in body
    assert client.get(reverse("complaints:act", args=[case.pk, "approve_plan"])).status_code == 200


def test_a_minor_plan_goes_to_the_supervisor_when_the_admin_says_so_and_then_only_to_them(case_in, users, client):
    from crm.models import ApprovalRule

    ApprovalRule.objects.filter(subject="complaints.disposal_plan", level="minor").update(approver_role="cs_supervisor")
    case = case_in(State.REGISTERED)
    services.complaint_classify(complaint=case, user=users["cs_supervisor"], valid=True, severity="minor")
    services.complaint_investigate(complaint=case, user=users["cs_staff"], cause="胶条老化", responsibility="物业")
    services.plan_submit(complaint=case, user=users["cs_staff"], content="更换胶条")

    client.force_login(users["manager"])
    assert 'data-transition="approve_plan"' not in page(client, case)
    assert client.get(reverse("complaints:act", args=[case.pk, "approve_plan"])).status_code == 403
    client.force_login(users["cs_supervisor"])
    assert 'data-transition="approve_plan"' in page(client, case)
    client.post(reverse("complaints:act", args=[case.pk, "approve_plan"]), {"comment": "同意"})
    case.refresh_from_db()
    assert case.state == State.PLAN_APPROVED


def test_the_drafter_never_sees_a_decision_on_their_own_plan(case_in, users, client):
    from crm.models import ApprovalRule

    ApprovalRule.objects.filter(subject="complaints.disposal_plan").update(approver_role="cs_supervisor")
    case = case_in(State.INVESTIGATED)
    supervisor = users["cs_supervisor"]
    services.plan_submit(complaint=case, user=supervisor, content="主管自拟方案")  # a handler may draft
    client.force_login(supervisor)
    assert 'data-transition="approve_plan"' not in page(client, case)
    assert client.post(reverse("complaints:act", args=[case.pk, "approve_plan"]), {}).status_code == 403
    case.refresh_from_db()
    assert case.state == State.PLAN_PENDING


def test_a_refused_rejection_leaves_the_case_and_the_version_as_they_were(case_in, users, client):
    """The case moves and the version is decided in one transaction: a rejection without a
    comment is refused and undoes both."""
    case = case_in(State.PLAN_PENDING)
    client.force_login(users["manager"])
    client.post(reverse("complaints:act", args=[case.pk, "reject_plan"]), {"comment": " "})
    case.refresh_from_db()
    assert case.state == State.PLAN_PENDING
    assert ApprovalRequest.objects.get(object_id=case.pk, subject="complaints.disposal_plan").status == "pending"


def test_a_role_outside_the_step_gets_no_button_and_no_form(case_in, users, client):
    case = case_in(State.REGISTERED)
    client.force_login(users["manager"])  # may view and change cases, but classifying is the supervisor's
    body = page(client, case)
    assert 'data-transition="classify_valid"' not in body
    url = reverse("complaints:act", args=[case.pk, "classify_valid"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"severity": "minor"}).status_code == 403
    case.refresh_from_db()
    assert case.state == State.REGISTERED and case.severity == ""
    client.force_login(users["cs_supervisor"])
    assert 'data-transition="classify_valid"' in page(client, case)
    assert client.get(url).status_code == 200


def test_an_archived_case_shows_no_clock_attachment_or_event_form_and_refuses_them(case_in, users, client):
    case = case_in(State.ARCHIVED)
    clock = case.clocks.first()
    client.force_login(users["cs_staff"])
    body = page(client, case)
    assert 'data-form="pause"' not in body and 'data-form="extend"' not in body and 'data-form="resume"' not in body
    assert 'data-form="attach"' not in body and 'id="event-form"' not in body
    client.post(reverse("complaints:clock", args=[clock.pk, "pause"]), {"reason": "等待业主"})
    client.post(reverse("complaints:link_event", args=[case.pk]), {"title": "停水"})
    clock.refresh_from_db()
    case.refresh_from_db()
    assert clock.paused_at is None and case.event_id is None and not Event.objects.filter(title="停水").exists()


def test_clock_forms_follow_the_clock_state(case_in, users, client):
    case = case_in(State.CLASSIFIED)
    clock = case.clocks.filter(state="running").first()
    client.force_login(users["cs_staff"])
    body = page(client, case)
    assert 'data-form="pause"' in body and 'data-form="extend"' in body and 'data-form="resume"' not in body
    assert 'data-form="attach"' in body and 'id="event-form"' in body
    clocks.clock_pause(clock=clock, user=users["cs_staff"], reason="等待业主在家")
    body = page(client, case)
    assert 'data-form="pause"' not in body and 'data-form="resume"' in body
    client.post(reverse("complaints:clock", args=[clock.pk, "pause"]), {"reason": "再次暂停"})
    clock.refresh_from_db()
    assert clock.paused_reason == "等待业主在家"


def test_a_need_has_no_event_form_and_refuses_a_forged_link(case_in, users, client):
    case = case_in(State.REGISTERED, kind=Kind.NEED)
    client.force_login(users["cs_staff"])
    assert 'id="event-form"' not in page(client, case)
    client.post(reverse("complaints:link_event", args=[case.pk]), {"title": "快递柜"})
    case.refresh_from_db()
    assert case.event_id is None and not Event.objects.filter(title="快递柜").exists()


def test_only_the_extension_approver_sees_the_extension_decision(case_in, users, client):
    case = case_in(State.CLASSIFIED)  # important: the manager approves extensions
    clock = case.clocks.filter(state="running").first()
    clocks.extension_request(clock=clock, user=users["cs_staff"], reason="等待材料",
                             new_deadline=clock.deadline + dt.timedelta(days=2))
    deadline = SlaClock.objects.get(pk=clock.pk).deadline

    client.force_login(users["cs_supervisor"])
    assert 'data-extension="approve"' not in page(client, case)
    client.post(reverse("complaints:clock", args=[clock.pk, "approve"]), {"comment": "同意"})
    assert SlaClock.objects.get(pk=clock.pk).deadline == deadline
    assert ApprovalRequest.objects.get(object_id=clock.pk, subject="complaints.extension").status == "pending"

    client.force_login(users["manager"])
    assert 'data-extension="approve"' in page(client, case)


def test_the_service_refuses_what_the_page_would_not_offer(case_in, users):
    """The same checks, called without the page: a user without the change permission."""
    from django.core.exceptions import PermissionDenied

    case = case_in(State.CLASSIFIED)
    clock = case.clocks.filter(state="running").first()
    outsider = users["finance"]
    with pytest.raises(PermissionDenied):
        clocks.clock_pause(clock=clock, user=outsider, reason="x")
    with pytest.raises(PermissionDenied):
        services.event_attach(complaint=case, user=outsider, title="停电")
    assert SlaClock.objects.get(pk=clock.pk).state == "running"
    assert not Event.objects.filter(title="停电").exists()


def test_the_matrix_changed_in_the_admin_moves_the_decision_to_another_role(new_case, users, client):
    """Issue 15 §1: the approval matrix is the only place an approver is named. The admin gives a
    minor complaint's plan to the customer-affairs staff in the admin's own list; the next plan
    submitted goes to cs_staff, who sees and uses 批准方案, and the manager no longer does."""
    from complaints import services
    from complaints.models import Severity
    from crm.models import ApprovalRule
    from crm.testing import approval_matrix_set

    rule, _ = ApprovalRule.objects.get_or_create(subject="complaints.disposal_plan", level=Severity.MINOR,
                                                 defaults={"approver_role": "manager"})
    admin_user = users["admin"]
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    response = approval_matrix_set(client, rule, "cs_staff")
    assert response.status_code == 302, response.content.decode()[:1500]
    assert ApprovalRule.objects.get(pk=rule.pk).approver_role == "cs_staff"

    case = new_case()
    services.complaint_classify(complaint=case, user=users["cs_supervisor"], valid=True, severity=Severity.MINOR)
    case.refresh_from_db()
    services.complaint_investigate(complaint=case, user=users["cs_staff"], cause="门锁损坏", responsibility="物业公司")
    case.refresh_from_db()
    services.plan_submit(complaint=case, user=users["cs_supervisor"], content="更换门锁")
    pending = ApprovalRequest.objects.get(object_id=case.pk, status="pending")
    assert pending.approver_role == "cs_staff"
    client.force_login(users["manager"])
    assert 'data-transition="approve_plan"' not in page(client, case)
    assert client.post(reverse("complaints:act", args=[case.pk, "approve_plan"]), {"comment": "同意"}).status_code == 403
    client.force_login(users["cs_staff"])
    assert 'data-transition="approve_plan"' in page(client, case)
    client.post(reverse("complaints:act", args=[case.pk, "approve_plan"]), {"comment": "同意"})
    case.refresh_from_db()
    pending.refresh_from_db()
    assert case.state == State.PLAN_APPROVED and pending.status == "approved"
    assert pending.decided_by == users["cs_staff"]
