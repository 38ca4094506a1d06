"""Every allowed and every forbidden transition of both workflows, through the services."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from complaints.models import COMPLAINT_FLOW, SHORT_FLOW, Kind, State

from .conftest import SHORT_PATHS, step_calls

LONG_EDGES = [(t.name, s) for t in COMPLAINT_FLOW.transitions for s in t.sources]
LONG_FORBIDDEN = [(t.name, s) for t in COMPLAINT_FLOW.transitions for s in State.values
                  if s not in t.sources and s not in (State.REPLIED,)]
SHORT_EDGES = [(t.name, s) for t in SHORT_FLOW.transitions for s in t.sources]
SHORT_FORBIDDEN = [(t.name, s) for t in SHORT_FLOW.transitions for s in SHORT_PATHS if s not in t.sources]


@pytest.mark.parametrize(("name", "source"), LONG_EDGES)
def test_allowed_complaint_transition_moves_the_case_and_writes_the_timeline(case_in, users, name, source):
    case = case_in(source)
    role, call = step_calls(users)[name]
    before = case.timeline.count()
    call(case, users[role])
    case.refresh_from_db()
    assert case.state == COMPLAINT_FLOW.get(name).target
    assert case.timeline.count() > before
    assert case.timeline.last().actor == users[role]
    assert case.history.first().history_user == users[role]


@pytest.mark.parametrize(("name", "source"), LONG_FORBIDDEN)
def test_forbidden_complaint_transition_is_refused_and_changes_nothing(case_in, users, name, source):
    case = case_in(source)
    role, call = step_calls(users)[name]
    entries = case.timeline.count()
    with pytest.raises(ValidationError):
        call(case, users[role])
    case.refresh_from_db()
    assert case.state == source
    assert case.timeline.count() == entries


@pytest.mark.parametrize("name", [t.name for t in COMPLAINT_FLOW.transitions])
def test_a_role_that_may_not_fire_a_transition_is_refused(case_in, users, name):
    transition = COMPLAINT_FLOW.get(name)
    case = case_in(transition.sources[0])
    outsider = users["finance"]
    _, call = step_calls(users)[name]
    with pytest.raises(PermissionDenied):
        call(case, outsider)
    case.refresh_from_db()
    assert case.state == transition.sources[0]


@pytest.mark.parametrize(("name", "source"), SHORT_EDGES)
@pytest.mark.parametrize("kind", [Kind.NEED, Kind.ENQUIRY, Kind.PRAISE])
def test_allowed_short_path_transition_moves_the_case(case_in, users, name, source, kind):
    case = case_in(source, kind=kind)
    role, call = step_calls(users)[name]
    call(case, users[role])
    case.refresh_from_db()
    assert case.state == SHORT_FLOW.get(name).target


@pytest.mark.parametrize(("name", "source"), SHORT_FORBIDDEN)
def test_forbidden_short_path_transition_is_refused(case_in, users, name, source):
    case = case_in(source, kind=Kind.NEED)
    role, call = step_calls(users)[name]
    with pytest.raises(ValidationError):
        call(case, users[role])
    case.refresh_from_db()
    assert case.state == source


@pytest.mark.parametrize("name", ["classify_valid", "investigate", "submit_plan", "negotiate_agree", "execute"])
def test_complaint_only_transitions_are_refused_for_a_need(case_in, users, name):
    case = case_in(State.REGISTERED, kind=Kind.NEED)
    role, call = step_calls(users)[name]
    with pytest.raises(ValidationError):
        call(case, users[role])
    case.refresh_from_db()
    assert case.state == State.REGISTERED


def test_the_drafter_cannot_approve_their_own_plan(case_in, users):
    case = case_in(State.PLAN_PENDING)
    plan = case.plans.get()
    with pytest.raises(PermissionDenied):
        from complaints import services

        services.plan_decide(complaint=case, user=plan.drafted_by, approve=True)
    case.refresh_from_db()
    assert case.state == State.PLAN_PENDING


def test_every_plan_version_is_kept_after_reject_and_failed_negotiation(case_in, users):
    from complaints import services

    case = case_in(State.NEGOTIATION_FAILED)
    services.plan_submit(complaint=case, user=users["cs_staff"], content="重做防水并补偿")
    case.refresh_from_db()
    services.plan_decide(complaint=case, user=users["manager"], approve=True)
    versions = list(case.plans.order_by("version").values_list("version", "approval__status"))
    assert versions == [(1, "approved"), (2, "approved")]
