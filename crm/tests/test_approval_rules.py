"""Who may decide an approval, at which authority (crm.approvals), rule by rule: the authority
matrix names the approver's role per subject and level (a level's own row before the subject's
general row), only that role (or a superuser) decides, never the drafter, only a pending
version; a rejected plan is revised and resubmitted as a new version and every version is kept,
with who decided, when and why, read back from the database. The refusals say why, word for
word."""
import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from crm.approvals import (
    ApprovalStep,
    approval_decide,
    approval_guard,
    approval_submit,
    approver_role_for,
    can_decide,
    check_approver,
    check_decider,
    decidable_by,
)
from crm.models import ApprovalRequest, ApprovalRule, Notification
from crm.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

NOTHING_PENDING = "没有待审批的版本，或该版本已有审批结果，请刷新页面。"


def _message(refused) -> str:
    return " ".join(refused.value.messages) if isinstance(refused.value, ValidationError) else str(refused.value)


@pytest.fixture
def case(investigated_case):
    """A case investigated and ready for its disposal plan (crm/tests/conftest.py)."""
    return investigated_case


def _bare(code):
    """A record whose model declares no approval step (a coordination gap): a bare approval."""
    import datetime as dt

    from property_liaison.models import CoordinationGap

    return CoordinationGap.objects.create(project=ProjectFactory(code=code), due_date=dt.date(2026, 1, 31))


def submit(target, user, level="", content="方案：上门维修并赔偿", **extra):
    return approval_submit(target=target, subject="complaints.disposal_plan", title="处置方案", content=content,
                           submitted_by=user, level=level, **extra)


# --- the authority matrix ----------------------------------------------------------------------


def test_the_matrix_names_the_levels_own_approver_before_the_subjects_general_one(roles):
    ApprovalRule.objects.filter(subject="complaints.disposal_plan", level="minor").update(approver_role="cs_supervisor")
    ApprovalRule.objects.create(subject="clubs.forum_plan", level="major", approver_role="admin")
    assert approver_role_for("complaints.disposal_plan", "minor") == "cs_supervisor"
    assert approver_role_for("complaints.disposal_plan", "major") == "manager"  # no row of its own
    assert approver_role_for("complaints.disposal_plan") == "manager"
    assert approver_role_for("complaints.extension", "minor") == "cs_supervisor"
    assert approver_role_for("complaints.extension", "important") == "manager"
    assert approver_role_for("clubs.forum_plan", "major") == "admin"  # another subject's level row is its own


def test_a_level_without_the_subjects_general_row_is_refused_and_says_whom_to_ask(roles):
    ApprovalRule.objects.filter(subject="complaints.extension", level="").delete()
    assert approver_role_for("complaints.extension", "minor") == "cs_supervisor"
    for subject, level in (("complaints.extension", "major"), ("complaints.extension", ""), ("unknown.subject", "")):
        with pytest.raises(ValidationError) as refused:
            approver_role_for(subject, level)
        assert _message(refused) == f"未配置“{subject}”的审批权限，请联系系统管理员。"


# --- who may decide ----------------------------------------------------------------------------


def test_only_the_named_role_decides_a_pending_version_and_never_its_drafter(case, make_user):
    staff, manager, other_manager = make_user("cs_staff"), make_user("manager"), make_user("manager")
    request = submit(case, staff)
    assert request.approver_role == "manager"
    assert can_decide(request, manager) and can_decide(request, other_manager)
    assert not can_decide(request, staff)
    assert not can_decide(request, make_user("cs_supervisor"))
    assert not can_decide(None, manager)
    approval_guard(case, manager)  # no refusal
    with pytest.raises(PermissionDenied) as refused:
        approval_guard(case, make_user("cs_supervisor"))
    assert _message(refused) == "该事项须由“公司主管经理”审批。"


