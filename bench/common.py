"""The benchmark harness shared by every ``bench/bench_*.py`` script.

- ``bootstrap()`` points Django at the bench database before ``django.setup()``: whatever
  ``DATABASE_URL`` says, by default a separate SQLite file ``var/bench.sqlite3`` (never the
  development database).
- ``setup(args)`` migrates, and generates the data set when it is missing or of another size
  (a marker row in ``crm.Sequence`` remembers what was generated).
- ``measure(fn)`` → median and p95 milliseconds; ``count_queries(fn)`` → number of queries.
- ``report(name, ours, baseline, unit)`` prints one line with ``ours``, ``baseline`` and ``ratio``.
- ``parse_args()`` gives every script the same ``--quick`` / ``--smoke`` / ``--cases`` flags.

In ``--smoke`` mode (the CI test) Django is already set up on the test database: nothing is
switched or migrated, a tiny data set is generated and every step runs a couple of times.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"

SIZES = {
    # mode: (cases, customers, projects)
    "full": (100_000, 50_000, 20),
    "quick": (10_000, 5_000, 20),
    "smoke": (60, 40, 2),
}
# Notifications in the data set: ten per case (1,000,000 at full size), a few in smoke mode.
NOTIFICATIONS = {"full": 1_000_000, "quick": 100_000, "smoke": 200}


def bootstrap() -> None:
    """Configure Django for a benchmark run (idempotent; a no-op when Django is already set up)."""
    from django.conf import settings

    if settings.configured:
        return
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    # The bench measures the product, not the debug toolbar of a developer's shell.
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    # The benchmarks request pages through Django's test client, whose host is "testserver".
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    import logging

    import django

    django.setup()
    # Every first view logs in afresh: the security log's line per login is not a result.
    logging.getLogger("crm.security").setLevel(logging.WARNING)


def parse_args(argv=None, description: str = "") -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="10,000 cases (under two minutes)")
    mode.add_argument("--smoke", action="store_true", help="tiny data on the current database (CI)")
    parser.add_argument("--cases", type=int, help="number of cases (default 100,000)")
    parser.add_argument("--customers", type=int, help="number of customers (default cases / 2)")
    parser.add_argument("--notifications", type=int,
                        help="notifications in the data set (default ten per case: 1,000,000 at full size)")
    parser.add_argument("--n", type=int, help="timed runs per measurement (default 20)")
    args = parser.parse_args(argv)
    mode_name = "smoke" if args.smoke else "quick" if args.quick else "full"
    cases, customers, projects = SIZES[mode_name]
    if args.cases:
        cases = args.cases
        customers = args.customers or max(cases // 2, 10)
    elif args.customers:
        customers = args.customers
    args.mode = mode_name
    args.size = (cases, customers, projects)
    if args.notifications is None:
        args.notifications = NOTIFICATIONS[mode_name] if not args.cases else cases * 10
    args.runs = args.n or (2 if args.smoke else 20)
    args.warmup = 1 if args.smoke else 3
    return args


def run_script(run, title: str, description: str, argv=None):
    """The entry point of a page benchmark: flags, data set, a header line, then ``run(args)``."""
    args = parse_args(argv, description=description)
    info = setup(args)
    print(f"{title}: {info['cases']:,} cases, {args.runs} runs after {args.warmup} warm-up")
    return run(args)


def _reset_database() -> None:
    """Drop every table of the bench database (it is ours alone) so it can be rebuilt."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        return
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    raise RuntimeError(f"unsupported database {connection.vendor}")


def setup(args) -> dict:
    """Make the bench database ready for ``args`` and return what the scripts need."""
    bootstrap()
    from django.core.management import call_command

    from bench.generate import generate, marker_present

    cases, customers, projects = args.size
    notifications = getattr(args, "notifications", None)
    if notifications is None:
        notifications = cases * 10
    marker = dict(cases=cases, customers=customers, projects=projects, notifications=notifications)
    if args.smoke:
        # On the test database (already migrated): tiny data, generated once per test.
        if not marker_present(**marker):
            generate(**marker, log=lambda *_: None)
    else:
        from django.db import connection

        call_command("migrate", verbosity=0)
        if not marker_present(**marker):
            from django.db.utils import OperationalError, ProgrammingError

            try:
                from crm.models import Sequence

                stale = Sequence.objects.filter(key__startswith="bench:").exists() or _has_rows()
            except (OperationalError, ProgrammingError):
                stale = False
            if stale:
                print(f"bench: another data set is in {connection.settings_dict['NAME']}; rebuilding it")
                _reset_database()
                call_command("migrate", verbosity=0)
            started = time.perf_counter()
            generate(**marker)
            print(f"bench: generated {cases:,} cases and {notifications:,} notifications "
                  f"in {time.perf_counter() - started:.1f} s")
    return {"cases": cases, "customers": customers, "projects": projects, "notifications": notifications}


def _has_rows() -> bool:
    from complaints.models import Complaint

    return Complaint.objects.exists()


def _is_marker(key: str) -> bool:
    return key.startswith("bench:")


@dataclass
class Timing:
    median: float  # milliseconds
    p95: float
    runs: int
    low: float = 0.0  # the fastest and slowest run: the spread
    high: float = 0.0
    cpu: float | None = None  # median CPU time of this process (the web server; SQLite's work too)

    def __str__(self):
        return f"median {self.median:.1f} ms, p95 {self.p95:.1f} ms"


