"""Register export to Excel, shared by every app.

An app declares a ``Register`` (columns and a scoped queryset) and registers it here.
Small exports are built in a scratch workspace and sent from memory; large ones run as a
Celery task that reports progress and leaves a file in ``var/exports`` (purged after the
rule ``crm.export_keep_days``). No copy is left in the system temp folder (crm/scratch.py).
Text that a spreadsheet would read as a formula is escaped.

The writer is XlsxWriter in constant-memory mode (``write_xlsx_python``), or, when the optional
extra rustpy-xlsxwriter is installed (requirements-optional.txt: third-party Python bindings, 0.x
and one maintainer, of rust_xlsxwriter, which is by XlsxWriter's author), that binding fed row by
row from a generator. Measured in the same run (bench/bench_export.py, bench/RESULTS.md), the
export with XlsxWriter alone is ~1.5x faster than django-import-export's and misses the >= 5x
target; with the binding it meets it. The binding needs distinct header keys (repeated headers
get a trailing space) and cannot write a sheet without rows (XlsxWriter writes that one); the
tests compare the two writers cell for cell and run the export without the binding.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from operator import attrgetter
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from crm.calendar import elapsed_cutoff_at
from crm.languages import recorded, user_language
from crm.models import ExportJob
from crm.rules import rule_int
from crm.scratch import scratch_dir, scratch_workspace

log = logging.getLogger(__name__)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable  # row -> cell value
    width: int = 14
    kind: str = ""  # "date": a column of dates (DateColumn); "": told by its values

    def __post_init__(self):
        # A header marked for translation is read here, in the language of whoever exports.
        object.__setattr__(self, "header", str(self.header))


@dataclass(frozen=True)
class DateColumn(Column):
    """A column of dates (or blanks), written as yyyy-mm-dd. The fast writer formats a whole column
    before it writes, and could otherwise only guess from the first rows: a date column blank there
    (the newest records not yet released, issued, completed …) showed its later dates as
    date-times. A column of date-times needs no declaration (every date-time is one)."""
    width: int = 12
    kind: str = "date"


class ChoiceLabel:
    """A choices field's label as a ``Column`` getter (``choice_display``); the writer reads the
    field with the other plain columns and maps a whole column of values to labels at once."""

    __slots__ = ("attname", "labels")

    def __init__(self, attname: str, labels: dict):
        self.attname, self.labels = attname, labels

    def __call__(self, obj):
        value = getattr(obj, self.attname)
        return self.labels.get(value, value)


def choice_display(model, field_name: str) -> Callable:
    """A fast getter for a choices field's label, for ``Column`` (instead of
    ``obj.get_FOO_display()``, which rebuilds and hashes the translated choices on every call:
    most of the time of a 100,000-row export). Call it inside ``columns()`` so the labels are
    in the user's language."""
    field = model._meta.get_field(field_name)
    return ChoiceLabel(field.attname, {value: str(label) for value, label in field.flatchoices})


class Register:
    """A register that can be exported. Subclasses set ``code``, ``title``, ``permission``
    and implement ``queryset`` and ``columns``; both receive the user, so scope and masking
    apply to exports exactly as they do on screen. A register whose list page reads its
    filters with a FilterSet or a form returns it bound from ``filter_form``: an export whose
    filters are invalid is then refused (``invalid``), where the list page shows every row and
    says why, since a workbook cannot say it."""

    code: str = ""
    title: str = ""
    permission: str = ""

    def allowed(self, user) -> bool:
        return user.has_perm(self.permission) if self.permission else user.is_authenticated

    def filter_form(self, user, params: dict):
        """The list page's own FilterSet or form bound to ``params`` (from its selector, so the
        filters are defined once), or None when the register takes no filters."""
        return None

    def invalid(self, user, params: dict) -> list[str]:
        """Why ``params`` cannot be exported, as sentences for the user; none: they can."""
        return form_errors(self.filter_form(user, params))

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