def test_each_refusal_to_decide_says_why(case, make_user):
    staff, manager = make_user("cs_staff"), make_user("manager")
    with pytest.raises(ValidationError) as refused:
        check_decider(manager, None)
    assert _message(refused) == NOTHING_PENDING
    with pytest.raises(ValidationError) as refused:
        approval_guard(case, manager)  # nothing submitted yet
    assert _message(refused) == NOTHING_PENDING
    request = submit(case, staff)
    with pytest.raises(PermissionDenied) as refused:
        check_decider(make_user("front_desk"), request)
    assert _message(refused) == "该事项须由“公司主管经理”审批。"
    drafting_manager = make_user("manager")
    own = ApprovalRequest.objects.filter(pk=request.pk)
    own.update(submitted_by=drafting_manager)
    with pytest.raises(PermissionDenied) as refused:
        check_decider(drafting_manager, own.get())
    assert _message(refused) == "不能审批自己提交的方案。"
    own.update(submitted_by=staff)
    approval_decide(request_id=request.pk, user=manager, approve=True, comment="同意")
    request.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        check_decider(manager, request)  # decided already
    assert _message(refused) == NOTHING_PENDING
    with pytest.raises(PermissionDenied) as refused:  # the wrong role hears of the role first
        check_decider(make_user("cs_supervisor"), request)
    assert _message(refused) == "该事项须由“公司主管经理”审批。"
    check_approver(manager, request)  # the page of a decided version still opens for its approver


def test_a_superuser_may_decide_any_version_but_not_their_own(case, make_user):
    staff, admin = make_user("cs_staff"), make_user("admin")
    request = submit(case, staff)
    check_approver(admin, request)
    assert can_decide(request, admin)
    ApprovalRequest.objects.filter(pk=request.pk).update(submitted_by=admin)
    request.refresh_from_db()
    assert not can_decide(request, admin)
    with pytest.raises(PermissionDenied) as refused:
        approval_decide(request_id=request.pk, user=admin, approve=True)
    assert _message(refused) == "不能审批自己提交的方案。"


def test_the_versions_to_decide_are_the_pending_ones_of_ones_role_not_submitted_by_oneself(make_user, roles):
    staff, manager, supervisor, admin = (make_user(r) for r in ("cs_staff", "manager", "cs_supervisor", "admin"))
    projects = [_bare(f"p{i}") for i in range(5)]
    ApprovalRule.objects.create(subject="test.subject", level="minor", approver_role="cs_supervisor")
    ApprovalRule.objects.create(subject="test.subject", level="", approver_role="manager")

    def bare(project, by, level=""):
        return approval_submit(target=project, subject="test.subject", title="方案", content="内容",
                               submitted_by=by, level=level)

    for_manager = bare(projects[0], staff)
    for_supervisor = bare(projects[1], staff, level="minor")
    by_manager = bare(projects[2], manager)
    decided = bare(projects[3], staff)
    approval_decide(request_id=decided.pk, user=manager, approve=True)
    by_admin = bare(projects[4], admin)
    assert set(decidable_by(manager)) == {for_manager, by_admin}
    assert set(decidable_by(supervisor)) == {for_supervisor}
    assert set(decidable_by(admin)) == {for_manager, for_supervisor, by_manager}
    assert set(decidable_by(staff)) == set()


# --- submitting --------------------------------------------------------------------------------


def test_a_plan_is_submitted_to_the_authority_its_severity_requires(case, make_user):
    from complaints.services import plan_submit

    ApprovalRule.objects.filter(subject="complaints.disposal_plan", level="minor").update(approver_role="cs_supervisor")
    staff = make_user("cs_staff")
    plan = plan_submit(complaint=case, user=staff, content="上门维修")
    assert (plan.approval.level, plan.approval.approver_role) == ("important", "manager")
    case.refresh_from_db()
    approval_decide(target=case, user=make_user("manager"), approve=False, comment="补充依据")
    case.refresh_from_db()
    type(case).objects.filter(pk=case.pk).update(severity="minor")
    case.refresh_from_db()
    again = plan_submit(complaint=case, user=staff, content="上门维修，附依据")
    assert (again.approval.level, again.approval.approver_role, again.version) == ("minor", "cs_supervisor", 2)


def test_a_submitted_version_keeps_what_was_submitted_and_tells_the_approvers(case, make_user):
    staff, manager = make_user("cs_staff"), make_user("manager")
    request = submit(case, staff, content="方案：上门维修", snapshot={"severity": "important"}, url="/c/1/")
    row = ApprovalRequest.objects.get(pk=request.pk)
    assert (row.content_type, row.object_id, row.subject, row.level, row.version, row.title, row.content,
            row.snapshot, row.approver_role, row.submitted_by, row.status, row.decided_by, row.decided_at,
            row.comment) == (ContentType.objects.get_for_model(case), case.pk, "complaints.disposal_plan", "",
                             1, "处置方案", "方案：上门维修", {"severity": "important"}, "manager", staff,
                             "pending", None, None, "")
    assert row.history.get().history_user == staff
    assert list(Notification.objects.filter(title__startswith="待审批").values_list(
        "recipient", "title", "url", "dedupe_key")) == [
        (manager.pk, "待审批：处置方案（第1版）", "/c/1/", f"approval:{request.pk}:submitted")]


