"""The owner portal's pages: thin views (form → one service call → message → redirect).
Every page but the login is an owner's only (crm.middleware.PortalSeparationMiddleware); every
record is looked up among the owner's own (selectors), so another owner's id is a 404."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crm.middleware import SessionLimitsMiddleware
from crm.rules import rule_int
from crm.views import show_error

from . import auth, forms, selectors, services
from .timeline import plain_state

BACKEND = "crm.backends.CrmBackend"


def consented(view):
    """An owner reads the privacy notice and accepts its current version before anything else."""
    from functools import wraps

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.has_consented(request.user):
            return redirect("portal:privacy")
        return view(request, *args, **kwargs)

    return wrapper


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@login_not_required
def login_phone(request):
    """Step 1: the phone number. Every number gets the same answer (and the same limits)."""
    if request.user.is_authenticated:  # an owner already signed in (staff got a 403 before this)
        return redirect("portal:home")
    form = forms.PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            code = auth.sms_code_request(phone=phone, ip=_client_ip(request))
        except ValidationError as exc:
            show_error(request, exc)
        else:
            request.session["portal_phone"] = phone
            if settings.PORTAL_SHOW_CODE and code:
                request.session["portal_dev_code"] = code
            return redirect("portal:login_code")
    return render(request, "portal/login.html", {"form": form, "hotline": settings.PORTAL_HOTLINE})


@login_not_required
def login_code(request):
    """Step 2: the 6-digit code sent to that number."""
    phone = request.session.get("portal_phone", "")
    if not phone or request.user.is_authenticated:
        return redirect("portal:login")
    form = forms.CodeForm(request.POST or None, initial={"phone": phone})
    if request.method == "POST" and form.is_valid():
        try:
            account = auth.sms_code_check(phone=form.cleaned_data["phone"], code=form.cleaned_data["code"])
        except ValidationError as exc:
            show_error(request, exc)
        else:
            request.session.pop("portal_dev_code", None)
            login(request, account.user, backend=BACKEND)
            SessionLimitsMiddleware.start(request.session)
            if not account.customers.exists():
                messages.info(request, _("您的手机号尚未关联房产，请致电客服热线 {hotline}。").format(
                    hotline=settings.PORTAL_HOTLINE))
            return redirect("portal:home" if selectors.has_consented(account.user) else "portal:privacy")
    return render(request, "portal/login_code.html", {
        "form": form, "phone": phone, "hotline": settings.PORTAL_HOTLINE,
        "minutes": rule_int("portal.code_valid_minutes"),
        "dev_code": request.session.get("portal_dev_code", "") if settings.PORTAL_SHOW_CODE else ""})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("portal:login")


@consented
def home(request):
    return render(request, "portal/home.html", {
        "units": selectors.my_units(request.user), "cases": selectors.my_cases(request.user)
        .select_related("unit", "unit__building").order_by("-received_at", "-pk")[:3],
    })


@consented
def report(request):
    """报事报修 / 投诉 / 建议: one page, one service call."""
    units = selectors.my_units(request.user)
    form = forms.ReportForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.case_report(user=request.user, kind=d["kind"], category=d["category"], unit=d["unit"],
                                        description=d["description"], photos=d["photos"],
                                        preferred_by=d["preferred_by"], token=d["token"])
        except (ValidationError, PermissionDenied) as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("已提交，编号 {number}。我们会尽快处理。").format(number=case.number))
            return redirect("portal:case", case.pk)
    # A page shown again cannot keep the chosen files (no browser refills a file input): say so.
    return render(request, "portal/report.html", {"form": form, "has_units": units.exists(),
                                                  "photos_dropped": bool(request.FILES.getlist("photos"))})


@consented
def similar(request):
    """The report form's "邻居也反映了类似问题" (fetched while the owner types, by
    static/complaints/similar.js): open cases of the building of one of my units, in plain words
    and nothing of the other owners (selectors.neighbours_similar), as an HTML fragment."""
    params = request.GET
    cases = selectors.neighbours_similar(request.user, unit_id=params.get("unit", ""),
                                         text=params.get("description", ""))
    return render(request, "portal/_similar.html", {"cases": cases})


@consented
def case_list(request):
    cases = (selectors.my_cases(request.user).select_related("unit", "unit__building")
             .order_by("-received_at", "-pk")[:100])
    return render(request, "portal/case_list.html", {"cases": [(c, plain_state(c)[0]) for c in cases]})


@consented
def case_detail(request, pk):
    return _case_page(request, selectors.my_case(request.user, pk))


def _case_page(request, case, *, bound=None):
    """The case page; ``bound`` is the owner's refused form (its action's name and the form),
    shown again with what they typed and why it was refused."""
    state, next_step = plain_state(case)
    is_open = case.state not in ("closed", "archived")
    timeline, older = selectors.owner_timeline(case, request.user, before=request.GET.get("before"))
    forms_ = {"plan_form": forms.PlanAnswerForm(), "visit_form": forms.VisitForm(),
              "comment_form": forms.CommentForm(), "chase_form": forms.ChaseForm()}
    if bound is not None:
        action, form = bound
        forms_[f"{action}_form"] = form
    plan, visit_due = selectors.plan_to_answer(case), case.visit_state == "due"
    try:  # 催办 is offered only when the service would take it; chased today: the page says so
        services.check_chase(case)
        chase, chased_today = True, ""
    except ValidationError as exc:
        chase, chased_today = False, exc.messages[0] if exc.code == "chased_today" else ""
    return render(request, "portal/case_detail.html", {
        "case": case, "state": state, "next_step": next_step, "is_open": is_open,
        "timeline": timeline, "older": older,
        "photos": selectors.my_photos(request.user).filter(complaint=case),
        "plan": plan, "visit_due": visit_due, "chase": chase, "chased_today": chased_today,
        "deadline": selectors.owner_deadline(case, owners_turn=plan is not None or visit_due), **forms_,
        "photos_dropped": bound is not None and bool(request.FILES.getlist("photos")),
    })


# The owner's actions on a case page: (form, service call with the cleaned data, what to say).
# Every form carries its page's one-time token (forms.OnceTokenField): one post, one write.
ACTIONS = {
    "plan": (forms.PlanAnswerForm, lambda u, c, d: services.plan_answer(user=u, case=c, **d), gettext_lazy("已提交您的意见。")),
    "comment": (forms.CommentForm, lambda u, c, d: services.case_comment(user=u, case=c, **d), gettext_lazy("已补充。")),
    "chase": (forms.ChaseForm, lambda u, c, d: services.case_chase(user=u, case=c, **d), gettext_lazy("已催办，我们会尽快处理。")),
    "visit": (forms.VisitForm, lambda u, c, d: services.visit_answer(user=u, case=c, **d), gettext_lazy("感谢您的评价。")),
}


def _errors(form) -> str:
    return "；".join(str(e) for errs in form.errors.values() for e in errs)


@require_POST
def case_act(request, pk, action):
    """One owner action on one of the owner's cases: form → one service call → message. A refused
    form or action shows the case page again with what the owner typed (a file input cannot be
    filled again: the page asks for the photos once more) and, for a post without a valid token,
    a fresh one."""
    case = selectors.my_case(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    form_class, call, done = ACTIONS[action]
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return _case_page(request, case, bound=(action, form))
    try:
        call(request.user, case, form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        show_error(request, exc)
        case.refresh_from_db()
        return _case_page(request, case, bound=(action, form))
    messages.success(request, str(done))
    return redirect("portal:case", case.pk)


def photo(request, pk):
    """One of the owner's own photos (another owner's id, or staff's attachment, is a 404)."""
    item = selectors.my_photo(request.user, pk)
    return FileResponse(item.file.open("rb"), filename=item.name)


