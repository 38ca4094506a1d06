"""The owners' buttons (import, log a call or a visit, access requests and their decision) are
shown exactly to a user the service accepts; the others neither see nor open or post them."""
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from owners import imports, services
from owners.models import AccessRequest, ContactLog, Customer

pytestmark = pytest.mark.django_db


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["front_desk", "project_dept"])
def test_roles_that_add_owners_one_by_one_see_no_import_and_cannot_open_or_run_it(as_role, role):
    client = as_role(role)
    assert reverse("owners:import") not in html(client, reverse("owners:customer_list"))
    assert client.get(reverse("owners:import")).status_code == 403
    assert client.post(reverse("owners:import"), {"kind": "customers"}).status_code == 403
    from django.core.exceptions import PermissionDenied
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["姓名", "手机"])
    book.active.append(["王五", "13911112222"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    with pytest.raises(PermissionDenied):
        imports.run_import("customers", imports.read_dataset(buffer), user=get_user_model().objects.get(username=role),
                           dry_run=False)
    assert not Customer.objects.filter(name="王五").exists()


def test_customer_affairs_staff_see_the_import(as_role):
    client = as_role("cs_staff")
    assert reverse("owners:import") in html(client, reverse("owners:customer_list"))
    assert client.get(reverse("owners:import")).status_code == 200


def test_the_manager_who_reads_calls_does_not_see_or_open_the_call_and_visit_forms(as_role):
    liu = Customer.objects.get(name="刘建国")
    client = as_role("manager")
    body = html(client, reverse("owners:customer_detail", args=[liu.pk]))
    assert 'data-testid="log-call"' not in body and 'data-testid="log-visit"' not in body
    before = ContactLog.objects.count()
    assert client.get(reverse("owners:contact_create", args=[liu.pk])).status_code == 403
    assert client.post(reverse("owners:contact_create", args=[liu.pk]), {"kind": "call", "need": "咨询"}).status_code == 403
    assert ContactLog.objects.count() == before
    body = html(as_role("front_desk"), reverse("owners:customer_detail", args=[liu.pk]))
    assert 'data-testid="log-call"' in body and 'data-testid="log-visit"' in body


def test_a_customer_opened_by_an_access_request_is_read_not_worked_on(as_role, client):
    liu = Customer.objects.get(name="刘建国")  # sunshine: outside the project department's scope
    pd_user = get_user_model().objects.get(username="project_dept")
    req = services.access_request_submit(customer=liu, user=pd_user, reason="协助处理交房遗留问题")
    services.access_request_decide(request_id=req.pk, user=get_user_model().objects.get(username="cs_supervisor"),
                                   approve=True)
    client.force_login(pd_user)
    body = html(client, reverse("owners:customer_detail", args=[liu.pk]))
    assert 'data-testid="log-call"' not in body and 'data-testid="edit"' not in body
    assert client.get(reverse("owners:contact_create", args=[liu.pk])).status_code == 404


@pytest.mark.parametrize("role", ["property_company", "legal"])
def test_roles_that_never_ask_for_out_of_scope_access_see_no_new_request(as_role, role):
    client = as_role(role)
    assert 'data-testid="new-request"' not in html(client, reverse("owners:access_request_list"))
    assert client.get(reverse("owners:access_request_new")).status_code == 403
    assert client.post(reverse("owners:access_request_new"), {"code": "C000001", "reason": "看看"}).status_code == 403
    assert not AccessRequest.objects.filter(reason="看看").exists()


def test_only_a_supervisor_sees_the_decision_and_never_on_their_own_request(as_role):
    liu = Customer.objects.get(name="刘建国")
    users = get_user_model().objects
    theirs = services.access_request_submit(customer=liu, user=users.get(username="project_dept"), reason="核对资料")
    own = services.access_request_submit(customer=liu, user=users.get(username="cs_supervisor"), reason="自己查看")
    decide = reverse("owners:access_request_decide", args=[theirs.pk])
    staff = as_role("cs_staff")
    assert decide not in html(staff, reverse("owners:access_request_list"))
    assert staff.post(decide, {"approve": "1"}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == "pending"
    body = html(as_role("cs_supervisor"), reverse("owners:access_request_list"))
    assert decide in body
    assert reverse("owners:access_request_decide", args=[own.pk]) not in body
    assert 'data-testid="new-request"' in body


def test_the_matrix_changed_in_the_admin_moves_the_access_decision_to_another_role(as_role):
    """Issue 15 §1: the approval matrix alone names who decides an access request. The admin gives
    ``owners.access_request`` to the manager in the admin's own list; the next request goes to
    the manager, who sees and uses 批准, and the supervisor no longer does."""
    from django.utils import timezone

    from crm.models import ApprovalRequest, ApprovalRule
    from crm.testing import approval_matrix_set

    rule = ApprovalRule.objects.get(subject="owners.access_request", level="")
    assert rule.approver_role == "cs_supervisor"  # the default setup_roles writes
    response = approval_matrix_set(as_role("admin"), rule, "manager")
    assert response.status_code == 302, response.content.decode()[:1500]
    assert ApprovalRule.objects.get(pk=rule.pk).approver_role == "manager"

    liu = Customer.objects.get(name="刘建国")  # outside the project department's scope
    as_role("project_dept").post(reverse("owners:access_request_new"), {"code": liu.code, "reason": "核对交房资料"})
    req = AccessRequest.objects.get(reason="核对交房资料")
    approval = ApprovalRequest.objects.get(subject="owners.access_request", object_id=req.pk)
    assert (req.status, approval.status, approval.approver_role) == ("pending", "pending", "manager")
    decide = reverse("owners:access_request_decide", args=[req.pk])
    supervisor = as_role("cs_supervisor")
    assert decide not in html(supervisor, reverse("owners:access_request_list"))
    assert supervisor.post(decide, {"approve": "1"}).status_code == 403
    req.refresh_from_db()
    assert req.status == "pending" and req.valid_on is None
    manager = as_role("manager")
    assert decide in html(manager, reverse("owners:access_request_list"))
    manager.post(decide, {"approve": "1"})
    req.refresh_from_db()
    approval.refresh_from_db()
    assert (req.status, req.valid_on) == ("approved", timezone.localdate())
    assert (approval.status, approval.decided_by.username) == ("approved", "manager")
    assert approval.decided_at is not None
