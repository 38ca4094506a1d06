"""Every read of the complaints app that is more than a .get(): the scoped register,
work queues and a case page's records (the report statistics: complaints/reports.py)."""
from __future__ import annotations

import datetime as dt
import functools
import html
from types import SimpleNamespace

from django.core.paginator import Paginator
from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from crm import memo, search
from crm.approvals import approvals_for
from crm.filters import filter_list
from crm.history import TIMELINE_PARAM, newest_first
from crm.roles import Role
from crm.scopes import user_role, visible_project_ids, visible_projects
from owners.masking import can_see_phone

from . import tally
from .filters import CASE_NUMBER, ComplaintFilter, exact_matches
from .models import LONG_KINDS, Channel, Complaint, SlaClock, State

# Owners' reports from the portal that nobody has taken up yet (no count: the tally has no column).
PORTAL_QUEUE = "portal"
QUEUES = {
    "classify": _("待界定"),
    "approve": _("待审批"),
    "due": _("即将到期"),
    "breached": _("已超时"),
    "visits": _("待回访"),
}


def queue_tabs(counts: dict) -> tuple[tuple[str, str, int], ...]:
    """(code, label, count) of each work queue's tab, the labels in the current language."""
    labels = memo.remember("complaints.queues", lambda: tuple((code, str(label)) for code, label in QUEUES.items()))
    return tuple((code, label, counts.get(code)) for code, label in labels)


def complaints_for(user, *, by_order: bool = False):
    """Cases the user may see: their projects; a property company only what it forwarded.

    ``by_order``: the projects as a test on the project column rather than a condition the
    database would answer from the project's index, so that it walks the order's index instead
    (where the project is too): for a scope of many projects (see register_page)."""
    qs = Complaint.objects.all()
    if user_role(user) == Role.PROPERTY_COMPANY:
        company = getattr(getattr(user, "profile", None), "property_company_id", None)
        return qs.filter(forwarded_by_company_id=company) if company else qs.none()
    ids = visible_project_ids(user)
    if ids is None:
        # Every project: no condition at all, so the database walks the register's sort index.
        return qs
    if not ids:
        return qs.none()
    if by_order:
        return qs.alias(in_scope=ExpressionWrapper(F("project_id") + 0, output_field=BigIntegerField())) \
            .filter(in_scope__in=ids)
    return qs.filter(project_id__in=ids)


def clocks_for(user):
    """The SLA clocks of the cases the user may see (the case page's pause/extension forms)."""
    return SlaClock.objects.filter(complaint__in=complaints_for(user))


def _register_base(user, params, *, by_order: bool = False, related: bool = True):
    """The user's cases in the register's queue (``queue``), before the filter form's filters;
    with what a row shows joined (``related``; the page reads values and needs none: every
    filter's clone would deep-copy the joins' names)."""
    base = complaints_for(user, by_order=by_order)
    if related:
        base = base.select_related("project", "unit", "unit__building", "handler", "department",
                                   "forwarded_by_company")
    queue = params.get("queue", "")
    queues = tally.queue_filters()
    if queue == PORTAL_QUEUE:
        base = base.filter(channel=Channel.OWNER_PORTAL, state=State.REGISTERED)
    elif queue in ("classify", "approve"):
        base = base.filter(queues[queue])
    elif queue in queues:
        base = base.filter(queues[queue]).distinct()  # a case with two such clocks is listed once
    return base


def register_list(*, user, params, by_order: bool = False, menus: dict | None = None, words_apart: bool = False,
                  related: bool = True):
    """The register page: scoped, filtered, sorted by the next deadline, no N+1. ``words_apart``:
    the search box's words are left to crm.search.ranked (the form still shows them); ``related``:
    see _register_base."""
    filterset, qs = filter_list(ComplaintFilter, _register_base(user, params, by_order=by_order, related=related),
                                params,
                                menus=menus or _filter_menus(user), phones=lambda: can_see_phone(user),
                                words_apart=words_apart)
    return filterset, _register_order(qs, params)


