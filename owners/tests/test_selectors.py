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
