"""Thin views: permission → form → one service call → message → redirect."""
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from crm.filters import ranked_records
from crm.history import history_context
from crm.scopes import visible_projects
from crm.views import (
    Action,
    form_page,
    page_of,
    posted,
    run_action,
    run_service,
    show_form_errors,
)
from crm.workflow import allowed
from owners.models import Unit
from property_liaison import forms, selectors, services
from property_liaison.models import (
    COMMITTEE_WORKFLOW,
    REPAIR_WORKFLOW,
    ActionItem,
    Area,
    CommitteeFormation,
    Finding,
    FollowUp,
    Rectification,
)


def home(request):
    if not any(request.user.has_perm(f"property_liaison.view_{m}") for m in ("actionitem", "repairrequest")):
        raise PermissionDenied(_("您没有查看物业协调的权限。"))
    return render(request, "property_liaison/home.html", {
        "counts": selectors.liaison_counts(request.user),
        "cadence": [row for row in selectors.cadence_report(request.user) if row["late"]],
        "can_add_meeting": request.user.has_perm("property_liaison.add_coordinationmeeting"),
        "can_add_inspection": request.user.has_perm("property_liaison.add_inspection"),
        "can_add_repair": request.user.has_perm("property_liaison.add_repairrequest"),
    })


# --- Coordination ----------------------------------------------------------------------------

@permission_required("property_liaison.view_coordinationmeeting", raise_exception=True)
def meeting_list(request):
    fs, qs = selectors.meeting_list(request.user, request.GET)
    return render(request, "property_liaison/meeting_list.html", {"filter": fs, "page_obj": page_of(request, qs)})


@permission_required("property_liaison.add_coordinationmeeting", raise_exception=True)
def meeting_create(request):
    form = forms.MeetingForm(request.POST or None, projects=visible_projects(request.user),
                             initial={"date": timezone.localdate()})
    return form_page(
        request, form, lambda d: services.coordination_record(user=request.user, **d),
        success=lambda meeting: ("property_liaison:meeting_detail", meeting.pk),
        done=lambda meeting: gettext("协调记录 {number} 已保存，可继续添加协调事项。").format(number=meeting.number),
        template="property_liaison/form.html", context={"title": _("登记协调记录")})


@permission_required("property_liaison.view_coordinationmeeting", raise_exception=True)
def meeting_detail(request, pk):
    meeting = get_object_or_404(selectors.meetings(request.user), pk=pk)
    form = forms.ActionItemForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("property_liaison.add_actionitem"):
            raise PermissionDenied(_("您不能添加协调事项。"))
        if form.is_valid():
            services.action_item_add(user=request.user, meeting=meeting, **form.cleaned_data)
            messages.success(request, _("协调事项已添加。"))
            return redirect("property_liaison:meeting_detail", pk=pk)
    return render(request, "property_liaison/meeting_detail.html", {
        "meeting": meeting, "items": meeting.action_items.all(), "form": form,
        "can_add": request.user.has_perm("property_liaison.add_actionitem"), **history_context(request, meeting)})


@permission_required("property_liaison.view_coordinationmeeting", raise_exception=True)
def meeting_print(request, pk):
    meeting = get_object_or_404(selectors.meetings(request.user), pk=pk)
    return render(request, "property_liaison/meeting_print.html", {"meeting": meeting,
                                                                   "items": meeting.action_items.all()})


@permission_required("property_liaison.view_actionitem", raise_exception=True)
def action_item_list(request):
    fs, qs = selectors.action_item_list(request.user, request.GET)
    return render(request, "property_liaison/action_item_list.html", {"filter": fs, "page_obj": page_of(request, qs)})


@permission_required("property_liaison.view_coordinationmeeting", raise_exception=True)
def cadence_report(request):
    return render(request, "property_liaison/cadence_report.html", {
        "rows": selectors.cadence_report(request.user), "form": forms.CadenceForm(),
        "months": services.cadence_period("monthly")["months"],
        "can_change": request.user.has_perm("property_liaison.change_coordinationplan")})


@require_POST
@permission_required("property_liaison.change_coordinationplan", raise_exception=True)
def cadence_set(request, project_pk):
    project = get_object_or_404(visible_projects(request.user), pk=project_pk)
    form = forms.CadenceForm(request.POST)
    if not form.is_valid():
        show_form_errors(request, form)
        return redirect("property_liaison:cadence_report")
    return run_service(request, "property_liaison:cadence_report", lambda: services.coordination_plan_set(
        user=request.user, project=project, **form.cleaned_data))


# --- Supervision -----------------------------------------------------------------------------

