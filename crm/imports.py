"""One way to take in an Excel file, shared by every import: the owners' customers, units and
ownerships (django-import-export, ``owners/imports.py``) and finance's overdue list
(``mortgage/imports.py``).

- ``check_upload``: size, extension and the zip checks, before anything opens the file;
- ``Sheet``: the first worksheet's header and its non-empty rows with their spreadsheet line
  numbers, read by calamine (Rust) or, when it is missing, openpyxl's read-only mode;
- ``RowErrors``: every problem of the file collected by line, in Chinese. A file with any of
  them is refused whole: the preview lists the lines to correct (``templates/includes/
  import_errors.html``) and the confirm step, which checks the rows again, writes nothing.

    problems = RowErrors()
    with Sheet(path) as sheet:
        if missing := sheet.missing(["姓名", "手机"]):
            problems.file_error(missing)
        for line, values in sheet.rows():
            ...problems.add(line, "手机号格式不正确")
    problems.lines()  # ["第 3 行：手机号格式不正确", …], at most MAX_SHOWN and a count of the rest
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.uploads import validate_upload

MAX_SHOWN = 200  # lines listed on a page; the rest are counted
READER = "calamine"  # or "openpyxl" (the fallback; bench/bench_import.py measures both)


def check_upload(uploaded) -> None:
    """Size, extension, zip signature, unpacked size and ratio (zip-bomb guard), before opening."""
    validate_upload(uploaded, "xlsx")


def cell_text(value) -> str:
    """A cell as the text a user typed: ``None`` is empty, 12.0 (Excel's numbers) is "12"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_date(value) -> dt.date | None:
    """A cell as a date, or None when it is not one: a date cell, Excel's day number, or text
    typed as 2024-01-31, 2024/1/31, 2024.1.31 or 2024年1月31日 (a day that does not exist, such as
    2024-02-30, is not a date). Every import reads its dates here."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(value).date()
        except (ValueError, OverflowError, AttributeError):
            return None
    text = (cell_text(value).replace("年", "-").replace("月", "-").replace("日", "")  # i18n: data
            .replace("/", "-").replace(".", "-"))
    try:
        return dt.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        return None


def cell_number(value) -> Decimal | None:
    """A cell as a finite number, or None when it is not one (text such as 九十 or 12a)."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "")) if not isinstance(value, float) else Decimal(repr(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def missing_columns(header: Sequence[str], required: Sequence[str]) -> str:
    """The message for required columns a header lacks ("" when none is missing)."""
    absent = [title for title in required if title not in header]
    return gettext("缺少列：{columns}（第 1 行须为表头）").format(columns="、".join(absent)) if absent else ""


class Sheet:
    """The first worksheet of a workbook (a path or a file object), as a context manager."""

    def __init__(self, source, reader: str | None = None):
        reader = reader or READER
        self._book = None
        if reader == "calamine":
            try:
                from python_calamine import CalamineWorkbook
            except ImportError:
                reader = "openpyxl"
            else:
                book = (CalamineWorkbook.from_filelike(source) if hasattr(source, "read")
                        else CalamineWorkbook.from_path(str(source)))
                self._rows = (tuple(row) for row in book.get_sheet_by_index(0).iter_rows())
        if reader == "openpyxl":
            from openpyxl import load_workbook

            self._book = load_workbook(source, read_only=True, data_only=True)
            self._rows = self._book.worksheets[0].iter_rows(values_only=True)
        self.header = [cell_text(title) for title in (next(self._rows, None) or ())]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._book is not None:
            self._book.close()

    def missing(self, required: Sequence[str]) -> str:
        return missing_columns(self.header, required)

    def rows(self) -> Iterator[tuple[int, tuple]]:
        """(spreadsheet line, values as wide as the header) of every row that is not empty."""
        width = len(self.header)
        for line, values in enumerate(self._rows, start=2):
            if values is None or all(v is None or cell_text(v) == "" for v in values):
                continue
            values = tuple(values)
            yield line, (values + (None,) * (width - len(values)) if len(values) < width else values)


class RowErrors:
    """Problems of an imported file: about the whole file, or about a spreadsheet line."""

    def __init__(self):
        self._file: list[str] = []
        self._lines: dict[int, list[str]] = {}

    def file_error(self, message: str) -> None:
        self._file.append(message)

    def add(self, line: int, *messages: str) -> None:
        if messages:
            self._lines.setdefault(line, []).extend(messages)

    def __bool__(self) -> bool:
        return bool(self._file or self._lines)

    @property
    def bad_rows(self) -> list[int]:
        """The spreadsheet lines with a problem, in order."""
        return sorted(self._lines)

    def pairs(self) -> list[tuple[int, str]]:
        """(line, message) of every problem of a line, in line order."""
        return [(line, message) for line in self.bad_rows for message in self._lines[line]]

    def lines(self, limit: int | None = None) -> list[str]:
        """What the page lists: the file's problems, then one entry per line ("第 N 行：a；b"),
        at most ``limit`` and then how many more there are."""
        out = [str(message) for message in self._file] + [
            gettext("第 {line} 行：{problems}").format(line=line, problems="；".join(str(m) for m in self._lines[line]))
            for line in self.bad_rows]
        if limit is not None and len(out) > limit:
            out = out[:limit] + [gettext("……另有 {count} 处错误未列出").format(count=len(out) - limit)]
        return out

    def refuse(self, first: str = _("文件未通过校验，未导入任何数据。"), shown: int = 20) -> None:
        """Raise ValidationError with the first ``shown`` lines, if there is any problem."""
        if self:
            raise ValidationError([first, *self.lines(shown)])
