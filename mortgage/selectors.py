"""Every read of the mortgage app that is more than a .get(): scoped lists, statistics."""
from __future__ import annotations

from django.db.models import Avg, Count, DateField, DurationField, ExpressionWrapper, F, Q, Value
from django.utils import timezone

from crm.filters import filter_list
from crm.roles import Role
from crm.scopes import has_role, visible_projects
from mortgage.filters import CertificateCaseFilter, LitigationCaseFilter, MortgageLoanFilter, OverdueRecordFilter
from mortgage.models import (
    FINISHED_STAGES, AgencyAgreement, LitigationCase, MortgageLoan, OverdueRecord, OverdueUpload,
    TitleCertificateCase,
)


def certificate_cases_for(user):
    return TitleCertificateCase.objects.filter(project__in=visible_projects(user))


def certificate_register(user, params) -> tuple:
    """The filtered register and its FilterSet."""
    qs = certificate_cases_for(user).select_related("project", "unit", "customer", "agreement__agent", "loan")
    fs, qs = filter_list(CertificateCaseFilter, qs, params, user=user)
    return qs.order_by("project__name", "unit__number", "pk"), fs


def certificate_statistics(queryset) -> dict:
    """Counts by project, agent and stage; late counts; average days from materials to the
    certificate and to the release (one grouped query each)."""
    today = timezone.localdate()
    late = Q(due_date__lt=today) & ~Q(stage__in=FINISHED_STAGES)
    issue_days = ExpressionWrapper(F("certificate_date") - F("collected_on"), output_field=DurationField())
    release_days = ExpressionWrapper(F("released_on") - F("collected_on"), output_field=DurationField())

    def grouped(*fields):
        return list(queryset.order_by().values(*fields).annotate(
            total=Count("pk"), late=Count("pk", filter=late),
            avg_issue=Avg(issue_days, filter=Q(certificate_date__isnull=False)),
            avg_release=Avg(release_days, filter=Q(released_on__isnull=False)),
        ).order_by(*fields))

    stage_labels = dict(TitleCertificateCase.Stage.choices)
    waiting = ExpressionWrapper(Value(today, output_field=DateField()) - F("stage_since"), output_field=DurationField())
    by_stage = {row["stage"]: row for row in queryset.order_by().values("stage").annotate(
        total=Count("pk"), late=Count("pk", filter=late),
        avg_waiting=Avg(waiting, filter=~Q(stage__in=FINISHED_STAGES)))}
    return {
        "total": queryset.count(),
        "late": queryset.filter(late).count(),
        "by_project": [_days(r) for r in grouped("project__name")],
        "by_agent": [_days(r) for r in grouped("agreement__agent__name")],
        "by_stage": [{"stage": label, "code": code, "total": by_stage.get(code, {}).get("total", 0),
                      "late": by_stage.get(code, {}).get("late", 0),
                      "avg_waiting": _in_days(by_stage.get(code, {}).get("avg_waiting"))}
                     for code, label in stage_labels.items()],
    }


def _in_days(value):
    return round(value.total_seconds() / 86400, 1) if value is not None else None


def _days(row):
    for key in ("avg_issue", "avg_release"):
        row[key] = _in_days(row[key])
    return row


def agreements_for(user):
    return AgencyAgreement.objects.filter(project__in=visible_projects(user)).select_related("agent", "project")


def overdue_records_for(user):
    return OverdueRecord.objects.filter(project__in=visible_projects(user))


def overdue_register(user, params) -> tuple:
    qs = overdue_records_for(user).select_related("loan__unit", "customer", "project", "litigation")
    fs, qs = filter_list(OverdueRecordFilter, qs, params, user=user)
    return qs.order_by("status", "-litigation_required", "-amount", "pk"), fs


def uploads_for(user):
    return OverdueUpload.objects.select_related("uploaded_by")


def litigation_cases_for(user):
    """Legal sees only the cases handed to it; the department sees its projects' cases."""
    qs = LitigationCase.objects.select_related("record__loan__unit", "record__customer", "project", "assignee")
    if has_role(user, Role.LEGAL):
        return qs.filter(assignee=user)
    return qs.filter(project__in=visible_projects(user))


def litigation_list(user, params) -> tuple:
    fs, qs = filter_list(LitigationCaseFilter, litigation_cases_for(user), params)
    return qs, fs


def loans_for(user):
    return MortgageLoan.objects.filter(project__in=visible_projects(user))


def loan_register(user, params) -> tuple:
    """The filtered loan register (with each loan's open overdue amount) and its FilterSet."""
    from django.db.models import Sum

    qs = loans_for(user).select_related("project", "unit__building", "customer").annotate(
        overdue_amount=Sum("overdue_records__amount", filter=Q(overdue_records__status=OverdueRecord.Status.OPEN)))
    fs, qs = filter_list(MortgageLoanFilter, qs, params, user=user)
    return qs.order_by("project__name", "loan_number", "pk"), fs


def record_list_timeline(record: OverdueRecord, limit: int = 50) -> list[dict]:
    """What finance's lists said about a record, newest first: listed (with the amount), no longer
    listed while in litigation, settled. Read from the record's history rows that a list wrote
    (their reason starts with 逾期名单 and names the list's report date); one query."""
    from crm.languages import recorded
    from mortgage.imports import HELD_REASON, LIST_REASON

    # The reasons are records in the office's language: matched by the words around the date.
    prefix = recorded(LIST_REASON, date="")
    held = recorded(HELD_REASON, date="")[len(prefix):]
    rows = OverdueRecord.history.filter(id=record.pk, history_change_reason__startswith=prefix).order_by(
        "-history_date", "-history_id").values("history_date", "history_change_reason", "amount", "unlisted_on",
                                               "status")[:limit]
    return [{"at": row["history_date"], "text": row["history_change_reason"], "amount": row["amount"],
             "unlisted": row["unlisted_on"] is not None and row["history_change_reason"].endswith(held)}
            for row in rows]