@permission_required("property_liaison.view_inspection", raise_exception=True)
def inspection_list(request):
    fs, qs = selectors.inspection_list(request.user, request.GET)
    return render(request, "property_liaison/inspection_list.html", {
        "filter": fs, "page_obj": page_of(request, ranked_records(fs, qs)),
        "can_add": request.user.has_perm("property_liaison.add_inspection")})


@permission_required("property_liaison.add_inspection", raise_exception=True)
def inspection_create(request):
    form = forms.InspectionForm(request.POST or None, projects=services.managed_projects().filter(
        pk__in=visible_projects(request.user)), initial={"date": timezone.localdate()})
    return form_page(
        request, form, lambda d: services.inspection_record(
            user=request.user, project=d["project"], kind=d["kind"], date=d["date"], summary=d["summary"],
            scores=form.scores()),
        success=lambda inspection: ("property_liaison:inspection_detail", inspection.pk),
        done=lambda inspection: gettext("检查记录 {number} 已保存，可添加检查发现和整改要求。").format(
            number=inspection.number),
        template="property_liaison/form.html", context={"title": _("登记监督检查"), "multipart": False})


def _checklist_order(scores):
    """Scores in the checklist's order (security, cleaning, greening, facilities, move-in), not by code."""
    return sorted(scores, key=lambda s: Area.values.index(s.area) if s.area in Area.values else len(Area.values))


@permission_required("property_liaison.view_inspection", raise_exception=True)
def inspection_detail(request, pk):
    inspection = get_object_or_404(selectors.inspections(request.user), pk=pk)
    form = forms.FindingForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not request.user.has_perm("property_liaison.add_rectification"):
            raise PermissionDenied(_("您不能登记检查发现。"))
        if form.is_valid():
            try:
                services.finding_add(user=request.user, inspection=inspection, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("检查发现已保存。"))
                return redirect("property_liaison:inspection_detail", pk=pk)
    findings = inspection.findings.prefetch_related("rectifications")
    return render(request, "property_liaison/inspection_detail.html", {
        "inspection": inspection, "scores": _checklist_order(inspection.scores.all()), "findings": findings, "form": form,
        "can_add": request.user.has_perm("property_liaison.add_rectification"), **history_context(request, inspection)})


@permission_required("property_liaison.view_inspection", raise_exception=True)
def inspection_print(request, pk):
    inspection = get_object_or_404(selectors.inspections(request.user), pk=pk)
    return render(request, "property_liaison/inspection_print.html", {
        "inspection": inspection, "scores": _checklist_order(inspection.scores.all()),
        "findings": inspection.findings.prefetch_related("rectifications")})


@permission_required("property_liaison.view_rectification", raise_exception=True)
def rectification_list(request):
    fs, qs = selectors.rectification_list(request.user, request.GET)
    return render(request, "property_liaison/rectification_list.html", {
        "filter": fs, "page_obj": page_of(request, qs), "today": timezone.localdate()})


@permission_required("property_liaison.view_inspection", raise_exception=True)
def score_trends(request):
    return render(request, "property_liaison/trends.html", {
        "trends": selectors.score_trends(request.user), "areas": dict(Area.choices)})


# --- Follow-ups: an action item's or a rectification's page and steps -------------------------

@dataclass(frozen=True)
class _FollowUpPage:
    """What differs between the pages of the kinds of follow-up (the URL conf names the kind)."""
    model: type[FollowUp]
    records: Callable  # the selector of those in the user's scope
    title: str  # the page's title: "<title>：<the follow-up>"
    act: str  # the URL name its steps post to
    facts: str  # the template of what it follows up (its coordination, or its inspection and finding)


FOLLOW_UP_PAGES = {
    "item": _FollowUpPage(ActionItem, selectors.action_items, _("协调事项"), "property_liaison:action_item_act",
                          "property_liaison/_action_item_facts.html"),
    "rectification": _FollowUpPage(Rectification, selectors.rectifications, _("整改通知"),
                                   "property_liaison:rectification_act", "property_liaison/_rectification_facts.html"),
}


def _follow_up(request, kind: str, pk: int, permission: str):
    """The kind's page and its follow-up ``pk`` in the user's scope, for a user who holds the
    kind's ``view`` or ``change`` permission (as permission_required checks the other views)."""
    page = FOLLOW_UP_PAGES[kind]
    if not request.user.has_perm(f"property_liaison.{permission}_{page.model._meta.model_name}"):
        raise PermissionDenied
    return page, get_object_or_404(page.records(request.user), pk=pk)


