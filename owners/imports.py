"""Excel import of customers, units and ownerships (django-import-export resources): a preview
(dry run) and an all-or-nothing write, through the shared import mechanism of ``crm.imports``
(file checks, the sheet reader, errors by spreadsheet line) that the overdue list uses too."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from crm.imports import MAX_SHOWN, RowErrors, Sheet, check_upload, missing_columns
from crm.scratch import scratch_dir
from owners.resources import RESOURCES

__all__ = ["check_upload", "read_dataset", "run_import", "stash", "stashed_path"]

# The columns a file must carry: its Chinese headers are matched against the file, not shown.
REQUIRED_HEADERS = {  # i18n: data
    "customers": ["姓名", "手机", "所属项目"],  # i18n: data
    "units": ["项目", "楼栋", "房号", "建筑面积"],  # i18n: data
    "ownerships": ["客户编码", "项目", "楼栋", "房号"],  # i18n: data
}
# A row's errors are named by the file's own column (data), or as the whole row.
FIELD_LABELS_FALLBACK = {"unit": "房号", "building": "楼栋", "code": "客户编码", "name": "姓名"}  # i18n: data
FIELD_LABELS_FALLBACK["__all__"] = _("整行")


@dataclass
class ImportReport:
    total: int = 0
    new: int = 0
    updated: int = 0
    problems: RowErrors = field(default_factory=RowErrors)
    preview: list[list] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.total > 0

    @property
    def errors(self) -> list[tuple[int, str]]:
        """(spreadsheet line, message) of every problem of a row."""
        return self.problems.pairs()

    @property
    def bad_rows(self) -> list[int]:
        return self.problems.bad_rows

    @property
    def error_lines(self) -> list[str]:
        """What the page lists: one entry per line ("第 N 行：…"), at most MAX_SHOWN."""
        return self.problems.lines(MAX_SHOWN)


def read_dataset(path_or_file) -> tablib.Dataset:
    """The first sheet's non-empty rows as a dataset, with the spreadsheet line of each row
    (``lines``), so that errors name the line even where empty rows were skipped."""
    with Sheet(path_or_file) as sheet:
        data = tablib.Dataset(headers=sheet.header)
        data.lines = []
        for line, values in sheet.rows():
            data.append(list(values[:len(sheet.header)]))
            data.lines.append(line)
    return data


def _line(dataset: tablib.Dataset, number: int) -> int:
    """The spreadsheet line of import-export's row ``number`` (1-based, the header not counted)."""
    lines = getattr(dataset, "lines", None)
    return lines[number - 1] if lines and 0 < number <= len(lines) else number + 1


def _messages(resource, error: ValidationError) -> list[str]:
    labels = {f.attribute: f.column_name for f in resource.fields.values() if f.attribute}
    labels.update(FIELD_LABELS_FALLBACK)
    out = []
    if hasattr(error, "error_dict"):
        for name, errs in error.message_dict.items():
            label = labels.get(name, name)
            out.extend(f"{label}：{msg}" for msg in errs)
    else:
        out.extend(error.messages)
    return out


def run_import(kind: str, dataset: tablib.Dataset, *, user, dry_run: bool) -> ImportReport:
    """Validate every row; write only when ``dry_run`` is False and no row has an error."""
    from owners.permissions import check_import

    check_import(user)
    resource = RESOURCES[kind](user=user)
    report = ImportReport(total=len(dataset), headers=list(dataset.headers or []))
    missing = missing_columns(report.headers, REQUIRED_HEADERS[kind])
    if missing:
        report.problems.file_error(missing)
        return report
    if not report.total:
        report.problems.file_error(_("文件中没有数据行。"))
        return report
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=True, raise_errors=False, use_transactions=True,
                                      collect_failed_rows=True)
        found = [(_line(dataset, invalid.number), msg) for invalid in result.invalid_rows
                 for msg in _messages(resource, invalid.error)]
        found += [(_line(dataset, number), "；".join(err.error.messages) if isinstance(err.error, ValidationError)
                   else str(err.error)) for number, errors in result.row_errors() for err in errors]
        for line, msg in sorted(found):
            report.problems.add(line, msg)
        totals = result.totals
        report.new, report.updated = totals.get("new", 0), totals.get("update", 0)
        report.preview = [list(r) for r in dataset[:20]]
        if report.problems or dry_run:
            return report
        result = resource.import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
    return report


STASH = "owners-imports"  # scratch folder of files waiting for their confirm step


def stash(uploaded) -> str:
    """Keep an uploaded file for the confirm step; return its token. It waits in the scratch
    folder: the confirm step removes it, and one never confirmed is purged within a day."""
    token = uuid.uuid4().hex
    with open(scratch_dir(STASH) / f"{token}.xlsx", "wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return token


def stashed_path(token: str) -> Path:
    try:
        token = uuid.UUID(hex=token).hex
    except (ValueError, TypeError):
        raise ValidationError(_("导入文件已失效，请重新上传。")) from None
    path = scratch_dir(STASH) / f"{token}.xlsx"
    if not path.exists():
        raise ValidationError(_("导入文件已失效，请重新上传。"))
    return path
