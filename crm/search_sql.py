"""The statements of crm.search.ranked, one builder per database, and how the statement is run.

Each builder returns the statement's common table expressions, its count (two columns: ``total``
and ``estimated``) and its tiers' conditions; ``ranked`` puts them together (crm.search).

The count is exact, except for a scope narrower than every record (a project department's
projects, a filter) whose matches are many: looking each of them up in the scope is what the
search spends most on there. With ``cap`` given, the count then looks up only the newest SAMPLE
matches; when more than ``cap`` of them are in the scope, the count is that share of all the
matches, marked estimated (so an estimate is always of more than ``cap`` records: the pages up to
``cap`` exist). Otherwise every match is looked up, as without ``cap``.
"""
from __future__ import annotations

from django.db import connection

from crm import search as s

SAMPLE = 2000  # how many of the newest matches a capped count looks up in the scope


def _estimate_or_count(g: str, sample: str, full: str, extra: str, cap: int) -> tuple[str, str]:
    """The count's common table expression ``e`` and its SELECT: from ``g`` (all the matches) the
    sample's count ``s`` (``sample``, run only when there are more than SAMPLE matches), then
    either the estimate plus ``extra`` (what ``also`` adds in the scope) or the exact count
    ``full``, whose subquery runs only when its branch is taken. (``e`` is materialised: as a
    subquery, its ``s`` would be computed once for each mention.)"""
    cte = f"e AS MATERIALIZED (SELECT g, CASE WHEN g > {SAMPLE} THEN ({sample}) ELSE 0 END AS s FROM ({g}) g0)"
    return cte, (f"SELECT CASE WHEN e.s > {cap} THEN e.s * e.g / {SAMPLE} + ({extra}) ELSE ({full}) END AS total, "
                 f"CASE WHEN e.s > {cap} THEN 1 ELSE 0 END AS estimated FROM e")


def ranked_sqlite(entry, words, phones, also, within, *, everything, cap=None):
    """ranked's count and its tiers' conditions. Each tier's text query matches only that tier
    (FTS5's NOT) and is counted once (``n``). A tier of more than WALK_FROM matches is paged
    walking the recency index, each record tested against the tier's rowids ("+" keeps SQLite
    from looking the ids up instead); a smaller one by its ids, each looked up (CROSS JOIN keeps
    that order). The size tests are constant: SQLite evaluates them once, before either branch."""
    rowids = f"rowid BETWEEN {entry.base} AND {entry.base + 2 ** s.ID_BITS - 1}"
    ids = f"SELECT rowid - {entry.base} AS id FROM crm_searchdocument_fts WHERE crm_searchdocument_fts MATCH %s " \
          f"AND {rowids}"
    size = f"(SELECT count(*) FROM crm_searchdocument_fts WHERE crm_searchdocument_fts MATCH %s AND {rowids})"
    tiers = [] if also is None else [(0, (f"({also[0]}) u CROSS JOIN ", also[1]), ("ON w.w_id = u.c_id", []), False)]
    ctes = ("", [])
    if words:
        any_query, title_query = s._any_query(words, phones), s._title_query(words)
        queries = {"n1": title_query, "n2": f"({any_query}) NOT ({title_query})"}
        ctes = (f"n AS MATERIALIZED (SELECT {size} AS n1, {size} AS n2)", list(queries.values()))
        not_also = (f" AND {{}}w.w_id NOT IN ({also[0]})", also[1]) if also else ("", [])
        for tier, (name, text_query) in enumerate(queries.items(), start=1):
            walk = f"WHERE +w.w_id IN ({ids}) AND (SELECT {name} FROM n) > {s.WALK_FROM}{not_also[0].format('+')}"
            tiers.append((tier, ("", []), (walk, [text_query, *not_also[1]]), True))
            tiers.append((tier, (f"({ids} AND (SELECT {name} FROM n) <= {s.WALK_FROM}) u CROSS JOIN ", [text_query]),
                          (f"ON w.w_id = u.id WHERE 1 = 1{not_also[0].format('')}", not_also[1]), False))
    if everything and words:
        extra = (f" + (SELECT count(*) FROM ({also[0]}) x WHERE x.c_id NOT IN ({ids}))", [*also[1], any_query]) \
            if also else ("", [])
        return ctes, (f"SELECT n.n1 + n.n2 {extra[0]} AS total, 0 AS estimated FROM n", extra[1]), tiers
    # Each match looked up in the scope (CROSS JOIN: in that order, not a scan of the scope).
    parts = ([(ids, [any_query])] if words else []) + ([(also[0], also[1])] if also else [])
    found = " UNION ".join(sql for sql, _ in parts)
    full = f"SELECT count(*) AS total FROM ({found}) u CROSS JOIN ({within[0]}) w ON w.w_id = u.{'id' if words else 'c_id'}"
    full_params = [p for _, more in parts for p in more] + list(within[1])
    if cap is None or not words:
        return ctes, (f"SELECT ({full}) AS total, 0 AS estimated", full_params), tiers
    sample = (f"SELECT count(*) FROM ({ids} ORDER BY rowid DESC LIMIT {SAMPLE}) u CROSS JOIN ({within[0]}) w "
              "ON w.w_id = u.id")
    extra = (f"SELECT count(*) FROM ({also[0]}) x CROSS JOIN ({within[0]}) w ON w.w_id = x.c_id "
             f"WHERE x.c_id NOT IN ({ids})", [*also[1], *within[1], any_query]) if also else ("0", [])
    cte, count = _estimate_or_count("SELECT n1 + n2 AS g FROM n", sample, full, extra[0], cap)
    return (f"{ctes[0]}, {cte}", [*ctes[1], any_query, *within[1]]), (count, [*extra[1], *full_params]), tiers


