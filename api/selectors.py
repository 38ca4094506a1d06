"""Reads of the API app: what an endpoint lists for a client, and the reconciliation with the
sending systems."""
from __future__ import annotations

from django import forms
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from crm.filters import SELECT
from owners.models import Building, Customer, Ownership, Project, Unit

from .models import SystemClient

RECONCILED = {
    "projects": (Project, ()),
    "buildings": (Building, ("project",)),
    "units": (Unit, ("building",)),
    "customers": (Customer, ()),
    "ownerships": (Ownership, ("customer", "unit__building")),
}
LOCAL, UNLINKED = "local", "unlinked"


class ReconciliationForm(forms.Form):
    kind = forms.ChoiceField(label=_("资料"), required=False, widget=SELECT, choices=lambda: [
        (name, model._meta.verbose_name) for name, (model, _related) in RECONCILED.items()])
    problem = forms.ChoiceField(label=_("差异"), required=False, widget=SELECT, choices=[
        (LOCAL, _("本地修改过（对方系统最后写入之后）")), (UNLINKED, _("无外部编号"))])


def reconciliation_params(params) -> tuple[ReconciliationForm, str, str]:
    form = ReconciliationForm(params or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, data.get("kind") or "units", data.get("problem") or LOCAL


def reconciliation(kind: str, problem: str):
    """The records of ``kind`` that differ from the sending systems: ``local`` — an external id,
    and the last change in its history not made by an API client's service user (someone
    changed it here after the sending system last wrote it); ``unlinked`` — no external id (made
    here or by an Excel import). Each with ``last_at`` and ``last_by`` (the last history row)."""
    model, related = RECONCILED[kind]
    last = model.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
    qs = model.objects.select_related(*related).annotate(
        last_at=Subquery(last.values("history_date")[:1]),
        last_by_id=Subquery(last.values("history_user_id")[:1]),
        last_by=Subquery(last.values("history_user__username")[:1]))
    if problem == UNLINKED:
        return qs.filter(external_id="").order_by("pk")
    services = SystemClient.objects.values("user_id")
    return qs.exclude(external_id="").filter(Q(last_by_id__isnull=True) | ~Q(last_by_id__in=services)).order_by("pk")


def return_visits_for(user):
    """Return visits of the cases the client's service user may read (its projects)."""
    from complaints.models import ReturnVisit
    from complaints.selectors import complaints_for

    return ReturnVisit.objects.filter(complaint__in=complaints_for(user)).select_related("complaint")


def surveys_for(user):
    """Satisfaction surveys of the client's projects, each with its scores in order."""
    from django.db.models import Prefetch

    from owners.models import SatisfactionSurvey, SurveyScore
    from owners.selectors import projects_for

    return (SatisfactionSurvey.objects.filter(project__in=projects_for(user))
            .select_related("customer").prefetch_related(Prefetch("scores", SurveyScore.objects.order_by("pk"))))


MASTER_DATA_RELATED = {"projects": (), "buildings": ("project",), "units": ("building", "project"),
                       "customers": ("project",), "ownerships": ("customer", "unit")}


def master_data_for(client: SystemClient, resource: str, external_ids=None):
    """The records of ``resource`` keyed by this client's source (what it sent, or adopted by
    their natural key), within its projects; only those of ``external_ids`` unless it is None."""
    from .upsert import SCOPE_COLUMN, SPECS

    model = SPECS[resource].model
    rows = model.objects.filter(external_source=client.source).exclude(external_id="").select_related(
        *MASTER_DATA_RELATED[resource])
    if external_ids is not None:
        rows = rows.filter(external_id__in=external_ids)
    scope = client.project_ids()
    return rows if scope is None else rows.filter(**{f"{SCOPE_COLUMN.get(model, 'project_id')}__in": scope})


def client_projects(client: SystemClient, external_id: str):
    """The client's own project(s) with this external id: its source, within its projects."""
    projects = Project.objects.filter(external_source=client.source, external_id=external_id)
    scope = client.project_ids()
    return projects if scope is None else projects.filter(pk__in=scope)
