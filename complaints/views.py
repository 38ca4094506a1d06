"""Thin views: permission → form → one service call → message → redirect."""
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.history import TIMELINE_PARAM, history_context
from crm.roles import Role
from crm.scopes import user_role, visible_projects
from crm.views import objects_or_404, show_error
from crm.workflow import allowed
from owners.selectors import owner_candidates

from . import clocks, forms, reports, selectors, services
from .models import Attachment, Kind
from .timeline import check_writable

ACTIONS = {
    # transition: (form, service call with the cleaned data)
    "transfer": (forms.TransferForm, lambda c, u, d: services.complaint_transfer(
        complaint=c, user=u, department=d["department"], handler=d["handler"], note=d["note"])),
    "classify_valid": (forms.ClassifyValidForm, lambda c, u, d: services.complaint_classify(
        complaint=c, user=u, valid=True, severity=d["severity"], reason=d["reason"])),
    "classify_invalid": (forms.ClassifyInvalidForm, lambda c, u, d: services.complaint_classify(
        complaint=c, user=u, valid=False, reason=d["reason"])),
    "investigate": (forms.InvestigateForm, lambda c, u, d: services.complaint_investigate(complaint=c, user=u, **d)),
    "submit_plan": (forms.PlanForm, lambda c, u, d: services.plan_submit(complaint=c, user=u, **d)),
    "approve_plan": (forms.DecideForm, lambda c, u, d: services.plan_decide(complaint=c, user=u, approve=True, **d)),
    "reject_plan": (forms.RejectForm, lambda c, u, d: services.plan_decide(complaint=c, user=u, approve=False, **d)),
    "negotiate_fail": (forms.NegotiationForm, lambda c, u, d: services.negotiation_record(
        complaint=c, user=u, agreed=False, **d)),
    "negotiate_agree": (forms.NegotiationForm, lambda c, u, d: services.negotiation_record(
        complaint=c, user=u, agreed=True, **d)),
    "execute": (forms.ExecuteForm, lambda c, u, d: services.complaint_execute(complaint=c, user=u, **d)),
    "feedback": (forms.FeedbackForm, lambda c, u, d: services.complaint_feedback(complaint=c, user=u, **d)),
    "send_correction": (forms.CorrectionForm, lambda c, u, d: services.correction_send(complaint=c, user=u, **d)),
    "verify_correction": (forms.VerifyForm, lambda c, u, d: services.correction_verify(complaint=c, user=u, **d)),
    "return_visit": (forms.ReturnVisitForm, lambda c, u, d: services.return_visit_record(complaint=c, user=u, **d)),
    "reply": (forms.ReplyForm, lambda c, u, d: services.complaint_reply(complaint=c, user=u, **d)),
    "reopen": (forms.ReopenForm, lambda c, u, d: services.complaint_reopen(complaint=c, user=u, **d)),
    "close": (forms.NoteForm, lambda c, u, d: services.complaint_close(complaint=c, user=u, **d)),
    "archive": (forms.EmptyForm, lambda c, u, d: services.complaint_archive(complaint=c, user=u)),
}


def _staff_only(request):
    if user_role(request.user) == Role.PROPERTY_COMPANY:
        raise PermissionDenied(_("物业公司只能查看本公司转交的投诉。"))


@permission_required("complaints.view_complaint", raise_exception=True)
def register(request):
    data = selectors.register_page(user=request.user, params=request.GET, page=request.GET.get("page"))
    return render(request, "complaints/register.html", {
        **data, "tabs": selectors.queue_tabs(data["counts"]), "queue": request.GET.get("queue", ""),
    })


@permission_required("complaints.add_complaint", raise_exception=True)
def entry(request):
    """The one-page front-desk form: find the owner by phone digits, pick the unit, save."""
    _staff_only(request)
    phone = (request.GET.get("phone") or "").strip()
    candidates = owner_candidates(user=request.user, phone=phone)
    form = forms.RegisterForm(request.POST or None, request.FILES or None, projects=visible_projects(request.user),
                              candidates=candidates, initial={"complainant_phone": phone})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.complaint_register(
                received_by=request.user, kind=d["kind"], channel=d["channel"], category=d["category"],
                title=d["title"], description=d["description"], project=d["project"], customer=d["customer"],
                unit=d["unit"], complainant_name=d["complainant_name"], complainant_phone=d["complainant_phone"],
                received_at=d["received_at"], needs_transfer=d["needs_transfer"],
                owner_requested_by=d["owner_requested_by"], promised_by=d["promised_by"],
                attachment=d.get("attachment"),
                same_event_as=selectors.complaint_get(user=request.user, pk=d["same_event_as"])
                if d.get("same_event_as") else None)
        except (ValidationError, PermissionDenied) as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("已登记 {number}。").format(number=case.number))
            return redirect("complaints:detail", case.pk)
    return render(request, "complaints/entry.html", {"form": form, "phone": phone, "candidates": candidates})


