"""Scoped read access to customers, units and projects.

``customers_for(user)`` and ``customer_search(user=, q=)`` are public: other apps (the
complaints front-desk form) call them.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm import search
from crm.calendar import month_bounds
from crm.roles import Role
from crm.scopes import user_role, visible_projects
from owners.models import Customer, Project, Unit

if TYPE_CHECKING:
    from crm.forms import MonthForm
    from owners.filters import ContactLogFilter, CustomerFilter

# Roles that serve a confidential (保密服务) customer and may find it in a search.
CONFIDENTIAL_ROLES = {Role.CS_STAFF, Role.CS_SUPERVISOR, Role.MANAGER, Role.ADMIN, Role.PROJECT_DEPT}


def projects_for(user) -> QuerySet[Project]:
    return visible_projects(user)


def granted_customer_ids(user) -> list[int]:
    """Customers outside the user's scope opened by an approved access request for today."""
    try:
        from owners.models import AccessRequest
    except ImportError:  # pragma: no cover - before the privacy models exist
        return []
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        AccessRequest.objects.filter(
            requested_by=user, status=AccessRequest.Status.APPROVED, valid_on=timezone.localdate()
        ).values_list("customer_id", flat=True)
    )


def customers_for(user) -> QuerySet[Customer]:
    """Every customer the user may open: those of the projects in scope."""
    if user_role(user) is None:
        return Customer.objects.none()
    return Customer.objects.filter(project__in=visible_projects(user)).select_related("project")


