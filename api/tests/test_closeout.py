"""The close-out hand-over (封盘交接) recorded by the sales system: the project's history, the
open cases moved from the project department to 客户事务部 through the complaints services, both
departments told; a date ahead moves them on its day."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, TimelineEntry
from complaints.services import closeout_hand_over_due
from crm.models import Department, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed(two_projects, register_case, make_user):
    """A case of the lake project in the project department's hands."""
    project_dept = Department.objects.create(code="project", name="项目部")
    Department.objects.create(code="customer-affairs", name="客户事务部")
    pd_user = make_user("project_dept", username="pd", projects=[two_projects["lake"]["project"]])
    sup = make_user("cs_supervisor", username="sup")
    case = register_case(two_projects["lake"])
    Complaint.objects.filter(pk=case.pk).update(department=project_dept, handler=pd_user)
    closed = register_case(two_projects["lake"])
    Complaint.objects.filter(pk=closed.pk).update(department=project_dept, state="closed")
    return {"case": case, "closed": closed, "pd": pd_user, "sup": sup, "project": two_projects["lake"]["project"]}


def put_closeout(caller, external_id, day):
    return caller.put(reverse("api:closeout", args=[external_id]), {"closeout_date": str(day)})


def test_a_case_goes_to_the_project_department_before_the_hand_over_and_to_customer_affairs_after(
        system, handed):
    caller = system(projects=[handed["project"]], scopes=["closeout:write"], source="sales1")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = put_closeout(caller, "P-lake", tomorrow)
    assert response.status_code == 200, response.content
    assert response.json()["cases_handed_over"] == 0
    case = Complaint.objects.select_related("department").get(pk=handed["case"].pk)
    assert case.department.code == "project" and case.handler == handed["pd"]  # before: project_dept's
    project = handed["project"]
    project.refresh_from_db()
    assert project.closeout_date == tomorrow
    last = project.history.latest("history_date")
    assert last.history_user == caller.system.user and caller.system.name in last.history_change_reason

    # the day comes: the daily job hands the open case over, not the closed one
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
        assert closeout_hand_over_due() == 1
    case.refresh_from_db()
    assert case.department.code == "customer-affairs" and case.handler is None
    assert Complaint.objects.get(pk=handed["closed"].pk).department.code == "project"
    assert TimelineEntry.objects.filter(complaint=case, text__contains="封盘交接").exists()
    assert case.history.latest("history_date").history_change_reason.startswith("封盘交接")
    for user in (handed["pd"], handed["sup"]):
        assert Notification.objects.filter(recipient=user, title__contains="封盘交接").count() == 1
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
        assert closeout_hand_over_due() == 0  # once


def test_a_past_date_hands_the_cases_over_at_once(system, handed):
    caller = system(projects=[handed["project"]], scopes=["closeout:write"], source="sales1")
    response = put_closeout(caller, "P-lake", timezone.localdate())
    assert response.json()["cases_handed_over"] == 1
    case = Complaint.objects.get(pk=handed["case"].pk)
    assert case.department.code == "customer-affairs"
    assert case.history.latest("history_date").history_user == caller.system.user


def test_another_projects_closeout_is_a_404(system, handed, two_projects):
    caller = system(projects=[handed["project"]], scopes=["closeout:write"], source="sales1")
    for external_id in ("P-hill", "P-nowhere"):  # another project's, and one that does not exist
        response = put_closeout(caller, external_id, timezone.localdate())
        assert response.status_code == 404
        assert response.json() == {"detail": f"找不到外部编号为 {external_id} 的项目。"}  # was "No Project matches…"
    two_projects["hill"]["project"].refresh_from_db()
    assert two_projects["hill"]["project"].closeout_date is None
    reader = system(projects=[handed["project"]], scopes=["closeout:read"], source="sales1")
    assert put_closeout(reader, "P-lake", timezone.localdate()).status_code == 403
