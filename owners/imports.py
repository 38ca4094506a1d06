"""Excel import: limits, preview (dry run) and an all-or-nothing write with row-level Chinese errors."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction

from crm.scratch import scratch_dir
from crm.uploads import validate_upload
from owners.resources import RESOURCES

REQUIRED_HEADERS = {
    "customers": ["姓名", "手机", "所属项目"],
    "units": ["项目", "楼栋", "房号", "建筑面积"],
    "ownerships": ["客户编码", "项目", "楼栋", "房号"],
}
FIELD_LABELS_FALLBACK = {"__all__": "整行", "unit": "房号", "building": "楼栋", "code": "客户编码", "name": "姓名"}


@dataclass
class ImportReport:
    total: int = 0
    new: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (spreadsheet row number, message)
    preview: list[list] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.total > 0

    @property
    def bad_rows(self) -> list[int]:
        return sorted({n for n, _ in self.errors})


def check_upload(uploaded) -> None:
    """Size, extension, zip signature and zip-expansion (zip bomb) limits."""
    validate_upload(uploaded, "xlsx")


def read_dataset(path_or_file) -> tablib.Dataset:
    from openpyxl import load_workbook

    workbook = load_workbook(path_or_file, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        headers = [str(h).strip() if h is not None else "" for h in next(rows, [])]
        data = tablib.Dataset(headers=headers)
        for row in rows:
            values = list(row)[: len(headers)] + [None] * max(0, len(headers) - len(row))
            if all(v in (None, "") for v in values):
                continue
            data.append(values)
        return data
    finally:
        workbook.close()


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
    missing = [h for h in REQUIRED_HEADERS[kind] if h not in report.headers]
    if missing:
        report.errors.append((1, "缺少列：" + "、".join(sorted(missing))))
        return report
    if not report.total:
        report.errors.append((1, "文件中没有数据行。"))
        return report
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=True, raise_errors=False, use_transactions=True,
                                      collect_failed_rows=True)
        for invalid in result.invalid_rows:
            for msg in _messages(resource, invalid.error):
                report.errors.append((invalid.number + 1, msg))
        for number, errors in result.row_errors():
            for err in errors:
                exc = err.error
                msg = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                report.errors.append((number + 1, msg))
        report.errors.sort()
        totals = result.totals
        report.new, report.updated = totals.get("new", 0), totals.get("update", 0)
        report.preview = [list(r) for r in dataset[:20]]
        if report.errors or dry_run:
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
        raise ValidationError("导入文件已失效，请重新上传。") from None
    path = scratch_dir(STASH) / f"{token}.xlsx"
    if not path.exists():
        raise ValidationError("导入文件已失效，请重新上传。")
    return path
