"""Privacy (客情资料使用管理): phones and ID numbers are shown in full only to a role that may see
them (owners.view_identity: phones and ID numbers; owners.view_phone: phones only, the front
desk's), masked to the other staff, and not at all to the property company, on every page that
shows them: the customer, its history, a case's complainant (owners.masking). The same rule on
the complaint register, the exports and the searches: owners/tests/test_phone_visibility.py."""
import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from owners.masking import can_see_identity, can_see_phone, mask_id, mask_phone
from owners.models import Customer

pytestmark = pytest.mark.django_db

ID = "110101198001011232"  # 刘建国's, in the demo data


def _permission(codename):
    return Permission.objects.get(content_type__app_label="owners", codename=codename)


def _take_from(role, codename):
    """What an admin does in the admin's group page (the next request sees it, crm.permcache)."""
    Group.objects.get(name=role).permissions.remove(_permission(codename))


@pytest.mark.parametrize("value, shown", [
    ("13800138001", "138****8001"),      # a mobile: the first three and the last four digits
    (" 13800138001 ", "138****8001"),
    ("0571-88880001", "057****0001"),
    ("0571-8888001", "057****8001"),
    ("0101234567", "********67"),        # fewer than 11: the **** would hide fewer than four digits
    ("88880001", "******01"),            # a local number typed without its area code
    ("8880001", "*****01"),
    ("12345", "***45"),
    ("123", "*23"),
    ("12", "**"),
    ("1", "**"),
    ("", ""), ("   ", ""), (None, ""),
])
def test_a_phone_is_masked_so_that_at_least_four_digits_are_hidden(value, shown):
    assert mask_phone(value) == shown


@pytest.mark.parametrize("value, shown", [
    (ID, "110***********1232"),
    ("11010519491231002X", "110***********002X"),
    (" 11010519491231002X ", "110***********002X"),
    ("12345678", "123*5678"),
    ("1234567", "*******"),              # seven or fewer: nothing shown
    ("12", "**"),
    ("", ""), ("  ", ""), (None, ""),
])
def test_an_id_number_is_masked_to_its_first_three_and_last_four_characters(value, shown):
    assert mask_id(value) == shown


def _basics(client, customer) -> dict[str, str]:
    """The 基本信息 tab as label → shown value."""
    import re

    page = client.get(reverse("owners:customer_detail", args=[customer.pk])).content.decode()
    pairs = re.findall(r'<dt class="col-sm-2">(.*?)</dt><dd class="col-sm-4"[^>]*>(.*?)</dd>', page)
    return dict(pairs)


def test_each_role_sees_the_phones_and_id_number_in_full_masked_or_not_at_all(as_role):
    liu = Customer.objects.get(name="刘建国")
    Customer.objects.filter(pk=liu.pk).update(phone_alt="")
    assert (liu.phone, liu.id_number) == ("13800138001", ID)
    staff = _basics(as_role("cs_staff"), liu)
    assert (staff["手机"], staff["其他电话"], staff["身份证号"]) == ("13800138001", "—", ID)
    front = _basics(as_role("front_desk"), liu)  # owners.view_phone: it phones owners back
    assert (front["手机"], front["其他电话"], front["身份证号"]) == ("13800138001", "—", "110***********1232")
    outsider = _basics(as_role("property_company"), liu)
    assert "手机" not in outsider and "身份证号" not in outsider and "其他电话" not in outsider
    assert outsider["所属项目"] == liu.project.name  # the page itself is shown

    Customer.objects.filter(pk=liu.pk).update(id_number="")
    assert _basics(as_role("cs_staff"), liu)["身份证号"] == "—"


def test_a_complainants_phone_typed_as_a_local_number_keeps_only_two_digits_for_the_front_desk(as_role):
    """A phone typed at intake is not checked like a customer's: a local number given without its
    area code has 8 digits, and its mask must still hide most of it (it showed 888****0001). The
    front desk sees phones in full by owners.view_phone; masked once an admin takes it away."""
    from complaints.models import Complaint
    from owners.models import Project

    response = as_role("property_company").post(reverse("complaints:forwarded"), {
        "project": Project.objects.get(code="sunshine").pk, "complainant_name": "王先生",
        "complainant_phone": "88880001", "category": "security", "title": "夜间门岗无人", "description": "夜间门岗无人值守"})
    assert response.status_code == 302
    url = reverse("complaints:detail", args=[Complaint.objects.get(title="夜间门岗无人").pk])

    def complainant(client):
        import re

        page = client.get(url).content.decode()
        return re.search(r'<dt class="col-4">投诉人</dt><dd class="col-8">(.*?)</dd>', page).group(1).strip()

    assert complainant(as_role("front_desk")) == "王先生 88880001"
    assert complainant(as_role("cs_staff")) == "王先生 88880001"
    _take_from("front_desk", "view_phone")
    assert complainant(as_role("front_desk")) == "王先生 ******01"