def form_errors(bound) -> list[str]:
    """The errors of a bound form or FilterSet as sentences naming the field (“日期从：输入一个有效的
    日期。”), in the order of the fields, as the filter bar lists them (includes/filter_errors.html).
    An unbound form (no filter given) has none."""
    if bound is None:
        return []
    form = getattr(bound, "form", bound)  # a FilterSet's form, or the form itself
    if not form.is_bound or form.is_valid():
        return []
    reasons = []
    for name, field in form.fields.items():
        for error in form.errors.get(name, ()):
            reasons.append(gettext("{label}：{text}").format(label=field.label or name, text=error))
    reasons += [str(error) for error in form.non_field_errors()]
    return reasons


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
        raise PermissionDenied(gettext("没有这个登记簿。"))
    if not reg.allowed(user):
        raise PermissionDenied(gettext("您没有导出该登记簿的权限。"))
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
        return gettext("是") if value else gettext("否")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, (int, float, dt.date)):
        return value
    return escape_cell(str(value))


EXCEL_MAX_TEXT = 32767  # Excel's limit for one cell
_FORMULA_FIRST = frozenset(p[0] for p in FORMULA_PREFIXES)
_SHEET_NAME_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})
PEEK_ROWS = 200  # rows looked at to tell date columns from date-time columns


def _fast_cell(value, tz):
    """``_cell`` for the fast writer: same conversions, but None stays an empty cell and the
    common types take the shortest path (this runs once per cell: millions of times)."""
    kind = type(value)
    if kind is str:
        if value and value[0] in _FORMULA_FIRST:
            value = "'" + value
        return value[:EXCEL_MAX_TEXT] if len(value) > EXCEL_MAX_TEXT else value
    if value is None or kind is int or kind is float or kind is dt.date:
        return value
    if kind is dt.datetime:
        if value.tzinfo is not None:
            value = value.astimezone(tz)
        return value.replace(tzinfo=None)
    value = _cell(value)
    if isinstance(value, str) and len(value) > EXCEL_MAX_TEXT:
        value = value[:EXCEL_MAX_TEXT]
    return value


def _unique_headers(columns: list[Column]) -> list[str]:
    """The fast writer keys cells by header: make repeated headers distinct (a trailing space)."""
    seen, keys = set(), []
    for column in columns:
        key = column.header
        while key in seen:
            key += " "
        seen.add(key)
        keys.append(key)
    return keys


def _cells_reader(columns: list[Column]):
    """(row -> its cells in column order, {column index: labels of its values}). The columns that
    read one attribute (``attrgetter(name)``, ``choice_display``) are read in one C call for the
    row; a choice column's labels are then put in a column at a time (``_convert_columns``)."""
    names, others, labels = [], [], {}
    for i, column in enumerate(columns):
        getter = column.value
        name = getter.__reduce__()[1] if type(getter) is attrgetter else None
        if name and len(name) == 1:
            names.append(name[0])
        elif isinstance(getter, ChoiceLabel):
            names.append(getter.attname)
            labels[i] = getter.labels
        else:
            others.append((i, getter))
    if len(names) < 2:
        getters = [column.value for column in columns]
        return (lambda row: [getter(row) for getter in getters]), {}
    plain = attrgetter(*names)
    if not others:
        return plain, labels

    def read(row):
        cells = list(plain(row))
        for i, getter in others:  # in column order: each goes where it belongs
            cells.insert(i, getter(row))
        return cells

    return read, labels


_PLAIN = frozenset({type(None), int, float, dt.date})  # written as they are
_TEXT = frozenset({type(None), str})
_STAMPS = frozenset({type(None), dt.datetime})


def _convert_columns(rows: list, tz, labels: dict | None = None) -> list[tuple]:
    """``_fast_cell`` of every cell of ``rows`` (lists of cells), a column at a time: a column
    holding only numbers, dates and blanks is left as it is, a text column is looked at for
    formulas and overlong text in one pass, a column of date-times is converted in a
    comprehension; any other column goes through ``_fast_cell`` value by value. The same cells
    as ``_fast_cell`` per cell, with a fraction of the Python calls (this runs on millions of
    cells)."""
    if not rows:
        return []
    columns = list(zip(*rows))
    for i, names in (labels or {}).items():
        columns[i] = [names.get(v, v) for v in columns[i]]
    for i, column in enumerate(columns):
        kinds = set(map(type, column))
        if kinds <= _PLAIN:
            continue
        if kinds <= _TEXT:
            texts = [v for v in column if v]
            if _FORMULA_FIRST.isdisjoint({v[0] for v in texts}) and max(map(len, texts), default=0) <= EXCEL_MAX_TEXT:
                continue
        elif kinds <= _STAMPS:
            # Local time, left aware: the Rust writer writes an aware date-time's wall-clock time
            # (replace(tzinfo=None) would cost twice the conversion; the tests read the cells back).
            columns[i] = [v if v is None or v.tzinfo is None else v.astimezone(tz) for v in column]
            continue
        columns[i] = [_fast_cell(v, tz) for v in column]
    return list(zip(*columns))


