"""Register export to Excel, shared by every app.

An app declares a ``Register`` (columns and a scoped queryset) and registers it here.
Small exports stream straight to the browser; large ones run as a Celery task that
reports progress and leaves a file to download. The writer is XlsxWriter in
constant-memory mode fed by an iterator; text that a spreadsheet would read as a formula
is escaped.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from crm.models import ExportJob
from crm.rules import rule_int

log = logging.getLogger(__name__)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable  # row -> cell value
    width: int = 14


class Register:
    """A register that can be exported. Subclasses set ``code``, ``title``, ``permission``
    and implement ``queryset`` and ``columns``; both receive the user, so scope and masking
    apply to exports exactly as they do on screen."""

    code: str = ""
    title: str = ""
    permission: str = ""

    def allowed(self, user) -> bool:
        return user.has_perm(self.permission) if self.permission else user.is_authenticated

    def queryset(self, user, params: dict):
        raise NotImplementedError

    def columns(self, user) -> list[Column]:
        raise NotImplementedError

    def rows(self, user, params: dict) -> Iterable:
        return self.queryset(user, params).iterator(chunk_size=2000)

    def count(self, user, params: dict) -> int:
        return self.queryset(user, params).count()

    def filename(self) -> str:
        return f"{self.title}_{timezone.localdate():%Y%m%d}.xlsx"


REGISTERS: dict[str, Register] = {}


def register(cls):
    """Class decorator: make a register exportable under its code."""
    instance = cls()
    if not instance.code or instance.code in REGISTERS:
        raise ValueError(f"register code missing or duplicated: {instance.code!r}")
    REGISTERS[instance.code] = instance
    return cls


def get_register(code: str, user) -> Register:
    reg = REGISTERS.get(code)
    if reg is None:
        raise PermissionDenied("没有这个登记簿。")
    if not reg.allowed(user):
        raise PermissionDenied("您没有导出该登记簿的权限。")
    return reg


def escape_cell(value):
    """Text starting with = + - @ or a tab would run as a formula in Excel or WPS."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, (int, float, dt.date)):
        return value
    return escape_cell(str(value))


def write_xlsx(target, title: str, columns: list[Column], rows: Iterable,
               progress: Callable[[int], None] | None = None, progress_every: int = 1000) -> int:
    """Write ``rows`` to an .xlsx file at ``target`` (a path); return the number of rows."""
    workbook = xlsxwriter.Workbook(str(target), {"constant_memory": True, "strings_to_formulas": False,
                                                 "strings_to_urls": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(title[:31] or "Sheet1")
    header = workbook.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True})
    date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_fmt = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for col, column in enumerate(columns):
        sheet.set_column(col, col, column.width)
        sheet.write_string(0, col, column.header, header)
    sheet.freeze_panes(1, 0)
    count = 0
    getters = [c.value for c in columns]
    for count, row in enumerate(rows, start=1):
        for col, getter in enumerate(getters):
            value = _cell(getter(row))
            if isinstance(value, str):
                sheet.write_string(count, col, value)
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(count, col, value, datetime_fmt)
            elif isinstance(value, dt.date):
                sheet.write_datetime(count, col, dt.datetime.combine(value, dt.time()), date_fmt)
            else:
                sheet.write_number(count, col, value)
        if progress and count % progress_every == 0:
            progress(count)
    if count:
        sheet.autofilter(0, 0, count, len(columns) - 1)
    workbook.close()
    return count


def export_to_temp(reg: Register, user, params: dict) -> Path:
    """Write a register synchronously to a temporary file (small exports)."""
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    write_xlsx(name, reg.title, reg.columns(user), reg.rows(user, params))
    return Path(name)


def export_start(*, user, code: str, params: dict) -> ExportJob | Path:
    """Start an export: a file at once when the register is small, else a background job."""
    reg = get_register(code, user)
    if reg.count(user, params) <= rule_int("crm.export_sync_max_rows"):
        return export_to_temp(reg, user, params)
    job = ExportJob.objects.create(user=user, register=code, params=params)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from crm.tasks import run_export

    try:
        run_export.delay(job_id)
    except Exception as exc:  # noqa: BLE001 - mark the job so the user sees it, instead of a spinner forever
        ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.FAILED, error=f"任务队列不可用：{exc}"[:300])


def export_run(*, job_id: int) -> None:
    """Run a queued export job (the Celery task calls this)."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(status=ExportJob.Status.RUNNING)
    if not claimed:
        return  # already run by another worker: running twice does nothing twice
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    reg = REGISTERS[job.register]
    folder = Path(settings.EXPORT_ROOT)
    folder.mkdir(parents=True, exist_ok=True)
    file_name = f"export-{job.pk}-{timezone.now():%Y%m%d%H%M%S}.xlsx"
    try:
        total = reg.count(job.user, job.params)
        ExportJob.objects.filter(pk=job_id).update(total=total)
        written = write_xlsx(
            folder / file_name, reg.title, reg.columns(job.user), reg.rows(job.user, job.params),
            progress=lambda n: ExportJob.objects.filter(pk=job_id).update(done=n),
        )
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.DONE, done=written, total=max(total, written), file_name=file_name,
            finished_at=timezone.now(),
        )
    except Exception as exc:
        log.exception("export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.FAILED, error=str(exc)[:300])
        raise


def export_purge_old() -> int:
    cutoff = timezone.now() - dt.timedelta(days=settings.EXPORT_KEEP_DAYS)
    old = ExportJob.objects.filter(created_at__lt=cutoff)
    for name in old.exclude(file_name="").values_list("file_name", flat=True):
        (Path(settings.EXPORT_ROOT) / name).unlink(missing_ok=True)
    return old.delete()[0]
