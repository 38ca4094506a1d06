"""Session limits and the login requirement."""
import time
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django.urls import reverse
from urllib.parse import quote


def request_user(request):
    """The session's user in one query, with its staff profile and its unread-notification count,
    and its permissions from the cache (one more query when they are not cached).

    Django's own ``get_user`` costs four queries on every page (the user, their permissions, their
    groups' permissions, then the staff profile for the role) and the navigation's unread badge a
    fifth. The session check below is Django's (``django.contrib.auth.get_user``), unchanged.
    """
    from django.contrib import auth
    from django.contrib.auth.backends import ModelBackend
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce
    from django.utils.crypto import constant_time_compare

    from crm import permcache
    from crm.models import Notification

    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[auth.BACKEND_SESSION_KEY]
    except KeyError:
        return auth.get_user(request)
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    backend = auth.load_backend(backend_path)
    if not isinstance(backend, ModelBackend) or type(backend).get_user is not ModelBackend.get_user:
        return auth.get_user(request)
    unread = (Notification.objects.filter(recipient_id=OuterRef("pk"), read_at__isnull=True)
              .values("recipient_id").annotate(n=Count("pk")).values("n"))
    user = (auth.get_user_model()._default_manager.select_related("profile")
            .annotate(crm_unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0))
            .filter(pk=user_id).first())
    if user is None or not backend.user_can_authenticate(user):
        return auth.get_user(request)  # Django flushes nothing for a missing user; neither do we
    session_hash = request.session.get(auth.HASH_SESSION_KEY)
    auth_hash = user.get_session_auth_hash()
    if not (session_hash and constant_time_compare(session_hash, auth_hash)):
        if session_hash and any(constant_time_compare(session_hash, fallback)
                                for fallback in user.get_session_auth_fallback_hash()):
            request.session.cycle_key()
            request.session[auth.HASH_SESSION_KEY] = auth_hash
        else:
            request.session.flush()
            return auth.get_user(request)
    if user.is_active and not user.is_superuser:
        # ModelBackend's own per-user cache, filled from the shared cache (crm.permcache).
        user._perm_cache = permcache.user_permissions(user)
    user.backend = backend_path
    return user


class SessionLimitsMiddleware:
    """End a session after ``SESSION_IDLE_SECONDS`` without a request, and in any case
    ``SESSION_COOKIE_AGE`` after it began (saving the session would otherwise push Django's
    own expiry forward)."""

    KEY = "crm_last_seen"
    STARTED = "crm_started"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Replace AuthenticationMiddleware's lazy user (not loaded yet) by one that costs two queries.
        request.user = SimpleLazyObject(partial(request_user, request))
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.KEY, now)
            started = request.session.setdefault(self.STARTED, now)
            if now - last > settings.SESSION_IDLE_SECONDS or now - started > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(request, "您已长时间未操作或登录时间过长，为保护客户信息已自动退出，请重新登录。")
                return redirect(f"{reverse('login')}?next={quote(request.path)}")
            # Write at most once a minute so that every request does not rewrite the session.
            if now - last >= 60 or self.KEY not in request.session:
                request.session[self.KEY] = now
        return self.get_response(request)


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page needs a login, except views marked ``login_not_required``."""


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user chose English with the switch (a cookie); the browser's
    Accept-Language is ignored, because office PCs often run English Windows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        choice = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = choice if choice in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
