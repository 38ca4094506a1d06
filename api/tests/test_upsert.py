"""Master data in: bulk upserts by external ids, results per record, all-or-nothing, idempotency,
history by the client's service user, and project restriction."""
import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from owners.models import Building, Customer, Ownership, Project, Unit

pytestmark = pytest.mark.django_db


def bulk(caller, resource, records, **extra):
    headers = {}
    if "key" in extra:
        headers["HTTP_IDEMPOTENCY_KEY"] = extra.pop("key")
    return caller.post(reverse(f"api:{resource}_bulk"), {"records": records, **extra}, **headers)


# One record that can be written and one whose building is unknown: all-or-nothing writes neither.
GOOD_AND_BAD = [{"external_id": "U1", "building": "B1", "number": "101", "area": "90"},
                {"external_id": "U2", "building": "B404", "number": "102", "area": "90"}]


@pytest.fixture
def sales(system):
    """A client of every project, and the project tree it sent."""
    caller = system(all_projects=True, source="sales")
    assert bulk(caller, "projects", [{"external_id": "P1", "code": "lake", "name": "湖畔花园"}]).status_code == 200
    assert bulk(caller, "buildings", [{"external_id": "B1", "project": "P1", "name": "1栋"}]).status_code == 200
    return caller


def test_units_are_created_updated_and_left_unchanged_with_a_result_each(sales):
    records = [{"external_id": f"U{i}", "building": "B1", "number": f"{i}01", "area": "89.50",
                "delivery_date": "2025-06-30"} for i in range(1, 4)]
    first = bulk(sales, "units", records).json()
    assert first["counts"] == {"created": 3, "updated": 0, "unchanged": 0, "error": 0}
    records[0]["area"] = "90.00"
    records[2]["number"] = ""
    second = bulk(sales, "units", records).json()
    assert [r["status"] for r in second["results"]] == ["updated", "unchanged", "error"]
    assert second["results"][2]["field"] == "number"
    assert second["results"][2]["message"] == "请填写房号（number）。"
    unit = Unit.objects.get(external_source="sales", external_id="U1")
    assert str(unit.area) == "90.00" and str(unit.delivery_date) == "2025-06-30"
    assert unit.project == Project.objects.get(external_id="P1")
    history = list(unit.history.order_by("history_date").values_list("history_type", "history_user__username",
                                                                        "history_change_reason"))
    assert [h[:2] for h in history] == [("+", "api-sales"), ("~", "api-sales")]
    assert sales.system.name in history[1][2]


def test_an_error_names_the_field_in_chinese(sales):
    result = bulk(sales, "units", [{"external_id": "U9", "building": "B404", "number": "101", "area": "90"}]).json()
    assert result["results"][0]["field"] == "building"
    assert "找不到外部编号为 B404 的楼栋" in result["results"][0]["message"]
    assert not Unit.objects.filter(external_id="U9").exists()


def test_all_or_nothing_writes_nothing_when_a_record_fails(sales):
    records = [{"external_id": "U1", "building": "B1", "number": "101", "area": "90"},
               {"external_id": "U2", "building": "B1", "number": "101", "area": "90"}]
    response = bulk(sales, "units", records, all_or_nothing=True)
    assert response.status_code == 422
    data = response.json()
    assert data["committed"] is False and data["results"][1]["status"] == "error"
    assert not Unit.objects.exists()
    assert bulk(sales, "units", records).json()["counts"]["created"] == 1
    assert Unit.objects.count() == 1


def test_an_idempotency_key_makes_a_retried_call_a_no_op(sales):
    records = [{"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111", "stage": "signed"}]
    first = bulk(sales, "customers", records, key="k-1")
    records[0]["name"] = "李四四"
    again = bulk(sales, "customers", [{**records[0], "name": "李四"}], key="k-1")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Customer.objects.get().history.count() == 1
    assert bulk(sales, "customers", records, key="k-1").status_code == 409
    assert Customer.objects.get().name == "李四"


