"""A deterministic benchmark data set that looks like years of use: projects (most of them
still before their close-out, so that the project department has cases), property companies
appointed to them, buildings, units, customers, ownerships, cases in realistic states and
severities with their SLA clocks, history rows and timeline, one user per scope, and
notifications (read and unread) spread over the staff.

    python -m bench.generate              # 100,000 cases, 50,000 customers, 20 projects, 1,000,000 notifications
    python -m bench.generate --quick      # 10,000 cases, 100,000 notifications
    python -m bench.generate --cases 30000

The database is whatever ``DATABASE_URL`` says; by default the separate SQLite file
``var/bench.sqlite3`` (never the development database).

Everything is written with ``bulk_create`` (batches of 2,000), NOT through the services:
registering 100,000 cases one by one through ``complaint_register`` and the workflow would
take hours. The rows are the ones the services would write (numbers from the same
``crm.Sequence`` counters, clocks from the same SLA rules on the working calendar,
``next_deadline`` denormalised the same way, one timeline entry per step, simple-history
rows with a user), so every page shows them as it shows real cases. Disposal plans and
their approval requests are not generated: the plan states show no plan versions.
"""
from __future__ import annotations

import datetime as dt
import random
import time
from contextlib import contextmanager
from decimal import Decimal

from bench.inserter import BATCH, Inserter
from bench.texts import (
    CHANNELS, DETOURS, GIVEN, KINDS, LONG_ORDER, PROJECT_NAMES, SEVERITIES, SHORT_ORDER, STEP_TEXT, STORED_STATE,
    SURNAMES, TITLES, case_text, pick,
)

SEED = 42

OPEN_SHARE = 0.7
NOTIFICATIONS_PER_CASE = 10
EXTRA_STAFF = 60  # staff besides the demo users, among whom the notifications are spread
# The user of each scope the page benchmarks measure (role -> username). cs_supervisor is the
# demo user (every project); the others are made here with the demo password:
# - project_dept: the first half of the projects (all of them open), as a project department
#   with 10 of 20 projects;
# - cs_staff: the second half assigned. Its scope is every project all the same (crm.scopes:
#   the customer-affairs roles serve every project); it is measured as the issue asks;
# - property_company: the first property company, which forwarded a tenth of its projects' cases.
SCOPE_USERS = {"cs_supervisor": "cs_supervisor", "project_dept": "bench_project_dept",
               "cs_staff": "bench_cs_staff", "property_company": "bench_property"}


DATASET_VERSION = 3  # v2: open projects, property companies, scope users, notifications; v3: case texts, search documents


def marker_key(cases: int, customers: int, projects: int, seed: int = SEED, notifications: int | None = None) -> str:
    if notifications is None:
        notifications = cases * NOTIFICATIONS_PER_CASE
    return f"bench:v{DATASET_VERSION}:{cases}:{customers}:{projects}:{notifications}:{seed}"


def marker_present(cases: int, customers: int, projects: int, seed: int = SEED, notifications: int | None = None
                   ) -> bool:
    from django.db.utils import OperationalError, ProgrammingError

    from crm.models import Sequence

    try:
        return Sequence.objects.filter(key=marker_key(cases, customers, projects, seed, notifications)).exists()
    except (OperationalError, ProgrammingError):
        return False


@contextmanager
def _keep_given_times(*fields):
    """bulk_create would stamp auto_now_add fields with 'now'; the data set needs its own times."""
    saved = [(f, f.auto_now_add) for f in fields]
    for f, _ in saved:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in saved:
            f.auto_now_add = value


def _reserve(key: str, n: int) -> int:
    """Take ``n`` consecutive values of a sequence; returns the first."""
    from django.db.models import F

    from crm.models import Sequence

    Sequence.objects.get_or_create(key=key, defaults={"value": 0})
    Sequence.objects.filter(key=key).update(value=F("value") + n)
    return Sequence.objects.get(key=key).value - n + 1


def _history_rows(model, objs, *, date_of, user_id, history_type="+"):
    """simple-history rows for bulk-created objects (what ``save()`` would have written)."""
    hmodel = model.history.model
    names = [f.attname for f in model._meta.concrete_fields]
    return [hmodel(**{n: getattr(o, n) for n in names}, history_date=date_of(o), history_type=history_type,
                   history_user_id=user_id, history_change_reason="bench") for o in objs]


