"""Full-text search of every register: one search document per record, segmented for Chinese.

Chinese is written without spaces, and the words people search for are often one or two
characters (梯, 漏水), so a record's words are stored as tokens the database can match
exactly: the words ``jieba`` finds (``cut_for_search``, which also yields the short words
inside long ones), every CJK character and every pair of adjacent CJK characters, and the runs of
letters and digits (case and unit numbers). A query is segmented with ``jieba`` too; each of its
words must be found: a one- or two-character word as that token, a longer word as itself or as
all its character pairs (so 卫生间 finds a text jieba cut differently). The tokens are matched by
the database's own index: SQLite's FTS5, PostgreSQL's ``tsvector`` with a GIN index (migrations
crm 0008 and 0010). Results are ordered by a rule, not a score (``ranked``): exact matches, then
the title holding every word, then the rest, newest first in each — so a page is found walking
the recency index, whatever the number of matches.

Each app declares what a record's document holds in its ``search.py`` (``register``); the
documents are written by the post-save hook below and by ``crm.workflow.update_with_history``
(every write path of a registered record goes through one of them, inside the write's
transaction), and ``manage.py rebuild_search`` rebuilds them in chunks. Phones go in their own
part of the document, searched only for users who may see phones (``phones=True``).
"""
from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save
from django.utils.safestring import SafeString, mark_safe

# --- Segmentation -----------------------------------------------------------------------------

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # i18n: data (character ranges)
_RUNS = re.compile(rf"([{_CJK}]+)|([0-9]+|[a-z]+)")  # letters and digits apart, as a parser splits them
# Particles that would make a query demand a word nobody searches for; dropped from a query
# (never from a document) when it has other words.
_STOP = frozenset("的了和是在也有就都与及或很把被吗呢啊吧")  # i18n: data (words matched against text)
_segmenter = None
_segmenter_lock = threading.Lock()


def _jieba():
    """One jieba tokenizer for the process, initialised on first use, silently, its dictionary
    cache under var/ (never the code tree, never a shared /tmp file of another program)."""
    global _segmenter
    if _segmenter is None:
        with _segmenter_lock:
            if _segmenter is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                cache = settings.VAR_DIR / "cache"
                cache.mkdir(parents=True, exist_ok=True)
                tokenizer.tmp_dir = str(cache)
                tokenizer.initialize()
                for word in DOMAIN_WORDS:
                    tokenizer.add_word(word)
                _segmenter = tokenizer
    return _segmenter


# Words of the trade jieba's general dictionary cuts apart (外墙 + 渗水 are found either way; these
# make a query such as 物业费 one word rather than 物业 + 费).
DOMAIN_WORDS = (  # i18n: data (a segmentation dictionary)
    "物业费", "停车位", "外墙", "渗水", "漏水", "噪音", "电梯", "门禁", "业委会", "交房", "维修基金", "装修", "地下室",
    "消防通道", "垃圾桶", "监控", "绿化", "保洁", "保安", "返潮", "开裂", "空鼓")


def _normal(text: str) -> str:
    return (text or "").lower()


def tokens(text: str) -> list[str]:
    """A text's tokens as stored (see the module's docstring), each once, in order of appearance."""
    seen: dict[str, None] = {}
    for cjk, word in _RUNS.findall(_normal(text)):
        if word:
            seen.setdefault(word)
            continue
        for i, ch in enumerate(cjk):
            seen.setdefault(ch)
            if i + 1 < len(cjk):
                seen.setdefault(cjk[i:i + 2])
        if len(cjk) > 2:
            for w in _jieba().cut_for_search(cjk, HMM=False):
                if len(w) > 2:
                    seen.setdefault(w)
    return list(seen)


def query_words(query: str) -> list[str]:
    """The words of a query, as a user means them: jieba's words of each Chinese run (particles
    dropped when something else is left), the runs of letters and digits."""
    words = []
    for cjk, word in _RUNS.findall(_normal(query)):
        if word:
            words.append(word)
        else:
            words.extend(w for w in _jieba().cut(cjk, HMM=True) if w.strip())
    kept = [w for w in words if w not in _STOP]
    return list(dict.fromkeys(kept or words))


def _alternatives(word: str) -> list[list[str]]:
    """The ways a query word is found in the stored tokens: a list of alternatives, each a list
    of tokens that must all be there."""
    if len(word) <= 2 or not re.fullmatch(f"[{_CJK}]+", word):
        return [[word]]
    return [[word], [word[i:i + 2] for i in range(len(word) - 1)]]