@permission_required("complaints.add_complaint", raise_exception=True)
def similar(request):
    """The entry form's likely duplicates (fetched while front desk types): open cases of the
    same building or project from the last 30 days with similar words, as an HTML fragment."""
    _staff_only(request)
    params = request.GET
    unit = selectors.visible_unit(user=request.user, owner_unit=params.get("owner_unit", ""))
    project = visible_projects(request.user).filter(pk=params.get("project") or None).values_list("pk", flat=True)
    text = f"{params.get('title', '')} {params.get('description', '')}"[:2000]
    cases = selectors.similar_open_cases(
        user=request.user, text=text, building_id=unit.building_id if unit else None,
        project_id=None if unit else next(iter(project), None)) if (unit or params.get("project")) else []
    return render(request, "complaints/_similar.html", {"cases": cases})


@permission_required("complaints.view_complaint", raise_exception=True)
def detail(request, pk):
    case = selectors.complaint_get(user=request.user, pk=pk)
    case_clocks = list(case.clocks.all())
    return render(request, "complaints/detail.html", {
        "case": case, "actions": case.workflow.available(case, request.user),
        "timeline": selectors.timeline_slice(case, request.GET.get(TIMELINE_PARAM)),
        "approvals": selectors.plan_versions(case), "clocks": case_clocks,
        "attachment_form": forms.AttachmentForm(), **history_context(request, case),
        "pause_form": forms.PauseForm(), "extension_form": forms.ExtensionForm(),
        "events": selectors.events_for(case),
        "extensions": clocks.pending_extensions(case.clocks.all(), request.user),
        # The forms beside the workflow, shown by the checks their services make.
        "clock_ops": clocks.clock_ops(case, case_clocks, request.user),
        "can_attach": allowed(check_writable, case, request.user),
        "can_link_event": allowed(services.check_event_link, case, request.user),
    })