def _register_order(qs, params):
    if params.get("sort") == "deadline":
        # Cases without a live clock last on every database (SQLite sorts NULL first by default);
        # the register_deadline index covers this order.
        return qs.order_by(F("next_deadline").asc(nulls_last=True), "-received_at", "-pk")
    return qs.order_by("-received_at", "-pk")


def queue_counts(user) -> dict:
    """The work-queue counts and the number of cases in scope (``total``): exact, from the
    counts per project the database keeps (``complaints.tally``), one small query. A property
    company's scope is not a set of projects: its cases are counted (on their own index)."""
    if user_role(user) == Role.PROPERTY_COMPANY:
        queues = tally.queue_filters()
        cases = complaints_for(user)
        return cases.aggregate(total=Count("pk", distinct=True),
                               **{name: Count("pk", distinct=name in ("classify", "approve"), filter=condition)
                                  for name, condition in queues.items()})
    return tally.counts(visible_project_ids(user))


# --- The register page ------------------------------------------------------------------------
# A page costs the framework's queries (session, user with profile and unread count, permissions)
# and: the user's projects (scoped roles, once per request: crm.scopes), the counts (one sum over
# the counts per project the database keeps: complaints.tally), the filter menus, and one query
# for its rows; a filtered page counts its list (exactly), a search finds its cases first.
# Nothing is cached, per user or otherwise: a user's first view costs what a warm one does, and
# a page makes no more round trips than it has queries (a cache would add a read and, when cold,
# a write per cached part, each a round trip that a busy server waits for).

REGISTER_PER_PAGE = 30
DEFERRED_FROM = 300  # from this offset on, the page's ids are found on the index first
SEARCH_FOUND_MAX = 1000  # a search finding more than this is paged on the sort index as usual
# A word search counts its cases exactly up to this many; beyond, in a scope narrower than every
# case, the count may be an estimate (crm.search.ranked's count_up_to), shown as 约 ….
SEARCH_COUNT_EXACT = 500
# A scope of many projects walks the order's index checking the project there (about
# 30 ÷ share entries for a page); a scope of a small share of the cases reads its projects'
# entries in the per-project index instead (and sorts only those).
WALK_FROM_SHARE = 0.25


class CountedPaginator(Paginator):
    """A paginator told its count instead of running COUNT(*)."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def _filter_menus(user) -> dict:
    """The project and department menus of the filter form: one UNION query (not cached: a
    cache would cost more round trips on a first view than the query it saves)."""
    from django.db import connection

    ids = visible_project_ids(user)
    with connection.cursor() as cursor:
        cursor.execute(_menus_sql(connection.vendor, None if ids is None else len(ids)), ids or ())
        rows = cursor.fetchall()
    menus = {"project": [], "department": []}
    for pk, name, menu in sorted(rows, key=lambda row: row[1]):
        menus["department" if menu else "project"].append((pk, name))
    return menus


@functools.cache
def _menus_sql(vendor: str, ids: int | None) -> str:
    """The menus' query for every project (``ids`` None) or that many projects' ids, written
    once per process (building it through the ORM on every page cost more than running it)."""
    from django.db import connection

    from crm.models import Department
    from owners.models import Project

    qn = connection.ops.quote_name
    departments = f"SELECT {qn('id')}, {qn('name')}, 1 FROM {qn(Department._meta.db_table)}"
    if ids == 0:
        return departments
    projects = f"SELECT {qn('id')}, {qn('name')}, 0 FROM {qn(Project._meta.db_table)}"
    if ids is not None:
        projects += f" WHERE {qn('id')} IN ({', '.join(['%s'] * ids)})"
    return f"{projects} UNION ALL {departments}"


def _walk_order_index(user, counts) -> bool:
    """Whether the user's scope is a large enough share of the cases that walking the order's
    index (checking the project in it) beats reading the scope's projects and sorting them."""
    ids = visible_project_ids(user)
    if user_role(user) == Role.PROPERTY_COMPANY or ids is None or len(ids) <= 1:
        return False
    return counts["total"] >= WALK_FROM_SHARE * counts.get("everything", 0)


