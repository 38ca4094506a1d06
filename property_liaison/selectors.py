"""Every read of the property liaison, scoped by crm.scopes.visible_projects."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from django.db.models import Avg, Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from crm.calendar import calendar
from crm.filters import filter_list
from crm.rules import rule_int
from crm.scopes import visible_projects
from owners.models import Unit
from property_liaison import filters
from property_liaison.models import (
    ActionItem, CommitteeFormation, CoordinationGap, CoordinationMeeting, Inspection, Rectification, RepairRequest, WarrantyCategory,
)
from property_liaison.services import coordination_status, warranty_end


def meetings(user):
    return CoordinationMeeting.objects.filter(project__in=visible_projects(user)).select_related(
        "project", "company", "recorded_by").annotate(item_count=Count("action_items")).order_by("-date", "-pk")


def meeting_list(user, params):
    return filter_list(filters.MeetingFilter, meetings(user), params, user=user)


def action_items(user):
    return ActionItem.objects.filter(project__in=visible_projects(user)).select_related(
        "project", "meeting", "answered_by", "verified_by")


def action_item_list(user, params):
    return filter_list(filters.ActionItemFilter, action_items(user), params, user=user)


def inspections(user):
    return Inspection.objects.filter(project__in=visible_projects(user)).select_related(
        "project", "company", "inspector").annotate(finding_count=Count("findings")).order_by("-date", "-pk")


def inspection_list(user, params):
    return filter_list(filters.InspectionFilter, inspections(user), params, user=user)


def rectifications(user):
    return Rectification.objects.filter(project__in=visible_projects(user)).select_related(
        "project", "finding", "finding__inspection", "answered_by", "verified_by")


def rectification_list(user, params):
    return filter_list(filters.RectificationFilter, rectifications(user), params, user=user)


def repairs(user):
    return RepairRequest.objects.filter(project__in=visible_projects(user)).select_related(
        "project", "unit", "unit__building", "category", "customer")


def repair_list(user, params):
    return filter_list(filters.RepairFilter, repairs(user), params, user=user)


def committees(user):
    return CommitteeFormation.objects.filter(project__in=visible_projects(user)).select_related("project")


def coordination_gaps(user):
    """Projects found without coordination past their due date, of the projects in scope (the
    cadence report shows them)."""
    return CoordinationGap.objects.filter(project__in=visible_projects(user))


def cadence_report(user, on: dt.date | None = None) -> list[dict]:
    """Coordination status per managed project in scope, with meetings in the last 90 days and
    open action items."""
    on = on or timezone.localdate()
    scope = set(visible_projects(user).values_list("pk", flat=True))
    rows = [row for row in coordination_status(on) if row["project"].pk in scope]
    since = on - dt.timedelta(days=90)
    recent = dict(CoordinationMeeting.objects.filter(project__in=scope, date__gte=since).values("project")
                  .annotate(n=Count("pk")).values_list("project", "n"))
    open_items = dict(ActionItem.objects.filter(project__in=scope).exclude(status=ActionItem.Status.VERIFIED)
                      .values("project").annotate(n=Count("pk")).values_list("project", "n"))
    for row in rows:
        row["recent"] = recent.get(row["project"].pk, 0)
        row["open_items"] = open_items.get(row["project"].pk, 0)
    return rows


def score_trends(user, months: int = 12) -> dict:
    """Monthly mean inspection score per project and per company (for the ECharts lines)."""
    since = timezone.localdate().replace(day=1)
    since -= relativedelta(months=months - 1)
    qs = Inspection.objects.filter(project__in=visible_projects(user), date__gte=since, score__isnull=False)
    labels = []
    day = since
    for _ in range(months):
        labels.append(day.strftime("%Y-%m"))
        day += relativedelta(months=1)

    def series(field, name_field):
        data = defaultdict(dict)
        for row in qs.annotate(month=TruncMonth("date")).values(field, name_field, "month").annotate(avg=Avg("score")):
            data[row[name_field]][row["month"].strftime("%Y-%m")] = round(float(row["avg"]), 1)
        return [{"name": name, "data": [values.get(m) for m in labels]} for name, values in sorted(data.items())]

    by_area = list(qs.values("scores__area").annotate(avg=Avg("scores__score")).order_by("scores__area"))
    return {"months": labels, "projects": series("project", "project__name"),
            "companies": series("company", "company__name"),
            "areas": [{"area": r["scores__area"], "avg": round(float(r["avg"]), 1)} for r in by_area if r["scores__area"]]}


# Longer than any run of days off (Spring Festival with its weekends is 9), so a moved end is found.
MAX_DAYS_OFF_IN_A_ROW = 20


def warranty_ending(user, days: int | None = None, on: dt.date | None = None) -> list[dict]:
    """Units whose warranty of some category ends within ``days`` (rule): one query per category
    (a handful), each on an indexed date range of deliveries."""
    on = on or timezone.localdate()
    days = days if days is not None else rule_int("liaison.warranty_ending_report_days")
    projects = visible_projects(user)
    cal = calendar()
    rows = []
    for category in WarrantyCategory.objects.all():
        # The end is delivery + period (calendar months), moved past days off (services.warranty_end):
        # a delivery window a little wider than the exact inverse, then the exact end decides.
        period = relativedelta(months=category.period_months)
        first = on - period - dt.timedelta(days=MAX_DAYS_OFF_IN_A_ROW)
        last = on + dt.timedelta(days=days) - period + dt.timedelta(days=3)  # 01-29..31 + 1 month → 02-28
        units = Unit.objects.filter(project__in=projects, delivery_date__gte=first, delivery_date__lte=last) \
            .select_related("project", "building").order_by("delivery_date")
        for unit in units:
            ends = warranty_end(unit.delivery_date, category, cal)
            if on <= ends <= on + dt.timedelta(days=days):
                rows.append({"unit": unit, "category": category, "ends": ends, "days_left": (ends - on).days})
    rows.sort(key=lambda r: (r["ends"], r["unit"].pk))
    return rows


def liaison_counts(user) -> dict:
    today = timezone.localdate()
    items = action_items(user)
    rects = rectifications(user)
    return {
        "open_items": items.filter(status=ActionItem.Status.OPEN).count(),
        "answered_items": items.filter(status=ActionItem.Status.ANSWERED).count(),
        "open_rects": rects.filter(status=Rectification.Status.OPEN).count(),
        "overdue_rects": rects.filter(status=Rectification.Status.OPEN, deadline__lt=today).count(),
        "answered_rects": rects.filter(status=Rectification.Status.ANSWERED).count(),
        "open_repairs": repairs(user).exclude(status=RepairRequest.Status.VISITED).count(),
        "committee_due": committees(user).filter(condition_date__lte=today,
                                                 authorities_notified_on__isnull=True).count(),
    }


def case_pk_for(repair, user) -> int | None:
    """The case a repair was taken over from, if the user may open it (for a link)."""
    if not repair.case_reference or not user.has_perm("complaints.view_complaint"):
        return None
    from complaints.selectors import complaints_for

    return complaints_for(user).filter(number=repair.case_reference).values_list("pk", flat=True).first()
