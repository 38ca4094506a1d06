import openpyxl
import pytest
from django.urls import reverse

from crm.exports import REGISTERS, Column, Register, escape_cell, export_run, register, write_xlsx
from crm.models import ExportJob


def test_formula_payloads_are_escaped():
    for payload in ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "=HYPERLINK(\"http://x\")"]:
        assert escape_cell(payload).startswith("'")
    assert escape_cell("王先生") == "王先生"
    assert escape_cell(5) == 5


def test_write_xlsx_has_chinese_headers_frozen_row_and_escaped_cells(tmp_path):
    import datetime as dt
    from decimal import Decimal

    path = tmp_path / "r.xlsx"
    cols = [Column("姓名", lambda r: r[0], 10), Column("金额", lambda r: r[1]), Column("日期", lambda r: r[2])]
    rows = [("=cmd|' /C calc'!A0", Decimal("12.50"), dt.date(2026, 10, 1)), ("李四", None, None)]
    assert write_xlsx(path, "测试", cols, iter(rows)) == 2
    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[1]] == ["姓名", "金额", "日期"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A2"].value == "'=cmd|' /C calc'!A0" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 12.5
    assert sheet["C2"].value.date() == dt.date(2026, 10, 1)
    assert sheet.column_dimensions["A"].width >= 10


@register
class ProjectsRegister(Register):
    code = "test-projects"
    title = "项目登记簿"
    permission = "owners.view_project"

    def queryset(self, user, params):
        from owners.models import Project

        qs = Project.objects.order_by("code")
        return qs.filter(name__contains=params["q"]) if params.get("q") else qs

    def columns(self, user):
        return [Column("编码", lambda p: p.code), Column("名称", lambda p: p.name, 20)]


@pytest.mark.django_db
def test_small_register_downloads_at_once_with_the_page_filters(as_role):
    client = as_role("admin")
    response = client.get(reverse("crm:export_register", args=["test-projects"]), {"q": "阳光"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    import io

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["阳光花园"]


@pytest.mark.django_db
def test_large_register_runs_as_a_job_with_progress_and_download(as_role, django_capture_on_commit_callbacks):
    from crm.models import Rule

    Rule.objects.filter(key="crm.export_sync_max_rows").update(value=1)
    client = as_role("admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("crm:export_register", args=["test-projects"]))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("crm:export_detail", args=[job.pk])
    status = client.get(reverse("crm:export_detail", args=[job.pk]), HTTP_ACCEPT="application/json").json()
    assert status["status"] == "done" and status["percent"] == 100 and status["total"] == 2
    download = client.get(status["download"])
    assert download.status_code == 200
    export_run(job_id=job.pk)  # running it again does nothing twice
    assert ExportJob.objects.get().status == "done"


@pytest.mark.django_db
def test_export_needs_the_registers_permission(as_role):
    response = as_role("legal").get(reverse("crm:export_register", args=["test-projects"]))
    assert response.status_code == 403


@pytest.mark.django_db
def test_another_users_export_is_not_found(as_role, make_user):
    job = ExportJob.objects.create(user=make_user("admin"), register="test-projects", status="done", file_name="x.xlsx")
    assert as_role("cs_staff").get(reverse("crm:export_download", args=[job.pk])).status_code == 404


def test_registers_are_registered_once():
    assert "test-projects" in REGISTERS
    with pytest.raises(ValueError):
        register(ProjectsRegister)


def _cells(path):
    return [list(row) for row in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]


def test_write_xlsx_keeps_dates_as_dates_and_date_times_in_local_time(tmp_path, settings):
    import datetime as dt
    from zoneinfo import ZoneInfo

    path = tmp_path / "d.xlsx"
    cols = [Column("受理时间", lambda r: r[0], 17), Column("到期日", lambda r: r[1], 12), Column("回访", lambda r: r[2])]
    aware = dt.datetime(2026, 10, 1, 1, 30, tzinfo=dt.timezone.utc)  # 09:30 in Asia/Shanghai
    rows = [(aware, dt.date(2026, 10, 8), None), (None, None, dt.datetime(2026, 10, 9, 8, 0, tzinfo=ZoneInfo("UTC")))]
    assert write_xlsx(path, "日期", cols, rows) == 2
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A2"].value == dt.datetime(2026, 10, 1, 9, 30) and sheet["A2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["B2"].is_date and sheet["B2"].value.date() == dt.date(2026, 10, 8)
    assert sheet["B2"].number_format == "yyyy-mm-dd"
    assert sheet["C3"].is_date and sheet["C3"].value == dt.datetime(2026, 10, 9, 16, 0)
    assert sheet["A3"].value is None


def test_write_xlsx_escapes_every_formula_prefix_and_keeps_numbers_and_yes_no(tmp_path):
    from decimal import Decimal

    path = tmp_path / "f.xlsx"
    payloads = ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx"]
    cols = [Column("内容", lambda r: r[0]), Column("是否", lambda r: r[1]), Column("金额", lambda r: r[2])]
    rows = [(text, i % 2 == 0, Decimal("0.10") * i) for i, text in enumerate(payloads)]
    write_xlsx(path, "公式", cols, rows)
    sheet = openpyxl.load_workbook(path).active
    values = [sheet.cell(row=i + 2, column=1) for i in range(len(payloads))]
    assert all(c.data_type == "s" and c.value.startswith("'") for c in values)
    assert [sheet.cell(row=i + 2, column=2).value for i in range(2)] == ["是", "否"]
    assert sheet["C4"].value == pytest.approx(0.2)


def test_write_xlsx_reports_progress_while_writing_and_counts_every_row(tmp_path):
    seen = []
    rows = ({"n": i, "name": f"客户{i}"} for i in range(2500))
    cols = [Column("序号", lambda r: r["n"]), Column("姓名", lambda r: r["name"])]
    assert write_xlsx(tmp_path / "p.xlsx", "进度", cols, rows, progress=seen.append, progress_every=1000) == 2500
    assert seen == [1000, 2000]
    cells = _cells(tmp_path / "p.xlsx")
    assert len(cells) == 2501 and cells[-1] == [2499, "客户2499"]


def test_write_xlsx_with_no_rows_still_has_the_header_row(tmp_path):
    path = tmp_path / "e.xlsx"
    assert write_xlsx(path, "空登记簿", [Column("编号", str), Column("姓名", str, 20)], []) == 0
    sheet = openpyxl.load_workbook(path).active
    assert _cells(path) == [["编号", "姓名"]] and sheet.freeze_panes == "A2"


def test_write_xlsx_keeps_repeated_headers_and_cuts_text_past_excels_limit(tmp_path):
    path = tmp_path / "h.xlsx"
    cols = [Column("备注", lambda r: r[0]), Column("备注", lambda r: r[1]), Column("名称", lambda r: r[2])]
    write_xlsx(path, "表头:重复?", cols, [("甲", "乙", "x" * 40000)])
    sheet = openpyxl.load_workbook(path).active
    assert [c.value.strip() for c in sheet[1]] == ["备注", "备注", "名称"]
    assert sheet["A2"].value == "甲" and sheet["B2"].value == "乙" and len(sheet["C2"].value) == 32767
    assert sheet.title == "表头_重复_"


def test_fast_writer_and_python_fallback_write_the_same_cells(tmp_path):
    import datetime as dt
    from decimal import Decimal

    from crm.exports import write_xlsx_python

    cols = [Column("编号", lambda r: r[0]), Column("金额", lambda r: r[1]), Column("日期", lambda r: r[2]),
            Column("是否", lambda r: r[3]), Column("次数", lambda r: r[4])]
    rows = [("A-1", Decimal("3.50"), dt.date(2026, 1, 2), True, 3), ("=x", Decimal("1"), dt.date(2026, 1, 3), False, 0)]
    write_xlsx(tmp_path / "a.xlsx", "比对", cols, rows)
    write_xlsx_python(tmp_path / "b.xlsx", "比对", cols, rows)
    assert _cells(tmp_path / "a.xlsx") == _cells(tmp_path / "b.xlsx")


@pytest.mark.django_db
def test_choice_display_gives_the_same_label_as_get_display_and_keeps_unknown_values():
    from crm.exports import choice_display
    from crm.models import ExportJob

    job = ExportJob(status=ExportJob.Status.DONE)
    assert choice_display(ExportJob, "status")(job) == job.get_status_display()
    job.status = "no-such-state"
    assert choice_display(ExportJob, "status")(job) == "no-such-state"


@pytest.mark.django_db
def test_an_export_is_kept_seven_whole_days_after_the_day_it_was_made(settings, make_user):  # the rule's default
    import datetime as dt
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from crm.exports import export_purge_old

    tz = ZoneInfo("Asia/Shanghai")
    Path(settings.EXPORT_ROOT).mkdir(parents=True, exist_ok=True)
    (Path(settings.EXPORT_ROOT) / "old.xlsx").write_bytes(b"x")
    job = ExportJob.objects.create(user=make_user("admin"), register="complaints", file_name="old.xlsx")
    ExportJob.objects.filter(pk=job.pk).update(created_at=dt.datetime(2026, 11, 20, 10, 0, tzinfo=tz))
    # 民法典 art. 201: made on 11-20, seven days end at the end of 11-27
    assert export_purge_old(now=dt.datetime(2026, 11, 27, 23, 59, tzinfo=tz)) == 0
    assert (Path(settings.EXPORT_ROOT) / "old.xlsx").exists()
    assert export_purge_old(now=dt.datetime(2026, 11, 28, 0, 0, tzinfo=tz)) == 1
    assert not ExportJob.objects.exists() and not (Path(settings.EXPORT_ROOT) / "old.xlsx").exists()


def test_without_the_optional_rust_binding_the_export_is_written_by_xlsxwriter(tmp_path, monkeypatch):
    """rustpy-xlsxwriter is an optional extra (requirements-optional.txt): when it is not
    installed, write_xlsx writes the same sheet with XlsxWriter, progress and count included."""
    import sys

    cols = [Column("编号", lambda r: r[0]), Column("姓名", lambda r: r[1], 20)]
    rows = [(i, f"客户{i}") for i in range(1500)]
    write_xlsx(tmp_path / "rust.xlsx", "登记簿", cols, rows)
    monkeypatch.setitem(sys.modules, "rustpy_xlsxwriter", None)  # import fails as if not installed
    seen = []
    assert write_xlsx(tmp_path / "python.xlsx", "登记簿", cols, rows, progress=seen.append) == 1500
    assert seen == [1000] and _cells(tmp_path / "python.xlsx") == _cells(tmp_path / "rust.xlsx")
    assert openpyxl.load_workbook(tmp_path / "python.xlsx").active.freeze_panes == "A2"


# --- Filters an export cannot apply are refused ----------------------------------------------

def test_form_errors_name_each_field_and_an_unbound_or_valid_form_has_none():
    from crm.exports import form_errors
    from crm.forms import MonthForm, WeekForm

    assert form_errors(None) == []
    assert form_errors(MonthForm()) == [] and form_errors(MonthForm({})) == []
    assert form_errors(MonthForm({"month": "2026-03"})) == []
    assert form_errors(MonthForm({"month": "2026-13"})) == ["月份：月份应为 年-月，例如 2026-12。"]
    assert form_errors(WeekForm({"start": "2101-01-04"})) == ["起始日期：日期应在 2000 年至 2100 年之间。"]


def _clearly_invalid(field):
    """A value no filter field of its kind accepts, or None for a field that takes any value
    (free text)."""
    from django import forms

    if isinstance(field, forms.NullBooleanField):  # a yes/no menu (crm.filters.YesNoFilter)
        return "ture"
    if isinstance(field, forms.ModelChoiceField):
        return "abc"
    if isinstance(field, forms.ChoiceField):
        return "nonsense"
    if isinstance(field, (forms.DateField, forms.DateTimeField)):
        return "2026-02-30"
    if isinstance(field, (forms.IntegerField, forms.DecimalField)):
        return "abc"
    return None


@pytest.mark.django_db
def test_every_register_refuses_a_clearly_invalid_value_of_each_of_its_filters(as_role):
    """Every register's filters come from its list page's own form (Register.filter_form): a value
    that form rejects is refused with the field named, however small or large the export (a job
    would otherwise be queued: the sync limit is one row here)."""
    from django.contrib.auth import get_user_model

    from crm.models import Rule
    from crm.testing import export_refused

    Rule.objects.filter(key="crm.export_sync_max_rows").update(value=1)
    client = as_role("admin")
    admin = get_user_model().objects.get(username="admin")
    unfiltered, checked = set(), {}
    for code, reg in sorted(REGISTERS.items()):
        if code.startswith("test-"):
            continue
        bound = reg.filter_form(admin, {})
        if bound is None:
            unfiltered.add(code)
            continue
        form = getattr(bound, "form", bound)
        for name, field in form.fields.items():
            value = _clearly_invalid(field)
            if value is None:
                continue
            reasons = export_refused(client, code, {name: value})
            assert any(reason.startswith(f"{field.label}：") for reason in reasons), (code, name, reasons)
            checked.setdefault(code, []).append(name)
    assert unfiltered == set()
    assert set(checked) == {code for code in REGISTERS if not code.startswith("test-")} - unfiltered
    assert sum(map(len, checked.values())) >= 54, checked
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_a_refused_export_links_back_to_the_list_it_came_from_on_this_site_only(as_role):
    from crm.testing import export_refused

    client = as_role("cs_staff")
    listing = "http://testserver" + reverse("owners:contact_list") + "?occurred_from=2026-02-30"
    export_refused(client, "owners-contacts", {"occurred_from": "2026-02-30"}, headers={"Referer": listing})
    page = client.get(reverse("crm:export_register", args=["owners-contacts"]), {"occurred_from": "2026-02-30"},
                      headers={"Referer": listing})
    assert page.context["back"] == listing and "返回列表" in page.text
    elsewhere = client.get(reverse("crm:export_register", args=["owners-contacts"]), {"occurred_from": "2026-02-30"},
                           headers={"Referer": "https://evil.example/owners/contacts/"})
    assert elsewhere.status_code == 400 and elsewhere.context["back"] == ""
    assert "evil.example" not in elsewhere.text and reverse("home") in elsewhere.text


@pytest.mark.django_db
def test_a_queued_export_whose_filters_became_invalid_fails_and_writes_nothing(make_user, settings):
    """The project asked for left the user's scope between the request and the job: the job
    fails and says why, instead of exporting every row."""
    from pathlib import Path

    from crm.tests.factories import ProjectFactory

    mine, other = ProjectFactory(), ProjectFactory()
    user = make_user("project_dept", projects=[mine])
    job = ExportJob.objects.create(user=user, register="owners-contacts", params={"project": str(other.pk)})
    export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file_name
    assert job.error.startswith("筛选条件有误，未导出：项目：")
    folder = Path(settings.EXPORT_ROOT)
    assert not folder.exists() or not any(folder.iterdir())


@pytest.mark.django_db
def test_a_refused_export_speaks_english_to_an_english_user(client, make_user):
    from crm.models import StaffProfile

    user = make_user("cs_supervisor")
    StaffProfile.objects.filter(user=user).update(language="en")
    client.force_login(user)
    response = client.get(reverse("crm:export_register", args=["complaints-weekly"]), {"start": "2026-02-30"},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["reasons"] == ["Start date: A start date is written year-month-day, e.g. 2026-12-07."]
    assert "was not exported: the filters are invalid" in response.text and "Back to the dashboard" in response.text
