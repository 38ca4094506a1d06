"""The customer form and what it shows of phones and ID numbers: create, edit, history, export,
as each role meets them (the rest of the customer pages: test_views.py)."""
import pytest
from django.urls import reverse

from owners.models import Customer
from owners.tests.test_views import sheet_rows

pytestmark = pytest.mark.django_db


def test_customer_register_export_gives_front_desk_the_phones_and_masks_the_id_numbers(as_role):
    liu = Customer.objects.get(name="刘建国")
    client = as_role("front_desk")
    rows = sheet_rows(client.get(reverse("crm:export_register", args=["owners-customers"]), {"q": "8001"}))
    assert rows[0][0] == "客户编码"
    assert len(rows) == 2
    assert "13800138001" in rows[1] and "138****8001" not in rows[1]
    assert "110***********1232" in rows[1] and liu.id_number not in rows[1]


def test_create_form_flags_a_likely_duplicate_before_saving(as_role):
    client = as_role("cs_staff")
    from owners.models import Project

    project = Project.objects.get(code="sunshine")
    data = {"name": "刘建国二号", "phone": "13800138001", "project": project.pk, "stage": "prospect",
            "source": "other"}
    before = Customer.objects.count()
    response = client.post(reverse("owners:customer_create"), data)
    assert response.status_code == 200
    assert 'data-testid="duplicate-warning"' in response.content.decode()
    assert Customer.objects.count() == before
    response = client.post(reverse("owners:customer_create"), {**data, "confirm_duplicate": "on"})
    assert response.status_code == 302
    assert Customer.objects.count() == before + 1


def test_create_form_rejects_a_bad_id_checksum(as_role):
    client = as_role("cs_staff")
    from owners.models import Project

    project = Project.objects.get(code="sunshine")
    response = client.post(reverse("owners:customer_create"), {
        "name": "新客户", "phone": "13512345678", "id_number": "110101198001011237", "project": project.pk,
        "stage": "prospect", "source": "other"})
    assert "校验位不正确" in response.content.decode()
    assert not Customer.objects.filter(name="新客户").exists()


def test_identity_is_shown_in_full_only_to_roles_with_the_permission(as_role):
    liu = Customer.objects.get(name="刘建国")
    url = reverse("owners:customer_detail", args=[liu.pk])
    staff = as_role("cs_staff").get(url).content.decode()
    assert "13800138001" in staff and liu.id_number in staff
    front = as_role("front_desk").get(url).content.decode()  # the phone, not the ID number
    assert "13800138001" in front and "110***********1232" in front
    assert "138****8001" not in front and liu.id_number not in front


def test_history_tab_masks_phones_and_ids_like_the_basics_tab(as_role):
    from django.contrib.auth.models import Group, Permission

    from owners import services

    liu = Customer.objects.get(name="刘建国")
    staff_user = as_role("cs_staff").get(reverse("home")).context["user"]
    services.customer_update(customer=liu, user=staff_user, phone="13800138999", address="滨江区江南大道 1 号")
    url = reverse("owners:customer_detail", args=[liu.pk])
    staff = as_role("cs_staff").get(url, {"tab": "history"}).content.decode()
    assert "13800138001" in staff and "13800138999" in staff
    front = as_role("front_desk").get(url, {"tab": "history"}).content.decode()
    assert "13800138001" in front and "13800138999" in front
    # Without owners.view_phone (an admin took it from the group), masked as on the basics tab.
    Group.objects.get(name="front_desk").permissions.remove(
        Permission.objects.get(content_type__app_label="owners", codename="view_phone"))
    front = as_role("front_desk").get(url, {"tab": "history"}).content.decode()
    assert "138****8001" in front and "138****8999" in front
    assert "13800138001" not in front and "13800138999" not in front
    outsider = as_role("property_company").get(url, {"tab": "history"}).content.decode()
    assert "8001" not in outsider and "8999" not in outsider and "江南大道 1 号" not in outsider
    assert "修改" in outsider  # the change itself is still listed, without its contact fields


