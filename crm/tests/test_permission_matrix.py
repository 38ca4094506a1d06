"""The permission matrix: every named URL of our apps × every role → allowed, denied or scoped.

One table (``MATRIX``, in permission_matrix_table.py) says, for each URL pattern name, what each of the ten roles gets
when it opens that URL with a record it may see (filled from the demo data):

    A   allowed: the page answers 200
    R   allowed, but the page sends this role on (302) to a page of the same app — an action
        form whose step the record has moved past, or a POST-only action that redirects
        (a form for a step that is not this role's to take is a 403: D)
    P   allowed to post: the URL only accepts POST, so a GET answers 405
    S…  scoped (project_dept, property_company; every role for its own notifications and
        exports): as the letter after it for a record in its scope; a record of ANOTHER project
        or user reached by a guessed id is a 404, as if it did not exist
    D   denied: a friendly 403 or a 404 (for a POST-only URL, an empty POST is refused so)

A URL name that is not in the table fails the suite, so every new URL gets a row. The
demo data is loaded once for the module (inside a transaction rolled back at the end) and
each role's test loops over every URL, so the whole matrix runs in seconds, not minutes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from crm import caching
from crm.roles import Role
from crm.scopes import visible_projects

from .permission_matrix_table import MATRIX  # the table, one row per URL name

ROLES = [r.value for r in Role]
COLUMNS = ("front_desk", "cs_staff", "cs_supervisor", "manager", "project_dept", "finance", "legal",
           "property_company", "admin", "owner")
SCOPED_ROLES = {"project_dept", "property_company"}

# Named patterns that are not ours to test here, each with its reason.
EXCLUDED = {
    "admin:*": "the Django admin checks is_staff itself (tested in crm/tests/test_security.py)",
    "set_language": "i18n: Django's own language switch, open to everyone",
    "api:not_found": "any other address under /api/v1/: a JSON 404 for every caller, nothing behind it "
                     "(api/tests/test_reads.py: test_an_address_the_api_does_not_have_is_a_json_404_in_chinese)",
}
# Reachable without logging in (everything else sends an anonymous visitor to the login page).
PUBLIC = {"health", "login", "portal:login", "api:schema", "api:docs", "api:redoc"}
# The API (api/): other systems with a bearer token only. A visitor, and a staff session alike,
# get 401 from every endpoint (D in the table; test_a_staff_session_reaches_no_api_endpoint).
TOKEN_ONLY_PREFIX = "api:"
API_PAGES = {"api:reconciliation"}  # the API app's one staff page (a login, like every page)


def token_only(name: str) -> bool:
    return name.startswith(TOKEN_ONLY_PREFIX) and name not in PUBLIC and name not in API_PAGES



# --- How each URL's keyword arguments are filled from the demo data -------------------------------


@dataclass(frozen=True)
class Obj:
    """A record of ``model`` for a kwarg; ``project`` is the lookup of its project (None: not
    project-bound); ``where`` narrows to records that have what the page needs (a file…)."""

    model: str
    project: str | None = "project"
    where: tuple = ()
    own: str | None = None  # lookup that must equal the requesting user (notifications, exports)
    only: tuple = ()  # (lookup, value) pairs the in-scope record must match


@dataclass(frozen=True)
class Parent:
    """The value of another kwarg's record's attribute (a child's parent id)."""

    kwarg: str
    attr: str


CUSTOMER = Obj("owners.Customer")
COMPLAINT = Obj("complaints.Complaint")
PROJECT = Obj("owners.Project", project="pk")

KWARGS: dict[str, dict] = {
    "crm:notification_read": {"pk": Obj("crm.Notification", project=None, own="recipient")},
    "crm:export_detail": {"pk": Obj("crm.ExportJob", project=None, own="user")},
    "crm:export_download": {"pk": Obj("crm.ExportJob", project=None, own="user")},
    "crm:export_register": {"code": "complaints"},
    **{f"owners:{n}": {"pk": CUSTOMER} for n in (
        "customer_detail", "customer_edit", "preference_open", "preference_edit", "contact_create", "visit_create",
        "greeting_mark", "survey_create")},
    "owners:unit_detail": {"pk": Obj("owners.Unit")},
    "owners:unit_document_add": {"pk": Obj("owners.Unit")},
    "owners:document_scan": {"pk": Obj("owners.UnitDocument", "unit__project", where=(("scan", ""),))},
    "owners:access_request_decide": {"pk": Obj("owners.AccessRequest", "customer__project")},
    **{f"complaints:{n}": {"pk": COMPLAINT} for n in ("detail", "print", "attach", "link_event", "owner_reply")},
    "complaints:act": {"pk": COMPLAINT, "name": "transfer"},
    # An owner's own case and photo; staff are refused any (a 403 before the lookup).
    "portal:case": {"pk": Obj("complaints.Complaint", project=None, own="customer__owner_accounts__user")},
    "portal:case_act": {"pk": Obj("complaints.Complaint", project=None, own="customer__owner_accounts__user"),
                        "action": "chase"},
    # the forum open for sign-up that _complete_the_demo adds
    "portal:forum_signup": {"pk": Obj("clubs.OwnerForum", project=None, only=(("title", "业主端报名测试"),)),
                            "action": "join"},
    "portal:message": {"pk": Obj("crm.Notification", project=None, own="recipient")},
    # A club not yet founded: nobody may apply (an owner's applying is tested in portal/tests/test_club.py).
    "portal:club_apply": {"pk": Obj("clubs.Club", project=None, only=(("name", "江畔·华府会"),))},
    "portal:photo": {"pk": Obj("complaints.Attachment", project=None, own="uploaded_by")},
    "complaints:attachment": {"pk": Obj("complaints.Attachment", "complaint__project")},
    "complaints:clock": {"pk": Obj("complaints.SlaClock", "complaint__project"), "op": "pause"},
    "property_liaison:meeting_detail": {"pk": Obj("property_liaison.CoordinationMeeting")},
    "property_liaison:meeting_print": {"pk": Obj("property_liaison.CoordinationMeeting")},
    "property_liaison:action_item_detail": {"pk": Obj("property_liaison.ActionItem")},
    "property_liaison:action_item_act": {"pk": Obj("property_liaison.ActionItem"), "action": "verify"},
    "property_liaison:cadence_set": {"project_pk": PROJECT},
    "property_liaison:inspection_detail": {"pk": Obj("property_liaison.Inspection")},
    "property_liaison:inspection_print": {"pk": Obj("property_liaison.Inspection")},
    "property_liaison:rectification_detail": {"pk": Obj("property_liaison.Rectification")},
    "property_liaison:rectification_act": {"pk": Obj("property_liaison.Rectification"), "action": "verify"},
    "property_liaison:committee_detail": {"project_pk": PROJECT},
    "property_liaison:committee_act": {"project_pk": PROJECT, "action": "refresh"},
    "property_liaison:repair_detail": {"pk": Obj("property_liaison.RepairRequest")},
    "property_liaison:repair_act": {"pk": Obj("property_liaison.RepairRequest"), "action": "assign"},
    "property_liaison:attachment": {"kind": "repair",
                                    "pk": Obj("property_liaison.RepairRequest", where=(("photo", ""),))},
    "mortgage:certificate_detail": {"pk": Obj("mortgage.TitleCertificateCase")},
    "mortgage:certificate_chase": {"pk": Obj("mortgage.TitleCertificateCase")},
    "mortgage:certificate_advance": {"pk": Obj("mortgage.TitleCertificateCase"), "action": "submit"},
    "mortgage:agreement_detail": {"pk": Obj("mortgage.AgencyAgreement")},
    "mortgage:agreement_action": {"pk": Obj("mortgage.AgencyAgreement"), "action": "submit"},
    "mortgage:agreement_edit": {"pk": Obj("mortgage.AgencyAgreement", where=(
        ("status", "pending"), ("status", "active"), ("status", "ended")))},
    "mortgage:agent_edit": {"pk": Obj("mortgage.AgentCompany", project=None)},
    "mortgage:overdue_preview": {"pk": Obj("mortgage.OverdueUpload", project=None)},
    "mortgage:overdue_confirm": {"pk": Obj("mortgage.OverdueUpload", project=None)},
    **{f"mortgage:{n}": {"pk": Obj("mortgage.OverdueRecord")} for n in (
        "overdue_detail", "overdue_reminder", "overdue_letter", "overdue_handover")},
    "mortgage:litigation_detail": {"pk": Obj("mortgage.LitigationCase")},
    "mortgage:litigation_file": {"pk": Obj("mortgage.LitigationCase", where=(("contract_file", ""),)),
                                 "kind": "contract"},
    "mortgage:litigation_advance": {"pk": Obj("mortgage.LitigationCase"), "action": "file"},
    **{f"clubs:{n}": {"pk": Obj("clubs.OwnerForum")} for n in (
        "forum_detail", "forum_edit", "forum_print", "forum_participants")},
    "clubs:forum_act": {"pk": Obj("clubs.OwnerForum"), "action": "submit"},
    "clubs:checklist_toggle": {"item_pk": Obj("clubs.ForumChecklistItem", "forum__project"),
                               "pk": Parent("item_pk", "forum_id")},
    "clubs:opinion_to_case": {"opinion_pk": Obj("clubs.ForumOpinion", "forum__project"),
                              "pk": Parent("opinion_pk", "forum_id")},
    "clubs:club_detail": {"pk": Obj("clubs.Club")},
    # A plan is edited while a draft or rejected: the draft club that _complete_the_demo adds.
    "clubs:club_edit": {"pk": Obj("clubs.Club", where=(("status", "submitted"), ("status", "approved"),
                                                       ("status", "founded")))},
    "clubs:club_act": {"pk": Obj("clubs.Club"), "action": "submit"},
    "clubs:activity_create": {"club_pk": Obj("clubs.Club")},
    "clubs:member_detail": {"pk": Obj("clubs.ClubMember", "customer__project")},
    "clubs:member_act": {"pk": Obj("clubs.ClubMember", "customer__project"), "action": "earn"},
    **{f"clubs:{n}": {"pk": Obj("clubs.ClubActivity", "club__project")} for n in (
        "activity_detail", "activity_edit", "activity_print")},
    "clubs:activity_act": {"pk": Obj("clubs.ClubActivity", "club__project"), "action": "submit"},
    "clubs:activity_photo": {"photo_pk": Obj("clubs.ActivityPhoto", "activity__club__project"),
                             "pk": Parent("photo_pk", "activity_id")},
    "clubs:improvement_done": {"item_pk": Obj("clubs.ImprovementAction", "activity__club__project"),
                               "pk": Parent("item_pk", "activity_id")},
    "api:case_detail": {"pk": COMPLAINT},
    "api:overdue_detail": {"pk": Obj("mortgage.OverdueRecord")},
    "api:closeout": {"external_id": "P-1"},
}

# The empty POST of a POST-only URL, where the view needs a field before anything else.
POST_DATA = {"owners:greeting_mark": {"occasion": "birthday"}}

# Which record a role "owns" among those of its projects, where the scope is narrower than
# the project (a property company sees the complaints it forwarded; legal the cases handed to it).
IN_SCOPE = {
    ("complaints.Complaint", "property_company"): lambda user: {"forwarded_by_company": user.profile.property_company},
    ("complaints.Attachment", "property_company"):
        lambda user: {"complaint__forwarded_by_company": user.profile.property_company},
    ("mortgage.LitigationCase", "legal"): lambda user: {"assignee": user},
}


def url_names():
    """Every named URL pattern, namespaced, with its route, walking the resolver recursively."""
    found = {}

    def walk(patterns, namespace, prefix):
        for item in patterns:
            if isinstance(item, URLResolver):
                ns = ":".join(p for p in (namespace, item.namespace) if p) or None
                walk(item.url_patterns, ns, prefix + str(item.pattern))
            elif isinstance(item, URLPattern) and item.name:
                found[f"{namespace}:{item.name}" if namespace else item.name] = prefix + str(item.pattern)

    walk(get_resolver().url_patterns, None, "")
    return found


def names_in_the_table():
    return sorted(n for n in url_names() if n not in EXCLUDED and n.split(":")[0] + ":*" not in EXCLUDED)


def _records(spec: Obj, user, role, *, in_scope: bool):
    model = apps.get_model(spec.model)
    qs = model.objects.all()
    for field, empty in spec.where:
        qs = qs.exclude(**{field: empty}).exclude(**{f"{field}__isnull": True})
    if in_scope:
        qs = qs.filter(**dict(spec.only))
    if spec.own:
        if not in_scope:
            return qs.exclude(**{spec.own: user})
        mine = qs.filter(**{spec.own: user})
        return mine if mine.exists() else qs  # a role that owns none is still shown one, to be refused
    if spec.project is None:
        return qs
    projects = visible_projects(user)
    narrowed = IN_SCOPE.get((spec.model, role))
    if not in_scope:
        # another project's, or, where the role's scope is narrower, one outside it
        return qs.exclude(**narrowed(user)) if narrowed else qs.exclude(**{f"{spec.project}__in": projects})
    if narrowed:
        return qs.filter(**narrowed(user))
    mine = qs.filter(**{f"{spec.project}__in": projects})
    # A role that sees no project (legal) is still shown a record, to be refused.
    return mine if mine.exists() else qs


def url_for(name, user, role, *, in_scope=True):
    """The URL with its kwargs filled from the demo data; None when no such record exists."""
    spec = KWARGS.get(name, {})
    kwargs, records = {}, {}
    for key, value in spec.items():
        if isinstance(value, Obj):
            record = _records(value, user, role, in_scope=in_scope).order_by("pk").first()
            if record is None:
                return None
            records[key], kwargs[key] = record, record.pk
        elif not isinstance(value, Parent):
            kwargs[key] = value
    for key, value in spec.items():
        if isinstance(value, Parent):
            kwargs[key] = getattr(records[value.kwarg], value.attr)
    return reverse(name, kwargs=kwargs)


def is_project_bound(name):
    return any(isinstance(v, Obj) and v.project for v in KWARGS.get(name, {}).values())


# --- Fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def matrix_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data once for the whole module, rolled back when the module ends."""
    from crm.demo import load_all

    media = tmp_path_factory.mktemp("matrix_media")
    outer = transaction.atomic()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        outer.__enter__()
        try:
            cache.clear()  # a module's fixture runs before each test's own clearing (conftest.py)
            call_command("setup_roles", verbosity=0)
            load_all(lambda *_: None)
            _complete_the_demo()
            caching.settle()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield media
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _complete_the_demo():
    """What the demo lacks for a URL to have a record: a file behind every download URL, a
    notification and a finished export for every user, a case the property company forwarded,
    a lawsuit handed to another legal user."""
    from django.core.files.base import ContentFile

    from clubs import services as club_services
    from clubs.models import ActivityPhoto, ClubActivity
    from complaints import services as complaint_services
    from complaints.models import Attachment, Complaint
    from crm.models import ExportJob, Notification
    from mortgage.models import LitigationCase
    from owners.models import Project, Unit, UnitDocument
    from property_liaison.models import ActionItem, RepairRequest

    pdf, png = ContentFile(b"%PDF-1.4 matrix", "matrix.pdf"), ContentFile(b"\x89PNG\r\n\x1a\nmatrix", "m.png")
    users = {u.username: u for u in get_user_model().objects.filter(username__in=ROLES)}
    for user in users.values():
        ExportJob.objects.create(user=user, register="complaints", status=ExportJob.Status.DONE,
                                 file_name=f"matrix_{user.username}.xlsx")
        Notification.objects.create(recipient=user, title="矩阵测试", url="/")
    liaison = users["property_company"]
    forwarded = complaint_services.complaint_register(
        received_by=liaison, kind="complaint", channel="property", category="other", title="转交测试",
        description="物业转交", project=visible_projects(liaison).first(), complainant_name="业主",
        complainant_phone="13900000000", forwarded_by_company=liaison.profile.property_company)
    Attachment.objects.create(complaint=forwarded, file=pdf, name="matrix.pdf", size=pdf.size,
                              content_type="application/pdf", uploaded_by=liaison)
    for project in Project.objects.all():
        unit = Unit.objects.filter(project=project).first()
        if unit:
            UnitDocument.objects.update_or_create(unit=unit, kind=UnitDocument.Kind.values[0],
                                                  defaults={"received_on": dt.date(2026, 1, 5), "scan": pdf})
        repair = RepairRequest.objects.filter(project=project).first()
        if repair:
            repair.photo.save("matrix.png", png)
        case = Complaint.objects.filter(project=project).first()
        if case:
            Attachment.objects.create(complaint=case, file=pdf, name="matrix.pdf", size=pdf.size,
                                      content_type="application/pdf", uploaded_by=users["cs_staff"])
        activity = ClubActivity.objects.filter(club__project=project).first()
        if activity:
            ActivityPhoto.objects.create(activity=activity, image=png, uploaded_by=users["cs_staff"])
    # Every project gets an action item, so that a guessed id of another project's exists.
    item = ActionItem.objects.order_by("pk").first()
    for project in Project.objects.exclude(action_items__isnull=False):
        item.pk, item.id, item.project = None, None, project
        item.save()
    for case in LitigationCase.objects.all():
        case.contract_file.save("matrix.pdf", pdf)
    club_services.club_create(user=users["cs_staff"], name="矩阵测试会", project=Project.objects.first(),
                              founding_plan="草稿方案")
    from django.utils import timezone

    from clubs.models import OwnerForum

    soon = timezone.now() + dt.timedelta(days=30)
    forum = club_services.forum_create(user=users["cs_staff"], title="业主端报名测试", kind="general", purpose="矩阵",
                                       planned_at=soon, project=Project.objects.get(code="sunshine"),
                                       signup_deadline=soon - dt.timedelta(days=5))
    OwnerForum.objects.filter(pk=forum.pk).update(status=OwnerForum.Status.APPROVED)
    # A lawsuit handed to another legal user: legal's guess of a case not handed to it.
    from crm.models import StaffProfile

    colleague = get_user_model().objects.create_user(username="legal_colleague")
    StaffProfile.objects.create(user=colleague, role="legal")
    LitigationCase.objects.filter(pk=LitigationCase.objects.order_by("pk").last().pk).update(assignee=colleague)


# --- Tests ------------------------------------------------------------------------------------------


def test_every_named_url_has_a_row_in_the_matrix():
    names = names_in_the_table()
    missing = [n for n in names if n not in MATRIX]
    assert not missing, ("URL names missing from MATRIX in crm/tests/test_permission_matrix.py "
                         f"(add a row for each): {', '.join(missing)}")
    stale = sorted(set(MATRIX) - set(names))
    assert not stale, f"MATRIX rows for URL names that no longer exist: {stale}"
    bad = {n: row for n, row in MATRIX.items()
           if len(row.split()) != len(COLUMNS) or set(row.split()) - {"A", "R", "P", "D", "S", "SR", "SP"}}
    assert not bad, f"rows need exactly {len(COLUMNS)} cells of A R P D S SR SP: {bad}"
    unfilled = [n for n in names if "<" in url_names()[n] and n not in KWARGS]
    assert not unfilled, f"URL names with parameters but no KWARGS entry: {unfilled}"


def test_an_anonymous_visitor_is_sent_to_the_login_page_from_every_url(client, db):
    wrong = []
    for name in names_in_the_table():
        kwargs = {k: (v if isinstance(v, str) else 1) for k, v in KWARGS.get(name, {}).items()}
        url = reverse(name, kwargs=kwargs)
        response = client.get(url)
        if name in PUBLIC:
            if response.status_code != 200:
                wrong.append(f"{name} {url} → {response.status_code} (public)")
        elif token_only(name):
            if response.status_code != 401:
                wrong.append(f"{name} {url} → {response.status_code} (the API wants a token: 401)")
        elif response.status_code != 302 or not response["Location"].startswith(
                "/m/login/" if url.startswith("/m/") else "/accounts/login/"):
            wrong.append(f"{name} {url} → {response.status_code} {response.get('Location', '')}")
    assert not wrong, "\n".join(wrong)


def _namespace(url):
    return resolve(urlsplit(url).path).namespace or "crm"


def _refused(response):
    return response.status_code in (401, 403, 404)


def _answer(client, name, url, response):
    """The letter a response earns: A (200), R (302 within the app), P (POST only and an empty
    POST is taken up by the page), D (403 or 404)."""
    status = response.status_code
    if status == 405:
        posted = _post_rolled_back(client, name, url)
        return "D" if _refused(posted) else "P"
    if status == 302:
        return "R" if _namespace(response["Location"]) == _namespace(url) else f"302→{response['Location']}"
    return {200: "A", 401: "D", 403: "D", 404: "D"}.get(status, str(status))


def _post_rolled_back(client, name, url):
    """An empty POST whose effects, if any, are undone (the view runs in this thread)."""
    if name in ("logout", "portal:logout"):
        return client.get(url)  # logging out would end this role's loop; a GET is a 405
    with transaction.atomic():
        response = client.post(url, POST_DATA.get(name, {}))
        transaction.set_rollback(True)
    return response


def _guess(client, name, url, expected):
    """A record of another project (or user) reached by its id."""
    return client.get(url) if expected != "SP" else _post_rolled_back(client, name, url)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_the_matrix_allows(role, matrix_demo, db, client, settings):
    settings.MEDIA_ROOT = matrix_demo
    user = get_user_model().objects.get(username=role)
    client.force_login(user)
    exports = Path(settings.EXPORT_ROOT)
    exports.mkdir(parents=True, exist_ok=True)
    (exports / f"matrix_{role}.xlsx").write_bytes(b"PK\x03\x04 matrix")
    column = COLUMNS.index(role)
    wrong, observed = [], []
    for name in names_in_the_table():
        expected = MATRIX.get(name, "? " * len(COLUMNS)).split()[column]
        url = url_for(name, user, role)
        if url is None:
            wrong.append(f"{name}: no demo record to fill its URL")
            continue
        got = _answer(client, name, url, client.get(url))
        observed.append(f"{name}={got}")
        if ((expected[1:] or "A") if expected.startswith("S") else expected) != got:
            wrong.append(f"{name}: expected {expected}, got {got} at {url}")
            continue
        if expected.startswith("S"):
            other = url_for(name, user, role, in_scope=False)
            if other is None:
                wrong.append(f"{name}: no record of another project or user to guess")
            else:
                # Out of scope is a 404, as if the record did not exist: never a 302, 403 or 500.
                status = _guess(client, name, other, expected).status_code
                if status != 404:
                    wrong.append(f"{name}: {role} got {status}, not 404, for a record of another project "
                                 f"or user at {other}")
    assert not wrong, "\n".join(wrong + ["", f"observed for {role}:", *observed])


@pytest.mark.parametrize("role", ["admin", "cs_supervisor", "finance"])
def test_a_staff_session_reaches_no_api_endpoint(role, matrix_demo, db, client):
    """The API's writes (and reads) want a system client's token: a logged-in user's session,
    even an administrator's, is 401 for every method, and nothing is written."""
    from owners.models import Project

    client.force_login(get_user_model().objects.get(username=role))
    before = Project.objects.count(), Project.objects.order_by("pk").values_list("closeout_date", flat=True).first()
    wrong = []
    for name in names_in_the_table():
        if not token_only(name):
            continue
        url = url_for(name, get_user_model().objects.get(username="admin"), "admin") or reverse(
            name, kwargs={k: 1 for k in KWARGS.get(name, {})})
        for method in ("get", "post", "put"):
            body = {"records": [{"external_id": "X", "code": "x", "name": "x"}], "closeout_date": "2026-01-01"}
            response = getattr(client, method)(url, body, content_type="application/json")
            if response.status_code != 401:
                wrong.append(f"{method.upper()} {name} as {role} → {response.status_code}")
    after = Project.objects.count(), Project.objects.order_by("pk").values_list("closeout_date", flat=True).first()
    assert not wrong and before == after, "\n".join(wrong)


def test_the_property_company_cannot_export_the_care_list_either(matrix_demo, db, client):
    """The care list page is denied to it (birthdays are 客情); so is the same list as Excel."""
    client.force_login(get_user_model().objects.get(username="property_company"))
    assert client.get(reverse("crm:export_register", args=["owners-care"])).status_code == 403
    client.force_login(get_user_model().objects.get(username="cs_staff"))
    assert client.get(reverse("crm:export_register", args=["owners-care"])).status_code == 200