# --- Registration -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """The raw texts of one record's document: its title (weighted most), the rest, its phones."""

    title: str = ""
    body: str = ""
    phones: str = ""


@dataclass
class Searchable:
    model: type
    code: int  # the kind's number in a document's id (document id = code × 2⁴⁰ + the record's id)
    build: Callable[[Sequence[int]], dict[int, Document]]  # ids -> documents, a few queries per chunk
    recency: str  # the field that orders equally relevant records, newest first
    fields: frozenset = frozenset()  # a save naming only other fields leaves the document as it is
    related: dict = field(default_factory=dict)  # {model: attname of the record's id} whose saves change it

    @property
    def kind(self) -> str:
        return self.model._meta.label_lower

    @property
    def base(self) -> int:
        """The id of this kind's document of record 0: a document's id is ``base + record id``, so
        the text index's own ids say which record matched (no read of the documents' rows)."""
        return self.code << ID_BITS


REGISTRY: dict[str, Searchable] = {}
ID_BITS = 40  # a record's id below 2⁴⁰; the kind's code above it


def register(model, *, code: int, build, recency: str, fields: Iterable[str] = (), related: dict | None = None) -> None:
    """Make ``model`` searchable (from an app's ``search.py``): ``code`` a small number of its own
    (the high bits of its documents' ids: never change it without migration crm 0010's rewrite); ``build(ids)`` returns the
    ``Document`` of each id; ``fields``: the model's fields its document reads (a save of other
    fields does not rewrite it; empty: every save does); ``related``: models whose rows are part
    of the document, each with the attname of the record's id (a case's plans: ``complaint_id``)."""
    entry = Searchable(model=model, code=code, build=build, recency=recency, fields=frozenset(fields),
                       related=related or {})
    taken = {other.code: other.kind for other in REGISTRY.values() if other.kind != entry.kind}
    if code in taken or not 0 < code < 2 ** (63 - ID_BITS):
        raise ValueError(f"search code {code} of {entry.kind} is taken or out of range: {taken}")
    REGISTRY[entry.kind] = entry
    uid = f"crm.search.{entry.kind}"
    post_save.connect(_saved, sender=model, dispatch_uid=uid, weak=False)
    post_delete.connect(_deleted, sender=model, dispatch_uid=uid, weak=False)
    for other, attname in entry.related.items():
        receiver = _related_receiver(entry, attname)
        post_save.connect(receiver, sender=other, dispatch_uid=f"{uid}.{other._meta.label_lower}", weak=False)
        post_delete.connect(receiver, sender=other, dispatch_uid=f"{uid}.{other._meta.label_lower}", weak=False)


def searchable(model) -> Searchable | None:
    return REGISTRY.get(model._meta.label_lower)


def _saved(sender, instance, raw=False, update_fields=None, **kwargs):
    entry = searchable(sender)
    if raw or entry is None:
        return
    if update_fields is not None and entry.fields and not (set(update_fields) & entry.fields):
        return
    documents_write(sender, [instance.pk])


def _deleted(sender, instance, **kwargs):
    from crm.models import SearchDocument

    SearchDocument.objects.filter(kind=sender._meta.label_lower, object_id=instance.pk).delete()


def _related_receiver(entry: Searchable, attname: str):
    def receiver(sender, instance, raw=False, **kwargs):
        pk = getattr(instance, attname, None)
        if not raw and pk is not None:
            documents_write(entry.model, [pk])
    return receiver


def rows_changed(model, ids: Sequence[int], names: Iterable[str]) -> None:
    """A bulk update of ``names`` on ``ids`` (crm.workflow.update_with_history): their documents
    follow in the same transaction when they read one of those fields."""
    entry = searchable(model)
    if entry is None or not ids:
        return
    if entry.fields and not (set(names) & entry.fields):
        return
    documents_write(model, list(ids))


# --- Writing ----------------------------------------------------------------------------------


def documents_write(model, ids: Sequence[int]) -> int:
    """(Re)write the documents of ``ids`` of ``model`` (a record that no longer exists loses its
    document): one build, one upsert, one delete. Returns how many were written."""
    from crm.models import SearchDocument

    entry = searchable(model)
    kind = entry.kind
    built = entry.build(list(ids))
    rows = [SearchDocument(id=entry.base + pk, kind=kind, object_id=pk, title=" ".join(tokens(doc.title)),
                           body=" ".join(tokens(doc.body)), phones=" ".join(_phone_tokens(doc.phones)))
            for pk, doc in built.items()]
    if rows:
        SearchDocument.objects.bulk_create(rows, update_conflicts=True, unique_fields=["kind", "object_id"],
                                           update_fields=["title", "body", "phones"])
    gone = set(ids) - built.keys()
    if gone:
        SearchDocument.objects.filter(kind=kind, object_id__in=gone).delete()
    return len(rows)


