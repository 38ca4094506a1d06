"""Does a value typed in an imported file identify the same owner, ID number or unit as the
record it refers to? One place for every import (owners' files, finance's overdue lists).

Pure functions, no database: the imports fetch what the rows refer to in bulk, then compare.
A masked value (``110***********1237``, ``张*``, as our own exports and the banks' lists
write them) matches when every visible character is where the stored value has it; a value
that is entirely masked says nothing and is treated like a blank one. Whether a blank is
acceptable is the import's decision (a required column vs an optional one), not this module's.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MASK_CHARS = "*＊●•"
_MASK_RUN = re.compile(f"[{re.escape(MASK_CHARS)}]+")
MASK_RE = _MASK_RUN  # "does this value carry a mask?"
_DOTS = str.maketrans({"・": "·", "•": "·", ".": "·", "．": "·"})
_DASHES = str.maketrans({"－": "-", "—": "-", "–": "-", "‐": "-", "_": "-"})


def _nfkc(value) -> str:
    """NFKC, without any whitespace (``str.split`` splits on what ``\\s`` matches, and faster)."""
    return "".join(unicodedata.normalize("NFKC", "" if value is None else str(value)).split())


@lru_cache(maxsize=4096)
def _nfkc_upper(value) -> str:
    """For the few values that repeat on every row (a building's, a project's name)."""
    return _nfkc(value).upper()


def is_blank(value) -> bool:
    """Blank, or nothing but mask characters (a fully masked value identifies nothing)."""
    return _MASK_RUN.sub("", _nfkc(value)) == ""


def masked_match(given: str, stored: str) -> bool:
    """``given`` (normalized, possibly masked) against ``stored`` (normalized, in clear)."""
    if not _MASK_RUN.search(given):
        return given == stored
    if len(given) == len(stored):  # a mask per character: compare position by position
        return all(g in MASK_CHARS or g == s for g, s in zip(given, stored))
    pattern = ".+".join(re.escape(part) for part in _MASK_RUN.split(given))
    return re.fullmatch(pattern, stored) is not None


def normal_name(value) -> str:
    return _nfkc(value).translate(_DOTS)


def name_matches(given, stored) -> bool:
    return masked_match(normal_name(given), normal_name(stored))


def normal_id(value) -> str:
    return _nfkc(value).upper()


def id_matches(given, stored) -> bool:
    """A stored ID that is blank cannot be contradicted; otherwise the visible characters must agree."""
    stored = normal_id(stored)
    return not stored or masked_match(normal_id(given), stored)


def normal_unit(value) -> str:
    text = _nfkc(value).translate(_DASHES).upper()
    return text[:-1] if text.endswith(("室", "号")) and len(text) > 1 else text  # i18n: data


@lru_cache(maxsize=4096)
def _unit_prefixes(building: str = "", project: str = "") -> frozenset[str]:
    """What a file may write before a unit's number: ``1-101``, ``1栋-1-101``, ``1栋1-101``, with
    or without the project (the same few on every row of a building: computed once)."""
    building, project = _nfkc_upper(building), _nfkc_upper(project)
    prefixes = {""}
    if building:
        prefixes |= {f"{building}-", building}
        if project:
            prefixes |= {f"{project}{building}-", f"{project}{building}", f"{project}-{building}-"}
    return frozenset(prefixes)


def unit_matches(given, number: str, building: str = "", project: str = "") -> bool:
    given, number = normal_unit(given), normal_unit(number)
    return given.endswith(number) and given[:len(given) - len(number)] in _unit_prefixes(building, project)


@lru_cache(maxsize=1024)  # a list names a handful of banks, on every row
def normal_bank(value) -> str:
    text = _nfkc(value)
    for prefix in ("中国", "中華", "中华"):  # i18n: data
        if text.startswith(prefix) and len(text) > len(prefix) + 2 and text != "中国银行":  # i18n: data
            text = text[len(prefix):]
    return text.removesuffix("股份有限公司").removesuffix("有限公司")  # i18n: data


def bank_matches(given, stored) -> bool:
    """``建设银行`` is ``中国建设银行``; ``中国银行`` stays itself (it is a bank of its own)."""
    given, stored = normal_bank(given), normal_bank(stored)
    return given == stored or (len(given) >= 4 and (given in stored or stored in given))
