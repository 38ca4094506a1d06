"""``Authorization: Bearer <token>``: the client whose token's SHA-256 is stored, if active.

Nothing here logs the token: a refusal says only that the token is unknown. ``request.user`` is
the client's service user (the history's "who"), ``request.auth`` the client.
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions, throttling

from .models import READ, WRITE, SystemClient, token_hash

LAST_USE_EVERY = dt.timedelta(minutes=1)  # last use is written at most once a minute


class BearerAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header:
            return None
        # "Token <token>" or "Basic …" was answered "身份认证信息未提供" (no credentials), as if
        # nothing had been sent: the sender looked for a missing header, not at the word before it.
        if header[0].lower() != self.keyword.lower().encode() or len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Authorization 头格式应为：Bearer <令牌>。"))
        try:
            token = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from None
        client = (SystemClient.objects.select_related("user").filter(token_hash=token_hash(token), active=True)
                  .first())
        if client is None or not client.user.is_active:
            raise exceptions.AuthenticationFailed(_("令牌无效或接入系统已停用。"))
        now = timezone.now()
        if client.last_used_at is None or now - client.last_used_at >= LAST_USE_EVERY:
            SystemClient.objects.filter(pk=client.pk).update(last_used_at=now)
            client.last_used_at = now
        client.user.scope_projects = client.project_ids  # crm.scopes: the selectors' scope is the client's
        return client.user, client

    def authenticate_header(self, request):
        return self.keyword


class ClientThrottle(throttling.SimpleRateThrottle):
    """The client's own rate (requests per minute, set in the admin), counted in the cache."""

    scope = "api_client"

    def get_rate(self):
        return None  # set per request from the client

    def allow_request(self, request, view):
        client = request.auth
        if not isinstance(client, SystemClient):
            return True
        self.rate, self.num_requests, self.duration = f"{client.rate_limit}/min", client.rate_limit, 60
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return f"api:throttle:{request.auth.pk}"


class HasScope(permissions.BasePermission):
    """The view's ``resource`` at read (safe methods) or write level, in the client's scopes."""

    message = _("该接入系统没有此资源的权限。")

    def has_permission(self, request, view):
        client = request.auth
        if not isinstance(client, SystemClient):
            return False
        level = READ if request.method in permissions.SAFE_METHODS else getattr(view, "level", WRITE)
        return client.allows(view.resource, level)
