"""Scoped read access to customers, units and projects.

``customers_for(user)`` and ``customer_search(user=, q=)`` are public: other apps (the
complaints front-desk form) call them.
"""
from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.utils import timezone

from crm.roles import Role
from crm.scopes import user_role, visible_projects
from owners.models import Customer, Project, Unit

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


def search_filter(q: str) -> Q | None:
    """Code, name, or the last digits of a phone (3+ digits match the phone's end)."""
    q = (q or "").strip()
    if not q:
        return None
    cond = Q(code__iexact=q) | Q(name__icontains=q)
    if re.fullmatch(r"[Cc]\d+", q):
        cond |= Q(code__iendswith=q[1:])
    if q.isdigit():
        if len(q) >= 3:
            cond |= Q(phone__endswith=q) | Q(phone_alt__endswith=q)
        if len(q) >= 4:
            cond |= Q(id_number__endswith=q)
    return cond


def customer_search(*, user, q: str) -> QuerySet[Customer]:
    """Customers the user may find by code, name or the last digits of a phone.

    Confidential customers are left out for roles outside their circle, and property
    companies cannot search by phone (they never see phones)."""
    cond = search_filter(q)
    if cond is None:
        return Customer.objects.none()
    if user_role(user) == Role.PROPERTY_COMPANY:
        q = q.strip()
        cond = Q(code__iexact=q) | Q(name__icontains=q)
    return searchable_customers(user).filter(cond).order_by("code")


def units_for(user) -> QuerySet[Unit]:
    return Unit.objects.filter(project__in=visible_projects(user)).select_related("project", "building")