# What a register row shows, read as values (no model instances, no join of the project: its
# name comes from the project menu).
ROW_FIELDS = ("pk", "number", "kind", "received_at", "complainant_name", "title", "severity", "state",
              "visit_state", "next_deadline", "project_id", "forwarded_by_company__name", "unit__number",
              "unit__building__name")


def _register_rows(values: list[dict], project_names: dict, highlight=None) -> list[SimpleNamespace]:
    """Everything a register row shows, as text, computed once per page: the template engine's
    per-row lookups, {% url %} and date filters cost more than the page's query."""
    from django.urls import reverse

    from owners.models import Project

    from .models import Kind, Severity, State, VisitState

    # The labels in the current language, translated once per process (crm.memo).
    labels = {"kind": memo.labels(Kind), "state": memo.labels(State), "severity": memo.labels(Severity),
              "visit_state": memo.labels(VisitState)}
    # A case's page is this and its id: ".../0/" without "0/".
    url = memo.remember("complaints.detail_url", lambda: reverse("complaints:detail", args=[0])[:-2])
    missing = {v["project_id"] for v in values} - project_names.keys()
    if missing:  # a project outside the menu (a case moved between the two queries)
        project_names = {**project_names, **dict(Project.objects.filter(pk__in=missing).values_list("pk", "name"))}
    rows = []
    zone = timezone.get_current_timezone()  # once per page, not twice per row
    for v in values:
        project = project_names.get(v["project_id"], "")
        deadline = v["next_deadline"]
        row = SimpleNamespace(
            **v, id=v["pk"], detail_url=f"{url}{v['pk']}/",
            kind_label=labels["kind"].get(v["kind"], v["kind"]),
            state_label=labels["state"].get(v["state"], v["state"]),
            visit_label=labels["visit_state"].get(v["visit_state"], "") if v["visit_state"] else "",
            severity_label=labels["severity"].get(v["severity"], v["severity"]),
            company_name=v["forwarded_by_company__name"] or "",
            received_text=v["received_at"].astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            deadline_text=deadline.astimezone(zone).strftime("%m-%d %H:%M") if deadline else "—",
            place=(f"{project} {v['unit__building__name']}-{v['unit__number']}" if v["unit__number"] is not None
                   else project),
        )
        row.html = _row_html(row, highlight)
        rows.append(row)
    return rows


VISIT_BADGES = {"due": "text-bg-warning", "done": "text-bg-success"}


def _row_html(r, highlight=None) -> str:
    """One register row as HTML, every value escaped (the template engine's nine lookups and
    escapes per row cost more than the rest of the page). ``highlight`` (a search's
    crm.search.Highlighter): the words found are marked in the title, and in a line of the
    description when the title does not hold them."""
    e = html.escape
    title = e(r.title)
    if highlight is not None:
        title = highlight(r.title)
        if not highlight.found_in(r.title) and highlight.found_in(getattr(r, "description", "")):
            title += f'<div class="small text-muted search-snippet">{highlight.snippet(r.description)}</div>'
    company = f' <span class="badge text-bg-info">{e(r.company_name)}</span>' if r.company_name else ""
    severity = f'<span class="badge sev-{e(r.severity)}">{e(r.severity_label)}</span>' if r.severity else ""
    # The return visit is a track of its own beside the case's state (待回访 / 已回访).
    visit = (f' <span class="badge visit-{e(r.visit_state)} {VISIT_BADGES.get(r.visit_state, "")}">'
             f"{e(r.visit_label)}</span>" if r.visit_label else "")
    return mark_safe(
        f'<tr><td><a href="{e(r.detail_url)}">{e(r.number)}</a></td><td>{e(r.kind_label)}{company}</td>'
        f"<td>{e(r.received_text)}</td><td>{e(r.place)}</td><td>{e(r.complainant_name)}</td><td>{title}</td>"
        f"<td>{severity}</td><td>{e(r.state_label)}{visit}</td><td>{e(r.deadline_text)}</td></tr>")


