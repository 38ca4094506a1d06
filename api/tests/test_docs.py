"""What the sales system's programmers read, the served schema and its guide, says what the API
does: every operation its own description and its error answers, every parameter what it takes,
and the guide's webhook check works on a real delivery and refuses what it should."""
import json
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from api.schema import VERIFY_SAMPLE

from .test_webhooks import Receiver, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_has_its_own_description_its_errors_and_described_parameters(schema):
    """The case and overdue details showed a code comment ("Every API view: token only
    (LoginRequiredMiddleware is for the staff's pages)"), the bulk calls named a module, no
    operation documented an error, and the filters were bare strings."""
    for name, operation in _operations(schema):
        assert operation.get("description"), name
        assert "LoginRequiredMiddleware" not in operation["description"] and "api.upsert" not in operation["description"]
        assert {"401", "429"} <= set(operation["responses"]), name
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), f"{name} {parameter['name']}"
    bulk = schema["paths"]["/api/v1/units/bulk/"]["post"]
    assert {"200", "400", "401", "403", "409", "413", "415", "422", "429"} == set(bulk["responses"])
    assert "409" in next(p for p in bulk["parameters"] if p["name"] == "Idempotency-Key")["description"]
    cases = {p["name"]: p for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    assert "registered" in cases["state"]["schema"]["enum"] and cases["received_from"]["schema"]["format"] == "date"
    assert cases["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}
    assert "`id`" in cases["project"]["description"]


def _examples(operation, code):
    return [example["value"] for example in
            operation["responses"][code]["content"]["application/json"]["examples"].values()]


def test_each_operation_shows_its_own_error_answers_and_the_closeout_date_rule(schema):
    """Every operation showed one set of examples: the close-out's 400 was a page_size, its 404 a
    case ("找不到 id 为 7 的案件"), a bulk call's 400 a page_size, a list's 404 a case (it is an
    altered cursor); 413 and 415 were in the guide only, and the close-out's date had no rule."""
    paths = schema["paths"]
    closeout = paths["/api/v1/projects/{external_id}/closeout/"]["put"]
    assert {"closeout_date"} <= {key for value in _examples(closeout, "400") for key in value}
    assert all("page_size" not in value for value in _examples(closeout, "400"))
    assert _examples(closeout, "404") == [{"detail": "找不到外部编号为 P-9 的项目。"}]
    assert "2000-01-01" in closeout["description"] and "415" in closeout["responses"]
    field = schema["components"]["schemas"]["CloseoutInRequest"]["properties"]["closeout_date"]
    assert "2000-01-01" in field["description"] and "one year after today" in field["description"]
    bulk = paths["/api/v1/units/bulk/"]["post"]
    assert {"records": ["请提供记录列表 records。"]} in _examples(bulk, "400")
    assert all("page_size" not in value for value in _examples(bulk, "400"))
    assert "请求体超过" in _examples(bulk, "413")[0]["detail"] and _examples(bulk, "415")
    for path in ("/api/v1/cases/", "/api/v1/units/", "/api/v1/surveys/"):
        assert _examples(paths[path]["get"], "404") == [{"detail": "无效游标"}], path
    assert _examples(paths["/api/v1/cases/{id}/"]["get"], "404") == [{"detail": "找不到 id 为 7 的案件。"}]
    unit = schema["components"]["schemas"]["UnitInRequest"]["properties"]["delivery_date"]
    assert "1980-01-01" in unit["description"]
    assert "1980-01-01" in schema["info"]["description"] and "stays in its project" in schema["info"]["description"]


def test_the_guide_documents_errors_idempotency_pages_and_every_webhook_event(schema):
    from crm.events import EVENT_TYPES

    guide = schema["info"]["description"]
    for heading in ("## Access", "## Idempotency", "## Errors", "## Pages", "## Webhooks"):
        assert heading in guide
    for event in EVENT_TYPES:
        assert f"`{event}`" in guide
    for header in ("X-CRM-Event", "X-CRM-Delivery", "X-CRM-Timestamp", "X-CRM-Signature", "Idempotent-Replayed"):
        assert header in guide
    assert VERIFY_SAMPLE in guide


def test_the_readme_shows_the_guides_webhook_check():
    assert VERIFY_SAMPLE in (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")


def test_the_guides_webhook_check_accepts_a_delivery_and_refuses_a_tampered_replayed_or_malformed_one(
        system, two_projects, register_case, schema, django_capture_on_commit_callbacks):
    """The README's check raised KeyError on a request without the headers, ValueError on a
    timestamp that is not a number (a receiver answered 500 to any stranger), and TypeError on a
    signature with a non-ASCII character."""
    code = re.search(r"```python\n(.*?)```", schema["info"]["description"], re.S).group(1)
    namespace = {}
    exec(code, namespace)  # noqa: S102 - the documented function, as a receiver would paste it
    verify = namespace["verify"]
    caller = system(projects=[two_projects["lake"]["project"]])
    with Receiver() as receiver:
        subscribe(caller, receiver.url, ["case.created"], secret="s3cret")
        with django_capture_on_commit_callbacks(execute=True):
            register_case(two_projects["lake"])
    [(headers, body)] = receiver.received
    assert verify("s3cret", headers, body) is True
    assert verify("other", headers, body) is False
    assert verify("s3cret", headers, body.replace(b'"case.created"', b'"case.closed"')) is False
    stale = str(int(time.time()) - 301)
    from api.outbox import sign

    replayed = {"X-CRM-Timestamp": stale, "X-CRM-Signature": sign("s3cret", stale, body)}  # a correct old signature
    assert verify("s3cret", replayed, body) is False
    for broken in ({}, {"X-CRM-Timestamp": "abc", "X-CRM-Signature": "x"}, {"X-CRM-Timestamp": "١٢٣"},
                   {"X-CRM-Timestamp": headers["X-CRM-Timestamp"], "X-CRM-Signature": "sha256=é"}):
        assert verify("s3cret", broken, body) is False


def test_the_pages_and_the_customers_read_back_are_described_as_they_are(schema):
    """The page links' examples were DRF's (http://api.example.org/accounts/?cursor=cD00ODY%3D" with
    a stray quote), and the customers' read-back said "or adopted by their natural key" while the
    guide says customers are matched by external id only."""
    page = schema["components"]["schemas"]["PaginatedCaseList"]
    assert page["required"] == ["next", "previous", "results"]
    assert "/api/v1/" in page["properties"]["next"]["example"] and "accounts" not in json.dumps(schema)
    assert "null" in page["properties"]["next"]["description"]
    customers = schema["paths"]["/api/v1/customers/"]["get"]["description"]
    assert "natural key" not in customers
    assert "natural key" in schema["paths"]["/api/v1/units/"]["get"]["description"]


def _integers(node, path=""):
    """Every integer of the schema document, with where it is."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            yield path, node
        for key, value in node.items():
            yield from _integers(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _integers(value, f"{path}/{i}")


def test_satisfaction_and_scores_are_1_to_5_in_the_schema_not_any_integer(schema):
    """A return visit's satisfaction and a survey's scores are 1 to 5 (DOMAIN, the return visit's
    and the survey's services); the schema said integer 0 … 2⁶³−1, as of the column."""
    components = schema["components"]["schemas"]
    for name, field in (("Case", "satisfaction"), ("ReturnVisit", "satisfaction"), ("Score", "score")):
        prop = components[name]["properties"][field]
        assert (prop["type"], prop["minimum"], prop["maximum"]) == ("integer", 1, 5), (name, prop)
    assert components["Case"]["properties"]["satisfaction"]["nullable"] is True  # none before the visit
    assert "nullable" not in components["ReturnVisit"]["properties"]["satisfaction"]


def test_no_integer_of_the_schema_has_a_column_types_64_bit_bounds(schema):
    """drf-spectacular gave a positive column 0 … 2⁶³−1 (satisfaction, score, periods) and a small
    one −2⁶³ … 2⁶³−1 (a unit's floor read back): a bound no value has, where the real one is
    the domain's or none."""
    wide = [path for path, node in _integers(schema)
            if abs(node.get("maximum", 0)) > 2**31 or abs(node.get("minimum", 0)) > 2**31]
    assert wide == []


def test_a_bulk_calls_counts_and_a_clients_scopes_are_fixed_sets_in_the_schema(schema):
    """counts was "an object of integers" and scopes "strings": each is a fixed set."""
    components = schema["components"]["schemas"]
    counts = components["UpsertResponse"]["properties"]["counts"]
    counts = components[counts["allOf"][0]["$ref"].rsplit("/", 1)[1]]
    assert sorted(counts["required"]) == sorted(counts["properties"]) == ["created", "error", "unchanged", "updated"]
    assert all(p == {"type": "integer", "minimum": 0} for p in counts["properties"].values())
    scopes = components["ClientOut"]["properties"]["scopes"]["items"]
    enum = components[scopes["$ref"].rsplit("/", 1)[1]]["enum"]
    assert "cases:read" in enum and "customers:write" in enum and len(enum) == 18
    assert components["CloseoutOut"]["properties"]["cases_handed_over"]["minimum"] == 0
