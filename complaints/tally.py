"""The register's counts per project, kept by database triggers (issue 14 §2).

The register shows, for the user's scope, how many cases there are and how many wait in each
work queue. Counting them on every first view (every case in scope joined to its clocks) cost
more than the page; caching them per user for a minute made every user's first view of the
minute pay it. Here one row per project (``RegisterTally``) holds the counts, and triggers
change it in the very transaction that inserts, updates or deletes a case or a clock, whatever
writes it: the services, the SLA scan's and the archive job's bulk updates, the admin, a data
fix in SQL. The counts of any scope are then one sum over at most one row per project.

- The queues are declared once, below, and both the triggers and ``queue_filters`` (the lists
  behind the badges) are made from them.
- ``ensure_triggers`` installs them after every migrate (post_migrate, as Django installs
  permissions): on SQLite a migration that rebuilds a table drops its triggers, and on a fresh
  database the table must be filled once. Trigger names carry a digest of their SQL, so a
  changed definition replaces the old one and the counts are rebuilt.
- ``rebuild`` recounts everything; ``recount`` and ``stored`` let a test or an admin compare.
- Write cost: one small upsert per counted change, on the row of the case's project. On
  PostgreSQL that row is locked until the writing transaction ends, so writes to one project's
  counted fields queue behind each other for the length of a transaction (a few ms; the SLA
  scan's tick at most).
"""
from __future__ import annotations

import hashlib

from django.db import connections, transaction
from django.db.models import Q

from .models import LIVE_CLOCK_STATES, LONG_KINDS, ClockState, RegisterTally, State

TABLE = RegisterTally._meta.db_table
PREFIX = "complaints_tally_"
COLUMNS = ("total", "classify", "approve", "due", "breached", "visits")

# The queues (what each badge counts). Case queues count cases, clock queues count clocks.
CLASSIFY_STATES = (State.REGISTERED, State.TRANSFERRED)
RETURN_VISIT = "return_visit"


def queue_filters() -> dict[str, Q]:
    """The register list of each queue (on cases), the same conditions the counts use."""
    return {
        "classify": Q(state__in=CLASSIFY_STATES, kind__in=LONG_KINDS),
        "approve": Q(state=State.PLAN_PENDING),
        "due": Q(clocks__state=ClockState.AT_RISK),
        "breached": Q(clocks__state=ClockState.BREACHED),
        "visits": Q(clocks__rule__code=RETURN_VISIT, clocks__state__in=LIVE_CLOCK_STATES),
    }


def counts(project_ids=None) -> dict[str, int]:
    """The counts of these projects (None: every project), and under ``everything`` the number
    of cases in every project (what share of the cases the scope is): one query over the rows
    (one per project), summed here (cheaper to run than to build an aggregate query; written in
    SQL, as the triggers are, since building it through the ORM cost more than running it)."""
    scope = None if project_ids is None else set(project_ids)
    result = dict.fromkeys((*COLUMNS, "everything"), 0)
    with connections[RegisterTally.objects.db].cursor() as cursor:
        cursor.execute(f"SELECT project_id, {', '.join(COLUMNS)} FROM {TABLE}")
        rows = cursor.fetchall()
    for project_id, *values in rows:
        result["everything"] += values[0]
        if scope is None or project_id in scope:
            for column, value in zip(COLUMNS, values):
                result[column] += value
    return result


# --- The SQL (portable between SQLite and PostgreSQL but for the trigger wrappers) -------------


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _case(condition: str) -> str:
    return f"(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _classify(r):
    return _case(f"{r}.state IN ({_in(CLASSIFY_STATES)}) AND {r}.kind IN ({_in(LONG_KINDS)})")


def _approve(r):
    return _case(f"{r}.state = '{State.PLAN_PENDING}'")


def _due(r):
    return _case(f"{r}.state = '{ClockState.AT_RISK}'")


def _breached(r):
    return _case(f"{r}.state = '{ClockState.BREACHED}'")


def _visits(r):
    return _case(f"{r}.state IN ({_in(LIVE_CLOCK_STATES)}) AND {r}.rule_id = "
                 f"(SELECT id FROM complaints_slarule WHERE code = '{RETURN_VISIT}')")


def _clock_sums(case_id):
    return [f"(SELECT COALESCE(SUM({fn('c')}), 0) FROM complaints_slaclock c WHERE c.complaint_id = {case_id})"
            for fn in (_due, _breached, _visits)]


