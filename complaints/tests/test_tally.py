"""The register's counts per project (complaints.tally) stay exact through every write: a case
registered, moved along its workflow, its clocks warned and breached by the SLA scan, moved to
another project, deleted; and the register shows them."""
import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from complaints import clocks, tally
from complaints.models import ClockState, Complaint, SlaClock, State
from crm.tests.factories import ProjectFactory

from .conftest import PATHS, step_calls

pytestmark = pytest.mark.django_db


def counted_from_cases(**scope) -> dict:
    """The counts as the register used to count them: every case joined to its clocks."""
    queues = tally.queue_filters()
    return Complaint.objects.filter(**scope).aggregate(
        total=Count("pk", distinct=True),
        **{name: Count("pk", distinct=name in ("classify", "approve"), filter=condition)
           for name, condition in queues.items()})


def assert_exact(project=None):
    assert tally.stored() == tally.recount()
    if project is not None:
        kept = tally.counts([project.pk])
        assert {k: kept[k] for k in tally.COLUMNS} == counted_from_cases(project=project)


def test_the_triggers_are_installed_by_migrate():
    assert set(tally.installed_triggers()) == set(tally.trigger_names())


def test_counts_follow_a_complaint_through_every_step_of_its_workflow(new_case, users, place):
    calls = step_calls(users)
    case = new_case()
    assert tally.counts([place["project"].pk])["classify"] == 1
    assert_exact(place["project"])
    for name in PATHS[State.ARCHIVED]:
        role, call = calls[name]
        call(case, users[role])
        case.refresh_from_db()
        assert_exact(place["project"])
        if case.state == State.PLAN_PENDING:
            assert tally.counts([place["project"].pk])["approve"] == 1
    assert case.state == State.ARCHIVED
    counts = tally.counts([place["project"].pk])
    assert (counts["total"], counts["classify"], counts["approve"]) == (1, 0, 0)


def test_counts_follow_the_sla_scan_warning_and_breaching_clocks(case_in, place):
    case = case_in(State.CLASSIFIED)  # an important complaint: its disposal clock runs
    running = SlaClock.objects.filter(complaint=case, state=ClockState.RUNNING)
    assert running.exists()
    clock = running.first()
    clocks.sla_scan(now=clock.warn_at + dt.timedelta(seconds=1))
    assert SlaClock.objects.filter(complaint=case, state=ClockState.AT_RISK).exists()
    assert tally.counts([place["project"].pk])["due"] >= 1
    assert_exact(place["project"])
    clocks.sla_scan(now=clock.deadline + dt.timedelta(seconds=1))
    assert tally.counts([place["project"].pk])["breached"] == SlaClock.objects.filter(
        complaint=case, state=ClockState.BREACHED).count() >= 1
    assert_exact(place["project"])


def test_the_return_visit_queue_counts_live_return_visit_clocks(case_in, users, place):
    case = case_in(State.EXECUTED)  # disposed: the return visit is due
    assert tally.counts([place["project"].pk])["visits"] == 1
    step_calls(users)["return_visit"][1](case, users["front_desk"])
    assert tally.counts([place["project"].pk])["visits"] == 0
    assert_exact(place["project"])


def test_a_case_moved_to_another_project_takes_its_counts_along(case_in, place):

    other = ProjectFactory(code="hill", name="山景苑")
    case = case_in(State.CLASSIFIED)
    before = tally.counts([place["project"].pk])
    Complaint.objects.filter(pk=case.pk).update(project=other)
    moved = tally.counts([other.pk])
    assert moved["total"] == 1 and moved["classify"] == 0
    assert moved["due"] + moved["breached"] + moved["visits"] == before["due"] + before["breached"] + before["visits"]
    assert tally.counts([place["project"].pk])["total"] == before["total"] - 1
    assert_exact(other)


def test_deleting_cases_and_clocks_takes_them_off(case_in, new_case, place):
    keep = new_case()
    gone = case_in(State.CLASSIFIED)
    SlaClock.objects.filter(complaint=gone).update(state=ClockState.BREACHED)
    assert tally.counts([place["project"].pk])["breached"] >= 1
    gone.delete()  # as the admin deletes: its clocks first (Django's cascade), then the case
    counts = tally.counts([place["project"].pk])
    assert (counts["total"], counts["breached"]) == (1, 0)
    assert Complaint.objects.filter(pk=keep.pk).exists()
    assert_exact(place["project"])


def test_missing_triggers_are_put_back_and_the_counts_rebuilt(new_case, place):
    """A migration that rebuilds the table on SQLite drops its triggers: the next migrate's
    post_migrate puts them back and recounts what changed meanwhile."""
    new_case()
    with connection.cursor() as cursor:
        for name, table in tally.installed_triggers().items():
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER {name} ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER {name}")
    new_case()  # not counted: no trigger
    assert tally.counts([place["project"].pk])["total"] == 1
    assert tally.ensure_triggers() is True
    assert tally.counts([place["project"].pk])["total"] == 2
    assert tally.ensure_triggers() is False
    assert_exact(place["project"])


def test_the_register_shows_the_exact_counts_of_the_users_own_projects(client, make_user, new_case, place):

    other = ProjectFactory(code="hill", name="山景苑", closeout_date=timezone.localdate() + dt.timedelta(days=90))
    project = place["project"]
    project.closeout_date = timezone.localdate() + dt.timedelta(days=90)
    project.save(update_fields=["closeout_date"])
    new_case()
    new_case()
    Complaint.objects.filter(pk=new_case().pk).update(project=other)
    dept = make_user("project_dept", projects=[project])
    client.force_login(dept)
    response = client.get(reverse("complaints:register"))
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts["total"] == 2 and counts["classify"] == 2
    assert response.context["page_obj"].paginator.count == 2
    assert {k: counts[k] for k in tally.COLUMNS} == counted_from_cases(project=project)
    supervisor = make_user("cs_supervisor")
    client.force_login(supervisor)
    counts = client.get(reverse("complaints:register")).context["counts"]
    assert counts["total"] == 3 == Complaint.objects.filter(Q(project=project) | Q(project=other)).count()
