"""What a page computes the same way for every user: kept once per process, keyed on all it
depends on.

Some parts of every page are the same text for everyone who shares a few values: a choice's label
in a language, a filter menu with one option selected, the navigation bar of a role. Working them
out again on every request (the translation catalogue, Django's widget machinery, the template
engine) cost more than the rest of a list page. ``remember`` keeps such a value in this process,
under a key that holds **everything its output depends on**, given by the caller, plus what the
request sets for the whole thread: the language, the time zone, the URL conf and prefix. Nothing here
reads the database, a user or a session: a value that depends on one of those (a permission, a
count, a name) must be in the key, and then it is the key's own value, never a user's.

It is not the shared cache (``crm.caching``): emptying that, a new permission generation or a
new session changes nothing here, because nothing here came from them. The store is bounded (it
starts over when full) and starts over whenever a setting changes (tests that override one).
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone, translation

MAX_ENTRIES = 4096  # a filter menu per selected value, a nav per role and section: far fewer in use
_store: dict[Hashable, Any] = {}


def context_key() -> tuple:
    """What the request sets for the whole thread and any text may depend on."""
    return translation.get_language(), timezone.get_current_timezone_name(), get_urlconf(), get_script_prefix()


def remember(key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()``, kept in this process under ``key`` and the request's ``context_key``.
    ``key`` must hold everything the value depends on besides those."""
    full = (key, context_key())
    try:
        return _store[full]
    except KeyError:
        pass
    value = compute()
    if len(_store) >= MAX_ENTRIES:
        _store.clear()
    _store[full] = value
    return value


def choices(enum) -> tuple[tuple[str, str], ...]:
    """A TextChoices' (value, label) pairs with the labels translated into the current language,
    translated once per process and language (a lazy label is looked up in the catalogue each
    time it is shown)."""
    return remember(("choices", enum), lambda: tuple((value, str(label)) for value, label in enum.choices))


def labels(enum) -> dict[str, str]:
    """{value: label in the current language} of a TextChoices (see ``choices``)."""
    return remember(("labels", enum), lambda: dict(choices(enum)))


def forget_all() -> None:
    _store.clear()


@receiver(setting_changed)
def _setting_changed(**kwargs) -> None:
    forget_all()
