"""crm.scopes.RECORD_SCOPES gives, for each kind of record a notification points to, the same
answer as the record's page: a role may open it (can_open) exactly when the page answers 200."""
import datetime as dt

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse

from crm.roles import Role
from crm.scopes import RECORD_SCOPES, can_open, visible_projects

# The page each kind of record is opened on (the one its notifications link to).
PAGES = {
    "complaints.complaint": lambda r: reverse("complaints:detail", args=[r.pk]),
    "complaints.slaclock": lambda r: reverse("complaints:detail", args=[r.complaint_id]),
    "property_liaison.actionitem": lambda r: reverse("property_liaison:action_item_detail", args=[r.pk]),
    "property_liaison.rectification": lambda r: reverse("property_liaison:rectification_detail", args=[r.pk]),
    "property_liaison.coordinationgap": lambda r: reverse("property_liaison:cadence_report"),
    "property_liaison.committeeformation": lambda r: reverse("property_liaison:committee_detail",
                                                             args=[r.project_id]),
    "mortgage.titlecertificatecase": lambda r: reverse("mortgage:certificate_detail", args=[r.pk]),
    "mortgage.agencyagreement": lambda r: reverse("mortgage:agreement_detail", args=[r.pk]),
    "mortgage.litigationcase": lambda r: reverse("mortgage:litigation_detail", args=[r.pk]),
    "clubs.ownerforum": lambda r: reverse("clubs:forum_detail", args=[r.pk]),
    "clubs.club": lambda r: reverse("clubs:club_detail", args=[r.pk]),
    "clubs.clubactivity": lambda r: reverse("clubs:activity_detail", args=[r.pk]),
    "owners.accessrequest": lambda r: reverse("owners:access_request_list"),
}


def _opens(client, label, record):
    """Whether the page shows this record: a 200, and for a list page the record on it."""
    response = client.get(PAGES[label](record))
    if response.status_code != 200:
        return False
    body = response.content.decode()
    if label == "property_liaison.coordinationgap":
        return record.project.name in body
    if label == "owners.accessrequest":
        return record.reason in body
    return True


def _records(label):
    """Records of every scope the demo has: the first and last, and one per project."""
    model = apps.get_model(label)
    qs = model.objects.order_by("pk")
    picked = {r.pk: r for r in (qs.first(), qs.last()) if r is not None}
    field = next((f for f in ("project", "complaint__project", "club__project") if _has(model, f)), None)
    if field:
        for project_id in set(qs.values_list(field, flat=True)):
            record = qs.filter(**{field: project_id}).first()
            picked.setdefault(record.pk, record)
    return list(picked.values())


def _has(model, path):
    try:
        model.objects.filter(**{f"{path}__isnull": True}).query
    except Exception:  # noqa: BLE001 - no such field
        return False
    return True


def _complete(demo_users):
    """What the demo lacks: a coordination gap, an access request, a forwarded case's clock."""
    from complaints import services as complaint_services
    from owners.models import AccessRequest, Customer, Project
    from property_liaison.models import CoordinationGap

    for project in Project.objects.all()[:2]:
        CoordinationGap.objects.get_or_create(project=project, due_date=dt.date(2026, 1, 31))
    customer = Customer.objects.order_by("pk").first()
    for role in ("cs_staff", "front_desk"):
        AccessRequest.objects.create(customer=customer, requested_by=demo_users[role], reason=f"{role}调阅理由")
    liaison = demo_users["property_company"]
    complaint_services.complaint_register(
        received_by=liaison, kind="complaint", channel="property", category="other", title="转交测试",
        description="物业转交", project=visible_projects(liaison).first(), complainant_name="业主",
        complainant_phone="13900000000", forwarded_by_company=liaison.profile.property_company,
        needs_transfer=True)


@pytest.mark.django_db
def test_every_kind_of_record_is_openable_exactly_when_its_page_opens(demo, client):
    assert set(PAGES) == set(RECORD_SCOPES), "every scope row needs its page here"
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[r.value for r in Role])}
    _complete(users)
    wrong, empty = [], []
    for label in RECORD_SCOPES:
        records = _records(label)
        if not records:
            empty.append(label)
        for role, user in users.items():
            client.force_login(user)
            for record in records:
                expected = _opens(client, label, record)
                if can_open(user, record) != expected:
                    wrong.append(f"{label} {record.pk} {role}: page {'opens' if expected else 'refuses'}")
    assert not empty, f"no demo record to check: {empty}"
    assert not wrong, "\n".join(wrong)