def test_a_bare_approval_keeps_an_empty_snapshot_and_needs_its_subject(make_user, roles):
    project = _bare("p1")
    request = approval_submit(target=project, subject="clubs.forum_plan", title="座谈会", content="方案",
                              submitted_by=make_user("cs_staff"))
    assert ApprovalRequest.objects.get(pk=request.pk).snapshot == {}
    with pytest.raises(ValueError) as refused:
        approval_submit(target=_bare("p2"), title="x", content="方案", submitted_by=request.submitted_by)
    assert str(refused.value) == "approval_submit: a target without an approval_step needs a subject"


def test_a_blank_plan_or_a_second_pending_version_is_refused_and_nothing_is_written(case, make_user):
    staff = make_user("cs_staff")
    with pytest.raises(ValidationError) as refused:
        submit(case, staff, content=" \n ")
    assert _message(refused) == "方案内容不能为空。"
    assert not ApprovalRequest.objects.exists()
    submit(case, staff)
    with pytest.raises(ValidationError):  # the case is no longer in a state to submit
        submit(case, staff)
    assert ApprovalRequest.objects.count() == 1


def test_a_second_pending_version_of_a_bare_approval_is_refused(make_user, roles):
    project, staff = _bare("p1"), make_user("cs_staff")
    approval_submit(target=project, subject="clubs.forum_plan", title="座谈会", content="方案", submitted_by=staff)
    with pytest.raises(ValidationError) as refused:
        approval_submit(target=project, subject="clubs.forum_plan", title="座谈会", content="方案2",
                        submitted_by=staff)
    assert _message(refused) == "该事项已有待审批的版本，请等待审批结果。"
    assert list(ApprovalRequest.objects.values_list("version", "content")) == [(1, "方案")]


# --- deciding ----------------------------------------------------------------------------------


def test_reject_workflow_then_resubmit_then_approve_keeps_every_version_with_its_decision(case, make_user):
    staff, manager = make_user("cs_staff"), make_user("manager")
    first = submit(case, staff)
    approval_decide(target=case, user=manager, approve=False, comment="  赔偿金额依据不足 ", url="/c/1/")
    case.refresh_from_db()
    second = submit(case, staff, content="方案：按合同条款赔偿")
    decided = approval_decide(request_id=second.pk, user=manager, approve=True, url="/c/1/")
    assert decided.status == "approved" and decided.decided_by == manager
    rows = list(ApprovalRequest.objects.order_by("version").values_list(
        "version", "content", "status", "decided_by", "comment", "submitted_by"))
    assert rows == [(1, "方案：上门维修并赔偿", "rejected", manager.pk, "赔偿金额依据不足", staff.pk),
                    (2, "方案：按合同条款赔偿", "approved", manager.pk, "", staff.pk)]
    assert all(r.decided_at is not None for r in ApprovalRequest.objects.all())
    for request in (first, second):
        history = ApprovalRequest.history.filter(id=request.pk).order_by("history_id")
        assert [(h.status, h.history_user_id) for h in history] == [
            ("pending", staff.pk), (ApprovalRequest.objects.get(pk=request.pk).status, manager.pk)]
    told = list(Notification.objects.filter(recipient=staff).order_by("pk").values_list("title", "body", "url",
                                                                                          "dedupe_key"))
    assert told == [("处置方案（第1版）被驳回", "赔偿金额依据不足", "/c/1/", f"approval:{first.pk}:decided"),
                    ("处置方案（第2版）已批准", "", "/c/1/", f"approval:{second.pk}:decided")]