def register_page(*, user, params, page) -> dict:
    """The register page: its filter form, one page of rows and the counts, in as few queries
    as the page allows (see the note above)."""
    counts = queue_counts(user)
    filtered = any(params.get(k) for k in params if k not in ("page", "sort"))
    # A large scope is tested row by row rather than looked up on the project's index: on the
    # order's index for a page, in the table scan of a search (SQLite's phone search, for one,
    # reads the table in order faster than it visits half of it through the project's index).
    narrowed = any(params.get(k) for k in params if k not in ("page", "sort", "q"))
    menus = _filter_menus(user)
    by_order = not narrowed and _walk_order_index(user, counts)
    query = (params.get("q") or "").strip()
    if query and params.get("sort") != "deadline" and not CASE_NUMBER.fullmatch(query):
        return _ranked_page(user=user, params=params, page=page, query=query, menus=menus, counts=counts,
                            by_order=by_order)
    filterset, qs = register_list(user=user, params=params, by_order=by_order, menus=menus, related=False)
    found = None
    if query:
        # A search matches few cases: find them first (trigram indexes on PostgreSQL, one scan on
        # SQLite), then sort only those, instead of walking the whole sort index testing every row.
        found = list(qs.order_by().values_list("pk", flat=True)[:SEARCH_FOUND_MAX + 1])
        if len(found) <= SEARCH_FOUND_MAX:
            # These ids are the result (in scope, filtered, found): the page only sorts them.
            qs = Complaint.objects.filter(pk__in=found).order_by(*qs.query.order_by)
        else:
            found = None
    first_rows = None
    if found is not None:
        total = len(found)
    elif not filtered:
        total = counts["total"]
    elif str(page or 1) == "1":
        # A filter's first page: its rows and one more; fewer than a page and one are the count
        # (a narrow filter, the usual one, then costs no COUNT query).
        first_rows = list(qs.values(*ROW_FIELDS)[:REGISTER_PER_PAGE + 1])
        total = len(first_rows) if len(first_rows) <= REGISTER_PER_PAGE else qs.count()
    else:
        total = qs.count()
    page_obj = CountedPaginator(qs, REGISTER_PER_PAGE, count=total).get_page(page)
    offset = page_obj.start_index() - 1 if total else 0
    values = []
    if first_rows is not None:
        values = first_rows[:REGISTER_PER_PAGE]
    elif total:
        if offset < DEFERRED_FROM:
            values = list(qs.values(*ROW_FIELDS)[offset:offset + REGISTER_PER_PAGE])
        else:
            # Deep pages: the ids on the order's index alone (a covering walk), then only those
            # rows joined to what a row shows, in one query.
            page_ids = qs.values("pk")[offset:offset + REGISTER_PER_PAGE]
            values = list(Complaint.objects.filter(pk__in=page_ids).order_by(*qs.query.order_by)
                          .values(*ROW_FIELDS))
    page_obj.object_list = _register_rows(values, dict(menus["project"]))
    return {"filter": filterset, "page_obj": page_obj, "counts": counts}


