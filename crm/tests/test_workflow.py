"""The shared workflow helper, exercised on a small declared machine over ApprovalRequest.status."""
import pytest
from django.core.exceptions import PermissionDenied

from crm.approvals import approval_submit
from crm.tests.factories import ProjectFactory
from crm.workflow import Transition, TransitionNotAllowed, Workflow

FLOW = Workflow(field="status", transitions=[
    Transition("withdraw", ("pending",), "withdrawn", "撤回", roles=("cs_staff",)),
    Transition("reopen", ("withdrawn",), "pending", "重新提交", roles=("cs_staff",)),
])


@pytest.fixture
def request_obj(make_user):
    project = ProjectFactory(code="p", name="项目")
    return approval_submit(target=project, subject="complaints.disposal_plan", title="方案", content="内容",
                           submitted_by=make_user("cs_staff"))


@pytest.mark.django_db
def test_allowed_transition_moves_state_and_writes_one_history_entry(request_obj, make_user):
    before = request_obj.history.count()
    FLOW.fire(request_obj, "withdraw", user=make_user("cs_staff"))
    assert request_obj.status == "withdrawn"
    assert request_obj.history.count() == before + 1
    assert request_obj.history.first().history_change_reason == "撤回"


@pytest.mark.django_db
def test_transition_from_wrong_state_is_refused_and_changes_nothing(request_obj, make_user):
    with pytest.raises(TransitionNotAllowed):
        FLOW.fire(request_obj, "reopen", user=make_user("cs_staff"))
    request_obj.refresh_from_db()
    assert request_obj.status == "pending"


@pytest.mark.django_db
def test_wrong_role_is_refused(request_obj, make_user):
    with pytest.raises(PermissionDenied):
        FLOW.fire(request_obj, "withdraw", user=make_user("front_desk"))


@pytest.mark.django_db
def test_stale_object_cannot_fire_twice(request_obj, make_user):
    from crm.models import ApprovalRequest

    stale = ApprovalRequest.objects.get(pk=request_obj.pk)
    FLOW.fire(request_obj, "withdraw", user=make_user("cs_staff"))
    with pytest.raises(TransitionNotAllowed):
        FLOW.fire(stale, "withdraw", user=make_user("cs_staff"))


@pytest.mark.django_db
def test_available_lists_only_what_the_service_accepts(request_obj, make_user):
    assert [t.name for t in FLOW.available(request_obj, make_user("cs_staff"))] == ["withdraw"]
    assert FLOW.available(request_obj, make_user("front_desk")) == []


# --- One predicate for the buttons and the service: permission and guard -------------------


def _refuse_on_weekends(obj, user):
    from django.core.exceptions import ValidationError

    if obj.title == "周末":
        raise ValidationError("周末不办理。")


GUARDED = Workflow(field="status", permission="crm.change_approvalrequest", transitions=[
    Transition("withdraw", ("pending",), "withdrawn", "撤回", roles=("cs_staff", "manager"), guard=_refuse_on_weekends),
    Transition("note", ("pending",), "pending", "备注", permission=""),
])


@pytest.mark.django_db
def test_a_role_without_the_workflows_permission_is_offered_nothing_and_refused(request_obj, make_user):
    manager = make_user("manager")  # the role is listed, but the group lacks crm.change_approvalrequest
    assert not manager.has_perm("crm.change_approvalrequest")
    assert [t.name for t in GUARDED.available(request_obj, manager)] == ["note"]
    with pytest.raises(PermissionDenied):
        GUARDED.fire(request_obj, "withdraw", user=manager)
    request_obj.refresh_from_db()
    assert request_obj.status == "pending"


@pytest.mark.django_db
def test_a_guard_hides_the_step_and_refuses_it_with_its_reason(request_obj, make_user):
    from django.contrib.auth.models import Permission
    from django.core.exceptions import ValidationError

    staff = make_user("cs_staff")
    staff.user_permissions.add(Permission.objects.get(codename="change_approvalrequest"))
    staff = type(staff).objects.get(pk=staff.pk)  # a fresh permission cache
    assert GUARDED.can(request_obj, "withdraw", staff)
    request_obj.title = "周末"
    request_obj.save(update_fields=["title"])
    assert not GUARDED.can(request_obj, "withdraw", staff)
    assert "withdraw" not in [t.name for t in GUARDED.available(request_obj, staff)]
    with pytest.raises(ValidationError, match="周末不办理"):
        GUARDED.fire(request_obj, "withdraw", user=staff)
    request_obj.refresh_from_db()
    assert request_obj.status == "pending"


def test_allowed_turns_a_raising_check_into_yes_or_no():
    from django.core.exceptions import ValidationError

    from crm.workflow import allowed

    def check(value):
        if value < 0:
            raise ValidationError("负数")
        if value == 0:
            raise PermissionDenied("零")

    assert allowed(check, 1) and not allowed(check, 0) and not allowed(check, -1)
