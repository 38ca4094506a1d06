"""WeChat official-account template messages (模板消息) for the owners' notices, behind the
``WECHAT_ENABLED`` setting (off by default). An owner whose account carries an openid (bound in
the admin) and who chose 微信 for a moment gets a copy of that notice by the official account.

Like every notice it is stored first (its own ``Notification`` row, channel ``wechat``) and sent
by the delivery sweep (crm.notifications): an answer with ``errcode`` ≠ 0 or an unreachable API
is stored on the notice, which is retried. The access token comes from ``/cgi-bin/token`` and is
cached until it runs out; an answer saying it is no longer valid (40001, 40014, 42001) fetches a
new one and sends once more. ``WECHAT_API_BASE`` names the API (a test points it at a local
server that plays it). Python's standard library only: no SDK.
"""
from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

TOKEN_CACHE_KEY = "crm:wechat:access_token"
TOKEN_MARGIN = 300  # seconds: a token is renewed this long before WeChat says it runs out
TOKEN_INVALID = {40001, 40014, 42001}  # invalid credential, invalid token, token expired
TIMEOUT = 5.0


class WechatError(Exception):
    """WeChat refused (errcode ≠ 0) or could not be reached: the notice is retried."""


def _call(path: str, query: dict, payload: dict | None = None) -> dict:
    url = f"{settings.WECHAT_API_BASE.rstrip('/')}{path}?{urllib.parse.urlencode(query)}"
    data = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - the configured API
        return json.loads(response.read().decode() or "{}")


def access_token(*, refresh: bool = False) -> str:
    """The official account's access token, from the cache until it runs out (or ``refresh``)."""
    if not (settings.WECHAT_APP_ID and settings.WECHAT_APP_SECRET):
        raise ImproperlyConfigured("WECHAT_ENABLED needs WECHAT_APP_ID and WECHAT_APP_SECRET")
    cached = None if refresh else cache.get(TOKEN_CACHE_KEY)
    if cached and cached["until"] > time.time():
        return cached["token"]
    answer = _call("/cgi-bin/token", {"grant_type": "client_credential", "appid": settings.WECHAT_APP_ID,
                                      "secret": settings.WECHAT_APP_SECRET})
    token = answer.get("access_token")
    if not token:
        raise WechatError(f"wechat token: {answer.get('errcode', '?')} {answer.get('errmsg', '')}")
    lifetime = max(int(answer.get("expires_in", 7200)) - TOKEN_MARGIN, 1)
    cache.set(TOKEN_CACHE_KEY, {"token": token, "until": time.time() + lifetime}, lifetime)
    return token


def send_template(*, openid: str, template: str, params: dict, title: str, url: str = "") -> None:
    """Send one template message: ``first`` is the notice's title, then one keyword per parameter
    (named as in ``params``: ``number``, ``title``), the link to the portal's page. A token
    WeChat no longer takes is fetched again once."""
    try:
        template_id = settings.WECHAT_TEMPLATES[template]
    except KeyError:
        raise ImproperlyConfigured(f"WECHAT_TEMPLATES has no template id for {template!r}") from None
    payload = {"touser": openid, "template_id": template_id,
               "data": {"first": {"value": title}, **{k: {"value": str(v)} for k, v in params.items()}}}
    if url and settings.PORTAL_BASE_URL:
        payload["url"] = f"{settings.PORTAL_BASE_URL.rstrip('/')}{url}"
    for attempt in (1, 2):
        answer = _call("/cgi-bin/message/template/send", {"access_token": access_token(refresh=attempt == 2)},
                       payload)
        code = int(answer.get("errcode", 0) or 0)
        if code == 0:
            return
        if code not in TOKEN_INVALID or attempt == 2:
            raise WechatError(f"wechat: {code} {answer.get('errmsg', '')}")
