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
