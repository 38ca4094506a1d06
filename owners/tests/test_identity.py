"""The one owner identity behind every count of distinct owners."""
import pytest

from owners.identity import Contact, count_owners, owner_keys, phone_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed, key", [
    ("13800138000", "13800138000"), ("138-0013-8000", "13800138000"), ("+86 138 0013 8000", "13800138000"),
    ("008613800138000", "13800138000"), ("8613800138000", "13800138000"),
    ("0571-88880001", "057188880001"), ("+86 571 8888 0001", "057188880001"), ("", ""), ("—", ""),
])
def test_a_phone_is_identified_by_its_digits_without_the_country_code(typed, key):
    assert phone_key(typed) == key


@pytest.fixture
def people(db):
    from owners.models import Customer, Project

    project = Project.objects.create(code="p", name="湖畔")
    make = lambda code, phone, alt="": Customer.objects.create(  # noqa: E731
        code=code, name=code, phone=phone, phone_alt=alt, project=project)
    return {"a": make("A", "13800000001"), "b": make("B", "13800000002", "0571-88880001"),
            "spouse": make("S", "13800000009", "0571-88880001")}


def test_a_typed_phone_on_file_is_that_customer(people):
    a = people["a"]
    assert count_owners([Contact(a.pk, a.phone, a.name), Contact(None, "+86 13800000001", "王先生")]) == 1


def test_a_shared_landline_is_the_customer_another_record_already_names(people):
    b, spouse = people["b"], people["spouse"]
    keys = owner_keys([Contact(spouse.pk, spouse.phone, "S"), Contact(None, "057188880001", "业主")])
    assert keys[0] == keys[1] == f"customer:{spouse.pk}"
    # alone, the shared line is the oldest customer record with it: still one owner, never two
    assert owner_keys([Contact(None, "0571-88880001", "业主")]) == [f"customer:{b.pk}"]


def test_a_phone_given_with_a_customer_on_one_record_identifies_a_typed_one(people):
    a = people["a"]
    keys = owner_keys([Contact(a.pk, "13999990000", a.name), Contact(None, "139-9999-0000", "王")])
    assert keys == [f"customer:{a.pk}"] * 2


def test_unknown_phones_names_and_blanks(people):
    keys = owner_keys([Contact(None, "13911112222", "甲"), Contact(None, "139 1111 2222", "乙"),
                       Contact(None, "", "丙"), Contact(None, "", " 丙 "), Contact(None, "", ""),
                       Contact(None, "—", "")])
    assert keys[0] == keys[1] == "phone:13911112222"
    assert keys[2] == keys[3] == "name:丙"
    assert keys[4] != keys[5]
    assert count_owners([]) == 0
