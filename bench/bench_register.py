"""Register page (issue 8 §2): the complaint register as cs_supervisor, sorted by deadline, through
django.test.Client (server time: middleware, view, template). Baseline: the Django admin
changelist over the same table with the same columns and filters, measured in the same run.

    python -m bench.bench_register --quick      # 10,000 cases
    python -m bench.bench_register              # 100,000 cases
"""
from __future__ import annotations

from bench.common import count_queries, measure_pair, report, run_script


def scenarios():
    """(name, our URL, baseline URL) for each page of §2, chosen from the generated data."""
    from django.db.models import Q

    from complaints.models import Complaint
    from complaints.selectors import REGISTER_PER_PAGE

    total = Complaint.objects.count()
    deep = max(1, min(1000, -(-total // REGISTER_PER_PAGE)))
    case = (Complaint.objects.filter(severity="major").exclude(state__in=["closed", "archived"]).order_by("pk").first()
            or Complaint.objects.exclude(severity="").order_by("pk").first() or Complaint.objects.order_by("pk").first())
    year = case.received_at.year
    start, end = f"{year}-01-01", f"{year}-12-31"
    phone = case.phone_digits[-8:]
    ours = "/complaints/?sort=deadline"
    admin = "/bench-admin/complaints/complaint/?o="  # the admin's default ordering is the same sort
    return [
        ("first page", ours, admin),
        (f"deep page {deep}", f"{ours}&page={deep}", f"/bench-admin/complaints/complaint/?p={deep}"),
        ("filtered page", f"{ours}&state={case.state}&severity={case.severity}&project={case.project_id}"
                          f"&received_from={start}&received_to={end}",
         f"/bench-admin/complaints/complaint/?state__exact={case.state}&severity__exact={case.severity}"
         f"&project__id__exact={case.project_id}&received_at__gte={start}&received_at__lt={year + 1}-01-01"),
        ("search by case number", f"{ours}&q={case.number}", f"/bench-admin/complaints/complaint/?q={case.number}"),
        ("search by phone digits", f"{ours}&q={phone}", f"/bench-admin/complaints/complaint/?q={phone}"),
    ], case, Q


def run(args) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import override_settings

    lines = []
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        ours_client, admin_client = Client(), Client()
        ours_client.force_login(get_user_model().objects.get(username="cs_supervisor"))
        admin_client.force_login(get_user_model().objects.get(username="admin"))
        pages, case, _ = scenarios()
        for name, ours_url, admin_url in pages:
            def ours(url=ours_url):
                response = ours_client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                return response

            def baseline(url=admin_url):
                response = admin_client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                return response

            if "search by case number" in name:
                assert case.number in ours().content.decode() and case.number in baseline().content.decode()
            t_ours, t_base = measure_pair(ours, baseline, warmup=args.warmup, n=args.runs)
            lines.append(report(f"register {name} (server time)", t_ours, t_base, "ms"))
            ours()  # counts and menus cached again if the timed runs outlasted their minute
            lines.append(report(f"register {name} (queries)", count_queries(ours), count_queries(baseline),
                                "queries", note="target <= 8"))
            cache.clear()  # the first view of a minute: counts, menus, permissions and session not cached
            lines.append(report(f"register {name} (queries, cold cache)", count_queries(ours),
                                count_queries(baseline), "queries", note="target <= 8"))
    return lines


def main(argv=None) -> list[str]:
    return run_script(run, "register benchmark", __doc__, argv)


if __name__ == "__main__":
    main()
