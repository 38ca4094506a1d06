"""Thin views: permission → form → one service call → message → redirect."""
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.approvals import can_decide, check_approver
from crm.history import history_context
from crm.views import form_page, page_of, same_site_url, show_error
from crm.workflow import allowed
from owners import selectors, services
from owners.forms import (
    AccessRequestForm,
    ContactLogForm,
    CustomerForm,
    PreferenceForm,
    ReasonForm,
    UnitDocumentForm,
    VisitForm,
)
from owners.masking import can_see_contact, can_see_identity, can_see_phone, mask_history_rows
from owners.models import AccessRequest, Customer, UnitDocument
from owners.permissions import (
    can_see_care_list,
    check_access_request,
    check_import,
    check_log_contact,
    require_care_list,
)

TABS = [("basics", _("基本信息")), ("units", _("房产")), ("documents", _("入伙装修资料")), ("preferences", _("客情档案")),
        ("contacts", _("来电来访")), ("cases", _("投诉案件")), ("history", _("变更历史"))]


def tabs_for(user) -> list[tuple[str, str]]:
    """The customer page's tabs this user may use: no 客情 for the property company (the
    service refuses it), no contact log or cases without the permission to see them."""
    hidden = set()
    if not can_see_contact(user):
        hidden.add("preferences")
    if not user.has_perm("owners.view_contactlog"):
        hidden.add("contacts")
    if not user.has_perm("complaints.view_complaint"):
        hidden.add("cases")
    return [(code, label) for code, label in TABS if code not in hidden]


def _customer_or_404(request, pk) -> Customer:
    """A customer in scope, or one opened for today by an approved access request (logged)."""
    customer = get_object_or_404(selectors.customers_openable(request.user), pk=pk)
    if not selectors.customers_for(request.user).filter(pk=pk).exists():
        services.out_of_scope_open(customer=customer, user=request.user)
    return customer


@permission_required("owners.view_customer", raise_exception=True)
def customer_list(request):
    qs, filterset = selectors.customer_list(request.user, request.GET)
    page = page_of(request, qs, 25)
    return render(request, "owners/customer_list.html", {
        "page_obj": page, "filter": filterset, "q": request.GET.get("q", ""),
        "show_contact": can_see_contact(request.user),
        "can_log": allowed(check_log_contact, request.user),
        "can_import": allowed(check_import, request.user),
        "show_care": can_see_care_list(request.user),
    })


def _work_buttons(user, customer) -> dict:
    """The customer page's edit, call, visit and survey buttons. Their views open customers in
    one's own scope only (404 otherwise): one opened by an approved access request is read, not
    worked on."""
    in_scope = selectors.customers_for(user).filter(pk=customer.pk).exists()
    return {"can_edit": in_scope and user.has_perm("owners.change_customer"),
            "can_log": in_scope and allowed(check_log_contact, user)}


@permission_required("owners.view_customer", raise_exception=True)
def customer_detail(request, pk):
    customer = _customer_or_404(request, pk)
    tabs = tabs_for(request.user)
    tab = request.GET.get("tab", "basics")
    if tab not in dict(tabs):
        tab = "basics"
    ctx = {"customer": customer, "tab": tab, "tabs": tabs, "show_contact": can_see_contact(request.user),
           "show_identity": can_see_identity(request.user), **_work_buttons(request.user, customer)}
    ownerships = customer.ownerships.select_related("unit__building", "unit__project")
    if tab == "units":
        ctx["ownerships"] = ownerships
    elif tab == "documents":
        ctx["documents"] = UnitDocument.objects.filter(unit__in=[o.unit_id for o in ownerships]).select_related(
            "unit__building")
    elif tab == "preferences":
        ctx["reason_form"] = ReasonForm()
    elif tab == "contacts":
        ctx["contacts"] = customer.contacts.select_related("handled_by")[:50]
        ctx["visits"] = customer.visits.select_related("visitor")[:50]
    elif tab == "cases":
        ctx["cases"] = selectors.customer_cases(request.user, customer)
    elif tab == "history":
        ctx.update(history_context(request, customer))
        ctx["history_rows"] = mask_history_rows(request.user, ctx["history_rows"])
    return render(request, "owners/customer_detail.html", ctx)


