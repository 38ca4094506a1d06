"""Load test (issue 7 §8, issue 14 §7): gunicorn on the bench database, office users of every scope
at once, starting cold, with the Django admin changelist measured in the same run.

    DATABASE_URL=postgres://crm:crm@127.0.0.1:5432/crm_bench REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python -m bench.load --quick

Seeds the data set (100,000 cases; `--quick` 10,000) through bench/generate.py, empties the
shared cache (Redis when REDIS_URL is set: sessions, permissions, menus, everything) and starts
gunicorn on loopback (4 workers × 4 threads by default, DEBUG off, the product's settings plus
the baseline admin at /bench-admin/: bench/settings.py). Then every simulated user logs in
through the real login form, so that every session and every cache starts empty, and works:

- cs_supervisor, cs_staff (every project) and front_desk: the register (pages of both orders,
  filters, phone searches), case pages, and for the front desk new cases through its form;
- project_dept (half the projects): the same within its projects;
- property_company: its forwarded cases' pages.

Every register page a user opens is, every other time, the admin changelist over the same
rows (the user's scope as the changelist's filter, the same page), opened by the same user
logged in to the admin: the two are measured under the same load, side by side. Users read a
page for 2 s on average before the next (`--think`; with none, 50 users saturate a small
machine and every action's p95 is the queue's). It prints
requests per second and p50/p95/p99 per action and in all, and the errors; it exits 1 if there
was any error or if the register's p95 is worse than the admin's. It is a benchmark, not a CI test.
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
ADMIN = "/bench-admin/complaints/complaint/"
# How the simulated users are spread over the scopes (role -> share).
MIX = {"cs_supervisor": 0.25, "cs_staff": 0.2, "front_desk": 0.2, "project_dept": 0.2, "property_company": 0.15}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 cases and 20 seconds")
    parser.add_argument("--cases", type=int, help="number of cases (default 100,000)")
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument("--seconds", type=int, help="how long the users work (default 60; --quick 20)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--think", type=float, default=2.0,
                        help="mean seconds a user reads a page before the next (default 2; 0: back to back)")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    cases, customers, projects = common.SIZES[mode]
    if args.cases:
        cases, customers = args.cases, max(args.cases // 2, 10)
    args.mode, args.smoke, args.size = mode, False, (cases, customers, projects)
    args.notifications = common.NOTIFICATIONS[mode] if not args.cases else cases * 10
    args.seconds = args.seconds or (20 if args.quick else 60)
    return args


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(args, port: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(PYTHONWARNINGS="ignore:No directory at", DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
               DATABASE_URL=os.environ["DATABASE_URL"], DJANGO_SETTINGS_MODULE="bench.settings")
    if not env.get("REDIS_URL"):
        env["CELERY_TASK_ALWAYS_EAGER"] = "true"  # no worker here: deliver notifications in-process
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bench.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "--timeout", "120",
         "--log-level", "warning"],
        cwd=common.ROOT, env=env)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not start within 90 s")


class Browser:
    """One session (cookies, CSRF token) of one user."""

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

    @property
    def logged_in(self) -> bool:
        return bool(self.csrf()) and any(c.name == "sessionid" for c in self.cookies)


class User:
    """A member of staff of one scope: a session as themselves and one in the admin (baseline)."""

    def __init__(self, base: str, role: str, username: str):
        self.role = role
        self.own = Browser(base, username)
        self.admin = Browser(base, "admin")


def scope_data() -> dict:
    """Per role: its username, cases to open, projects to filter on, phones to search, and the
    admin changelist's filter for the same scope."""
    from django.contrib.auth import get_user_model

    from bench.generate import SCOPE_USERS
    from complaints.models import Category, State
    from complaints.selectors import complaints_for
    from crm.scopes import visible_project_ids

    data = {"category": Category.values[0], "states": [s for s in State.values if s != "archived"],
            "today": time.time()}
    for role in MIX:
        username = SCOPE_USERS.get(role, role)
        user = get_user_model().objects.select_related("profile").get(username=username)
        cases = complaints_for(user)
        step = max(1, cases.count() // 2000)
        ids = list(cases.order_by("pk").values_list("pk", flat=True)[::step]) or [0]
        projects = visible_project_ids(user)
        if role == "property_company":
            scope = f"forwarded_by_company__id__exact={user.profile.property_company_id}"
        elif projects is None:
            scope = ""
        else:
            scope = "project__id__in=" + ",".join(map(str, projects))
        phones = list(cases.exclude(phone_digits="").values_list("phone_digits", flat=True)[:500]) or ["0000"]
        if projects is None:
            from owners.models import Project

            projects = list(Project.objects.values_list("pk", flat=True))
        data[role] = {"username": username, "cases": ids, "projects": list(projects), "phones": phones,
                      "scope": scope, "last_page": max(1, -(-cases.count() // 30))}
    return data


def workload(data: dict):
    """(name, weight, roles, function(rng, scope) -> (path, admin path or None) or (path, post data))."""

    def register(rng, s):
        page = rng.randint(1, min(5, s["last_page"]))
        order = rng.choice(["", "sort=deadline&"])
        admin = f"{ADMIN}?{s['scope'] + '&' if s['scope'] else ''}{'o=&' if order else ''}p={page}"
        return f"/complaints/?{order}page={page}", admin

    def filtered(rng, s):
        start = time.strftime("%Y-%m-%d", time.localtime(data["today"] - 30 * 86400 * rng.randint(1, 6)))
        state, severity, project = (rng.choice(data["states"]), rng.choice(["major", "important", "minor"]),
                                    rng.choice(s["projects"]))
        admin = (f"{ADMIN}?state__exact={state}&severity__exact={severity}&project__id__exact={project}"
                 f"&received_at__gte={start}")
        return "/complaints/?" + urllib.parse.urlencode({
            "state": state, "severity": severity, "project": project, "received_from": start}), admin

    def search(rng, s):
        q = rng.choice(s["phones"])[-4:]
        return "/complaints/?" + urllib.parse.urlencode({"q": q}), f"{ADMIN}?{s['scope'] + '&' if s['scope'] else ''}q={q}"

    def forwarded(rng, s):
        page = rng.randint(1, min(5, s["last_page"]))
        return f"/complaints/forwarded/?page={page}", f"{ADMIN}?{s['scope']}&o=-2&p={page}"

    def case_page(rng, s):
        return f"/complaints/{rng.choice(s['cases'])}/", None

    def log_case(rng, s):
        n = rng.randrange(10**6)
        return "/complaints/new/", {
            "complainant_name": f"来电业主{n}", "complainant_phone": f"139{n:08d}", "project": rng.choice(s["projects"]),
            "kind": "complaint", "channel": "phone", "category": data["category"], "title": f"压力测试来电{n}",
            "description": "楼道灯不亮，请尽快处理。"}

    office = ("cs_supervisor", "cs_staff", "front_desk", "project_dept")
    return [("register", 40, office, register), ("filtered", 20, office, filtered), ("search", 10, office, search),
            ("case page", 25, office, case_page), ("log a case", 5, ("front_desk",), log_case),
            ("forwarded", 100, ("property_company",), forwarded)]


def run(args) -> int:
    common.setup(args)
    from django.core.cache import cache
    from django.db import connection

    from crm.demo import DEMO_PASSWORD

    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        print("load: meant for PostgreSQL and Redis (DATABASE_URL=postgres://…, REDIS_URL=redis://…)")
    data = scope_data()
    cache.clear()  # cold: no session, permission, menu or count is cached when the users arrive
    connection.close()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(args, port)
    try:
        roles = [role for role, share in MIX.items() for _ in range(max(1, round(share * args.users)))][:args.users]
        users = [User(base, role, data[role]["username"]) for role in roles]
        browsers = [b for user in users for b in (user.own, user.admin)]
        # Fresh logins through the form, a few at a time (each hashes the password: a hundred at
        # once would only queue behind each other); not timed.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2 * args.workers) as pool:
            list(pool.map(lambda b: b.login(DEMO_PASSWORD), browsers))
        if not all(b.logged_in for b in browsers):
            raise SystemExit("some users could not log in")
        actions = workload(data)
        timings, errors = defaultdict(list), defaultdict(list)
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds

        def work(index, user):
            rng = random.Random(index)
            mine = [a for a in actions if user.role in a[2]]
            weights = [weight for _, weight, _, _ in mine]
            turn = index % 2  # every other register page is the admin's, starting with ours or theirs
            scope = data[user.role]
            while time.monotonic() < stop_at:
                name, _, _, make = rng.choices(mine, weights=weights)[0]
                path, extra = make(rng, scope)
                post = extra if isinstance(extra, dict) else None
                browser = user.own
                if isinstance(extra, str):  # a register page: ours, or the admin changelist
                    turn ^= 1
                    if turn:
                        name, path, browser = f"{name} (admin)", extra, user.admin
                started = time.perf_counter()
                try:
                    if post is not None:
                        browser.request(path)  # the form page, as the front desk opens it
                        post["csrfmiddlewaretoken"] = browser.csrf()
                    status, url, _ = browser.request(path, post)
                    ok = status == 200 and LOGIN_PATH not in url and "/login/" not in url
                    problem = "" if ok else f"{status} {url}"
                except Exception as exc:  # noqa: BLE001 - every failure is counted, not raised
                    problem = f"{type(exc).__name__}: {exc}"
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    timings[name].append(elapsed)
                    if problem:
                        errors[name].append(problem)
                if args.think:
                    time.sleep(rng.uniform(0, 2 * args.think))

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

    every = [t for values in timings.values() for t in values]
    total_errors = sum(len(v) for v in errors.values())
    print(f"load: {connection.vendor}{' + Redis' if os.environ.get('REDIS_URL') else ''}, {args.size[0]:,} cases, "
          f"{len(users)} users ({', '.join(f'{r} {roles.count(r)}' for r in MIX)}), {args.workers} gunicorn "
          f"workers × {args.threads} threads, {elapsed:.0f} s, {args.think:g} s reading a page on average, "
          f"cold caches at start")
    print(f"{'action':<26} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    order = ["register", "register (admin)", "filtered", "filtered (admin)", "search", "search (admin)",
             "forwarded", "forwarded (admin)", "case page", "log a case"]
    names = [n for n in order if n in timings] + sorted(set(timings) - set(order))
    for name in names + ["all"]:
        values = every if name == "all" else timings[name]
        failed = total_errors if name == "all" else len(errors.get(name, ()))
        print(f"{name:<26} {len(values):>9} {len(values) / elapsed:>7.1f} {_pct(values, 50):>8.0f} "
              f"{_pct(values, 95):>8.0f} {_pct(values, 99):>8.0f} {failed:>7}")
    print(f"throughput: {len(every) / elapsed:.1f} requests/s; errors: {total_errors}")
    for name, problems in errors.items():
        print(f"  {name}: {problems[0]} (×{len(problems)})")
    worse = []
    for name in ("register", "filtered", "search", "forwarded"):
        if timings.get(name) and timings.get(f"{name} (admin)"):
            ours, theirs = _pct(timings[name], 95), _pct(timings[f"{name} (admin)"], 95)
            print(f"{name} p95 {ours:.0f} ms vs the admin changelist's {theirs:.0f} ms: "
                  f"{'no worse' if ours <= theirs else 'WORSE'} (target: no worse)")
            if name == "register" and ours > theirs:
                worse.append(name)
    return 1 if total_errors or worse else 0


def _pct(values, percent) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


if __name__ == "__main__":
    common.bootstrap()
    sys.exit(run(parse_args()))
