"""Case page (issue 8 §3, issue 14 §6): a case with 5,000 history entries and 2,000 timeline
events (years of a disputed case), as cs_supervisor, through django.test.Client. Baseline: the
same page for an ordinary case in the same state (its generated history and timeline only) in the
same run: the ratio shows what a long history costs (1.0 = nothing; the page shows the newest
slice of each, older ones on demand). Target: at most 15 queries, the same count as for the new
case, and the same time.

    python -m bench.bench_case --quick
"""
from __future__ import annotations

from bench.common import count_queries, measure, report, run_script

HISTORY, EVENTS = 5000, 2000


def run(args) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.generate import add_long_history
    from complaints.models import Complaint

    long_case = Complaint.objects.filter(state="plan_pending").order_by("pk").first() \
        or Complaint.objects.order_by("pk").first()
    if long_case.history.count() < HISTORY:
        add_long_history(long_case, history=HISTORY, events=EVENTS)
    # The same state shows the same panels and buttons: only the history's length differs.
    new_case = Complaint.objects.filter(state=long_case.state).exclude(pk=long_case.pk).order_by("-pk").first() \
        or Complaint.objects.exclude(pk=long_case.pk).order_by("-pk").first()
    client = Client()
    client.force_login(get_user_model().objects.get(username="cs_supervisor"))

    def page(case):
        def get():
            response = client.get(f"/complaints/{case.pk}/")
            assert response.status_code == 200
        return get

    lines = [
        report(f"case page, {HISTORY:,} history + {EVENTS:,} timeline vs new case (server time)",
               measure(page(long_case), args.warmup, args.runs), measure(page(new_case), args.warmup, args.runs), "ms"),
        report(f"case page, {HISTORY:,} history + {EVENTS:,} timeline vs new case (queries)",
               count_queries(page(long_case)), count_queries(page(new_case)), "queries", note="target <= 15, equal; time ratio ~1.0"),
    ]
    return lines


def main(argv=None) -> list[str]:
    return run_script(run, "case page benchmark", __doc__, argv)


if __name__ == "__main__":
    main()
