"""The overdue list from finance (.xlsx): checks, parsing, preview and the bulk upsert.

Designed for tens of thousands of rows (bench/bench_import.py): the workbook is read with
python-calamine (Rust; openpyxl's read-only mode when it is not installed, about ten times
slower), loans are fetched by number in bulk, records and their simple-history rows are
written with plain multi-row statements (executemany) rather than the ORM's bulk_create /
bulk_update, whose per-value SQL compilation cost more than everything else together.
Nothing is written unless the whole file is valid, and the same file (sha256) is never
applied twice.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from crm.uploads import validate_upload
from crm.validators import check_happened
from mortgage.models import MortgageLoan, OverdueRecord, OverdueUpload
from owners.masking import mask_id
from owners.matching import bank_matches, id_matches, is_blank, name_matches, normal_id, unit_matches

COLUMNS = {
    "name": "业主姓名",
    "id_number": "身份证号",
    "unit": "房号",
    "loan_number": "贷款编号",
    "bank": "银行",
    "amount": "逾期金额",
    "since": "逾期起始日",
    "periods": "逾期期数",
    "recommends": "银行建议诉讼",
}
TRUE_WORDS = {"是", "y", "yes", "true", "1", "建议", "√"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "", "不建议"}
MAX_SHOWN_ERRORS = 200
LOOKUP_CHUNK = 20000  # well under SQLite's bound-parameter limit; one query on PostgreSQL in practice


# The columns that say whose loan a row is about. 贷款编号 finds the loan; the others must then
# agree with it, or the row is refused: a list whose loan number exists but whose owner or unit
# is someone else's is a wrong row, not an update (issue 13, defect 7). 业主姓名 and 房号 are
# required; 身份证号 and 银行 may be blank (or masked: only the visible characters are compared).
IDENTIFYING = ("loan_number", "name", "id_number", "unit", "bank")
REQUIRED_IDENTIFYING = ("loan_number", "name", "unit")


@dataclass(frozen=True)
class Row:
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


@dataclass(frozen=True)
class LoanIdentity:
    """What a loan's row must agree with: its owner's name and ID number, its unit, its bank."""
    name: str
    id_number: str
    unit_number: str
    building: str
    project: str
    bank: str


@dataclass
class Parsed:
    rows: list[Row]
    errors: list[str]
    loans: dict  # loan number -> (loan id, project id, customer id)


# --- File checks -----------------------------------------------------------------------------


def check_file(uploaded) -> None:
    """Size, extension, zip signature, unpacked size and ratio (zip-bomb guard), before opening."""
    validate_upload(uploaded, "xlsx")


def file_sha256(uploaded) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks() if hasattr(uploaded, "chunks") else iter(lambda: uploaded.read(65536), b""):
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


# --- Parsing ---------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(value).date()
        except (ValueError, OverflowError, AttributeError):
            return None
    text = _text(value).replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        return None


def _amount(value) -> Decimal | None:
    text = _text(value).replace(",", "").replace("，", "").replace("元", "").replace("¥", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e10"):
        return None
    return amount.quantize(Decimal("0.01"))


def _periods(value) -> int | None:
    text = _text(value)
    if text == "":
        return 0
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if number != number.to_integral_value() or number < 0 or number > 1000:
        return None
    return int(number)


READER = "calamine"  # or "openpyxl" (the fallback; the bench measures both)


class _Sheet:
    """The first worksheet's rows as tuples of values, read by calamine or openpyxl."""

    def __init__(self, path, reader: str | None = None):
        reader = reader or READER
        self._book = None
        if reader == "calamine":
            try:
                from python_calamine import CalamineWorkbook
            except ImportError:
                reader = "openpyxl"
            else:
                sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
                self.rows = (tuple(row) for row in sheet.iter_rows())
        if reader == "openpyxl":
            from openpyxl import load_workbook

            self._book = load_workbook(path, read_only=True, data_only=True)
            self.rows = self._book.worksheets[0].iter_rows(values_only=True)

    def close(self):
        if self._book is not None:
            self._book.close()