def ranked_postgresql(entry, words, phones, also, within, *, everything, cap=None):
    """ranked's count and its tiers' conditions. The matches of each tier are read once from the
    GIN index (materialised: ``m`` every word anywhere, ``t`` in the title); a tier of more than
    WALK_FROM is paged walking the recency index, each record looked up in the tier's hashed set
    ("IS TRUE" keeps the planner from turning the test into a join it would then sort), a smaller
    one by its ids. The size tests are one-time filters: one branch of each pair runs."""
    tiers = [] if also is None else [(0, ("", []), (f"WHERE w.w_id IN ({also[0]})", also[1]), False)]
    ctes, cte_params = [], []
    if words:
        ids = "SELECT object_id AS id FROM crm_searchdocument WHERE kind = %s AND document @@ %s::tsquery"
        # ``n``: the two sets' sizes, counted once (each mention of a count would count again).
        ctes = [f"m AS MATERIALIZED ({ids})", f"t AS MATERIALIZED ({ids})",
                "n AS MATERIALIZED (SELECT (SELECT count(*) FROM m) AS nm, (SELECT count(*) FROM t) AS nt)"]
        cte_params = [entry.kind, s._any_query(words, phones), entry.kind, s._title_query(words)]
        not_also = f" AND w.w_id NOT IN ({also[0]})" if also else ""
        for tier, found, others, size in ((1, "t", "", "(SELECT nt FROM n)"),
                                          (2, "m", " AND w.w_id NOT IN (SELECT id FROM t)", "(SELECT nm - nt FROM n)")):
            more = also[1] if also else []
            walk = f"(w.w_id IN (SELECT id FROM {found})) IS TRUE{others} AND {size} > {s.WALK_FROM}{not_also}"
            tiers.append((tier, ("", []), ("WHERE " + walk, more), True))
            lookup = f"WHERE w.w_id IN (SELECT id FROM {found} WHERE {size} <= {s.WALK_FROM}){others}{not_also}"
            tiers.append((tier, ("", []), (lookup, more), False))
    parts = (["SELECT id FROM m"] if words else []) + ([also[0]] if also else [])
    found = (" UNION ".join(parts), also[1] if also else [])
    if everything and words:
        # The matches' count, and what ``also`` adds (a union would hash every match).
        extra = (f" + (SELECT count(*) FROM ({also[0]}) x(c_id) WHERE x.c_id NOT IN (SELECT id FROM m))", also[1]) \
            if also else ("", [])
        return (", ".join(ctes), cte_params), (f"SELECT (SELECT nm FROM n){extra[0]} AS total, 0 AS estimated",
                                               extra[1]), tiers
    if everything:
        count = (f"SELECT count(*) AS total, 0 AS estimated FROM ({found[0]}) u", found[1])
        return (", ".join(ctes), cte_params), count, tiers
    full = (f"SELECT count(*) AS total FROM ({found[0]}) u(id) JOIN ({within[0]}) w ON w.w_id = u.id",
            [*found[1], *within[1]])
    if cap is None or not words:
        return (", ".join(ctes), cte_params), (f"SELECT ({full[0]}) AS total, 0 AS estimated", full[1]), tiers
    # The sample's ids looked up in the scope one by one (a join would read the whole scope).
    sample = (f"SELECT count(*) FROM ({within[0]}) w "
              f"WHERE w.w_id = ANY (ARRAY(SELECT id FROM m ORDER BY id DESC LIMIT {SAMPLE}))")
    extra = (f"SELECT count(*) FROM ({also[0]}) x(c_id) JOIN ({within[0]}) w ON w.w_id = x.c_id "
             "WHERE x.c_id NOT IN (SELECT id FROM m)", [*also[1], *within[1]]) if also else ("0", [])
    cte, count = _estimate_or_count("SELECT nm AS g FROM n", sample, full[0], extra[0], cap)
    return (", ".join([*ctes, cte]), [*cte_params, *within[1]]), (count, [*extra[1], *full[1]]), tiers


def fetch(sql: str, params: list) -> list[tuple]:
    """Run ranked's statement. On PostgreSQL as a prepared statement of the connection (psycopg 3's
    server-side binding: the connection's own cursors bind on the client, which cannot prepare),
    so a connection kept between requests (CONN_MAX_AGE) plans it once, not on every search."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.ensure_connection()
    raw = _prepared_cursor_class()(connection.connection)
    # Wrapped as Django wraps its own cursors: the query is logged and counted like any other.
    with (connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_PREPARED = None


def _prepared_cursor_class():
    global _PREPARED
    if _PREPARED is None:
        import psycopg

        class PreparedCursor(psycopg.Cursor):
            """A server-side binding cursor whose statements are prepared on their first run."""

            def execute(self, query, params=None, *, prepare=None, binary=None):
                return super().execute(query, params, prepare=True, binary=binary)

        _PREPARED = PreparedCursor
    return _PREPARED
