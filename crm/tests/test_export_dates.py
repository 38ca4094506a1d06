"""Dates stay dates in every export, whatever the rows the writer peeks at first.

The fast writer decides a column's number format before writing (rust_xlsxwriter formats a
column, not a cell): it used to read the kind of a column from its first non-empty value among the
first PEEK_ROWS rows, so a date column blank in those rows (撤销担保, 出证日期, 完工日期 … of the
newest records) showed its later dates as date-times (2026-01-05 00:00). A register now declares
its date columns (``DateColumn``), and a test over the demo keeps every register honest."""
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from crm import exports
from crm.exports import REGISTERS, Column, DateColumn, write_xlsx, write_xlsx_python


@pytest.mark.parametrize("writer", [write_xlsx, write_xlsx_python])
def test_a_date_column_blank_in_the_first_rows_writes_its_later_dates_as_dates(tmp_path, writer):
    rows = [(None, None)] * (exports.PEEK_ROWS + 5) + [(dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 9, 30))]
    path = tmp_path / "d.xlsx"
    assert writer(path, "日期", [DateColumn("撤销担保", lambda r: r[0]), Column("时间", lambda r: r[1])], rows) == len(rows)
    last = list(openpyxl.load_workbook(path).active.iter_rows())[-1]
    assert last[0].is_date and last[0].value == dt.datetime(2026, 1, 5) and last[0].number_format == "yyyy-mm-dd"
    assert last[1].is_date and last[1].value == dt.datetime(2026, 1, 5, 9, 30)
    assert last[1].number_format == "yyyy-mm-dd hh:mm"


@pytest.mark.django_db
def test_every_register_declares_each_column_that_holds_dates(demo):
    """A column that gives a date for any demo row is a DateColumn, and a DateColumn gives only
    dates or blanks (a number or a date-time in it would be shown as a bare date)."""
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="admin")
    seen = set()
    for code, reg in sorted(REGISTERS.items()):
        if code.startswith("test-"):
            continue
        columns = reg.columns(admin)
        for row in reg.rows(admin, {}):
            for column in columns:
                value = column.value(row)
                if type(value) is dt.date:
                    assert column.kind == "date", (code, column.header)
                    seen.add(code)
                if column.kind == "date":
                    assert value is None or value == "" or type(value) is dt.date, (code, column.header, value)
    assert {"mortgage-certificates", "mortgage-overdue", "mortgage-loans", "liaison-repairs",
            "owners-customers", "clubs-forums"} <= seen


@pytest.mark.django_db
def test_the_certificate_register_shows_release_dates_as_dates_after_cases_not_yet_released(as_role, monkeypatch):
    """Finance exports the register: the first case is not released yet (the writer peeks at one
    row here, as it peeks at 200 in a register of thousands), a later one is."""
    from mortgage.models import TitleCertificateCase

    monkeypatch.setattr(exports, "PEEK_ROWS", 1)
    response = as_role("finance").get(reverse("crm:export_register", args=["mortgage-certificates"]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == TitleCertificateCase.objects.count() and rows[0][header.index("撤销担保")].value is None
    released = [r[header.index("撤销担保")] for r in rows if r[header.index("撤销担保")].value is not None]
    assert released and all(c.is_date and c.number_format == "yyyy-mm-dd" for c in released)
    assert {c.value.date() for c in released} == set(
        TitleCertificateCase.objects.filter(released_on__isnull=False).values_list("released_on", flat=True))
