"""Register page (issue 8 §2, issue 14 §1): the complaint register of every scope, through
django.test.Client (server time: middleware, view, template), warm and on a first view.

Scopes (``bench.generate.SCOPE_USERS``): ``cs_supervisor`` (every project), ``project_dept``
(half the projects, all before close-out), ``cs_staff`` (half the projects assigned; its role
sees every project) and ``property_company`` (the cases its company forwarded: its page is
/complaints/forwarded/, as the register is not its page).

Baseline: the Django admin changelist over the same rows (the scope as a filter of the
changelist), same columns, filters, search and sort (``bench/baseline_admin.py``), measured in
the same run, ours and the admin alternating request by request.

- *warm*: the same session, after warm-ups (whatever the page caches is cached);
- *first view*: before every timed request a new session (logged in afresh) and an empty cache
  (``cache.clear()``): what a user meets after a pause, on another worker, after a deploy. The
  admin caches nothing, so its first view costs what its warm view does.

    python -m bench.bench_register --quick      # 10,000 cases
    python -m bench.bench_register              # 100,000 cases
    python -m bench.bench_register --quick --role project_dept
"""
from __future__ import annotations

import sys

from bench.common import Visitor, pair_first_and_warm, run_script

ADMIN = "/bench-admin/complaints/complaint/"


def scenarios(role: str, username: str):
    """(name, our URL, the admin's URL over the same rows) for each page of this scope."""
    from complaints.selectors import REGISTER_PER_PAGE, complaints_for
    from crm.scopes import visible_projects
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.select_related("profile").get(username=username)
    cases = complaints_for(user)
    total = cases.count()
    last = max(1, -(-total // REGISTER_PER_PAGE))
    if role == "property_company":
        company = user.profile.property_company_id
        scope = f"forwarded_by_company__id__exact={company}"
        ours = "/complaints/forwarded/"
        # The page lists the newest first: the admin sorted by 受理时间 descending (column 2).
        return [
            ("first page", ours, f"{ADMIN}?{scope}&o=-2"),
            (f"last page {last}", f"{ours}?page={last}", f"{ADMIN}?{scope}&o=-2&p={last}"),
        ]
    projects = sorted(visible_projects(user).values_list("pk", flat=True))
    every = not visible_projects(user).query.has_filters()
    scope = "" if every else "project__id__in=" + ",".join(map(str, projects))
    admin = f"{ADMIN}?{scope}" + ("&" if scope else "")
    deep = min(1000, last)
    case = (cases.filter(severity="major").exclude(state__in=["closed", "archived"]).order_by("pk").first()
            or cases.exclude(severity="").order_by("pk").first() or cases.order_by("pk").first())
    year = case.received_at.year
    start, end = f"{year}-01-01", f"{year}-12-31"
    phone = case.phone_digits[-8:]
    ours = "/complaints/?sort=deadline"
    # The admin's default ordering is the register's deadline sort.
    return [
        ("first page", ours, f"{admin}o="),
        (f"deep page {deep}", f"{ours}&page={deep}", f"{admin}p={deep}"),
        ("filtered page", f"{ours}&state={case.state}&severity={case.severity}&project={case.project_id}"
                          f"&received_from={start}&received_to={end}",
         f"{ADMIN}?state__exact={case.state}&severity__exact={case.severity}"
         f"&project__id__exact={case.project_id}&received_at__gte={start}&received_at__lt={year + 1}-01-01"),
        ("search by case number", f"{ours}&q={case.number}", f"{admin}q={case.number}"),
        ("search by phone digits", f"{ours}&q={phone}", f"{admin}q={phone}"),
    ]


def run(args) -> list[str]:
    from django.test.utils import override_settings

    from bench.generate import SCOPE_USERS

    roles = [args.role] if getattr(args, "role", None) else list(SCOPE_USERS)
    lines = []
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        admin = Visitor("admin")
        for role in roles:
            visitor = Visitor(SCOPE_USERS[role])
            for name, ours_url, admin_url in scenarios(role, SCOPE_USERS[role]):
                lines += pair_first_and_warm(f"register {role} {name}", (visitor, ours_url), (admin, admin_url), args,
                                             note="target >= 3x")
    return lines


def main(argv=None) -> list[str]:
    argv = list(sys.argv[1:] if argv is None else argv)
    role = None
    if "--role" in argv:  # one scope only (not a flag every script shares)
        at = argv.index("--role")
        role = argv[at + 1]
        del argv[at:at + 2]

    def run_role(args):
        args.role = role
        return run(args)

    return run_script(run_role, "register benchmark", __doc__, argv)


if __name__ == "__main__":
    main()
