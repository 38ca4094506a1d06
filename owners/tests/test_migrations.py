"""Data migrations of owners, run on rows as an older release left them."""
import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = ("owners", "0002_customer_budget_customer_need_area_and_more")
AFTER = ("owners", "0003_access_request_decided_on_the_approval_step")


@pytest.fixture
def back_to_the_latest():
    """Whatever a test migrated to, the database is left at the latest migrations for the tests
    after it (a later migration of any app would otherwise be missing from their tables)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest")
def test_access_requests_decided_before_the_shared_step_get_their_approval_with_the_same_stamps(make_user):
    asker, supervisor = make_user("project_dept"), make_user("cs_supervisor")
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    project = old.get_model("owners", "Project").objects.create(code="m", name="迁移项目")
    customer = old.get_model("owners", "Customer").objects.create(code="C9", name="业主", project=project)
    AccessRequest = old.get_model("owners", "AccessRequest")
    decided = timezone.now() - dt.timedelta(days=2)
    approved = AccessRequest.objects.create(customer=customer, requested_by_id=asker.pk, reason="核对资料",
                                            status="approved", decided_by_id=supervisor.pk, decided_at=decided,
                                            valid_on=timezone.localdate(decided))
    pending = AccessRequest.objects.create(customer=customer, requested_by_id=asker.pk, reason="再核对")

    executor = MigrationExecutor(connection)
    executor.migrate([AFTER])
    from crm.approvals import approvals_for
    from owners.models import AccessRequest as Current

    first = approvals_for(Current.objects.get(pk=approved.pk)).get()
    assert (first.subject, first.version, first.status, first.approver_role) == (
        "owners.access_request", 1, "approved", "cs_supervisor")
    assert (first.decided_by_id, first.decided_at, first.submitted_by_id, first.content) == (
        supervisor.pk, decided, asker.pk, "核对资料")
    assert first.history.count() == 1
    second = approvals_for(Current.objects.get(pk=pending.pk)).get()
    assert (second.status, second.decided_by_id) == ("pending", None)
    assert Current.objects.get(pk=approved.pk).status == "approved"