def privacy(request):
    """The privacy notice (个人信息保护法): accepted once per version."""
    if request.method == "POST":
        services.privacy_consent(user=request.user)
        return redirect("portal:home")
    return render(request, "portal/privacy.html", {"version": settings.PORTAL_PRIVACY_VERSION,
                                                   "hotline": settings.PORTAL_HOTLINE})


@consented
def me(request):
    """我的信息: what the company holds about me (masked as the back office masks it) and who
    opened my preference profile."""
    return _me_page(request)


def _me_page(request, *, bound=None):
    """我的信息; ``bound`` is a refused correction request (the customer's id and the form), shown
    again in that customer's card with what the owner typed and why it was refused."""
    from owners.masking import mask_id, mask_phone

    # each customer's correction form carries its own one-time token (forms.OnceTokenField)
    customers = [(c, mask_phone(c.phone), mask_id(c.id_number), list(c.units.select_related("building")),
                  bound[1] if bound is not None and bound[0] == c.pk else forms.CorrectionForm(initial={"customer": c.pk}))
                 for c in selectors.my_customers(request.user)]
    return render(request, "portal/me.html", {"customers": customers, "views": selectors.preference_views(request.user)})


@consented
def channels(request):
    """消息设置: which moments also come by SMS (or WeChat, when switched on and bound); the
    inbox always has them all (crm.notifications.owner_channels_set)."""
    from crm import notifications

    # Every box unchecked posts nothing but the token: still a choice to record.
    form = forms.ChannelsForm(request.POST if request.method == "POST" else None,
                              moments=notifications.OWNER_MOMENTS, channels=notifications.owner_channel_names(),
                              chosen=notifications.owner_channels(request.user))
    if request.method == "POST" and form.is_valid():
        notifications.owner_channels_set(user=request.user, choices=form.choices())
        messages.success(request, _("消息设置已保存。"))
        return redirect("portal:channels")
    return render(request, "portal/channels.html", {
        "form": form, "wechat_enabled": settings.WECHAT_ENABLED,
        "wechat_bound": bool(selectors.account_of(request.user).wechat_openid)})


