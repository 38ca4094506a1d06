"""The shared archive mechanism (crm/archive.py): a registry of archivable models, one set-based
job, read-only archived records. The complaints app is its first user; its own behaviour is
tested in complaints/tests/test_archive.py."""
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.archive import ARCHIVABLE, archive_closed, ensure_writable, is_archived


def test_the_job_is_scheduled_under_its_task_name_and_listed_in_the_readme():
    from crm.tasks import archive_closed as task

    assert task.name == "crm.archive_closed"
    assert settings.CELERY_BEAT_SCHEDULE["crm.archive_closed"]["task"] == "crm.archive_closed"
    assert "`crm.archive_closed`" in (Path(settings.BASE_DIR) / "README.md").read_text()


def test_every_archivable_model_names_real_fields_and_states():
    assert "complaints.Complaint" in ARCHIVABLE
    for entry in ARCHIVABLE.values():
        fields = {f.name: f for f in entry.model._meta.get_fields()}
        assert entry.closed_at_field in fields and entry.state_field in fields
        choices = {value for value, _ in fields[entry.state_field].choices}
        assert {*entry.closed_states, entry.archived_state} <= choices
        if entry.archived_at_field:
            assert entry.archived_at_field in fields


def test_the_archived_states_come_from_the_workflows_archive_transition():
    from complaints.models import COMPLAINT_FLOW, SHORT_FLOW, Complaint

    from crm.archive import archivable
    from crm.workflow import Transition, Workflow

    entry = ARCHIVABLE["complaints.Complaint"]
    for flow in (COMPLAINT_FLOW, SHORT_FLOW):
        step = flow.get("archive")
        assert set(step.sources) <= set(entry.closed_states) and step.target == entry.archived_state
    mismatched = (COMPLAINT_FLOW, Workflow("state", [Transition("archive", ("closed",), "closed", "x")]))
    with pytest.raises(ValueError):
        archivable(Complaint, workflows=mismatched, closed_at_field="closed_at")
    assert ARCHIVABLE["complaints.Complaint"] is entry  # a refused declaration replaces nothing


@pytest.mark.django_db
def test_archive_closed_works_in_chunks_and_only_once(demo):
    from complaints.models import Complaint, State

    closed = Complaint.objects.filter(state=State.CLOSED)
    ids = list(closed.values_list("pk", flat=True))
    assert len(ids) >= 2
    closed.update(closed_at=timezone.now() - dt.timedelta(days=400))
    assert archive_closed(chunk_size=1)["complaints.Complaint"] == len(ids)
    assert set(Complaint.objects.filter(pk__in=ids).values_list("state", flat=True)) == {State.ARCHIVED}
    assert archive_closed()["complaints.Complaint"] == 0


@pytest.mark.django_db
def test_ensure_writable_refuses_only_archived_records(demo):
    from complaints.models import Complaint, State
    from owners.models import Project

    ensure_writable(Project.objects.first())  # not archivable: always writable
    ensure_writable(Complaint.objects.filter(state=State.CLOSED).first())
    archived = Complaint.objects.filter(state=State.ARCHIVED).first()
    assert is_archived(archived)
    with pytest.raises(ValidationError, match="已归档"):
        ensure_writable(archived)
