"""No button label breaks over lines, on any page of any role, at 1440 and 1024 px.

The page list is built from the URL conf: every named page is either visited (with real ids
from the demo data, see ``PAGE_ARGS``) or listed in ``NOT_PAGES`` with the reason it is not a
page (a POST endpoint, a download). A page added later without an entry fails the test, so it
cannot be forgotten. Which role opens which page comes from the permission matrix
(crm/tests/test_permission_matrix.py): a role visits the pages it is allowed; one that is still
refused (a record outside its scope, a step not its own) is simply not its page.

Fast: one browser, one login per role, static files fetched once for the whole run, and each
page loaded once and measured at both widths (resizing re-lays it out without a reload). Where a
page has several variants (a record per state), every role opens the first variant it may open
and the administrator opens them all: a superuser is offered every step any role could take on a
record, so its pages carry the most buttons, the most crowded case of each layout.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from crm.roles import PORTAL_ROLES, Role

STAFF_ROLES = [r for r in Role.values if r not in PORTAL_ROLES]  # who signs in with a password
from crm.tests.test_permission_matrix import COLUMNS, MATRIX

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1440, 1024)
APPS = ("crm", "owners", "complaints", "property_liaison", "mortgage", "clubs")
SCREENSHOTS = os.environ.get("CRM_LAYOUT_SCREENSHOTS")  # a folder: keep a picture of each page

# Not pages: a POST endpoint answers 405 to GET; a download is not HTML.
NOT_PAGES = {
    "health": "health check, not HTML",
    "set_language": "POST endpoint",
    "logout": "POST endpoint",
    "login": "visited by the login itself",
    "crm:notification_read": "POST endpoint", "crm:notification_read_all": "POST endpoint",
    "crm:export_register": "starts a download", "crm:export_download": "file download",
    "owners:preference_edit": "POST endpoint", "owners:unit_document_add": "POST endpoint",
    "owners:document_scan": "file download", "owners:access_request_decide": "POST endpoint",
    "owners:greeting_mark": "POST endpoint",
    "complaints:attach": "POST endpoint", "complaints:link_event": "POST endpoint",
    "complaints:owner_reply": "POST endpoint",
    # The owner portal's pages: owners only (no password login), measured at phone widths by
    # portal/tests/test_browser.py.
    **{f"portal:{n}": "owner portal" for n in (
        "home", "login", "login_code", "logout", "report", "case_list", "case", "case_act", "photo", "privacy", "me",
        "correction", "inbox", "message", "club", "forum_signup", "similar", "channels", "club_apply")},
    "complaints:attachment": "file download", "complaints:clock": "POST endpoint",
    "property_liaison:action_item_act": "POST endpoint", "property_liaison:cadence_set": "POST endpoint",
    "property_liaison:rectification_act": "POST endpoint", "property_liaison:committee_act": "POST endpoint",
    "property_liaison:repair_act": "POST endpoint", "property_liaison:attachment": "file download",
    "mortgage:certificate_bulk_create": "POST endpoint", "mortgage:certificate_advance": "POST endpoint",
    "mortgage:certificate_chase": "POST endpoint", "mortgage:agreement_action": "POST endpoint",
    "mortgage:overdue_confirm": "POST endpoint", "mortgage:overdue_reminder": "POST endpoint",
    "mortgage:overdue_handover": "POST endpoint", "mortgage:litigation_advance": "POST endpoint",
    "mortgage:litigation_file": "file download",
    "clubs:forum_act": "POST endpoint", "clubs:checklist_toggle": "POST endpoint",
    "clubs:opinion_to_case": "POST endpoint", "clubs:club_act": "POST endpoint", "clubs:member_act": "POST endpoint",
    "clubs:improvement_done": "POST endpoint", "clubs:activity_photo": "file download",
    "clubs:activity_act": "POST endpoint",
    "api:schema": "OpenAPI document, not HTML",
    "api:docs": "the API's Swagger UI (its own layout, in English)",
    "api:redoc": "the API's Redoc (its own layout, in English)",
    **{f"api:{name}": "JSON endpoint for other systems (bearer token)" for name in (
        "me", "case_list", "case_detail", "return_visit_list", "survey_list", "overdue_list", "overdue_detail",
        "closeout", "projects_bulk", "buildings_bulk", "units_bulk", "customers_bulk", "ownerships_bulk",
        "projects_list", "buildings_list", "units_list", "customers_list", "ownerships_list", "not_found")},
}


def _one_per(qs, field: str, limit: int = 30) -> list[int]:
    """One id per distinct value of ``field`` (a state, a stage): every layout a record can have."""
    seen, ids = set(), []
    for pk, value in qs.order_by("pk").values_list("pk", field):
        if value not in seen:
            seen.add(value)
            ids.append(pk)
    return ids[:limit]


def _complaint_pages():
    from complaints.models import Complaint

    return [{"pk": pk} for pk in _one_per(Complaint.objects.all(), "state")]


def _complaint_actions():
    """One action form page per form (several steps share a form), on a case in that step."""
    from complaints.models import Complaint
    from complaints.views import ACTIONS

    seen, out = set(), []
    for case in Complaint.objects.order_by("pk"):
        for t in case.workflow.transitions:
            form_class = ACTIONS[t.name][0]
            if case.state in t.sources and form_class not in seen:
                seen.add(form_class)
                out.append({"pk": case.pk, "name": t.name})
    return out


def _ids(model_path: str, field: str | None = None, kw: str = "pk"):
    def build():
        from django.apps import apps

        model = apps.get_model(model_path)
        ids = _one_per(model.objects.all(), field) if field else list(
            model.objects.order_by("pk").values_list("pk", flat=True)[:1])
        return [{kw: pk} for pk in ids]

    return build


def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)


def _projects(kw: str):
    def build():
        from owners.models import Project

        return [{kw: pk} for pk in Project.objects.order_by("pk").values_list("pk", flat=True)[:1]]

    return build


def _activities_new():
    from clubs.models import Club

    return [{"club_pk": pk} for pk in Club.objects.order_by("pk").values_list("pk", flat=True)[:1]]


# Pages with arguments: which real records to open (one per state where the state changes the page).
PAGE_ARGS = {
    "crm:export_detail": lambda: [{"pk": pk} for pk in _model("crm.ExportJob").objects.values_list("pk", flat=True)],
    "owners:customer_detail": _ids("owners.Customer", "stage"),
    "owners:customer_edit": _ids("owners.Customer"),
    "owners:preference_open": _ids("owners.Customer"),
    "owners:contact_create": _ids("owners.Customer"),
    "owners:visit_create": _ids("owners.Customer"),
    "owners:survey_create": _ids("owners.Customer"),
    "owners:unit_detail": _ids("owners.Unit"),
    "complaints:detail": _complaint_pages,
    "complaints:print": lambda: _ids("complaints.Complaint", "kind")()[:2],
    "complaints:act": _complaint_actions,
    "property_liaison:meeting_detail": _ids("property_liaison.CoordinationMeeting"),
    "property_liaison:meeting_print": _ids("property_liaison.CoordinationMeeting"),
    "property_liaison:action_item_detail": _ids("property_liaison.ActionItem", "status"),
    "property_liaison:inspection_detail": _ids("property_liaison.Inspection"),
    "property_liaison:inspection_print": _ids("property_liaison.Inspection"),
    "property_liaison:rectification_detail": _ids("property_liaison.Rectification", "status"),
    "property_liaison:committee_detail": _projects("project_pk"),
    "property_liaison:repair_detail": _ids("property_liaison.RepairRequest", "status"),
    "mortgage:certificate_detail": _ids("mortgage.TitleCertificateCase", "stage"),
    "mortgage:agent_edit": _ids("mortgage.AgentCompany"),
    "mortgage:agreement_edit": _ids("mortgage.AgencyAgreement", "status"),
    "mortgage:agreement_detail": _ids("mortgage.AgencyAgreement", "status"),
    "mortgage:overdue_preview": _ids("mortgage.OverdueUpload", "status"),
    "mortgage:overdue_detail": _ids("mortgage.OverdueRecord", "status"),
    "mortgage:overdue_letter": _ids("mortgage.OverdueRecord"),
    "mortgage:litigation_detail": _ids("mortgage.LitigationCase", "stage"),
    "clubs:forum_detail": _ids("clubs.OwnerForum", "status"),
    "clubs:forum_edit": _ids("clubs.OwnerForum", "status"),
    "clubs:forum_print": _ids("clubs.OwnerForum"),
    "clubs:forum_participants": _ids("clubs.OwnerForum"),
    "clubs:club_detail": _ids("clubs.Club", "status"),
    "clubs:club_edit": _ids("clubs.Club", "status"),
    "clubs:activity_create": _activities_new,
    "clubs:member_detail": _ids("clubs.ClubMember", "status"),
    "clubs:activity_detail": _ids("clubs.ClubActivity", "status"),
    "clubs:activity_edit": _ids("clubs.ClubActivity", "status"),
    "clubs:activity_print": _ids("clubs.ClubActivity"),
}


def _named_patterns(patterns=None, namespace=""):
    """(name, takes_arguments) of every named URL of our apps."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns == "admin":
                continue  # Django's own admin pages
            yield from _named_patterns(entry.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", bool(entry.pattern.converters) or bool(entry.default_args)


# Pages that are several pages: the tabs of the customer page (each its own page, for every role).
EXTRA_QUERIES = {"owners:customer_detail": [f"?tab={t}" for t in (
    "units", "documents", "preferences", "contacts", "cases", "history")]}


def _allowed(name: str, role: str) -> bool:
    """The matrix says the role opens this page (A), or opens it for its own projects (S)."""
    cell = MATRIX[name.split("?")[0]].split()[COLUMNS.index(role)]
    return cell in ("A", "S", "SA")


def page_urls() -> dict[str, list[tuple[str, list[str]]]]:
    """{role: [(page name, its variant URLs)] for the pages the role may open}."""
    by_name, missing = {}, []
    for name, has_args in _named_patterns():
        if name in NOT_PAGES:
            continue
        if not has_args or name in ("clubs:activity_records", "clubs:activity_record_print"):
            urls = [reverse(name)]  # (those two have fixed extra arguments only)
        elif name in PAGE_ARGS:
            urls = [reverse(name, kwargs=kwargs) for kwargs in PAGE_ARGS[name]()]
        else:
            missing.append(name)
            continue
        by_name[name] = urls
        by_name.update({f"{name}{q}": [urls[0] + q] for q in EXTRA_QUERIES.get(name, ()) if urls})
    assert not missing, f"pages without an entry in PAGE_ARGS or NOT_PAGES: {missing}"
    return {role: [(name, urls) for name, urls in by_name.items() if _allowed(name, role)] for role in COLUMNS}


# Every visible button or link-button whose label takes more than one line.
WRAPPED_LABELS_JS = """
async () => {
  await document.fonts.ready;  // the icon font changes widths once loaded
  const lines = (el) => {
    const style = getComputedStyle(el);
    const lh = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
    if (el.tagName === "INPUT") {
      const inner = el.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
      return Math.round(inner / lh);
    }
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0)
      .map(r => r.top).sort((a, b) => a - b);
    let count = 0, last = -Infinity;
    for (const top of tops) { if (top - last > lh / 2) { count++; last = top; } }
    return count;
  };
  const out = [];
  for (const el of document.querySelectorAll(".btn, button, input[type=submit], input[type=button]")) {
    const rect = el.getBoundingClientRect();
    if (!rect.width || !rect.height || getComputedStyle(el).visibility === "hidden") continue;
    const label = (el.tagName === "INPUT" ? el.value : el.innerText).trim().replace(/\\s+/g, " ");
    if (!label) continue;
    const n = lines(el);
    if (n > 1) out.push(`«${label}» ${n} lines, ${Math.round(rect.width)}px wide`);
  }
  return out;
}
"""


def _serve_static_from_memory(context, cache: dict) -> None:
    """Fetch each static file once for the whole module: the pages differ, their assets do not."""

    def handle(route):
        url = route.request.url
        if url not in cache:
            response = route.fetch()
            cache[url] = {"status": response.status, "headers": response.headers, "body": response.body()}
        route.fulfill(**cache[url])

    context.route("**/static/**", handle)


def _complete_the_demo():
    """What the demo lacks for a page to have a record: a club plan in draft (the demo's club is
    founded) and an export in progress for each user (their own only)."""
    from django.contrib.auth import get_user_model

    from clubs import services
    from crm.models import ExportJob
    from owners.models import Project

    users = get_user_model().objects.filter(username__in=Role.values)
    services.club_create(user=users.get(username="cs_staff"), name="版面测试会",
                         project=Project.objects.order_by("pk").first(), founding_plan="草稿方案")
    ExportJob.objects.bulk_create([ExportJob(user=user, register="complaints") for user in users])


def _open(page, url) -> bool:
    """Load ``url``; False when it is not this role's page after all (another project's record,
    a step the record has moved past)."""
    response = page.goto(url, wait_until="domcontentloaded")
    return response is not None and response.status == 200 and page.url.endswith(url)


def _wrapped_labels(page, where: str) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"{where} @{width}px: {p}" for p in page.evaluate(WRAPPED_LABELS_JS)]
        if SCREENSHOTS:
            shot = f"{where.replace('/', '_').replace('?', '_').replace(' ', '')}{width}.png"
            page.screenshot(path=str(Path(SCREENSHOTS) / shot), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    return problems


def _log_in(browser, live_server, role, static):
    from crm.demo import DEMO_PASSWORD

    context = browser.new_context(locale="zh-CN", viewport={"width": WIDTHS[0], "height": 900},
                                  base_url=live_server.url)
    context.set_default_timeout(15000)
    _serve_static_from_memory(context, static)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", role)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page


def test_no_button_label_wraps_on_any_page_of_any_role(demo, browser, live_server):
    _complete_the_demo()
    pages = page_urls()
    problems, static, csp, seen, visited = [], {}, [], set(), {}
    for role in STAFF_ROLES:  # the owner portal's pages have their own browser test (portal/tests)
        context, page = _log_in(browser, live_server, role, static)
        page.on("console", lambda msg, role=role, page=page: csp.append(f"{role} {page.url}: {msg.text}")
                if "Content Security Policy" in msg.text else None)
        visited[role] = 0
        for name, variants in pages[role]:
            for url in variants:
                if not _open(page, url):
                    continue
                visited[role] += 1
                seen.add(name)
                problems += _wrapped_labels(page, f"{role} {url}")
                if role != Role.ADMIN:
                    break  # the administrator opens every variant; another role, its first
        context.close()
    # Every page was looked at by some role, and every role saw pages of its own: a harness that
    # silently visits nothing proves nothing.
    assert all(visited.values()), visited
    unseen = {name for listed in pages.values() for name, _ in listed} - seen
    assert not unseen, f"pages no role could open with the demo data: {sorted(unseen)}"
    assert not problems, "button labels that wrap:\n" + "\n".join(problems)
    assert not csp, f"Content Security Policy violations: {csp[:3]}"