def write_xlsx(target, title: str, columns: list[Column], rows: Iterable,
               progress: Callable[[int], None] | None = None, progress_every: int = 1000,
               tmpdir: str | None = None) -> int:
    """Write ``rows`` to an .xlsx file at ``target`` (a path); return the number of rows.

    Chinese headers in bold on a tinted band, the column widths of the register, the header
    row frozen, filter buttons, dates as dates (date-time columns as yyyy-mm-dd hh:mm), text
    that would run as a formula escaped. ``progress(n)`` is called every ``progress_every``
    rows while the rows are consumed. The XlsxWriter fallback keeps its row data in temporary
    files in ``tmpdir`` (a scratch workspace of the caller; never the system temp folder).
    Rows are read and their cells converted ``PEEK_ROWS`` at a time (``_convert_columns``).
    """
    try:
        from rustpy_xlsxwriter import Format, write_worksheet
    except ImportError:  # pragma: no cover - no wheel for this platform
        return write_xlsx_python(target, title, columns, rows, progress, progress_every, tmpdir=tmpdir)
    tz = timezone.get_current_timezone()
    keys = _unique_headers(columns)
    cells_of, labels = _cells_reader(columns)
    source = iter(rows)

    def chunk():
        return _convert_columns([cells_of(row) for row in islice(source, PEEK_ROWS)], tz, labels)

    head = chunk()
    if not head:  # the Rust writer takes its header from the first row
        return write_xlsx_python(target, title, columns, [], progress, progress_every, tmpdir=tmpdir)
    date_only = {}
    for i, (key, column) in enumerate(zip(keys, columns)):
        # A declared date column whatever its first rows hold; else a column whose first value is a date.
        first = next((r[i] for r in head if r[i] is not None), None)
        if column.kind == "date" or type(first) is dt.date:
            date_only[key] = Format().set_num_format("yyyy-mm-dd")
    count = 0

    def records():
        nonlocal count
        cells = head
        while cells:
            for item in cells:
                count += 1
                if progress and count % progress_every == 0:
                    progress(count)
                yield dict(zip(keys, item))
            cells = chunk()

    header = (Format().set_bold().set_background_color("#DCE6F1").set_border("thin").set_text_wrap())
    write_worksheet(
        records(), str(target), sheet_name=(title[:31].translate(_SHEET_NAME_BAD) or "Sheet1"),
        freeze_row=1, header_format=header, column_widths=[float(c.width) for c in columns],
        column_formats=date_only or None, datetime_format="yyyy-mm-dd hh:mm", autofilter=True,
    )
    return count


def write_xlsx_python(target, title: str, columns: list[Column], rows: Iterable,
                      progress: Callable[[int], None] | None = None, progress_every: int = 1000,
                      tmpdir: str | None = None) -> int:
    """The same sheet written with XlsxWriter (pure Python, constant memory): the fallback."""
    workbook = xlsxwriter.Workbook(str(target), {"constant_memory": True, "strings_to_formulas": False,
                                                 "strings_to_urls": False, "strings_to_numbers": False,
                                                 "tmpdir": str(tmpdir or scratch_dir())})
    sheet = workbook.add_worksheet(title[:31].translate(_SHEET_NAME_BAD) or "Sheet1")
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


def export_to_memory(reg: Register, user, params: dict) -> io.BytesIO:
    """Write a register synchronously (small exports: at most the rule's row count) and return
    the workbook's bytes. It is built in a scratch workspace that is gone when this returns, so
    no copy of the owners' data outlives the request, whether or not the download completes."""
    with scratch_workspace() as folder:
        target = Path(folder) / "export.xlsx"
        write_xlsx(target, str(reg.title), reg.columns(user), reg.rows(user, params), tmpdir=folder)
        return io.BytesIO(target.read_bytes())


