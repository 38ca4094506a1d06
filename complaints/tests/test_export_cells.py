"""Issue 14: the complaint register's export reads plain values on a raw cursor and converts its
cells a column at a time; the workbook must stay identical, cell by cell (value, type and number
format), to the one the export wrote before (main at 12f90f3: Django's values iterator with its
converters, then a dict of cells built cell by cell), copied below as the reference."""
import datetime as dt
from itertools import chain

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from rustpy_xlsxwriter import Format, write_worksheet

from complaints import registers, services
from complaints.models import Complaint, Kind, SlaClock, State
from complaints.registers import (CLOCK_COLUMNS, EXPORT_CHUNK, EXPORT_FIELDS, STEP_FIELDS, CaseRow, _name,
                                  _steps_of)
from crm.exports import PEEK_ROWS, REGISTERS, _SHEET_NAME_BAD, _fast_cell, _unique_headers, write_xlsx
from crm.sql import ids_in

pytestmark = pytest.mark.django_db


# --- The export before issue 14's raw reading (the reference) ---------------------------------

def _case_rows_before(chunk):
    _NO_CLOCK = (None, None, "")
    ids = [values[0] for values in chunk]
    clocks = {pk: {} for pk in ids}
    results = {}
    for case_id, code, deadline, met_at, state, estimated in SlaClock.objects.filter(
            ids_in("complaint_id", ids)).order_by().values_list(
            "complaint_id", "rule__code", "deadline", "met_at", "state", "estimated"):
        if state not in results:
            results[state] = SlaClock(state=state).result
        clocks[case_id][code] = (deadline, met_at, results[state], estimated)
    steps = _steps_of(ids)
    index = {name: EXPORT_FIELDS.index(name) for name in EXPORT_FIELDS}
    rows = []
    for values in chunk:
        pk = values[0]
        first, last, username = (values[index["first_responder__first_name"]],
                                 values[index["first_responder__last_name"]], values[index["first_responder__username"]])
        unit, building = values[index["unit__number"]], values[index["unit__building__name"]]
        own, cells = clocks[pk], []
        for code, _label in CLOCK_COLUMNS:
            cells += own.get(code, _NO_CLOCK)[:3]
        step = steps[pk]
        rows.append(CaseRow._make((
            *values, _name(first, last, username), f"{building}-{unit}" if unit else "",
            *(step[key] if isinstance(step[key], str) else "；".join(step[key]) for key in STEP_FIELDS),
            *cells, "、".join(str(label) for code, label in CLOCK_COLUMNS if own.get(code, _NO_CLOCK + (False,))[3]))))
    return rows


def _rows_before(reg, user):
    chunk = []
    for values in reg.queryset(user, {}).values_list(*EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(values)
        if len(chunk) == EXPORT_CHUNK:
            yield from _case_rows_before(chunk)
            chunk = []
    if chunk:
        yield from _case_rows_before(chunk)


def _write_before(target, title, columns, rows):
    tz = timezone.get_current_timezone()
    keys = _unique_headers(columns)
    pairs = list(zip(keys, [c.value for c in columns]))
    records = [{key: _fast_cell(getter(row), tz) for key, getter in pairs} for row in rows]
    date_only = {}
    for key in keys:
        first = next((r[key] for r in records[:PEEK_ROWS] if r[key] is not None), None)
        if type(first) is dt.date:
            date_only[key] = Format().set_num_format("yyyy-mm-dd")
    header = Format().set_bold().set_background_color("#DCE6F1").set_border("thin").set_text_wrap()
    write_worksheet(records, str(target), sheet_name=title[:31].translate(_SHEET_NAME_BAD), freeze_row=1,
                    header_format=header, column_widths=[float(c.width) for c in columns],
                    column_formats=date_only or None, datetime_format="yyyy-mm-dd hh:mm", autofilter=True)


def _cells(path):
    sheet = load_workbook(path).active
    return [[(c.value, c.data_type, c.number_format) for c in row] for row in sheet.iter_rows()]


# --- The data: nulls, dates, local times across midnight, choices, phones, Chinese text ---------

@pytest.fixture
def varied_cases(case_in, users):
    from property_liaison.models import PropertyCompany

    full = case_in(State.CORRECTED)  # plan, approval, rounds, corrective actions, met clocks
    invalid = case_in(State.REGISTERED)
    services.complaint_classify(complaint=invalid, user=users["cs_supervisor"], valid=False, reason="属市政停水，已解释")
    need = case_in(State.REPLIED, kind=Kind.NEED)  # a promised time and an answer
    bare = case_in(State.REGISTERED)
    # 00:30 in Shanghai is 16:30 UTC the day before: the cell must show the local date and time.
    midnight = timezone.make_aware(dt.datetime(2026, 3, 2, 0, 30, 15, 123456))
    company = PropertyCompany.objects.create(name="安居物业")
    Complaint.objects.filter(pk=bare.pk).update(
        unit=None, received_at=midnight, title="=1+1 公式般的摘要", description="卫生间漏水\n楼上住户不在家",
        complainant_phone="13812345678", forwarded_by_company=company, major_reason="")
    Complaint.objects.filter(pk=invalid.pk).update(complainant_phone="12345")  # short: its last two digits only
    SlaClock.objects.filter(complaint=full).update(estimated=True)
    return [full, invalid, need, bare]


@pytest.mark.parametrize("role", ["reader", "cs_supervisor"])  # phones masked / in full
def test_the_export_writes_the_same_cells_as_before_the_raw_reading(varied_cases, users, role, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setattr(registers, "EXPORT_CHUNK", 3)  # chunk boundaries inside the data
    reg = REGISTERS["complaints"]
    user = users["cs_staff" if role == "reader" else role]
    if role == "reader":  # one who may read the register but not see phones in full: phones masked
        has_perm, hidden = user.has_perm, {"owners.view_identity", "owners.view_phone"}
        monkeypatch.setattr(user, "has_perm", lambda perm, obj=None: perm not in hidden and has_perm(perm, obj))
    new, old = tmp_path / "new.xlsx", tmp_path / "old.xlsx"
    assert write_xlsx(new, str(reg.title), reg.columns(user), reg.rows(user, {})) == len(varied_cases)
    _write_before(old, str(reg.title), reg.columns(user), list(_rows_before(reg, user)))
    new_cells, old_cells = _cells(new), _cells(old)
    assert new_cells == old_cells
    # The data held what the comparison is about.
    values = [value for value, _, _ in chain.from_iterable(new_cells[1:])]
    assert [v for v in values if isinstance(v, dt.datetime) and v.date() == dt.date(2026, 3, 2)][0].hour == 0
    assert "'=1+1 公式般的摘要" in values and "安居物业" in values and None in values
    assert any(isinstance(v, str) and "****" in v for v in values) == (role == "reader")
    # One mask everywhere (owners.masking.mask_phone): a short number was written in full.
    assert ("***45" in values, "12345" in values) == ((True, False) if role == "reader" else (False, True))
    assert "无效：属市政停水，已解释" in values


def test_plain_rows_are_the_rows_django_gives(varied_cases, users):
    reg, user = REGISTERS["complaints"], users["cs_supervisor"]
    assert list(reg.rows(user, {})) == list(_rows_before(reg, user))
