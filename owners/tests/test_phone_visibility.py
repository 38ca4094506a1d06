"""One rule for who sees an owner's phone (owners.masking.can_see_phone), through every page that
shows it or finds by it: the case page, the customer page, the complaint register (its search by
the phone's digits) and its export, the customer export. owners.view_identity shows phones and ID
numbers in full, owners.view_phone phones only (the front desk, which phones owners back for the
return visit); the property company sees neither. Read back from the pages and the workbooks."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from complaints import services as complaint_services
from crm.testing import export_sheet
from owners import services as owner_services
from owners.models import Project

pytestmark = pytest.mark.django_db

PHONE, MASKED_PHONE = "13712345678", "137****5678"
ID, MASKED_ID = "11010519491231002X", "110***********002X"
FULL, MASKED, ABSENT = "full", "masked", "absent"
SHOWN = {"phone": {FULL: PHONE, MASKED: MASKED_PHONE}, "id": {FULL: ID, MASKED: MASKED_ID}}

# role → (its phone, its ID number, whether it opens cases: the case page, the register, its export)
ROLES = {
    "front_desk":       (FULL, MASKED, True),
    "cs_staff":         (FULL, FULL, True),
    "cs_supervisor":    (FULL, FULL, True),
    "manager":          (FULL, FULL, True),
    "project_dept":     (FULL, FULL, True),
    "finance":          (FULL, FULL, False),
    "property_company": (ABSENT, ABSENT, False),
    "admin":            (FULL, FULL, True),
}


@pytest.fixture
def owner_case(demo):
    """A customer with a mobile and an ID number in each project, and a case they phoned in."""
    admin = get_user_model().objects.get(username="admin")
    made = {}
    for n, code in enumerate(("sunshine", "riverside")):
        customer = owner_services.customer_create(
            created_by=admin, allow_duplicate=True, name=f"林晓{n}", phone=PHONE, id_number=ID,
            project=Project.objects.get(code=code), stage="resident", source="other")
        case = complaint_services.complaint_register(
            received_by=admin, kind="complaint", channel="phone", category="repairs", title=f"阳台渗水{n}",
            description="阳台渗水，请回电", customer=customer)
        made[code] = (customer, case)
    # project_dept serves riverside before its close-out; the property company is sunshine's
    return lambda role: made["riverside" if role == "project_dept" else "sunshine"]


def _shown(text: str) -> str:
    """Which form of the phone or the ID number ``text`` holds."""
    for kind in ("phone", "id"):
        if SHOWN[kind][FULL] in text:
            return FULL
        if SHOWN[kind][MASKED] in text:
            return MASKED
    return ABSENT


def case_page(client, case) -> str:
    response = client.get(reverse("complaints:detail", args=[case.pk]))
    if response.status_code != 200:
        assert response.status_code in (403, 404)
        return ABSENT
    found = re.search(r'<dt class="col-4">投诉人</dt><dd class="col-8">(.*?)</dd>', response.content.decode())
    return _shown(found.group(1))


def customer_page(client, customer) -> tuple[str, str]:
    page = client.get(reverse("owners:customer_detail", args=[customer.pk])).content.decode()
    basics = dict(re.findall(r'<dt class="col-sm-2">(.*?)</dt><dd class="col-sm-4"[^>]*>(.*?)</dd>', page))
    return _shown(basics.get("手机", "")), _shown(basics.get("身份证号", ""))


def register_search(client, case) -> str | None:
    """Whether the register's search finds the case by the phone's last eight digits (None: no register).
    The register's rows never show a phone (nor its mask)."""
    response = client.get(reverse("complaints:register"), {"q": PHONE[-8:]})
    if response.status_code != 200:
        return None
    page = response.content.decode()
    assert PHONE not in page and MASKED_PHONE not in page
    return case.number in page


def register_export(client, case) -> str:
    response = client.get(reverse("crm:export_register", args=["complaints"]), {"q": case.number})
    if response.status_code != 200:
        assert response.status_code in (403, 404)
        return ABSENT
    header, rows = export_sheet(response)
    header = [str(h).strip() for h in header]
    (row,) = [dict(zip(header, r)) for r in rows if r[0] == case.number]
    return _shown(row["联系电话"] or "")


def customer_export(client, customer) -> tuple[str, str]:
    header, rows = export_sheet(client.get(reverse("crm:export_register", args=["owners-customers"]),
                                           {"q": customer.code}))
    header = [str(h).strip() for h in header]
    (row,) = [dict(zip(header, r)) for r in rows if r[0] == customer.code]
    if "手机" not in header:
        assert "身份证号" not in header and "其他电话" not in header
        assert not any(PHONE[-4:] in str(v) for v in row.values())
        return ABSENT, ABSENT
    return _shown(row["手机"] or ""), _shown(row["身份证号"] or "")


def everything(client, customer, case) -> dict:
    return {"case page": case_page(client, case), "customer page": customer_page(client, customer),
            "register export": register_export(client, case), "customer export": customer_export(client, customer),
            "found by digits": register_search(client, case)}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_phone_and_the_id_number_the_same_way_on_every_page(as_role, owner_case, role):
    phone, id_number, opens_cases = ROLES[role]
    customer, case = owner_case(role)
    seen = everything(as_role(role), customer, case)
    assert seen == {
        "case page": phone if opens_cases else ABSENT,
        "customer page": (phone, id_number),
        "register export": phone if opens_cases else ABSENT,
        "customer export": (phone, id_number),
        "found by digits": (phone == FULL) if opens_cases else None,
    }


def test_an_admin_who_takes_view_phone_from_the_front_desk_masks_its_phones_at_once(as_role, owner_case):
    """Through the admin's own group page, no deploy: the front desk's next requests show the
    phone masked everywhere and no longer find a case by its digits; given back, in full again."""
    customer, case = owner_case("front_desk")
    group = Group.objects.get(name="front_desk")
    view_phone = Permission.objects.get(content_type__app_label="owners", codename="view_phone")
    url = reverse("admin:auth_group_change", args=[group.pk])

    def save_group(permissions):
        admin = as_role("admin")
        assert admin.get(url).status_code == 200
        response = admin.post(url, {"name": group.name, "permissions": [p.pk for p in permissions]})
        assert response.status_code == 302, response.content.decode()[:2000]

    kept = list(group.permissions.exclude(pk=view_phone.pk))
    save_group(kept)
    assert not group.permissions.filter(pk=view_phone.pk).exists()
    assert everything(as_role("front_desk"), customer, case) == {
        "case page": MASKED, "customer page": (MASKED, MASKED), "register export": MASKED,
        "customer export": (MASKED, MASKED), "found by digits": False}

    save_group([*kept, view_phone])
    assert everything(as_role("front_desk"), customer, case) == {
        "case page": FULL, "customer page": (FULL, MASKED), "register export": FULL,
        "customer export": (FULL, MASKED), "found by digits": True}