def parse_workbook(path, report_date: dt.date, reader: str | None = None) -> Parsed:
    """Read and check every row; collect every problem (in Chinese) instead of stopping at the first."""
    errors: list[str] = []
    try:
        workbook = _Sheet(path, reader)
    except Exception as exc:  # noqa: BLE001 - any reader error is a bad file for the user
        return Parsed([], [f"无法读取工作簿：{exc.__class__.__name__}"], {})
    try:
        rows = workbook.rows
        header = next(rows, None) or ()
        positions = {_text(title): i for i, title in enumerate(header) if _text(title)}
        missing = [title for title in COLUMNS.values() if title not in positions]
        if missing:
            return Parsed([], [f"缺少列：{'、'.join(missing)}（第 1 行须为表头）"], {})
        col = {key: positions[title] for key, title in COLUMNS.items()}
        width = max(col.values()) + 1
        parsed: list[Row] = []
        seen: dict[str, int] = {}
        for line, values in enumerate(rows, start=2):
            if values is None or all(v is None or _text(v) == "" for v in values):
                continue
            values = tuple(values) + (None,) * (width - len(values))
            problems = []
            number = _text(values[col["loan_number"]])
            name, unit = _text(values[col["name"]]), _text(values[col["unit"]])
            if not number:
                problems.append("贷款编号为空")
            elif number in seen:
                problems.append(f"贷款编号 {number} 与第 {seen[number]} 行重复")
            else:
                seen[number] = line
            amount = _amount(values[col["amount"]])
            if amount is None:
                problems.append(f"逾期金额“{_text(values[col['amount']])}”不是有效的正数金额")
            since = _date(values[col["since"]])
            if since is None:
                problems.append(f"逾期起始日“{_text(values[col['since']])}”不是有效日期")
            elif since > report_date:
                problems.append(f"逾期起始日 {since} 晚于报表日期 {report_date}")
            periods = _periods(values[col["periods"]])
            if periods is None:
                problems.append(f"逾期期数“{_text(values[col['periods']])}”不是有效的整数")
            flag = _text(values[col["recommends"]]).lower()
            if flag not in TRUE_WORDS and flag not in FALSE_WORDS:
                problems.append(f"银行建议诉讼“{_text(values[col['recommends']])}”应填“是”或“否”")
            if is_blank(name):
                problems.append("业主姓名为空")
            if is_blank(unit):
                problems.append("房号为空")
            if problems:
                errors.append(f"第 {line} 行：{'；'.join(problems)}")
                continue
            parsed.append(Row(line, number, amount, since, periods, flag in TRUE_WORDS, name,
                              _text(values[col["id_number"]]), unit, _text(values[col["bank"]])))
    finally:
        workbook.close()
    if not parsed and not errors:
        errors.append("文件中没有数据行。")
    loans, identities = lookup_loans([row.loan_number for row in parsed], with_identity=True)
    errors += loan_errors(parsed, loans, identities)
    errors.sort(key=lambda text: int(text.split(" ")[1]) if text.startswith("第 ") else 0)
    return Parsed(parsed, errors, loans)


def loan_errors(rows: list[Row], loans: dict, identities: dict) -> list[str]:
    """A row whose loan is unknown, or whose owner, ID number, unit or bank is not the loan's."""
    errors = []
    for row in rows:
        if row.loan_number not in loans:
            errors.append(f"第 {row.line} 行：贷款编号 {row.loan_number} 在系统中不存在（未知贷款）")
            continue
        known = identities[row.loan_number]
        problems = []
        if not name_matches(row.name, known.name):
            problems.append(f"业主姓名“{row.name}”与贷款 {row.loan_number} 的业主不符（应为“{known.name}”）")
        if not is_blank(row.id_number) and not id_matches(row.id_number, known.id_number):
            problems.append(f"身份证号“{mask_id(normal_id(row.id_number))}”与贷款 {row.loan_number} 的业主不符"
                            f"（应为“{mask_id(known.id_number)}”）")
        if not unit_matches(row.unit, known.unit_number, known.building, known.project):
            problems.append(f"房号“{row.unit}”与贷款 {row.loan_number} 的房号不符"
                            f"（应为“{known.building}-{known.unit_number}”）")
        if not is_blank(row.bank) and not bank_matches(row.bank, known.bank):
            problems.append(f"银行“{row.bank}”与贷款 {row.loan_number} 的贷款银行不符（应为“{known.bank}”）")
        if problems:
            errors.append(f"第 {row.line} 行：{'；'.join(problems)}")
    return errors


