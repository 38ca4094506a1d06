"""Dashboard and weekly report (issue 8 §7): the home page of cs_supervisor and manager and the
weekly complaint report, through django.test.Client. Target: median under 300 ms at 100,000 cases.
Baseline: the same page with the dashboard cache emptied before every request (what every home
page cost before the cards were cached) and, for the report, the 300 ms target itself.

    python -m bench.bench_dashboard --quick
"""
from __future__ import annotations

from bench.common import count_queries, measure, report, run_script

TARGET_MS = 300


def run(args) -> list[str]:
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from crm.dashboard import forget_cards

    lines = []
    from django.test import Client

    for role in ("cs_supervisor", "manager"):
        client = Client()
        user = get_user_model().objects.get(username=role)
        client.force_login(user)

        def home(c=client):
            assert c.get("/").status_code == 200

        def home_uncached(c=client, u=user):
            forget_cards(u)  # a new generation: every provider runs
            home(c)

        lines.append(report(f"dashboard {role} (server time)", measure(home, args.warmup, args.runs),
                            measure(home_uncached, args.warmup, args.runs), "ms",
                            note=f"baseline: cards recomputed; target < {TARGET_MS} ms"))
        lines.append(report(f"dashboard {role} (queries)", count_queries(home), count_queries(home_uncached),
                            "queries"))
    client = Client()
    client.force_login(get_user_model().objects.get(username="manager"))
    today = timezone.localdate()
    start = today - dt.timedelta(days=today.weekday() + 7)  # last full week

    def weekly():
        assert client.get(f"/complaints/weekly/?start={start}").status_code == 200

    lines.append(report("weekly report (server time)", measure(weekly, args.warmup, args.runs), TARGET_MS, "ms",
                        note="baseline: the 300 ms target"))
    lines.append(report("weekly report (queries)", count_queries(weekly), None, "queries"))
    return lines


def main(argv=None) -> list[str]:
    return run_script(run, "dashboard benchmark", __doc__, argv)


if __name__ == "__main__":
    main()