def follow_up_detail(request, pk, kind):
    page, obj = _follow_up(request, kind, pk, "view")
    return render(request, "property_liaison/follow_up_detail.html", {
        "obj": obj, "kind": kind, "title": f"{page.title}：{obj}", "facts": page.facts, "act": page.act,
        "actions": _actions(obj.workflow.available(obj, request.user)),
        "answer_form": forms.AnswerForm(), **history_context(request, obj)})


def _actions(transitions):
    """Each allowed transition with its own note form (ids distinct when two forms show)."""
    return [(t, forms.NoteForm(auto_id=f"id_{t.name}_%s")) for t in transitions]


# action: Action(service call (follow-up, request, data), its form, message)
FOLLOW_UP_ACTIONS = {
    "answer": Action(lambda o, r, d: services.follow_up_answer(user=r.user, follow_up=o, **d),
                     lambda r, o: forms.AnswerForm(r.POST, r.FILES)),
    "verify": Action(lambda o, r, d: services.follow_up_verify(user=r.user, follow_up=o, note=r.POST.get("note", ""))),
    "reopen": Action(lambda o, r, d: services.follow_up_reopen(user=r.user, follow_up=o, note=r.POST.get("note", ""))),
}


@require_POST
def follow_up_act(request, pk, action, kind):
    _, obj = _follow_up(request, kind, pk, "change")
    return run_action(request, obj.get_absolute_url(), FOLLOW_UP_ACTIONS, action, obj)


# --- Owners' committee -----------------------------------------------------------------------

@permission_required("property_liaison.view_committeeformation", raise_exception=True)
def committee_list(request):
    formations = {f.project_id: f for f in selectors.committees(request.user)}
    rows = []
    for project in visible_projects(request.user).order_by("name"):
        condition = services.project_committee_condition(project)
        rows.append({"project": project, "formation": formations.get(project.pk), "condition": condition})
    return render(request, "property_liaison/committee_list.html", {"rows": rows, "today": timezone.localdate()})


@permission_required("property_liaison.view_committeeformation", raise_exception=True)
def committee_detail(request, project_pk):
    project = get_object_or_404(visible_projects(request.user), pk=project_pk)
    formation = CommitteeFormation.objects.filter(project=project).first()
    condition = services.project_committee_condition(project)
    # The formation as every action sees it (committee_act recomputes the condition first).
    current = CommitteeFormation(project=project, step=formation.step if formation else CommitteeFormation.Step.WAITING,
                                 condition_date=condition.condition_date,
                                 authorities_notified_on=formation.authorities_notified_on if formation else None)
    transitions = COMMITTEE_WORKFLOW.available(current, request.user)
    context = {"project": project, "formation": formation, "condition": condition, "today": timezone.localdate(),
               "impossible": services.impossible_deliveries(project),
               "step_form": forms.CommitteeStepForm(transitions=transitions),
               "can_replace": any(t.name == "replaced" for t in transitions),
               "can_notice": allowed(services.check_notice, request.user, current)
               and not current.authorities_notified_on,
               "notice_form": forms.CommitteeNoticeForm(), "replace_form": forms.ReplacementForm(),
               "steps": CommitteeFormation.Step.choices,
               "can_change": allowed(services.check_committee_change, request.user)}
    if formation:
        context.update(history_context(request, formation))
    return render(request, "property_liaison/committee_detail.html", context)


COMMITTEE_ACTIONS = {
    "refresh": Action(lambda f, r, d: None, done=_("已按交付面积重新计算。")),  # committee_refresh did it
    "step": Action(lambda f, r, d: services.committee_advance(user=r.user, formation=f, step=d["step"], on=d["on"],
                                                              note=d["note"]),
                   lambda r, f: forms.CommitteeStepForm(r.POST, transitions=COMMITTEE_WORKFLOW.available(f, r.user))),
    "notice": Action(lambda f, r, d: services.committee_notify_authorities(user=r.user, formation=f, on=d["on"]),
                     posted(forms.CommitteeNoticeForm)),
    "replace": Action(lambda f, r, d: services.property_replace(user=r.user, formation=f, on=d["on"],
                                                                new_company_name=d["new_company_name"]),
                      posted(forms.ReplacementForm)),
}


@require_POST
@permission_required("property_liaison.change_committeeformation", raise_exception=True)
def committee_act(request, project_pk, action):
    project = get_object_or_404(visible_projects(request.user), pk=project_pk)
    target = redirect("property_liaison:committee_detail", project_pk=project.pk).url
    services.check_committee_change(request.user)
    if action not in COMMITTEE_ACTIONS:
        raise Http404
    formation = services.committee_refresh(project=project, user=request.user)  # every action sees it current
    return run_action(request, target, COMMITTEE_ACTIONS, action, formation)


