"""Races on PostgreSQL with real row locks: two approvers on one plan, two SLA scans at once."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from complaints import services, sla
from complaints.models import ClockState, State
from crm.models import ApprovalRequest, Notification
from crm.testing import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite serializes every writer")


def test_two_managers_deciding_one_plan_at_once_make_exactly_one_decision(case_in, users, make_user):
    case = case_in(State.PLAN_PENDING)
    second = make_user("manager", username="manager2")
    plan_history = case.history.count()
    notes = Notification.objects.count()
    outcomes = run_at_once(
        lambda: services.plan_decide(complaint=case, user=users["manager"], approve=True),
        lambda: services.plan_decide(complaint=case, user=second, approve=False, comment="再补充赔偿标准"),
    )
    errors = [exc for _, exc in outcomes if exc is not None]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), outcomes
    decided = ApprovalRequest.objects.exclude(status=ApprovalRequest.Status.PENDING)
    assert decided.count() == 1
    case.refresh_from_db()
    winner = decided.get()
    assert case.state == (State.PLAN_APPROVED if winner.status == ApprovalRequest.Status.APPROVED
                          else State.PLAN_REJECTED)
    assert case.history.count() == plan_history + 1  # one history entry for the one transition
    assert winner.history.filter(history_type="~").count() == 1
    assert Notification.objects.count() - notes == 1


def test_two_sla_scans_at_once_breach_and_notify_once(case_in, users):
    case = case_in(State.CLASSIFIED)
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    long_after = clock.started_at + dt.timedelta(days=365)
    type(clock).objects.filter(pk=clock.pk).update(deadline=clock.started_at, warn_at=clock.started_at,
                                                   escalate_at=long_after)
    notes = Notification.objects.count()
    history = clock.history.count()
    outcomes = run_at_once(lambda: call_command("runjob", "complaints.sla_scan"),
                           lambda: call_command("runjob", "complaints.sla_scan"))
    assert [exc for _, exc in outcomes] == [None, None]
    clock.refresh_from_db()
    assert clock.state == ClockState.BREACHED
    breached = Notification.objects.filter(title__contains="已超时")
    assert breached.filter(recipient=users["cs_supervisor"]).count() == 1
    assert Notification.objects.count() - notes == breached.count()
    # one scan changed the clock and wrote its history row; the other changed nothing and wrote none
    assert clock.history.count() == history + 1


def test_cases_registered_at_once_in_a_new_project_are_all_counted(new_case, place):
    """The first case of a project creates its row of counts: two at once must not both try
    (the upsert takes the row the other created) nor lose one."""
    from complaints import tally

    outcomes = run_at_once(*[(lambda owner=owner: new_case(owner=owner)) for owner in range(4)])
    assert [exc for _, exc in outcomes] == [None] * 4
    counts = tally.counts([place["project"].pk])
    assert counts["total"] == 4 and counts["classify"] == 4
    assert tally.stored() == tally.recount()
