"""Load test (issue 7 §8): gunicorn on the bench database, 50 office users at once for 60 s.

    DATABASE_URL=postgres://crm:crm@127.0.0.1:5432/crm_bench .venv/bin/python -m bench.load

Seeds the data set (100,000 cases; `--quick` 10,000) through bench/generate.py, starts
gunicorn on loopback with the same settings as a deployment (DEBUG off, several workers),
logs each simulated user in through the real login form, and has them use the register
(first page sorted by deadline, filtered pages, searches), open case pages and log new cases
through the front-desk form. It prints requests per second, p50/p95/p99 per action and in
all, and the errors; it exits 1 if there was any error. It is a benchmark, not a CI test.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict

from bench import common

LOGIN_PATH = "/accounts/login/"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 cases and 20 seconds")
    parser.add_argument("--cases", type=int, help="number of cases (default 100,000)")
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument("--seconds", type=int, help="how long the users work (default 60; --quick 20)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    cases, customers, projects = common.SIZES[mode]
    if args.cases:
        cases, customers = args.cases, max(args.cases // 2, 10)
    args.mode, args.smoke, args.size = mode, False, (cases, customers, projects)
    args.seconds = args.seconds or (20 if args.quick else 60)
    return args


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(args, port: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(PYTHONWARNINGS="ignore:No directory at", DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
               DATABASE_URL=os.environ["DATABASE_URL"])
    if not env.get("REDIS_URL"):
        env["CELERY_TASK_ALWAYS_EAGER"] = "true"  # no worker here: deliver notifications in-process
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "crm.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "--timeout", "120",
         "--log-level", "warning"],
        cwd=common.ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{LOGIN_PATH}", timeout=2) as response:
                if response.status == 200:
                    return process
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not start within 60 s")


class User:
    """One member of staff with a browser session (cookies, CSRF token)."""

    def __init__(self, base: str, username: str):
        self.base, self.username = base, username
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def csrf(self) -> str:
        return next((c.value for c in self.cookies if c.name == "csrftoken"), "")

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        if data is not None:
            request.add_header("X-CSRFToken", self.csrf())
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.geturl(), response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.geturl(), ""

    def login(self, password: str) -> None:
        self.request(LOGIN_PATH)
        status, url, _ = self.request(LOGIN_PATH, {"username": self.username, "password": password,
                                                   "csrfmiddlewaretoken": self.csrf()})
        if status != 200 or LOGIN_PATH in url:
            raise RuntimeError(f"{self.username} could not log in ({status} {url})")


def workload(data: dict):
    """(name, weight, function(user, rng) -> path or (path, post data)) of what users do."""
    cases, projects, phones = data["cases"], data["projects"], data["phones"]

    def register(user, rng):
        return f"/complaints/?page={rng.randint(1, 5)}"

    def filtered(user, rng):
        start = data["today"] - 30 * 86400 * rng.randint(1, 6)
        return "/complaints/?" + urllib.parse.urlencode({
            "state": rng.choice(data["states"]), "severity": rng.choice(["major", "important", "minor"]),
            "project": rng.choice(projects), "received_from": time.strftime("%Y-%m-%d", time.localtime(start))})

    def search(user, rng):
        return "/complaints/?" + urllib.parse.urlencode({"q": rng.choice(phones)[-4:]})

    def case_page(user, rng):
        return f"/complaints/{rng.choice(cases)}/"

    def log_case(user, rng):
        n = rng.randrange(10**6)
        return "/complaints/new/", {
            "complainant_name": f"来电业主{n}", "complainant_phone": f"139{n:08d}", "project": rng.choice(projects),
            "kind": "complaint", "channel": "phone", "category": data["category"], "title": f"压力测试来电{n}",
            "description": "楼道灯不亮，请尽快处理。"}

    return [("register", 40, register), ("filtered", 20, filtered), ("search", 10, search),
            ("case page", 25, case_page), ("log a case", 5, log_case)]


def collect_ids() -> dict:
    from complaints.models import Category, Complaint, State
    from owners.models import Customer, Project

    ids = list(Complaint.objects.order_by("pk").values_list("pk", flat=True)[:: max(1, Complaint.objects.count() // 2000)])
    phones = list(Customer.objects.exclude(phone="").values_list("phone", flat=True)[:500])
    return {"cases": ids, "projects": list(Project.objects.values_list("pk", flat=True)), "phones": phones or ["0000"],
            "states": [s for s in State.values if s not in ("archived",)], "category": Category.values[0],
            "today": time.time()}


def run(args) -> int:
    common.setup(args)
    from crm.demo import DEMO_PASSWORD

    data = collect_ids()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(args, port)
    try:
        users = [User(base, "front_desk" if i % 5 == 4 else "cs_supervisor") for i in range(args.users)]
        logins = [threading.Thread(target=user.login, args=(DEMO_PASSWORD,)) for user in users]
        for thread in logins:
            thread.start()
        for thread in logins:
            thread.join()
        if not all(user.csrf() and any(c.name == "sessionid" for c in user.cookies) for user in users):
            raise SystemExit("some users could not log in")
        actions = workload(data)
        weights = [weight for _, weight, _ in actions]
        timings, errors = defaultdict(list), defaultdict(list)
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds

        def work(index, user):
            rng = random.Random(index)
            while time.monotonic() < stop_at:
                name, _, make = rng.choices(actions, weights=weights)[0]
                if name == "log a case" and user.username != "front_desk":
                    name, make = "register", actions[0][2]
                target = make(user, rng)
                path, post = target if isinstance(target, tuple) else (target, None)
                started = time.perf_counter()
                try:
                    if post is not None:
                        user.request(path)  # the form page, as the front desk opens it
                        post["csrfmiddlewaretoken"] = user.csrf()
                    status, url, _ = user.request(path, post)
                    ok = status == 200 and LOGIN_PATH not in url
                    problem = "" if ok else f"{status} {url}"
                except Exception as exc:  # noqa: BLE001 - every failure is counted, not raised
                    problem = f"{type(exc).__name__}: {exc}"
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    timings[name].append(elapsed)
                    if problem:
                        errors[name].append(problem)

        threads = [threading.Thread(target=work, args=(i, user)) for i, user in enumerate(users)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    from django.db import connection

    every = [t for values in timings.values() for t in values]
    total_errors = sum(len(v) for v in errors.values())
    print(f"load: {connection.vendor}, {args.size[0]:,} cases, {args.users} users, {args.workers} gunicorn workers "
          f"× {args.threads} threads, {elapsed:.0f} s")
    print(f"{'action':<12} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, values in sorted(timings.items()) + [("all", every)]:
        failed = total_errors if name == "all" else len(errors.get(name, ()))
        print(f"{name:<12} {len(values):>9} {_pct(values, 50):>8.0f} {_pct(values, 95):>8.0f} {_pct(values, 99):>8.0f} "
              f"{failed:>7}")
    print(f"throughput: {len(every) / elapsed:.1f} requests/s; errors: {total_errors}")
    for name, problems in errors.items():
        print(f"  {name}: {problems[0]} (×{len(problems)})")
    return 1 if total_errors else 0


def _pct(values, percent) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


if __name__ == "__main__":
    common.bootstrap()
    sys.exit(run(parse_args()))
