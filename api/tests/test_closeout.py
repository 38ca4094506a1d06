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


def _a_year_on(today):
    return today.replace(year=today.year + 1, day=28 if (today.month, today.day) == (2, 29) else today.day)


def test_a_closeout_date_that_cannot_be_real_is_refused_and_nothing_moves(system, handed):
    """Any date was taken: 1900-01-01 handed every open case over at once (they do not move back),
    9999-12-31 kept them with the project department for ever. The rule is the service's
    (owners.services.closeout_date_check): 2000-01-01 to a year after today."""
    caller = system(projects=[handed["project"]], scopes=["closeout:write"], source="sales1")
    project, today = handed["project"], timezone.localdate()
    latest = _a_year_on(today)
    history = project.history.count()
    message = (f"封盘交接日期应在 2000-01-01 到 {latest}（一年后）之间："
               "到了这一天，项目部的未结案件即转至客户事务部。")
    for day in ("1900-01-01", "1999-12-31", latest + dt.timedelta(days=1), "9999-12-31"):
        response = put_closeout(caller, "P-lake", day)
        assert response.status_code == 400, response.content
        assert response.json() == {"closeout_date": [message]}
    project.refresh_from_db()
    assert project.closeout_date is None and project.history.count() == history
    case = Complaint.objects.select_related("department").get(pk=handed["case"].pk)
    assert case.department.code == "project" and case.handler == handed["pd"]
    assert put_closeout(caller, "P-lake", latest).status_code == 200  # the bounds are taken
    assert put_closeout(caller, "P-lake", "2000-01-01").json()["cases_handed_over"] == 1
    project.refresh_from_db()
    assert project.closeout_date == dt.date(2000, 1, 1)


@pytest.mark.parametrize("body, errors", [
    ({"closeout_date": "2026-02-30"}, {"closeout_date": ["应为存在的日期，格式 YYYY-MM-DD，如 2026-06-30。"]}),
    ({"closeout_date": "2026-6-30"}, {"closeout_date": ["应为存在的日期，格式 YYYY-MM-DD，如 2026-06-30。"]}),
    ({"closeout_date": "20260630"}, {"closeout_date": ["应为存在的日期，格式 YYYY-MM-DD，如 2026-06-30。"]}),
    ({"closeout_date": 20260630}, {"closeout_date": ["应为存在的日期，格式 YYYY-MM-DD，如 2026-06-30。"]}),
    ({"closeoutDate": "2026-06-30"}, {"closeoutDate": ["未知字段；请求体只有 closeout_date。"]}),
    ({"closeout_date": "2026-06-30", "reason": "x"}, {"reason": ["未知字段；请求体只有 closeout_date。"]}),
])
def test_a_closeout_body_with_another_field_or_a_date_not_written_yyyy_mm_dd_is_refused(system, handed, body, errors):
    """2026-02-30 was "日期格式错误" (it is a day that does not exist), 2026-6-30 and 20260630 were
    taken though the schema says YYYY-MM-DD, and a field other than closeout_date was dropped
    without a word (a bulk call refuses it)."""
    caller = system(projects=[handed["project"]], scopes=["closeout:write"], source="sales1")
    response = caller.put(reverse("api:closeout", args=["P-lake"]), body)
    assert response.status_code == 400
    assert response.json() == errors
    handed["project"].refresh_from_db()
    assert handed["project"].closeout_date is None
    assert Complaint.objects.get(pk=handed["case"].pk).department.code == "project"