def access_requests_for(user):
    """Requests to open customers out of scope: one's own, and those the approval matrix gave
    one's role to decide (a superuser sees all)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Exists, OuterRef

    from crm.models import ApprovalRequest
    from owners.models import AccessRequest

    qs = AccessRequest.objects.select_related("customer", "requested_by")
    if user.is_superuser:
        return qs
    named = ApprovalRequest.objects.filter(content_type=ContentType.objects.get_for_model(AccessRequest),
                                           object_id=OuterRef("pk"), approver_role=user_role(user))
    return qs.filter(Q(requested_by=user) | Q(Exists(named)))


def access_request_approvals(requests) -> dict:
    """{request id: its approval (crm.ApprovalRequest)} for a page of requests, in one query."""
    from crm.approvals import approvals_for_many

    return approvals_for_many(list(requests))


def customers_openable(user) -> QuerySet[Customer]:
    """customers_for plus those opened for today by an approved access request."""
    granted = granted_customer_ids(user)
    base = customers_for(user)
    if not granted:
        return base
    return Customer.objects.filter(Q(pk__in=base.values("pk")) | Q(pk__in=granted)).select_related("project")


def searchable_customers(user) -> QuerySet[Customer]:
    """customers_for minus confidential customers for roles outside their circle."""
    qs = customers_for(user)
    if user_role(user) not in CONFIDENTIAL_ROLES:
        qs = qs.filter(confidential=False)
    return qs


def search_filter(q: str, *, phones: bool = True, identity: bool = True) -> Q | None:
    """Code, name, or the last digits of a phone (3+ digits match the phone's end) or of an ID
    number (4+). A user who sees phones (``phones``) or ID numbers (``identity``) masked finds
    them only by the whole value: endings would let them work out the hidden digits one by one,
    trying ten endings per digit (owners.masking)."""
    q = (q or "").strip()
    if not q:
        return None
    cond = Q(code__iexact=q) | Q(name__icontains=q)
    if re.fullmatch(r"[Cc]\d+", q):
        cond |= Q(code__iendswith=q[1:])
    if q.isdigit():
        if len(q) >= 3:
            cond |= Q(phone__endswith=q) | Q(phone_alt__endswith=q) if phones else Q(phone=q) | Q(phone_alt=q)
        if len(q) >= 4:
            cond |= Q(id_number__endswith=q) if identity else Q(id_number=q)
    elif re.fullmatch(r"\d{17}[Xx]", q):
        cond |= Q(id_number__iexact=q)  # a whole ID number ending in X
    return cond


def customer_search(*, user, q: str) -> QuerySet[Customer]:
    """Customers the user may find by code, name or the last digits of a phone.

    Confidential customers are left out for roles outside their circle, and property
    companies cannot search by phone (they never see phones)."""
    from owners.masking import can_see_identity, can_see_phone

    cond = search_filter(q, phones=can_see_phone(user), identity=can_see_identity(user))
    if cond is None:
        return Customer.objects.none()
    words = search.matches(Customer, q, phones=False)  # address, units, occupation (crm.search)
    if user_role(user) == Role.PROPERTY_COMPANY:
        q = q.strip()
        cond, words = Q(code__iexact=q) | Q(name__icontains=q), None  # never by what else it holds
    return searchable_customers(user).filter(cond | words if words is not None else cond).order_by("code")


def customer_list(user, params) -> tuple[QuerySet[Customer], "CustomerFilter"]:
    """The customer list (and register export): filters plus search by code/name/phone end."""
    from crm.filters import filter_list
    from owners.filters import CustomerFilter

    q = (params.get("q") or "").strip()
    # Confidential customers are left out of the list too for roles outside their circle:
    # a list with filters is a search. They can still be opened by their direct link.
    base = customer_search(user=user, q=q) if q else searchable_customers(user)
    fs, qs = filter_list(CustomerFilter, base, params, user=user)
    return qs.select_related("project").order_by("code"), fs


def contact_list(user, params) -> tuple[QuerySet, "ContactLogFilter"]:
    """来电来访记录 in scope, newest first, and the filters applied (owners.filters.ContactLogFilter:
    search by number, customer name/code and need; kind, project, days). An invalid filter
    applies none and says so (crm.filters.filter_list)."""
    from crm.filters import filter_list
    from owners.filters import ContactLogFilter
    from owners.models import ContactLog

    qs = ContactLog.objects.filter(project__in=visible_projects(user))
    if user_role(user) not in CONFIDENTIAL_ROLES:
        qs = qs.filter(customer__confidential=False)
    filterset, qs = filter_list(ContactLogFilter, qs, params, user=user)
    return qs.select_related("customer", "handled_by", "project").order_by("-occurred_at", "-pk"), filterset


def visit_list(user, params) -> tuple[QuerySet, "MonthForm"]:
    """访问客户记录 of the customers in scope (confidential ones only for the roles that see them),
    newest first, and the month asked for (crm.forms.MonthForm, as on the quota page): with
    ``month=YYYY-MM`` the visits of that month, without one every visit. A month that is not one
    narrows nothing and the form says why (its register refuses to export, crm.exports)."""
    from crm.forms import MonthForm
    from owners.models import CustomerVisit

    qs = CustomerVisit.objects.filter(customer__in=customers_for(user)).select_related(
        "customer", "project", "visitor", "department").order_by("-visited_on", "-pk")
    if user_role(user) not in CONFIDENTIAL_ROLES:
        qs = qs.filter(customer__confidential=False)
    form = MonthForm(params)
    month = form.cleaned_data.get("month") if form.is_valid() else None
    if month is None:
        return qs, form
    start, end = month_bounds(month.year, month.month)
    return qs.filter(visited_on__gte=start, visited_on__lt=end), form


def customer_cases(user, customer: Customer) -> list | None:
    """The customer's complaints that this user may see (the complaints app's own scope),
    newest first, at most 50; None when the user may not see complaints at all."""
    from django.apps import apps

    if not apps.is_installed("complaints") or not user.has_perm("complaints.view_complaint"):
        return None
    from complaints.selectors import complaints_for
    from owners.identity import complaint_phone_forms, customer_phone_keys

    # Their cases typed by name and phone (no customer picked) are theirs too (owners.identity).
    typed = set().union(*(complaint_phone_forms(k) for k in customer_phone_keys(customer)))
    mine = Q(customer=customer) | Q(customer__isnull=True, phone_digits__in=typed) if typed else Q(customer=customer)
    return list(complaints_for(user).filter(mine).select_related("project").order_by("-received_at")[:50])


def units_for(user) -> QuerySet[Unit]:
    return Unit.objects.filter(project__in=visible_projects(user)).select_related("project", "building")


# --- quotas ------------------------------------------------------------------------------

def quota_attainment(user, year: int, month: int) -> dict:
    """Distinct owners visited in a month, per department and per customer assistant,
    against the admin-set quotas (rules owners.visit_quota_department / _assistant)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from crm.models import Department
    from crm.rules import rule_int
    from crm.scopes import role_users
    from owners.models import CustomerVisit

    start, end = month_bounds(year, month)
    visits = CustomerVisit.objects.filter(visited_on__gte=start, visited_on__lt=end)
    dept_quota, assistant_quota = rule_int("owners.visit_quota_department"), rule_int("owners.visit_quota_assistant")
    by_dept = dict(visits.exclude(department=None).values_list("department").annotate(n=Count("customer", distinct=True)))
    by_user = dict(visits.values_list("visitor").annotate(n=Count("customer", distinct=True)))
    dept_ids = set(by_dept) | set(
        Department.objects.filter(code="customer-affairs").values_list("pk", flat=True))
    departments = [
        {"name": d.name, "count": by_dept.get(d.pk, 0), "quota": dept_quota,
         "percent": _percent(by_dept.get(d.pk, 0), dept_quota), "met": by_dept.get(d.pk, 0) >= dept_quota}
        for d in Department.objects.filter(pk__in=dept_ids)
    ]
    user_ids = set(by_user) | set(role_users(Role.FRONT_DESK).values_list("pk", flat=True))
    assistants = [
        {"name": u.get_full_name() or u.username, "user_id": u.pk, "count": by_user.get(u.pk, 0),
         "quota": assistant_quota, "percent": _percent(by_user.get(u.pk, 0), assistant_quota),
         "met": by_user.get(u.pk, 0) >= assistant_quota}
        for u in get_user_model().objects.filter(pk__in=user_ids).order_by("username")
    ]
    return {"departments": departments, "assistants": assistants, "start": start, "end": end,
            "dept_quota": dept_quota, "assistant_quota": assistant_quota}


