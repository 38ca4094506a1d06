"""Forged posts: a transition the record's state does not allow, a transition by a role that
may not fire it, and an id outside the user's scope in a form. Each is refused with a clear
Chinese message (or a 403/404) and the database is as it was."""
from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, assume, given, settings, strategies as st

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CJK = re.compile(r"[\u4e00-\u9fff]")
STAFF = ["front_desk", "cs_staff", "cs_supervisor", "manager", "project_dept", "admin"]
# Form data that passes each complaint action's form, so that only the workflow can refuse.
ACTION_DATA = {
    "transfer": {"note": "转交"}, "classify_valid": {"severity": "minor", "reason": "有效"},
    "classify_invalid": {"reason": "无效"}, "investigate": {"cause": "原因", "responsibility": "责任"},
    "submit_plan": {"content": "方案"}, "approve_plan": {"comment": "同意"}, "reject_plan": {"comment": "驳回"},
    "negotiate_fail": {"owner_opinion": "不同意"}, "negotiate_agree": {"owner_opinion": "同意"},
    "execute": {"result": "已处置"}, "feedback": {"feedback": "已反馈"},
    "send_correction": {"method": "meeting", "departments": "工程部", "action": "整改"},
    "verify_correction": {"verification": "已验证"}, "return_visit": {"handled": "on", "satisfaction": "5"},
    "reply": {"reply": "答复"}, "close": {"note": "关闭"}, "archive": {},
}


def _user(username):
    return get_user_model().objects.get(username=username)


def _snapshot(case):
    case.refresh_from_db()
    return case.state, case.history.count(), case.timeline.count() if hasattr(case, "timeline") else 0


