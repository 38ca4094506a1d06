"""A deterministic benchmark data set: projects, buildings, units, customers, ownerships and
cases in realistic states and severities, with their SLA clocks, history rows and timeline.

    python -m bench.generate              # 100,000 cases, 50,000 customers, 20 projects
    python -m bench.generate --quick      # 10,000 cases
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
from contextlib import contextmanager
from decimal import Decimal

BATCH = 2000
SEED = 42

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰春梅海燕子涵雨欣浩宇思远佳怡晨"
PROJECT_NAMES = ["阳光花园", "翠湖天地", "金色家园", "滨江一号", "紫荆苑", "锦绣华庭", "御景湾", "香樟林",
                 "海棠湾", "云顶山庄", "明珠广场", "星河湾", "和平里", "东方名城", "书香门第", "碧水蓝天",
                 "枫丹白露", "龙湖春江", "世纪花城", "万象新天"]
TITLES = {
    "repairs": ["卫生间漏水", "入户门关不严", "墙面开裂", "窗户渗水"],
    "cleaning": ["楼道垃圾未清", "电梯厅卫生差"],
    "security": ["门禁失灵", "陌生人进入小区"],
    "greening": ["绿化带枯死", "树枝遮挡窗户"],
    "equipment": ["电梯频繁故障", "地库照明不亮", "供水压力低"],
    "quality": ["外墙渗水", "地面空鼓", "屋面防水失效"],
    "attitude": ["物业前台态度差", "维修工服务不规范"],
    "fees": ["物业费计费有误", "停车费争议"],
    "other": ["噪音扰民", "快递投放问题"],
}
KINDS = [("complaint", 60), ("dispute", 5), ("need_suggestion", 20), ("enquiry", 10), ("praise", 5)]
CHANNELS = [("phone", 45), ("walk_in", 20), ("email", 5), ("letter", 2), ("online", 15), ("forum", 3),
            ("property", 10)]
SEVERITIES = [("minor", 60), ("important", 30), ("major", 10)]
# The long workflow in order; detours (rejected plan, failed negotiation) only as current states.
LONG_ORDER = ["registered", "transferred", "classified", "investigated", "plan_pending", "plan_rejected",
              "plan_approved", "negotiation_failed", "agreed", "executed", "fed_back", "correcting", "corrected",
              "visited", "closed", "archived"]
DETOURS = {"plan_rejected", "negotiation_failed", "transferred"}
SHORT_ORDER = ["registered", "transferred", "replied", "closed", "archived"]
STEP_TEXT = {
    "transferred": ("transfer", "转交责任部门"), "classified": ("classify_valid", "界定为有效投诉"),
    "investigated": ("investigate", "调查与分析"), "plan_pending": ("submit_plan", "提交处置方案"),
    "plan_rejected": ("reject_plan", "驳回方案"), "plan_approved": ("approve_plan", "批准方案"),
    "negotiation_failed": ("negotiate_fail", "磋商未达成"), "agreed": ("negotiate_agree", "磋商达成一致"),
    "executed": ("execute", "处置并检查结果"), "fed_back": ("feedback", "反馈业主"),
    "correcting": ("send_correction", "发出纠正和预防措施"), "corrected": ("verify_correction", "验证纠正措施"),
    "visited": ("return_visit", "回访"), "closed": ("close", "关闭"), "archived": ("archive", "资料归档"),
    "replied": ("reply", "答复业主"),
}


def _pick(rng: random.Random, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def marker_key(cases: int, customers: int, projects: int, seed: int = SEED) -> str:
    return f"bench:{cases}:{customers}:{projects}:{seed}"


def marker_present(cases: int, customers: int, projects: int, seed: int = SEED) -> bool:
    from django.db.utils import OperationalError, ProgrammingError

    from crm.models import Sequence

    try:
        return Sequence.objects.filter(key=marker_key(cases, customers, projects, seed)).exists()
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


def generate(cases: int = 100_000, customers: int = 50_000, projects: int = 20, seed: int = SEED, log=print) -> dict:
    """Write the data set into the current database (bulk, deterministic for a seed)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from complaints import sla
    from complaints.models import Complaint, SlaClock, SlaRule, TimelineEntry
    from crm.calendar import calendar
    from crm.models import Department, Sequence
    from crm.rules import rule
    from owners.models import Building, Customer, Ownership, Project, Unit

    rng = random.Random(seed)
    _ensure_users(log)
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["front_desk", "cs_staff", "cs_supervisor", "manager", "admin"])}
    dept = Department.objects.filter(code="customer-affairs").first()
    rules = {r.code: r for r in SlaRule.objects.all()}
    if not rules:
        from complaints.sla import DEFAULT_RULES

        for spec in DEFAULT_RULES:
            SlaRule.objects.update_or_create(code=spec.code, defaults={
                "name": spec.name, "amount": spec.amount, "unit": spec.unit, "working_time": spec.working_time,
                "extension_role": spec.extension_role})
        rules = {r.code: r for r in SlaRule.objects.all()}
    cal = calendar()
    warn_percent = rule("complaints.sla_warn_percent")
    now = timezone.now().replace(second=0, microsecond=0)
    tz = timezone.get_current_timezone()
    admin_id = users["admin"].pk
    stats = {}

    with transaction.atomic(), _keep_given_times(Complaint._meta.get_field("created_at"),
                                                 TimelineEntry._meta.get_field("at"),
                                                 Customer._meta.get_field("created_at")):
        # --- projects, buildings, units -------------------------------------------------------
        tag = rng.randrange(10**6)
        project_objs = []
        for i in range(projects):
            name = PROJECT_NAMES[i % len(PROJECT_NAMES)] + (f"{i // len(PROJECT_NAMES) + 1}期" if i >= 20 else "")
            project_objs.append(Project(
                code=f"bench-{tag}-{i + 1:02d}", name=f"{name}（基准{tag}）", address=f"测试市{name}路{i + 1}号",
                closeout_date=dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(1500)),
                first_movein_date=dt.date(2019, 6, 1) + dt.timedelta(days=rng.randrange(1500))))
        project_objs = Project.objects.bulk_create(project_objs, batch_size=BATCH)
        buildings_per = 10
        building_objs = Building.objects.bulk_create(
            [Building(project=p, name=f"{b + 1}栋") for p in project_objs for b in range(buildings_per)],
            batch_size=BATCH)
        per_building = max(1, -(-customers // len(building_objs)))
        unit_objs = []
        for b in building_objs:
            for k in range(per_building):
                floor, room = k // 4 + 1, k % 4 + 1
                unit_objs.append(Unit(
                    project_id=b.project_id, building=b, number=f"{floor}{room:02d}", floor=floor,
                    area=Decimal(rng.randrange(6000, 16000)) / 100, layout=rng.choice(["两室一厅", "三室两厅", "四室两厅"]),
                    delivery_date=dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(2000))))
        unit_objs = Unit.objects.bulk_create(unit_objs, batch_size=BATCH)
        log(f"bench: {len(project_objs)} projects, {len(building_objs)} buildings, {len(unit_objs)} units")

        # --- customers and ownerships ---------------------------------------------------------
        first_code = _reserve("customer", customers)
        customer_objs = []
        for n in range(customers):
            unit = unit_objs[n % len(unit_objs)]
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            customer_objs.append(Customer(
                code=f"C{first_code + n:06d}", name=name, gender=rng.choice("MF"),
                birth_date=dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(18000)),
                id_number=f"{rng.randrange(110000, 659999)}{rng.randrange(19500101, 20051231)}{rng.randrange(1000):03d}X"[:18],
                phone=f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}", email=f"owner{n}@example.cn",
                project_id=unit.project_id, stage=rng.choice(["signed", "resident", "resident", "subscribed"]),
                source=rng.choice(["advertising", "referral", "walk_by", "exhibition", "online", "other"]),
                confidential=rng.random() < 0.01,
                created_at=now - dt.timedelta(days=rng.randrange(2000)), created_by_id=admin_id))
        customer_objs = Customer.objects.bulk_create(customer_objs, batch_size=BATCH)
        owner_unit = {}
        ownerships = []
        for c, unit in zip(customer_objs, (unit_objs[n % len(unit_objs)] for n in range(customers))):
            owner_unit[c.pk] = unit
            ownerships.append(Ownership(customer=c, unit=unit, kind="owner",
                                        contract_date=unit.delivery_date - dt.timedelta(days=200),
                                        movein_date=unit.delivery_date))
        Ownership.objects.bulk_create(ownerships, batch_size=BATCH)
        Customer.history.model.objects.bulk_create(
            _history_rows(Customer, customer_objs, date_of=lambda o: o.created_at, user_id=admin_id),
            batch_size=BATCH)
        log(f"bench: {len(customer_objs)} customers with ownerships")

        # --- cases ----------------------------------------------------------------------------
        span_days = 3 * 365
        plans = []
        for n in range(cases):
            # Recent days are busier; a few cases are registered in the next hours' past minutes.
            age = dt.timedelta(minutes=int(rng.random() ** 2 * span_days * 24 * 60))
            received = now - age - dt.timedelta(minutes=5)
            kind = _pick(rng, KINDS)
            plans.append((received, kind))
        plans.sort(key=lambda p: p[0])
        counters = {}
        for received, kind in plans:
            year = received.astimezone(tz).year
            counters[(kind, year)] = counters.get((kind, year), 0) + 1
        firsts = {key: _reserve(f"complaints.{key[0]}.{key[1]}", count) for key, count in counters.items()}
        taken = {key: 0 for key in counters}

        fd, staff, sup, mgr = (users[u] for u in ("front_desk", "cs_staff", "cs_supervisor", "manager"))
        step_actor = {"classified": sup, "corrected": sup, "archived": sup, "plan_approved": mgr,
                      "plan_rejected": mgr, "fed_back": fd, "visited": fd, "replied": fd}
        from complaints.models import NUMBER_PREFIX

        complaint_objs, meta = [], []
        for received, kind in plans:
            year = received.astimezone(tz).year
            seq = firsts[(kind, year)] + taken[(kind, year)]
            taken[(kind, year)] += 1
            long = kind in ("complaint", "dispute")
            old = (now - received) > dt.timedelta(days=30)
            if long:
                if old and rng.random() < 0.9:
                    state = rng.choice(["closed", "archived", "archived"])
                else:
                    state = rng.choice(LONG_ORDER)
                invalid = state in ("closed", "archived") and rng.random() < 0.06
            else:
                state = rng.choice(["closed", "archived"]) if old and rng.random() < 0.95 \
                    else rng.choice(SHORT_ORDER)
                invalid = False
            with_customer = rng.random() < 0.85
            customer = customer_objs[rng.randrange(len(customer_objs))]
            unit = owner_unit[customer.pk]
            category = rng.choice(list(TITLES))
            title = rng.choice(TITLES[category])
            phone = customer.phone if with_customer else f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
            name = customer.name if with_customer else rng.choice(SURNAMES) + "先生"
            idx = LONG_ORDER.index(state) if long else SHORT_ORDER.index(state)
            valid = severity = None
            classified_at = disposed_at = closed_at = None
            t = received
            times = {}
            order = LONG_ORDER if long else SHORT_ORDER
            steps = []
            for s in order[1:idx + 1]:
                if s in DETOURS and s != state and not (s == "transferred" and rng.random() < 0.2):
                    continue
                if invalid and s not in ("closed", "archived"):
                    if s != "transferred":
                        continue
                t = min(t + dt.timedelta(minutes=rng.randrange(20, 60 * 30)), now)
                times[s] = t
                steps.append(s)
            if invalid:
                valid, classified_at = False, times.get("closed")
            elif long and idx >= LONG_ORDER.index("classified"):
                valid = True
                severity = _pick(rng, SEVERITIES)
                classified_at = times.get("classified", received)
            if long and not invalid and idx >= LONG_ORDER.index("executed"):
                disposed_at = times.get("executed")
            if state in ("closed", "archived"):
                closed_at = times["closed"]
            c = Complaint(
                number=f"{NUMBER_PREFIX[kind]}-{year}-{seq:06d}", kind=kind, channel=_pick(rng, CHANNELS),
                category=category, received_at=received, received_by=fd, first_responder=fd,
                handler=staff if long and idx >= 2 else None, department=dept if "transferred" in times else None,
                customer=customer if with_customer else None, unit=unit if with_customer else None,
                complainant_name=name, complainant_phone=phone, phone_digits=phone,
                project_id=unit.project_id if with_customer else customer.project_id,
                title=title, description=f"{name}反映：{title}，请尽快处理。", needs_transfer=rng.random() < 0.2,
                state=state, valid=valid, invalid_reason="经核实不属于开发商责任，已向业主解释" if invalid else "",
                severity=severity or "", cause="施工质量问题" if idx >= 3 and long else "",
                execution_result="已处理完毕" if disposed_at else "",
                reply_text="已答复业主" if not long and "replied" in times else "",
                satisfaction=rng.randint(3, 5) if "visited" in times else None,
                classified_at=classified_at, disposed_at=disposed_at, closed_at=closed_at,
                created_at=received,
            )
            complaint_objs.append(c)
            meta.append((steps, times, step_actor))
        for start in range(0, len(complaint_objs), BATCH):
            Complaint.objects.bulk_create(complaint_objs[start:start + BATCH])
        log(f"bench: {len(complaint_objs)} cases")

        # --- clocks, timeline, history -----------------------------------------------------------
        clock_objs, timeline_objs, history_objs = [], [], []
        hmodel = Complaint.history.model
        names = [f.attname for f in Complaint._meta.concrete_fields]
        times_cache = {}

        def clock(c, code, start, done_at=None):
            spec = rules[code]
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
            clock_objs.append(SlaClock(
                complaint_id=c.pk, rule=spec, state=state, met_at=done_at,
                breached_at=times["deadline"] if state in ("breached", "late") else None,
                escalation={"breached": 1}.get(state, 0), **times))
            return times["deadline"] if state in ("running", "at_risk", "breached") else None

        def flush(final=False):
            if final or len(clock_objs) >= BATCH * 5:
                SlaClock.objects.bulk_create(clock_objs, batch_size=BATCH)
                stats["clocks"] = stats.get("clocks", 0) + len(clock_objs)
                clock_objs.clear()
            if final or len(timeline_objs) >= BATCH * 5:
                TimelineEntry.objects.bulk_create(timeline_objs, batch_size=BATCH)
                stats["timeline"] = stats.get("timeline", 0) + len(timeline_objs)
                timeline_objs.clear()
            if final or len(history_objs) >= BATCH * 5:
                hmodel.objects.bulk_create(history_objs, batch_size=BATCH)
                stats["history"] = stats.get("history", 0) + len(history_objs)
                history_objs.clear()

        deadlines = {}
        for c, (steps, times, actors) in zip(complaint_objs, meta):
            # Clock starts on a 5-minute grid so that the working-calendar arithmetic is cached.
            def grid(t):
                return t.replace(minute=t.minute - t.minute % 5)

            live = []
            if c.needs_transfer:
                # Still waiting for the transfer, or transferred (on time or late) by then.
                done = None if c.state == "registered" else (
                    times.get("transferred") or c.received_at + dt.timedelta(minutes=3 + c.pk % 12))
                live.append(clock(c, sla.TRANSFER, grid(c.received_at), done_at=done))
            if c.kind == "need_suggestion":
                done = times.get("replied") or times.get("closed")
                live.append(clock(c, sla.NEED_REPLY, grid(c.received_at), done_at=done))
            if c.severity:
                start = grid(c.classified_at)
                for code in sla.SEVERITY_RULES[c.severity]:
                    live.append(clock(c, code, start, done_at=c.disposed_at))
            if c.disposed_at:
                done = times.get("visited")
                live.append(clock(c, sla.RETURN_VISIT, grid(c.disposed_at), done_at=done))
            live = [d for d in live if d is not None]
            if live:
                deadlines[c.pk] = min(live)
            timeline_objs.append(TimelineEntry(
                complaint_id=c.pk, at=c.received_at, actor=fd, kind="register",
                text=f"受理登记：{c.get_kind_display()}，{c.get_channel_display()}，{c.title}"))
            for s in steps:
                name, label = STEP_TEXT[s]
                timeline_objs.append(TimelineEntry(complaint_id=c.pk, at=times[s], actor=actors.get(s, staff),
                                                   kind=name, text=label))
            row = {n: getattr(c, n) for n in names}
            history_objs.append(hmodel(**{**row, "state": "registered", "severity": "", "valid": None,
                                          "classified_at": None, "disposed_at": None, "closed_at": None,
                                          "handler_id": None, "department_id": None},
                                       history_date=c.received_at, history_type="+", history_user_id=fd.pk))
            if steps:
                history_objs.append(hmodel(**row, history_date=times[steps[-1]], history_type="~",
                                           history_user_id=actors.get(steps[-1], staff).pk))
            flush()
        flush(final=True)
        # next_deadline as refresh_next_deadline() would set it, in batches of one value per update.
        by_deadline = {}
        for pk, deadline in deadlines.items():
            by_deadline.setdefault(deadline, []).append(pk)
        for deadline, pks in by_deadline.items():
            for start in range(0, len(pks), 500):
                Complaint.objects.filter(pk__in=pks[start:start + 500]).update(next_deadline=deadline)
        Sequence.objects.update_or_create(key=marker_key(cases, customers, projects, seed), defaults={"value": 1})
    stats.update(projects=len(project_objs), customers=len(customer_objs), cases=len(complaint_objs))
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
    from bench.common import bootstrap, parse_args

    args = parse_args(argv, description="Generate the benchmark data set.")
    bootstrap()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    cases, customers, projects = args.size
    generate(cases=cases, customers=customers, projects=projects)


if __name__ == "__main__":
    main()
