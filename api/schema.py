"""OpenAPI (drf-spectacular): the bearer token as the schema's security scheme, the guide at the
top of the schema (what the sales system's programmers read: they never see this code), the
error answers every operation documents, and the served schema's own settings."""
from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.BearerAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": (  # i18n: data (the API's docs, in English)
            "`Authorization: Bearer <token>`. The token is issued by the company's administrator "
            "(admin › 系统接入 › 接入系统: saving a new client shows it once; 重新生成令牌 replaces it).")}


# A receiver's check of a webhook, as the guide shows it; the tests run this very text.
VERIFY_SAMPLE = '''\
import hashlib, hmac, time

def verify(secret: str, headers, body: bytes, tolerance: int = 300) -> bool:
    """True if the request was signed with the subscription's secret in the last 5 minutes.
    `headers`: the request's headers (case-insensitive); `body`: the raw bytes, before parsing."""
    timestamp = headers.get("X-CRM-Timestamp") or ""
    signature = headers.get("X-CRM-Signature") or ""
    if not (timestamp.isascii() and timestamp.isdigit()) or abs(time.time() - int(timestamp)) > tolerance:
        return False  # missing, malformed, or too old: a replayed request
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode())
'''

GUIDE = (  # i18n: data (the API's guide, in English; it names the Chinese screens and quotes answers)
    f"""\
For the sales system (《销售工作流程》) and other systems: master data in by your own external ids,
the close-out hand-over (封盘交接), cases and records out, and signed webhooks of what happens here.
Messages are in Chinese.

## Access
The company's administrator creates your client in admin › 系统接入 › 接入系统: its `source` (the
namespace of your external ids, e.g. `sales`), its scopes (per resource, `read` or `write`; write
includes read), its projects (or all) and its rate limit per minute. The token is shown once.
Send it on every call: `Authorization: Bearer <token>`. `GET /api/v1/me/` says who you are.
Too many calls in a minute: `429` with a `Retry-After` header (seconds).

## Master data: order, external ids, read back
Send parents before children: projects → buildings → units → customers → ownerships; a child names its
parent by the parent's external id (a unit its `building`, an ownership its `customer` and `unit`).
`POST /api/v1/<resource>/bulk/` takes `{{"records": [...], "all_or_nothing": false}}`, at most 1,000 records.
The answer has one result per record, **in the order sent**: `created`, `updated`, `unchanged`, or `error`
with the `field` and a Chinese `message` (a field the resource does not have is an error too).
A field left out keeps its stored value (a new record gets the default); `null` clears a date, a floor or an
optional text (as `""` does); a menu that has a default (`stage`, `source`, `kind`) takes no `null`: leave it out.
Without `all_or_nothing` the good records are written and the answer is `200` even if some failed
(check `counts.error`); with `"all_or_nothing": true` one failure writes nothing and the answer is `422`.
Dates are days written `YYYY-MM-DD` (`2026-06-30`, not `2026-6-30` nor `20260630`), from 1980-01-01 to ten
years after today. A building, unit or customer already here stays in its project: one sent under another
project is an `error` (its units, ownerships and cases are recorded there; the office moves it).
A record already here without an external id and with the same natural key (a project's code or name,
a building's project and name, a unit's building and number, an ownership's customer, unit and kind) is
adopted: it gets your id. Customers are matched by external id only; a new customer, or a changed `phone` or
`id_number`, with another customer's mobile phone or ID number (or another record's of the call) is an `error`
naming that customer's `code`, as the staff's form asks to confirm: once checked, send the record again with
`"confirm_duplicate": true`.
Only a client of every project creates projects.
`GET /api/v1/<resource>/?external_id=A&external_id=B` reads back what you sent, as stored
(a customer's `code`, phones as normalised here).

## Idempotency
Send `Idempotency-Key: <a new UUID per request>` (at most 100 characters) with a bulk call, and send the
same key again when you retry it (a timeout, a lost connection): once a call with the key has run, you
get its answer again (`200` or `422` alike), with `Idempotent-Replayed: true`, and nothing runs twice; a
call refused before it ran (`400`, `413`) keeps no key. The same key with another body, or on another
endpoint, is a `409`. A key is kept 30 days (the office's rule `api.idempotency_keep_days` may say
otherwise): never reuse one for a new request; a retry after that runs again (the same records then
answer `unchanged`).

## Errors
Every error is JSON: `{{"detail": "…"}}`, or for bad input `{{"<field>": ["…"]}}`.
`400` bad input (a body that is not JSON, a filter, `page_size`, `all_or_nothing`, the record list, a close-out date) ·
`401` no or wrong token · `403` the resource is not in your scopes · `404` not found, or not in your
projects (also an address this API does not have: every address ends with `/`) · `405` wrong method ·
`409` Idempotency-Key reused · `413` a body over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20} MB ·
`415` a body that is not `application/json` · `422` all-or-nothing failed · `429` rate limit.

## Pages
Lists are newest first, in cursor pages: follow `next` until it is `null`. `page_size` 1 to 200
(default 50).

## Webhooks
The administrator subscribes a URL of yours, with a secret, to some of these events (only those of
your projects are sent):

| event | `data` |
|---|---|
| `case.created`, `case.classified`, `case.closed`, `return_visit.recorded` | `id`, `number`, `kind`, `state`, `visit_state`, `valid`, `severity`, `project`, `satisfaction` (as in `GET /api/v1/cases/{{id}}/`) |
| `customer.changed` | `id`, `code`, `external_id`, `change` (`created` or `updated`; your own bulk writes too) |
| `overdue.litigation_required` | `id`, `loan`, `customer`, `amount` (a string), `overdue_since`, `reason` |
| `certificate.issued` | `id`, `unit`, `customer`, `certificate_number`, `certificate_date` |

Each is a `POST` of `{{"id", "type", "occurred_at", "data"}}` (JSON, UTF-8) with the headers
`X-CRM-Event` (the type), `X-CRM-Delivery` (the event's id: the same on every retry and on a replay by the
administrator, so drop one you already have), `X-CRM-Timestamp` (Unix seconds of this try) and
`X-CRM-Signature`: `sha256=` and the hex HMAC-SHA256, with your secret, of the timestamp, a `.` and the raw
body. Answer `2xx` within 10 seconds; anything else is tried again after 30 s, 1, 2, 4 … minutes (at most an
hour apart) until 24 hours after the event. Check the signature on the raw body before parsing it:

```python
{VERIFY_SAMPLE}```
""")