def test_a_rejection_without_a_comment_is_refused_unless_the_step_needs_none(case, make_user, roles):
    from owners.models import AccessRequest
    from owners.services import access_request_submit

    staff, manager = make_user("cs_staff"), make_user("manager")
    request = submit(case, staff)
    with pytest.raises(ValidationError) as refused:
        approval_decide(request_id=request.pk, user=manager, approve=False, comment="  ")
    assert _message(refused) == "驳回时请填写审批意见，说明需要修改的地方。"
    assert ApprovalRequest.objects.get(pk=request.pk).status == "pending"
    # a bare approval (no step) needs the comment too
    project = _bare("bare")
    bare = approval_submit(target=project, subject="clubs.forum_plan", title="座谈会", content="方案",
                           submitted_by=staff)
    with pytest.raises(ValidationError) as refused:
        approval_decide(request_id=bare.pk, user=manager, approve=False)
    assert _message(refused) == "驳回时请填写审批意见，说明需要修改的地方。"
    # a request to open a customer is rejected without a word
    desk = make_user("front_desk")
    access = access_request_submit(user=desk, customer=_customer(), reason="来电查询")
    assert isinstance(access, AccessRequest)
    decided = approval_decide(target=access, user=make_user("cs_supervisor"), approve=False)
    assert (decided.status, decided.comment) == ("rejected", "")


def _customer():
    from crm.tests.factories import CustomerFactory

    return CustomerFactory(project=ProjectFactory(code="far"))


def test_a_version_of_another_record_is_refused(case, make_user):
    staff, manager = make_user("cs_staff"), make_user("manager")
    request = submit(case, staff)
    project = _bare("p9")
    with pytest.raises(ValidationError) as refused:
        approval_decide(request_id=request.pk, target=project, user=manager, approve=True)
    assert _message(refused) == "审批版本与办理事项不符，请刷新页面。"
    assert ApprovalRequest.objects.get(pk=request.pk).status == "pending"
    approval_decide(request_id=request.pk, target=case, user=manager, approve=True)
    assert ApprovalRequest.objects.get(pk=request.pk).status == "approved"


def test_of_two_approvers_acting_at_once_only_the_first_decides(case, make_user, monkeypatch):
    staff, first, second = make_user("cs_staff"), make_user("manager"), make_user("manager")
    request = submit(case, staff)
    advance = ApprovalStep.advance

    def meanwhile(step, target, event, *, user):  # the other approver's decision lands first
        advance(step, target, event, user=user)
        ApprovalRequest.objects.filter(pk=request.pk).update(status="approved", decided_by=first)

    monkeypatch.setattr(ApprovalStep, "advance", meanwhile)
    with pytest.raises(ValidationError) as refused:
        approval_decide(request_id=request.pk, user=second, approve=False, comment="不同意")
    assert _message(refused) == "该版本已有审批结果，请刷新页面。"


# --- what the case and the notices keep (found by the mutation run, QUALITY.md) -----------------


def test_without_a_link_the_notices_of_a_version_carry_none(make_user, roles):
    staff, manager = make_user("cs_staff"), make_user("manager")
    request = approval_submit(target=_bare("p1"), subject="clubs.forum_plan", title="座谈会", content="方案",
                              submitted_by=staff)
    assert ApprovalRequest.objects.get(pk=request.pk).level == ""  # no level given: the subject's general row
    approval_decide(request_id=request.pk, user=manager, approve=True)
    assert list(Notification.objects.order_by("pk").values_list("recipient", "title", "url")) == [
        (manager.pk, "待审批：座谈会（第1版）", ""), (staff.pk, "座谈会（第1版）已批准", "")]


def test_each_record_numbers_its_own_versions_whatever_its_kind(case, make_user):
    """Versions count per record: another record of the same kind, or a record of another kind
    with the same id, starts at version 1 too."""
    import datetime as dt

    from property_liaison.models import CoordinationGap

    staff = make_user("cs_staff")
    # explicit ids, so that no later row of the table is given one of them by its sequence (PostgreSQL)
    gaps = [CoordinationGap.objects.create(pk=pk, project=case.project, due_date=due)
            for pk, due in ((case.pk, dt.date(2026, 1, 31)), (case.pk + 1000, dt.date(2026, 2, 28)))]
    versions = [approval_submit(target=gap, subject="clubs.forum_plan", title="座谈会", content="方案",
                                submitted_by=staff).version for gap in gaps]
    versions.append(submit(case, staff).version)
    assert versions == [1, 1, 1]


