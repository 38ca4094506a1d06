"""Factories for the complaints tests: a project with owners, users per role, cases in any state."""
import datetime as dt
import itertools

import pytest
from django.utils import timezone

from complaints import services
from complaints.models import Kind, State

_seq = itertools.count(1)


@pytest.fixture
def place(db):
    from crm.tests.factories import OwnerFactory, ProjectFactory, UnitFactory

    project = ProjectFactory(code="lake", name="湖畔花园")
    units = [UnitFactory(project=project, number=f"{i}01", area=100, delivery_date=None) for i in range(1, 8)]
    owners = [OwnerFactory(code=f"C{i:04d}", name=f"业主{i}", phone=f"1380000{i:04d}", project=project, unit=unit)
              for i, unit in enumerate(units, start=1)]
    return {"project": project, "units": units, "owners": owners}


@pytest.fixture
def users(make_user):
    roles = ["front_desk", "cs_staff", "cs_supervisor", "manager", "property_company", "finance", "admin"]
    return {role: make_user(role, username=role) for role in roles}


@pytest.fixture
def new_case(place, users):
    def factory(kind=Kind.COMPLAINT, owner=0, received_at=None, **extra):
        return services.complaint_register(
            received_by=users["front_desk"], kind=kind, channel="phone", category="repairs",
            title=f"漏水{next(_seq)}", description="卫生间漏水", customer=place["owners"][owner],
            unit=place["units"][owner], received_at=received_at or timezone.now(), **extra)

    return factory


def step_calls(users):
    """Each transition: (role that fires it, the service call)."""
    return {
        "transfer": ("front_desk", lambda c, who: services.complaint_transfer(complaint=c, user=who)),
        "classify_valid": ("cs_supervisor", lambda c, who: services.complaint_classify(
            complaint=c, user=who, valid=True, severity="important")),
        "classify_invalid": ("cs_supervisor", lambda c, who: services.complaint_classify(
            complaint=c, user=who, valid=False, reason="不属于本公司责任，已向业主解释")),
        "investigate": ("cs_staff", lambda c, who: services.complaint_investigate(
            complaint=c, user=who, cause="防水层破损", responsibility="施工单位")),
        "submit_plan": ("cs_staff", lambda c, who: services.plan_submit(complaint=c, user=who, content="重做防水")),
        "approve_plan": ("manager", lambda c, who: services.plan_decide(complaint=c, user=who, approve=True)),
        "reject_plan": ("manager", lambda c, who: services.plan_decide(
            complaint=c, user=who, approve=False, comment="补充赔偿方案")),
        "negotiate_fail": ("cs_staff", lambda c, who: services.negotiation_record(
            complaint=c, user=who, agreed=False, owner_opinion="要求赔偿")),
        "negotiate_agree": ("cs_staff", lambda c, who: services.negotiation_record(
            complaint=c, user=who, agreed=True, owner_opinion="同意")),
        "execute": ("cs_staff", lambda c, who: services.complaint_execute(complaint=c, user=who, result="已修复")),
        "reopen": ("cs_supervisor", lambda c, who: services.complaint_reopen(complaint=c, user=who, reason="业主不满意")),
        "feedback": ("front_desk", lambda c, who: services.complaint_feedback(
            complaint=c, user=who, feedback="已修复并告知", owner_opinion="满意")),
        "send_correction": ("cs_staff", lambda c, who: services.correction_send(
            complaint=c, user=who, method="letter", departments="工程部", action="加强防水验收")),
        "verify_correction": ("cs_supervisor", lambda c, who: services.correction_verify(
            complaint=c, user=who, verification="已落实")),
        "return_visit": ("front_desk", lambda c, who: services.return_visit_record(
            complaint=c, user=who, handled=True, satisfaction=5)),
        "close": ("cs_staff", lambda c, who: services.complaint_close(complaint=c, user=who)),
        "archive": ("cs_supervisor", lambda c, who: services.complaint_archive(complaint=c, user=who)),
        "reply": ("front_desk", lambda c, who: services.complaint_reply(complaint=c, user=who, reply="已答复")),
    }


# How a complaint reaches each state through the real services.
PATHS = {
    State.REGISTERED: [],
    State.TRANSFERRED: ["transfer"],
    State.CLASSIFIED: ["classify_valid"],
    State.INVESTIGATED: ["classify_valid", "investigate"],
    State.PLAN_PENDING: ["classify_valid", "investigate", "submit_plan"],
    State.PLAN_REJECTED: ["classify_valid", "investigate", "submit_plan", "reject_plan"],
    State.PLAN_APPROVED: ["classify_valid", "investigate", "submit_plan", "approve_plan"],
    State.NEGOTIATION_FAILED: ["classify_valid", "investigate", "submit_plan", "approve_plan", "negotiate_fail"],
    State.AGREED: ["classify_valid", "investigate", "submit_plan", "approve_plan", "negotiate_agree"],
}
PATHS[State.EXECUTED] = PATHS[State.AGREED] + ["execute"]  # the return visit is due from here
# From "fed back" on, the cases have had their return visit (a track beside the main one):
# the visit never waits for the corrective action, and closing needs both.
PATHS[State.FED_BACK] = PATHS[State.EXECUTED] + ["feedback", "return_visit"]
PATHS[State.CORRECTING] = PATHS[State.FED_BACK] + ["send_correction"]
PATHS[State.CORRECTED] = PATHS[State.CORRECTING] + ["verify_correction"]
PATHS[State.CLOSED] = PATHS[State.CORRECTED] + ["close"]
PATHS[State.ARCHIVED] = PATHS[State.CLOSED] + ["archive"]
SHORT_PATHS = {State.REGISTERED: [], State.TRANSFERRED: ["transfer"], State.REPLIED: ["reply"],
               State.CLOSED: ["reply", "close"], State.ARCHIVED: ["reply", "close", "archive"]}


@pytest.fixture
def case_in(new_case, users):
    """case_in(state, kind=complaint, without=()) -> a case brought to ``state`` by the real
    services, skipping the steps named in ``without`` (e.g. the return visit)."""
    calls = step_calls(users)

    def factory(state, kind=Kind.COMPLAINT, without=(), **extra):
        case = new_case(kind=kind, **extra)
        paths = PATHS if kind in (Kind.COMPLAINT, Kind.DISPUTE) else SHORT_PATHS
        for name in [n for n in paths[state] if n not in without]:
            role, call = calls[name]
            call(case, users[role])
            case.refresh_from_db()
        assert case.state == state
        return case

    return factory


def at(y, m, d, hh=9, mm=0):
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))