def _add(project, values, source="WHERE true"):
    """Add ``values`` (one per column) to ``project``'s row, creating the row if needed. (SQLite
    needs a WHERE in an INSERT … SELECT followed by ON CONFLICT.)"""
    sets = ", ".join(f"{c} = {TABLE}.{c} + excluded.{c}" for c in COLUMNS)
    return (f"INSERT INTO {TABLE} (project_id, {', '.join(COLUMNS)}) SELECT {project}, {', '.join(values)} {source} "
            f"ON CONFLICT (project_id) DO UPDATE SET {sets}")


def _subtract(project, values):
    """Take ``values`` off ``project``'s row (a row that is gone stays gone: after a flush the
    table is not refilled with negative counts)."""
    sets = ", ".join(f"{c} = {c} - {v}" for c, v in zip(COLUMNS, values) if v != "0")
    return f"UPDATE {TABLE} SET {sets} WHERE project_id = {project}"


def _case_values(r):
    return ["1", _classify(r), _approve(r), *_clock_sums(f"{r}.id")]


def _clock_values(r):
    return ["0", "0", "0", _due(r), _breached(r), _visits(r)]


def _clock_project(r):
    return f"(SELECT project_id FROM complaints_complaint WHERE id = {r}.complaint_id)"


def _clock_counted(r):
    return f"({_due(r)} + {_breached(r)} + {_visits(r)}) > 0"


_OF_CLOCK = "FROM complaints_complaint p WHERE p.id = NEW.complaint_id"

# name: (table, event, condition or None, statements). A case moved to another project takes
# its clocks' counts with it; a case's clocks are deleted before it (Django's cascade), so its
# own delete takes off what is left.
TRIGGERS = {
    "case_insert": ("complaints_complaint", "INSERT", None, [
        _add("NEW.project_id", ["1", _classify("NEW"), _approve("NEW"), "0", "0", "0"])]),
    "case_update": (
        "complaints_complaint", "UPDATE OF state, kind, project_id",
        "OLD.state <> NEW.state OR OLD.kind <> NEW.kind OR OLD.project_id <> NEW.project_id",
        [_subtract("OLD.project_id", _case_values("OLD")), _add("NEW.project_id", _case_values("NEW"))]),
    "case_delete": ("complaints_complaint", "DELETE", None, [_subtract("OLD.project_id", _case_values("OLD"))]),
    "clock_insert": ("complaints_slaclock", "INSERT", _clock_counted("NEW"), [
        _add("p.project_id", _clock_values("NEW"), _OF_CLOCK)]),
    "clock_update": (
        "complaints_slaclock", "UPDATE OF state, rule_id, complaint_id",
        "OLD.state <> NEW.state OR OLD.rule_id <> NEW.rule_id OR OLD.complaint_id <> NEW.complaint_id",
        [_subtract(_clock_project("OLD"), _clock_values("OLD")), _add("p.project_id", _clock_values("NEW"), _OF_CLOCK)]),
    "clock_delete": ("complaints_slaclock", "DELETE", _clock_counted("OLD"), [
        _subtract(_clock_project("OLD"), _clock_values("OLD"))]),
}


def _clock_changes(sign_rows: str, values) -> str:
    """The clock counts of the rows of the transition table ``sign_rows`` whose state, rule or
    case changed (joined by id to ``other``), summed per project of their case."""
    changed = "o.state <> n.state OR o.rule_id <> n.rule_id OR o.complaint_id <> n.complaint_id"
    r = "o" if sign_rows == "old_rows" else "n"
    sums = ", ".join(f"COALESCE(SUM({fn(r)}), 0)" for fn in values)
    return (f"SELECT k.project_id, {sums} FROM old_rows o JOIN new_rows n ON n.id = o.id "
            f"JOIN complaints_complaint k ON k.id = {r}.complaint_id WHERE {changed} GROUP BY k.project_id")


# On PostgreSQL a bulk update of clocks (the SLA scan changes a thousand in one statement) is
# counted once per statement, from its transition tables, instead of two statements per row:
# the same counts (what the old rows counted taken off their projects' rows that exist, what the
# new rows count added, a missing row created), in two statements whatever the number of rows.
# (A trigger with transition tables may not name columns: it runs on every update of a clock,
# and finds nothing changed when no state, rule or case did.)
_CLOCK_FNS = (_due, _breached, _visits)
STATEMENT_TRIGGERS = {
    "clock_update": ("complaints_slaclock", "UPDATE", [
        f"UPDATE {TABLE} t SET due = t.due - d.due, breached = t.breached - d.breached, visits = t.visits - d.visits "
        f"FROM ({_clock_changes('old_rows', _CLOCK_FNS)}) AS d (project_id, due, breached, visits) "
        f"WHERE t.project_id = d.project_id",
        f"INSERT INTO {TABLE} (project_id, {', '.join(COLUMNS)}) "
        f"SELECT d.project_id, 0, 0, 0, d.due, d.breached, d.visits "
        f"FROM ({_clock_changes('new_rows', _CLOCK_FNS)}) AS d (project_id, due, breached, visits) "
        "WHERE true ON CONFLICT (project_id) DO UPDATE SET "
        + ", ".join(f"{c} = {TABLE}.{c} + excluded.{c}" for c in COLUMNS)]),
}