def lookup_loans(numbers: list[str], with_identity: bool = False):
    """Loan number -> (loan id, project id, customer id), in bulk (one query per chunk).

    With ``with_identity``, also loan number -> LoanIdentity, read by the same query."""
    found, identities = {}, {}
    columns = ["loan_number", "pk", "project_id", "customer_id"]
    if with_identity:
        columns += ["customer__name", "customer__id_number", "unit__number", "unit__building__name",
                    "project__name", "bank"]
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = numbers[start:start + LOOKUP_CHUNK]
        for number, pk, project_id, customer_id, *identity in MortgageLoan.objects.filter(
                loan_number__in=chunk).order_by().values_list(*columns):
            found[number] = (pk, project_id, customer_id)
            if with_identity:
                identities[number] = LoanIdentity(*identity)
    return (found, identities) if with_identity else found


# --- Upload and apply ------------------------------------------------------------------------


def overdue_upload_receive(*, user, uploaded, report_date: dt.date) -> OverdueUpload:
    """Keep the uploaded list with who and when, and check every row (nothing else is written).

    A file whose sha256 was already applied is refused: the same file twice changes nothing.
    """
    check_happened(report_date, label="报表日期")
    check_file(uploaded)
    digest = file_sha256(uploaded)
    done = OverdueUpload.objects.filter(sha256=digest, status=OverdueUpload.Status.APPLIED).first()
    if done is not None:
        raise ValidationError(f"该文件已于 {timezone.localtime(done.applied_at):%Y-%m-%d %H:%M} 导入，"
                              "重复导入不会改变任何数据。")
    upload = OverdueUpload(original_name=Path(uploaded.name).name[:200], sha256=digest, report_date=report_date,
                           uploaded_by=user)
    upload.file.save(f"{digest[:16]}.xlsx", uploaded, save=False)
    with _paused_gc():
        parsed = parse_workbook(upload.file.path, report_date)
        upload.row_count = len(parsed.rows) + sum(1 for e in parsed.errors if e.startswith("第 "))
        upload.errors = parsed.errors[:MAX_SHOWN_ERRORS] + (
            [f"……另有 {len(parsed.errors) - MAX_SHOWN_ERRORS} 处错误未列出"]
            if len(parsed.errors) > MAX_SHOWN_ERRORS else [])
        upload.status = OverdueUpload.Status.INVALID if parsed.errors else OverdueUpload.Status.VALID
        if not parsed.errors:
            upload.summary = preview_summary(parsed, report_date)
    upload._history_user = user
    upload.save()
    if not parsed.errors:
        # Confirming reuses the checked rows instead of reading the workbook a second time;
        # without them (another worker, expired cache) the file is simply parsed again.
        cache.set(_parsed_key(upload), [tuple(vars(row).values()) for row in parsed.rows], PARSED_CACHE_SECONDS)
    return upload


PARSED_CACHE_SECONDS = 3600


def _parsed_key(upload: OverdueUpload) -> str:
    return f"mortgage:overdue-parsed:v2:{upload.pk}:{upload.sha256}"  # v2: rows carry their identifying columns


def _parsed_for_apply(upload: OverdueUpload) -> Parsed:
    cached = cache.get(_parsed_key(upload))
    if cached is None:
        return parse_workbook(upload.file.path, upload.report_date)
    rows = [Row(*values) for values in cached]
    # loans (and their owners) may have changed since the preview: the rows are checked again
    loans, identities = lookup_loans([row.loan_number for row in rows], with_identity=True)
    return Parsed(rows, loan_errors(rows, loans, identities), loans)


MAX_SHOWN_HELD = 200


def in_litigation() -> dict:
    """Open records with a lawsuit still running: record id -> (case id, case number, assignee id,
    stage label, loan number, owner name). A list never closes these (one query)."""
    from mortgage.models import LITIGATION_OPEN, LitigationCase

    stages = dict(LitigationCase.Stage.choices)
    return {record_id: (pk, number, assignee_id, str(stages[stage]), loan_number, owner)
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
            "held_rows": [{"case": number, "stage": stage, "loan": loan, "owner": owner}
                          for _, number, _, stage, loan, owner in held[:MAX_SHOWN_HELD]],
            "recommended": sum(row.recommends for row in parsed.rows),
            "amount": str(sum((row.amount for row in parsed.rows), Decimal(0)))}


