"""Issue 15 §3: no second write path through the admin. Every ModelAdmin and inline of the
product shows the fields only services may change (crm.workflow.guarded_fields) read-only, and
a change form posted with a guarded field changed leaves the row as it was."""
import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from crm.admin_base import GuardedFieldsMixin
from crm.workflow import WORKFLOWS, guarded_fields

pytestmark = pytest.mark.django_db

# What the issue names, and what the services check: each must be guarded.
MUST_BE_GUARDED = {
    "mortgage.OverdueRecord": {"litigation_required", "litigation_flagged_at", "status", "amount", "overdue_since"},
    "mortgage.AgencyAgreement": {"status", "fee_per_case", "total_fee"},
    "mortgage.TitleCertificateCase": {"stage", "stage_since", "due_date", "submitted_on"},
    "mortgage.LitigationCase": {"stage", "filed_on", "judgment_on"},
    "mortgage.MortgageLoan": {"guarantee_active"},
    "clubs.OwnerForum": {"status", "budget", "held_at"},
    "clubs.ClubActivity": {"status", "budget", "held_on"},
    "clubs.Club": {"status", "founding_plan", "founded_on"},
    "complaints.Complaint": {"state", "visit_state"},
    "complaints.Event": {"major_at"},
    "property_liaison.RepairRequest": {"status", "completed_on"},
    "property_liaison.ActionItem": {"status", "verified_at"},
    "property_liaison.Rectification": {"status", "verified_at"},
    "property_liaison.CommitteeFormation": {"step"},
}


def _admins(request):
    """(model, admin instance) for every registered ModelAdmin and each of its inlines."""
    for model, model_admin in admin.site._registry.items():
        yield model, model_admin
        for inline in model_admin.get_inline_instances(request):
            yield inline.model, inline


def _superuser_request(make_user):
    user = make_user("admin")
    user.is_superuser = user.is_staff = True
    user.save()
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_every_workflow_names_its_model_and_the_named_fields_are_guarded():
    from django.apps import apps

    assert {w.model._meta.label for w in WORKFLOWS if w.model is not None} >= {
        "complaints.Complaint", "mortgage.AgencyAgreement", "mortgage.TitleCertificateCase",
        "mortgage.LitigationCase", "clubs.OwnerForum", "clubs.Club", "clubs.ClubActivity",
        "property_liaison.ActionItem", "property_liaison.Rectification", "property_liaison.CommitteeFormation",
        "property_liaison.RepairRequest"}
    for label, fields in MUST_BE_GUARDED.items():
        model = apps.get_model(label)
        assert fields <= guarded_fields(model), (label, fields - guarded_fields(model))
        concrete = {f.name for f in model._meta.concrete_fields}
        assert guarded_fields(model) <= concrete, (label, guarded_fields(model) - concrete)


def test_no_admin_form_or_list_edits_a_guarded_field(make_user):
    request = _superuser_request(make_user)
    offenders = []
    for model, model_admin in _admins(request):
        guarded = guarded_fields(model)
        if not guarded:
            continue
        assert isinstance(model_admin, GuardedFieldsMixin), f"{type(model_admin).__name__} is not a crm.admin_base class"
        obj = model._default_manager.first()
        if not (model_admin.has_change_permission(request, obj) or model_admin.has_add_permission(request, None)
                if hasattr(model_admin, "parent_model") else
                model_admin.has_change_permission(request, obj) or model_admin.has_add_permission(request)):
            continue
        readonly = set(model_admin.get_readonly_fields(request, obj))
        shown = {name for name in model_admin.get_fields(request, obj) if isinstance(name, str)}
        editable = shown - readonly
        for name in sorted((editable | set(getattr(model_admin, "list_editable", ()))) & guarded):
            offenders.append(f"{model._meta.label}.{name} in {type(model_admin).__name__}")
    assert offenders == []


def test_a_change_form_posted_with_a_guarded_field_changed_leaves_it_as_it_was(client, demo):
    """Through the admin's own page, as an admin: the litigation verdict of an overdue record and
    the fee of an agreement stay as the services left them; free text is still corrected."""
    from django.contrib.auth import get_user_model

    from mortgage.models import AgencyAgreement

    user = get_user_model().objects.get(username="admin")
    user.is_superuser = user.is_staff = True
    user.save()
    client.force_login(user)
    agreement = AgencyAgreement.objects.order_by("pk").first()
    url = reverse("admin:mortgage_agencyagreement_change", args=[agreement.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update({"total_fee": "1", "fee_per_case": "1", "status": "draft"})
    for formset in page.context["inline_admin_formsets"]:
        mgmt = formset.formset.management_form
        data.update({mgmt.add_prefix(k): mgmt[k].value() for k in mgmt.fields})
    before = AgencyAgreement.objects.filter(pk=agreement.pk).values("total_fee", "fee_per_case", "status").get()
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    after = AgencyAgreement.objects.filter(pk=agreement.pk).values("total_fee", "fee_per_case", "status").get()
    assert after == before
