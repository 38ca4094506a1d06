"""The statistics of a period (部门日、周汇报表): read by the weekly report page, its Excel
export and the daily and weekly report jobs."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from owners.masking import mask_phone, phone_for

from .models import LONG_KINDS, ClockState, Complaint, SlaClock
from .selectors import complaints_for


def report_data(*, start: dt.date, end: dt.date, user=None) -> dict:
    """The statistics of a period (部门日、周汇报表)."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    # A datetime range walks the received_at index; a __date lookup converts every row of the table.
    qs = (complaints_for(user) if user is not None else Complaint.objects.all()).filter(
        received_at__gte=since, received_at__lt=until)

    def by(field, labels=None):
        rows = qs.values(field).annotate(n=Count("pk")).order_by("-n")
        return [{"name": str((labels or {}).get(r[field], r[field] or "—")), "value": r["n"]} for r in rows]

    from .models import Category, Kind, Severity

    clocks = SlaClock.objects.filter(complaint__in=qs).values("rule__name").annotate(
        done=Count("pk", filter=Q(state__in=[ClockState.MET, ClockState.LATE])),
        on_time=Count("pk", filter=Q(state=ClockState.MET)),
        breached=Count("pk", filter=Q(state__in=[ClockState.BREACHED, ClockState.LATE])),
    ).order_by("rule__name")
    on_time = [{"name": c["rule__name"], "done": c["done"], "on_time": c["on_time"],
                "rate": round(100 * c["on_time"] / c["done"], 1) if c["done"] else None} for c in clocks]
    on_time_by_department = _on_time_by_department(qs)
    disposed = qs.filter(kind__in=LONG_KINDS, disposed_at__isnull=False)
    disposed_n = disposed.count()
    visited = disposed.filter(visits__isnull=False).distinct().count()
    satisfaction = [s for s in qs.exclude(satisfaction__isnull=True).values_list("satisfaction", flat=True)]
    repeat = _repeat_complainants(qs, user)
    return {
        "start": start.isoformat(), "end": end.isoformat(), "total": qs.count(),
        "by_kind": by("kind", dict(Kind.choices)),
        "by_severity": by("severity", dict(Severity.choices)),
        "by_category": by("category", dict(Category.choices)),
        "by_project": by("project__name"),
        "by_department": by("department__name"),
        "on_time": on_time,
        "on_time_by_department": on_time_by_department,
        "return_visit": _return_visit_rate(disposed_n, visited),
        "satisfaction": round(sum(satisfaction) / len(satisfaction), 2) if satisfaction else None,
        "repeat": repeat,
    }


def _return_visit_rate(disposed: int, visited: int) -> dict:
    """The return-visit rate of the cases disposed, against the rule's target (回访率目标)."""
    from crm.rules import rule

    rate = round(100 * visited / disposed, 1) if disposed else None
    target = rule("complaints.return_visit_target_percent")
    return {"disposed": disposed, "visited": visited, "rate": rate, "target": format(target.normalize(), "f"),
            "below_target": rate is not None and rate < target}


def _repeat_complainants(cases, user=None, limit: int = 20) -> list[dict]:
    """Owners with more than one case in ``cases``, most cases first, by ``owners.identity``
    (the same owner found by the phone lookup once and typed by hand once is one owner),
    each shown by the phone of their first case as ``user`` may see it (owners.masking); a
    report stored for whoever opens it later (no ``user``) keeps it masked."""
    from owners.identity import Contact, owner_keys, phone_key

    rows = list(cases.order_by("received_at", "pk").values_list("customer_id", "complainant_phone",
                                                                 "complainant_name"))
    keys = owner_keys(Contact(*row) for row in rows)
    counts = Counter(keys)
    shown = {}
    for key, (_first, phone, _last) in zip(keys, rows):
        shown.setdefault(key, phone_key(phone))
    # A bare name (a forum's "座谈会业主") does not identify a repeat complainant.
    phone = mask_phone if user is None else (lambda value: phone_for(user, value))
    return [{"phone": phone(shown[key]), "count": n} for key, n in counts.most_common()
            if n > 1 and key.startswith(("customer:", "phone:"))][:limit]


def _on_time_by_department(cases) -> list[dict]:
    """On-time rate of the finished clocks per department that handled the case: its
    responsible department (责任部门), else its handler's department. One grouped query."""
    from django.db.models import Value
    from django.db.models.functions import Coalesce

    # The finished states are counted, not filtered: a WHERE on the clock state makes the database
    # walk every finished clock of all time (the state index) instead of the period's cases.
    rows = (
        SlaClock.objects.filter(complaint__in=cases)
        .annotate(dept=Coalesce("complaint__department__name", "complaint__handler__profile__department__name",
                                Value(str(_("未指定部门")))))
        .values("dept").annotate(done=Count("pk", filter=Q(state__in=[ClockState.MET, ClockState.LATE])),
                                 on_time=Count("pk", filter=Q(state=ClockState.MET)))
        .order_by("dept")
    )
    return [{"name": r["dept"], "done": r["done"], "on_time": r["on_time"],
             "rate": round(100 * r["on_time"] / r["done"], 1)} for r in rows if r["done"]]