FIELDS = ["amount", "overdue_since", "periods", "bank_recommends", "last_upload", "last_report_date"]


def check_apply(user, upload: OverdueUpload) -> None:
    """Confirm a checked list: the import permission, for a list that passed the checks and was
    not applied yet (the preview's 确认导入 button is shown exactly then)."""
    if not user.has_perm("mortgage.import_overdue"):
        raise PermissionDenied("您没有导入逾期名单的权限。")
    if upload.status != OverdueUpload.Status.VALID:
        raise ValidationError("该名单未通过校验或已导入，请刷新页面。")


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
            raise ValidationError("该文件已导入过，重复导入不会改变任何数据。") from exc
        if not claimed:
            raise ValidationError("该名单未通过校验或已导入，请刷新页面。")
        with _paused_gc():
            parsed = _parsed_for_apply(upload)
            if parsed.errors:
                raise ValidationError(["文件未通过校验，未导入任何数据。", *parsed.errors[:20]])
            summary = _upsert(parsed, upload, user)
        upload.refresh_from_db()
        upload.summary = summary
        upload._history_user = user
        upload.save(update_fields=["summary"])
    summary["litigation"] = litigation_evaluate()
    return summary


@contextlib.contextmanager
def _paused_gc():
    """No cyclic garbage collection while tens of thousands of rows are read or written.

    The rows are plain tuples and dicts freed by reference counting; what the collector did
    here was walk the whole process's heap again and again as they were allocated (a fifth to
    a quarter of a later list's time on the bench). Reference counting still frees everything;
    the collector runs again as soon as the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _upsert(parsed: Parsed, upload: OverdueUpload, user) -> dict:
    report_date = upload.report_date
    fields = record_fields()
    by_loan = {row["loan_id"]: row for row in OverdueRecord.objects.filter(status=OverdueRecord.Status.OPEN)
               .order_by().values(*fields)}
    created, changed, unchanged, stale = [], [], 0, 0
    listed = set()
    for row in parsed.rows:
        loan_id, project_id, customer_id = parsed.loans[row.loan_number]
        listed.add(loan_id)
        record = by_loan.get(loan_id)
        if record is None:
            created.append({
                "loan_id": loan_id, "project_id": project_id, "customer_id": customer_id, "amount": row.amount,
                "overdue_since": row.since, "periods": row.periods, "bank_recommends": row.recommends,
                "status": OverdueRecord.Status.OPEN, "first_upload_id": upload.pk, "last_upload_id": upload.pk,
                "last_report_date": report_date, "closed_on": None, "unlisted_on": None, "litigation_required": False,
                "litigation_reason": "", "litigation_flagged_at": None})
            continue
        if record["last_report_date"] > report_date:
            stale += 1  # a newer list already spoke for this loan
            continue
        data = (row.amount, row.since, row.periods, row.recommends)
        if data == (record["amount"], record["overdue_since"], record["periods"], record["bank_recommends"]) \
                and record["last_report_date"] == report_date and record["unlisted_on"] is None:
            unchanged += 1
            continue
        record.update(amount=row.amount, overdue_since=row.since, periods=row.periods,
                      bank_recommends=row.recommends, last_upload_id=upload.pk, last_report_date=report_date,
                      unlisted_on=None)
        changed.append(record)
    absent = [record for loan_id, record in by_loan.items()
              if loan_id not in listed and record["last_report_date"] <= report_date]
    suing = in_litigation() if absent else {}
    closing = [record for record in absent if record["id"] not in suing]
    for record in closing:
        record.update(status=OverdueRecord.Status.CLOSED, closed_on=report_date)
    held = [record for record in absent if record["id"] in suing]
    newly_held = [record for record in held if record["unlisted_on"] != report_date]
    for record in newly_held:
        record.update(unlisted_on=report_date)
    reason = f"逾期名单 {upload.report_date}"
    if created:
        fast_insert(OverdueRecord, [f for f in fields if f != "id"], created)
        ids = {}
        loan_ids = [record["loan_id"] for record in created]
        for start in range(0, len(loan_ids), LOOKUP_CHUNK):
            ids.update(OverdueRecord.objects.filter(status=OverdueRecord.Status.OPEN,
                                                    loan_id__in=loan_ids[start:start + LOOKUP_CHUNK])
                       .order_by().values_list("loan_id", "pk"))
        for record in created:
            record["id"] = ids[record["loan_id"]]
        history_insert(created, "+", user, reason)
    if changed:
        fast_update(OverdueRecord, FIELDS_DB, changed)
        history_insert(changed, "~", user, reason)
    if closing:
        fast_update(OverdueRecord, ["status", "closed_on"], closing)
        history_insert(closing, "~", user, f"{reason}：未再出现，结清")
    if newly_held:
        fast_update(OverdueRecord, ["unlisted_on"], newly_held)
        history_insert(newly_held, "~", user, f"{reason}：{HELD_NOTE}")
    _notify_held(held, suing, upload)
    return {"rows": len(parsed.rows), "created": len(created), "updated": len(changed), "unchanged": unchanged,
            "stale": stale, "closed": len(closing), "held": len(held)}


HELD_NOTE = "未再列出，诉讼中，不因名单关闭"


def _notify_held(held: list[dict], suing: dict, upload: OverdueUpload) -> int:
    """Tell the lawsuit's legal assignee and cs_supervisor, once per record and list, that a list
    no longer names a record in litigation (which stays open). Both can open the case page."""
    if not held:
        return 0
    from django.urls import reverse

    from crm.models import Notification
    from crm.notifications import notify_many
    from crm.roles import Role
    from crm.scopes import role_users
    from mortgage.models import LitigationCase

    supervisors = set(role_users(Role.CS_SUPERVISOR).values_list("pk", flat=True))
    notes, targets = [], []
    for record in held:
        case_id, number, assignee_id, stage, loan, owner = suing[record["id"]]
        # cs_supervisor always is told (and can reassign); an assignee who has left is
        # replaced by the supervisors (crm.notifications.route)
        for recipient_id in sorted(supervisors | {assignee_id}):
            notes.append(Notification(
                recipient_id=recipient_id, level=Notification.Level.WARNING,
                url=reverse("mortgage:litigation_detail", args=[case_id]),
                title=f"逾期名单 {upload.report_date} 未再列出诉讼中的 {owner} {loan}（{number}）",
                body=f"诉讼阶段：{stage}。该记录仍为逾期中，不因名单关闭；请核实是否已还款或和解。",
                dedupe_key=f"mortgage:unlisted:{record['id']}:{upload.pk}"))
            targets.append(LitigationCase(pk=case_id))
    return notify_many(notes, targets=targets)


FIELDS_DB = ["amount", "overdue_since", "periods", "bank_recommends", "last_upload_id", "last_report_date",
             "unlisted_on"]


# --- Plain bulk statements -------------------------------------------------------------------
# The ORM's bulk_create/bulk_update compile every value through several layers (and bulk_update
# builds a CASE per field and row): at 50,000 rows that is most of the import. These write the
# same rows with one prepared statement run by executemany, values adapted once per type.


def record_fields() -> list[str]:
    return [f.attname for f in OverdueRecord._meta.concrete_fields]


def _adapter(field):
    kind = field.get_internal_type()
    if connection.vendor == "sqlite":
        if kind == "DateTimeField":  # what adapt_datetimefield_value() writes (naive UTC text)
            return _sqlite_datetime()
        if kind == "DateField":
            return lambda v: None if v is None else str(v)
        if kind == "DecimalField":
            return lambda v: None if v is None else str(v)
        return None
    if connection.vendor == "postgresql":
        return None  # psycopg adapts dates, aware datetimes, decimals and booleans itself
    return lambda v: field.get_db_prep_save(v, connection=connection)


def _sqlite_datetime():
    """Aware datetime -> naive UTC text, as make_naive(v, UTC) then str(). The same instant
    is usually repeated on every row (a history row's ``history_date``), so the last one is
    remembered; a value already in UTC needs no conversion (make_naive's checks and
    ``utcoffset()`` calls cost more than the rest of a history row)."""
    last, last_text = None, None

    def adapt(v):
        nonlocal last, last_text
        if v is None:
            return None
        if v is last:
            return last_text
        if v.tzinfo is dt.timezone.utc:
            text = str(v.replace(tzinfo=None))
        else:
            text = str(timezone.make_naive(v, dt.timezone.utc))
        last, last_text = v, text
        return text

    return adapt


def _adapted(model, names, rows):
    adapters = [_adapter(model._meta.get_field(name)) for name in names]
    pairs = list(zip(names, adapters))
    return [[row[name] if adapt is None else adapt(row[name]) for name, adapt in pairs] for row in rows]


def _column(model, name) -> str:
    field = next(f for f in model._meta.concrete_fields if f.attname == name)
    return connection.ops.quote_name(field.column)


def _batch(names) -> int:
    return max(1, min(1000, 30000 // len(names)))  # under SQLite's and PostgreSQL's parameter limits


def fast_insert(model, names: list[str], rows: list[dict]) -> None:
    """INSERT ``rows`` (dicts by attname) into ``model``'s table: COPY on PostgreSQL, one
    prepared statement run by executemany on SQLite (sqlite3 loops in C; multi-row statements
    of 1,000 rows were slower to build and one query per 1,000 rows), elsewhere many rows per
    statement."""
    qn = connection.ops.quote_name
    columns = ", ".join(_column(model, n) for n in names)
    if connection.vendor == "postgresql":  # COPY: no SQL text to build or parse per row
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in _adapted(model, names, rows):
                copy.write_row(row)
        return
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"
    if connection.vendor == "sqlite":  # one prepared statement run by executemany (in C): one query
        with connection.cursor() as cursor:
            cursor.executemany(sql, _adapted(model, names, rows))
        return
    head = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES "
    mark = f"({', '.join(['%s'] * len(names))})"
    size = _batch(names)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            values = _adapted(model, names, rows[start:start + size])
            cursor.execute(head + ", ".join([mark] * len(values)), [v for row in values for v in row])


def fast_update(model, names: list[str], rows: list[dict]) -> None:
    """UPDATE ``names`` of ``rows`` (dicts with their ``id``) by primary key: on PostgreSQL
    through COPY and one UPDATE … FROM, elsewhere one prepared statement run by executemany."""
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    if connection.vendor == "postgresql":  # COPY into a temporary table, then one UPDATE … FROM it
        fields = [next(f for f in model._meta.concrete_fields if f.attname == n) for n in names]
        temp = qn(f"tmp_{model._meta.db_table}_update")
        typed = ", ".join(f"c{i} {f.db_type(connection)}" for i, f in enumerate(fields))
        sets = ", ".join(f"{qn(f.column)} = v.c{i}" for i, f in enumerate(fields))
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {temp}")
            cursor.execute(f"CREATE TEMPORARY TABLE {temp} (id {model._meta.pk.rel_db_type(connection)}, {typed})")
            with cursor.cursor.copy(f"COPY {temp} FROM STDIN") as copy:
                for values, row in zip(_adapted(model, names, rows), rows):
                    copy.write_row([row["id"], *values])
            cursor.execute(f"UPDATE {table} SET {sets} FROM {temp} AS v WHERE {table}.{pk} = v.id")
            cursor.execute(f"DROP TABLE {temp}")
        return
    sql = f"UPDATE {table} SET {', '.join(f'{_column(model, n)} = %s' for n in names)} WHERE {pk} = %s"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            chunk = rows[start:start + 5000]
            values = _adapted(model, names, chunk)
            cursor.executemany(sql, [v + [row["id"]] for v, row in zip(values, chunk)])


def history_insert(rows: list[dict], history_type: str, user, reason: str) -> None:
    """One simple-history row per record (``rows``: every field of OverdueRecord by attname), as
    bulk_create_with_history / bulk_update_with_history write them."""
    model = OverdueRecord.history.model
    now = timezone.now()
    user_id = getattr(user, "pk", None)
    extra = {"history_date": now, "history_type": history_type, "history_user_id": user_id,
             "history_change_reason": reason}
    names = record_fields() + list(extra)
    fast_insert(model, names, [{**row, **extra} for row in rows])