def _ranked_page(*, user, params, page, query, menus, counts, by_order) -> dict:
    """A search by words (crm.search): the cases it finds in the user's scope and the other
    filters, what identifies them exactly first (number, name, phone), then by relevance and
    recency, the matched words marked in the rows. One query for the page and its count, one
    for its rows."""
    filterset, within = register_list(user=user, params=params, menus=menus, words_apart=True, related=False)
    # The page walks the newest cases testing each (a large scope: with the project in the order's
    # index, ``by_order``); the count and a small tier look their matches up in the scope.
    ordered = within
    if by_order and filterset.is_valid():
        ordered = _register_order(filterset.filter_queryset(_register_base(user, params, by_order=True, related=False)),
                                  params)
    phones = can_see_phone(user)  # only those who see a phone in full find a case by its digits
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    also = exact_matches(query, phones=phones)
    # The pages up to SEARCH_COUNT_EXACT may show an estimated count (约 …): there are more than
    # that many, so they exist. A page beyond is counted exactly (its paginator must know the end).
    cap = SEARCH_COUNT_EXACT if number * REGISTER_PER_PAGE <= SEARCH_COUNT_EXACT else None
    ids, total = search.ranked(within, query, phones=phones, also=also, offset=(number - 1) * REGISTER_PER_PAGE,
                               limit=REGISTER_PER_PAGE, ordered=ordered, count_up_to=cap)
    page_obj = CountedPaginator([], REGISTER_PER_PAGE, count=_shown_count(total)).get_page(number)
    page_obj.paginator.estimated = isinstance(total, search.About)
    if total and not ids:  # past the last page: the last page, as Paginator.get_page does
        ids, total = search.ranked(within, query, phones=phones, also=also, offset=page_obj.start_index() - 1,
                                   limit=REGISTER_PER_PAGE, ordered=ordered)
    rows = {v["pk"]: v for v in Complaint.objects.filter(pk__in=ids).values(*ROW_FIELDS, "description")} if ids else {}
    values = [rows[pk] for pk in ids if pk in rows]
    page_obj.object_list = _register_rows(values, dict(menus["project"]), highlight=search.Highlighter(query))
    return {"filter": filterset, "page_obj": page_obj, "counts": counts}


def _shown_count(total: int) -> int:
    """An estimated count as it is shown: two significant digits (7,701 → 7,700)."""
    if not isinstance(total, search.About) or total < 100:
        return total
    return int(float(f"{int(total):.2g}"))


def visible_unit(*, user, owner_unit: str):
    """The unit of the entry form's owner choice ("customer:unit"), if it is in the user's projects."""
    from owners.models import Unit

    unit_id = owner_unit.partition(":")[2]
    if not unit_id.isdigit():
        return None
    return Unit.objects.filter(pk=int(unit_id), project__in=visible_projects(user)).first()


SIMILAR_DAYS = 30  # likely duplicates at intake: open cases received in these last days
SIMILAR_SHOWN = 5


def similar_open_ids(cases, *, text: str, project_id=None, building_id=None) -> list[int]:
    """The ids of the likely duplicates among ``cases`` (the viewer's scope): the open complaints
    and disputes of the same building (else project) received in the last SIMILAR_DAYS days that
    share words with ``text``, the most alike first. Shared by the staff entry form and the owner
    portal's report form, which show different things of them. Two queries."""
    from .models import OPEN_STATES

    if not (project_id or building_id) or not text.strip():
        return []
    cases = cases.filter(kind__in=LONG_KINDS, state__in=OPEN_STATES,
                         received_at__gte=timezone.now() - dt.timedelta(days=SIMILAR_DAYS))
    cases = cases.filter(unit__building_id=building_id) if building_id else cases.filter(project_id=project_id)
    return search.alike(cases, text, limit=SIMILAR_SHOWN)


def similar_open_cases(*, user, text: str, project_id=None, building_id=None) -> list[SimpleNamespace]:
    """Likely duplicates of a case being entered (``text``: its title and description): the
    open complaints and disputes of the same building (else project) received in the last
    SIMILAR_DAYS days that share its words, the most alike first, in the user's scope; each
    with its words marked (``title_html``) and its event. Three queries."""
    ids = similar_open_ids(complaints_for(user), text=text, project_id=project_id, building_id=building_id)
    if not ids:
        return []
    rows = {c["pk"]: c for c in Complaint.objects.filter(pk__in=ids).values(
        "pk", "number", "title", "description", "received_at", "state", "event_id", "event__title",
        "unit__building__name", "unit__number")}
    highlight = search.Highlighter(" ".join(w for w in search.query_words(text) if len(w) > 1))
    from .models import State

    states = dict(State.choices)
    return [SimpleNamespace(**c, title_html=highlight(c["title"]), snippet=highlight.snippet(c["description"]),
                            state_label=states.get(c["state"], c["state"]),
                            received_text=timezone.localtime(c["received_at"]).strftime("%m-%d %H:%M"))
            for c in (rows[pk] for pk in ids if pk in rows)]


