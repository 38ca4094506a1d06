"""The overdue list from finance (.xlsx): checks, parsing, preview and the bulk upsert.

Designed for tens of thousands of rows (bench/bench_import.py): the workbook is read and
checked with the shared import mechanism (``crm.imports``: calamine, every problem by line),
loans are fetched by number in bulk, and records and their simple-history rows are written by
``crm.bulk`` (one statement per table: the ORM's bulk_create and simple-history's
bulk_history_create compile every value and missed the ≥ 5,000 rows/s target, bench/RESULTS.md).
Nothing is written unless the whole file is valid, and the same file (sha256) is never applied
twice.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import namedtuple
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm import bulk
from crm.imports import MAX_SHOWN, RowErrors, Sheet, cell_date, cell_text, check_upload
from crm.languages import recorded
from crm.validators import check_happened
from mortgage.models import LITIGATION_OPEN, LitigationCase, MortgageLoan, OverdueRecord, OverdueUpload
from owners.masking import mask_id
from owners.matching import bank_matches, id_matches, is_blank, name_matches, normal_id, unit_matches
from owners.validators import MASTER_DATA_EARLIEST

# The finance list's own headers and words: matched against the uploaded file, so they stay Chinese.
COLUMNS = {  # i18n: data
    "name": "业主姓名",  # i18n: data
    "id_number": "身份证号",  # i18n: data
    "unit": "房号",  # i18n: data
    "loan_number": "贷款编号",  # i18n: data
    "bank": "银行",  # i18n: data
    "amount": "逾期金额",  # i18n: data
    "since": "逾期起始日",  # i18n: data
    "periods": "逾期期数",  # i18n: data
    "recommends": "银行建议诉讼",  # i18n: data
}
TRUE_WORDS = {"是", "y", "yes", "true", "1", "建议", "√"}  # i18n: data
FALSE_WORDS = {"否", "n", "no", "false", "0", "", "不建议"}  # i18n: data


# The columns that say whose loan a row is about. 贷款编号 finds the loan; the others must then
# agree with it, or the row is refused: a list whose loan number exists but whose owner or unit
# is someone else's is a wrong row, not an update (issue 13, defect 7). 业主姓名 and 房号 are
# required; 身份证号 and 银行 may be blank (or masked: only the visible characters are compared).
IDENTIFYING = ("loan_number", "name", "id_number", "unit", "bank")
REQUIRED_IDENTIFYING = ("loan_number", "name", "unit")


class Row(NamedTuple):
    """A checked row of the list (a tuple: cheap to make by the ten thousand, and to cache)."""
    line: int
    loan_number: str
    amount: Decimal
    since: dt.date
    periods: int
    recommends: bool
    name: str = ""
    id_number: str = ""
    unit: str = ""
    bank: str = ""


class LoanIdentity(NamedTuple):
    """What a loan's row must agree with: its owner's name and ID number, its unit, its bank, and
    the day it was paid out (放款日期, if known), before which it cannot have been overdue."""
    name: str
    id_number: str
    unit_number: str
    building: str
    project: str
    bank: str
    start_date: dt.date | None = None


@dataclass
class Parsed:
    rows: list[Row]
    problems: RowErrors
    loans: dict  # loan number -> (loan id, project id, customer id)
    identities: dict | None = None  # loan number -> LoanIdentity, as the rows were checked against

    @property
    def errors(self) -> list[str]:
        return self.problems.lines()


# --- File checks -----------------------------------------------------------------------------


def file_sha256(uploaded) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks() if hasattr(uploaded, "chunks") else iter(lambda: uploaded.read(65536), b""):
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


# --- Parsing ---------------------------------------------------------------------------------


def _amount(value) -> Decimal | None:
    text = cell_text(value).replace(",", "").replace("，", "").replace("元", "").replace("¥", "")  # i18n: data
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e10"):
        return None
    return amount.quantize(Decimal("0.01"))


def _periods(value) -> int | None:
    text = cell_text(value)
    if text == "":
        return 0
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if number != number.to_integral_value() or number < 0 or number > 1000:
        return None
    return int(number)


def parse_workbook(path, report_date: dt.date, reader: str | None = None) -> Parsed:
    """Read and check every row; collect every problem (in the uploader's language) instead of stopping at the first."""
    problems = RowErrors()
    parsed: list[Row] = []
    try:
        sheet = Sheet(path, reader)
    except Exception as exc:  # noqa: BLE001 - any reader error is a bad file for the user
        problems.file_error(gettext("无法读取工作簿：{error}").format(error=exc.__class__.__name__))
        return Parsed([], problems, {})
    with sheet:
        missing = sheet.missing(list(COLUMNS.values()))
        if missing:
            problems.file_error(missing)
            return Parsed([], problems, {})
        col = {key: sheet.header.index(title) for key, title in COLUMNS.items()}
        seen: dict[str, int] = {}
        for line, values in sheet.rows():
            row_problems = []
            number = cell_text(values[col["loan_number"]])
            name, unit = cell_text(values[col["name"]]), cell_text(values[col["unit"]])
            if not number:
                row_problems.append(gettext("贷款编号为空"))
            elif number in seen:
                row_problems.append(gettext("贷款编号 {number} 与第 {line} 行重复").format(number=number, line=seen[number]))
            else:
                seen[number] = line
            amount = _amount(values[col["amount"]])
            if amount is None:
                row_problems.append(gettext("逾期金额“{value}”不是有效的正数金额").format(value=cell_text(values[col["amount"]])))
            since = cell_date(values[col["since"]])
            if since is None:
                row_problems.append(gettext("逾期起始日“{value}”不是有效日期").format(value=cell_text(values[col["since"]])))
            elif since > report_date:
                row_problems.append(gettext("逾期起始日 {since} 晚于报表日期 {report_date}").format(since=since,
                                                                                           report_date=report_date))
            elif since < MASTER_DATA_EARLIEST:
                # A number in the date column (Excel's day 3 is 1900-01-03) or a mistyped year: it
                # would count as decades overdue and flag the owner for litigation.
                row_problems.append(gettext("逾期起始日 {since} 早于 {earliest}，不是有效日期").format(
                    since=since, earliest=MASTER_DATA_EARLIEST))
            periods = _periods(values[col["periods"]])
            if periods is None:
                row_problems.append(gettext("逾期期数“{value}”不是有效的整数").format(value=cell_text(values[col["periods"]])))
            flag = cell_text(values[col["recommends"]]).lower()
            if flag not in TRUE_WORDS and flag not in FALSE_WORDS:
                row_problems.append(gettext("银行建议诉讼“{value}”应填“是”或“否”").format(
                    value=cell_text(values[col["recommends"]])))
            if is_blank(name):
                row_problems.append(gettext("业主姓名为空"))
            if is_blank(unit):
                row_problems.append(gettext("房号为空"))
            if row_problems:
                problems.add(line, "；".join(row_problems))
                continue
            parsed.append(Row(line, number, amount, since, periods, flag in TRUE_WORDS, name,
                              cell_text(values[col["id_number"]]), unit, cell_text(values[col["bank"]])))
    if not parsed and not problems:
        problems.file_error(gettext("文件中没有数据行。"))
    loans, identities = lookup_loans([row.loan_number for row in parsed], with_identity=True)
    loan_errors(parsed, loans, identities, problems)
    return Parsed(parsed, problems, loans, identities)


def loan_errors(rows: list[Row], loans: dict, identities: dict, problems: RowErrors,
                checked: dict | None = None) -> RowErrors:
    """A row whose loan is unknown, or whose owner, ID number, unit or bank is not the loan's.

    ``checked``: loan number -> the identity the row was found to agree with (at the preview);
    a row whose loan still has that identity agrees with it still and is not compared again."""
    checked = checked or {}
    for row in rows:
        if row.loan_number not in loans:
            problems.add(row.line, gettext("贷款编号 {number} 在系统中不存在（未知贷款）").format(number=row.loan_number))
            continue
        known = identities[row.loan_number]
        if checked.get(row.loan_number) == known:
            continue
        mismatches = []
        if not name_matches(row.name, known.name):
            mismatches.append(gettext("业主姓名“{value}”与贷款 {number} 的业主不符（应为“{known}”）").format(
                value=row.name, number=row.loan_number, known=known.name))
        if not is_blank(row.id_number) and not id_matches(row.id_number, known.id_number):
            mismatches.append(gettext("身份证号“{value}”与贷款 {number} 的业主不符（应为“{known}”）").format(
                value=mask_id(normal_id(row.id_number)), number=row.loan_number, known=mask_id(known.id_number)))
        if not unit_matches(row.unit, known.unit_number, known.building, known.project):
            mismatches.append(gettext("房号“{value}”与贷款 {number} 的房号不符（应为“{known}”）").format(
                value=row.unit, number=row.loan_number, known=f"{known.building}-{known.unit_number}"))
        if not is_blank(row.bank) and not bank_matches(row.bank, known.bank):
            mismatches.append(gettext("银行“{value}”与贷款 {number} 的贷款银行不符（应为“{known}”）").format(
                value=row.bank, number=row.loan_number, known=known.bank))
        if known.start_date and row.since < known.start_date:
            mismatches.append(gettext("逾期起始日 {since} 早于贷款 {number} 的放款日期 {start}").format(
                since=row.since, number=row.loan_number, start=known.start_date))
        if mismatches:
            problems.add(row.line, "；".join(mismatches))
    return problems


def lookup_loans(numbers: list[str], with_identity: bool = False):
    """Loan number -> (loan id, project id, customer id), in bulk (one query).

    With ``with_identity``, also loan number -> LoanIdentity, read by the same query."""
    found, identities = {}, {}
    columns = ["loan_number", "pk", "project_id", "customer_id"]
    if with_identity:
        columns += ["customer__name", "customer__id_number", "unit__number", "unit__building__name",
                    "project__name", "bank", "start_date"]
    for number, pk, project_id, customer_id, *identity in MortgageLoan.objects.filter(
            bulk.among(MortgageLoan, "loan_number", numbers)).order_by().values_list(*columns):
        found[number] = (pk, project_id, customer_id)
        if with_identity:
            identities[number] = LoanIdentity(*identity)
    return (found, identities) if with_identity else found


# --- Upload and apply ------------------------------------------------------------------------


def overdue_upload_receive(*, user, uploaded, report_date: dt.date) -> OverdueUpload:
    """Keep the uploaded list with who and when, and check every row (nothing else is written).

    A file whose sha256 was already applied is refused: the same file twice changes nothing.
    """
    check_happened(report_date, label=_("报表日期"))
    check_upload(uploaded)
    digest = file_sha256(uploaded)
    done = OverdueUpload.objects.filter(sha256=digest, status=OverdueUpload.Status.APPLIED).first()
    if done is not None:
        raise ValidationError(gettext("该文件已于 {applied_at} 导入，重复导入不会改变任何数据。").format(
            applied_at=f"{timezone.localtime(done.applied_at):%Y-%m-%d %H:%M}"))
    upload = OverdueUpload(original_name=Path(uploaded.name).name[:200], sha256=digest, report_date=report_date,
                           uploaded_by=user)
    upload.file.save(f"{digest[:16]}.xlsx", uploaded, save=False)
    parsed = parse_workbook(upload.file.path, report_date)
    upload.row_count = len(parsed.rows) + len(parsed.problems.bad_rows)
    upload.errors = parsed.problems.lines(MAX_SHOWN)
    upload.status = OverdueUpload.Status.INVALID if parsed.problems else OverdueUpload.Status.VALID
    if not parsed.problems:
        upload.summary = preview_summary(parsed, report_date)
    upload._history_user = user
    upload.save()
    if not parsed.problems:
        # Confirming reuses the checked rows instead of reading the workbook a second time;
        # without them (another worker, expired cache) the file is simply parsed again.
        # The loans' identities are kept too: a row whose loan has not changed since is not compared again.
        cache.set(_parsed_key(upload), ([tuple(row) for row in parsed.rows],
                                        {number: tuple(known) for number, known in parsed.identities.items()}),
                  PARSED_CACHE_SECONDS)
    return upload


PARSED_CACHE_SECONDS = 3600


def _parsed_key(upload: OverdueUpload) -> str:
    # v2: rows carry their identifying columns; v3: and the loans' identities they were checked against;
    # v4: an identity carries the loan's start date
    return f"mortgage:overdue-parsed:v4:{upload.pk}:{upload.sha256}"


def _parsed_for_apply(upload: OverdueUpload) -> Parsed:
    cached = cache.get(_parsed_key(upload))
    if cached is None:
        return parse_workbook(upload.file.path, upload.report_date)
    values, checked = cached
    rows = list(map(Row._make, values))
    # loans (and their owners) may have changed since the preview: the rows are checked again
    loans, identities = lookup_loans([row.loan_number for row in rows], with_identity=True)
    return Parsed(rows, loan_errors(rows, loans, identities, RowErrors(), checked), loans, identities)


MAX_SHOWN_HELD = 200


def in_litigation() -> dict:
    """Open records with a lawsuit still running: record id -> (case id, case number, assignee id,
    stage, loan number, owner name). A list never closes these (one query)."""
    return {record_id: (pk, number, assignee_id, stage, loan_number, owner)
            for record_id, pk, number, assignee_id, stage, loan_number, owner in LitigationCase.objects.filter(
                stage__in=LITIGATION_OPEN, record__status=OverdueRecord.Status.OPEN).order_by("number").values_list(
                "record_id", "pk", "number", "assignee_id", "stage", "record__loan__loan_number",
                "record__customer__name")}


def preview_summary(parsed: Parsed, report_date: dt.date) -> dict:
    """What applying would do: new, changed, unchanged and closed records, and apart from them
    the records absent from the list that stay open because a lawsuit is running."""
    open_records = {loan_id: (pk, last) for pk, loan_id, last in OverdueRecord.objects.filter(
        status=OverdueRecord.Status.OPEN).values_list("pk", "loan_id", "last_report_date")}
    loan_ids = {parsed.loans[row.loan_number][0] for row in parsed.rows}
    new = sum(1 for loan_id in loan_ids if loan_id not in open_records)
    absent = [pk for loan_id, (pk, last) in open_records.items() if loan_id not in loan_ids and last <= report_date]
    suing = in_litigation()
    held = [suing[pk] for pk in absent if pk in suing]
    held.sort(key=lambda case: case[1])
    return {"rows": len(parsed.rows), "new": new, "existing": len(loan_ids) - new,
            "closing": len(absent) - len(held), "held": len(held),
            "held_rows": [{"case": number, "stage": str(LitigationCase.Stage(stage).label), "loan": loan,
                           "owner": owner}
                          for _, number, _, stage, loan, owner in held[:MAX_SHOWN_HELD]],
            "recommended": sum(row.recommends for row in parsed.rows),
            "amount": str(sum((row.amount for row in parsed.rows), Decimal(0)))}


def check_apply(user, upload: OverdueUpload) -> None:
    """Confirm a checked list: the import permission, for a list that passed the checks and was
    not applied yet (the preview's 确认导入 button is shown exactly then)."""
    if not user.has_perm("mortgage.import_overdue"):
        raise PermissionDenied(_("您没有导入逾期名单的权限。"))
    if upload.status != OverdueUpload.Status.VALID:
        raise ValidationError(_("该名单未通过校验或已导入，请刷新页面。"))


def overdue_upload_apply(*, upload: OverdueUpload, user) -> dict:
    """Apply a checked list: upsert the open record of every listed loan, close the open
    records of loans absent from this (later) list, except those with a lawsuit running (they
    stay open, are marked ``unlisted_on`` and legal and cs_supervisor are told), then evaluate
    the litigation rule.

    Idempotent: rows whose data did not change are not written; the same file is applied
    once (compare-and-set on the upload's status and a unique constraint on its sha256).
    """
    from mortgage.services import litigation_evaluate

    check_apply(user, upload)
    with transaction.atomic():
        try:
            with transaction.atomic():
                claimed = OverdueUpload.objects.filter(pk=upload.pk, status=OverdueUpload.Status.VALID).update(
                    status=OverdueUpload.Status.APPLIED, applied_at=timezone.now())
        except IntegrityError as exc:
            raise ValidationError(_("该文件已导入过，重复导入不会改变任何数据。")) from exc
        if not claimed:
            raise ValidationError(_("该名单未通过校验或已导入，请刷新页面。"))
        parsed = _parsed_for_apply(upload)
        parsed.problems.refuse()
        summary = _upsert(parsed, upload, user)
        upload.refresh_from_db()
        upload.summary = summary
        upload._history_user = user
        upload.save(update_fields=["summary"])
    summary["litigation"] = litigation_evaluate()
    return summary


@functools.cache
def _record():
    """A record as ``crm.bulk`` writes it and its history: every column simple-history keeps, ``id`` first."""
    return namedtuple("Record", bulk.history_names(OverdueRecord))


def _upsert(parsed: Parsed, upload: OverdueUpload, user) -> dict:
    report_date, upload_id = upload.report_date, upload.pk
    Record = _record()
    names = Record._fields
    by_loan = {record.loan_id: record for record in OverdueRecord.objects.filter(status=OverdueRecord.Status.OPEN)
               .order_by().values_list(*names, named=True)}
    created, changed, unchanged, stale = [], [], 0, 0
    listed = set()
    for row in parsed.rows:
        loan_id, project_id, customer_id = parsed.loans[row.loan_number]
        listed.add(loan_id)
        record = by_loan.get(loan_id)
        if record is None:
            created.append(Record(
                id=None, loan_id=loan_id, project_id=project_id, customer_id=customer_id, amount=row.amount,
                overdue_since=row.since, periods=row.periods, bank_recommends=row.recommends,
                status=OverdueRecord.Status.OPEN, first_upload_id=upload_id, last_upload_id=upload_id,
                last_report_date=report_date, closed_on=None, unlisted_on=None, litigation_required=False,
                litigation_reason="", litigation_flagged_at=None))
            continue
        if record.last_report_date > report_date:
            stale += 1  # a newer list already spoke for this loan
            continue
        if (row.amount, row.since, row.periods, row.recommends) == (
                record.amount, record.overdue_since, record.periods, record.bank_recommends) \
                and record.last_report_date == report_date and record.unlisted_on is None:
            unchanged += 1
            continue
        changed.append(record._replace(amount=row.amount, overdue_since=row.since, periods=row.periods,
                                       bank_recommends=row.recommends, last_upload_id=upload_id,
                                       last_report_date=report_date, unlisted_on=None))
    absent = [record for loan_id, record in by_loan.items()
              if loan_id not in listed and record.last_report_date <= report_date]
    suing = in_litigation() if absent else {}
    closing = [record._replace(status=OverdueRecord.Status.CLOSED, closed_on=report_date)
               for record in absent if record.id not in suing]
    held = [record for record in absent if record.id in suing]
    newly_held = [record._replace(unlisted_on=report_date) for record in held if record.unlisted_on != report_date]
    # History reasons are records: in the office's language whoever applies the list.
    reason, now = recorded(LIST_REASON, date=upload.report_date), timezone.now()
    if created:
        bulk.insert_rows(OverdueRecord, names[1:], [record[1:] for record in created])
        # this list's new records are the ones it first listed: one query, whatever their number
        ids = dict(OverdueRecord.objects.filter(first_upload_id=upload.pk).order_by().values_list("loan_id", "pk"))
        bulk.insert_history(OverdueRecord, [(ids[record.loan_id], *record[1:]) for record in created],
                            history_type="+", user=user, reason=reason, date=now)
    for records, only, why in (
            (changed, CHANGED_FIELDS, reason),
            (closing, ["status", "closed_on"], recorded(CLOSED_REASON, date=upload.report_date)),
            (newly_held, ["unlisted_on"], recorded(HELD_REASON, date=upload.report_date))):
        if records:
            bulk.update_rows(OverdueRecord, names, records, only=only)
            bulk.insert_history(OverdueRecord, records, history_type="~", user=user, reason=why, date=now)
    _notify_held(held, suing, upload)
    return {"rows": len(parsed.rows), "created": len(created), "updated": len(changed), "unchanged": unchanged,
            "stale": stale, "closed": len(closing), "held": len(held)}


# What a list writes in a record's history (selectors.record_list_timeline reads them back).
LIST_REASON = _("逾期名单 {date}")
CLOSED_REASON = _("逾期名单 {date}：未再出现，结清")
HELD_REASON = _("逾期名单 {date}：未再列出，诉讼中，不因名单关闭")
CHANGED_FIELDS = ["amount", "overdue_since", "periods", "bank_recommends", "last_upload_id", "last_report_date",
                  "unlisted_on"]



def _notify_held(held: list, suing: dict, upload: OverdueUpload) -> int:
    """Tell the lawsuit's legal assignee and cs_supervisor, once per record and list, that a list
    no longer names a record in litigation (which stays open). Both can open the case page."""
    if not held:
        return 0
    from django.urls import reverse

    from crm.models import Notification
    from crm.notifications import notify_many
    from crm.roles import Role
    from crm.scopes import role_users

    supervisors = set(role_users(Role.CS_SUPERVISOR).values_list("pk", flat=True))
    notes, targets = [], []
    for record in held:
        case_id, number, assignee_id, stage, loan, owner = suing[record.id]
        # cs_supervisor always is told (and can reassign); an assignee who has left is
        # replaced by the supervisors (crm.notifications.route)
        for recipient_id in sorted(supervisors | {assignee_id}):
            notes.append(Notification(
                recipient_id=recipient_id, level=Notification.Level.WARNING,
                url=reverse("mortgage:litigation_detail", args=[case_id]),
                title=format_lazy(_("逾期名单 {date} 未再列出诉讼中的 {owner} {loan}（{number}）"),
                                  date=upload.report_date, owner=owner, loan=loan, number=number),
                body=format_lazy(_("诉讼阶段：{stage}。该记录仍为逾期中，不因名单关闭；请核实是否已还款或和解。"),
                                 stage=LitigationCase.Stage(stage).label),
                dedupe_key=f"mortgage:unlisted:{record.id}:{upload.pk}"))
            targets.append(LitigationCase(pk=case_id))
    return notify_many(notes, targets=targets)
