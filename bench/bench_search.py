"""Full-text search (issue 19): the complaint register searched by a word, through
django.test.Client (server time: middleware, view, template), warm and on a first view.

- one word (漏水), two words (外墙渗水) and a rarer word (门禁), first page, by ``cs_supervisor`` (every project) and
  ``bench_project_dept`` (half the projects);
- the search alone (``crm.search.ranked``: the page's ids and the count, one query), without the
  page around it.

Each line says how many cases the word finds in the scope and what the page says (共 N 条, or
约 N 条 when the register estimates a large count in a narrow scope: README, "Search").

Baseline: the Django admin changelist's search box over the same fields a case's search document
holds (``icontains`` on title, description, cause, responsibility, result, feedback, opinion,
reply: ``bench/baseline_admin.py``), newest first, 30 a page, measured in the same run, ours and
the admin alternating request by request.

    python -m bench.bench_search --quick      # 10,000 cases
    python -m bench.bench_search              # 100,000 cases (target: <= 50 ms, >= 10x the admin)
"""
from __future__ import annotations

from urllib.parse import quote

from bench.common import Visitor, count_queries, measure_pair, pair_first_and_warm, report, run_script

ADMIN = "/bench-search-admin/complaints/complaint/"
WORDS = ("漏水", "外墙渗水", "门禁")  # a common word, two words, a rarer word


def _ensure_documents() -> None:
    """A data set generated before search documents existed gets them once."""
    from complaints.models import Complaint
    from crm import search
    from crm.models import SearchDocument

    if SearchDocument.objects.filter(kind="complaints.complaint").count() < Complaint.objects.count():
        search.rebuild(Complaint, chunk=5000)


def _count_shown(body: str) -> str:
    """The count under a page of results as the page words it (共 N 条 exact, 约 N 条 estimated)."""
    import re

    match = re.search(r"[共约] \d+ 条", body)
    return match.group() if match else "one page"


def run(args) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.test.utils import override_settings

    from bench.generate import SCOPE_USERS
    from complaints.models import Complaint
    from complaints.selectors import complaints_for
    from crm import search

    _ensure_documents()
    lines = []
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        admin = Visitor("admin")
        for role in ("cs_supervisor", "project_dept"):
            username = SCOPE_USERS[role]
            visitor = Visitor(username)
            user = get_user_model().objects.get(username=username)
            projects = sorted(complaints_for(user).order_by().values_list("project_id", flat=True).distinct())
            scope = "" if role == "cs_supervisor" else "project__id__in=" + ",".join(map(str, projects)) + "&"
            for word in WORDS:
                q = quote(word)
                found = search.ranked(complaints_for(user), word, phones=True)[1]
                shown = _count_shown(visitor.get(f"/complaints/?q={q}").content.decode())
                lines += pair_first_and_warm(f"search {role} {word} ({found:,} found, the page says {shown}), first page",
                                             (visitor, f"/complaints/?q={q}"), (admin, f"{ADMIN}?{scope}q={q}"),
                                             args, note="target <= 50 ms, >= 10x")
        # The search alone: the ranked ids of a page and the count, against the admin's two queries
        # (its filtered count and its page), without either page around them.
        user = get_user_model().objects.get(username="cs_supervisor")
        cases = complaints_for(user)
        from bench.baseline_admin import ComplaintTextSearch

        fields = ComplaintTextSearch.search_fields

        def ours():
            return search.ranked(cases, "漏水", phones=True)

        def baseline():
            from django.db.models import Q

            condition = Q()
            for name in fields:
                condition |= Q(**{f"{name}__icontains": "漏水"})
            qs = Complaint.objects.filter(condition)
            return qs.count(), list(qs.order_by("-received_at", "-pk").values_list("pk", flat=True)[:30])

        t_ours, t_base = measure_pair(ours, baseline, warmup=args.warmup, n=args.runs)
        lines.append(report("search cs_supervisor 漏水, the query alone (ranked ids + count)", t_ours, t_base, "ms",
                            note="icontains over the same fields: count + page"))
        lines.append(report("search cs_supervisor 漏水, the query alone (queries)", count_queries(ours),
                            count_queries(baseline), "queries"))
    return lines


def main(argv=None) -> list[str]:
    return run_script(run, "search benchmark", __doc__, argv)


if __name__ == "__main__":
    main()
