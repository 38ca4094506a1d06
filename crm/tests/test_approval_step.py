"""The shared approval step (crm.approvals) on a host: submitting and deciding fire the host's
transitions in the same transaction, the decision is stamped once on the ApprovalRequest, and
a refusal anywhere undoes the whole step. The host here is a club's founding plan."""
import dataclasses

import pytest
from django.core.exceptions import ValidationError

from clubs import services as clubs
from clubs.models import Club
from crm.approvals import ApprovalStep, approval_decide, approval_submit, approvals_for
from crm.workflow import TransitionNotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user("cs_staff")


@pytest.fixture
def manager(make_user):
    return make_user("manager")


@pytest.fixture
def club(staff):
    return clubs.club_create(user=staff, name="测试客户会", founding_plan="成立客户会，联络业主感情")


def submit(club, staff):
    return approval_submit(target=club, title="客户会成立方案", content=club.plan_text(), submitted_by=staff)


def with_effect(monkeypatch, effect):
    """The club's declared step, with ``effect`` as the host's own consequence of each event."""
    monkeypatch.setattr(Club, "approval_step", dataclasses.replace(Club.approval_step, effect=effect))


def test_submit_workflow_fires_the_hosts_submit_transition(club, staff):
    request = submit(club, staff)
    club.refresh_from_db()
    assert club.status == Club.Status.SUBMITTED
    assert club.history.first().history_change_reason == "提交审批"
    assert (request.subject, request.version, request.status, request.approver_role) == (
        "clubs.club_plan", 1, "pending", "manager")


def test_approve_workflow_moves_the_host_and_stamps_the_decision_once_in_one_transaction(
        club, staff, manager, monkeypatch):
    seen = []
    with_effect(monkeypatch, lambda target, request, *, event, user: seen.append(
        (event, Club.objects.get(pk=target.pk).status, request.status, request.decided_by, request.comment)))
    request = submit(club, staff)
    approval_decide(target=club, user=manager, approve=True, comment="同意")
    # the effect ran inside the step: it saw the host moved and the decision stamped
    assert seen == [("submit", "submitted", "pending", None, ""), ("approve", "approved", "approved", manager, "同意")]
    request.refresh_from_db()
    club.refresh_from_db()
    assert club.status == Club.Status.APPROVED
    assert (request.status, request.decided_by, request.comment) == ("approved", manager, "同意")
    assert request.decided_at is not None
    assert request.history.filter(history_type="~").count() == 1  # one history entry for the decision
    assert not {"decided_by", "decided_at", "comment"} & {f.name for f in Club._meta.fields}  # no copy on the host


def test_reject_workflow_returns_the_host_for_revision_with_the_comment(club, staff, manager):
    request = submit(club, staff)
    approval_decide(request_id=request.pk, user=manager, approve=False, comment="请补充章程")
    club.refresh_from_db()
    request.refresh_from_db()
    assert club.status == Club.Status.REJECTED
    assert (request.status, request.comment, request.decided_by) == ("rejected", "请补充章程", manager)
    second = submit(club, staff)  # the host's submit fires again from "rejected"
    assert second.version == 2 and Club.objects.get(pk=club.pk).status == Club.Status.SUBMITTED


def test_a_refused_host_transition_leaves_the_version_pending_and_unstamped(club, staff, manager):
    request = submit(club, staff)
    Club.objects.filter(pk=club.pk).update(status=Club.Status.DRAFT)  # the host moved meanwhile
    with pytest.raises(TransitionNotAllowed):
        approval_decide(target=club, user=manager, approve=True)
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decided_at) == ("pending", None, None)


def test_a_failing_host_effect_rolls_back_the_decision_and_the_hosts_transition(club, staff, manager, monkeypatch):
    def refuse(target, request, *, event, user):
        if event == "approve":
            raise ValidationError("宿主拒绝")

    with_effect(monkeypatch, refuse)
    request = submit(club, staff)
    with pytest.raises(ValidationError, match="宿主拒绝"):
        approval_decide(target=club, user=manager, approve=True)
    request.refresh_from_db()
    club.refresh_from_db()
    assert (request.status, request.decided_by) == ("pending", None)
    assert club.status == Club.Status.SUBMITTED
    assert club.history.filter(history_change_reason="批准").count() == 0


def test_a_refused_submission_writes_no_version(club, staff, manager):
    submit(club, staff)
    approval_decide(target=club, user=manager, approve=True)
    with pytest.raises(TransitionNotAllowed):  # an approved plan is not submitted again
        submit(club, staff)
    assert [a.status for a in approvals_for(club)] == ["approved"]


def test_every_host_declares_its_step_with_transitions_of_its_own_workflow():
    from django.apps import apps

    hosts = {m._meta.label: m.approval_step for m in apps.get_models()
             if isinstance(getattr(m, "approval_step", None), ApprovalStep)}
    assert set(hosts) == {"complaints.Complaint", "complaints.SlaClock", "clubs.OwnerForum", "clubs.Club",
                          "clubs.ClubActivity", "mortgage.AgencyAgreement", "owners.AccessRequest"}
    for label, step in hosts.items():
        for name in (step.on_submit, step.on_approve, step.on_reject):
            if name:
                assert step.workflow.get(name), (label, name)