def _phone_tokens(phones: str) -> list[str]:
    """Each phone's digits, whole and their last four (how people read a number back)."""
    out: dict[str, None] = {}
    for number in re.findall(r"\d[\d\s-]{5,}\d", phones or ""):
        digits = re.sub(r"\D", "", number)
        out.setdefault(digits)
        out.setdefault(digits[-4:])
    return list(out)


def rebuild(model=None, *, chunk: int = 2000, progress: Callable[[str, int], None] | None = None,
            missing: bool = False) -> int:
    """Rewrite every document of ``model`` (every registered model if None), ``chunk`` records per
    transaction, and drop documents of records that no longer exist. ``missing``: only write the
    records that have none (a database from before search, or rows loaded in bulk): cheap when
    nothing is missing, so ``make run`` does it on every start."""
    from django.db import transaction

    from crm.models import SearchDocument

    total = 0
    for entry in ([searchable(model)] if model is not None else list(REGISTRY.values())):
        manager = entry.model._default_manager
        SearchDocument.objects.filter(kind=entry.kind).exclude(
            object_id__in=manager.values("pk")).delete()
        last = 0
        records = manager.all()
        if missing:
            records = records.exclude(pk__in=SearchDocument.objects.filter(kind=entry.kind).values("object_id"))
        while True:
            ids = list(records.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk])
            if not ids:
                break
            with transaction.atomic():
                total += documents_write(entry.model, ids)
            last = ids[-1]
            if progress:
                progress(entry.kind, total)
    return total


# --- Matching ---------------------------------------------------------------------------------

# How each database's query language writes a token, AND and OR. PostgreSQL's document also holds
# each title token with TITLE_MARK before it and each phone token with PHONE_MARK (migration crm
# 0010): its GIN index answers "in the title" and "in a phone" by itself, with no weights to check
# on the rows. A letter then a digit: no token of a text starts so (_RUNS keeps letters and digits
# apart). SQLite's FTS5 table has the three parts as columns.
TITLE_MARK, PHONE_MARK = "t0", "p0"
_SYNTAX = {"sqlite": ('"{}"', " AND ", " OR "), "postgresql": ("'{}'", " & ", " | ")}


def _expression(vendor: str, words: list[str], token=None) -> str:
    """Every word in one of its alternatives (_alternatives); ``token(t)``: how a token is asked."""
    quote, both, either = _SYNTAX[vendor]
    token = token or quote.format
    groups = ["(" + either.join("(" + both.join(token(t) for t in alt) + ")" for alt in _alternatives(word)) + ")"
              for word in words]
    return both.join(groups)


def _any_query(words: list[str], phones: bool) -> str:
    """The text index's query for records holding every word anywhere (in a phone too if ``phones``)."""
    if connection.vendor == "postgresql":
        return _expression("postgresql", words, (lambda t: f"('{t}' | '{PHONE_MARK}{t}')") if phones else None)
    expression = _expression("sqlite", words)
    return expression if phones else "{title body} : (" + expression + ")"


def _title_query(words: list[str]) -> str:
    """The text index's query for records whose title holds every word."""
    if connection.vendor == "postgresql":
        return _expression("postgresql", words, lambda t: f"'{TITLE_MARK}{t}'")
    return "{title} : (" + _expression("sqlite", words) + ")"


def _words(query: str) -> list[str]:
    # Tokens hold only letters and digits (see _RUNS), so they need no quoting beyond the quotes.
    return query_words(query)


def _matching_sql(entry: Searchable, text_query: str) -> tuple[str, list]:
    """SELECT id: the ids of the records of ``entry``'s kind whose document matches ``text_query``,
    read from the text index alone on SQLite (its rowids are the documents' ids)."""
    if connection.vendor == "postgresql":
        return ("SELECT object_id AS id FROM crm_searchdocument WHERE kind = %s AND document @@ %s::tsquery",
                [entry.kind, text_query])
    return ((f"SELECT rowid - {entry.base} AS id FROM crm_searchdocument_fts WHERE crm_searchdocument_fts MATCH %s "
             f"AND rowid BETWEEN {entry.base} AND {entry.base + 2 ** ID_BITS - 1}"), [text_query])