def _ensure_users(log):
    """Roles, rules and one user per role (the demo users, not the demo records)."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from crm.demo import load_users

    if not Group.objects.filter(name="cs_supervisor").exists():
        call_command("setup_roles", verbosity=0)
    load_users(log)


def _scope_users(project_ids, company_ids, log) -> dict[str, int]:
    """The users of the scoped benchmarks (SCOPE_USERS) and EXTRA_STAFF more staff, with the demo
    password (hashed once); returns username -> id of every staff user that gets notifications."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from crm.demo import DEMO_PASSWORD
    from crm.models import Department, StaffProfile
    from crm.roles import Role

    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    departments = dict(Department.objects.values_list("code", "pk"))
    groups = dict(Group.objects.values_list("name", "pk"))
    half = max(1, len(project_ids) // 2)
    staff_roles = [Role.FRONT_DESK, Role.CS_STAFF, Role.CS_SUPERVISOR, Role.MANAGER, Role.PROJECT_DEPT]
    wanted = {  # username -> (role, department code, projects, property company)
        SCOPE_USERS["project_dept"]: (Role.PROJECT_DEPT, "project", project_ids[:half], None),
        SCOPE_USERS["cs_staff"]: (Role.CS_STAFF, "customer-affairs", project_ids[half:], None),
        SCOPE_USERS["property_company"]: (Role.PROPERTY_COMPANY, "", [], company_ids[0]),
        **{f"bench_staff_{i + 1:03d}": (staff_roles[i % len(staff_roles)],
                                        "project" if staff_roles[i % len(staff_roles)] == Role.PROJECT_DEPT
                                        else "customer-affairs", [], None) for i in range(EXTRA_STAFF)},
    }
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    User.objects.bulk_create([User(username=name, first_name=name, email=f"{name}@bench.local", password=password)
                              for name in wanted if name not in existing])
    ids = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
    StaffProfile.objects.filter(user_id__in=ids.values()).delete()
    profiles = StaffProfile.objects.bulk_create([
        StaffProfile(user_id=ids[name], role=role, department_id=departments.get(dept), property_company_id=company)
        for name, (role, dept, _, company) in wanted.items()])
    Through = StaffProfile.projects.through
    Through.objects.bulk_create([Through(staffprofile_id=profile.pk, project_id=project)
                                 for profile, (_, _, projects, _) in zip(profiles, wanted.values())
                                 for project in projects])
    Membership = User.groups.through
    Membership.objects.filter(user_id__in=ids.values()).delete()
    Membership.objects.bulk_create([Membership(user_id=ids[name], group_id=groups[role])
                                    for name, (role, _, _, _) in wanted.items()])
    log(f"bench: {len(wanted)} staff users ({', '.join(SCOPE_USERS.values())} and {EXTRA_STAFF} more)")
    return ids


def _notifications(ins, count: int, *, rng, now, recipients, cases, log) -> int:
    """``count`` notifications over three years (more recent ones more often), each to one of
    ``recipients`` (user ids, repeated for weight) about one of ``cases`` ((id, number) pairs):
    everything older than two weeks read, half of the newer ones unread; all delivered but the
    last hour's."""
    span_minutes = 3 * 365 * 24 * 60
    times = sorted((now - dt.timedelta(minutes=1 + int(rng.random() ** 2 * span_minutes)) for _ in range(count)))
    kinds = [("warn", "时限预警", "warning"), ("breach", "时限超时", "danger"), ("handler", "指派处理", "info"),
             ("severity", "界定结果", "info"), ("visit", "待回访", "info")]
    read_before, pending_after = now - dt.timedelta(days=14), now - dt.timedelta(hours=1)
    for n, created in enumerate(times):
        case_id, number = cases[rng.randrange(len(cases))] if cases else (0, "")
        stage, label, level = kinds[rng.randrange(len(kinds))]
        read = created < read_before or rng.random() < 0.5
        delivered = created < pending_after
        ins.add(recipient_id=recipients[rng.randrange(len(recipients))], title=f"{label}：{number}",
                body="", url=f"/complaints/{case_id}/" if case_id else "", level=level,
                dedupe_key=f"bench:{stage}:{case_id}:{n}", created_at=created,
                read_at=created + dt.timedelta(minutes=rng.randrange(1, 3 * 24 * 60)) if read else None,
                delivered_at=created + dt.timedelta(minutes=1) if delivered else None,
                attempts=1 if delivered else 0, last_error="")
    written = ins.finish()
    log(f"bench: {written:,} notifications")
    return written


def generate(cases: int = 100_000, customers: int = 50_000, projects: int = 20, seed: int = SEED, log=print,
             notifications: int | None = None) -> dict:
    """Write the data set into the current database (raw bulk inserts, deterministic for a seed).
    ``notifications``: how many (default NOTIFICATIONS_PER_CASE per case)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from complaints import sla
    from complaints.models import NUMBER_PREFIX, Channel, Complaint, Kind, SlaClock, SlaRule, TimelineEntry
    from crm.calendar import calendar
    from crm.models import Department, Notification, Sequence
    from crm.rules import rule
    from owners.models import Building, Customer, Ownership, Project, Unit
    from property_liaison.models import PropertyAppointment, PropertyCompany

    if notifications is None:
        notifications = cases * NOTIFICATIONS_PER_CASE
    rng = random.Random(seed)
    words = random.Random(seed + 1)  # the descriptions' own stream: the rest stays as it was for a seed
    _ensure_users(log)
    users = {u.username: u.pk for u in get_user_model().objects.filter(
        username__in=["front_desk", "cs_staff", "cs_supervisor", "manager", "admin"])}
    dept = Department.objects.filter(code="customer-affairs").values_list("pk", flat=True).first()
    rules = {r.code: r for r in SlaRule.objects.all()}
    if not rules:
        for spec in sla.DEFAULT_RULES:
            SlaRule.objects.update_or_create(code=spec.code, defaults={
                "name": spec.name, "amount": spec.amount, "unit": spec.unit, "working_time": spec.working_time})
        rules = {r.code: r for r in SlaRule.objects.all()}
    cal = calendar()
    warn_percent = rule("complaints.sla_warn_percent")
    now = timezone.now().replace(second=0, microsecond=0)
    tz = timezone.get_current_timezone()
    admin_id = users["admin"]
    kind_label, channel_label = dict(Kind.choices), dict(Channel.choices)

    with transaction.atomic():
        # --- projects, buildings, units -------------------------------------------------------
        tag = rng.randrange(10**6)
        ins = {m: Inserter(m) for m in (Project, Building, Unit, Customer, Customer.history.model, Ownership,
                                          Complaint, Complaint.history.model, SlaClock, TimelineEntry)}
        project_ids = []
        today = timezone.localdate()
        open_projects = max(1, round(projects * OPEN_SHARE))
        for i in range(projects):
            name = PROJECT_NAMES[i % len(PROJECT_NAMES)] + (f"{i // len(PROJECT_NAMES) + 1}期" if i >= 20 else "")
            closeout = (today + dt.timedelta(days=60 + rng.randrange(900)) if i < open_projects
                        else dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(1500)))
            project_ids.append(ins[Project].add(
                code=f"bench-{tag}-{i + 1:02d}", name=f"{name}（基准{tag}）", address=f"测试市{name}路{i + 1}号",
                closeout_date=closeout,
                first_movein_date=dt.date(2019, 6, 1) + dt.timedelta(days=rng.randrange(1500))))
        ins[Project].finish()
        # Property companies, each appointed to every n-th project since 2019.
        company_ids = [PropertyCompany.objects.create(name=f"基准物业{k + 1}（{tag}）", contact="联络人").pk
                       for k in range(max(1, projects // 5))]
        company_of = {p: company_ids[i % len(company_ids)] for i, p in enumerate(project_ids)}
        PropertyAppointment.objects.bulk_create([
            PropertyAppointment(project_id=p, company_id=c, start_date=dt.date(2019, 1, 1), contract_no=f"WY-{p}")
            for p, c in company_of.items()])
        staff_ids = _scope_users(project_ids, company_ids, log)
        buildings = [(ins[Building].add(project_id=p, name=f"{b + 1}栋"), p) for p in project_ids for b in range(10)]
        ins[Building].finish()
        per_building = max(1, -(-customers // len(buildings)))
        units = []  # (unit id, project id, delivery date)
        for building_id, project_id in buildings:
            for k in range(per_building):
                floor, room = k // 4 + 1, k % 4 + 1
                delivery = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(2000))
                units.append((ins[Unit].add(
                    project_id=project_id, building_id=building_id, number=f"{floor}{room:02d}", floor=floor,
                    area=Decimal(rng.randrange(6000, 16000)) / 100, layout=rng.choice(["两室一厅", "三室两厅", "四室两厅"]),
                    delivery_date=delivery), project_id, delivery))
        ins[Unit].finish()
        log(f"bench: {len(project_ids)} projects, {len(buildings)} buildings, {len(units)} units")

        # --- customers and ownerships ---------------------------------------------------------
        first_code = _reserve("customer", customers)
        owners = []  # (customer id, name, phone, unit id, project id)
        hcustomer = ins[Customer.history.model]
        for n in range(customers):
            unit_id, project_id, delivery = units[n % len(units)]
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            row = dict(
                code=f"C{first_code + n:06d}", name=name, gender=rng.choice("MF"),
                birth_date=dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(18000)),
                id_number=f"{rng.randrange(110000, 659999)}{rng.randrange(19500101, 20051231)}{rng.randrange(1000):03d}X"[:18],
                phone=f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}", email=f"owner{n}@example.cn",
                project_id=project_id, stage=rng.choice(["signed", "resident", "resident", "subscribed"]),
                source=rng.choice(["advertising", "referral", "walk_by", "exhibition", "online", "other"]),
                online=False, confidential=rng.random() < 0.01,
                created_at=now - dt.timedelta(days=rng.randrange(2000)), created_by_id=admin_id)
            customer_id = ins[Customer].add(**row)
            hcustomer.add(**row, id=customer_id, history_date=row["created_at"], history_type="+",
                          history_user_id=admin_id, history_change_reason="bench")
            ins[Ownership].add(customer_id=customer_id, unit_id=unit_id, kind="owner",
                               contract_date=delivery - dt.timedelta(days=200), movein_date=delivery)
            owners.append((customer_id, name, row["phone"], unit_id, project_id))
        for m in (Customer, Customer.history.model, Ownership):
            ins[m].finish()
        log(f"bench: {len(owners)} customers with ownerships")

        # --- cases ----------------------------------------------------------------------------
        span_minutes = 3 * 365 * 24 * 60
        plans = []
        for _ in range(cases):
            # Recent days are busier (a squared distribution over three years).
            received = now - dt.timedelta(minutes=5 + int(rng.random() ** 2 * span_minutes))
            plans.append((received, pick(rng, KINDS)))
        plans.sort(key=lambda p: p[0])
        counters = {}
        for received, kind in plans:
            key = (kind, received.astimezone(tz).year)
            counters[key] = counters.get(key, 0) + 1
        next_number = {key: _reserve(f"complaints.{key[0]}.{key[1]}", count) for key, count in counters.items()}

        fd, staff, sup, mgr = (users[u] for u in ("front_desk", "cs_staff", "cs_supervisor", "manager"))
        step_actor = {"classified": sup, "corrected": sup, "archived": sup, "plan_approved": mgr,
                      "plan_rejected": mgr, "fed_back": fd, "visited": fd, "replied": fd}
        times_cache = {}
        numbers = []  # (case id, number): what the notifications are about
        hcomplaint, clocks, timeline = ins[Complaint.history.model], ins[SlaClock], ins[TimelineEntry]

        def clock(case_id, code, start, done_at):
            """One SLA clock as clock_start() would write it; returns its deadline while it is live."""
            spec = rules[code]
            start = start.replace(minute=start.minute - start.minute % 5)  # a 5-minute grid: cached arithmetic
            key = (code, start)
            if key not in times_cache:
                times_cache[key] = sla.clock_times(cal, start, spec, warn_percent)
            times = times_cache[key]
            if done_at is not None:
                state = "met" if done_at <= times["deadline"] else "late"
            elif times["deadline"] < now:
                state = "breached"
            elif times["warn_at"] < now:
                state = "at_risk"
            else:
                state = "running"
            clocks.add(complaint_id=case_id, rule_id=spec.pk, state=state, met_at=done_at,
                       breached_at=times["deadline"] if state in ("breached", "late") else None,
                       escalation=1 if state == "breached" else 0, paused_total=dt.timedelta(0), **times)
            return times["deadline"] if state in ("running", "at_risk", "breached") else None

        for received, kind in plans:
            year = received.astimezone(tz).year
            number = f"{NUMBER_PREFIX[kind]}-{year}-{next_number[(kind, year)]:06d}"
            next_number[(kind, year)] += 1
            long = kind in ("complaint", "dispute")
            old = (now - received) > dt.timedelta(days=30)
            order = LONG_ORDER if long else SHORT_ORDER
            if old and rng.random() < (0.9 if long else 0.95):
                state = rng.choice(["closed", "archived", "archived"])
            else:
                state = rng.choice(order)
            invalid = long and state in ("closed", "archived") and rng.random() < 0.06
            customer_id, name, phone, unit_id, project_id = owners[rng.randrange(len(owners))]
            with_customer = rng.random() < 0.85
            if not with_customer:
                phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
                name = rng.choice(SURNAMES) + "先生"
            category = rng.choice(list(TITLES))
            title = rng.choice(TITLES[category])
            description = case_text(words, category, title, name)
            idx = order.index(state)
            # The steps the case went through, one timeline entry and one time each.
            t, times, steps = received, {}, []
            for s in order[1:idx + 1]:
                if s in DETOURS and s != state and not (s == "transferred" and rng.random() < 0.2):
                    continue
                if invalid and s not in ("closed", "archived", "transferred"):
                    continue
                # Most steps follow within the hour; one in five waits a day or more.
                gap = rng.randrange(5, 60) if rng.random() < 0.8 else rng.randrange(60, 60 * 30)
                t = min(t + dt.timedelta(minutes=gap), now)
                times[s] = t
                steps.append(s)
            severity, valid, classified_at = "", None, None
            if invalid:
                valid, classified_at = False, times["closed"]
            elif long and idx >= LONG_ORDER.index("classified"):
                valid, severity = True, pick(rng, SEVERITIES)
                classified_at = times.get("classified", received)
            disposed_at = times.get("executed") if long and not invalid else None
            needs_transfer = rng.random() < 0.2
            channel = pick(rng, CHANNELS)
            row = dict(
                number=number, kind=kind, channel=channel, category=category, received_at=received,
                received_by_id=fd, first_responder_id=fd, handler_id=staff if long and idx >= 2 else None,
                department_id=dept if "transferred" in times else None,
                customer_id=customer_id if with_customer else None, unit_id=unit_id if with_customer else None,
                complainant_name=name, complainant_phone=phone, phone_digits=phone, project_id=project_id,
                forwarded_by_company_id=company_of[project_id] if channel == "property" else None, event_id=None, title=title, description=description,
                needs_transfer=needs_transfer, owner_requested_by=None, promised_by=None,
                state=STORED_STATE.get(state, state), valid=valid,
                visit_state="done" if "visited" in times else ("due" if disposed_at else ""),
                invalid_reason="经核实不属于开发商责任，已向业主解释" if invalid else "", severity=severity,
                major_reason="", cause="施工质量问题" if long and "investigated" in times else "",
                responsibility="", execution_result="已处理完毕" if disposed_at else "",
                feedback_text="已电话告知处理结果" if "fed_back" in times else "", owner_opinion="",
                reply_text="已答复业主" if "replied" in times else "",
                satisfaction=rng.randint(3, 5) if "visited" in times else None,
                classified_at=classified_at, disposed_at=disposed_at, closed_at=times.get("closed"),
                next_deadline=None, created_at=received)
            # Clocks (computed before the insert: next_deadline is the earliest live deadline).
            case_id = ins[Complaint].next_id
            live = []
            if needs_transfer:
                done = None if state == "registered" else (
                    times.get("transferred") or received + dt.timedelta(minutes=3 + case_id % 12))
                live.append(clock(case_id, sla.TRANSFER, received, done))
            if kind == Kind.NEED:
                live.append(clock(case_id, sla.NEED_REPLY, received, times.get("replied") or times.get("closed")))
            if severity:
                for code in sla.SEVERITY_RULES[severity]:
                    live.append(clock(case_id, code, classified_at, disposed_at))
            if disposed_at:
                live.append(clock(case_id, sla.FEEDBACK, disposed_at, times.get("fed_back")))
                live.append(clock(case_id, sla.RETURN_VISIT, disposed_at, times.get("visited")))
            live = [d for d in live if d is not None]
            row["next_deadline"] = min(live) if live else None
            assert ins[Complaint].add(**row) == case_id
            numbers.append((case_id, number))
            timeline.add(complaint_id=case_id, at=received, actor_id=fd, kind="register",
                         text=f"受理登记：{kind_label[kind]}，{channel_label[row['channel']]}，{title}")
            for s in steps:
                name_, label = STEP_TEXT[s]
                timeline.add(complaint_id=case_id, at=times[s], actor_id=step_actor.get(s, staff), kind=name_,
                             text=label)
            hcomplaint.add(**{**row, "state": "registered", "severity": "", "valid": None, "classified_at": None,
                              "disposed_at": None, "closed_at": None, "handler_id": None, "department_id": None},
                           id=case_id, history_date=received, history_type="+", history_user_id=fd,
                           history_change_reason="bench")
            if steps:
                hcomplaint.add(**row, id=case_id, history_date=times[steps[-1]], history_type="~",
                               history_user_id=step_actor.get(steps[-1], staff), history_change_reason="bench")
        stats = {"projects": len(project_ids), "open_projects": open_projects, "customers": len(owners)}
        for model, key in ((Complaint, "cases"), (SlaClock, "clocks"), (TimelineEntry, "timeline"),
                           (Complaint.history.model, "history")):
            stats[key] = ins[model].finish()
        log(f"bench: {stats['cases']:,} cases, {stats['timeline']:,} timeline entries, "
            f"{stats['history']:,} history rows")
        # --- notifications, spread over the staff (the demo and scope users get more each) -----
        users = {**users, **staff_ids}
        weighty = [u for name, u in users.items() if not name.startswith("bench_staff_") and name != "admin"]
        recipients = weighty * 5 + [u for name, u in users.items() if name.startswith("bench_staff_")]
        stats["notifications"] = _notifications(Inserter(Notification), notifications, rng=rng, now=now,
                                                recipients=recipients, cases=numbers, log=log)
        # The rows went in raw (no post-save hook): their search documents are built here, as
        # after any bulk load (manage.py rebuild_search).
        from crm import search

        started = time.perf_counter()
        stats["search_documents"] = search.rebuild(Complaint, chunk=5000) + search.rebuild(Customer, chunk=5000)
        log(f"bench: {stats['search_documents']:,} search documents in {time.perf_counter() - started:.0f} s")
        Sequence.objects.update_or_create(key=marker_key(cases, customers, projects, seed, notifications),
                                          defaults={"value": 1})
    if connection.vendor == "postgresql":
        # What autovacuum would do within the hour: statistics for the planner and the visibility
        # map that lets index-only scans (the register's order walks) skip the table.
        # VACUUM cannot run inside a transaction (a test's, or a caller's atomic block): there
        # only the statistics are refreshed, which ANALYZE may do inside one.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    log(f"bench: {stats}")
    return stats


def add_long_history(complaint, *, history: int = 200, events: int = 50) -> None:
    """Give one case ``history`` more history rows and ``events`` more timeline entries (the
    case-page benchmark and its query-count test: the page must not cost more for it)."""
    from complaints.models import Complaint, TimelineEntry

    user_id = complaint.received_by_id
    hmodel = Complaint.history.model
    names = [f.attname for f in Complaint._meta.concrete_fields]
    base = complaint.received_at
    rows = []
    for i in range(history):
        row = {n: getattr(complaint, n) for n in names}
        row["title"] = f"{complaint.title}（修改{i + 1}）"
        rows.append(hmodel(**row, history_date=base + dt.timedelta(minutes=i + 1), history_type="~",
                           history_user_id=user_id, history_change_reason="bench"))
    hmodel.objects.bulk_create(rows, batch_size=BATCH)
    with _keep_given_times(TimelineEntry._meta.get_field("at")):
        TimelineEntry.objects.bulk_create([
            TimelineEntry(complaint_id=complaint.pk, at=base + dt.timedelta(minutes=i + 1), actor_id=user_id,
                          kind="note", text=f"跟进记录 {i + 1}") for i in range(events)], batch_size=BATCH)


def main(argv=None) -> None:
    from bench.common import parse_args, setup

    setup(parse_args(argv, description="Generate the benchmark data set (rebuilt when its size differs)."))


if __name__ == "__main__":
    main()