_RECOUNT = (
    "SELECT p.id, "
    "(SELECT COUNT(*) FROM complaints_complaint k WHERE k.project_id = p.id), "
    f"(SELECT COALESCE(SUM({_classify('k')}), 0) FROM complaints_complaint k WHERE k.project_id = p.id), "
    f"(SELECT COALESCE(SUM({_approve('k')}), 0) FROM complaints_complaint k WHERE k.project_id = p.id), "
    + ", ".join(f"(SELECT COALESCE(SUM({fn('c')}), 0) FROM complaints_slaclock c JOIN complaints_complaint k "
                f"ON k.id = c.complaint_id WHERE k.project_id = p.id)" for fn in (_due, _breached, _visits))
    + " FROM owners_project p"
)


def _digest() -> str:
    text = repr(sorted(TRIGGERS.items())) + repr(sorted(STATEMENT_TRIGGERS.items()))
    return hashlib.sha1(text.encode()).hexdigest()[:8]


def trigger_names() -> list[str]:
    return [f"{PREFIX}{_digest()}_{name}" for name in TRIGGERS]


def _create_sql(vendor: str) -> list[str]:
    sql = []
    for (name, (table, event, condition, statements)), full in zip(TRIGGERS.items(), trigger_names()):
        body = "".join(f"{s}; " for s in statements)
        if vendor == "sqlite":
            when = f" WHEN {condition}" if condition else ""
            sql.append(f"CREATE TRIGGER {full} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN {body}END")
        elif vendor == "postgresql" and name in STATEMENT_TRIGGERS:
            table, event, statements = STATEMENT_TRIGGERS[name]
            body = "".join(f"{s}; " for s in statements)
            sql.append(f"CREATE OR REPLACE FUNCTION {full}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                       f"BEGIN {body}RETURN NULL; END $$")
            sql.append(f"CREATE TRIGGER {full} AFTER {event} ON {table} REFERENCING OLD TABLE AS old_rows "
                       f"NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {full}()")
        elif vendor == "postgresql":
            if condition:  # PostgreSQL's WHEN takes no subquery: the test goes inside the function
                body = f"IF {condition} THEN {body}END IF; "
            sql.append(f"CREATE OR REPLACE FUNCTION {full}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                       f"BEGIN {body}RETURN NULL; END $$")
            sql.append(f"CREATE TRIGGER {full} AFTER {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {full}()")
        else:
            raise NotImplementedError(f"register tally triggers on {vendor}")
    return sql


def installed_triggers(using: str = "default") -> dict[str, str]:
    """The tally triggers in the database: name -> table."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")
        return {name: table for name, table in cursor.fetchall() if name.startswith(PREFIX)}


def ensure_triggers(using: str = "default") -> bool:
    """Install the triggers if any is missing or of another definition, then rebuild the counts
    (they may have missed changes meanwhile). True if anything was done."""
    connection = connections[using]
    found = installed_triggers(using)
    if set(found) == set(trigger_names()):
        return False
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for name, table in found.items():
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        for statement in _create_sql(connection.vendor):
            cursor.execute(statement)
        rebuild(using=using)
    return True


def rebuild(using: str = "default") -> None:
    """Recount every project's row from the cases and clocks (writers wait meanwhile on
    PostgreSQL, so that no change falls between the count and the new rows)."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE complaints_complaint, complaints_slaclock, {TABLE} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"INSERT INTO {TABLE} (project_id, {', '.join(COLUMNS)}) {_RECOUNT}")


def recount(using: str = "default") -> dict[int, dict[str, int]]:
    """What the rows should hold, counted from scratch (projects with no case left out)."""
    with connections[using].cursor() as cursor:
        cursor.execute(_RECOUNT)
        rows = cursor.fetchall()
    return {row[0]: dict(zip(COLUMNS, row[1:])) for row in rows if any(row[1:])}


def stored(using: str = "default") -> dict[int, dict[str, int]]:
    """What the rows hold (projects whose counts are all zero left out)."""
    rows = RegisterTally.objects.using(using).values_list("project_id", *COLUMNS)
    return {row[0]: dict(zip(COLUMNS, row[1:])) for row in rows if any(row[1:])}