def _error_messages(response):
    return [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


@FUZZ
@given(name=st.sampled_from(sorted(ACTION_DATA)), role=st.sampled_from(STAFF), state_pick=st.integers(0, 50))
def test_a_transition_the_state_or_the_role_does_not_allow_is_refused_and_changes_nothing(
        as_role, name, role, state_pick):
    from complaints.models import Complaint
    from complaints.selectors import complaints_for

    client = as_role(role)
    user = _user(role)
    cases = list(complaints_for(user).order_by("pk"))
    assume(cases)
    case = cases[state_pick % len(cases)]
    allowed = {t.name for t in case.workflow.available(case, user)}
    assume(name not in allowed)
    before = _snapshot(case)
    try:
        case.workflow.check(case, name, user)
    except PermissionDenied:
        refused_for = "who"
    except ValidationError:
        refused_for = "state"
    response = client.post(reverse("complaints:act", args=[case.pk, name]), ACTION_DATA[name])
    if refused_for == "who":
        # Not this user's step (role, permission, or the approver the matrix names): a 403 that
        # says why, as the form page itself would answer.
        assert response.status_code == 403 and CJK.search(response.content.decode())
    else:
        # A step the case is not at (or not a step of this kind of case): back to the case, with why.
        assert response.status_code == 302 and response["Location"] == reverse("complaints:detail", args=[case.pk])
        errors = _error_messages(response)
        assert errors and CJK.search(errors[0]), f"no Chinese refusal for {name} by {role}: {errors}"
    assert _snapshot(Complaint.objects.get(pk=case.pk)) == before


def test_an_unknown_transition_name_is_a_404(as_role):
    from complaints.models import Complaint

    client = as_role("cs_supervisor")
    case = Complaint.objects.order_by("pk").first()
    before = _snapshot(case)
    assert client.post(reverse("complaints:act", args=[case.pk, "delete_everything"]), {}).status_code == 404
    assert _snapshot(case) == before


@FUZZ
@given(action=st.sampled_from(["hold", "analyse", "use_results", "prepare", "submit", "opinion", "decide"]),
       role=st.sampled_from(["cs_staff", "manager"]), pick=st.integers(0, 20))
def test_a_forum_step_out_of_order_or_by_the_wrong_role_changes_nothing(as_role, action, role, pick):
    from clubs.models import FORUM_WORKFLOW, OwnerForum

    client = as_role(role)
    forums = list(OwnerForum.objects.order_by("pk"))
    forum = forums[pick % len(forums)]
    allowed = {t.name for t in FORUM_WORKFLOW.available(forum, _user(role))}
    # "decide" is the approval step, open to the approver the authority matrix names while submitted.
    assume(action not in allowed and not (action == "decide" and forum.status == OwnerForum.Status.SUBMITTED))
    before = (forum.status, forum.history.count())
    response = client.post(reverse("clubs:forum_act", args=[forum.pk, action]),
                           {"held_at": "2026-02-30T10:00", "minutes": "纪要", "analysis": "分析", "approve": "1"})
    forum.refresh_from_db()
    if response.status_code == 302:
        assert response["Location"] == reverse("clubs:forum_detail", args=[forum.pk])
        assert _error_messages(response), f"{action} by {role} refused without a message"
    else:
        assert response.status_code == 403
    assert (forum.status, forum.history.count()) == before


# --- An id outside one's scope in a form --------------------------------------------------------


def test_a_complaint_for_a_project_outside_the_users_scope_is_a_404(as_role):
    from complaints.models import Complaint
    from crm.scopes import visible_projects
    from owners.models import Project

    client = as_role("project_dept")
    outside = Project.objects.exclude(pk__in=visible_projects(_user("project_dept"))).first()
    before = Complaint.objects.count()
    response = client.post(reverse("complaints:entry"), {
        "complainant_name": "王先生", "complainant_phone": "13800000000", "project": outside.pk, "kind": "complaint",
        "channel": "phone", "category": "other", "title": "越权", "description": "越权登记"})
    assert response.status_code == 404  # like a guessed id in the URL (issue 13, defect 14)
    assert Complaint.objects.count() == before


def test_a_property_company_cannot_forward_a_case_for_another_companys_project(as_role):
    from complaints.models import Complaint
    from crm.scopes import visible_projects
    from owners.models import Project

    client = as_role("property_company")
    outside = Project.objects.exclude(pk__in=visible_projects(_user("property_company"))).first()
    before = Complaint.objects.count()
    response = client.post(reverse("complaints:forwarded"), {
        "project": outside.pk, "complainant_name": "李女士", "complainant_phone": "13900000000", "category": "other",
        "title": "越权转交", "description": "越权"})
    assert response.status_code == 404
    assert Complaint.objects.count() == before


def test_a_property_company_posting_on_another_companys_action_item_gets_a_404(as_role):
    from crm.scopes import visible_projects
    from owners.models import Project
    from property_liaison.models import ActionItem

    client = as_role("property_company")
    item = ActionItem.objects.order_by("pk").first()
    item.pk = item.id = None  # a copy in a project of another company
    item.project = Project.objects.exclude(pk__in=visible_projects(_user("property_company"))).first()
    item.save()
    before = (item.status, item.history.count())
    for action in ("answer", "verify", "reopen"):
        response = client.post(reverse("property_liaison:action_item_act", args=[item.pk, action]),
                               {"answer": "已处理", "note": "越权"})
        assert response.status_code == 404
    item.refresh_from_db()
    assert (item.status, item.history.count()) == before


def test_a_club_member_of_a_customer_outside_the_scope_cannot_be_enrolled_by_id(as_role):
    from clubs.models import Club, ClubMember
    from owners.models import Customer

    client = as_role("cs_staff")
    club = Club.objects.order_by("pk").first()
    before = ClubMember.objects.count()
    response = client.post(reverse("clubs:club_act", args=[club.pk, "enroll"]), {
        "customer": Customer.objects.order_by("-pk").first().pk + 1000, "level": "regular", "joined_on": "2026-02-30"})
    assert response.status_code == 404
    assert ClubMember.objects.count() == before
