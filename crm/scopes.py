"""Who is who: the role of a user, the projects in their scope, and who may open a record.

Every list and every record lookup of a project-bound model goes through
``visible_projects`` so that a guessed id outside one's scope is a 404. ``RECORD_SCOPES``
names, per kind of record, the permission and selector its page checks, so that other code
(notifications) can ask the same question the page asks: ``can_open(user, record)``.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from crm.roles import DEPARTMENT_ROLES, Role


def user_role(user) -> str | None:
    if not user or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    cached = getattr(user, "_crm_role", None)
    if cached is None:
        profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
        cached = profile.role if profile else ""
        user._crm_role = cached
    return cached or None


def has_role(user, *roles: str) -> bool:
    return user_role(user) in roles


def is_admin(user) -> bool:
    return has_role(user, Role.ADMIN)


def visible_project_ids(user) -> tuple[int, ...] | None:
    """The ids of the projects whose records this user may see, or None for every project.

    - admin, finance and the customer-affairs roles: every project (None);
    - project_dept: its own projects (or all, if none assigned) before their close-out date;
    - property_company: the projects its company is appointed to now;
    - owner (the portal): the projects of their own units, so that the complaints services accept
      what they report; every portal page narrows its reads to the owner's own records;
    - legal and anyone else: none (legal sees the cases handed to it).

    Worked out once per request (``request_memo``; plain queries, at most two): every list of
    the request (rows, counts, menus) asks the same question and gets the same answer, as
    literal ids that the database can match on an index. Outside a request (jobs, services
    called from a shell, tests) it is worked out on every call.

    Another system's service user (api.auth) has no role: it carries its client's projects
    (``scope_projects``, a function), so every selector scopes it as it scopes staff.
    """
    scope = getattr(user, "scope_projects", None)
    if scope is not None:
        return scope()
    if user_role(user) is None:
        return ()
    memo = _request_memo.get()
    if memo is None:
        return _project_ids(user)
    if user.pk not in memo:
        memo[user.pk] = _project_ids(user)
    return memo[user.pk]


_request_memo: ContextVar[dict | None] = ContextVar("crm.scopes.request_memo", default=None)


@contextmanager
def request_memo():
    """Within this block (a request: crm.middleware.ScopeMemoMiddleware) each user's scope is
    worked out once."""
    token = _request_memo.set({})
    try:
        yield
    finally:
        _request_memo.reset(token)


def _project_ids(user) -> tuple[int, ...] | None:
    # Plain queries on purpose: this runs on every page of a scoped user, and building an
    # EXISTS … OR NOT EXISTS query cost ten times more than running it.
    from crm.models import StaffProfile
    from owners.models import Project
    from property_liaison.models import PropertyAppointment

    role = user_role(user)
    if role in DEPARTMENT_ROLES or role in (Role.ADMIN, Role.FINANCE):
        return None
    today = timezone.localdate()
    if role == Role.PROJECT_DEPT:
        assigned = list(StaffProfile.projects.through.objects.filter(staffprofile__user_id=user.pk)
                        .values_list("project_id", "project__closeout_date"))
        if not assigned:  # none assigned: every project
            assigned = list(Project.objects.values_list("pk", "closeout_date"))
        return tuple(sorted(pk for pk, closeout in assigned if closeout is None or closeout > today))
    if role == Role.PROPERTY_COMPANY:
        company_id = user.profile.property_company_id
        if not company_id:
            return ()
        appointed = PropertyAppointment.objects.filter(company_id=company_id, start_date__lte=today).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)).order_by().values_list("project_id", flat=True)
        return tuple(sorted(set(appointed)))
    if role == Role.OWNER:
        from owners.models import Ownership

        return tuple(sorted(set(Ownership.objects.filter(customer__owner_accounts__user_id=user.pk)
                                .values_list("unit__project_id", flat=True))))
    return ()


def visible_projects(user):
    """The projects whose records this user may see (``visible_project_ids`` as a queryset)."""
    from owners.models import Project

    ids = visible_project_ids(user)
    if ids is None:
        return Project.objects.all()
    return Project.objects.filter(pk__in=ids) if ids else Project.objects.none()


def role_users(role: str):
    """Active users holding a role."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True, profile__role=role).select_related("profile")