def _percent(count, quota):
    """Attainment in whole percent, at most 100; never 100 while the quota is not met (199 of a
    quota of 200 rounds to 100: it shows 99)."""
    if not quota:
        return 100
    percent = min(100, round(count * 100 / quota))
    return 99 if percent == 100 and count < quota else percent


# --- care lists --------------------------------------------------------------------------

CARE_STAGES = [Customer.Stage.SIGNED, Customer.Stage.RESIDENT]


def birthdays_within(user, days: int, today=None) -> list[tuple]:
    """Customers in scope whose birthday falls in the next ``days`` days: [(date, customer)]."""
    import datetime as dt

    from django.db import connection
    from django.db.models import CharField
    from django.db.models.functions import Cast, Substr

    today = today or timezone.localdate()
    dates = [today + dt.timedelta(days=i) for i in range(days + 1)]
    leap = any(d.month == 3 and d.day == 1 for d in dates)  # 29 Feb birthdays greeted on 1 Mar in common years
    found = customers_for(user).exclude(birth_date=None)
    if connection.vendor == "sqlite":
        # SQLite stores a date as its ISO text; a month/day lookup would call a Python function
        # per customer (two seconds for 50,000 on a home page's first view), "MM-DD" of the text
        # is read natively.
        days_text = {f"{d.month:02d}-{d.day:02d}" for d in dates} | ({"02-29"} if leap else set())
        found = found.alias(birth_mmdd=Substr(Cast("birth_date", CharField()), 6, 5)).filter(birth_mmdd__in=days_text)
    else:
        cond = Q()
        for d in dates:
            cond |= Q(birth_date__month=d.month, birth_date__day=d.day)
        if leap:
            cond |= Q(birth_date__month=2, birth_date__day=29)
        found = found.filter(cond)
    rows = []
    for c in found:
        for d in dates:
            if (c.birth_date.month, c.birth_date.day) == (d.month, d.day) or (
                    c.birth_date.month == 2 and c.birth_date.day == 29 and (d.month, d.day) == (3, 1)):
                rows.append((d, c))
                break
    rows.sort(key=lambda r: (r[0], r[1].code))
    return rows


def festival_list(user, occasion: str) -> QuerySet[Customer]:
    """Signed and resident customers in scope to greet for a festival."""
    return customers_for(user).filter(stage__in=CARE_STAGES).order_by("project__name", "code")


CARE_VIEWS = [("birthday7", _("7 天内生日")), ("birthday30", _("30 天内生日")), ("spring", _("春节")), ("mid_autumn", _("中秋")),
              ("national", _("国庆"))]


def care_list_form(params):
    """``?list=`` of the care lists read by a form (owners.forms.CareListForm): a name that is not
    one of CARE_VIEWS is an error the page shows above the default list and an export refuses."""
    from owners.forms import CareListForm

    return CareListForm(params)


def care_occasion(view: str) -> str:
    """The Greeting occasion a care list marks: birthday for both birthday lists."""
    return "birthday" if view.startswith("birthday") else view


def care_rows(user, view: str) -> list[tuple]:
    """(date or None, customer, occasion) rows of a care list (page and Excel export alike)."""
    if view in ("birthday7", "birthday30"):
        return [(d, c, "birthday") for d, c in birthdays_within(user, 7 if view == "birthday7" else 30)]
    return [(None, c, view) for c in festival_list(user, view)]


def greeted_ids(occasion: str, year: int) -> set[int]:
    from owners.models import Greeting

    return set(Greeting.objects.filter(occasion=occasion, year=year).values_list("customer_id", flat=True))


# --- satisfaction trend ------------------------------------------------------------------

def survey_trend(user, topic: str | None = None) -> dict:
    """Average score per project and month (all topics, or one), for the chart."""
    from django.db.models import Avg
    from django.db.models.functions import TruncMonth

    from owners.models import SurveyScore

    scores = SurveyScore.objects.filter(survey__project__in=visible_projects(user))
    if topic:
        scores = scores.filter(topic=topic)
    rows = (scores.annotate(month=TruncMonth("survey__surveyed_on")).values("survey__project__name", "month")
            .annotate(avg=Avg("score")).order_by("month"))
    months = sorted({r["month"] for r in rows})
    labels = [m.strftime("%Y-%m") for m in months]
    series = {}
    for r in rows:
        series.setdefault(r["survey__project__name"], {})[r["month"].strftime("%Y-%m")] = round(float(r["avg"]), 2)
    return {"labels": labels,
            "series": [{"name": name, "data": [vals.get(m) for m in labels]} for name, vals in series.items()]}


def owner_candidates(*, user, phone: str, limit: int = 10) -> list[tuple]:
    """(customer, unit) pairs for the front desk's phone lookup: the customers the user may find
    by these digits (``customer_search``), each with every unit they hold."""
    from owners.models import Ownership

    if not phone:
        return []
    found = customer_search(user=user, q=phone)[:limit]
    ownerships = Ownership.objects.filter(customer__in=found).select_related(
        "customer", "unit", "unit__building", "unit__project")
    return [(o.customer, o.unit) for o in ownerships]
