"""crm.forms.control_html writes the common widgets without Django's widget templates: for every
form of the product, unbound and bound (valid or with errors), it must give the HTML Django
gives, attribute for attribute."""
import importlib
import inspect
import re

import pytest
from django import forms

from crm.forms import control_html

pytestmark = pytest.mark.django_db

APPS = ("crm", "owners", "complaints", "property_liaison", "mortgage", "clubs")


def _normal(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def _forms():
    for app in APPS:
        module = importlib.import_module(f"{app}.forms")
        for name, cls in vars(module).items():
            if (inspect.isclass(cls) and issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
                    and not inspect.isabstract(cls) and getattr(cls, "base_fields", None)):
                yield f"{app}.{name}", cls


def _make(cls, data):
    from django.contrib.auth import get_user_model

    from clubs.models import ClubMember
    from owners.models import Customer, Project, Unit

    offered = {"projects": Project.objects.all(), "customers": Customer.objects.all(),
               "members": ClubMember.objects.all(), "units": Unit.objects.all(), "candidates": (),
               "transitions": (), "user": get_user_model().objects.first()}
    wanted = inspect.signature(cls.__init__).parameters
    kwargs = {k: v for k, v in offered.items() if k in wanted}
    try:
        return cls(data, **kwargs) if data is not None else cls(**kwargs)
    except TypeError:
        return None


def test_written_widgets_are_the_ones_django_renders(demo):
    checked = 0
    for label, cls in _forms():
        for data in (None, {}, {"title": "标题<b>\"'&", "description": "多行\n文本", "project": "1", "kind": "complaint"}):
            form = _make(cls, data)
            if form is None:
                continue
            if data is not None:
                try:
                    form.is_valid()
                except Exception:  # noqa: BLE001 - a form that needs what its view gives it
                    continue
            for bound in form.visible_fields():
                try:
                    expected = str(bound)
                except AttributeError:  # a choice field whose records a view would have given
                    continue
                assert _normal(str(control_html(bound))) == _normal(expected), (label, bound.name, data)
                checked += 1
    assert checked > 100
