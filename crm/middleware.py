"""Session limits and the login requirement."""
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.urls import reverse
from urllib.parse import quote


class SessionLimitsMiddleware:
    """End a session after ``SESSION_IDLE_SECONDS`` without a request, and in any case
    ``SESSION_COOKIE_AGE`` after it began (saving the session would otherwise push Django's
    own expiry forward)."""

    KEY = "crm_last_seen"
    STARTED = "crm_started"

    def __init__(self, get_response):
        self.get_response = get_response

    @classmethod
    def start(cls, session) -> None:
        """Stamp a session as it begins (at login), so that the first page after the login does
        not have to write the session again just to record these."""
        now = int(time.time())
        session[cls.KEY] = now
        session[cls.STARTED] = now

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.KEY, now)
            started = request.session.setdefault(self.STARTED, now)
            if now - last > settings.SESSION_IDLE_SECONDS or now - started > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(request, _("您已长时间未操作或登录时间过长，为保护客户信息已自动退出，请重新登录。"))
                login_page = "portal:login" if request.path_info.startswith(PORTAL_PREFIX) else "login"
                return redirect(f"{reverse(login_page)}?next={quote(request.path)}")
            # Write at most once a minute so that every request does not rewrite the session.
            if now - last >= 60 or self.KEY not in request.session:
                request.session[self.KEY] = now
        return self.get_response(request)


class ScopeMemoMiddleware:
    """A request works out each user's scope (their projects) once, whichever lists ask."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from crm.scopes import request_memo

        with request_memo():
            return self.get_response(request)


PORTAL_PREFIX = "/m/"  # the owner portal's pages (portal/urls.py)


class PortalSeparationMiddleware:
    """Owners are never staff: a signed-in owner (crm.roles.PORTAL_ROLES) gets a 403 on every
    page outside the portal, and a staff user a 403 on every portal page. An anonymous visitor
    of a portal page goes to the portal's own login page, not the staff one."""

    OPEN_TO_OWNERS = {"health", "set_language"}  # no data behind them

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from crm.roles import PORTAL_ROLES
        from crm.scopes import user_role

        portal = request.path_info.startswith(PORTAL_PREFIX)
        if not request.user.is_authenticated:
            if portal and getattr(view_func, "login_required", True):
                return redirect(f"{reverse('portal:login')}?next={quote(request.path)}")
            return None
        owner = user_role(request.user) in PORTAL_ROLES
        if portal and not owner:
            raise PermissionDenied(_("业主端仅供业主使用，员工请使用客户事务部管理系统。"))
        name = request.resolver_match.url_name if request.resolver_match else None
        if owner and not portal and name not in self.OPEN_TO_OWNERS:
            raise PermissionDenied(_("业主账号只能使用业主端。"))
        return None


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page needs a login, except views marked ``login_not_required``."""


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user chose English with the switch (remembered on their profile and
    applied at login, and kept in a cookie for the login page); the browser's Accept-Language is
    ignored, because office PCs often run English Windows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        from crm.languages import SESSION_KEY, valid

        # A signed-in user's own choice (their profile, put in the session at login) comes first:
        # the cookie may have been left on this computer by someone else.
        session = getattr(request, "session", None)
        remembered = session.get(SESSION_KEY) if session is not None else None
        choice = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = next((c for c in (remembered, choice) if valid(c)), settings.LANGUAGE_CODE)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if valid(remembered) and remembered != choice and settings.LANGUAGE_COOKIE_NAME not in response.cookies:
            # The login page after sign-out speaks the user's language too.
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, remembered, max_age=settings.LANGUAGE_COOKIE_AGE,
                                path=settings.LANGUAGE_COOKIE_PATH, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                                secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY)
        return response
