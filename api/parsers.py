"""The API's JSON body parser: a body that is not JSON is refused in Chinese, with where it
breaks; JSON that no database column could keep is refused at the door.

Django REST framework's own refusal of a malformed body is English ("JSON parse error -
Expecting value: line 1 column 14 (char 13)"), the only English a client met.

A JSON string may carry ``\\u0000`` or half of a surrogate pair; PostgreSQL's text and jsonb
cannot store either (the call failed with a 500 deep in a write), and SQLite would keep a value no
page can show. Such a body is a 400 with a Chinese message, before anything is read or written.

JSON nested deeper than Python's recursion limit (``[[[[…]]]]`` a few thousand deep, a few kB)
raised RecursionError out of the decoder, past DRF's ValueError handling: a 500 with the staff's
HTML error page. It is a 400 too: no record of this API nests more than three levels.
"""
import json

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


UNSTORABLE = _("请求中含有无法保存的字符（如 \\u0000 或不成对的代理字符），请去掉后重试。")
TOO_DEEP = _("请求体的 JSON 嵌套层数过多。")


def unstorable(value) -> bool:
    """Whether a value parsed from a request (a body, a query's values) holds text no column can keep."""
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            return True
        return False
    if isinstance(value, dict):
        return any(unstorable(k) or unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(unstorable(v) for v in value)
    return False


def _why(error) -> object:
    """DRF's parser wraps the decoder's ValueError; say in Chinese what it was."""
    if isinstance(error, json.JSONDecodeError):
        return format_lazy(_("请求体不是有效的 JSON：第 {line} 行第 {column} 列有误。"), line=error.lineno,
                           column=error.colno)
    if isinstance(error, UnicodeDecodeError):
        return _("请求体应为 UTF-8 编码的 JSON。")
    return _("请求体不是有效的 JSON：不能含 NaN 或 Infinity。")


class StorableJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            bad = unstorable(data)
        except ParseError as exc:
            raise ParseError(_why(exc.__context__)) from exc
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if bad:
            raise ParseError(UNSTORABLE)
        return data
