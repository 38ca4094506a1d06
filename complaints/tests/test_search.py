"""crm.search: the tokens of a Chinese text, the documents the services write, the rebuild
command, matching and ranking on the database's index, and the highlighting of a row."""
import pytest
from django.core.management import call_command
from django.db import connection

from complaints import services
from complaints.models import Complaint
from crm import search
from crm.models import SearchDocument


def test_tokens_hold_single_characters_pairs_words_and_numbers():
    found = search.tokens("卫生间漏水，3-1203 TS-2026-000123")
    for token in ("卫", "卫生", "漏水", "卫生间", "1203", "2026", "000123", "ts"):
        assert token in found
    assert "，" not in found and len(found) == len(set(found))


def test_a_query_keeps_its_words_and_drops_particles():
    assert search.query_words("外墙渗水") == ["外墙", "渗水"]
    assert search.query_words("物业费的问题") == ["物业费", "问题"]
    assert search.query_words("的") == ["的"]  # nothing else to look for


def test_jieba_cache_lives_under_var(settings):
    assert search._jieba().tmp_dir.startswith(str(settings.VAR_DIR))


@pytest.fixture
def new_case(place, users):
    """A case registered by front desk with the given words (the shared new_case fixes them)."""
    from django.utils import timezone

    def factory(*, title, description, owner=0, received_at=None, **extra):
        return services.complaint_register(
            received_by=users["front_desk"], kind="complaint", channel="phone", category="repairs", title=title,
            description=description, customer=place["owners"][owner], unit=place["units"][owner],
            received_at=received_at or timezone.now(), **extra)
    return factory


@pytest.fixture
def leak(new_case):
    return new_case(title="卫生间漏水", description="楼上卫生间漏水到楼下天花板")


def _doc(case):
    return SearchDocument.objects.get(kind="complaints.complaint", object_id=case.pk)


def test_registering_a_case_writes_its_document(leak):
    doc = _doc(leak)
    assert "漏水" in doc.title.split() and "天花板" in doc.body.split()
    assert "13800000001" in doc.phones.split() and "0001" in doc.phones.split()


def test_a_transition_rewrites_the_document(leak, users):
    services.complaint_classify(complaint=leak, user=users["cs_supervisor"], valid=True, severity="minor")
    services.complaint_investigate(complaint=leak, user=users["cs_staff"], cause="防水层老化开裂", responsibility="施工单位")
    assert "防水层" in _doc(leak).body.split() or "防水" in _doc(leak).body.split()
    services.plan_submit(complaint=leak, user=users["cs_staff"], content="更换止水节")
    assert "止水" in _doc(leak).body.split()


def test_a_bulk_update_through_update_with_history_rewrites_the_document(leak, users):
    from crm.workflow import update_with_history

    update_with_history(Complaint.objects.filter(pk=leak.pk), {"reply_text": "已安排维修师傅上门"}, reason="t")
    assert "师傅" in _doc(leak).body.split()


def test_a_save_of_other_fields_leaves_the_document_alone(leak):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        leak.save(update_fields=["severity"])
    assert queries and not any("searchdocument" in q["sql"] or "disposalplan" in q["sql"] for q in queries)


def test_rebuild_search_restores_lost_documents_in_chunks(leak, new_case):
    other = new_case(title="电梯停运", description="三号楼电梯停运两天")
    SearchDocument.objects.all().delete()
    call_command("rebuild_search", "--chunk", "1")
    assert _doc(leak) and _doc(other)
    assert SearchDocument.objects.filter(kind="complaints.complaint").count() == 2


def test_rebuild_search_missing_writes_only_the_records_without_a_document(leak, new_case):
    other = new_case(title="电梯停运", description="三号楼电梯停运两天")
    SearchDocument.objects.filter(object_id=other.pk).delete()
    SearchDocument.objects.filter(object_id=leak.pk).update(body="旧")
    call_command("rebuild_search", "complaints.complaint", "--missing")
    assert "电梯" in _doc(other).body.split() and _doc(leak).body == "旧"


def test_rebuild_search_refuses_an_unknown_kind():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("rebuild_search", "owners.project")


def test_ranked_finds_by_words_title_first_then_newest(new_case):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    in_text = new_case(title="天花板返潮", description="楼上漏水", received_at=now)
    in_title_old = new_case(title="漏水", description="卫生间", received_at=now - dt.timedelta(days=3))
    in_title_new = new_case(title="漏水", description="卫生间", received_at=now - dt.timedelta(days=1))
    new_case(title="电梯停运", description="电梯")
    ids, total = search.ranked(Complaint.objects.all(), "漏水", phones=False)
    assert total == 3
    assert ids == [in_title_new.pk, in_title_old.pk, in_text.pk]
    assert search.ranked(Complaint.objects.all(), "漏水", phones=False, offset=2, limit=5) == ([in_text.pk], 3)
    assert search.ranked(Complaint.objects.all(), "漏水", phones=False, offset=30) == ([], 3)
    assert search.ranked(Complaint.objects.exclude(pk=in_text.pk), "漏水", phones=False)[1] == 2


def test_phone_digits_match_only_when_phones_are_searched(leak):
    assert search.ranked(Complaint.objects.all(), "0001", phones=True)[0] == [leak.pk]
    assert search.ranked(Complaint.objects.all(), "0001", phones=False)[0] == []


def test_matches_condition_filters_a_queryset(leak, new_case):
    new_case(title="电梯停运", description="电梯")
    assert list(Complaint.objects.filter(search.matches(Complaint, "卫生间", phones=False))) == [leak]
    assert search.matches(Complaint, "，，", phones=False) is None