def test_customers_get_codes_stage_phones_and_id_number_normalised(sales):
    result = bulk(sales, "customers", [
        {"external_id": "C1", "project": "P1", "name": "李四", "phone": "139 0000 1111", "stage": "subscribed",
         "source": "referral", "id_number": "11010519491231002x"},
        {"external_id": "C2", "project": "P1", "name": "王五", "phone": "12"}]).json()
    assert [r["status"] for r in result["results"]] == ["created", "error"]
    assert result["results"][1]["field"] == "phone"
    customer = Customer.objects.get(external_id="C1")
    assert customer.code.startswith("C") and customer.stage == "subscribed" and customer.source == "referral"
    assert customer.phone == "13900001111" and customer.id_number == "11010519491231002X"
    assert customer.created_by.username == "api-sales"


def test_ownerships_link_customers_and_units_of_one_project(sales):
    bulk(sales, "units", [{"external_id": "U1", "building": "B1", "number": "101", "area": "90"}])
    bulk(sales, "customers", [{"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111"}])
    result = bulk(sales, "ownerships", [{"external_id": "O1", "customer": "C1", "unit": "U1", "kind": "owner",
                                         "contract_date": "2025-01-02"}]).json()
    assert result["counts"]["created"] == 1
    ownership = Ownership.objects.get(external_id="O1")
    assert ownership.customer.external_id == "C1" and ownership.unit.external_id == "U1"


def test_a_stored_row_without_an_external_id_is_adopted_by_its_natural_key(sales):
    building = Building.objects.get(external_id="B1")
    unit = Unit.objects.create(project=building.project, building=building, number="101", area=80)
    result = bulk(sales, "units", [{"external_id": "U1", "building": "B1", "number": "101", "area": "90"}]).json()
    assert result["results"][0] == {"external_id": "U1", "status": "updated", "id": unit.pk}
    unit.refresh_from_db()
    assert unit.external_id == "U1" and unit.external_source == "sales" and str(unit.area) == "90.00"


def test_a_client_of_project_a_cannot_write_project_b(system, sales):
    Project.objects.create(code="hill", name="山景苑", external_source="sales", external_id="P2")
    bulk(sales, "buildings", [{"external_id": "B2", "project": "P2", "name": "2栋"}])
    lake = system(projects=[Project.objects.get(code="lake")], source="sales")  # another token, same source
    result = bulk(lake, "units", [{"external_id": "U7", "building": "B2", "number": "101", "area": "90"}]).json()
    assert result["results"][0]["status"] == "error" and result["results"][0]["field"] == "building"
    assert bulk(lake, "projects", [{"external_id": "P2", "code": "hill", "name": "改名"}]).json()[
        "results"][0]["status"] == "error"
    assert bulk(lake, "projects", [{"external_id": "P3", "code": "new", "name": "新盘"}]).json()[
        "results"][0]["status"] == "error"
    assert Project.objects.get(code="hill").name == "山景苑" and not Project.objects.filter(code="new").exists()


def test_more_than_1000_records_are_refused(sales):
    response = bulk(sales, "units", [{"external_id": str(i)} for i in range(1001)])
    assert response.status_code == 400 and not Unit.objects.exists()


@pytest.mark.parametrize("bad", ["名\x00称", "\ud856"])
def test_a_value_no_database_can_keep_is_refused_with_nothing_written(system, bad):
    """Found by schemathesis on PostgreSQL: a NUL (or half a surrogate pair) in a record was a 500
    from the write; it is a 400 in Chinese, and nothing is written, with or without a key."""
    from owners.models import Project

    caller = system(all_projects=True, scopes=["projects:write"])
    before = Project.objects.count()
    for headers in ({}, {"HTTP_IDEMPOTENCY_KEY": "k-1"}):
        response = caller.post(reverse("api:projects_bulk"),
                               {"records": [{"external_id": "P-9", "code": "p9", "name": bad}]}, **headers)
        assert response.status_code == 400
        assert "无法保存的字符" in response.json()["detail"]
    assert Project.objects.count() == before


