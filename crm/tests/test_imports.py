"""crm.imports: the mechanism every Excel import shares (the reader, errors by line)."""
import io

import pytest
from openpyxl import Workbook

from crm.imports import RowErrors, Sheet


def workbook(rows) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_both_readers_give_the_header_and_the_non_empty_rows_with_their_lines(reader):
    with Sheet(workbook([["姓名", " 手机 ", None], ["甲", 13700000001, None], [None, None], ["乙", "", 1.0]]),
               reader) as sheet:
        assert sheet.header == ["姓名", "手机", ""]
        assert sheet.missing(["姓名", "房号", "银行"]) == "缺少列：房号、银行（第 1 行须为表头）"
        rows = [(line, [v if v != "" else None for v in values]) for line, values in sheet.rows()]
    assert rows == [(2, ["甲", 13700000001, None]), (4, ["乙", None, 1])]


def test_errors_are_listed_by_line_after_the_files_own_and_cut_at_the_limit():
    problems = RowErrors()
    assert not problems
    problems.add(12, "手机号格式不正确")
    problems.add(3, "姓名为空", "房号为空")
    problems.file_error("缺少列：银行（第 1 行须为表头）")
    assert problems.bad_rows == [3, 12]
    assert problems.pairs() == [(3, "姓名为空"), (3, "房号为空"), (12, "手机号格式不正确")]
    assert problems.lines() == ["缺少列：银行（第 1 行须为表头）", "第 3 行：姓名为空；房号为空", "第 12 行：手机号格式不正确"]
    assert problems.lines(2)[-1] == "……另有 1 处错误未列出"
