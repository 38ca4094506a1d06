"""The liaison registers' exports refuse filters they cannot apply (crm.exports.Register.filter_form)
and keep exactly the rows of the ones they can."""
import pytest

from crm.testing import export_keeps_exactly, export_refused

pytestmark = pytest.mark.django_db


def test_the_inspection_register_export_refuses_a_kind_it_does_not_offer_or_a_day_that_does_not_exist(as_role):
    client = as_role("cs_staff")
    assert export_refused(client, "liaison-inspections", {"kind": "nonsense"})[0].startswith("类型：")
    assert export_refused(client, "liaison-inspections", {"date_to": "2026-02-30"}) == ["到：输入一个有效的日期。"]


def test_the_inspection_register_export_keeps_exactly_the_inspections_of_a_valid_filter(as_role):
    from property_liaison.models import Inspection

    kind = Inspection.objects.order_by("pk").values_list("kind", flat=True).first()
    export_keeps_exactly(as_role("cs_staff"), "liaison-inspections", {"kind": kind}, "检查类型",
                         Inspection.Kind(kind).label)
