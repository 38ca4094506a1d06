"""Owner portal (issue 16): the portal's home and case page (an owner's case with a long
timeline) beside the staff case page of the same case, as cs_supervisor, through
django.test.Client: server time, queries and page weight (bytes of HTML; the portal's one
stylesheet is added to its pages, and the report form's script to it). Targets: home <= 6 queries, case page <= 8 and flat in the
timeline's length, every portal page <= 150 KB without photos.

    python -m bench.bench_portal --quick
"""
from __future__ import annotations

from bench.common import count_queries, measure, report, run_script

EVENTS = 2000


def _owner_for(case):
    """An owner account for the case's customer (made once, kept in the bench data set)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from crm.models import StaffProfile
    from portal.models import OwnerAccount, PrivacyConsent

    account = OwnerAccount.objects.filter(customers=case.customer_id).select_related("user").first()
    if account is None:
        user, _ = get_user_model().objects.get_or_create(username=f"bench_owner_{case.customer_id}")
        StaffProfile.objects.get_or_create(user=user, defaults={"role": "owner"})
        account = OwnerAccount.objects.create(user=user, phone=f"199{case.customer_id:08d}"[:11])
        account.customers.add(case.customer_id)
    PrivacyConsent.objects.get_or_create(account=account, version=settings.PORTAL_PRIVACY_VERSION)
    return account.user


def run(args) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.contrib.staticfiles import finders
    from django.test import Client

    from complaints.models import Complaint, TimelineEntry

    case = Complaint.objects.filter(customer__isnull=False).order_by("pk").first()
    if case.timeline.count() < EVENTS:
        TimelineEntry.objects.bulk_create([TimelineEntry(complaint=case, kind="owner_comment", text=f"补充说明 {i}")
                                           for i in range(EVENTS)])  # i18n: data
    short = Complaint.objects.filter(customer_id=case.customer_id).exclude(pk=case.pk).order_by("pk").first() or case
    owner, staff = Client(), Client()
    owner.force_login(_owner_for(case))
    staff.force_login(get_user_model().objects.get(username="cs_supervisor"))
    from pathlib import Path

    css = Path(finders.find("portal/portal.css")).stat().st_size

    def get(client, url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, url
            return response
        return call

    portal_case, staff_case = get(owner, f"/m/cases/{case.pk}/"), get(staff, f"/complaints/{case.pk}/")
    home = get(owner, "/m/")
    lines = [
        report(f"portal case page ({EVENTS:,} timeline entries) vs staff case page (server time)",
               measure(portal_case, args.warmup, args.runs), measure(staff_case, args.warmup, args.runs), "ms"),
        report(f"portal case page ({EVENTS:,} timeline entries) vs staff case page (queries)",
               count_queries(portal_case), count_queries(staff_case), "queries", note="target <= 8"),
        report("portal case page: long timeline vs short (queries)", count_queries(portal_case),
               count_queries(get(owner, f"/m/cases/{short.pk}/")), "queries", note="flat: ratio 1.00x"),
        report("portal home vs staff case page (queries)", count_queries(home), count_queries(staff_case), "queries",
               note="target <= 6"),
    ]
    script = Path(finders.find("complaints/similar.js")).stat().st_size  # the report form's one script
    for url in ("/m/", f"/m/cases/{case.pk}/", "/m/cases/", "/m/report/", "/m/inbox/", "/m/me/", "/m/me/messages/",
                "/m/club/"):
        weight = len(get(owner, url)().content) + css + (script if url == "/m/report/" else 0)
        lines.append(report(f"page weight {url} vs staff case page (bytes, HTML + CSS)", weight,
                            len(staff_case().content), "bytes", note="target <= 153600"))
    return lines


def main(argv=None) -> list[str]:
    return run_script(run, "owner portal benchmark", __doc__, argv)


if __name__ == "__main__":
    main()