def matches(model, query: str, *, phones: bool) -> Q | None:
    """A condition on ``model``'s rows: those whose document holds every word of ``query``
    (None when the query has no word to look for)."""
    words = _words(query)
    entry = searchable(model)
    if not words or entry is None:
        return None
    sql, params = _matching_sql(entry, _any_query(words, phones))
    return Q(pk__in=RawSQL(sql, params))


# SQLite: a tier of more matches than this is paged by walking the records' recency index and
# testing each against the set of the tier's matches (about page ÷ share entries, whatever the
# number of matches); a smaller tier is read by its ids and sorted.
WALK_FROM = 1000


class About(int):
    """A count estimated, not counted (ranked's ``count_up_to``): shown as such (约 …)."""

    estimated = True


def ranked(queryset, query: str, *, phones: bool, also=None, offset: int = 0, limit: int = 30,
           ordered=None, count_up_to: int | None = None) -> tuple[list[int], int]:
    """The ids of ``queryset``'s records (scoped and filtered by the caller) whose document holds
    every word of ``query``, or that ``also`` (a queryset of ids: a register's exact matches such
    as a case number or a phone) finds; ``limit`` of them from ``offset``, and how many there
    are in all. One query.

    The order ("relevance, then recency"): first what ``also`` finds, then the records whose
    title holds every word, then those holding them elsewhere; within each of these three tiers
    the newest first (the model's ``recency`` field, then the id). Every record of a tier holds
    every word, so none is more relevant than another: no score is computed, and a page is found
    walking the recency index, each record tested against the set of its tier's matches as the
    text index lists them (SQLite's FTS5 rowids, PostgreSQL's GIN index), not by ranking every
    match.

    The count is exact: the text index's own when ``queryset`` is every record, else each match
    looked up in it. With ``count_up_to``, a count of more than that many in a narrower
    ``queryset`` may be an estimate instead (an ``About``; crm.search_sql says how), so a caller
    that pages up to ``count_up_to`` records never shows a page that does not exist."""
    from crm import search_sql

    model = queryset.model
    entry = searchable(model)
    words = _words(query)
    if entry is None or (not words and also is None):
        return [], 0
    build = search_sql.ranked_postgresql if connection.vendor == "postgresql" else search_sql.ranked_sqlite
    def records_sql(records):
        return records.order_by().values(w_id=F("pk"), w_at=F(entry.recency)).query.sql_with_params()

    within = records_sql(queryset)
    walk = within if ordered is None or ordered is queryset else records_sql(ordered)  # compiled once when the same
    found = None
    if also is not None:
        # Through the table's own pk: the column a union of querysets names is the backend's choice.
        also_sql, also_params = model._default_manager.filter(pk__in=also).order_by().values(
            c_id=F("pk")).query.sql_with_params()
        found = (f"SELECT x.c_id FROM ({also_sql}) x", list(also_params))
    ctes, count, tiers = build(entry, words, phones, found, within, everything=not queryset.query.where,
                               cap=count_up_to)
    # Each tier's rows of the page (a materialised ``p``): a tier runs only while the tiers before
    # it hold fewer than the page reaches (a one-time filter), so a first page that the title
    # tier fills never walks the others.
    reach, parts, params, before_tiers = offset + limit, [ctes[0]] if ctes[0] else [], [*ctes[1]], []
    for tier in sorted({t[0] for t in tiers}):
        branches, tier_params = [], []
        for _, (before, before_params), (condition, more), walks in (t for t in tiers if t[0] == tier):
            # A tier's records: "before" joins what drives the look-up (SQLite), "condition" tests them.
            records = walk if walks else within
            branches.append(f"SELECT * FROM (SELECT w.w_id AS id, w.w_at AS at, {tier} AS tier FROM {before}"
                            f"({records[0]}) w {condition} ORDER BY w.w_at DESC, w.w_id DESC LIMIT %s) b{tier}_{len(branches)}")
            tier_params += [*before_params, *records[1], *more, reach]
        guard = ""
        if before_tiers:
            guard = " WHERE " + " + ".join(f"(SELECT count(*) FROM {name})" for name in before_tiers) + " < %s"
            tier_params.append(reach)
        parts.append(f"p{tier} AS MATERIALIZED (SELECT * FROM ({' UNION ALL '.join(branches)}) u{tier}{guard})")
        params += tier_params
        before_tiers.append(f"p{tier}")
    params += count[1]
    union = " UNION ALL ".join(f"SELECT * FROM {name}" for name in before_tiers)
    sql = (f"WITH {', '.join(parts)} SELECT c.total, c.estimated, p.id FROM ({count[0]}) c LEFT JOIN "
           f"(SELECT q.id, q.tier, q.at FROM ({union}) q "
           "ORDER BY q.tier, q.at DESC, q.id DESC LIMIT %s OFFSET %s) p ON 1 = 1 ORDER BY p.tier, p.at DESC, p.id DESC")
    rows = search_sql.fetch(sql, [*params, limit, offset])
    total = About(rows[0][0]) if rows[0][1] else rows[0][0]
    return [row[2] for row in rows if row[2] is not None], total


