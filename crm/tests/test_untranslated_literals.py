"""Every Chinese string literal in the apps' Python is either marked for translation or declared
data: an English user must never meet an unmarked Chinese refusal, message or notice.

A literal with CJK characters passes when it is
- inside a gettext-family call (``gettext``, ``gettext_lazy``, ``ngettext``, ``pgettext``, ``_``…;
  ``format_lazy(_("…{x}"), x=…)`` passes through its marked first argument),
- a docstring,
- on a line, or in a statement whose first line, carries ``# i18n: data`` (text matched against
  files, seeded rows, a notice as published…), or
- in a file of ``DATA_FILES`` (demo data) or ``PENDING`` (files nobody may edit right now).
README ("How to add a string and its translation") says which convention a string follows.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("crm", "complaints", "owners", "clubs", "property_liaison", "mortgage", "api")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
MARKER = "# i18n: data"
# The names makemessages extracts (xgettext's Python keywords, Django's additions, and ``_now``:
# ``gettext as _now`` beside a lazy ``_``, see crm/management/commands/makemessages.py).
GETTEXT = {"_", "_now", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext",
           "pgettext_lazy", "npgettext", "npgettext_lazy"}
# Whole files of data, with why.
DATA_FILES = {
    "crm/demo.py": "demo data: the office's sample records, in Chinese",
    "complaints/demo.py": "demo data: the office's sample records, in Chinese",
    "owners/demo.py": "demo data: the office's sample records, in Chinese",
    "clubs/demo.py": "demo data: the office's sample records, in Chinese",
    "property_liaison/demo.py": "demo data: the office's sample records, in Chinese",
    "mortgage/demo.py": "demo data: the office's sample records, in Chinese",
}
# Files that may not be edited this session (under mutation testing); to be marked after.
PENDING: dict[str, str] = {}


def _called_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def unmarked_literals(source: str, path: str = "<source>") -> list[str]:
    """``path:line: literal`` of every CJK string literal of ``source`` that is neither marked,
    nor a docstring, nor declared data."""
    tree = ast.parse(source)
    lines = source.splitlines()
    passed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called_name(node) in GETTEXT:
            passed.update(id(inner) for inner in ast.walk(node))
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                passed.add(id(first.value))
        if isinstance(node, ast.stmt) and MARKER in lines[node.lineno - 1]:
            # The statement's first line says it is data: so is every literal inside it (the
            # body of a compound statement is not: its own statements carry their own marks).
            body = {id(n) for field in ("body", "orelse", "finalbody", "handlers")
                    for child in getattr(node, field, []) or [] for n in ast.walk(child)}
            passed.update(id(inner) for inner in ast.walk(node) if id(inner) not in body)
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value)
                and id(node) not in passed and MARKER not in lines[node.lineno - 1]):
            found.append((node.lineno, node.value))
    return [f"{path}:{line}: {value!r}" for line, value in sorted(found)]


def app_files(apps=APPS):
    for app in apps:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            parts = set(path.relative_to(ROOT).parts)
            if {"tests", "migrations"} & parts or path.name.startswith("test_") or path.name == "conftest.py":
                continue
            yield relative, path


def test_every_chinese_literal_of_the_apps_is_marked_or_declared_data():
    problems = []
    for relative, path in app_files():
        if relative in DATA_FILES or relative in PENDING:
            continue
        problems += unmarked_literals(path.read_text(encoding="utf-8"), relative)
    assert not problems, ("Chinese literals not marked for translation (wrap them in gettext/gettext_lazy, "
                          "or mark data with `# i18n: data`):\n" + "\n".join(problems))


def test_the_declared_files_exist():
    """A renamed or deleted file must leave the lists, or they would excuse nothing silently."""
    missing = [name for name in (*DATA_FILES, *PENDING) if not (ROOT / name).exists()]
    assert not missing


SOURCE = '''
"""模块说明。"""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.utils.text import format_lazy


def refuse(name):
    """函数说明。"""
    raise ValueError(f"没有项目“{name}”")


OK = _("已保存。")
LAZY = format_lazy(gettext_lazy("新转交的案件：{number}"), number=1)
DAY = pgettext_lazy("weekday", "一")
HEADERS = ["姓名", "手机"]  # i18n: data
SEEDED = [  # i18n: data
    ("a", "默认说明"),
]
if True:  # i18n: data
    LEFT = "块里的语句不算"
PLAIN = "English only"
'''


def test_the_scanner_catches_an_unmarked_literal_and_accepts_marked_ones():
    assert unmarked_literals(SOURCE, "x.py") == ["x.py:10: '没有项目“'", "x.py:21: '块里的语句不算'"]


@pytest.mark.parametrize("snippet", ['X = "未标记"', 'messages.success(request, "已保存。")',
                                     'raise ValidationError(f"缺少{x}")', 'D = {"k": "值"}  # data'])
def test_each_unmarked_form_is_caught(snippet):
    assert len(unmarked_literals(snippet)) == 1
