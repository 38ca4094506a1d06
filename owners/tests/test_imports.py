import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from owners import imports
from owners.models import Customer, Ownership, Unit
from owners.validators import id_checksum

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "性别", "手机", "身份证号", "所属项目", "客户阶段", "客户来源", "保密服务"]


def valid_id(n: int) -> str:
    first = f"11010119800101{n % 1000:03d}"
    return first + id_checksum(first)


def xlsx(headers, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def customer_rows(n):
    return [[f"客户{i}", "男", f"137{i:08d}", valid_id(i), "sunshine", "签约客户", "朋友介绍", "否"] for i in range(n)]


def test_a_thousand_row_import_with_three_bad_rows_writes_nothing_and_names_the_rows(make_user, demo):
    admin = make_user("admin")
    rows = customer_rows(1000)
    rows[10][2] = "12345"  # bad phone -> spreadsheet row 12
    rows[500][3] = rows[500][3][:-1] + ("0" if rows[500][3][-1] != "0" else "1")  # bad checksum -> row 502
    rows[998][4] = "不存在的项目"  # unknown project -> row 1000
    before = Customer.objects.count()
    report = imports.run_import("customers", imports.read_dataset(io.BytesIO(xlsx(HEADERS, rows))), user=admin,
                                dry_run=False)
    assert report.bad_rows == [12, 502, 1000]
    messages = dict(report.errors)
    assert "手机" in messages[12] and "校验位" in messages[502] and "不存在的项目" in messages[1000]
    assert Customer.objects.count() == before


def test_a_valid_import_writes_customers_with_codes_and_history(make_user, demo):
    admin = make_user("admin")
    report = imports.run_import("customers", imports.read_dataset(io.BytesIO(xlsx(HEADERS, customer_rows(5)))),
                                user=admin, dry_run=False)
    assert report.ok and report.new == 5
    imported = Customer.objects.filter(name__startswith="客户")
    assert imported.count() == 5
    for customer in imported:
        assert customer.code.startswith("C")
        record = customer.history.get()
        assert record.history_type == "+" and record.history_user == admin
    assert len(set(imported.values_list("code", flat=True))) == 5


def test_a_preview_writes_nothing(make_user, demo):
    admin = make_user("admin")
    before = Customer.objects.count()
    report = imports.run_import("customers", imports.read_dataset(io.BytesIO(xlsx(HEADERS, customer_rows(3)))),
                                user=admin, dry_run=True)
    assert report.ok and report.new == 3
    assert Customer.objects.count() == before


def test_units_and_ownerships_import(make_user, demo):
    admin = make_user("admin")
    units = xlsx(["项目", "楼栋", "房号", "楼层", "建筑面积", "户型", "交付日期"],
                 [["sunshine", "9栋", "9-101", 1, 88.5, "两室", "2024-01-01"]])
    report = imports.run_import("units", imports.read_dataset(io.BytesIO(units)), user=admin, dry_run=False)
    assert report.ok, report.errors
    unit = Unit.objects.get(number="9-101")
    assert unit.building.name == "9栋" and unit.history.count() == 1
    liu = Customer.objects.get(name="刘建国")
    links = xlsx(["客户编码", "项目", "楼栋", "房号", "关系", "签约日期"],
                 [[liu.code, "sunshine", "9栋", "9-101", "租户", "2024-02-01"],
                  ["C999999", "sunshine", "9栋", "9-101", "业主", ""]])
    report = imports.run_import("ownerships", imports.read_dataset(io.BytesIO(links)), user=admin, dry_run=False)
    assert report.bad_rows == [3]
    assert report.errors == [(3, "客户编码：没有客户编码“C999999”")]
    assert not Ownership.objects.filter(unit=unit).exists()
    report = imports.run_import("ownerships", imports.read_dataset(io.BytesIO(xlsx(
        ["客户编码", "项目", "楼栋", "房号", "关系", "签约日期"], [[liu.code, "阳光花园", "9栋", "9-101", "租户", "2024-02-01"]]
    ))), user=admin, dry_run=False)
    assert report.ok and report.new == 1
    link = Ownership.objects.get(unit=unit)
    assert (link.customer, link.kind, link.contract_date.isoformat()) == (liu, "tenant", "2024-02-01")
    assert [(h.history_type, h.history_user) for h in link.history.all()] == [("+", admin)]


def test_upload_limits_refuse_big_files_and_zip_bombs(settings):
    settings.UPLOAD_MAX_BYTES = 100
    big = SimpleUploadedFile("a.xlsx", b"PK\x03\x04" + b"0" * 200)
    with pytest.raises(Exception, match="过大"):
        imports.check_upload(big)
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    settings.XLSX_MAX_EXPANDED_BYTES = 1000
    data = xlsx(HEADERS, customer_rows(50))
    with pytest.raises(Exception, match="解压后过大"):
        imports.check_upload(SimpleUploadedFile("a.xlsx", data))
    with pytest.raises(Exception, match="xlsx"):
        imports.check_upload(SimpleUploadedFile("a.csv", b"a,b"))


def test_import_page_previews_then_confirms(as_role):
    client = as_role("admin")
    upload = SimpleUploadedFile("c.xlsx", xlsx(HEADERS, customer_rows(2)))
    response = client.post(reverse("owners:import"), {"kind": "customers", "file": upload})
    body = response.content.decode()
    assert 'data-testid="import-preview"' in body
    assert not Customer.objects.filter(name="客户0").exists()
    token = response.context["token"]
    response = client.post(reverse("owners:import"), {"kind": "customers", "token": token})
    assert response.status_code == 302
    assert Customer.objects.filter(name__in=["客户0", "客户1"]).count() == 2


# --- Identifying columns agree with the record they refer to (issue 13, defect 7) -------------


def upload_through_page(client, kind, headers, rows):
    """The admin previews ``rows`` on the import page; returns the page text and the token."""
    response = client.post(reverse("owners:import"), {"kind": kind, "file": SimpleUploadedFile("i.xlsx",
                                                                                               xlsx(headers, rows))})
    assert response.status_code == 200
    return response.content.decode(), response.context["token"]


def customer_state():
    return list(Customer.objects.order_by("pk").values("pk", "code", "name", "phone", "id_number", "project_id"))


@pytest.fixture
def known(demo):
    """A demo customer with an ID number on file, and the page's headers for a customer row of it."""
    customer = Customer.objects.exclude(id_number="").select_related("project").order_by("pk").first()
    return customer, ["客户编码", "姓名", "手机", "身份证号", "所属项目"]


def refused(body, token, *expected):
    assert 'data-testid="import-errors"' in body and "整个文件未导入" in body and not token
    for text in expected:
        assert text in body, text


def test_a_known_phone_with_another_persons_name_is_refused_and_nothing_changes(as_role, known):
    customer, headers = known
    client, before = as_role("admin"), customer_state()
    body, token = upload_through_page(client, "customers", headers, [
        ["", "查无此人", customer.phone, "", customer.project.code]])
    refused(body, token, "第 2 行", f"姓名：姓名“查无此人”与手机 {customer.phone[:3]}****", f"（应为“{customer.name}”）")
    assert customer_state() == before


def test_a_known_phone_with_another_id_number_is_refused(as_role, known):
    customer, headers = known
    client, before = as_role("admin"), customer_state()
    body, token = upload_through_page(client, "customers", headers, [
        ["", customer.name, customer.phone, valid_id(777), customer.project.code]])
    refused(body, token, "第 2 行", "身份证号：身份证号“110***********", "与手机")
    assert customer.id_number not in body
    assert customer_state() == before


def test_a_customer_code_that_is_not_the_phones_customer_is_refused(as_role, known):
    customer, headers = known
    other = Customer.objects.exclude(pk=customer.pk).order_by("pk").first()
    client, before = as_role("admin"), customer_state()
    body, token = upload_through_page(client, "customers", headers, [
        [other.code, customer.name, customer.phone, "", customer.project.code],
        [customer.code, "新客户", "13712345678", "", customer.project.code]])
    refused(body, token, "第 2 行", f"客户编码：客户编码“{other.code}”", f"（应为“{customer.code}”）",
            "第 3 行", "该手机号没有已建档客户")
    assert customer_state() == before


def test_a_blank_or_masked_id_number_of_a_known_customer_is_no_mismatch_and_keeps_the_id(as_role, known):
    from owners.masking import mask_id

    customer, headers = known
    on_file = customer.id_number
    client = as_role("admin")
    body, token = upload_through_page(client, "customers", headers, [
        [customer.code, customer.name, customer.phone, mask_id(on_file), customer.project.code]])
    assert 'data-testid="import-preview"' in body and token
    client.post(reverse("owners:import"), {"kind": "customers", "token": token})
    assert Customer.objects.get(pk=customer.pk).id_number == on_file
    body, token = upload_through_page(client, "customers", headers[1:], [
        [customer.name, customer.phone, "", customer.project.code]])
    assert token
    client.post(reverse("owners:import"), {"kind": "customers", "token": token})
    assert Customer.objects.get(pk=customer.pk).id_number == customer.id_number


def test_an_ownership_row_whose_name_is_not_the_codes_customer_is_refused(as_role, known):
    customer, _ = known
    unit = Unit.objects.select_related("building", "project").order_by("pk").first()
    client = as_role("admin")
    links_before = list(Ownership.objects.order_by("pk").values())
    headers = ["客户编码", "姓名", "项目", "楼栋", "房号", "关系"]
    body, token = upload_through_page(client, "ownerships", headers, [
        [customer.code, "查无此人", unit.project.code, unit.building.name, unit.number, "租户"],
        [customer.code, customer.name, unit.project.code, "99栋", unit.number, "租户"]])
    refused(body, token, "第 2 行", f"姓名：姓名“查无此人”与客户编码 {customer.code} 不符（应为“{customer.name}”）",
            "第 3 行", "找不到该房号")
    assert list(Ownership.objects.order_by("pk").values()) == links_before
    body, token = upload_through_page(client, "ownerships", headers, [
        [customer.code, "", unit.project.code, unit.building.name, unit.number, "租户"]])
    assert token, body  # a blank 姓名 is no mismatch


def test_dates_that_have_not_happened_or_go_backwards_are_refused_by_line(as_role, known):
    """Issue 13, defect 6 (class): a date a file states as having happened is not in the future,
    and one moves in after signing; the whole file is refused and nothing changes."""
    import datetime as dt

    from django.utils import timezone

    customer, headers = known
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    client, before = as_role("admin"), customer_state()
    body, token = upload_through_page(client, "customers", headers + ["出生日期"], [
        [customer.code, customer.name, customer.phone, "", customer.project.code, tomorrow]])
    refused(body, token, "第 2 行", "出生日期：出生日期不能晚于今天。")
    assert customer_state() == before

    unit = Unit.objects.select_related("building", "project").order_by("pk").first()
    links_before = list(Ownership.objects.order_by("pk").values())
    headers = ["客户编码", "项目", "楼栋", "房号", "关系", "签约日期", "入住日期"]
    place = [unit.project.code, unit.building.name, unit.number, "租户"]
    body, token = upload_through_page(client, "ownerships", headers, [
        [customer.code, *place, tomorrow, ""],
        [customer.code, *place, "2024-03-01", "2024-02-01"],
        [customer.code, *place, "2024-03-01", tomorrow]])
    refused(body, token, "第 2 行", "签约日期：签约日期不能晚于今天。",
            "第 3 行", "入住日期：入住日期不能早于签约日期（2024-03-01）。",
            "第 4 行", "入住日期：入住日期不能晚于今天。")
    assert list(Ownership.objects.order_by("pk").values()) == links_before
    body, token = upload_through_page(client, "ownerships", headers, [
        [customer.code, *place, "2024-03-01", "2024-03-01"]])
    assert token, body  # moving in on the day of signing is fine


def test_an_error_after_an_empty_row_names_its_own_spreadsheet_line(as_role, known):
    """The owners' import and the overdue list read the sheet and number the lines the same way
    (crm.imports): an empty row in the middle is skipped but still counted."""
    customer, headers = known
    client, before = as_role("admin"), customer_state()
    body, token = upload_through_page(client, "customers", headers, [
        ["", "新客户甲", "13712340001", "", customer.project.code],
        [None] * len(headers),
        ["", "新客户乙", "12345", "", customer.project.code]])
    refused(body, token, "第 4 行：手机")
    assert "第 3 行" not in body
    assert customer_state() == before


def test_the_import_takes_the_apis_external_ids_and_finds_a_record_by_them(make_user, demo):
    admin = make_user("admin")
    headers = ["项目", "楼栋", "房号", "建筑面积", "外部系统", "外部编号"]
    first = xlsx(headers, [["sunshine", "9栋", "9-101", 88.5, "sales", "U-9101"]])
    assert imports.run_import("units", imports.read_dataset(io.BytesIO(first)), user=admin, dry_run=False).ok
    unit = Unit.objects.get(external_source="sales", external_id="U-9101")
    assert unit.number == "9-101"
    renumbered = xlsx(headers, [["sunshine", "9栋", "9-102", 90, "sales", "U-9101"]])
    report = imports.run_import("units", imports.read_dataset(io.BytesIO(renumbered)), user=admin, dry_run=False)
    assert report.ok and report.updated == 1 and report.new == 0
    unit.refresh_from_db()
    assert unit.number == "9-102" and str(unit.area) == "90.00"
    half = xlsx(headers, [["sunshine", "9栋", "9-103", 90, "", "U-9103"]])
    report = imports.run_import("units", imports.read_dataset(io.BytesIO(half)), user=admin, dry_run=False)
    assert report.bad_rows == [2] and "外部系统和外部编号须同时填写" in report.errors[0][1]
    assert not Unit.objects.filter(number="9-103").exists()


def test_a_delivery_or_contract_date_no_real_record_can_have_is_refused_and_nothing_is_written(make_user, demo):
    """The imports take the master data's dates under the API's rule (owners.validators
    .validate_master_date): 9999-12-31 stored as a unit's delivery date made every warranty end
    computed from it a 500 on the staff's pages; 1900-01-01 is a typo. The rows are named, the
    file is not imported; the bounds themselves are taken."""
    import datetime as dt

    from django.utils import timezone

    from owners.validators import master_date_latest

    admin = make_user("admin")
    headers = ["项目", "楼栋", "房号", "楼层", "建筑面积", "户型", "交付日期"]
    latest = master_date_latest()
    rows = [["sunshine", "9栋", "9-101", 1, 88.5, "两室", "9999-12-31"],
            ["sunshine", "9栋", "9-102", 1, 88.5, "两室", "1900-01-01"],
            ["sunshine", "9栋", "9-103", 1, 88.5, "两室", (latest + dt.timedelta(days=1)).isoformat()]]
    report = imports.run_import("units", imports.read_dataset(io.BytesIO(xlsx(headers, rows))), user=admin,
                                dry_run=False)
    assert report.bad_rows == [2, 3, 4]
    assert all(f"交付日期：日期应在 1980-01-01 到 {latest.isoformat()} 之间。" in message
               for _row, message in report.errors), report.errors
    assert not Unit.objects.filter(number__in=["9-101", "9-102", "9-103"]).exists()

    rows = [["sunshine", "9栋", "9-101", 1, 88.5, "两室", "1980-01-01"],
            ["sunshine", "9栋", "9-102", 1, 88.5, "两室", latest.isoformat()]]
    report = imports.run_import("units", imports.read_dataset(io.BytesIO(xlsx(headers, rows))), user=admin,
                                dry_run=False)
    assert report.ok, report.errors
    assert sorted(Unit.objects.filter(number__in=["9-101", "9-102"]).values_list("delivery_date", flat=True)) == [
        dt.date(1980, 1, 1), latest]

    liu = Customer.objects.get(name="刘建国")
    links = xlsx(["客户编码", "项目", "楼栋", "房号", "关系", "签约日期"],
                 [[liu.code, "sunshine", "9栋", "9-101", "租户", "1900-01-01"]])
    report = imports.run_import("ownerships", imports.read_dataset(io.BytesIO(links)), user=admin, dry_run=False)
    assert report.bad_rows == [2] and "签约日期：日期应在 1980-01-01" in report.errors[0][1], report.errors
    assert not Ownership.objects.filter(unit__number="9-101", customer=liu).exists()
    assert timezone.localdate() < latest