def test_the_case_records_who_submitted_and_who_decided_each_version(case, make_user):
    from complaints.models import DisposalPlan

    staff, manager = make_user("cs_staff"), make_user("manager")
    submit(case, staff)
    approval_decide(target=case, user=manager, approve=False, comment="补充依据")
    case.refresh_from_db()
    submit(case, staff, content="方案：按合同赔偿")
    approval_decide(target=case, user=manager, approve=True)
    steps = ("submit_plan", "approve_plan", "reject_plan")
    assert list(case.timeline.filter(kind__in=steps).order_by("pk").values_list("kind", "actor")) == [
        ("submit_plan", staff.pk), ("reject_plan", manager.pk), ("submit_plan", staff.pk), ("approve_plan", manager.pk)]
    assert list(DisposalPlan.objects.filter(complaint=case).values_list("version", "drafted_by")) == [
        (1, staff.pk), (2, staff.pk)]


def test_the_verdict_goes_to_the_drafter_while_they_may_open_the_case_else_to_whoever_answers_for_it(case, make_user):
    """A project department drafts the plan; its cases go to the department on the project's
    close-out date, so a verdict after it is for the supervisors, saying whom it was meant for."""
    from django.utils import timezone

    dept, manager = make_user("project_dept", projects=[case.project]), make_user("manager")
    supervisors = set(get_user_model().objects.filter(profile__role="cs_supervisor").values_list("pk", flat=True))
    first = submit(case, dept)
    approval_decide(request_id=first.pk, user=manager, approve=False, comment="补充依据")
    case.refresh_from_db()
    second = submit(case, dept, content="方案：按合同赔偿")
    type(case.project).objects.filter(pk=case.project.pk).update(closeout_date=timezone.localdate())
    approval_decide(request_id=second.pk, user=manager, approve=True)
    told = list(Notification.objects.filter(dedupe_key__endswith=":decided").order_by("pk").values_list(
        "recipient", "title", "body"))
    meant = f"（原通知对象 {dept.get_full_name() or dept.username} 无法查看该记录，改由您处理。）"
    assert told == [(dept.pk, "处置方案（第1版）被驳回", "补充依据")] + [
        (pk, "处置方案（第2版）已批准", meant) for pk in sorted(supervisors)]


def test_the_approvers_are_told_of_a_version_only_if_they_may_open_its_record(case, make_user):
    """The matrix may name a role whose holders see only some projects (an admin gives minor plans
    to the project departments): a holder who cannot open the case is replaced by the supervisors."""
    ApprovalRule.objects.filter(subject="complaints.disposal_plan", level="minor").update(approver_role="project_dept")
    own = make_user("project_dept", projects=[case.project])
    other = make_user("project_dept", projects=[ProjectFactory(code="p2")])
    supervisors = sorted(get_user_model().objects.filter(profile__role="cs_supervisor").values_list("pk", flat=True))
    assert supervisors
    submit(case, make_user("cs_staff"), level="minor")
    meant = f"（原通知对象 {other.get_full_name() or other.username} 无法查看该记录，改由您处理。）"
    assert list(Notification.objects.filter(title__startswith="待审批").order_by("pk").values_list(
        "recipient", "title", "body")) == [
        (own.pk, "待审批：处置方案（第1版）", "")] + [(pk, "待审批：处置方案（第1版）", meant) for pk in supervisors]


# --- the decider may open the record -----------------------------------------------------------

OUT_OF_SCOPE = "该事项不在您的查看范围内，不能审批。"


@pytest.fixture
def dept_approves(case, make_user):
    """An admin gave the plans to the project departments: one of the case's project, one of
    another project, and the plan submitted, pending."""
    from complaints.services import plan_submit

    ApprovalRule.objects.filter(subject="complaints.disposal_plan", level="").update(approver_role="project_dept")
    inside = make_user("project_dept", username="lake_dept", projects=[case.project])
    outside = make_user("project_dept", username="far_dept", projects=[ProjectFactory(code="far")])
    plan = plan_submit(complaint=case, user=make_user("cs_staff"), content="上门维修")
    case.refresh_from_db()
    assert plan.approval.approver_role == "project_dept" and case.state == "plan_pending"
    return {"inside": inside, "outside": outside, "request": plan.approval}


def _unchanged(case, request):
    """The case, the version and its history as submitted: no decision written anywhere."""
    case.refresh_from_db()
    row = ApprovalRequest.objects.get(pk=request.pk)
    assert case.state == "plan_pending"
    assert (row.status, row.decided_by, row.decided_at, row.comment) == ("pending", None, None, "")
    assert ApprovalRequest.history.filter(id=request.pk).count() == 1
    assert not Notification.objects.filter(dedupe_key__endswith=":decided").exists()
    assert not case.timeline.filter(kind__in=("approve_plan", "reject_plan")).exists()


