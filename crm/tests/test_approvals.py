import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.approvals import approval_decide, approval_submit, approvals_for, can_decide
from crm.models import ApprovalRequest, ApprovalRule, Notification


@pytest.fixture
def target(investigated_case):
    """A case investigated and ready for its disposal plan (crm/tests/conftest.py)."""
    return investigated_case


def submit(target, user, level="", content="方案：上门维修并赔偿"):
    return approval_submit(target=target, subject="complaints.disposal_plan", title="处置方案", content=content,
                           submitted_by=user, level=level)


@pytest.mark.django_db
def test_reject_then_resubmit_then_approve_keeps_every_version(target, make_user):
    staff, manager = make_user("cs_staff"), make_user("manager")
    first = submit(target, staff)
    assert first.approver_role == "manager" and first.version == 1
    approval_decide(request_id=first.pk, user=manager, approve=False, comment="赔偿金额依据不足")
    target.refresh_from_db()  # the step moved the case back for revision
    second = submit(target, staff, content="方案：上门维修，按合同条款赔偿")
    approval_decide(request_id=second.pk, user=manager, approve=True, comment="同意")
    versions = list(approvals_for(target).values_list("version", "status", "comment"))
    assert versions == [(1, "rejected", "赔偿金额依据不足"), (2, "approved", "同意")]


@pytest.mark.django_db
def test_submission_notifies_the_approver_role_and_decision_notifies_the_drafter(target, make_user):
    staff, manager = make_user("cs_staff"), make_user("manager")
    request = submit(target, staff)
    assert Notification.objects.filter(recipient=manager, title__startswith="待审批").count() == 1
    approval_decide(request_id=request.pk, user=manager, approve=True)
    assert Notification.objects.filter(recipient=staff, title__contains="已批准").count() == 1


@pytest.mark.django_db
def test_drafter_never_approves_own_plan(target, make_user):
    ApprovalRule.objects.filter(subject="complaints.disposal_plan", level="minor").update(approver_role="cs_supervisor")
    supervisor = make_user("cs_supervisor")  # a supervisor may draft, and approves minor plans
    request = submit(target, supervisor, level="minor")
    assert not can_decide(request, supervisor)
    with pytest.raises(PermissionDenied):
        approval_decide(request_id=request.pk, user=supervisor, approve=True)
    assert ApprovalRequest.objects.get(pk=request.pk).status == "pending"


@pytest.mark.django_db
def test_wrong_role_cannot_decide(target, make_user):
    request = submit(target, make_user("cs_staff"))
    with pytest.raises(PermissionDenied):
        approval_decide(request_id=request.pk, user=make_user("cs_supervisor"), approve=True)


@pytest.mark.django_db
def test_minor_plans_can_be_delegated_to_the_supervisor_in_the_matrix(target, make_user):
    ApprovalRule.objects.filter(subject="complaints.disposal_plan", level="minor").update(approver_role="cs_supervisor")
    request = submit(target, make_user("cs_staff"), level="minor")
    assert request.approver_role == "cs_supervisor"
    approval_decide(request_id=request.pk, user=make_user("cs_supervisor"), approve=True)


@pytest.mark.django_db
def test_rejection_needs_a_comment(target, make_user):
    request = submit(target, make_user("cs_staff"))
    with pytest.raises(ValidationError):
        approval_decide(request_id=request.pk, user=make_user("manager"), approve=False, comment=" ")


@pytest.mark.django_db
def test_a_second_decision_is_refused_and_leaves_one_history_entry(target, make_user):
    request = submit(target, make_user("cs_staff"))
    approval_decide(request_id=request.pk, user=make_user("manager"), approve=True)
    with pytest.raises(ValidationError):
        approval_decide(request_id=request.pk, user=make_user("manager"), approve=False, comment="不同意")
    request.refresh_from_db()
    assert request.status == "approved"
    assert request.history.filter(status="approved").count() == 1


@pytest.mark.django_db
def test_only_one_pending_version_at_a_time(target, make_user):
    staff = make_user("cs_staff")
    submit(target, staff)
    with pytest.raises(ValidationError):
        submit(target, staff)
