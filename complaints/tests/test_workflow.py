"""Every allowed and every forbidden transition of both workflows, through the services."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from complaints.models import COMPLAINT_FLOW, SHORT_FLOW, Complaint, Kind, State, VisitState

from .conftest import PATHS, SHORT_PATHS, step_calls

# The main track; the return visit is a track of its own (tested below).
MAIN = [t for t in COMPLAINT_FLOW.transitions if not t.field]
TRACKS = [t for t in COMPLAINT_FLOW.transitions if t.field]
LONG_EDGES = [(t.name, s) for t in MAIN for s in t.sources]
LONG_FORBIDDEN = [(t.name, s) for t in MAIN for s in State.values
                  if s not in t.sources and s not in (State.REPLIED,)]
DISPOSED = [State.EXECUTED, State.FED_BACK, State.CORRECTING, State.CORRECTED]
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
    source = State.EXECUTED if transition.field else transition.sources[0]
    case = case_in(source)
    outsider = users["finance"]
    _, call = step_calls(users)[name]
    with pytest.raises(PermissionDenied):
        call(case, outsider)
    case.refresh_from_db()
    assert case.state == source and case.visit_state == ("due" if source == State.EXECUTED else case.visit_state)


@pytest.mark.parametrize("source", DISPOSED)
def test_the_return_visit_is_due_from_disposal_whatever_the_corrective_action(case_in, users, source):
    """Defect 9: the visit used to wait until the supervisor verified the corrective action."""
    case = case_in(source, without=("return_visit",))
    assert case.visit_state == VisitState.DUE
    assert "return_visit" in {t.name for t in COMPLAINT_FLOW.available(case, users["front_desk"])}
    role, call = step_calls(users)["return_visit"]
    call(case, users[role])
    case = Complaint.objects.get(pk=case.pk)
    assert case.visit_state == VisitState.DONE and case.state == source  # the main track does not move
    assert case.visits.count() == 1 and case.timeline.last().kind == "return_visit"
    assert case.history.first().history_user == users[role]


@pytest.mark.parametrize("source", [s for s in PATHS if s not in DISPOSED])
def test_the_return_visit_is_refused_before_disposal_and_after_it_is_done(case_in, users, source):
    finished = source in (State.CLOSED, State.ARCHIVED)  # closed only once visited
    case = case_in(source, without=() if finished else ("return_visit",))
    role, call = step_calls(users)["return_visit"]
    with pytest.raises(ValidationError):
        call(case, users[role])
    case.refresh_from_db()
    assert case.visits.count() == (1 if finished else 0)


def test_a_second_return_visit_is_refused(case_in, users):
    case = case_in(State.FED_BACK)
    role, call = step_calls(users)["return_visit"]
    with pytest.raises(ValidationError):
        call(case, users[role])
    assert case.visits.count() == 1


def test_a_case_closes_only_when_the_visit_is_done_and_the_corrective_action_verified(case_in, users):
    role, close = step_calls(users)["close"]
    case = case_in(State.CORRECTED, without=("return_visit",))
    assert "close" not in {t.name for t in COMPLAINT_FLOW.available(case, users[role])}
    with pytest.raises(ValidationError, match="尚未回访业主"):
        close(case, users[role])
    assert Complaint.objects.get(pk=case.pk).state == State.CORRECTED
    visited = case_in(State.CORRECTING)  # visited, corrective action not verified yet
    with pytest.raises(ValidationError):
        close(visited, users[role])
    assert Complaint.objects.get(pk=visited.pk).state == State.CORRECTING
    step_calls(users)["return_visit"][1](case, users["front_desk"])
    close(case, users[role])
    assert Complaint.objects.get(pk=case.pk).state == State.CLOSED


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
