"""The overdue list's 逾期起始日 must be a day the loan can have been overdue on: a number typed
in the date column (Excel reads 3 as 1900-01-03) or a day before the loan was paid out is a
wrong date, refused by line like any other, and nothing is written (not even a litigation flag:
a record "overdue since 1900" is more than six months overdue)."""
import datetime as dt

import pytest
from django.utils import timezone

from mortgage.models import MortgageLoan, OverdueRecord
from mortgage.tests.conftest import months_ago, row
from mortgage.tests.test_imports import assert_refused_and_nothing_written, upload_as_finance

pytestmark = pytest.mark.django_db


def test_a_number_typed_as_the_overdue_start_is_refused_as_a_wrong_date(client, estate, make_user):
    loans = estate["loans"]
    body, upload = upload_as_finance(client, make_user, [row(loans[0], 900, months_ago(1)), row(loans[1], 900, 3)])
    assert_refused_and_nothing_written(client, upload, body, "第 3 行",
                                       "逾期起始日 1900-01-03 早于 1980-01-01，不是有效日期")
    assert "第 2 行" not in body and not OverdueRecord.objects.filter(litigation_required=True).exists()


def test_an_overdue_start_before_the_loan_was_paid_out_is_refused(client, estate, make_user):
    loan = estate["loans"][0]
    MortgageLoan.objects.filter(pk=loan.pk).update(start_date=months_ago(3))
    body, upload = upload_as_finance(client, make_user, [row(loan, 900, months_ago(4))])
    assert_refused_and_nothing_written(
        client, upload, body, "第 2 行",
        f"逾期起始日 {months_ago(4)} 早于贷款 L0001 的放款日期 {months_ago(3)}")


def test_an_overdue_start_on_the_day_the_loan_was_paid_out_or_after_is_taken(client, estate, make_user):
    from django.urls import reverse

    loans = estate["loans"]
    MortgageLoan.objects.filter(pk=loans[0].pk).update(start_date=months_ago(3))
    body, upload = upload_as_finance(client, make_user, [row(loans[0], 900, months_ago(3)),
                                                        row(loans[1], 800, dt.date(1980, 1, 1))])
    assert "校验通过" in body, upload.errors
    client.post(reverse("mortgage:overdue_confirm", args=[upload.pk]))
    assert dict(OverdueRecord.objects.values_list("loan__loan_number", "overdue_since")) == {
        "L0001": months_ago(3), "L0002": dt.date(1980, 1, 1)}
    assert upload.report_date == timezone.localdate()


def test_a_loan_paid_out_before_1980_is_refused_on_the_page_and_nothing_is_written(as_role):
    """The loan's 放款日期 bounds the overdue start: a typo there (1900) would let any list through."""
    from django.urls import reverse

    from owners.models import Ownership

    client = as_role("finance")
    ownership = Ownership.objects.filter(kind="owner", unit__mortgage_loans__isnull=True).first()
    before = MortgageLoan.objects.count()
    body = client.post(reverse("mortgage:loan_create"), {
        "ownership": ownership.pk, "loan_number": "DK-1900", "bank": "中国银行", "amount": "560000",
        "term_months": 300, "start_date": "1900-01-03"}).content.decode()
    assert "日期应在 1980-01-01 到" in body
    assert MortgageLoan.objects.count() == before and not MortgageLoan.objects.filter(loan_number="DK-1900").exists()