@pytest.mark.parametrize("body, detail", [
    (b'{"records": [', "请求体不是有效的 JSON：第 1 行第 14 列有误。"),
    (b'{"records": [{"external_id": "P-9",\n "code": "p9" "name": "x"}]}', "请求体不是有效的 JSON：第 2 行第 15 列有误。"),
    ('{"records": [{"name": "湖"}]}'.encode("gbk"), "请求体应为 UTF-8 编码的 JSON。"),
    (b'{"records": [{"external_id": "P-9", "code": "p9", "name": "x", "area": NaN}]}',
     "请求体不是有效的 JSON：不能含 NaN 或 Infinity。"),
    # A few kB of [[[…]]] raised RecursionError past DRF's parser: a 500 with the staff's HTML page.
    (b'{"records": [{"external_id": "P-9", "code": "p9", "name": ' + b"[" * 5000 + b"]" * 5000 + b"}]}",
     "请求体的 JSON 嵌套层数过多。"),
])
def test_a_body_that_is_not_json_is_a_400_saying_where_in_chinese_and_writes_nothing(system, body, detail):
    """DRF's own answer was English ("JSON parse error - Expecting value: line 1 column 14 (char 13)")."""
    caller = system(all_projects=True, scopes=["projects:write"])
    before = list(Project.objects.values_list("pk", "code", "name"))
    for headers in ({}, {"HTTP_IDEMPOTENCY_KEY": "k-1"}):
        response = caller.http.post(reverse("api:projects_bulk"), body, content_type="application/json",
                                    **caller.auth, **headers)
        assert response.status_code == 400
        assert response.json() == {"detail": detail}
    assert list(Project.objects.values_list("pk", "code", "name")) == before


@pytest.mark.parametrize("flag", ["false", "true", 0, 1, None, []])
def test_all_or_nothing_that_is_not_a_json_boolean_is_refused_and_writes_nothing(sales, flag):
    """It was read with bool(): "false" turned all-or-nothing on, 0 and null off, without a word."""
    records = GOOD_AND_BAD
    response = bulk(sales, "units", records, all_or_nothing=flag)
    assert response.status_code == 400
    assert response.json() == {"all_or_nothing": ["all_or_nothing 应为 true 或 false（JSON 布尔值）。"]}
    assert not Unit.objects.exists()


def test_an_idempotency_key_used_on_another_endpoint_is_a_409_not_the_other_answer(sales):
    """The key kept only the body's fingerprint: the same key and body sent to buildings/bulk/
    after customers/bulk/ replayed the customers' results ("created"), and no building was written."""
    records = [{"external_id": "X1", "project": "P1", "name": "2栋", "phone": "13900001111"}]
    assert bulk(sales, "customers", records, key="k-7").json()["counts"]["created"] == 1
    response = bulk(sales, "buildings", records, key="k-7")
    assert response.status_code == 409
    assert response.json() == {"detail": "该 Idempotency-Key 已用于另一个请求。"}
    assert list(Building.objects.filter(external_source="sales").values_list("external_id", "name")) == [("B1", "1栋")]
    assert list(Customer.objects.values_list("external_id", "name")) == [("X1", "2栋")]
    again = bulk(sales, "customers", records, key="k-7")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"


def test_a_field_the_record_does_not_have_is_an_error_not_silently_dropped(sales):
    """A misspelt field ("delivery_dat") was ignored and the record reported "unchanged"."""
    bulk(sales, "units", [{"external_id": "U1", "building": "B1", "number": "101", "area": "90"}])
    response = bulk(sales, "units", [{"external_id": "U1", "building": "B1", "number": "101", "area": "95",
                                      "delivery_dat": "2027-06-30"}])
    assert response.status_code == 200
    assert response.json()["results"] == [{
        "external_id": "U1", "status": "error", "id": None, "field": "delivery_dat",
        "message": "记录中有未知字段 delivery_dat；可用字段：external_id、building、number、floor、area、layout、"
                   "delivery_date。"}]
    assert list(Unit.objects.values_list("external_id", "area", "delivery_date")) == [("U1", Decimal("90.00"), None)]


