"""Who is who: the role of a user and the projects in their scope.

Every list and every record lookup of a project-bound model goes through
``visible_projects`` so that a guessed id outside one's scope is a 404.
"""
from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone

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


def visible_projects(user):
    """The projects whose records this user may see.

    - admin and the customer-affairs roles: every project;
    - project_dept: its own projects (or all, if none assigned) before their close-out date;
    - property_company: the projects its company is appointed to now;
    - finance: every project (overdue lists span them); legal: none (it sees cases handed to it).
    """
    from owners.models import Project

    role = user_role(user)
    projects = Project.objects.all()
    if role in DEPARTMENT_ROLES or role in (Role.ADMIN, Role.FINANCE):
        return projects
    if role == Role.PROJECT_DEPT:
        today = timezone.localdate()
        mine = user.profile.projects.all()
        if mine.exists():
            projects = projects.filter(pk__in=mine)
        return projects.filter(Q(closeout_date__isnull=True) | Q(closeout_date__gt=today))
    if role == Role.PROPERTY_COMPANY:
        company_id = user.profile.property_company_id
        if not company_id:
            return projects.none()
        today = timezone.localdate()
        return projects.filter(
            appointments__company_id=company_id,
            appointments__start_date__lte=today,
        ).filter(Q(appointments__end_date__isnull=True) | Q(appointments__end_date__gte=today)).distinct()
    return projects.none()


def role_users(role: str):
    """Active users holding a role."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True, profile__role=role)