# The served schema's own settings (SpectacularAPIView.custom_settings), over SPECTACULAR_SETTINGS.
SCHEMA_SETTINGS = {
    "DESCRIPTION": GUIDE,
}


def _error(description: str, *examples: tuple[str, dict]) -> OpenApiResponse:
    from .serializers import ErrorOut

    return OpenApiResponse(ErrorOut, description=description, examples=[
        OpenApiExample(name, value=value, response_only=True) for name, value in examples])


ERRORS = {  # i18n: data (examples of the answers, as the API gives them)
    400: _error("Bad input: `detail`, or the fields and their messages.",
                ("field", {"page_size": ["page_size 应为 1 到 200 之间的整数。"]}),
                ("body", {"detail": "请求体不是有效的 JSON：第 1 行第 14 列有误。"})),
    401: _error("No token, or a wrong or disabled one.", ("token", {"detail": "令牌无效或接入系统已停用。"})),
    403: _error("The resource is not in the client's scopes.", ("scope", {"detail": "该接入系统没有此资源的权限。"})),
    404: _error("Not found, or not in the client's projects.", ("not found", {"detail": "找不到 id 为 7 的案件。"})),
    409: _error("The Idempotency-Key was used for another request.",
                ("reused", {"detail": "该 Idempotency-Key 已用于另一个请求。"})),
    413: _error(f"A body over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20} MB: send the records in smaller calls.",
                ("too large", {"detail": f"请求体超过 {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20} MB，请分批发送"
                                         "（每次最多 1,000 条记录）。"})),
    415: _error("A body that is not `Content-Type: application/json`.",
                ("media type", {"detail": "不支持请求中的媒体类型 “text/plain”。"})),
    429: _error("Too many calls this minute; see the Retry-After header.",
                ("throttled", {"detail": "请求已被限流。 预计 60 秒后可用。"})),
}

# An operation's own answers where the shared example would mislead: a list's 404 is an altered
# cursor (the shared one was a case's), a bulk call's 400 is its body (it showed page_size), the
# close-out's are its date and its project.
LIST_404 = _error(  # i18n: data (examples of the answers, as the API gives them)
    "A `cursor` that was altered (follow `next` as given).", ("cursor", {"detail": "无效游标"}))
BULK_400 = _error(  # i18n: data
    "The body, before any record is read (nothing is written and an Idempotency-Key is not kept): not JSON, "
    "`records` missing or not a list or over 1,000, `all_or_nothing` not a JSON boolean, another key, an "
    "Idempotency-Key over 100 characters. A bad record is not a 400: it is an `error` result in the 200/422.",
    ("records", {"records": ["请提供记录列表 records。"]}),
    ("another key", {"allOrNothing": ["未知字段；请求体只有 records 和 all_or_nothing。"]}),
    ("all_or_nothing", {"all_or_nothing": ["all_or_nothing 应为 true 或 false（JSON 布尔值）。"]}),
    ("body", {"detail": "请求体不是有效的 JSON：第 1 行第 14 列有误。"}))
CLOSEOUT_400 = _error(  # i18n: data
    "`closeout_date` missing, not a day written YYYY-MM-DD, or out of 2000-01-01 … one year after today; "
    "or another field. Nothing is recorded and no case moves.",
    ("out of range", {"closeout_date": ["封盘交接日期应在 2000-01-01 到 2027-12-07（一年后）之间：到了这一天，"
                                        "项目部的未结案件即转至客户事务部。"]}),
    ("format", {"closeout_date": ["应为存在的日期，格式 YYYY-MM-DD，如 2026-06-30。"]}),
    ("another field", {"reason": ["未知字段；请求体只有 closeout_date。"]}),
    ("body", {"detail": "请求体不是有效的 JSON：第 1 行第 14 列有误。"}))
CLOSEOUT_404 = _error(  # i18n: data
    "No project of yours has this external id (or it is not in your projects).",
    ("project", {"detail": "找不到外部编号为 P-9 的项目。"}))


def errors(*codes: int, own: dict | None = None) -> dict:
    """The error answers of an operation: these, and those every call may get (401, 403, 429);
    ``own`` replaces the shared answer of a code with the operation's own."""
    return {code: (own or {}).get(code, ERRORS.get(code)) for code in sorted({*codes, *(own or {}), 401, 403, 429})}