def admin_users():
    """Active administrators: the admin role and superusers."""
    from django.contrib.auth import get_user_model

    return (get_user_model().objects.filter(Q(profile__role=Role.ADMIN) | Q(is_superuser=True), is_active=True)
            .select_related("profile"))


# --- Who may open one record --------------------------------------------------------------------


@dataclass(frozen=True)
class RecordScope:
    """How the page of a record decides who may open it, and who answers for it.

    ``permission`` is the permission the page requires ("" if none) and ``selector`` the dotted
    path of the selector the page looks the id up in (``selector(user)`` → the records in the
    user's scope), so that ``can_open`` gives the page's own answer. ``role`` is the department
    role that answers for the record: a notice about it whose recipient may not open it goes to
    that role instead (crm.notifications): 客户事务部's supervisor unless a row says otherwise.
    """

    permission: str
    selector: str
    role: str = Role.CS_SUPERVISOR


# One row per kind of record a notification can point to (model label → its page's check).
# Every workflow is run by 客户事务部, whose supervisor sees every project and answers for every
# kind of record so far (the role's default); the approvals and the litigation (legal sees only
# the cases handed to it) fall back to it as well.
RECORD_SCOPES: dict[str, RecordScope] = {
    "complaints.complaint": RecordScope("complaints.view_complaint", "complaints.selectors.complaints_for"),
    "complaints.slaclock": RecordScope("complaints.view_complaint", "complaints.selectors.clocks_for"),
    "property_liaison.actionitem": RecordScope(
        "property_liaison.view_actionitem", "property_liaison.selectors.action_items"),
    "property_liaison.rectification": RecordScope(
        "property_liaison.view_rectification", "property_liaison.selectors.rectifications"),
    "property_liaison.coordinationgap": RecordScope(
        "property_liaison.view_coordinationmeeting", "property_liaison.selectors.coordination_gaps"),
    "property_liaison.committeeformation": RecordScope(
        "property_liaison.view_committeeformation", "property_liaison.selectors.committees"),
    "mortgage.titlecertificatecase": RecordScope(
        "mortgage.view_titlecertificatecase", "mortgage.selectors.certificate_cases_for"),
    "mortgage.agencyagreement": RecordScope("mortgage.view_agencyagreement", "mortgage.selectors.agreements_for"),
    "mortgage.litigationcase": RecordScope("mortgage.view_litigationcase", "mortgage.selectors.litigation_cases_for"),
    "clubs.ownerforum": RecordScope("clubs.view_ownerforum", "clubs.selectors.forums"),
    "clubs.club": RecordScope("clubs.view_club", "clubs.selectors.clubs"),
    "clubs.clubactivity": RecordScope("clubs.view_clubactivity", "clubs.selectors.activities"),
    "owners.accessrequest": RecordScope("", "owners.selectors.access_requests_for"),
}


def record_scope(label: str) -> RecordScope:
    try:
        return RECORD_SCOPES[label]
    except KeyError:
        raise ImproperlyConfigured(f"{label}: add its page's check to crm.scopes.RECORD_SCOPES") from None


def openable_ids(user, label: str, ids) -> set[int]:
    """Which of these records (of model ``label``) the user may open: one query."""
    scope = record_scope(label)
    if user is None or not user.is_active or user_role(user) is None:
        return set()
    if scope.permission and not user.has_perm(scope.permission):
        return set()
    records = import_string(scope.selector)(user)
    return set(records.filter(pk__in=list(ids)).values_list("pk", flat=True))


def can_open(user, record) -> bool:
    """Whether the user may open this record's page (the page's own permission and scope)."""
    return record.pk in openable_ids(user, record._meta.label_lower, [record.pk])
