"""Dates and times a user types for something that has happened (a stage reached, a visit
made, a forum held): never in the future, never before what had to happen first.

Due dates, late notices and reports are computed from these dates, so a date typed a year
too early (2020-01-01 for a stage after a submission on 2026-09-08) would make a case late
for years and move every period after it. Each service checks the date it is given with
:func:`check_happened` (the one write path), naming the earlier stage it must not precede;
forms use :func:`not_in_future` as a field validator to say so beside the field.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

Moment = dt.date | dt.datetime


def _day(value: Moment) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def _before(value: Moment, bound: Moment) -> bool:
    """``value`` precedes ``bound``: to the minute when both are times, else by the local day."""
    if isinstance(value, dt.datetime) and isinstance(bound, dt.datetime):
        return value < bound.replace(second=0, microsecond=0)
    return _day(value) < _day(bound)


def _shown(value: Moment) -> str:
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d %H:%M}"
    return f"{value:%Y-%m-%d}"


def check_happened(value: Moment | None, *, label: str, after: Iterable[tuple[Moment | None, str]] = ()) -> None:
    """Refuse ``value`` (a date or an aware datetime the user typed for ``label``) if it is in
    the future, or earlier than any of the ``after`` bounds: ``(moment, what it is)`` pairs,
    such as ``(case.stage_since, "上一阶段日期")``, listed from the earliest stage to the nearest;
    a bound of ``None`` is skipped. The message names the latest bound the value precedes.
    ``None`` (left blank) is not checked here.
    """
    if value is None:
        return
    if isinstance(value, dt.datetime):
        if value > timezone.now():
            raise ValidationError(_("%(label)s不能晚于现在。") % {"label": label}, code="in_future")
    elif value > timezone.localdate():
        raise ValidationError(_("%(label)s不能晚于今天。") % {"label": label}, code="in_future")
    broken = [(bound, what) for bound, what in after if bound is not None and _before(value, bound)]
    if broken:
        # The latest bound broken; on the same day, the one listed last (the nearer stage).
        bound, what = max(enumerate(broken), key=lambda item: (_day(item[1][0]), item[0]))[1]
        raise ValidationError(_("%(label)s不能早于%(what)s（%(when)s）。") % {
            "label": label, "what": what, "when": _shown(bound if isinstance(value, dt.datetime) else _day(bound))},
            code="before_previous")


def not_in_future(label: str):
    """A form field validator for a date or time that has happened, named ``label`` in its
    message (the service still checks it, with the earlier stages it must not precede)."""
    def validate(value: Moment | None) -> None:
        check_happened(value, label=str(label))

    return validate