def test_highlighter_escapes_and_marks():
    h = search.Highlighter("漏水")
    assert str(h("<b>漏水</b>")) == "&lt;b&gt;<mark>漏水</mark>&lt;/b&gt;"
    assert "<mark>漏水</mark>" in str(h.snippet("很长的一段话" * 10 + "漏水了" + "后面" * 30))
    assert str(search.Highlighter("")("<x>")) == "&lt;x&gt;"


def test_alike_ranks_shared_title_words_first_and_leaves_out_cases_sharing_none(new_case):
    body_only = new_case(title="天花板发霉", description="楼上卫生间漏水")
    in_title = new_case(title="卫生间漏水", description="请处理")
    new_case(title="电梯停运", description="电梯")
    ids = search.alike(Complaint.objects.all(), "卫生间漏水了怎么办")
    assert ids == [in_title.pk, body_only.pk]
    assert search.alike(Complaint.objects.all(), "的") == []


@pytest.mark.parametrize("walk_from", [0, 1000])
def test_the_order_is_exact_matches_then_title_then_the_rest_newest_first_in_each(new_case, monkeypatch, walk_from):
    """"Relevance, then recency" (README, Search): every match holds every word, so a one-word
    query lists the cases whose title holds it newest first, then the others newest first; what
    ``also`` finds (a register's exact matches) comes before both. The same order whether a tier
    is paged walking the recency index (walk_from=0) or by looking its matches up."""
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr(search, "WALK_FROM", walk_from)
    now = timezone.now()
    body_new = new_case(title="天花板返潮", description="楼上漏水", received_at=now)
    title_old = new_case(title="卫生间漏水", description="请处理", received_at=now - dt.timedelta(days=5))
    body_old = new_case(title="墙面开裂", description="雨后漏水", received_at=now - dt.timedelta(days=9))
    title_new = new_case(title="阳台漏水", description="请处理", received_at=now - dt.timedelta(days=1))
    exact = new_case(title="电梯停运", description="电梯", received_at=now - dt.timedelta(days=30))
    also = Complaint.objects.filter(pk=exact.pk).values("pk")
    ids, total = search.ranked(Complaint.objects.all(), "漏水", phones=False, also=also)
    assert ids == [exact.pk, title_new.pk, title_old.pk, body_new.pk, body_old.pk] and total == 5
    # a page in the middle, and the same within a scope (a condition on the cases: counted apart)
    assert search.ranked(Complaint.objects.all(), "漏水", phones=False, also=also, offset=2, limit=2) == (
        [title_old.pk, body_new.pk], 5)
    # pages that end where a tier ends, and one past it: a tier runs only while the tiers before
    # it fall short of the page, and then it fills the page
    for offset, limit, page in ((0, 3, [exact.pk, title_new.pk, title_old.pk]), (0, 2, [exact.pk, title_new.pk]),
                                (1, 2, [title_new.pk, title_old.pk]), (3, 2, [body_new.pk, body_old.pk]),
                                (2, 3, [title_old.pk, body_new.pk, body_old.pk]), (5, 2, [])):
        assert search.ranked(Complaint.objects.all(), "漏水", phones=False, also=also, offset=offset, limit=limit) == (
            page, 5), (offset, limit)
    scoped = Complaint.objects.exclude(pk=title_old.pk)
    assert search.ranked(scoped, "漏水", phones=False, also=also, ordered=scoped.order_by("-received_at")) == (
        [exact.pk, title_new.pk, body_new.pk, body_old.pk], 4)


def test_a_query_without_words_finds_only_what_also_finds(leak, new_case):
    other = new_case(title="电梯停运", description="电梯")
    also = Complaint.objects.filter(pk=leak.pk).values("pk")
    assert search.ranked(Complaint.objects.all(), "，，", phones=False, also=also) == ([leak.pk], 1)
    assert search.ranked(Complaint.objects.exclude(pk=other.pk), "，，", phones=False, also=also) == ([leak.pk], 1)
    assert search.ranked(Complaint.objects.exclude(pk=leak.pk), "，，", phones=False, also=also) == ([], 0)


def test_count_up_to_estimates_only_a_large_count_in_a_narrow_scope(new_case, monkeypatch):
    """crm.search_sql: with ``count_up_to``, a narrow scope whose sample of the newest matches
    holds more than that many is counted as their share of all the matches (an About); a count
    within it, or every record's, is exact. The page's ids are the same either way."""
    from crm import search_sql

    monkeypatch.setattr(search_sql, "SAMPLE", 4)
    cases = [new_case(title=f"卫生间漏水{i}", description="楼上漏水") for i in range(8)]
    scoped = Complaint.objects.exclude(pk=cases[0].pk)  # the oldest left out: the sample is all in scope
    ids, total = search.ranked(scoped, "漏水", phones=False, count_up_to=3)
    assert isinstance(total, search.About) and total == 8  # 4 of the 4 newest, of 8 matches
    assert sorted(ids) == sorted(c.pk for c in cases[1:])
    ids, total = search.ranked(scoped, "漏水", phones=False, count_up_to=4)
    assert not isinstance(total, search.About) and total == 7 and len(ids) == 7
    total = search.ranked(Complaint.objects.all(), "漏水", phones=False, count_up_to=3)[1]
    assert not isinstance(total, search.About) and total == 8


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_the_search_statement_is_prepared_once_per_connection_and_run_again(leak):
    """crm.search_sql.fetch: on PostgreSQL the statement is prepared on its first run in a
    connection and executed again by later searches, other words included (the words are
    parameters), instead of parsed and planned on every search (settings: prepare_threshold)."""
    for words in ("漏水", "卫生间", "漏水"):
        search.ranked(Complaint.objects.all(), words, phones=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans + custom_plans FROM pg_prepared_statements "
                       "WHERE statement LIKE %s", ["%crm_searchdocument%"])
        assert cursor.fetchall() == [(3,)]
