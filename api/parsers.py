"""The API's JSON body parser: JSON that no database column could keep is refused at the door.

A JSON string may carry ``\\u0000`` or half of a surrogate pair; PostgreSQL's text and jsonb
cannot store either (the call failed with a 500 deep in a write), and SQLite would keep a value no
page can show. Such a body is a 400 with a Chinese message, before anything is read or written.
"""
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _unstorable(value) -> bool:
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            return True
        return False
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(v) for v in value)
    return False


class StorableJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _unstorable(data):
            raise ParseError(_("请求中含有无法保存的字符（如 \\u0000 或不成对的代理字符），请去掉后重试。"))
        return data
