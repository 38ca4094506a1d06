"""The 访问客户记录表 register (seed 003): each visit recorded on a customer's page is exported
with its method, the owner's opinions and satisfaction; never to the property company."""
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def _rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_a_visit_recorded_on_the_customers_page_is_in_the_visit_register(as_role):
    from owners.models import Customer

    client = as_role("cs_staff")
    customer = Customer.objects.filter(confidential=False, ownerships__isnull=False).order_by("pk").first()
    today = timezone.localdate()
    response = client.post(reverse("owners:visit_create", args=[customer.pk]), {
        "visited_on": today.isoformat(), "method": "home", "opinions": "希望小区增加儿童游乐设施", "satisfaction": "4"})
    assert response.status_code == 302
    assert customer.visits.get(opinions="希望小区增加儿童游乐设施").satisfaction == 4
    page = client.get(reverse("owners:quota_report"), {"month": f"{today:%Y-%m}"}).content.decode()
    assert reverse("crm:export_register", args=["owners-visits"]) in page
    header, rows = _rows(client.get(reverse("crm:export_register", args=["owners-visits"]),
                                    {"month": f"{today:%Y-%m}"}))
    assert header[:9] == ("访问日期", "客户编码", "客户", "项目", "访问方式", "访问人", "部门", "客户意见", "满意度(1-5)")
    row = next(r for r in rows if r[7] == "希望小区增加儿童游乐设施")
    staff = get_user_model().objects.get(username="cs_staff")
    assert (row[1], row[2], row[4], row[5], row[8]) == (customer.code, customer.name, "上门拜访",
                                                        staff.get_full_name() or staff.username, 4)
    _, other_month = _rows(client.get(reverse("crm:export_register", args=["owners-visits"]), {"month": "2001-01"}))
    assert other_month == []


def test_the_property_company_cannot_export_the_visit_register(as_role):
    assert as_role("property_company").get(reverse("crm:export_register", args=["owners-visits"])).status_code == 403


# --- Filters an export cannot apply (crm.exports.Register.filter_form) ----------------------

def test_the_contact_log_export_refuses_a_day_that_does_not_exist_or_a_kind_it_does_not_offer(as_role):
    from crm.testing import export_refused

    client = as_role("cs_staff")
    assert export_refused(client, "owners-contacts", {"occurred_from": "2026-02-30"}) == ["日期从：输入一个有效的日期。"]
    reasons = export_refused(client, "owners-contacts", {"kind": "nonsense", "project": "abc"})
    assert [reason.split("：")[0] for reason in reasons] == ["类型", "项目"]


def test_the_contact_log_export_keeps_exactly_the_rows_of_a_valid_filter(as_role):
    from crm.testing import export_keeps_exactly
    from owners.models import ContactLog

    value = ContactLog.objects.order_by("pk").values_list("kind", flat=True).first()
    export_keeps_exactly(as_role("cs_staff"), "owners-contacts", {"kind": value}, "类型", ContactLog.Kind(value).label)


def test_the_visit_register_refuses_a_month_that_is_not_one_and_exports_every_visit_without_one(as_role):
    from crm.testing import export_refused, export_sheet
    from owners import selectors

    client = as_role("cs_staff")
    assert export_refused(client, "owners-visits", {"month": "2026-13"}) == ["月份：月份应为 年-月，例如 2026-12。"]
    assert export_refused(client, "owners-visits", {"month": "1999-05"}) == ["月份：日期应在 2000 年至 2100 年之间。"]
    staff = get_user_model().objects.get(username="cs_staff")
    visits, _form = selectors.visit_list(staff, {})
    _, rows = export_sheet(client.get(reverse("crm:export_register", args=["owners-visits"])))
    assert len(rows) == visits.count() > 0
