import pytest

from owners.masking import mask_id, mask_phone
from owners.models import Customer
from owners.selectors import customer_search, customers_for

pytestmark = pytest.mark.django_db


def test_front_desk_finds_an_owner_by_the_last_four_digits_of_a_phone(demo):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="front_desk")
    found = list(customer_search(user=user, q="8001"))
    assert [c.name for c in found] == ["刘建国"]


def test_search_by_code_and_name(demo):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="cs_staff")
    liu = Customer.objects.get(name="刘建国")
    assert list(customer_search(user=user, q=liu.code)) == [liu]
    assert list(customer_search(user=user, q="建国")) == [liu]
    assert not customer_search(user=user, q="").exists()


def test_confidential_customers_are_hidden_from_front_desk_searches(demo):
    from django.contrib.auth import get_user_model

    Customer.objects.filter(name="刘建国").update(confidential=True)
    front = get_user_model().objects.get(username="front_desk")
    staff = get_user_model().objects.get(username="cs_staff")
    assert not customer_search(user=front, q="8001").exists()
    assert customer_search(user=staff, q="8001").exists()


def test_project_dept_sees_only_projects_before_close_out(demo):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="project_dept")
    names = set(customers_for(user).values_list("project__code", flat=True))
    assert names == {"riverside"}


def test_masking_helpers():
    assert mask_phone("13800138001") == "138****8001"
    assert mask_id("110101198001011237") == "110***********1237"
    assert mask_phone("") == ""


@pytest.mark.parametrize("username, ending_finds", [("front_desk", False), ("cs_staff", True), ("finance", True)])
def test_an_id_number_seen_masked_is_found_only_whole_never_by_its_hidden_digits(demo, username, ending_finds):
    """The front desk sees 110***********1232: searching endings one digit longer at a time
    (01232, 101232, …) would spell out the hidden digits, ten tries a digit."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    liu = Customer.objects.get(name="刘建国")
    assert liu.id_number == "110101198001011232"
    assert list(customer_search(user=user, q="110101198001011232")) == [liu]
    for ending in ("011232", "1011232", "01011232"):
        assert customer_search(user=user, q=ending).filter(pk=liu.pk).exists() is ending_finds


def test_a_whole_id_number_ending_in_x_is_found_by_every_staff_role_that_searches(demo):
    from django.contrib.auth import get_user_model

    liu = Customer.objects.get(name="刘建国")
    Customer.objects.filter(pk=liu.pk).update(id_number="11010119800101123X")
    for username in ("front_desk", "cs_staff"):
        user = get_user_model().objects.get(username=username)
        assert list(customer_search(user=user, q="11010119800101123x")) == [liu], username


def test_a_phone_seen_masked_is_found_only_whole_never_by_its_hidden_digits(demo):
    """A front desk whose group lost owners.view_phone (an admin's decision) sees 138****8001:
    the ending 38001 would tell the next hidden digit."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    Group.objects.get(name="front_desk").permissions.remove(Permission.objects.get(codename="view_phone"))
    user = get_user_model().objects.get(username="front_desk")
    liu = Customer.objects.get(name="刘建国")
    assert list(customer_search(user=user, q="13800138001")) == [liu]
    assert not customer_search(user=user, q="38001").filter(pk=liu.pk).exists()
    assert not customer_search(user=user, q="8001").filter(pk=liu.pk).exists()
    staff = get_user_model().objects.get(username="cs_staff")
    assert customer_search(user=staff, q="38001").filter(pk=liu.pk).exists()


def test_the_customer_list_never_finds_a_masked_id_number_by_its_ending(demo, client):
    """Through the page, as the front desk types it (the register's export reads the same
    selector, owners.selectors.customer_list)."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="front_desk"))
    liu = Customer.objects.get(name="刘建国")
    page = client.get("/owners/", {"q": "1011232"})
    assert page.status_code == 200 and liu.code not in page.content.decode()
    whole = client.get("/owners/", {"q": liu.id_number})
    assert liu.code in whole.content.decode()