@pytest.mark.parametrize("field, value, message", [
    ("delivery_date", "2027-02-30", "交付日期（delivery_date）的取值“2027-02-30”无效：应为存在的日期，格式 YYYY-MM-DD，如 2026-06-30。"),
    ("delivery_date", "2027/06/30", "交付日期（delivery_date）的取值“2027/06/30”无效：应为存在的日期，格式 YYYY-MM-DD，如 2026-06-30。"),
    # DRF took these though the schema says YYYY-MM-DD
    ("delivery_date", "2027-6-30", "交付日期（delivery_date）的取值“2027-6-30”无效：应为存在的日期，格式 YYYY-MM-DD，如 2026-06-30。"),
    ("delivery_date", "20270630", "交付日期（delivery_date）的取值“20270630”无效：应为存在的日期，格式 YYYY-MM-DD，如 2026-06-30。"),
    ("area", 89.555, "建筑面积(㎡)（area）的取值“89.555”无效：应为数字，整数部分最多 6 位、小数最多 2 位，不小于 0。"),
    ("area", "-1", "建筑面积(㎡)（area）的取值“-1”无效：应为数字，整数部分最多 6 位、小数最多 2 位，不小于 0。"),
    ("floor", True, "楼层（floor）的取值“true”无效：应为 -10 到 300 之间的整数。"),
    ("floor", 5.5, "楼层（floor）的取值“5.5”无效：应为 -10 到 300 之间的整数。"),
    ("number", ["101"], "房号（number）的取值“[\"101\"]”无效：应为文字（JSON 字符串）。"),
])
def test_a_value_of_the_wrong_type_or_format_says_what_the_field_takes(sales, field, value, message):
    """The refusal said only "的取值…无效。": the sender had to guess the date format, the decimals, the range."""
    record = {"external_id": "U1", "building": "B1", "number": "101", "area": "90", field: value}
    response = bulk(sales, "units", [record])
    assert response.status_code == 200
    assert response.json()["results"] == [{"external_id": "U1", "status": "error", "id": None, "field": field,
                                           "message": message}]
    assert not Unit.objects.exists()


def test_spaces_around_an_external_id_do_not_make_a_second_record(sales):
    """The parent's id was trimmed (" P1" found P1) but the record's own was not: "C1 " created a
    second customer beside C1, and "C1" and "C1 " in one call were two records."""
    first = bulk(sales, "customers", [{"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111"}])
    c1 = Customer.objects.get()
    response = bulk(sales, "customers", [
        {"external_id": "C1 ", "project": " P1", "name": "李四", "phone": "13900001111"},
        {"external_id": " C1", "project": "P1", "name": "李四四", "phone": "13900001111"}])
    assert first.json()["counts"]["created"] == 1
    assert response.json()["results"] == [
        {"external_id": "C1", "status": "unchanged", "id": c1.pk},
        {"external_id": "C1", "status": "error", "id": None, "field": "external_id", "message": "同一次调用中外部编号重复。"}]
    assert list(Customer.objects.values_list("pk", "external_id", "name")) == [(c1.pk, "C1", "李四")]


def test_a_misspelt_all_or_nothing_is_refused_not_ignored(sales):
    """{"allOrNothing": true} was ignored: the good records were written though the sender asked
    for all or nothing."""
    records = GOOD_AND_BAD
    response = bulk(sales, "units", records, allOrNothing=True)
    assert response.status_code == 400
    assert response.json() == {"allOrNothing": ["未知字段；请求体只有 records 和 all_or_nothing。"]}
    assert not Unit.objects.exists()


