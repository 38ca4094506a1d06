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
