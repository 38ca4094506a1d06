"""API bulk upsert of units (issue 17): the sales system's calls of 1,000 units, through the
whole stack (bearer token, throttle, validation, external ids, bulk writes with history).

    python -m bench.bench_api_upsert                 # 20,000 units (20 calls), SQLite var/bench.sqlite3
    python -m bench.bench_api_upsert --units 5000
    DATABASE_URL=postgres://… python -m bench.bench_api_upsert

Ours: POST /api/v1/units/bulk/ with 1,000 records a call, by the test client (the request,
authentication, JSON and the response included): first every unit new, then every unit changed
(area and delivery date), then the same calls again (every unit unchanged). Each unit gets its
history row by the client's service user.

Baseline: django-import-export importing the same rows (project, building, number, floor, area,
layout, delivery date) with the owners app's own ``UnitResource`` (row by row, simple-history
writing its row on each save), in the same run, into another project. Everything is rolled back.
Target: >= 2,000 units/s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bootstrap, report  # noqa: E402

BATCH = 1000


class _Rollback(Exception):
    pass


def _rows(n: int, *, area: str = "89.50", delivery: dt.date = dt.date(2026, 6, 30)) -> list[dict]:
    return [{"external_id": f"U{i:06d}", "building": f"B{i // 500:04d}", "number": f"{i % 500 + 101}",
             "floor": i % 500 // 4 + 1, "area": area, "layout": "三室两厅", "delivery_date": str(delivery)}  # i18n: data
            for i in range(n)]


def _calls(caller, rows) -> float:
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        response = caller.post("/api/v1/units/bulk/", data=json.dumps({"records": rows[start:start + BATCH]}),
                               content_type="application/json", HTTP_AUTHORIZATION=caller.token)
        if response.status_code != 200 or response.json()["counts"]["error"]:
            raise RuntimeError(response.content[:500])
    return time.perf_counter() - started


def run(units: int) -> dict:
    from django.db import transaction
    from django.test import Client

    from api.services import client_create
    from owners.models import Building, Project

    out = {}
    try:
        with transaction.atomic():
            project = Project.objects.create(code="bench-api", name="接口基准项目", external_source="bench",  # i18n: data
                                             external_id="P-bench")
            Building.objects.bulk_create([Building(project=project, name=f"{b}栋", external_source="bench",  # i18n: data
                                                   external_id=f"B{b:04d}") for b in range(units // 500 + 1)])
            client, token = client_create(name="基准销售系统", source="bench", scopes=["units:write"],  # i18n: data
                                          projects=[project], rate_limit=100_000)
            caller = Client()
            caller.token = f"Bearer {token}"
            created = _rows(units)
            out["created"] = _calls(caller, created)
            changed = _rows(units, area="90.00", delivery=dt.date(2026, 9, 30))
            out["updated"] = _calls(caller, changed)
            out["unchanged"] = _calls(caller, changed)
            out["baseline"] = _baseline(created, project)
            raise _Rollback
    except _Rollback:
        pass
    return out


def _baseline(rows: list[dict], project) -> float:
    """django-import-export: the owners app's UnitResource over the same rows, another project."""
    import tablib

    from owners.models import Project
    from owners.resources import UnitResource

    other = Project.objects.create(code="bench-ie", name="导入基准项目")  # i18n: data
    headers = ["项目", "楼栋", "房号", "楼层", "建筑面积", "户型", "交付日期"]  # i18n: data
    dataset = tablib.Dataset(headers=headers)
    for r in rows:
        dataset.append([other.code, r["building"], r["number"], r["floor"], r["area"], r["layout"],
                        r["delivery_date"]])
    started = time.perf_counter()
    result = UnitResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - started
    if result.has_errors() or result.has_validation_errors():
        raise RuntimeError("the baseline import reported errors")
    return seconds


def main(argv=None) -> list[str]:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int)
    parser.add_argument("--smoke", action="store_true", help="a few units on the current database (CI)")
    parser.add_argument("--quick", action="store_true", help="5,000 units")
    args = parser.parse_args(argv)
    units = args.units or (300 if args.smoke else 5000 if args.quick else 20_000)
    if not args.smoke:
        bootstrap()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    from bench.common import database_label

    t = run(units)
    rate = {k: units / v for k, v in t.items()}
    print(f"  ours: created {rate['created']:,.0f} units/s, updated {rate['updated']:,.0f} units/s, "
          f"unchanged {rate['unchanged']:,.0f} units/s; django-import-export {rate['baseline']:,.0f} units/s",
          flush=True)
    label = f"API units upsert [{database_label()}] {units:,} units in calls of {BATCH:,}"
    per_k = {k: v / units * 1000 * 1000 for k, v in t.items()}  # ms per 1,000 units
    return [
        report(f"{label}, all new (ms per 1,000 units)", per_k["created"], per_k["baseline"],
               note=f"ours {rate['created']:,.0f} units/s, import-export {rate['baseline']:,.0f} units/s; "
                    f"target >= 2,000 units/s"),
        report(f"{label}, all changed (ms per 1,000 units)", per_k["updated"], per_k["baseline"],
               note=f"ours {rate['updated']:,.0f} units/s"),
        report(f"{label}, the same call again, nothing changed (ms per 1,000 units)", per_k["unchanged"],
               per_k["baseline"], note=f"ours {rate['unchanged']:,.0f} units/s"),
    ]


if __name__ == "__main__":
    main()
