"""crm.bulk: rows written in one statement per table read back exactly, and its history rows are
the ones simple-history writes. Run on SQLite and on PostgreSQL (DATABASE_URL=postgres://…):
the two take different statements (executemany; COPY)."""
import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from crm import bulk
from mortgage.models import OverdueRecord, OverdueUpload
from mortgage.tests.conftest import estate  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FIELDS = [f.attname for f in OverdueRecord._meta.concrete_fields]


def as_tuples(names, rows):
    return [tuple(row[name] for name in names) for row in rows]


def record_rows(estate, user):  # noqa: F811 - the fixture's value
    upload = OverdueUpload.objects.create(original_name="a.xlsx", sha256="a" * 64, report_date=dt.date(2026, 3, 1),
                                          uploaded_by=user)
    flagged = [dt.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=SHANGHAI), None,
               dt.datetime(2026, 3, 2, 1, 2, 3, tzinfo=dt.timezone.utc), None]
    return [{"loan_id": loan.pk, "project_id": loan.project_id, "customer_id": loan.customer_id,
             "amount": Decimal("1234.50") + i, "overdue_since": dt.date(2025, 12, 31 - i), "periods": i,
             "bank_recommends": i % 2 == 1, "status": "open", "first_upload_id": upload.pk,
             "last_upload_id": upload.pk, "last_report_date": dt.date(2026, 3, 1), "closed_on": None,
             "unlisted_on": dt.date(2026, 2, 1) if i == 3 else None, "litigation_required": flagged[i] is not None,
             "litigation_reason": "逾期超过6个月；" if flagged[i] else "", "litigation_flagged_at": flagged[i]}
            for i, loan in enumerate(estate["loans"])]


def test_inserted_and_updated_rows_read_back_with_every_value(estate, make_user):  # noqa: F811
    rows = record_rows(estate, make_user("finance"))
    bulk.insert_rows(OverdueRecord, FIELDS[1:], as_tuples(FIELDS[1:], rows))
    written = list(OverdueRecord.objects.order_by("loan_id").values(*FIELDS))
    assert [{k: v for k, v in row.items() if k != "id"} for row in written] == rows
    for row in written:
        row.update(amount=row["amount"] * 2, closed_on=dt.date(2026, 3, 5), status="closed",
                   litigation_flagged_at=dt.datetime(2026, 3, 5, 23, 59, tzinfo=SHANGHAI), unlisted_on=None)
    names = ["litigation_flagged_at", "amount", "id", "closed_on", "status", "unlisted_on"]  # the key anywhere
    bulk.update_rows(OverdueRecord, names, as_tuples(names, written[:3]))
    after = list(OverdueRecord.objects.order_by("loan_id").values(*FIELDS))
    assert after[:3] == written[:3]
    assert after[3]["status"] == "open" and after[3]["amount"] == Decimal("1237.50")  # not in the list: unchanged


def test_history_rows_are_the_ones_simple_history_writes(estate, make_user):  # noqa: F811
    user = make_user("finance")
    bulk.insert_rows(OverdueRecord, FIELDS[1:], as_tuples(FIELDS[1:], record_rows(estate, user)))
    when = dt.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=SHANGHAI)
    bulk.insert_history(OverdueRecord,
                        list(OverdueRecord.objects.order_by("pk").values_list(*bulk.history_names(OverdueRecord))),
                        history_type="~", user=user, reason="ours", date=when)
    OverdueRecord.history.bulk_history_create(list(OverdueRecord.objects.order_by("pk")), update=True,
                                              default_user=user, default_change_reason="simple-history",
                                              default_date=when)
    columns = [f.attname for f in OverdueRecord.history.model._meta.concrete_fields
               if f.attname not in ("history_id", "history_change_reason")]
    ours = list(OverdueRecord.history.filter(history_change_reason="ours").order_by("id").values(*columns))
    theirs = list(OverdueRecord.history.filter(history_change_reason="simple-history").order_by("id").values(*columns))
    assert len(ours) == 4 and ours == theirs
    assert ours[0]["history_date"] == when and ours[0]["history_user_id"] == user.pk


def test_a_column_without_a_backend_adapter_goes_through_its_field(db):
    from crm.models import CalendarYear

    names = ["year", "status", "notice_title", "notice_date", "holiday_ranges", "working_days", "revision",
             "confirmed_at"]
    row = {"year": 2031, "status": "confirmed", "notice_title": "国务院办公厅关于2031年部分节假日安排的通知",
           "notice_date": dt.date(2030, 11, 12), "holiday_ranges": [["2031-01-01", "2031-01-01", "元旦"]],
           "working_days": ["2031-01-26"], "revision": 1,
           "confirmed_at": dt.datetime(2030, 11, 13, 9, 0, tzinfo=SHANGHAI)}
    bulk.insert_rows(CalendarYear, names, as_tuples(names, [row]))
    assert CalendarYear.objects.filter(year=2031).values(*names).get() == row


def test_among_finds_the_rows_whose_column_holds_one_of_many_values(estate, make_user):  # noqa: F811
    """One parameter for any number of values (SQLite caps a statement at 999 or 32,766 of them)."""
    from mortgage.models import MortgageLoan

    loans = estate["loans"]
    numbers = [loans[0].loan_number, loans[2].loan_number] + [f"NONE-{i}" for i in range(40000)]
    found = MortgageLoan.objects.filter(bulk.among(MortgageLoan, "loan_number", numbers))
    assert sorted(found.values_list("pk", flat=True)) == sorted([loans[0].pk, loans[2].pk])
    by_id = MortgageLoan.objects.filter(bulk.among(MortgageLoan, "id", [loans[1].pk, 0]))
    assert list(by_id.values_list("pk", flat=True)) == [loans[1].pk]
    assert not MortgageLoan.objects.filter(bulk.among(MortgageLoan, "id", [])).exists()