def test_the_property_company_is_given_no_phone_or_id_number_at_all_not_even_masked(make_user):
    """Its pages leave the fields out; the helpers every page and register calls say nothing either."""
    from owners.masking import id_for, phone_for

    outsider = make_user("property_company")
    assert (phone_for(outsider, "13800138001"), id_for(outsider, ID)) == ("", "")
    front = make_user("front_desk")
    assert (phone_for(front, "13800138001"), id_for(front, ID)) == ("13800138001", "110***********1232")
    assert (phone_for(front, None), id_for(front, None)) == ("", "")
    _take_from("front_desk", "view_phone")
    front = make_user("front_desk")
    assert (phone_for(front, "13800138001"), id_for(front, ID)) == ("138****8001", "110***********1232")
    assert (phone_for(front, None), id_for(front, None)) == ("", "")
    staff = make_user("cs_staff")
    assert (phone_for(staff, "13800138001"), id_for(staff, ID)) == ("13800138001", ID)
    assert (phone_for(staff, None), id_for(staff, None)) == ("", "")


def test_the_history_tab_masks_phones_and_ids_keeps_other_changes_and_hides_contacts_from_the_property_company(
        as_role):
    from django.contrib.auth import get_user_model

    from owners import services

    liu = Customer.objects.get(name="刘建国")
    services.customer_update(customer=liu, user=get_user_model().objects.get(username="cs_staff"),
                             phone="13800138999", id_number="11010519491231002X", address="滨江区江南大道 1 号",
                             occupation="工程师")
    url = reverse("owners:customer_detail", args=[liu.pk])

    def changes(role):
        rows = as_role(role).get(url, {"tab": "history"}).context["history_rows"]
        return {str(c["field"]): (c["old"], c["new"]) for c in rows[0]["changes"] if str(c["field"]) != "建档时间"}

    before = liu.address
    assert changes("cs_staff") == {
        "手机": ("13800138001", "13800138999"), "身份证号": (ID, "11010519491231002X"),
        "通讯地址": (before, "滨江区江南大道 1 号"), "职业": (liu.occupation, "工程师")}
    assert changes("front_desk") == {
        "手机": ("13800138001", "13800138999"), "身份证号": ("110***********1232", "110***********002X"),
        "通讯地址": (before, "滨江区江南大道 1 号"), "职业": (liu.occupation, "工程师")}
    assert changes("property_company") == {"职业": (liu.occupation, "工程师")}
    _take_from("front_desk", "view_phone")
    assert changes("front_desk")["手机"] == ("138****8001", "138****8999")


def test_the_property_company_never_sees_identity_even_if_given_the_permission(make_user):
    for codename in ("view_identity", "view_phone"):
        Group.objects.get(name="property_company").permissions.add(_permission(codename))
    Group.objects.get(name="front_desk").permissions.add(_permission("view_identity"))
    outsider = make_user("property_company")
    assert not can_see_identity(outsider) and not can_see_phone(outsider)
    assert can_see_identity(make_user("front_desk"))  # the permission is what decides, for staff


# role → (phones in full, ID numbers in full) as crm.roles grants them
ROLE_SEES = {"front_desk": (True, False), "cs_staff": (True, True), "cs_supervisor": (True, True),
             "manager": (True, True), "project_dept": (True, True), "finance": (True, True), "legal": (False, False),
             "property_company": (False, False), "admin": (True, True), "owner": (False, False)}


@pytest.mark.parametrize("role", ROLE_SEES)
def test_each_role_sees_phones_and_id_numbers_in_full_as_its_permissions_say(make_user, role):
    user = make_user(role)
    assert (can_see_phone(user), can_see_identity(user)) == ROLE_SEES[role]


@pytest.mark.parametrize("held, sees_phone, sees_identity", [
    ((), False, False),
    (("view_phone",), True, False),            # phones only: the ID number stays masked
    (("view_identity",), True, True),           # the identity permission shows the phones too
    (("view_phone", "view_identity"), True, True),
])
def test_either_permission_shows_the_phones_and_only_view_identity_the_id_number(make_user, held, sees_phone,
                                                                                 sees_identity):
    from owners.masking import id_for, phone_for

    user = make_user("legal")  # a staff role holding neither
    user.user_permissions.add(*(_permission(codename) for codename in held))
    user = type(user).objects.get(pk=user.pk)  # a fresh object: Django caches permissions on it
    assert (can_see_phone(user), can_see_identity(user)) == (sees_phone, sees_identity)
    assert phone_for(user, "13800138001") == ("13800138001" if sees_phone else "138****8001")
    assert id_for(user, ID) == (ID if sees_identity else "110***********1232")
