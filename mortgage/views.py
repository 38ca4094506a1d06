"""Thin views: permission -> form -> one service call -> message -> redirect."""
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.approvals import approvals_for
from crm.history import history_context
from crm.scopes import visible_projects
from crm.views import Action, page_of, posted, run_action, run_form, show_error
from crm.workflow import allowed
from mortgage import imports, selectors, services
from mortgage.forms import (
    AgentCompanyForm, AgreementForm, CertificateAdvanceForm, CertificateBulkForm, ChaseForm, DecideForm,
    HandoverForm, LitigationAdvanceForm, LoanForm, OverdueUploadForm, ReminderForm,
)
from mortgage.models import (
    AGREEMENT_WORKFLOW, CERTIFICATE_WORKFLOW, LITIGATION_WORKFLOW, AgentCompany,
)


def _render(request, template, context):
    context.setdefault("today", timezone.localdate())
    return render(request, template, context)


# --- Title certificates ----------------------------------------------------------------------


@permission_required("mortgage.view_titlecertificatecase", raise_exception=True)
def certificate_list(request):
    qs, filterset = selectors.certificate_register(request.user, request.GET)
    return _render(request, "mortgage/certificate_list.html", {
        "page_obj": page_of(request, qs, 30), "filter": filterset, "stats": selectors.certificate_statistics(qs),
        "bulk_form": CertificateBulkForm(projects=visible_projects(request.user)),
    })


@require_POST
@permission_required("mortgage.add_titlecertificatecase", raise_exception=True)
def certificate_bulk_create(request):
    form = CertificateBulkForm(request.POST, projects=visible_projects(request.user))
    return run_form(request, ("mortgage:certificate_list",), form, lambda data: services.certificate_cases_create_for_project(
        project=data["project"], agreement=data["agreement"], user=request.user, collected_on=data["collected_on"]),
        lambda created: gettext("已为已交付房号新建 {count} 宗产权证办理。").format(count=created) if created
        else gettext("没有需要新建的办理（已全部建档）。"))


@permission_required("mortgage.view_titlecertificatecase", raise_exception=True)
def certificate_detail(request, pk):
    case = get_object_or_404(
        selectors.certificate_cases_for(request.user).select_related("project", "unit", "customer", "agreement__agent",
                                                                     "loan", "released_by"), pk=pk)
    actions = CERTIFICATE_WORKFLOW.available(case, request.user)
    history = history_context(request, case)
    return _render(request, "mortgage/certificate_detail.html", {
        "case": case, "actions": actions, "advance_form": CertificateAdvanceForm(), "chase_form": ChaseForm(),
        "chases": case.chases.select_related("chased_by"), **history,
        "can_chase": allowed(services.check_chase, request.user, case),
    })


@require_POST
@permission_required("mortgage.view_titlecertificatecase", raise_exception=True)
def certificate_advance(request, pk, action):
    case = get_object_or_404(selectors.certificate_cases_for(request.user), pk=pk)
    return run_form(request, ("mortgage:certificate_detail", pk), CertificateAdvanceForm(request.POST),
                    lambda data: services.certificate_advance(
                        case=case, action=action, user=request.user, on=data["on"],
                        certificate_number=data["certificate_number"], certificate_date=data["certificate_date"]),
                    lambda _case: gettext("已更新为“{stage}”。").format(stage=case.get_stage_display()))


@require_POST
@permission_required("mortgage.add_certificatechase", raise_exception=True)
def certificate_chase(request, pk):
    case = get_object_or_404(selectors.certificate_cases_for(request.user), pk=pk)
    return run_form(request, ("mortgage:certificate_detail", pk), ChaseForm(request.POST),
                    lambda data: services.certificate_chase_log(case=case, user=request.user, **data), _("督促记录已保存。"))


# --- Agent companies and agreements ----------------------------------------------------------


@permission_required("mortgage.view_agencyagreement", raise_exception=True)
def agreement_list(request):
    return _render(request, "mortgage/agreement_list.html", {
        "agents": AgentCompany.objects.all(),
        "page_obj": page_of(request, selectors.agreements_for(request.user), 30),
    })


@permission_required("mortgage.add_agentcompany", raise_exception=True)
def agent_create(request):
    form = AgentCompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.agent_company_save(user=request.user, **form.cleaned_data)
        messages.success(request, _("代办公司已保存。"))
        return redirect("mortgage:agreement_list")
    return _render(request, "mortgage/form.html", {"form": form, "title": _("新增代办公司")})


@permission_required("mortgage.change_agentcompany", raise_exception=True)
def agent_edit(request, pk):
    company = get_object_or_404(AgentCompany, pk=pk)
    form = AgentCompanyForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        services.agent_company_update(company=company, user=request.user, **form.cleaned_data)
        messages.success(request, _("代办公司已保存。"))
        return redirect("mortgage:agreement_list")
    return _render(request, "mortgage/form.html", {"form": form, "title": _("修改代办公司：%(name)s") % {"name": company.name}})