# --- Warranty repairs ------------------------------------------------------------------------

@permission_required("property_liaison.view_repairrequest", raise_exception=True)
def repair_list(request):
    fs, qs = selectors.repair_list(request.user, request.GET)
    return render(request, "property_liaison/repair_list.html", {
        "filter": fs, "page_obj": page_of(request, qs),
        "can_add": request.user.has_perm("property_liaison.add_repairrequest")})


@permission_required("property_liaison.view_repairrequest", raise_exception=True)
def repair_print(request):
    fs, qs = selectors.repair_list(request.user, request.GET)
    return render(request, "property_liaison/repair_print.html", {"rows": qs[:500], "today": timezone.localdate()})


@permission_required("property_liaison.add_repairrequest", raise_exception=True)
def repair_create(request):
    units = Unit.objects.filter(project__in=visible_projects(request.user), delivery_date__isnull=False) \
        .select_related("project", "building").order_by("project__name", "building__name", "number")
    form = forms.RepairForm(request.POST or None, request.FILES or None, units=units,
                            initial={"reported_on": timezone.localdate()})
    return form_page(
        request, form, lambda d: services.repair_register(user=request.user, **d),
        success=lambda repair: ("property_liaison:repair_detail", repair.pk), done=_repair_registered,
        template="property_liaison/form.html", context={"title": _("登记保修维修"), "multipart": True})


def _repair_registered(repair) -> str:
    state = _("在保修期内") if repair.in_warranty else _("已过保修期（有偿维修）")
    return _("报修 %(number)s 已登记：%(state)s，保修截止 %(ends)s。") % {
        "number": repair.number, "state": state, "ends": repair.warranty_ends}


@permission_required("property_liaison.view_repairrequest", raise_exception=True)
def repair_detail(request, pk):
    repair = get_object_or_404(selectors.repairs(request.user), pk=pk)
    return render(request, "property_liaison/repair_detail.html", {
        "repair": repair, "transitions": REPAIR_WORKFLOW.available(repair, request.user),
        "case_pk": selectors.case_pk_for(repair, request.user),
        "assign_form": forms.RepairAssignForm(), "done_form": forms.RepairDoneForm(
            initial={"on": timezone.localdate()}), **history_context(request, repair)})


_DONE = posted(forms.RepairDoneForm)
REPAIR_ACTIONS = {
    "assign": Action(lambda o, r, d: services.repair_assign(user=r.user, repair=o, **d), posted(forms.RepairAssignForm)),
    "complete": Action(lambda o, r, d: services.repair_complete(user=r.user, repair=o, on=d["on"], note=d["note"]),
                       _DONE),
    "confirm": Action(lambda o, r, d: services.repair_confirm(user=r.user, repair=o, on=d["on"]), _DONE),
    "reject": Action(lambda o, r, d: services.repair_reject(user=r.user, repair=o, note=d["note"]), _DONE),
    "visit": Action(lambda o, r, d: services.repair_visit(user=r.user, repair=o, on=d["on"], note=d["note"]), _DONE),
}


@require_POST
@permission_required("property_liaison.change_repairrequest", raise_exception=True)
def repair_act(request, pk, action):
    repair = get_object_or_404(selectors.repairs(request.user), pk=pk)
    return run_action(request, redirect("property_liaison:repair_detail", pk=pk).url, REPAIR_ACTIONS, action, repair)


@permission_required("property_liaison.view_repairrequest", raise_exception=True)
def warranty_ending(request):
    rows = selectors.warranty_ending(request.user)
    page = page_of(request, rows, 50)
    return render(request, "property_liaison/warranty_ending.html", {"page_obj": page})


# --- Files (served only through scope) -------------------------------------------------------

_FILES = {
    **{kind: (page.records, "evidence", f"property_liaison.view_{page.model._meta.model_name}")
       for kind, page in FOLLOW_UP_PAGES.items()},
    "finding": (lambda user: Finding.objects.filter(inspection__project__in=visible_projects(user)), "photo",
                "property_liaison.view_inspection"),
    "repair": (selectors.repairs, "photo", "property_liaison.view_repairrequest"),
}


def attachment(request, kind, pk):
    if kind not in _FILES:
        raise Http404
    queryset, field, perm = _FILES[kind]
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("您没有查看该附件的权限。"))
    obj = get_object_or_404(queryset(request.user), pk=pk)
    file = getattr(obj, field)
    if not file:
        raise Http404
    return FileResponse(file.open("rb"), filename=file.name.rsplit("/", 1)[-1])