class RankedList:
    """A small register's records found by its 搜索 box, in ranked's order, as a sequence the
    paginator (crm.views.page_of) pages: ``records`` the register's records as filtered (the box
    included), ``found_by_fields`` those of them the box found by its own fields (a number...),
    which come first. Each record of a page carries ``search_snippet``: a line of its document's
    raw texts (the app's ``build``; the title's first) around the words, the words marked."""

    def __init__(self, records, query: str, *, found_by_fields=None):
        self.records, self.query, self.also = records, query, found_by_fields
        self.entry = searchable(records.model)
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = ranked(self.records, self.query, phones=False, also=self.also, limit=0)[1]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index:index + 1][0]
        start = index.start or 0
        stop = self.count() if index.stop is None else index.stop
        ids, self._count = ranked(self.records, self.query, phones=False, also=self.also, offset=start,
                                  limit=max(0, stop - start))
        found = self.records.in_bulk(ids)
        documents = self.entry.build(ids)
        mark = Highlighter(self.query)
        page = []
        for pk in ids:
            if pk not in found:
                continue
            record, document = found[pk], documents.get(pk, Document())
            text = next((t for t in (document.title, document.body) if mark.found_in(t)), "")
            record.search_snippet = mark.snippet(text) if text else ""
            page.append(record)
        return page


def alike(queryset, text: str, *, limit: int = 5, candidates: int = 500) -> list[int]:
    """The ids of ``queryset``'s records (a small set: a building's open cases of the last month)
    that share words with ``text`` (a case being typed), the most alike first, then the newest:
    each word of the text that a record's document holds (as a query word is found, phones
    never) counts, a word of its title twice. Only the ``candidates`` newest records are
    compared: the database does not rank the whole table for a keystroke. Two queries."""
    from crm.models import SearchDocument

    entry = searchable(queryset.model)
    words = [w for w in query_words(text) if len(w) > 1]
    if entry is None or not words:
        return []
    ids = list(queryset.order_by(f"-{entry.recency}", "-pk").values_list("pk", flat=True)[:candidates])
    documents = SearchDocument.objects.filter(kind=entry.kind, object_id__in=ids).values_list("object_id", "title",
                                                                                              "body")
    found = {pk: (set(title.split()), set(body.split())) for pk, title, body in documents}
    order = {pk: i for i, pk in enumerate(ids)}

    def holds(tokens: set, word: str) -> bool:
        return any(all(t in tokens for t in alt) for alt in _alternatives(word))

    scores = {pk: sum(2 if holds(title, w) else 1 if holds(body, w) else 0 for w in words)
              for pk, (title, body) in found.items()}
    return sorted((pk for pk, score in scores.items() if score), key=lambda pk: (-scores[pk], order[pk]))[:limit]


# --- Showing ----------------------------------------------------------------------------------


def _highlight_pattern(query: str) -> re.Pattern | None:
    words = sorted(set(_words(query)), key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


class Highlighter:
    """Marks a query's words in the texts of a page of results: every piece escaped, each match
    in <mark>. ``snippet`` cuts a long text to the part around its first match."""

    def __init__(self, query: str):
        self.pattern = _highlight_pattern(query or "")

    def __call__(self, text: str) -> SafeString:
        text = text or ""
        if self.pattern is None:
            return mark_safe(html.escape(text))
        out, last = [], 0
        for m in self.pattern.finditer(text):
            out.append(html.escape(text[last:m.start()]))
            out.append(f"<mark>{html.escape(m.group())}</mark>")
            last = m.end()
        out.append(html.escape(text[last:]))
        return mark_safe("".join(out))

    def found_in(self, text: str) -> bool:
        return bool(self.pattern and text and self.pattern.search(text))

    def snippet(self, text: str, width: int = 40) -> SafeString:
        text = " ".join((text or "").split())
        m = self.pattern.search(text) if self.pattern else None
        if m is None:
            return self(text[:width] + ("…" if len(text) > width else ""))
        start = max(0, m.start() - width // 3)
        end = min(len(text), start + width)
        return self(("…" if start else "") + text[start:end] + ("…" if end < len(text) else ""))
