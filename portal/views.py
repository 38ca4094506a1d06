"""The owner portal's pages: thin views (form → one service call → message → redirect).
Every page but the login is an owner's only (crm.middleware.PortalSeparationMiddleware); every
record is looked up among the owner's own (selectors), so another owner's id is a 404."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.middleware import SessionLimitsMiddleware
from crm.views import show_error

from . import auth, forms, selectors

BACKEND = "crm.backends.CrmBackend"


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
    if not phone:
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
            return redirect("portal:home")
    return render(request, "portal/login_code.html", {
        "form": form, "phone": phone, "hotline": settings.PORTAL_HOTLINE,
        "dev_code": request.session.get("portal_dev_code", "") if settings.PORTAL_SHOW_CODE else ""})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("portal:login")


def home(request):
    account = selectors.account_of(request.user)
    return render(request, "portal/home.html", {
        "account": account, "units": selectors.my_units(request.user),
    })
