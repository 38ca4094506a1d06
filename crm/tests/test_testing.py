"""The demo snapshot used by the `demo` fixture gives later tests the same rows as a real load."""
import conftest
from crm.demo import load_all
from crm.testing import snapshot_rows


def test_the_first_demo_load_leaves_a_snapshot(demo):
    from crm import testing

    assert conftest._demo_snapshot.get("rows"), testing.refusal


def test_a_restored_demo_is_the_same_data_the_loaders_make(demo):
    before = {model: len(pks) for model, pks in snapshot_rows().items()}
    load_all(lambda *_: None)  # idempotent: on a complete demo it adds nothing
    after = {model: len(pks) for model, pks in snapshot_rows().items()}
    grown = {model._meta.label: (before[model], after[model]) for model in after
             if after[model] != before[model] and ".Historical" not in model._meta.label}
    assert grown == {}