def test_front_desk_edits_a_customers_phone_but_never_sees_or_changes_the_id_number(as_role):
    from django.contrib.auth.models import Group, Permission

    liu = Customer.objects.get(name="刘建国")
    client = as_role("front_desk")
    url = reverse("owners:customer_edit", args=[liu.pk])
    form = client.get(url)
    page = form.content.decode()
    assert set(form.context["form"].fields) >= {"phone", "phone_alt"} and "id_number" not in form.context["form"].fields
    assert "13800138001" in page and liu.id_number not in page
    assert 'data-testid="identity-locked"' in page and "身份证号您只能看到部分号码" in page
    # A posted ID number (blank, or another) is not the form's to take: the stored one stays.
    for id_number in ("", "11010519491231002X"):
        response = client.post(url, {"name": "刘建国", "project": liu.project_id, "stage": "resident",
                                     "source": "other", "occupation": "教师", "phone": "13900000000",
                                     "id_number": id_number})
        assert response.status_code == 302
        assert Customer.objects.filter(pk=liu.pk).values_list("occupation", "phone", "id_number").get() == (
            "教师", "13900000000", "110101198001011232")
    staff_form = as_role("cs_staff").get(url).content.decode()
    assert "13900000000" in staff_form and 'data-testid="identity-locked"' not in staff_form
    # Without owners.view_phone (an admin took it from the group) the phones are locked as well.
    Group.objects.get(name="front_desk").permissions.remove(
        Permission.objects.get(content_type__app_label="owners", codename="view_phone"))
    client = as_role("front_desk")
    page = client.get(url).content.decode()
    assert "13900000000" not in page and "手机号和身份证号您只能看到部分号码" in page
    response = client.post(url, {"name": "刘建国", "project": liu.project_id, "stage": "resident", "source": "other",
                                 "occupation": "教师", "phone": "13700000000", "id_number": ""})
    assert response.status_code == 302
    assert Customer.objects.filter(pk=liu.pk).values_list("phone", "id_number").get() == (
        "13900000000", "110101198001011232")


def test_editing_a_customer_saves_the_change_with_one_history_entry(as_role):
    liu = Customer.objects.get(name="刘建国")
    entries = liu.history.count()
    client = as_role("cs_staff")
    response = client.post(reverse("owners:customer_edit", args=[liu.pk]), {
        "name": "刘建国", "phone": "13800138001", "id_number": liu.id_number, "project": liu.project_id,
        "stage": "resident", "source": "referral", "address": "滨江区江南大道 88 号 1-101"})
    assert response.status_code == 302
    liu.refresh_from_db()
    assert (liu.source, liu.address) == ("referral", "滨江区江南大道 88 号 1-101")
    assert liu.history.count() == entries + 1 and liu.history.first().history_user.username == "cs_staff"
    bad = client.post(reverse("owners:customer_edit", args=[liu.pk]), {
        "name": "刘建国", "phone": "12345", "project": liu.project_id, "stage": "resident", "source": "other"})
    assert bad.status_code == 200 and "电话号码格式不正确" in bad.content.decode()
    liu.refresh_from_db()
    assert (liu.phone, liu.source) == ("13800138001", "referral") and liu.history.count() == entries + 1


def test_saving_a_customer_unchanged_writes_no_history_entry(as_role):
    liu = Customer.objects.get(name="刘建国")
    client = as_role("cs_staff")
    form = client.get(reverse("owners:customer_edit", args=[liu.pk])).context["form"]
    data = {name: ("" if form.initial.get(name) is None else form.initial[name]) for name in form.fields}
    data = {k: v for k, v in data.items() if v is not False}
    entries = liu.history.count()
    assert client.post(reverse("owners:customer_edit", args=[liu.pk]), data).status_code == 302
    assert liu.history.count() == entries
    stored = Customer.objects.get(pk=liu.pk)
    assert (stored.name, stored.phone, stored.address) == (liu.name, liu.phone, liu.address)


# --- Dates that have happened (issue 13, defect 6) -----------------------------------------------

def test_a_birth_date_in_the_future_is_refused_and_the_customer_is_unchanged(as_role):
    import datetime as dt

    from django.utils import timezone

    liu = Customer.objects.get(name="刘建国")
    client = as_role("cs_staff")
    url = reverse("owners:customer_edit", args=[liu.pk])
    data = {"name": "刘建国", "phone": liu.phone, "id_number": liu.id_number, "project": liu.project_id,
            "stage": liu.stage, "source": liu.source}
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    body = client.post(url, {**data, "birth_date": tomorrow.isoformat()}).content.decode()
    assert "出生日期不能晚于今天。" in body
    assert Customer.objects.get(pk=liu.pk).birth_date == liu.birth_date
    assert client.post(url, {**data, "birth_date": "1980-01-01"}).status_code == 302
    assert Customer.objects.get(pk=liu.pk).birth_date == dt.date(1980, 1, 1)