@permission_required("complaints.view_complaint", raise_exception=True)
def act(request, pk, name):
    """One transition: its form on GET, the service on POST; a refused one changes nothing.
    Each transition's own permission, role and guard are the workflow's check below."""
    case = selectors.complaint_get(user=request.user, pk=pk)
    if name not in ACTIONS:
        raise Http404
    form_class, call = ACTIONS[name]
    # The service's own check: a user who may not take this step gets no form (403); a step
    # the case has moved past sends the user back to the case with the reason.
    try:
        transition = case.workflow.check(case, name, request.user)
    except ValidationError as exc:
        show_error(request, exc)
        return redirect("complaints:detail", case.pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call(case, request.user, form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            show_error(request, exc)
            return redirect("complaints:detail", case.pk)
        messages.success(request, _("已{action}。").format(action=transition.label))
        return redirect("complaints:detail", case.pk)
    return render(request, "complaints/act.html", {"case": case, "form": form, "transition": transition})


@require_POST
@permission_required("complaints.change_complaint", raise_exception=True)
def attach(request, pk):
    case = selectors.complaint_get(user=request.user, pk=pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(complaint=case, user=request.user, upload=form.cleaned_data["file"])
        except (ValidationError, PermissionDenied) as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("附件已上传。"))
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("complaints:detail", case.pk)


@require_POST
@permission_required("complaints.change_complaint", raise_exception=True)
def owner_reply(request, pk):
    """回复业主: the text the owner reads on the portal."""
    case = selectors.complaint_get(user=request.user, pk=pk)
    try:
        services.complaint_owner_reply(complaint=case, user=request.user, text=request.POST.get("text", ""))
    except (ValidationError, PermissionDenied) as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("已回复业主。"))
    return redirect("complaints:detail", case.pk)


@permission_required("complaints.view_complaint", raise_exception=True)
def attachment(request, pk):
    item = get_object_or_404(Attachment.objects.filter(complaint__in=selectors.complaints_for(request.user)), pk=pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


@require_POST
@permission_required("complaints.change_complaint", raise_exception=True)
def clock_action(request, pk, op):
    clock = get_object_or_404(selectors.clocks_for(request.user).select_related("complaint", "rule"), pk=pk)
    try:
        if op == "pause":
            form = forms.PauseForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请填写暂停原因。"))
            clocks.clock_pause(clock=clock, user=request.user, reason=form.cleaned_data["reason"])
        elif op == "resume":
            clocks.clock_resume(clock=clock, user=request.user)
        elif op == "extend":
            form = forms.ExtensionForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请填写延期原因和新的截止时间。"))
            clocks.extension_request(clock=clock, user=request.user, **form.cleaned_data)
        elif op in ("approve", "reject"):
            clocks.extension_decide(clock=clock, user=request.user, approve=op == "approve",
                                      comment=request.POST.get("comment", ""))
        else:
            raise Http404
        messages.success(request, _("已保存。"))
    except (ValidationError, PermissionDenied) as exc:
        show_error(request, exc)
    return redirect("complaints:detail", clock.complaint_id)


@permission_required("complaints.view_complaint", raise_exception=True)
def print_form(request, pk):
    """客户投诉登记表 (or 纠纷登记表) of one case, for printing."""
    case = selectors.complaint_get(user=request.user, pk=pk, full=True)
    return render(request, "complaints/print_form.html", {
        "case": case, "timeline": selectors.timeline_for(case), "approvals": selectors.plan_versions(case)})


@permission_required("complaints.view_complaint", raise_exception=True)
def dispute_book(request):
    """纠纷登记簿: every dispute in scope, printable."""
    params = request.GET.copy()
    params["kind"] = Kind.DISPUTE
    _filters, qs = selectors.register_list(user=request.user, params=params)
    return render(request, "complaints/dispute_book.html", {"cases": qs[:500], "now": timezone.now()})


def forwarded(request):
    """A property company's own forwarded cases (and the forward form)."""
    if user_role(request.user) != Role.PROPERTY_COMPANY:
        raise PermissionDenied(_("该页面仅供物业公司联络人使用。"))
    company = request.user.profile.property_company
    page = selectors.forwarded_page(user=request.user, page=request.GET.get("page"))
    form = forms.ForwardForm(request.POST or None, projects=visible_projects(request.user))
    if request.method == "POST":
        if not request.user.has_perm("complaints.add_complaint") or company is None:
            raise PermissionDenied(_("您不能转交投诉。"))
        if form.is_valid():
            d = form.cleaned_data
            try:
                case = services.complaint_register(
                    received_by=request.user, kind=Kind.COMPLAINT, channel="property", forwarded_by_company=company,
                    **{k: d[k] for k in ("project", "complainant_name", "complainant_phone", "category", "title",
                                         "description")})
            except (ValidationError, PermissionDenied) as exc:
                show_error(request, exc)
            else:
                messages.success(request, _("已转交，编号 {number}。").format(number=case.number))
                return redirect("complaints:forwarded")
    return render(request, "complaints/forwarded.html", {"page_obj": page, "form": form, "company": company})


@permission_required("complaints.view_report", raise_exception=True)
def weekly(request):
    import datetime as dt

    from crm.forms import WeekForm

    form = WeekForm(request.GET)
    start = form.chosen(timezone.localdate())
    end = start + dt.timedelta(days=6)
    data = reports.report_data(start=start, end=end, user=request.user)
    return render(request, "complaints/weekly.html", {
        "data": data, "start": start, "end": end, "week_form": form,
        "prev": start - dt.timedelta(days=7), "next": start + dt.timedelta(days=7),
        "export_url": reverse("crm:export_register", args=["complaints-weekly"]) + f"?start={start}",
    })


@require_POST
@permission_required("complaints.change_complaint", raise_exception=True)
def link_event(request, pk):
    """Link the case to an existing event of its project, or to a new one."""
    case = selectors.complaint_get(user=request.user, pk=pk)
    event_id = request.POST.get("event", "").strip()
    # Only an event of the case's project can be chosen; any other id is a guess: 404.
    event = objects_or_404(selectors.project_events(case), [event_id])[0] if event_id else None
    try:
        event = services.event_attach(complaint=case, user=request.user, event_id=event.pk if event else None,
                                      title=request.POST.get("title", "").strip())
        messages.success(request, _("已关联事件：{title}").format(title=event.title))
    except (ValidationError, PermissionDenied) as exc:
        show_error(request, exc)
    return redirect("complaints:detail", case.pk)
