"""The WeChat official-account channel (crm/wechat.py), behind WECHAT_ENABLED, against a local
HTTP server that plays the WeChat API: the token fetched once and cached, an errcode ≠ 0 stored
as a failure and retried like every notice, a token WeChat no longer takes (40001) fetched again."""
import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.cache import cache
from django.utils import timezone

from crm.models import Notification
from crm.notifications import deliver_pending
from crm.wechat import TOKEN_CACHE_KEY
from portal.models import OwnerAccount

from .test_cases import report

pytestmark = pytest.mark.django_db
OPENID = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"


class FakeWechat(BaseHTTPRequestHandler):
    """/cgi-bin/token hands out token-1, token-2…; template/send answers what ``answers`` holds
    next (default: ok), and 40001 to a token that was revoked."""

    tokens: list = []
    revoked: set = set()
    sent: list = []
    answers: list = []

    def _json(self, data):
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server's name
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path != "/cgi-bin/token" or query.get("secret") != ["s3cret"]:
            return self._json({"errcode": 40125, "errmsg": "invalid appsecret"})
        FakeWechat.tokens.append(f"token-{len(FakeWechat.tokens) + 1}")
        return self._json({"access_token": FakeWechat.tokens[-1], "expires_in": 7200})

    def do_POST(self):  # noqa: N802
        url = urlparse(self.path)
        token = parse_qs(url.query).get("access_token", [""])[0]
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if url.path != "/cgi-bin/message/template/send":
            return self._json({"errcode": 404, "errmsg": "not found"})
        if token in FakeWechat.revoked or token not in FakeWechat.tokens:
            return self._json({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"})
        answer = FakeWechat.answers.pop(0) if FakeWechat.answers else {"errcode": 0, "errmsg": "ok", "msgid": 1}
        if answer["errcode"] == 0:
            FakeWechat.sent.append((token, payload))
        return self._json(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def wechat(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeWechat)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeWechat.tokens, FakeWechat.revoked, FakeWechat.sent, FakeWechat.answers = [], set(), [], []
    settings.WECHAT_ENABLED = True
    settings.WECHAT_API_BASE = f"http://127.0.0.1:{server.server_port}"
    settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = "wx123", "s3cret"
    settings.WECHAT_TEMPLATES = {"case_update": "TPL-CASE"}
    settings.PORTAL_BASE_URL = "https://crm.example.com"
    cache.delete(TOKEN_CACHE_KEY)
    yield FakeWechat
    cache.delete(TOKEN_CACHE_KEY)
    server.shutdown()
    server.server_close()


@pytest.fixture
def wechat_owner(client, place, owner_login, wechat):
    owner_login(0)
    OwnerAccount.objects.filter(phone=place["owners"][0].phone).update(wechat_openid=OPENID)  # bound in the admin
    page = client.get("/m/me/messages/").content.decode()
    assert "微信公众号：已绑定" in page and 'name="accepted-wechat"' in page
    client.post("/m/me/messages/", {f"{m}-wechat": "on" for m in ("accepted", "plan", "disposed", "reply")})
    return client


def wechat_notes():
    return Notification.objects.filter(channel=Notification.Channel.WECHAT)


def test_a_chosen_moment_goes_by_a_template_message_with_one_cached_token(wechat_owner, place, wechat):
    report(wechat_owner, place["units"][0])
    report(wechat_owner, place["units"][0], description="阳台漏水")
    deliver_pending()
    notes = list(wechat_notes())
    assert len(notes) == 2 and all(n.delivered_at and n.wechat_to == OPENID for n in notes)
    assert wechat.tokens == ["token-1"]  # fetched once, cached for the second message
    _token, payload = wechat.sent[0]
    case = place["owners"][0].complaints.order_by("pk").first()
    assert payload["touser"] == OPENID and payload["template_id"] == "TPL-CASE"
    assert payload["data"]["number"]["value"] == case.number and case.number in payload["data"]["first"]["value"]
    assert payload["url"] == f"https://crm.example.com/m/cases/{case.pk}/"
    # The inbox shows the notice once; SMS was switched off for every moment, so none went.
    inbox = wechat_owner.get("/m/inbox/").content.decode()
    assert inbox.count("已受理您的反映") == 2  # one line per case, not one per channel
    assert not Notification.objects.filter(channel=Notification.Channel.OWNER, secret=False).exclude(sms_to="")


def test_an_errcode_is_stored_as_a_failure_and_retried(wechat_owner, place, wechat):
    wechat.answers = [{"errcode": 43004, "errmsg": "require subscribe"}]
    report(wechat_owner, place["units"][0])
    deliver_pending()
    note = wechat_notes().get()
    assert note.delivered_at is None and note.attempts == 1 and "43004" in note.last_error
    deliver_pending(now=timezone.now() + dt.timedelta(minutes=2))  # the next sweep
    note.refresh_from_db()
    assert note.delivered_at and note.attempts == 2 and len(wechat.sent) == 1


def test_a_token_wechat_no_longer_takes_is_fetched_again_once(wechat_owner, place, wechat):
    report(wechat_owner, place["units"][0])
    deliver_pending()
    wechat.revoked.add("token-1")  # expired at WeChat's end while still in our cache
    report(wechat_owner, place["units"][0], description="阳台漏水")
    deliver_pending()
    assert wechat.tokens == ["token-1", "token-2"] and [t for t, _ in wechat.sent] == ["token-1", "token-2"]
    assert all(n.delivered_at for n in wechat_notes())
    # A secret the API refuses: no token at all, the notice fails and waits for the next sweep.
    cache.delete(TOKEN_CACHE_KEY)
    from django.conf import settings

    settings.WECHAT_APP_SECRET = "wrong"
    report(wechat_owner, place["units"][0], description="门窗漏风")
    deliver_pending()
    failed = wechat_notes().filter(delivered_at__isnull=True).get()
    assert "40125" in failed.last_error and failed.attempts == 1


def test_without_the_setting_no_wechat_copy_is_made(client, place, owner_login, settings):
    settings.WECHAT_ENABLED = False
    owner_login(0)
    OwnerAccount.objects.filter(phone=place["owners"][0].phone).update(wechat_openid=OPENID)
    client.post("/m/me/messages/", {"accepted-wechat": "on", "accepted-sms": "on"})
    report(client, place["units"][0])
    assert not wechat_notes().exists()
    assert "微信" not in client.get("/m/me/messages/").content.decode()
