"""No file with owners' data outlives its request or job outside var/: register exports (at once
and as a job, finished or failed), uploads spooled to disk, the owners' import waiting for its
confirm step, overdue lists, backups. The system temp folder is pointed at a folder of the test
and must be empty afterwards; the scratch folder (var/tmp) too, or purged within a day."""
import datetime as dt
import io
import sqlite3
import sys
import tempfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from crm.exports import export_run
from crm.models import ExportJob, Rule
from crm.tests.factories import CustomerFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def system_temp(tmp_path, monkeypatch):
    """The system temp folder, for Python (tempfile) and for the Rust writer (TMPDIR)."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def leftovers(*folders):
    return sorted(str(p) for folder in folders for p in Path(folder).rglob("*") if p.is_file())


@pytest.fixture
def owners(db):

    project = ProjectFactory(code="lake", name="湖畔花园")
    for i in range(3):
        CustomerFactory(code=f"C{i:04d}", name=f"业主{i}", phone=f"1380000{i:04d}", project=project)
    return project


@pytest.fixture(params=["rust", "python"])
def writer(request, monkeypatch):
    """Both workbook writers: the Rust one, and XlsxWriter (the fallback, with temp files of its own)."""
    if request.param == "python":
        monkeypatch.setitem(sys.modules, "rustpy_xlsxwriter", None)
    return request.param


def test_a_register_exported_at_once_leaves_no_copy_anywhere(owners, make_user, client, system_temp, settings,
                                                             writer):
    client.force_login(make_user("cs_staff"))
    response = client.get(reverse("crm:export_register", args=["owners-customers"]))
    content = b"".join(response.streaming_content)
    response.close()
    names = [row[1] for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2,
                                                                                          values_only=True)]
    assert "业主0" in names
    assert leftovers(system_temp, settings.SCRATCH_DIR) == []


def test_an_export_job_leaves_only_its_download_under_var_and_a_failed_one_nothing(
        owners, make_user, system_temp, settings, writer, monkeypatch):
    from owners.registers import CustomerRegister

    Rule.objects.filter(key="crm.export_sync_max_rows").update(value=0)
    user = make_user("cs_staff")
    done = ExportJob.objects.create(user=user, register="owners-customers", params={})
    export_run(job_id=done.pk)
    done.refresh_from_db()
    assert done.status == "done"
    assert leftovers(settings.EXPORT_ROOT) == [str(Path(settings.EXPORT_ROOT) / done.file_name)]

    def rows_then_failure(self, user, params):
        yield from self.queryset(user, params)
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr(CustomerRegister, "rows", rows_then_failure)
    failed = ExportJob.objects.create(user=user, register="owners-customers", params={})
    with pytest.raises(RuntimeError):
        export_run(job_id=failed.pk)
    failed.refresh_from_db()
    assert failed.status == "failed"
    assert leftovers(settings.EXPORT_ROOT) == [str(Path(settings.EXPORT_ROOT) / done.file_name)]
    assert leftovers(system_temp, settings.SCRATCH_DIR) == []


def test_a_large_upload_spooled_to_disk_is_gone_after_the_request(owners, make_user, client, system_temp, settings):
    from complaints.models import Attachment
    from complaints.services import complaint_register

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # every upload of this test spools to disk
    staff = make_user("cs_staff")
    case = complaint_register(received_by=staff, kind="complaint", channel="phone", category="repairs", title="漏水",
                              description="漏水", project=owners, complainant_name="业主0",
                              complainant_phone="13800000000")
    client.force_login(staff)
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 " + b"x" * 4096, content_type="application/pdf")
    client.post(reverse("complaints:attach", args=[case.pk]), {"file": scan})
    assert Attachment.objects.filter(complaint=case).count() == 1
    assert leftovers(system_temp, settings.SCRATCH_DIR) == []


def _owners_workbook():
    from owners.tests.test_imports import HEADERS, valid_id, xlsx

    rows = [["新业主", "男", "13912340000", valid_id(7), "lake", "签约客户", "朋友介绍", "否"]]
    return SimpleUploadedFile("owners.xlsx", xlsx(HEADERS, rows))


def test_an_owners_import_waits_in_scratch_for_its_confirm_and_never_in_the_system_temp(
        owners, make_user, client, system_temp, settings):
    from crm.scratch import purge_scratch

    client.force_login(make_user("cs_supervisor"))
    page = client.post(reverse("owners:import"), {"kind": "customers", "file": _owners_workbook()})
    token = page.context["token"]
    assert token, page.context["report"].errors
    assert leftovers(system_temp) == []
    assert [Path(p).name for p in leftovers(settings.SCRATCH_DIR)] == [f"{token}.xlsx"]
    client.post(reverse("owners:import"), {"kind": "customers", "token": token})
    assert leftovers(system_temp, settings.SCRATCH_DIR) == []

    # previewed and never confirmed: purged once a day old, not before
    client.post(reverse("owners:import"), {"kind": "customers", "file": _owners_workbook()})
    assert purge_scratch(now=timezone.now() + dt.timedelta(hours=23)) == 0
    assert len(leftovers(settings.SCRATCH_DIR)) == 1
    assert purge_scratch(now=timezone.now() + dt.timedelta(hours=25)) == 1
    assert leftovers(settings.SCRATCH_DIR) == []


def test_the_daily_purge_job_clears_what_a_killed_process_left_in_scratch(settings):
    import os

    from crm.tasks import purge_old_exports

    left = Path(settings.SCRATCH_DIR) / "work-killed" / "export.xlsx"
    left.parent.mkdir()
    left.write_bytes(b"PK")
    old = (timezone.now() - dt.timedelta(days=2)).timestamp()
    os.utime(left, (old, old))
    os.utime(left.parent, (old, old))
    assert purge_old_exports() == 1
    assert list(Path(settings.SCRATCH_DIR).iterdir()) == []


def test_an_overdue_list_is_kept_as_its_upload_record_and_nowhere_else(make_user, client, system_temp, settings):
    from mortgage.models import OverdueUpload
    from mortgage.tests.conftest import xlsx

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    client.force_login(make_user("finance"))
    client.post(reverse("mortgage:overdue_upload"), {"file": xlsx([]), "report_date": timezone.localdate()})
    upload = OverdueUpload.objects.get()
    assert leftovers(settings.MEDIA_ROOT) == [upload.file.path]
    assert leftovers(system_temp, settings.SCRATCH_DIR) == []


def test_a_failed_backup_leaves_no_partial_copy(settings, tmp_path, monkeypatch):
    """The disk fills in the middle of the copy: SQLite's backup API on SQLite, pg_dump on
    PostgreSQL. Neither leaves its partial file among the kept backups."""
    import subprocess

    from django.db import connection

    from crm import backup

    settings.BACKUP_DIR = tmp_path / "backups"

    if connection.vendor == "sqlite":
        def disk_full(path):
            Path(path).write_bytes(b"SQLite format 3\x00 partial")
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(backup.sqlite3, "connect", disk_full)
        failure = sqlite3.OperationalError
    else:
        def pg_dump_disk_full(cmd, **kwargs):
            Path(cmd[cmd.index("-f") + 1]).write_bytes(b"PGDMP partial")
            raise subprocess.CalledProcessError(1, cmd, stderr=b"could not write: No space left on device")

        monkeypatch.setattr(backup.subprocess, "run", pg_dump_disk_full)
        failure = subprocess.CalledProcessError
    with pytest.raises(failure):
        backup.backup_database()
    assert list(Path(settings.BACKUP_DIR).iterdir()) == []
