"""What every write of the complaints app shares: the case's link, its timeline entry, the
required-text check, and the refusal to touch an archived case.

Both ``services.py`` (the workflow) and ``clocks.py`` (the SLA clocks) use these, so they
live below both and import neither.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from crm.archive import ensure_writable

from .models import TimelineEntry


def case_url(complaint) -> str:
    try:
        return reverse("complaints:detail", args=[complaint.pk])
    except NoReverseMatch:
        return ""


def case_urls(ids) -> dict[int, str]:
    """{case id: its link} with one ``reverse`` for all (a beat job's notices name thousands)."""
    ids = list(ids)
    try:
        head, zero, tail = reverse("complaints:detail", args=[0]).rpartition("/0/")
    except NoReverseMatch:
        return dict.fromkeys(ids, "")
    if not zero:  # a pattern this does not understand: one reverse each
        return {pk: case_url(type("Case", (), {"pk": pk})) for pk in ids}
    return {pk: f"{head}/{pk}/{tail}" for pk in ids}


def timeline_add(complaint, user, kind: str, text: str) -> TimelineEntry:
    return TimelineEntry.objects.create(complaint=complaint, actor=user, kind=kind, text=text)


def require(value: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError(message)
    return value.strip()


def ensure_open(complaint) -> None:
    """An archived case is read-only (checked in the database, not on the possibly stale object)."""
    ensure_writable(complaint)


def check_writable(complaint, user) -> None:
    """Who may add to a case beside its workflow (an attachment, an event, its clocks): a user
    with the change permission, on a case that is not archived. The case page shows those
    forms only when this passes; the services refuse when it does not."""
    if not user.has_perm("complaints.change_complaint"):
        raise PermissionDenied(_("您不能修改该案件。"))
    ensure_open(complaint)
