"""Finance overdue-list import (issue 8 §6): 50,000 rows, validation and history included.

    python -m bench.bench_import            # 50,000 rows
    python -m bench.bench_import --quick    # 10,000 rows
    python -m bench.bench_import --rows 20000 --baseline-rows 50000
    DATABASE_URL=postgres://… python -m bench.bench_import --quick

The bench writes its own deterministic workbook (seed 42, the columns finance sends) and the
mortgage loans it names, on the customers of the generated data set. Every measured run is
rolled back, so the next one starts from the same state.

Ours: ``mortgage.imports.overdue_upload_receive`` (file checks, sha256, the sheet read by
calamine through ``crm.imports``, row checks, loans matched in bulk, preview) + ``overdue_upload_apply`` (bulk upsert with
simple-history rows, litigation rule). Measured twice: the first list (every record new) and a
later list (most records changed, a tenth closed because they are absent).

Baseline: django-import-export's default row-by-row import of the same file with a
ModelResource over ``OverdueRecord`` (loan by number through a ForeignKeyWidget, the other
required fields filled per row; simple-history writes its row on each save). It is slow, so by
default it imports the first ``--baseline-rows`` rows (5,000) and is compared per row.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import count_queries, parse_args, report, setup  # noqa: E402

SIZES = {"full": 50_000, "quick": 10_000, "smoke": 40}
BANKS = ["工商银行", "建设银行", "农业银行", "中国银行", "招商银行"]
PREFIX = "BENCH-OD-"
# The two lists' report dates, relative to today (the litigation rule counts months to today).
_today = dt.date.today()
REPORT_DATES = (_today - dt.timedelta(days=35), _today - dt.timedelta(days=5))


class Rollback(Exception):
    pass


def ensure_loans(n: int) -> list[tuple[str, str, str, str, str]]:
    """``n`` deterministic loans on the generated customers (created once); returns
    (loan number, owner name, unit label, owner's ID number, bank) for each: the identifying
    columns of a row must agree with its loan, as in finance's real lists."""
    from owners.models import Ownership

    from mortgage.models import MortgageLoan

    have = MortgageLoan.objects.filter(loan_number__startswith=PREFIX).count()
    owners = list(Ownership.objects.select_related("customer", "unit", "unit__building")
                  .order_by("pk").values_list("customer_id", "unit_id", "unit__project_id", "customer__name",
                                              "unit__building__name", "unit__number", "customer__id_number")[:max(n, 1)])
    if not owners:
        raise SystemExit("bench: no owners in the bench database; run python -m bench.generate first")
    if have < n:
        rng = random.Random(4242)
        MortgageLoan.objects.bulk_create([
            MortgageLoan(loan_number=f"{PREFIX}{i:07d}", customer_id=o[0], unit_id=o[1], project_id=o[2],
                         bank=BANKS[i % len(BANKS)], amount=Decimal(rng.randrange(300_000, 3_000_000)),
                         term_months=rng.choice([120, 240, 360]), start_date=dt.date(2020, 1, 1) + dt.timedelta(days=i % 1500))
            for i in range(have, n) for o in [owners[i % len(owners)]]], batch_size=2000)
    return [(f"{PREFIX}{i:07d}", owners[i % len(owners)][3], f"{owners[i % len(owners)][4]}-{owners[i % len(owners)][5]}",
             owners[i % len(owners)][6], BANKS[i % len(BANKS)]) for i in range(n)]


def workbook_bytes(loans, *, seed: int, keep: float = 1.0, report_date: dt.date | None = None) -> bytes:
    """The list finance sends: one row per overdue loan (``keep`` of them), deterministic."""
    from openpyxl import Workbook

    from mortgage.imports import COLUMNS

    rng = random.Random(seed)
    base = report_date or REPORT_DATES[0]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("逾期名单")
    sheet.append(list(COLUMNS.values()))
    for number, name, unit, id_number, bank in loans:
        if rng.random() > keep:
            continue
        # Mostly a month or a few behind with small amounts; about one in ten meets the litigation rule.
        long = rng.random() < 0.04
        since = base - dt.timedelta(days=rng.randrange(230, 400) if long else rng.randrange(20, 150))
        amount = rng.uniform(21_000, 60_000) if rng.random() < 0.04 else rng.uniform(500, 15_000)
        sheet.append([name, id_number, unit, number, bank,
                      round(amount, 2), since, (base - since).days // 30 + 1,
                      "是" if rng.random() < 0.02 else "否"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username="admin").first() or get_user_model().objects.filter(
        is_superuser=True).first()


def run_ours(content: bytes, report_date: dt.date, user, name="逾期名单.xlsx") -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mortgage.imports import overdue_upload_apply, overdue_upload_receive

    upload = overdue_upload_receive(user=user, uploaded=SimpleUploadedFile(name, content), report_date=report_date)
    if upload.errors:
        raise RuntimeError(f"the bench list did not validate: {upload.errors[:3]}")
    summary = overdue_upload_apply(upload=upload, user=user)
    upload.file.delete(save=False)
    return summary


CPU = {}  # label -> this process's CPU seconds of the last timed run (steadier than wall time on a busy machine)


def _timed_in_rollback(fn, label=None):
    """Run ``fn`` in a transaction that is rolled back; returns (seconds, result). With a
    ``label``, the process's CPU time of the run is kept in ``CPU`` (on PostgreSQL it leaves
    out the server's)."""
    from django.db import transaction

    holder = {}
    try:
        with transaction.atomic():
            started, cpu = time.perf_counter(), time.process_time()
            holder["result"] = fn()
            holder["seconds"] = time.perf_counter() - started
            if label:
                CPU[label] = time.process_time() - cpu
            raise Rollback
    except Rollback:
        pass
    return holder["seconds"], holder["result"]


def baseline_resource(upload, report_date):
    """import-export's default: a ModelResource over OverdueRecord, imported row by row."""
    from import_export import fields, resources, widgets

    from mortgage.models import MortgageLoan, OverdueRecord

    class YesNo(widgets.BooleanWidget):
        TRUE_VALUES = ["是", "1", 1, True, "true", "TRUE", "True"]
        FALSE_VALUES = ["否", "0", 0, False, "false", "FALSE", "False"]

    class OverdueResource(resources.ModelResource):
        loan = fields.Field(attribute="loan", column_name="贷款编号",
                            widget=widgets.ForeignKeyWidget(MortgageLoan, "loan_number"))
        amount = fields.Field(attribute="amount", column_name="逾期金额", widget=widgets.DecimalWidget())
        overdue_since = fields.Field(attribute="overdue_since", column_name="逾期起始日", widget=widgets.DateWidget())
        periods = fields.Field(attribute="periods", column_name="逾期期数", widget=widgets.IntegerWidget())
        bank_recommends = fields.Field(attribute="bank_recommends", column_name="银行建议诉讼", widget=YesNo())

        class Meta:
            model = OverdueRecord
            import_id_fields = ["loan"]
            fields = ["loan", "amount", "overdue_since", "periods", "bank_recommends"]

        def before_save_instance(self, instance, row, **kwargs):
            instance.project_id = instance.loan.project_id
            instance.customer_id = instance.loan.customer_id
            instance.first_upload_id = instance.first_upload_id or upload.pk
            instance.last_upload_id = upload.pk
            instance.last_report_date = report_date

    return OverdueResource()


def run_baseline(content: bytes, report_date: dt.date, user) -> int:
    from django.core.files.base import ContentFile
    from import_export.formats.base_formats import XLSX

    from mortgage.models import OverdueUpload

    upload = OverdueUpload(original_name="baseline.xlsx", sha256="baseline", report_date=report_date,
                           uploaded_by=user)
    upload.file.save("baseline.xlsx", ContentFile(content), save=False)
    upload.save()
    dataset = XLSX().create_dataset(content)
    result = baseline_resource(upload, report_date).import_data(dataset, dry_run=False, raise_errors=True)
    upload.file.delete(save=False)
    if result.has_errors() or result.has_validation_errors():
        raise RuntimeError("the baseline import reported errors")
    return len(dataset)


def main(argv=None) -> list[str]:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = argparse.ArgumentParser(add_help=False)
    extra.add_argument("--rows", type=int)
    extra.add_argument("--baseline-rows", type=int)
    own, rest = extra.parse_known_args(argv)
    args = parse_args(rest, description=__doc__.splitlines()[0])
    setup(args)
    from bench.common import database_label

    db = database_label()
    rows = own.rows or SIZES[args.mode]
    base_rows = min(rows, own.baseline_rows or (rows if args.smoke else 5000))
    user = _user()
    loans = ensure_loans(rows)
    first_date, later_date = REPORT_DATES
    first = workbook_bytes(loans, seed=42)
    later = workbook_bytes(loans, seed=43, keep=0.9, report_date=later_date)  # new amounts; a tenth absent: closed

    seconds, summary = _timed_in_rollback(lambda: run_ours(first, first_date, user), "first")
    print(f"  ours, first list: {summary['rows']:,} rows in {seconds:.2f} s ({summary['rows'] / seconds:,.0f} rows/s, "
          f"CPU {CPU['first']:.2f} s: {summary['rows'] / CPU['first']:,.0f} rows/s), "
          f"created {summary['created']:,}, litigation {summary['litigation']:,}", flush=True)
    import crm.imports as imports  # the shared reader (calamine; openpyxl the fallback)

    reader, imports.READER = imports.READER, "openpyxl"
    try:
        slow_seconds, _ = _timed_in_rollback(lambda: run_ours(first, first_date, user), "openpyxl")
    finally:
        imports.READER = reader
    print(f"  ours with the openpyxl reader: {rows / slow_seconds:,.0f} rows/s (CPU {rows / CPU['openpyxl']:,.0f})",
          flush=True)

    def both():
        run_ours(first, first_date, user)
        started, cpu = time.perf_counter(), time.process_time()
        result = run_ours(later, later_date, user, name="逾期名单2.xlsx")
        CPU["later"] = time.process_time() - cpu
        return time.perf_counter() - started, result

    _, (later_seconds, later_summary) = _timed_in_rollback(both)
    print(f"  ours, later list: {later_summary['rows']:,} rows in {later_seconds:.2f} s "
          f"({later_summary['rows'] / later_seconds:,.0f} rows/s, CPU {CPU['later']:.2f} s: "
          f"{later_summary['rows'] / CPU['later']:,.0f} rows/s), updated {later_summary['updated']:,}, "
          f"closed {later_summary['closed']:,}", flush=True)
    queries = {}
    for n in (max(1, rows // 10), rows):
        sub = workbook_bytes(loans[:n], seed=42)
        _, queries[n] = _timed_in_rollback(lambda sub=sub: count_queries(lambda: run_ours(sub, first_date, user)))

    base_content = first if base_rows == rows else workbook_bytes(loans[:base_rows], seed=42)
    base_seconds, base_count = _timed_in_rollback(lambda: run_baseline(base_content, first_date, user))
    print(f"  baseline: {base_count:,} rows in {base_seconds:.2f} s ({base_count / base_seconds:,.0f} rows/s)", flush=True)

    per_k = lambda s, n: s / n * 1000 * 1000  # noqa: E731 - ms per 1,000 rows
    label = f"overdue import [{db}]"
    lines = [
        report(f"{label} first list {rows:,} rows (ms per 1,000 rows)", per_k(seconds, rows),
               per_k(base_seconds, base_count), unit="ms",
               note=f"ours {rows / seconds:,.0f} rows/s (CPU {rows / CPU['first']:,.0f}), import-export {base_count / base_seconds:,.0f} rows/s "
                    f"over {base_count:,} rows; target >= 5,000 rows/s"),
        report(f"{label} later list {later_summary['rows']:,} rows, {later_summary['updated']:,} updated, "
               f"{later_summary['closed']:,} closed (ms per 1,000 rows)", per_k(later_seconds, later_summary["rows"]),
               per_k(base_seconds, base_count), unit="ms",
               note=f"ours {later_summary['rows'] / later_seconds:,.0f} rows/s "
                    f"(CPU {later_summary['rows'] / CPU['later']:,.0f})"),
        report(f"{label} first list {rows:,} rows, openpyxl reader instead of calamine (ms per 1,000 rows)",
               per_k(slow_seconds, rows), per_k(base_seconds, base_count), unit="ms",
               note=f"ours {rows / slow_seconds:,.0f} rows/s (CPU {rows / CPU['openpyxl']:,.0f})"),
        report(f"{label} queries: ours at {max(queries):,} rows, baseline = ours at {min(queries):,} rows",
               queries[max(queries)], queries[min(queries)], unit="queries",
               note="(1.00x = the count does not grow with the rows)"),
    ]
    return lines


if __name__ == "__main__":
    main()