def measure(fn, warmup: int = 3, n: int = 20) -> Timing:
    """Call ``fn`` ``warmup`` times untimed, then ``n`` times; median and p95 in milliseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return _timing(samples)


def measure_pair(ours, baseline, warmup: int = 3, n: int = 20, before=None) -> tuple[Timing, Timing]:
    """``measure`` for ours and the baseline, their calls alternating: a machine whose load
    changes during the run slows both alike, so the ratio stays comparable. ``before(fn)``, if
    given, runs untimed before every call of ``fn`` (a first view: a fresh login, an empty cache)."""
    for _ in range(warmup):
        for fn in (ours, baseline):
            if before is not None:
                before(fn)
            fn()
    samples, cpu = ([], []), ([], [])
    for i in range(n):
        pair = (ours, baseline) if i % 2 == 0 else (baseline, ours)
        for fn in pair:
            if before is not None:
                before(fn)
            started, cpu_started = time.perf_counter(), time.process_time()
            fn()
            side = 0 if fn is ours else 1
            samples[side].append((time.perf_counter() - started) * 1000)
            cpu[side].append((time.process_time() - cpu_started) * 1000)
    return tuple(_timing(values, cpu_values) for values, cpu_values in zip(samples, cpu))


def _timing(samples: list[float], cpu: list[float] | None = None) -> Timing:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    return Timing(statistics.median(samples), p95, len(samples), samples[0], samples[-1],
                  statistics.median(cpu) if cpu else None)


_HANDLER = None


class Visitor:
    """A browser of one user through django.test.Client: ``get(url)`` asserts a 200;
    ``first_visit()`` starts over as on a first view: a new session (logged in afresh) and an
    empty cache (counts, menus, permissions, sessions: nothing left from earlier requests)."""

    def __init__(self, username: str):
        from django.contrib.auth import get_user_model

        self.username = username
        self.user = get_user_model().objects.get(username=username)
        self.client = None
        self.first_visit()

    def first_visit(self) -> None:
        from django.core.cache import cache
        from django.test import Client

        self.client = Client()
        # One handler for every visitor, as one server process has: its middleware (WhiteNoise's
        # scan of the static files among them) is loaded once, not again on each first view.
        global _HANDLER
        if _HANDLER is None:
            _HANDLER = self.client.handler
        self.client.handler = _HANDLER
        self.client.force_login(self.user)
        cache.clear()

    def get(self, url: str):
        response = self.client.get(url)
        assert response.status_code == 200, (self.username, url, response.status_code)
        return response


def pair_first_and_warm(name: str, ours: tuple, baseline: tuple, args, note: str = "") -> list[str]:
    """Time and count ``ours`` = (Visitor, url) against ``baseline`` = (Visitor, url): warm (the
    same session, after warm-ups) and on a first view (a fresh login and an empty cache before
    every request, ours and the baseline alternating), each with its query count."""
    (o_visitor, o_url), (b_visitor, b_url) = ours, baseline

    def o():
        return o_visitor.get(o_url)

    def b():
        return b_visitor.get(b_url)

    def fresh(fn):
        (o_visitor if fn is o else b_visitor).first_visit()

    lines = []
    t_ours, t_base = measure_pair(o, b, warmup=args.warmup, n=args.runs)
    lines.append(report(f"{name}, warm (server time)", t_ours, t_base, "ms", note=note))
    lines.append(report(f"{name}, warm (queries)", count_queries(o), count_queries(b), "queries",
                        note="target <= 8"))
    t_ours, t_base = measure_pair(o, b, warmup=1, n=args.runs, before=fresh)
    lines.append(report(f"{name}, first view (server time)", t_ours, t_base, "ms", note=note))
    fresh(o)
    q_ours = count_queries(o)
    fresh(b)
    lines.append(report(f"{name}, first view (queries)", q_ours, count_queries(b), "queries", note="target <= 8"))
    return lines


def count_queries(fn) -> int:
    """The number of SQL queries one call of ``fn`` runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def report(name: str, ours, baseline, unit: str = "ms", note: str = "") -> str:
    """Print (and return) one result line: ours, baseline and ratio (baseline / ours for
    times, so that 3.0 means three times faster than the baseline)."""
    o = ours.median if isinstance(ours, Timing) else float(ours)
    b = baseline.median if isinstance(baseline, Timing) else float(baseline) if baseline is not None else None
    ratio = f"{b / o:.2f}x" if b is not None and o else "n/a"
    fmt = (lambda v: f"{v:.1f}") if unit in ("ms", "s") else (lambda v: f"{v:g}")
    extra = ""
    if isinstance(ours, Timing):
        extra = f" (p95 {ours.p95:.1f} {unit}, range {ours.low:.1f}–{ours.high:.1f})"
    if isinstance(baseline, Timing):
        cpu = (f"; cpu {ours.cpu:.1f} vs {baseline.cpu:.1f} ms ({baseline.cpu / ours.cpu:.2f}x)"
               if isinstance(ours, Timing) and ours.cpu and baseline.cpu else "")
        note = f"baseline range {baseline.low:.1f}–{baseline.high:.1f}{cpu}" + (f"; {note}" if note else "")
    line = (f"{name}: ours {fmt(o)} {unit}{extra}  baseline {fmt(b) if b is not None else 'n/a'} {unit}"
            f"  ratio {ratio}{('  ' + note) if note else ''}")
    print(line, flush=True)
    return line


def database_label() -> str:
    from django.db import connection

    return connection.vendor
