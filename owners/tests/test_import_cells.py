"""A cell the import cannot read (a date that does not exist, a number written in words) is named
by line and column in Chinese, and nothing is written: django-import-export's own messages
(“Value could not be parsed using defined formats.”) are English even on a Chinese page."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from owners.models import Customer, Ownership, Unit
from owners.tests.test_imports import HEADERS, customer_rows, xlsx

pytestmark = pytest.mark.django_db

UNIT_HEADERS = ["项目", "楼栋", "房号", "楼层", "建筑面积", "交付日期"]


def preview(client, kind, headers, rows):
    response = client.post(reverse("owners:import"), {"kind": kind, "file": SimpleUploadedFile("i.xlsx",
                                                                                               xlsx(headers, rows))})
    assert response.status_code == 200
    return response.content.decode(), response.context["token"]


def counts():
    return Customer.objects.count(), Unit.objects.count(), Ownership.objects.count()


def test_a_delivery_date_that_does_not_exist_and_numbers_in_words_are_named_in_chinese(as_role):
    client, before = as_role("admin"), counts()
    body, token = preview(client, "units", UNIT_HEADERS, [
        ["sunshine", "9栋", "9-101", 3, 90, "2024-01-31"],
        ["sunshine", "9栋", "9-102", 3, 90, "2024-02-30"],
        ["sunshine", "9栋", "9-103", "三", "九十", "2024-01-31"]])
    assert not token and "整个文件未导入" in body
    assert "第 3 行：交付日期：“2024-02-30”不是有效日期，请按“年-月-日”填写（如 2024-01-31）" in body
    assert "第 4 行：建筑面积：“九十”不是有效的数字；楼层：“三”不是有效的整数" in body
    assert "第 2 行" not in body and "parsed" not in body and "Enter a" not in body
    assert counts() == before


def test_a_birth_date_that_does_not_exist_is_named_in_chinese(as_role):
    client, before = as_role("admin"), counts()
    body, token = preview(client, "customers", HEADERS + ["出生日期"], [customer_rows(1)[0] + ["1990-13-01"]])
    assert not token and "第 2 行：出生日期：“1990-13-01”不是有效日期，请按“年-月-日”填写（如 2024-01-31）" in body
    assert "parsed" not in body and counts() == before


def test_dates_typed_with_slashes_or_as_excel_dates_are_read(as_role):
    import datetime as dt

    client = as_role("admin")
    body, token = preview(client, "units", UNIT_HEADERS, [
        ["sunshine", "9栋", "9-101", 3, 90, "2024/1/31"], ["sunshine", "9栋", "9-102", 3, 90, dt.date(2024, 2, 1)]])
    assert token, body
    client.post(reverse("owners:import"), {"kind": "units", "token": token})
    assert dict(Unit.objects.filter(building__name="9栋").values_list("number", "delivery_date")) == {
        "9-101": dt.date(2024, 1, 31), "9-102": dt.date(2024, 2, 1)}


def test_a_row_repeated_in_the_file_is_refused_by_line_in_every_import(as_role):
    """The overdue list refuses a loan listed twice; the customer, unit and ownership imports took
    the second row as an update of the first and reported 新增 1 条，更新 1 条."""
    from owners.models import Customer as C
    from owners.models import Unit as U

    client, before = as_role("admin"), counts()
    rows = customer_rows(2)
    body, token = preview(client, "customers", HEADERS, [rows[0], rows[1], rows[0]])
    assert not token and f"第 4 行：手机：手机号 {rows[0][2][:3]}****{rows[0][2][-4:]} 与第 2 行重复" in body
    unit = ["sunshine", "9栋", "9-101", 3, 90, "2024-01-31"]
    body, token = preview(client, "units", UNIT_HEADERS, [unit, unit])
    assert not token and "第 3 行：房号：sunshine 9栋 9-101 与第 2 行重复" in body
    known = U.objects.select_related("building__project").first()
    customer = C.objects.first()
    owner = [customer.code, known.building.project.code, known.building.name, known.number, "业主"]
    body, token = preview(client, "ownerships", ["客户编码", "项目", "楼栋", "房号", "关系"], [owner, owner])
    assert not token and "第 3 行：房号：" in body and "与第 2 行重复" in body
    assert counts() == before
