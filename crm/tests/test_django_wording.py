"""Staff forms keep Django's Chinese wording of its own messages whatever else is installed.

Apps' catalogues take precedence over Django's, so a library that ships its own Chinese for
one of Django's English messages (Django REST framework: 该字段是必填项。) would reword every
form of the back office. ``locale/zh_Hans`` restates Django's wording for those messages; this
checks every message of Django's catalogue that an installed app translates too.
"""
import gettext
from pathlib import Path

import django
from django.apps import apps
from django.utils import translation


def _catalogue(folder: Path) -> dict:
    mo = folder / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    if not mo.exists():
        return {}
    with mo.open("rb") as handle:
        return {k: v for k, v in gettext.GNUTranslations(handle)._catalog.items() if isinstance(k, str) and k}


def test_every_django_message_that_an_installed_app_retranslates_keeps_djangos_wording():
    django_own = _catalogue(Path(django.__file__).parent / "conf" / "locale")
    shared = {}
    for config in apps.get_app_configs():
        for msgid in _catalogue(Path(config.path) / "locale").keys() & django_own.keys():
            shared.setdefault(msgid, config.label)
    with translation.override("zh-hans"):
        changed = {m: (translation.gettext(m), django_own[m], app) for m, app in shared.items()
                   if translation.gettext(m) != django_own[m]}
    assert not changed, f"reworded by an installed app's catalogue (add them to locale/zh_Hans): {changed}"


def test_a_required_field_says_it_in_djangos_words():
    from django import forms

    class Form(forms.Form):
        name = forms.CharField()

    with translation.override("zh-hans"):
        assert Form({}).errors["name"] == ["这个字段是必填项。"]