def export_start(*, user, code: str, params: dict) -> ExportJob | io.BytesIO:
    """Start an export: the workbook at once when the register is small, else a background job.
    Filters the register cannot apply (a date that does not exist, a choice it does not offer, a
    project outside the user's scope) raise a ValidationError with the reasons, and nothing is
    exported nor queued: a workbook of every row would look like the filtered one."""
    reg = get_register(code, user)
    reasons = reg.invalid(user, params)
    if reasons:
        raise ValidationError(reasons, code="invalid_filters")
    if reg.count(user, params) <= rule_int("crm.export_sync_max_rows"):
        return export_to_memory(reg, user, params)
    job = ExportJob.objects.create(user=user, register=code, params=params)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from crm.tasks import run_export

    try:
        run_export.delay(job_id)
    except Exception as exc:  # noqa: BLE001 - mark the job so the user sees it, instead of a spinner forever
        _job_failed(job_id, recorded(gettext_lazy("任务队列不可用：{error}"), error=exc))


def export_run(*, job_id: int) -> None:
    """Run a queued export job (the Celery task calls this)."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(status=ExportJob.Status.RUNNING)
    if not claimed:
        return  # already run by another worker: running twice does nothing twice
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    reg = REGISTERS[job.register]
    # Checked again when the job runs: a filter valid when asked can have become invalid since
    # (the user's projects changed); the job then fails and says why instead of exporting all.
    with translation.override(user_language(job.user)):
        reasons = reg.invalid(job.user, job.params)
        if reasons:
            _job_failed(job_id, gettext("筛选条件有误，未导出：{reasons}").format(reasons=" ".join(reasons)))
            return
    folder = Path(settings.EXPORT_ROOT)
    folder.mkdir(parents=True, exist_ok=True)
    file_name = f"export-{job.pk}-{timezone.now():%Y%m%d%H%M%S}.xlsx"
    try:
        total = reg.count(job.user, job.params)
        ExportJob.objects.filter(pk=job_id).update(total=total)
        # No request here: the headers, labels and sheet name speak the language the user keeps
        # on their profile (a small export, written during the request, speaks the page's).
        with scratch_workspace() as work, translation.override(user_language(job.user)):
            written = write_xlsx(
                folder / file_name, str(reg.title), reg.columns(job.user), reg.rows(job.user, job.params),
                progress=lambda n: ExportJob.objects.filter(pk=job_id).update(done=n), tmpdir=work,
            )
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.DONE, done=written, total=max(total, written), file_name=file_name,
            finished_at=timezone.now(),
        )
    except Exception as exc:
        # A failed job has no file to download and so no purge would ever find a partial one.
        (folder / file_name).unlink(missing_ok=True)
        log.exception("export %s failed", job_id)
        _job_failed(job_id, str(exc))
        raise


def _job_failed(job_id: int, error: str) -> None:
    """The one way a job becomes failed: its reason (shown on its page) and when it ended."""
    ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.FAILED, error=str(error)[:300],
                                               finished_at=timezone.now())


def export_purge_old(now: dt.datetime | None = None) -> int:
    """Delete exports (and their files) kept the rule ``crm.export_keep_days`` whole days after the
    day they were made (elapsed time under 民法典 art. 201: made on the 1st, kept 7 days, gone on
    the 9th), a window of ids at a time (``crm.retention``). One still queued or running is left
    until it is a day old (the task's time limit is half an hour: by then it has died)."""
    from django.db.models import Q

    from crm.retention import delete_by_id_windows

    now = now or timezone.now()
    cutoff = elapsed_cutoff_at(now, days=rule_int("crm.export_keep_days"))
    finished = (Q(status__in=[ExportJob.Status.DONE, ExportJob.Status.FAILED])
                | Q(created_at__lt=now - dt.timedelta(days=1)))

    def remove_files(window):
        for name in window.exclude(file_name="").values_list("file_name", flat=True):
            (Path(settings.EXPORT_ROOT) / name).unlink(missing_ok=True)

    return delete_by_id_windows(ExportJob.objects.filter(finished, created_at__lt=cutoff), before_delete=remove_files)
