"""Every allowed and every forbidden edge of every declared workflow (crm.workflow.WORKFLOWS),
fired on a record of the demo data (crm.testing.workflow_edges). The complaint workflows also
have their edge matrix through the services (complaints/tests/test_workflow.py)."""
import pytest

from crm.testing import workflow_edges
from crm.workflow import WORKFLOWS

pytestmark = pytest.mark.django_db

DECLARED = [w for w in WORKFLOWS if w.model is not None]


def test_every_model_workflow_is_walked():
    """Twelve workflows are declared on models today; a new one is walked by the test below."""
    names = {f"{w.model._meta.label}.{w.field}" for w in DECLARED}
    assert {"complaints.Complaint.state", "mortgage.LitigationCase.stage", "clubs.Club.status",
            "property_liaison.RepairRequest.status"} <= names


@pytest.mark.parametrize("workflow", DECLARED, ids=[f"{w.model.__name__}-{i}" for i, w in enumerate(DECLARED)])
def test_every_edge_of_a_declared_workflow(workflow, demo, make_user):
    record = workflow.model._default_manager.order_by("pk").first()
    assert record is not None, f"the demo data has no {workflow.model._meta.verbose_name}"
    assert workflow_edges(workflow, record, make_user("admin")) == []


class _NoStateCheck:
    """A workflow that forgets its states (what the walk must catch)."""

    def __init__(self, workflow):
        self._workflow = workflow
        self.transitions = workflow.transitions
        self.field_of = workflow.field_of

    def fire(self, obj, name, *, user):
        transition = self._workflow.get(name)
        type(obj)._default_manager.filter(pk=obj.pk).update(**{self.field_of(transition): transition.target})


def test_the_walk_reports_a_workflow_that_fires_from_any_state(demo, make_user):
    from complaints.models import COMPLAINT_FLOW, Complaint

    record = Complaint.objects.order_by("pk").first()
    broken = workflow_edges(_NoStateCheck(COMPLAINT_FLOW), record, make_user("admin"))
    assert "close from registered: fired from a state that is not a source" in broken
    assert any(line.startswith("transfer from registered") for line in broken)  # no history row written
