"""The one owner identity behind every count of distinct owners."""
import pytest

from crm.tests.factories import CustomerFactory, ProjectFactory
from owners.identity import Contact, count_owners, owner_keys, phone_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed, key", [
    ("13800138000", "13800138000"), ("138-0013-8000", "13800138000"), ("+86 138 0013 8000", "13800138000"),
    ("008613800138000", "13800138000"), ("8613800138000", "13800138000"),
    ("0571-88880001", "057188880001"), ("+86 571 8888 0001", "057188880001"), ("", ""), ("—", ""), (None, ""),
    # a landline from abroad: 9 to 11 digits after the country code, its area code's trunk 0 restored
    ("+86 20 1234567", "0201234567"), ("0086 20 8888 0001", "02088880001"),
    ("+86 10 8888 0001", "01088880001"),  # Beijing: area code 10, not a mobile
    ("+86 (0)571 8888 0001", "057188880001"), ("+86 0571-88880001", "057188880001"),  # the trunk 0 kept
    # too short or too long for a number after a country code: the digits as typed
    ("8623456789", "8623456789"), ("+86 571 8888 00011", "86571888800011"), ("86 1380013800", "861380013800"),
    ("+86 138 0013 80001", "86138001380001"), ("86 0571 888", "860571888"),
])
def test_a_phone_is_identified_by_its_digits_without_the_country_code(typed, key):
    assert phone_key(typed) == key


@pytest.fixture
def people(db):

    project = ProjectFactory(code="p", name="湖畔")
    make = lambda code, phone, alt="": CustomerFactory(  # noqa: E731
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


def test_a_typed_landline_is_found_however_the_customer_file_wrote_it(people):

    project = people["a"].project
    canton = CustomerFactory(code="G", name="G", phone="13800000003", phone_alt="020-1234567",
                                     project=project)
    beijing = CustomerFactory(code="J", name="J", phone="010-88880001", project=project)
    plain = CustomerFactory(code="P", name="P", phone="13800000004", phone_alt="057188880002",
                                    project=project)
    assert owner_keys([Contact(None, "+86 20 1234567", "x"), Contact(None, "020 1234 567", "x"),
                       Contact(None, "+86 10 8888 0001", "y"), Contact(None, "0571-8888 0002", "z")]) == [
        f"customer:{canton.pk}", f"customer:{canton.pk}", f"customer:{beijing.pk}", f"customer:{plain.pk}"]


def test_an_owner_without_a_phone_is_never_a_customer_without_a_second_phone(people):
    a = people["a"]  # no 其他电话
    keys = owner_keys([Contact(None, a.phone, "王先生"), Contact(None, "", "丙")])
    assert keys == [f"customer:{a.pk}", "name:丙"]


def test_a_phone_given_with_two_customers_is_the_first_ones(people):
    a, b = people["a"], people["b"]
    keys = owner_keys([Contact(a.pk, "13999990000", "甲"), Contact(b.pk, "13999990000", "乙"),
                       Contact(None, "139 9999 0000", "?")])
    assert keys == [f"customer:{a.pk}", f"customer:{b.pk}", f"customer:{a.pk}"]


def test_typed_phones_are_looked_up_in_batches_and_each_is_found(people, django_assert_max_num_queries):
    from owners import identity

    a = people["a"]
    strangers = [Contact(None, f"1370000{i:04d}", "路人") for i in range(identity._CHUNK + 5)]
    with django_assert_max_num_queries(2):
        keys = owner_keys([*strangers, Contact(None, a.phone, "王")])
    assert keys[-1] == f"customer:{a.pk}"  # its key sorts after the first batch of 400
    assert len(set(keys)) == len(strangers) + 1