@permission_required("mortgage.add_agencyagreement", raise_exception=True)
def agreement_create(request):
    form = AgreementForm(request.POST or None, projects=visible_projects(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        agreement = services.agreement_create(user=request.user, agent=data.pop("agent"),
                                              project=data.pop("project"), scope=data.pop("scope"), **data)
        messages.success(request, _("协议 %(number)s 已保存为草稿。") % {"number": agreement.number})
        return redirect("mortgage:agreement_detail", pk=agreement.pk)
    return _render(request, "mortgage/form.html", {"form": form, "title": _("新建代办协议")})


@permission_required("mortgage.change_agencyagreement", raise_exception=True)
def agreement_edit(request, pk):
    agreement = get_object_or_404(selectors.agreements_for(request.user), pk=pk)
    try:
        services.check_agreement_edit(request.user, agreement)
    except ValidationError as exc:
        show_error(request, exc)
        return redirect("mortgage:agreement_detail", pk=pk)
    form = AgreementForm(request.POST or None, instance=agreement, projects=visible_projects(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(agreement=agreement, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(request, gettext("协议 {number} 已修改。").format(number=agreement.number))
        return redirect("mortgage:agreement_detail", pk=pk)
    return _render(request, "mortgage/form.html", {"form": form, "title": _("修改代办协议 %(number)s") % {"number": agreement.number}})


@permission_required("mortgage.view_agencyagreement", raise_exception=True)
def agreement_detail(request, pk):
    agreement = get_object_or_404(selectors.agreements_for(request.user), pk=pk)
    available = {t.name: t for t in AGREEMENT_WORKFLOW.available(agreement, request.user)}
    # "submit" sends to approval or, when the rule needs none, makes the agreement active.
    actions = [available[name] for name in ("submit", "end") if name in available]
    history = history_context(request, agreement)
    return _render(request, "mortgage/agreement_detail.html", {
        "agreement": agreement, "approvals": approvals_for(agreement),
        "can_decide": "approve" in available, "decide_form": DecideForm(),
        "actions": actions, "needs_approval": services.agreement_needs_approval(agreement),
        "can_edit": allowed(services.check_agreement_edit, request.user, agreement),
        **history,
    })


def _status_said(agreement) -> str:
    return gettext("协议状态：{status}。").format(status=agreement.get_status_display())


AGREEMENT_ACTIONS = {
    "submit": Action(lambda a, r, d: services.agreement_submit(agreement=a, user=r.user), done=_status_said),
    "approve": Action(lambda a, r, d: services.agreement_decide(agreement=a, user=r.user, approve=True, **d),
                      posted(DecideForm), _status_said),
    "reject": Action(lambda a, r, d: services.agreement_decide(agreement=a, user=r.user, approve=False, **d),
                     posted(DecideForm), _status_said),
    "end": Action(lambda a, r, d: services.agreement_end(agreement=a, user=r.user), done=_status_said),
}


@require_POST
@permission_required("mortgage.view_agencyagreement", raise_exception=True)
def agreement_action(request, pk, action):
    agreement = get_object_or_404(selectors.agreements_for(request.user), pk=pk)
    return run_action(request, redirect("mortgage:agreement_detail", pk=pk).url, AGREEMENT_ACTIONS, action, agreement)


# --- Mortgage loans --------------------------------------------------------------------------


@permission_required("mortgage.view_mortgageloan", raise_exception=True)
def loan_list(request):
    qs, filterset = selectors.loan_register(request.user, request.GET)
    return _render(request, "mortgage/loan_list.html", {"page_obj": page_of(request, qs, 30), "filter": filterset})


@permission_required("mortgage.add_mortgageloan", raise_exception=True)
def loan_create(request):
    form = LoanForm(request.POST or None, projects=visible_projects(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        ownership = data.pop("ownership")
        try:
            loan = services.loan_create(user=request.user, customer=ownership.customer, unit=ownership.unit, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("按揭贷款 {number} 已登记，开发商担保有效。").format(number=loan.loan_number))
            return redirect("mortgage:loan_list")
    return _render(request, "mortgage/form.html", {"form": form, "title": _("登记按揭贷款"),
                                                  "cancel_url": "mortgage:loan_list"})


# --- Overdue lists and collection ------------------------------------------------------------


@permission_required("mortgage.view_overduerecord", raise_exception=True)
def overdue_list(request):
    qs, filterset = selectors.overdue_register(request.user, request.GET)
    return _render(request, "mortgage/overdue_list.html", {
        "page_obj": page_of(request, qs, 30), "filter": filterset,
        "uploads": selectors.uploads_for(request.user)[:5],
        "can_import": request.user.has_perm("mortgage.import_overdue"),
    })


@permission_required("mortgage.import_overdue", raise_exception=True)
def overdue_upload(request):
    form = OverdueUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = imports.overdue_upload_receive(user=request.user, uploaded=form.cleaned_data["file"],
                                                    report_date=form.cleaned_data["report_date"])
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("mortgage:overdue_preview", pk=upload.pk)
    return _render(request, "mortgage/overdue_upload.html", {"form": form,
                                                            "uploads": selectors.uploads_for(request.user)[:20]})


@permission_required("mortgage.view_overdueupload", raise_exception=True)
def overdue_preview(request, pk):
    upload = get_object_or_404(selectors.uploads_for(request.user), pk=pk)
    return _render(request, "mortgage/overdue_preview.html", {
        "upload": upload, "can_confirm": allowed(imports.check_apply, request.user, upload)})


@require_POST
@permission_required("mortgage.import_overdue", raise_exception=True)
def overdue_confirm(request, pk):
    upload = get_object_or_404(selectors.uploads_for(request.user), pk=pk)
    try:
        summary = imports.overdue_upload_apply(upload=upload, user=request.user)
    except ValidationError as exc:
        show_error(request, exc)
        return redirect("mortgage:overdue_preview", pk=pk)
    messages.success(request, gettext("导入完成：新增 {created}，更新 {updated}，未变 {unchanged}，结清 {closed}；"
                                      "新判定须诉讼 {litigation} 条。").format(**summary))
    return redirect("mortgage:overdue_list")


def _record(request, pk):
    if not request.user.has_perm("mortgage.view_overduerecord"):
        raise PermissionDenied(_("您没有查看按揭逾期记录的权限。"))
    return get_object_or_404(selectors.overdue_records_for(request.user).select_related(
        "loan__unit__building", "customer", "project"), pk=pk)


def overdue_detail(request, pk):
    record = _record(request, pk)
    history = history_context(request, record)
    litigation = getattr(record, "litigation", None) if hasattr(record, "litigation") else None
    can_hand_over = allowed(services.check_hand_over, request.user, record)
    return _render(request, "mortgage/overdue_detail.html", {
        "record": record, "reminders": record.reminders.select_related("contacted_by"),
        "reminder_form": ReminderForm(), "handover_form": HandoverForm() if can_hand_over else None,
        "litigation": litigation, **history,
        "can_remind": allowed(services.check_reminder, request.user, record),
    })


@require_POST
@permission_required("mortgage.add_collectionreminder", raise_exception=True)
def overdue_reminder(request, pk):
    record = _record(request, pk)
    return run_form(request, ("mortgage:overdue_detail", pk), ReminderForm(request.POST),
                    lambda data: services.reminder_log(record=record, user=request.user, **data), _("催缴记录已保存。"))


def overdue_letter(request, pk):
    """A printable lawyer's-letter draft (律师函) filled from the record."""
    record = _record(request, pk)
    return _render(request, "mortgage/lawyer_letter.html", {"record": record, "loan": record.loan})


@require_POST
@permission_required("mortgage.hand_over_litigation", raise_exception=True)
def overdue_handover(request, pk):
    record = _record(request, pk)
    return run_form(request, ("mortgage:overdue_detail", pk), HandoverForm(request.POST, request.FILES),
                    lambda data: services.litigation_hand_over(record=record, user=request.user, **data),
                    lambda case: gettext("已移交法务，案件编号 {number}。").format(number=case.number))


# --- Litigation ------------------------------------------------------------------------------


@permission_required("mortgage.view_litigationcase", raise_exception=True)
def litigation_list(request):
    qs, filterset = selectors.litigation_list(request.user, request.GET)
    return _render(request, "mortgage/litigation_list.html", {"page_obj": page_of(request, qs, 30), "filter": filterset})


@permission_required("mortgage.view_litigationcase", raise_exception=True)
def litigation_detail(request, pk):
    case = get_object_or_404(selectors.litigation_cases_for(request.user), pk=pk)
    history = history_context(request, case)
    return _render(request, "mortgage/litigation_detail.html", {
        "case": case, "record": case.record, "reminders": case.record.reminders.select_related("contacted_by"),
        "actions": LITIGATION_WORKFLOW.available(case, request.user), "advance_form": LitigationAdvanceForm(),
        **history, "list_timeline": selectors.record_list_timeline(case.record),
    })


@require_POST
@permission_required("mortgage.change_litigationcase", raise_exception=True)
def litigation_advance(request, pk, action):
    case = get_object_or_404(selectors.litigation_cases_for(request.user), pk=pk)
    return run_form(request, ("mortgage:litigation_detail", pk), LitigationAdvanceForm(request.POST),
                    lambda data: services.litigation_advance(case=case, action=action, user=request.user, **data),
                    lambda _case: gettext("诉讼阶段：{stage}。").format(stage=case.get_stage_display()))


@permission_required("mortgage.view_litigationcase", raise_exception=True)
def litigation_file(request, pk, kind):
    case = get_object_or_404(selectors.litigation_cases_for(request.user), pk=pk)
    field = {"contract": case.contract_file, "statement": case.statement_file}.get(kind)
    if not field:
        raise Http404(_("没有该文件。"))
    return FileResponse(field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1])