def test_a_body_over_the_size_limit_is_a_413_in_json_and_writes_nothing(sales, settings):
    """It was Django's English HTML page "Bad Request (400)"."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    records = [{"external_id": f"U{i}", "building": "B1", "number": f"{i}", "area": "90", "layout": "x" * 40}
               for i in range(1000)]
    body = json.dumps({"records": records}).encode() + b" " * (1024 * 1024)
    response = sales.http.post(reverse("api:units_bulk"), body, content_type="application/json", **sales.auth)
    assert response.status_code == 413
    assert response.json() == {"detail": "请求体超过 1 MB，请分批发送（每次最多 1,000 条记录）。"}
    assert not Unit.objects.exists()


def _ten_years_on() -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year + 10, day=28 if (today.month, today.day) == (2, 29) else today.day)


@pytest.mark.parametrize("resource, field", [("projects", "first_movein_date"), ("units", "delivery_date"),
                                             ("ownerships", "contract_date"), ("ownerships", "movein_date")])
def test_a_date_no_real_record_can_have_is_refused_and_the_bounds_are_taken(sales, resource, field):
    """1900-01-01 and 9999-12-31 were stored: a unit delivered on 9999-12-31 made every warranty
    end computed from it a 500 on the staff's pages (year 10004). A day from 1980-01-01 to ten
    years ahead is taken, one outside is refused with the range, and nothing is written."""
    latest = _ten_years_on()
    bulk(sales, "units", [{"external_id": "U1", "building": "B1", "number": "101", "area": "90"}])
    bulk(sales, "customers", [{"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111"}])
    base = {"projects": {"external_id": "P1", "code": "lake", "name": "湖畔花园"},
            "units": {"external_id": "U1", "building": "B1", "number": "101", "area": "90"},
            "ownerships": {"external_id": "O1", "customer": "C1", "unit": "U1"}}[resource]
    model = {"projects": Project, "units": Unit, "ownerships": Ownership}[resource]
    before = list(model.objects.values_list(field, flat=True))
    for day in ("1900-01-01", "1979-12-31", str(latest + dt.timedelta(days=1)), "9999-12-31"):
        response = bulk(sales, resource, [{**base, field: day}])
        assert response.status_code == 200
        result = response.json()["results"][0]
        assert result["status"] == "error" and result["field"] == field, result
        assert result["message"].endswith(f"的取值“{day}”不可能：应在 1980-01-01 到 {latest} 之间。"), result
        assert list(model.objects.values_list(field, flat=True)) == before
    for day in ("1980-01-01", str(latest)):
        response = bulk(sales, resource, [{**base, field: day}])
        assert response.json()["results"][0]["status"] in ("created", "updated"), response.json()
        assert str(model.objects.get(external_id=base["external_id"]).__dict__[field]) == day


def test_a_building_unit_or_customer_does_not_move_to_another_project_through_the_api(sales):
    """A building sent under another project moved alone: its units kept the old project
    (Unit.project), so the next ownership of its units was refused as "not of one project"; a unit
    or a customer moved left its ownerships and cases in the old project. Refused, nothing written."""
    bulk(sales, "projects", [{"external_id": "P2", "code": "hill", "name": "山景苑"}])
    bulk(sales, "buildings", [{"external_id": "B2", "project": "P2", "name": "1栋"}])
    bulk(sales, "units", [{"external_id": "U1", "building": "B1", "number": "101", "area": "90"}])
    bulk(sales, "customers", [{"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111"}])
    assert bulk(sales, "ownerships", [{"external_id": "O1", "customer": "C1", "unit": "U1"}]).json()["counts"][
        "created"] == 1
    lake, hill = Project.objects.get(code="lake"), Project.objects.get(code="hill")

    def rows():
        return (list(Building.objects.order_by("pk").values_list("external_id", "project_id", "name")),
                list(Unit.objects.values_list("external_id", "building_id", "project_id")),
                list(Customer.objects.values_list("external_id", "project_id", "name")),
                Building.history.count() + Unit.history.count() + Customer.history.count())

    before = rows()
    for resource, record, field in (
            ("buildings", {"external_id": "B1", "project": "P2", "name": "1栋"}, "project"),
            ("units", {"external_id": "U1", "building": "B2", "number": "101", "area": "90"}, "building"),
            ("customers", {"external_id": "C1", "project": "P2", "name": "李四", "phone": "13900001111"}, "project")):
        response = bulk(sales, resource, [record])
        assert response.status_code == 200
        result = response.json()["results"][0]
        assert result["status"] == "error" and result["field"] == field, result
        assert "已属于另一个项目，不能通过接口移到其他项目" in result["message"]
    assert rows() == before
    assert Unit.objects.get(external_id="U1").project == lake != hill
    # within its own project a unit still moves to another building
    bulk(sales, "buildings", [{"external_id": "B3", "project": "P1", "name": "3栋"}])
    moved = bulk(sales, "units", [{"external_id": "U1", "building": "B3", "number": "101", "area": "90"}])
    assert moved.json()["results"][0]["status"] == "updated"
    assert Unit.objects.get(external_id="U1").building.name == "3栋"


# Each optional field of the records whose column may be blank: (resource, the record, the field,
# a stored value that null then clears). The record's other fields are valid.
NULL_AS_BLANK = [
    ("projects", {"external_id": "P1", "code": "lake", "name": "湖畔花园"}, "address", "湖畔路 1 号"),
    ("units", {"external_id": "U1", "building": "B1", "number": "101", "area": "90"}, "layout", "三室两厅"),
    ("customers", {"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111"}, "gender", "F"),
    ("customers", {"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111"}, "phone_alt",
     "13900002222"),
    ("customers", {"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111"}, "id_number",
     "11010519491231002X"),
    ("customers", {"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111"}, "email",
     "li@example.com"),
]
MODELS = {"projects": Project, "units": Unit, "customers": Customer, "ownerships": Ownership}


@pytest.mark.parametrize("resource, record, field, stored", NULL_AS_BLANK,
                         ids=[f"{r}.{f}" for r, _rec, f, _s in NULL_AS_BLANK])
def test_null_in_an_optional_text_or_menu_is_no_value_on_create_and_clears_on_update(sales, resource, record,
                                                                                      field, stored):
    """"gender": null was an error ("请填写性别（gender）") though gender is optional: a sender's
    unset value is null. Null is now no value, as "" is: a new record stores blank, a stored value
    is cleared."""
    model = MODELS[resource]
    if resource == "projects":  # the fixture's project: null on an update of it
        response = bulk(sales, resource, [{**record, field: stored}])
        assert response.json()["results"][0]["status"] == "updated"
    else:
        created = bulk(sales, resource, [{**record, field: None}]).json()
        assert created["results"][0]["status"] == "created", created
        assert model.objects.filter(external_id=record["external_id"]).values_list(field, flat=True).get() == ""
        assert bulk(sales, resource, [{**record, field: stored}]).json()["results"][0]["status"] == "updated"
    assert model.objects.filter(external_id=record["external_id"]).values_list(field, flat=True).get() == stored
    cleared = bulk(sales, resource, [{**record, field: None}]).json()
    assert cleared["results"][0]["status"] == "updated", cleared
    assert model.objects.filter(external_id=record["external_id"]).values_list(field, flat=True).get() == ""
    assert bulk(sales, resource, [{**record, field: None}]).json()["results"][0]["status"] == "unchanged"


@pytest.mark.parametrize("resource, record, field", [
    ("customers", {"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111"}, "stage"),
    ("customers", {"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111"}, "source"),
])
def test_null_in_a_menu_that_has_a_default_is_refused_saying_to_leave_it_out(sales, resource, record, field):
    """stage and source cannot be blank: null is refused (as the schema says: not nullable), with a
    message that says what to do rather than "请填写" for an optional field; nothing is written."""
    result = bulk(sales, resource, [{**record, field: None}]).json()["results"][0]
    assert result["status"] == "error" and result["field"] == field
    assert result["message"].endswith(f"（{field}）不能为 null：不改时请不发送该字段（新记录取默认值）。")
    assert not Customer.objects.exists()


def test_null_in_an_ownerships_kind_is_refused_and_writes_nothing(sales):
    bulk(sales, "units", [{"external_id": "U1", "building": "B1", "number": "101", "area": "90"}])
    bulk(sales, "customers", [{"external_id": "C1", "project": "P1", "name": "李四", "phone": "13900001111"}])
    result = bulk(sales, "ownerships", [{"external_id": "O1", "customer": "C1", "unit": "U1", "kind": None}]).json()
    assert result["results"][0] == {"external_id": "O1", "status": "error", "id": None, "field": "kind",
                                    "message": "关系（kind）不能为 null：不改时请不发送该字段（新记录取默认值）。"}
    assert not Ownership.objects.exists()


def test_the_schema_says_which_optional_fields_take_null(client):
    """Every optional field of the records says whether it takes null, and those that do are the
    ones the API takes it for."""
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()["components"]["schemas"]

    def nullable(prop):
        return prop.get("nullable") is True or any(
            "NullEnum" in one.get("$ref", "") for one in prop.get("oneOf", []))

    takes_null = {f"{name}.{field}" for name, component in schema.items() if name.endswith("InRequest")
                  for field, prop in component["properties"].items() if nullable(prop)}
    assert takes_null == {
        "ProjectInRequest.address", "ProjectInRequest.first_movein_date", "UnitInRequest.floor",
        "UnitInRequest.layout", "UnitInRequest.delivery_date", "CustomerInRequest.gender",
        "CustomerInRequest.phone_alt", "CustomerInRequest.id_number", "CustomerInRequest.email",
        "CustomerInRequest.confirm_duplicate",
        "OwnershipInRequest.contract_date", "OwnershipInRequest.movein_date"}