@permission_required("owners.view_customer", raise_exception=True)
def preference_open(request, pk):
    """POST a reason → the profile is shown (and logged); GET only shows the prompt."""
    customer = _customer_or_404(request, pk)
    if request.method != "POST":
        return redirect(reverse("owners:customer_detail", args=[pk]) + "?tab=preferences")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return render(request, "owners/customer_detail.html", {
            "customer": customer, "tab": "preferences", "tabs": tabs_for(request.user), "reason_form": form,
            "show_contact": can_see_contact(request.user), "show_identity": can_see_identity(request.user),
            **_work_buttons(request.user, customer)})
    try:
        profile = services.preference_open(customer=customer, user=request.user, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as exc:
        show_error(request, exc)
        return redirect(reverse("owners:customer_detail", args=[pk]) + "?tab=preferences")
    can_edit = request.user.has_perm("owners.change_customer")
    return render(request, "owners/customer_detail.html", {
        "customer": customer, "tab": "preferences", "tabs": tabs_for(request.user), "profile": profile,
        "preference_form": PreferenceForm(instance=profile) if can_edit else None,
        "show_contact": can_see_contact(request.user), "show_identity": can_see_identity(request.user),
        **_work_buttons(request.user, customer)})


@require_POST
@permission_required("owners.change_customer", raise_exception=True)
def preference_edit(request, pk):
    customer = _customer_or_404(request, pk)
    profile = getattr(customer, "preference", None)
    if profile is None:
        raise Http404
    form = PreferenceForm(request.POST, instance=profile)
    if form.is_valid():
        services.preference_update(profile=profile, user=request.user,
                                   **{k: form.cleaned_data[k] for k in form.changed_data})
        messages.success(request, _("客情档案已保存。"))
    else:
        messages.error(request, _("客情档案未保存：请检查输入。"))
    return redirect(reverse("owners:customer_detail", args=[pk]) + "?tab=preferences")


def _customer_form(request, customer=None):
    projects = selectors.projects_for(request.user)
    # A new customer's numbers are the ones the user types; an existing one's are shown and
    # edited only by those who may see them in full (the others' edits leave them as stored).
    hide_phones = customer is not None and not can_see_phone(request.user)
    hide_identity = customer is not None and not can_see_identity(request.user)
    # The form may write the posted values onto ``customer`` while it validates; the service
    # compares them with the stored row (crm.edits), not with this object.
    form = CustomerForm(request.POST or None, instance=customer, projects=projects, hide_phones=hide_phones,
                        hide_identity=hide_identity)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.customer_data()
        allow = form.cleaned_data.get("confirm_duplicate", False)
        try:
            if customer is None:
                customer = services.customer_create(created_by=request.user, allow_duplicate=allow, **data)
                messages.success(request, gettext("客户 {code} 已建档。").format(code=customer.code))
            else:
                services.customer_update(customer=customer, user=request.user, allow_duplicate=allow, **data)
                messages.success(request, _("客户资料已保存。"))
            return redirect("owners:customer_detail", pk=customer.pk)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "duplicate":
                duplicates = list(services.customer_duplicates(
                    phone=data.get("phone", ""), id_number=data.get("id_number", ""),
                    exclude_id=customer.pk if customer else None).filter(
                    project__in=selectors.projects_for(request.user))[:10])
                form.add_error("confirm_duplicate", exc.messages[0])
            elif hasattr(exc, "error_dict"):
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                form.add_error(None, exc.messages)
    return render(request, "owners/customer_form.html", {"form": form, "customer": customer, "duplicates": duplicates,
                                                         "hide_phones": hide_phones, "hide_identity": hide_identity})


@permission_required("owners.add_customer", raise_exception=True)
def customer_create(request):
    return _customer_form(request)


@permission_required("owners.change_customer", raise_exception=True)
def customer_edit(request, pk):
    customer = get_object_or_404(selectors.customers_for(request.user), pk=pk)
    return _customer_form(request, customer)


def contact_create(request, pk):
    check_log_contact(request.user)
    customer = get_object_or_404(selectors.customers_for(request.user), pk=pk)
    return form_page(
        request, ContactLogForm(request.POST or None),
        lambda d: services.contact_log(customer=customer, user=request.user, **d),
        success=reverse("owners:customer_detail", args=[pk]) + "?tab=contacts",
        done=lambda entry: gettext("来电来访记录 {number} 已登记。").format(number=entry.number),
        template="owners/contact_form.html", context={"customer": customer, "title": _("登记来电来访")})


def visit_create(request, pk):
    check_log_contact(request.user)
    customer = get_object_or_404(selectors.customers_for(request.user), pk=pk)
    return form_page(
        request, VisitForm(request.POST or None),
        lambda d: services.visit_record(customer=customer, user=request.user, **d),
        success=reverse("owners:customer_detail", args=[pk]) + "?tab=contacts", done=_("访问记录已登记。"),
        template="owners/contact_form.html", context={"customer": customer, "title": _("登记客户访问")})


@permission_required("owners.view_unit", raise_exception=True)
def unit_detail(request, pk):
    unit = get_object_or_404(selectors.units_for(request.user), pk=pk)
    docs = {d.kind: d for d in unit.documents.all()}
    checklist = [(value, label, docs.get(value)) for value, label in UnitDocument.Kind.choices]
    ownerships = unit.ownerships.select_related("customer")
    return render(request, "owners/unit_detail.html", {
        "unit": unit, "checklist": checklist, "ownerships": ownerships,
        "show_customers": request.user.has_perm("owners.view_customer"),
        "doc_form": UnitDocumentForm() if request.user.has_perm("owners.change_customer") else None,
    })


@require_POST
@permission_required("owners.change_customer", raise_exception=True)
def unit_document_add(request, pk):
    unit = get_object_or_404(selectors.units_for(request.user), pk=pk)
    form = UnitDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.unit_document_record(unit=unit, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("资料已登记。"))
    else:
        messages.error(request, gettext("资料未登记：{errors}").format(
            errors="；".join(e for errs in form.errors.values() for e in errs)))
    return redirect("owners:unit_detail", pk=pk)


@permission_required("owners.view_unit", raise_exception=True)
def document_scan(request, pk):
    doc = get_object_or_404(UnitDocument.objects.filter(unit__in=selectors.units_for(request.user)), pk=pk)
    if not doc.scan:
        raise Http404
    return FileResponse(doc.scan.open("rb"), as_attachment=False, filename=doc.scan.name.rsplit("/", 1)[-1])


# --- out-of-scope access --------------------------------------------------------------------

def access_request_new(request):
    check_access_request(request.user)
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        customer = Customer.objects.filter(code__iexact=form.cleaned_data["code"].strip()).first()
        if customer is None:
            form.add_error("code", _("没有这个客户编码。"))
        else:
            services.access_request_submit(customer=customer, user=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("调阅申请已提交，批准后当天有效。"))
            return redirect("owners:access_request_list")
    return render(request, "owners/access_request_form.html", {"form": form})


def access_request_list(request):
    qs = selectors.access_requests_for(request.user)
    page = page_of(request, qs, 25)
    approvals = selectors.access_request_approvals(page)
    return render(request, "owners/access_request_list.html", {
        "page_obj": page, "can_request": allowed(check_access_request, request.user),
        "decidable": {pk for pk, approval in approvals.items() if can_decide(approval, request.user)}})


@require_POST
def access_request_decide(request, pk):
    req = get_object_or_404(AccessRequest, pk=pk)
    approval = selectors.access_request_approvals([req]).get(req.pk)
    if approval is None:
        raise Http404
    check_approver(request.user, approval)  # only a role the matrix named may take this decision
    try:
        services.access_request_decide(request_id=pk, user=request.user, approve=request.POST.get("approve") == "1")
        messages.success(request, _("已处理调阅申请。"))
    except (ValidationError, PermissionDenied) as exc:
        show_error(request, exc)
    return redirect("owners:access_request_list")


# --- quotas, care, surveys -------------------------------------------------------------------

@permission_required("owners.view_customer", raise_exception=True)
def quota_report(request):
    from django.utils import timezone

    from crm.forms import MonthForm

    require_care_list(request.user)
    form = MonthForm(request.GET)
    year, month = form.chosen(timezone.localdate())
    data = selectors.quota_attainment(request.user, year, month)
    return render(request, "owners/quota_report.html", {**data, "month": f"{year:04d}-{month:02d}", "month_form": form})


@permission_required("owners.view_customer", raise_exception=True)
def care_list(request):
    from django.utils import timezone

    require_care_list(request.user)

    form = selectors.care_list_form(request.GET)
    view = form.chosen()
    year = timezone.localdate().year
    rows = selectors.care_rows(request.user, view)
    occasion = selectors.care_occasion(view)
    greeted = selectors.greeted_ids(occasion, year)
    page = page_of(request, rows, 50)
    return render(request, "owners/care_list.html", {
        "page_obj": page, "views": selectors.CARE_VIEWS, "view": view, "greeted": greeted, "occasion": occasion,
        "year": year, "show_contact": can_see_contact(request.user), "list_form": form})


@require_POST
@permission_required("owners.change_customer", raise_exception=True)
def greeting_mark(request, pk):
    from django.utils import timezone

    from owners.models import Greeting

    require_care_list(request.user)
    customer = get_object_or_404(selectors.customers_for(request.user), pk=pk)
    occasion = request.POST.get("occasion", "")
    if occasion not in Greeting.Occasion.values:
        raise Http404
    services.greeting_mark(customer=customer, occasion=occasion, year=timezone.localdate().year, user=request.user)
    messages.success(request, gettext("已标记 {name} 已问候。").format(name=customer.name))
    return redirect(same_site_url(request, request.POST.get("next", "")) or reverse("owners:care_list"))


@permission_required("owners.view_customer", raise_exception=True)
def survey_trend(request):
    from owners.models import SurveyScore

    topic = request.GET.get("topic") or None
    if topic not in SurveyScore.Topic.values:
        topic = None
    return render(request, "owners/survey_trend.html", {
        "trend": selectors.survey_trend(request.user, topic), "topics": SurveyScore.Topic.choices, "topic": topic})


@permission_required("owners.change_customer", raise_exception=True)
def survey_create(request, pk):
    from owners.forms import SurveyForm

    customer = get_object_or_404(selectors.customers_for(request.user), pk=pk)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_record(customer=customer, user=request.user, surveyed_on=form.cleaned_data["surveyed_on"],
                                   scores=form.scores(), comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("满意度调查已登记。"))
            return redirect(reverse("owners:customer_detail", args=[pk]) + "?tab=contacts")
    return render(request, "owners/contact_form.html", {"form": form, "customer": customer, "title": _("满意度调查")})


# --- import ----------------------------------------------------------------------------------

@permission_required("owners.add_customer", raise_exception=True)
def import_view(request):
    from owners import imports
    from owners.forms import ImportForm

    check_import(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    report, token, kind = None, "", ""
    if request.method == "POST" and request.POST.get("token"):
        kind = request.POST.get("kind", "")
        if kind not in imports.RESOURCES:
            raise Http404
        try:
            path = imports.stashed_path(request.POST["token"])
        except ValidationError as exc:
            show_error(request, exc)
            return redirect("owners:import")
        try:
            report = imports.run_import(kind, imports.read_dataset(path), user=request.user, dry_run=False)
        finally:  # confirmed or refused, the stashed copy of the owners' data goes
            path.unlink(missing_ok=True)
        if report.ok:
            messages.success(request, gettext("导入完成：新增 {new} 条，更新 {updated} 条。").format(
                new=report.new, updated=report.updated))
            return redirect("owners:customer_list")
        messages.error(request, _("导入未执行：文件中有错误。"))
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        try:
            imports.check_upload(upload)
            report = imports.run_import(kind, imports.read_dataset(upload), user=request.user, dry_run=True)
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        except Exception:  # a file openpyxl cannot read
            form.add_error("file", _("无法读取该 Excel 文件，请检查格式。"))
        else:
            if report.ok:
                upload.seek(0)
                token = imports.stash(upload)
    return render(request, "owners/import.html", {"form": form, "report": report, "token": token, "kind": kind})


@permission_required("owners.view_contactlog", raise_exception=True)
def contact_list(request):
    qs, filterset = selectors.contact_list(request.user, request.GET)
    return render(request, "owners/contact_list.html", {"page_obj": page_of(request, qs, 25), "filter": filterset})
