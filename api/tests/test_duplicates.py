"""A customer sent through the API with another customer's mobile phone or ID number is refused as
the staff's form refuses it (owners.services' rule), unless the record confirms it: new customers,
a changed phone or ID number, and two records of one call. The refusal names the other customer
by its code (and its external id when it is the client's own), never by its name or numbers."""
import pytest
from django.urls import reverse

from owners.models import Customer, Project
from owners.services import customer_create

from .test_upsert import bulk

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
MESSAGE = "可能与已有客户重复：{label}（{field}）与{who}相同。核对后如确认不是同一人，请在该记录中加上 \"confirm_duplicate\": true 再发送。"


@pytest.fixture
def sales(system):
    caller = system(all_projects=True, source="sales")
    assert bulk(caller, "projects", [{"external_id": "P1", "code": "lake", "name": "湖畔花园"}]).status_code == 200
    return caller


@pytest.fixture
def on_file(sales, make_user):
    """王五, entered by the office (no external id), with a phone and an ID number."""
    return customer_create(created_by=make_user("cs_staff"), name="王五", phone="13900001111", id_number=ID,
                           project=Project.objects.get(external_id="P1"))


def _rows():
    return sorted(Customer.objects.values_list("code", "external_id", "name", "phone", "id_number"))


@pytest.mark.parametrize("field, value, label", [("phone", "139 0000 1111", "手机"), ("id_number", ID.lower(), "身份证号")])
def test_a_new_customer_with_anothers_phone_or_id_number_is_refused_until_confirmed(sales, on_file, field, value,
                                                                                    label):
    before = _rows()
    record = {"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900002222", field: value}
    result = bulk(sales, "customers", [record]).json()
    assert result["results"] == [{"external_id": "C1", "status": "error", "id": None, "field": field,
                                  "message": MESSAGE.format(label=label, field=field, who=f"客户 {on_file.code}")}]
    assert "王五" not in result["results"][0]["message"] and "13900001111" not in result["results"][0]["message"]
    assert _rows() == before
    confirmed = bulk(sales, "customers", [{**record, "confirm_duplicate": True}]).json()
    assert confirmed["results"][0]["status"] == "created"
    assert Customer.objects.get(external_id="C1").name == "李四"


def test_the_refusal_names_the_clients_own_customer_by_its_external_id_and_anothers_only_by_code(system, sales):
    bulk(sales, "customers", [{"external_id": "C1", "project": "P1", "name": "王五", "phone": "13900001111"}])
    own = Customer.objects.get(external_id="C1")
    result = bulk(sales, "customers", [{"external_id": "C2", "project": "P1", "name": "李四",
                                        "phone": "13900001111"}]).json()["results"][0]
    assert result["message"] == MESSAGE.format(label="手机", field="phone", who=f"客户 {own.code}（外部编号 C1）")
    other = system(all_projects=True, source="crm2")  # another system: 王五 is not its record
    assert bulk(other, "projects", [{"external_id": "P1", "code": "lake2", "name": "湖畔二期"}]).status_code == 200
    result = bulk(other, "customers", [{"external_id": "X1", "project": "P1", "name": "李四",
                                        "phone": "13900001111"}]).json()["results"][0]
    assert result["message"] == MESSAGE.format(label="手机", field="phone", who=f"客户 {own.code}")
    assert list(Customer.objects.values_list("external_id", flat=True)) == ["C1"]


def test_an_update_onto_anothers_phone_is_refused_and_one_that_keeps_a_confirmed_phone_is_not(sales, on_file):
    bulk(sales, "customers", [{"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900002222"}])
    before = _rows()
    moved = {"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111"}
    result = bulk(sales, "customers", [moved]).json()["results"][0]
    assert (result["status"], result["field"]) == ("error", "phone")
    assert _rows() == before
    assert bulk(sales, "customers", [{**moved, "confirm_duplicate": True}]).json()["results"][0]["status"] == "updated"
    # Its phone is another's, confirmed once: a later change of its name is not refused again.
    renamed = bulk(sales, "customers", [{**moved, "name": "李四四"}]).json()["results"][0]
    assert renamed["status"] == "updated"
    assert Customer.objects.get(external_id="C1").name == "李四四"
    # Onto another's ID number: refused, nothing changes.
    before = _rows()
    result = bulk(sales, "customers", [{**moved, "id_number": ID}]).json()["results"][0]
    assert (result["status"], result["field"]) == ("error", "id_number")
    assert _rows() == before


def test_two_new_records_of_one_call_with_the_same_phone(sales):
    records = [{"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111"},
               {"external_id": "C2", "project": "P1", "name": "李四", "phone": "139 0000 1111"},
               {"external_id": "C3", "project": "P1", "name": "张三", "phone": "13900003333"}]
    refused = bulk(sales, "customers", records, all_or_nothing=True)
    assert refused.status_code == 422
    assert refused.json()["results"][1] == {
        "external_id": "C2", "status": "error", "id": None, "field": "phone",
        "message": MESSAGE.format(label="手机", field="phone", who="本次调用中的记录 C1")}
    assert not Customer.objects.exists()
    result = bulk(sales, "customers", records).json()
    assert [r["status"] for r in result["results"]] == ["created", "error", "created"]
    assert sorted(Customer.objects.values_list("external_id", flat=True)) == ["C1", "C3"]
    records[1]["confirm_duplicate"] = True
    assert bulk(sales, "customers", records).json()["results"][1]["status"] == "created"
    assert Customer.objects.filter(phone="13900001111").count() == 2


def test_a_customer_updated_in_the_same_call_is_compared_with_its_new_phone(sales):
    bulk(sales, "customers", [{"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111"}])
    result = bulk(sales, "customers", [
        {"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900002222"},
        {"external_id": "C2", "project": "P1", "name": "张三", "phone": "13900001111"}]).json()
    assert [r["status"] for r in result["results"]] == ["updated", "created"]
    assert dict(Customer.objects.values_list("external_id", "phone")) == {"C1": "13900002222", "C2": "13900001111"}


@pytest.mark.parametrize("flag", ["true", 1, "yes"])
def test_confirm_duplicate_is_a_json_boolean(sales, on_file, flag):
    before = _rows()
    result = bulk(sales, "customers", [{"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111",
                                        "confirm_duplicate": flag}]).json()["results"][0]
    assert (result["status"], result["field"]) == ("error", "confirm_duplicate")
    assert result["message"].endswith("：应为 true 或 false（JSON 布尔值）。")
    assert _rows() == before


def test_null_or_false_confirms_nothing(sales, on_file):
    for flag in (None, False):
        result = bulk(sales, "customers", [{"external_id": "C1", "project": "P1", "name": "李四",
                                            "phone": "13900001111", "confirm_duplicate": flag}]).json()
        assert result["results"][0]["field"] == "phone"
    assert not Customer.objects.filter(external_id="C1").exists()


def test_the_schema_documents_confirm_duplicate_with_an_example(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    prop = schema["components"]["schemas"]["CustomerInRequest"]["properties"]["confirm_duplicate"]
    assert prop["type"] == "boolean" and "confirm" in prop["description"]
    examples = schema["paths"]["/api/v1/customers/bulk/"]["post"]["requestBody"]["content"]["application/json"][
        "examples"]
    assert any(r.get("confirm_duplicate") is True for e in examples.values() for r in e["value"]["records"])