@require_POST
def correction(request):
    """申请更正信息 for one of my customers (another owner's customer is a 404). A refused request
    shows 我的信息 again with what the owner typed (and a fresh token if the post had none)."""
    form = forms.CorrectionForm(request.POST)
    valid = form.is_valid()
    if form.cleaned_data.get("customer") is None:  # no customer named: no card to show the words in
        messages.error(request, _errors(form))
        return redirect("portal:me")
    customer = selectors.my_customer(request.user, form.cleaned_data["customer"])
    if not valid:
        messages.error(request, _errors(form))
        return _me_page(request, bound=(customer.pk, form))
    try:
        case = services.correction_request(user=request.user, customer=customer, text=form.cleaned_data["text"],
                                           token=form.cleaned_data["token"])
    except (ValidationError, PermissionDenied) as exc:
        show_error(request, exc)
        return _me_page(request, bound=(customer.pk, form))
    messages.success(request, _("已提交，编号 {number}。我们会尽快处理。").format(number=case.number))
    return redirect("portal:case", case.pk)


@consented
def inbox(request):
    return render(request, "portal/inbox.html", {"notes": selectors.my_inbox(request.user)[:50]})


def message(request, pk):
    """Open one of my messages: marked read, then its page (another owner's id is a 404)."""
    note = selectors.my_message(request.user, pk)
    services.inbox_open(user=request.user, note=note)
    return redirect(note.url if note.url.startswith("/m/") else "portal:inbox")


@consented
def club(request):
    """The club: my memberships, points balance and ledger; the forums coming up in my project."""
    return render(request, "portal/club.html", {"members": selectors.my_club(request.user),
                                                "forums": selectors.my_forums(request.user),
                                                "to_join": selectors.clubs_to_join(request.user)})


@require_POST
def club_apply(request, pk):
    """Apply to join a club of my project (staff enroll me as they always did)."""
    from clubs.applications import club_apply as apply

    club, customer = selectors.club_to_join(request.user, pk)
    try:
        apply(user=request.user, club=club, customer=customer)
    except (ValidationError, PermissionDenied) as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("已提交入会申请，工作人员审核后会通知您。"))
    return redirect("portal:club")


@require_POST
def forum_signup(request, pk, action):
    """Sign up for (or cancel) an approved forum of my project, for one of my customers."""
    forum = selectors.my_forum(request.user, pk)
    customer = selectors.my_customers(request.user).filter(
        Q(project_id=forum.project_id) | Q(units__project_id=forum.project_id)).first() if forum.project_id \
        else selectors.my_customers(request.user).first()
    if customer is None or action not in ("join", "cancel"):
        raise Http404
    from clubs import services as club_services

    try:
        if action == "join":
            club_services.forum_sign_up(user=request.user, forum=forum, customer=customer)
            messages.success(request, _("报名成功。"))
        else:
            club_services.forum_sign_up_cancel(user=request.user, forum=forum, customer=customer)
            messages.success(request, _("已取消报名。"))
    except (ValidationError, PermissionDenied) as exc:
        show_error(request, exc)
    return redirect("portal:club")