CHASED_DAYS = 3  # the dashboard lists the cases owners chased (催办) in these last days
CHASED_SHOWN = 8


def chased_by_owners(user) -> tuple[int, list[dict]]:
    """The open cases in the user's scope that an owner chased (催办, on the portal) in the last
    CHASED_DAYS days: how many, and the most recently chased first (number, title, pk). Two
    queries."""
    from django.db.models import Max

    from .models import OPEN_STATES

    since = timezone.now() - dt.timedelta(days=CHASED_DAYS)
    cases = (complaints_for(user).filter(state__in=OPEN_STATES, timeline__kind="owner_chase",
                                         timeline__at__gte=since)
             .annotate(chased_at=Max("timeline__at")).order_by("-chased_at", "-pk"))
    rows = list(cases.values("pk", "number", "title", "chased_at")[:CHASED_SHOWN])
    return (len(rows) if len(rows) < CHASED_SHOWN else cases.count()), rows


def forwarded_page(*, user, page):
    """A property company's page of the cases it forwarded, newest first (on the index of its
    forwarded cases), each row as HTML (see _row_html)."""
    from .models import State

    qs = complaints_for(user).order_by("-received_at", "-pk")
    fields = ("number", "received_at", "project__name", "title", "state")
    # Counted on the cases alone: counting the rows with their project's name joined read every
    # case from the table (16 ms on PostgreSQL at 2,500 cases) instead of the company's index.
    page_obj = CountedPaginator(qs.values(*fields), REGISTER_PER_PAGE, count=qs.count()).get_page(page)
    offset = page_obj.start_index() - 1
    if offset >= DEFERRED_FROM:  # deep: the ids on the index alone, then their rows
        ids = qs.values("pk")[offset:offset + REGISTER_PER_PAGE]
        page_obj.object_list = Complaint.objects.filter(pk__in=ids).order_by("-received_at", "-pk").values(*fields)
    states = memo.labels(State)
    e = html.escape
    page_obj.object_list = [SimpleNamespace(**v, html=mark_safe(
        f"<tr><td>{e(v['number'])}</td><td>{timezone.localtime(v['received_at']):%Y-%m-%d %H:%M}</td>"
        f"<td>{e(v['project__name'])}</td><td>{e(v['title'])}</td><td>{e(states.get(v['state'], v['state']))}</td></tr>"))
        for v in page_obj.object_list]
    return page_obj


def complaint_get(*, user, pk: int, full: bool = False) -> Complaint:
    """A case in the user's scope (a guessed id outside it is a 404) with its clocks and
    attachments; ``full`` adds every record the printed form shows. The query count does
    not depend on how long the case's history is."""
    qs = complaints_for(user).select_related(
        "project", "unit", "unit__building", "customer", "handler", "department", "first_responder",
        "received_by", "forwarded_by_company", "event",
    ).prefetch_related(
        Prefetch("clocks", queryset=SlaClock.objects.select_related("rule", "paused_by")),
        "attachments__uploaded_by",
    )
    if full:
        qs = qs.prefetch_related("corrections", "visits__by")
    return get_object_or_404(qs, pk=pk)


def project_events(complaint):
    """The events a case may be linked to: those of its own project."""
    from .models import Event

    return Event.objects.filter(project_id=complaint.project_id)


def events_for(complaint):
    return project_events(complaint).order_by("-created_at")[:30]


def timeline_for(complaint):
    """The whole timeline, oldest first (the printed 客户投诉登记表)."""
    return complaint.timeline.select_related("actor").order_by("at", "pk")


TIMELINE_PER_PAGE = 30


def timeline_slice(complaint, cursor=None):
    """The case page's 处理过程: the newest entries first, older ones on demand (one query,
    however long the timeline)."""
    return newest_first(complaint.timeline.select_related("actor"), cursor, per_page=TIMELINE_PER_PAGE,
                        time_field="at", param=TIMELINE_PARAM)


def plan_versions(complaint):
    return list(approvals_for(complaint))