def test_an_approver_of_the_named_role_who_may_not_open_the_record_may_not_decide_it(case, dept_approves):
    inside, outside, request = dept_approves["inside"], dept_approves["outside"], dept_approves["request"]
    assert can_decide(request, inside) and not can_decide(request, outside)
    assert set(decidable_by(inside)) == {request} and set(decidable_by(outside)) == set()
    for refuse in (lambda: check_decider(outside, request), lambda: approval_guard(case, outside),
                   lambda: approval_decide(target=case, user=outside, approve=True),
                   lambda: approval_decide(request_id=request.pk, user=outside, approve=False, comment="不同意")):
        with pytest.raises(PermissionDenied) as refused:
            refuse()
        assert _message(refused) == OUT_OF_SCOPE
    _unchanged(case, request)
    check_approver(outside, request)  # the role is the named one: only the record's scope refuses
    decided = approval_decide(target=case, user=inside, approve=True, comment="同意")
    assert (decided.status, decided.decided_by, decided.comment) == ("approved", inside, "同意")


def test_an_approver_whose_project_was_handed_over_may_no_longer_decide_its_plans(case, dept_approves):
    """The close-out hand-over takes the project out of its department's scope (crm.scopes)."""
    from django.utils import timezone

    type(case.project).objects.filter(pk=case.project.pk).update(closeout_date=timezone.localdate())
    request = dept_approves["request"]
    assert not can_decide(request, dept_approves["inside"])
    with pytest.raises(PermissionDenied) as refused:
        approval_decide(request_id=request.pk, user=dept_approves["inside"], approve=True)
    assert _message(refused) == OUT_OF_SCOPE
    _unchanged(case, request)


def test_the_case_page_offers_the_decision_only_to_an_approver_who_may_open_the_case(client, case, dept_approves):
    """Through the pages: the department of another project finds no case (404) and its post
    decides nothing; the project's own department sees 批准 and its post approves the plan."""
    from django.urls import reverse

    request = dept_approves["request"]
    approve = reverse("complaints:act", args=[case.pk, "approve_plan"])
    client.force_login(dept_approves["outside"])
    assert client.get(reverse("complaints:detail", args=[case.pk])).status_code == 404
    assert client.post(approve, {"comment": "同意"}).status_code == 404
    _unchanged(case, request)
    client.force_login(dept_approves["inside"])
    assert approve in client.get(reverse("complaints:detail", args=[case.pk])).content.decode()
    assert client.post(approve, {"comment": "同意"}).status_code == 302
    case.refresh_from_db()
    row = ApprovalRequest.objects.get(pk=request.pk)
    assert (case.state, row.status, row.decided_by, row.comment) == (
        "plan_approved", "approved", dept_approves["inside"], "同意")


def test_the_queue_and_the_dashboard_count_only_what_the_approver_may_open(client, case, dept_approves):
    """待我审批 (the queue and the home page's card) listed every pending version of the role,
    so another project's department saw a plan it could neither open nor decide."""
    from django.core.cache import cache
    from django.urls import reverse

    request = dept_approves["request"]
    for user, listed in ((dept_approves["outside"], False), (dept_approves["inside"], True)):
        cache.clear()
        client.force_login(user)
        queue = client.get(reverse("crm:approval_queue"))
        assert queue.status_code == 200
        assert [row.pk for row in queue.context["page_obj"]] == ([request.pk] if listed else [])
        cards = {card.title: card.count for card in client.get(reverse("home")).context["cards"]}
        assert cards.get("待我审批", 0) == (1 if listed else 0)


def test_the_queue_reads_its_records_in_a_fixed_number_of_queries_however_many_rows(
        client, roles, make_user):
    """Each row links its record (``a.target``): read per kind, not once per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    submitter, manager = make_user("cs_staff"), make_user("manager")
    client.force_login(manager)
    url = reverse("crm:approval_queue")

    def page_queries():
        client.get(url)  # warm: the session, the permissions
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        return len(ctx.captured_queries), response

    submit(_bare("q1"), submitter)
    one, response = page_queries()
    assert len(response.context["page_obj"]) == 1
    for i in range(2, 7):
        submit(_bare(f"q{i}"), submitter)
    six, response = page_queries()
    assert len(response.context["page_obj"]) == 6
    assert six == one
