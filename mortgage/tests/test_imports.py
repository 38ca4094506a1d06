"""The finance overdue list: checks, preview, idempotent upsert, closing, the litigation rule."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from crm.models import Notification
from mortgage.imports import overdue_upload_apply, overdue_upload_receive
from mortgage.models import OverdueRecord, OverdueUpload
from mortgage.tests.conftest import HEADERS, months_ago, row, xlsx

pytestmark = pytest.mark.django_db


def done_when_file(loans):
    return xlsx([
        row(loans[0], 19000, months_ago(5)),                   # neither rule: not flagged
        row(loans[1], 3000, months_ago(7), periods=7),         # more than 6 months
        row(loans[2], 25000, months_ago(2), periods=2),        # more than 20,000 yuan
        row(loans[3], 1000, months_ago(1), recommends="是"),   # the bank recommends it
    ])


def receive_and_apply(user, upload_file, report_date=None):
    upload = overdue_upload_receive(user=user, uploaded=upload_file, report_date=report_date or timezone.localdate())
    assert upload.status == OverdueUpload.Status.VALID, upload.errors
    return upload, overdue_upload_apply(upload=upload, user=user)


def test_the_rule_flags_exactly_seven_months_25000_yuan_and_the_bank_recommendation(estate, make_user):
    finance, supervisor = make_user("finance"), make_user("cs_supervisor")
    loans = estate["loans"]
    _, summary = receive_and_apply(finance, done_when_file(loans))
    assert summary["created"] == 4
    flagged = set(OverdueRecord.objects.filter(litigation_required=True).values_list("loan__loan_number", flat=True))
    assert flagged == {"L0002", "L0003", "L0004"}
    reasons = dict(OverdueRecord.objects.values_list("loan__loan_number", "litigation_reason"))
    assert "逾期超过6个月" in reasons["L0002"] and "20,000" in reasons["L0003"] and "银行建议" in reasons["L0004"]
    assert reasons["L0001"] == ""
    assert Notification.objects.filter(recipient=supervisor).count() == 1


def test_importing_the_same_file_again_changes_nothing(estate, make_user):
    finance = make_user("finance")
    make_user("cs_supervisor")
    upload_file = done_when_file(estate["loans"])
    receive_and_apply(finance, upload_file)
    before = list(OverdueRecord.objects.order_by("pk").values())
    history_before = OverdueRecord.history.count()
    notes_before = Notification.objects.count()
    upload_file.seek(0)
    with pytest.raises(ValidationError, match="已于"):
        overdue_upload_receive(user=finance, uploaded=upload_file, report_date=timezone.localdate())
    assert list(OverdueRecord.objects.order_by("pk").values()) == before
    assert OverdueRecord.history.count() == history_before
    assert Notification.objects.count() == notes_before
    assert OverdueUpload.objects.count() == 1


def test_a_different_file_with_the_same_rows_writes_no_history(estate, make_user):
    finance = make_user("finance")
    receive_and_apply(finance, done_when_file(estate["loans"]))
    history_before = OverdueRecord.history.count()
    loans = estate["loans"]
    again = xlsx([r + ["另一份导出"] for r in [  # other bytes, same data (an extra column is ignored)
        row(loans[0], 19000, months_ago(5)), row(loans[1], 3000, months_ago(7), periods=7),
        row(loans[2], 25000, months_ago(2), periods=2), row(loans[3], 1000, months_ago(1), recommends="是")]],
        headers=HEADERS + ["备注"])
    _, summary = receive_and_apply(finance, again)
    assert summary["unchanged"] == 4 and summary["created"] == summary["updated"] == summary["closed"] == 0
    assert OverdueRecord.history.count() == history_before


def test_missing_column_bad_date_and_unknown_loan_write_nothing_and_name_each_problem(estate, make_user):
    finance = make_user("finance")
    loans = estate["loans"]
    missing = xlsx([row(loans[0], 100, months_ago(1))[:-1]], headers=HEADERS[:-1])
    upload = overdue_upload_receive(user=finance, uploaded=missing, report_date=timezone.localdate())
    assert upload.status == OverdueUpload.Status.INVALID
    assert any("缺少列" in e and "银行建议诉讼" in e for e in upload.errors)

    bad = xlsx([
        row(loans[0], 100, "2025-13-45"),
        row(loans[1], "abc", months_ago(1)),
        ["某人", "", "9-999", "NOPE-1", "工商银行", 500, months_ago(1), 1, "否"],
    ])
    upload = overdue_upload_receive(user=finance, uploaded=bad, report_date=timezone.localdate())
    assert upload.status == OverdueUpload.Status.INVALID
    text = "\n".join(upload.errors)
    assert "第 2 行" in text and "逾期起始日" in text and "不是有效日期" in text
    assert "第 3 行" in text and "逾期金额" in text
    assert "第 4 行" in text and "NOPE-1" in text and "不存在" in text
    with pytest.raises(ValidationError):
        overdue_upload_apply(upload=upload, user=finance)
    assert OverdueRecord.objects.count() == 0
    assert OverdueRecord.history.count() == 0


def test_a_loan_absent_from_a_later_list_closes_its_record_and_an_older_list_closes_nothing(estate, make_user):
    finance = make_user("finance")
    loans = estate["loans"]
    today = timezone.localdate()
    receive_and_apply(finance, xlsx([row(loans[0], 500, months_ago(1)), row(loans[1], 900, months_ago(2))]),
                      report_date=today - dt.timedelta(days=10))
    _, summary = receive_and_apply(finance, xlsx([row(loans[1], 1200, months_ago(2), periods=3)]), report_date=today)
    assert summary == {"rows": 1, "created": 0, "updated": 1, "unchanged": 0, "stale": 0, "closed": 1, "held": 0,
                       "litigation": 0}
    closed = OverdueRecord.objects.get(loan=loans[0])
    assert closed.status == OverdueRecord.Status.CLOSED and closed.closed_on == today
    assert OverdueRecord.objects.get(loan=loans[1]).amount == Decimal("1200.00")
    # an older list arriving late changes neither the newer data nor closes anything
    _, summary = receive_and_apply(finance, xlsx([row(loans[2], 700, months_ago(1))]),
                                   report_date=today - dt.timedelta(days=20))
    assert summary["closed"] == 0
    assert OverdueRecord.objects.get(loan=loans[1]).status == OverdueRecord.Status.OPEN


def test_a_file_that_is_not_an_xlsx_or_unpacks_too_big_is_refused_before_opening(estate, make_user, settings):
    finance = make_user("finance")
    fake = SimpleUploadedFile("overdue.xlsx", b"not a zip at all")
    with pytest.raises(ValidationError, match="与扩展名不符"):
        overdue_upload_receive(user=finance, uploaded=fake, report_date=timezone.localdate())
    settings.XLSX_MAX_EXPANDED_BYTES = 1000
    with pytest.raises(ValidationError, match="解压后过大"):
        overdue_upload_receive(user=finance, uploaded=xlsx([]), report_date=timezone.localdate())
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="文件过大"):
        overdue_upload_receive(user=finance, uploaded=xlsx([]), report_date=timezone.localdate())
    assert OverdueUpload.objects.count() == 0


def test_thresholds_come_from_the_admin_rules(estate, make_user):
    from crm.models import Rule

    Rule.objects.filter(key="mortgage.litigation_overdue_amount").update(value=Decimal("10000"))
    finance = make_user("finance")
    receive_and_apply(finance, xlsx([row(estate["loans"][0], 19000, months_ago(5))]))
    assert OverdueRecord.objects.get().litigation_required


def test_a_large_list_is_applied_with_a_bounded_number_of_queries(estate, make_user, django_assert_max_num_queries):
    """5,000 rows: loans are read in bulk and records and their history written in bulk, so
    the query count does not grow with the rows (the rate is measured in bench, not here:
    the test machine's CPU is shared)."""
    from mortgage.models import MortgageLoan

    finance = make_user("finance")
    owner, unit, project = estate["owners"][0], estate["units"][0], estate["project"]
    n = 5000
    MortgageLoan.objects.bulk_create([
        MortgageLoan(loan_number=f"B{i:06d}", customer=owner, unit=unit, project=project, bank="农业银行",
                     amount=Decimal("500000"), term_months=360) for i in range(n)])
    since = months_ago(1)
    rows = [[owner.name, "", unit.number, f"B{i:06d}", "农业银行", 100 + i, since, 1, "否"] for i in range(n)]
    upload = overdue_upload_receive(user=finance, uploaded=xlsx(rows), report_date=timezone.localdate())
    # SQLite caps a statement at 999 parameters (about 50 rows per INSERT); still far below one per row
    with django_assert_max_num_queries(n // 20):
        summary = overdue_upload_apply(upload=upload, user=finance)
    assert summary["created"] == n and OverdueRecord.history.count() == n


def test_calamine_and_openpyxl_read_the_same_rows_and_the_same_errors(estate, tmp_path):
    from mortgage.imports import parse_workbook

    loans = estate["loans"]
    upload = xlsx([
        row(loans[0], "12,345.60元", months_ago(3), periods=3),
        [estate["owners"][1].name, "", loans[1].unit.number, loans[1].loan_number, "建设银行", 800.5, "2026年1月5日",
         "2", "是"],  # 房号 is required since it identifies the loan (身份证号 may be blank)
        [None] * len(HEADERS),
        ["x", "", "", "", "建设银行", "abc", "明天", "1.5", "也许"],
        row(loans[0], 100, months_ago(1)),
    ])
    path = tmp_path / "list.xlsx"
    path.write_bytes(upload.read())
    fast = parse_workbook(path, timezone.localdate(), reader="calamine")
    slow = parse_workbook(path, timezone.localdate(), reader="openpyxl")
    assert fast.rows == slow.rows and fast.errors == slow.errors and fast.loans == slow.loans
    assert [r.amount for r in fast.rows] == [Decimal("12345.60"), Decimal("800.50")]
    assert fast.rows[1].since == dt.date(2026, 1, 5) and fast.rows[1].periods == 2 and fast.rows[1].recommends
    assert [e.split("：")[0] for e in fast.errors] == ["第 5 行", "第 6 行"]


def test_records_and_their_history_are_written_with_who_why_and_every_value(estate, make_user):
    finance = make_user("finance")
    loans = estate["loans"]
    since = months_ago(2)
    first, _ = receive_and_apply(finance, xlsx([row(loans[0], 1234.5, since, periods=2),
                                                row(loans[1], 800, since, periods=1)]))
    record = OverdueRecord.objects.get(loan=loans[0])
    assert (record.amount, record.overdue_since, record.periods, record.bank_recommends) == (
        Decimal("1234.50"), since, 2, False)
    assert record.first_upload == first and record.customer == loans[0].customer and record.project == loans[0].project
    created = record.history.get()
    assert created.history_type == "+" and created.history_user == finance
    assert created.history_change_reason.startswith("逾期名单") and created.amount == Decimal("1234.50")

    later, summary = receive_and_apply(finance, xlsx([row(loans[0], 2000, since, periods=3)], name="b.xlsx"),
                                       report_date=timezone.localdate())
    assert summary["updated"] == 1 and summary["closed"] == 1
    record.refresh_from_db()
    assert record.amount == Decimal("2000.00") and record.periods == 3 and record.last_upload == later
    latest = record.history.order_by("-history_id").first()
    assert latest.history_type == "~" and latest.amount == Decimal("2000.00") and latest.history_user == finance
    closed = OverdueRecord.objects.get(loan=loans[1])
    assert closed.status == OverdueRecord.Status.CLOSED and closed.closed_on == timezone.localdate()
    assert closed.history.order_by("-history_id").first().history_change_reason.endswith("结清")


def test_every_record_written_has_a_history_row_with_its_exact_values_who_and_why(estate, make_user):
    """The upsert writes through the ORM and simple-history's own bulk_history_create: after a
    first list (created, one flagged by the rule) and a later one (updated, unchanged data on a
    new date, closed), every record's newest history row holds exactly the record's values read
    back from the database, instants included. Runs on SQLite and on PostgreSQL (DATABASE_URL)."""
    finance = make_user("finance")
    loans = estate["loans"]
    today = timezone.localdate()
    receive_and_apply(finance, xlsx([row(loans[0], "1000.10", months_ago(2)), row(loans[1], 900, months_ago(2)),
                                     row(loans[2], 25000, months_ago(1))]), report_date=today - dt.timedelta(days=3))
    receive_and_apply(finance, xlsx([row(loans[0], "1200.55", months_ago(2), periods=3),
                                     row(loans[2], 25000, months_ago(1))], name="b.xlsx"), report_date=today)
    tracked = [f.attname for f in OverdueRecord._meta.concrete_fields]
    for record in OverdueRecord.objects.order_by("pk"):
        newest = record.history.order_by("-history_date", "-history_id").first()
        assert {f: getattr(newest, f) for f in tracked} == {f: getattr(record, f) for f in tracked}
    flagged = OverdueRecord.objects.get(loan=loans[2])
    assert flagged.litigation_flagged_at is not None and flagged.history.filter(
        litigation_flagged_at=flagged.litigation_flagged_at).count() == 2  # the rule's row, then the later list's
    story = [(number, kind, reason.split("：")[-1] if "：" in reason else reason[:4], user)
             for number, kind, reason, user in OverdueRecord.history.order_by("history_id").values_list(
                 "loan__loan_number", "history_type", "history_change_reason", "history_user_id")]
    assert story == [
        ("L0001", "+", "逾期名单", finance.pk), ("L0002", "+", "逾期名单", finance.pk),
        ("L0003", "+", "逾期名单", finance.pk), ("L0003", "~", "诉讼规则", None),
        ("L0001", "~", "逾期名单", finance.pk), ("L0003", "~", "逾期名单", finance.pk),
        ("L0002", "~", "未再出现，结清", finance.pk),
    ]
    assert OverdueRecord.objects.get(loan=loans[0]).amount == Decimal("1200.55")
    dates = set(OverdueRecord.history.filter(history_type="+").values_list("history_date", flat=True))
    assert len(dates) == 1 and abs(timezone.now() - dates.pop()) < dt.timedelta(minutes=1)


def test_exactly_six_months_or_exactly_20000_yuan_is_not_more_and_one_day_or_one_fen_more_is(estate, make_user):
    finance = make_user("finance")
    loans = estate["loans"]
    receive_and_apply(finance, xlsx([
        row(loans[0], 1000, months_ago(6), periods=6),           # exactly six months: not more
        row(loans[1], 1000, months_ago(6, days=1), periods=6),   # a day more
        row(loans[2], "20000", months_ago(1)),                   # exactly 20,000 yuan: not more
        row(loans[3], "20000.01", months_ago(1)),                # a fen more
    ]))
    flagged = set(OverdueRecord.objects.filter(litigation_required=True).values_list("loan__loan_number", flat=True))
    assert flagged == {"L0002", "L0004"}


def test_the_months_threshold_comes_from_the_admin_rules_too(estate, make_user):
    from crm.models import Rule

    Rule.objects.filter(key="mortgage.litigation_overdue_months").update(value=Decimal("3"))
    finance = make_user("finance")
    receive_and_apply(finance, xlsx([row(estate["loans"][0], 1000, months_ago(4)),
                                     row(estate["loans"][1], 1000, months_ago(2))]))
    record = OverdueRecord.objects.get(litigation_required=True)
    assert record.loan == estate["loans"][0] and record.litigation_reason_display == "逾期超过3个月"


def test_columns_are_found_by_their_header_whatever_their_order(estate, make_user):
    finance = make_user("finance")
    loan = estate["loans"][1]
    order = list(reversed(range(len(HEADERS))))
    values = row(loan, 2500, months_ago(2), periods=2, recommends="是")
    receive_and_apply(finance, xlsx([[values[i] for i in order]], headers=[HEADERS[i] for i in order]))
    record = OverdueRecord.objects.get()
    assert (record.loan, record.amount, record.overdue_since, record.periods, record.bank_recommends) == (
        loan, Decimal("2500.00"), months_ago(2), 2, True)


def test_every_upload_is_kept_with_who_and_when_even_a_refused_one(estate, make_user):
    finance = make_user("finance")
    upload = overdue_upload_receive(user=finance, uploaded=xlsx([row(estate["loans"][0], "x", months_ago(1))],
                                                                name="三月名单.xlsx"),
                                    report_date=timezone.localdate())
    assert upload.status == OverdueUpload.Status.INVALID
    kept = OverdueUpload.objects.get()
    assert (kept.original_name, kept.uploaded_by) == ("三月名单.xlsx", finance)
    assert abs(timezone.now() - kept.uploaded_at) < dt.timedelta(minutes=1)
    assert kept.file.read()[:2] == b"PK" and kept.history.get().history_user == finance
    assert OverdueRecord.objects.count() == 0


# --- Identifying columns: a row must be about the loan it names (issue 13, defect 7) -----------


def upload_as_finance(client, make_user, rows):
    """Finance uploads ``rows`` through the page; returns the preview page's text and the upload."""
    from django.urls import reverse

    client.force_login(make_user("finance"))
    response = client.post(reverse("mortgage:overdue_upload"), {"file": xlsx(rows), "report_date": timezone.localdate()},
                           follow=True)
    assert response.status_code == 200
    return response.content.decode(), OverdueUpload.objects.order_by("-pk").first()


def assert_refused_and_nothing_written(client, upload, body, *expected):
    from django.urls import reverse

    assert upload.status == OverdueUpload.Status.INVALID
    assert "校验通过" not in body and "确认导入" not in body and "未写入任何数据" in body
    for text in expected:
        assert text in body, text
    client.post(reverse("mortgage:overdue_confirm", args=[upload.pk]))  # a forced confirm changes nothing either
    assert OverdueRecord.objects.count() == 0 and OverdueRecord.history.count() == 0
    upload.refresh_from_db()
    assert upload.status == OverdueUpload.Status.INVALID


def test_an_existing_loan_number_with_someone_elses_name_and_unit_is_refused_by_line(client, estate, make_user):
    loans = estate["loans"]
    wrong = row(loans[0], 900, months_ago(1))
    wrong[0], wrong[2] = "查无此人", "99-9999"
    body, upload = upload_as_finance(client, make_user, [row(loans[1], 800, months_ago(1)), wrong])
    assert_refused_and_nothing_written(
        client, upload, body, "第 3 行", "业主姓名“查无此人”与贷款 L0001 的业主不符（应为“业主1”）",
        "房号“99-9999”与贷款 L0001 的房号不符（应为“1栋-1-101”）")
    assert "第 2 行" not in body


def test_a_row_with_the_wrong_owners_name_is_refused(client, estate, make_user):
    wrong = row(estate["loans"][0], 900, months_ago(1))
    wrong[0] = "业主2"  # another owner of the same project
    body, upload = upload_as_finance(client, make_user, [wrong])
    assert_refused_and_nothing_written(client, upload, body, "第 2 行", "业主姓名“业主2”")


def test_a_row_with_another_owners_id_number_is_refused_and_the_message_masks_it(client, estate, make_user):
    wrong = row(estate["loans"][0], 900, months_ago(1))
    wrong[1] = estate["owners"][1].id_number
    body, upload = upload_as_finance(client, make_user, [wrong])
    assert_refused_and_nothing_written(client, upload, body, "第 2 行", "身份证号“110***********0002”",
                                       "应为“110***********0001”")
    assert estate["owners"][1].id_number not in body


def test_a_masked_id_number_whose_visible_digits_differ_is_refused(client, estate, make_user):
    wrong = row(estate["loans"][0], 900, months_ago(1))
    wrong[1] = "110***********0009"
    body, upload = upload_as_finance(client, make_user, [wrong])
    assert_refused_and_nothing_written(client, upload, body, "第 2 行", "身份证号")


def test_a_row_with_another_unit_is_refused(client, estate, make_user):
    wrong = row(estate["loans"][0], 900, months_ago(1))
    wrong[2] = estate["units"][1].number
    body, upload = upload_as_finance(client, make_user, [wrong])
    assert_refused_and_nothing_written(client, upload, body, "第 2 行", "房号“1-102”与贷款 L0001 的房号不符")


def test_a_row_with_another_bank_is_refused(client, estate, make_user):
    wrong = row(estate["loans"][0], 900, months_ago(1))
    wrong[4] = "工商银行"
    body, upload = upload_as_finance(client, make_user, [wrong])
    assert_refused_and_nothing_written(client, upload, body, "第 2 行", "银行“工商银行”与贷款 L0001 的贷款银行不符")


def test_a_row_without_the_owners_name_or_unit_is_refused(client, estate, make_user):
    blank = row(estate["loans"][0], 900, months_ago(1))
    blank[0], blank[2] = "", " "
    body, upload = upload_as_finance(client, make_user, [blank])
    assert_refused_and_nothing_written(client, upload, body, "第 2 行", "业主姓名为空", "房号为空")


def test_blank_or_masked_optional_columns_and_the_usual_spellings_of_a_unit_are_not_mismatches(
        client, estate, make_user):
    from django.urls import reverse

    loans = estate["loans"]
    rows = [row(loan, 900, months_ago(1)) for loan in loans]
    rows[0][1], rows[0][4] = "", ""                                  # 身份证号 and 银行 blank
    rows[1][1], rows[1][0] = "110***********0002", "业*"             # masked as our exports mask them
    rows[2][2], rows[2][4] = "1栋-1-103室", "中国建设银行"             # building-unit, the bank's full name
    rows[3][2], rows[3][1] = "测试花园 1栋1-104", "*" * 18             # project and building, fully masked ID
    body, upload = upload_as_finance(client, make_user, rows)
    assert upload.status == OverdueUpload.Status.VALID, upload.errors
    assert "校验通过" in body
    client.post(reverse("mortgage:overdue_confirm", args=[upload.pk]))
    assert OverdueRecord.objects.filter(status="open").count() == 4


def test_a_loan_whose_owner_changed_after_the_preview_is_refused_at_confirm(client, estate, make_user):
    from django.urls import reverse

    from mortgage.models import MortgageLoan

    body, upload = upload_as_finance(client, make_user, [row(estate["loans"][0], 900, months_ago(1))])
    assert upload.status == OverdueUpload.Status.VALID
    MortgageLoan.objects.filter(pk=estate["loans"][0].pk).update(customer=estate["owners"][4], unit=estate["units"][4])
    body = client.post(reverse("mortgage:overdue_confirm", args=[upload.pk]), follow=True).content.decode()
    assert "业主姓名“业主1”与贷款 L0001 的业主不符" in body
    assert OverdueRecord.objects.count() == 0
    assert OverdueUpload.objects.get(pk=upload.pk).status == OverdueUpload.Status.VALID
