"""Every read of the portal, always within the signed-in owner's own records: their account,
their units (through the customers the account is bound to) and their cases."""
from __future__ import annotations

from django.http import Http404

from owners.models import Unit

from .models import OwnerAccount


def account_of(user) -> OwnerAccount:
    account = OwnerAccount.objects.filter(user=user).first()
    if account is None:
        raise Http404
    return account


def my_customer_ids(user) -> list[int]:
    return list(OwnerAccount.customers.through.objects.filter(owneraccount__user=user)
                .values_list("customer_id", flat=True))


def my_units(user):
    """The units the owner's customers own, co-own or rent."""
    return (Unit.objects.filter(ownerships__customer__owner_accounts__user=user)
            .select_related("project", "building").distinct().order_by("project__name", "number"))


def my_customer_for_unit(user, unit):
    """The owner's customer that holds this unit; another owner's unit is a 404."""
    from owners.models import Customer

    customer = Customer.objects.filter(owner_accounts__user=user, ownerships__unit=unit).order_by("pk").first()
    if customer is None:
        raise Http404
    return customer


def my_cases(user):
    """The owner's cases: those registered for one of the customers their account is bound to."""
    from complaints.models import Complaint

    return Complaint.objects.filter(customer__owner_accounts__user=user)


def my_case(user, pk):
    """One of the owner's cases, or a 404 (another owner's id is as if it did not exist)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(my_cases(user).select_related("project", "unit", "unit__building"), pk=pk)


def my_photos(user):
    """The photos the owner added to their own cases (staff's attachments stay internal)."""
    from complaints.models import Attachment

    return Attachment.objects.filter(complaint__in=my_cases(user), uploaded_by=user)


def my_photo(user, pk):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(my_photos(user), pk=pk)


TIMELINE_SHOWN = 30  # timeline entries on the case page at once (a phone page stays light)


def owner_timeline(case, user, *, before=None) -> tuple[list, int | None]:
    """The case's newest ``TIMELINE_SHOWN`` entries the owner may see (portal/timeline.py:
    declared kinds, ``own`` ones only the owner's), older than entry ``before`` when given, in
    plain words and oldest first; and the id to ask for the older ones with (None: no more).
    One query, whatever the timeline's length."""
    from django.db.models import Q

    from .timeline import OWNER_TIMELINE, owner_lines

    shared = [kind for kind, shown in OWNER_TIMELINE.items() if not shown.own]
    own = [kind for kind, shown in OWNER_TIMELINE.items() if shown.own]
    entries = case.timeline.filter(Q(kind__in=shared) | Q(kind__in=own, actor=user))
    if str(before or "").isdigit():
        entries = entries.filter(pk__lt=int(before))
    entries = list(entries.order_by("-pk")[:TIMELINE_SHOWN + 1])
    older = entries[TIMELINE_SHOWN - 1].pk if len(entries) > TIMELINE_SHOWN else None
    return owner_lines(reversed(entries[:TIMELINE_SHOWN]), user), older


def plan_to_answer(case):
    """The approved plan version the owner is asked about (磋商), or None when none is waiting."""
    if case.state != "plan_approved":
        return None
    return case.plans.order_by("-version").first()


def owner_deadline(case, *, owners_turn: bool):
    """The time the owner is told this step will be done by (预计在 … 前完成这一步), or None: the
    nearest deadline of the case's running clocks that are a promise to the owner, while it is
    still ahead and the step is the company's. Not the front desk's 10-minute transfer (an internal
    hand-over, a deadline minutes away that the owner cannot act on), not a deadline already past
    (a broken promise read as a new one), not while the owner is asked to answer the plan or the
    return visit, nor on a closed case. ``case.next_deadline`` (every clock) stays the staff's."""
    from django.utils import timezone

    from complaints.models import ClockState, SlaClock
    from complaints.sla import TRANSFER

    if owners_turn or case.state in ("closed", "archived") or case.next_deadline is None:
        return None
    return (SlaClock.objects.filter(complaint=case, state__in=[ClockState.RUNNING, ClockState.AT_RISK],
                                    deadline__gt=timezone.now())
            .exclude(rule__code=TRANSFER).order_by("deadline").values_list("deadline", flat=True).first())


def has_consented(user) -> bool:
    from django.conf import settings

    from .models import PrivacyConsent

    return PrivacyConsent.objects.filter(account__user=user, version=settings.PORTAL_PRIVACY_VERSION).exists()


def my_customers(user):
    from owners.models import Customer

    return Customer.objects.filter(owner_accounts__user=user).select_related("project").order_by("pk")


def my_customer(user, pk):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(my_customers(user), pk=pk)


def preference_views(user):
    """Who opened the owner's preference profile (客情), from the read-access log: when, which
    department and role, and the reason they stated (no names: the owner sees the office)."""
    from owners.models import AccessLog

    return (AccessLog.objects.filter(customer__owner_accounts__user=user, what=AccessLog.What.PREFERENCE)
            .select_related("user__profile__department").order_by("-created_at")[:100])


def my_inbox(user):
    from crm.models import Notification

    return (Notification.objects.filter(recipient=user, secret=False, channel=Notification.Channel.OWNER)
            .order_by("-created_at"))


def my_message(user, pk):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(my_inbox(user), pk=pk)


def my_club(user) -> list[tuple]:
    """The owner's club memberships, each with its points balance and ledger (newest first)."""
    from django.db.models import Sum

    from clubs.models import ClubMember, PointsEntry

    members = list(ClubMember.objects.filter(customer__owner_accounts__user=user).select_related("club")
                   .annotate(balance=Sum("points__points")).order_by("pk"))
    entries = {}
    for entry in PointsEntry.objects.filter(member__in=members).order_by("-created_at", "-pk")[:200]:
        entries.setdefault(entry.member_id, []).append(entry)
    return [(m, m.balance or 0, entries.get(m.pk, [])) for m in members]


def my_forums(user):
    """Upcoming approved forums of the owner's projects (or company-wide), with whether the
    owner is invited (signed up) and how many places are taken."""
    return _open_forums(user)[:20]


def _open_forums(user):
    from django.db.models import Count, Exists, OuterRef, Q
    from django.utils import timezone

    from clubs.models import ForumParticipant, OwnerForum
    from owners.models import Ownership

    projects = Ownership.objects.filter(customer__owner_accounts__user=user).values("unit__project_id")
    invited = ForumParticipant.objects.filter(forum=OuterRef("pk"), customer__owner_accounts__user=user)
    return (OwnerForum.objects.filter(Q(project__in=projects) | Q(project__isnull=True),
                                      status__in=[OwnerForum.Status.APPROVED, OwnerForum.Status.PREPARED],
                                      planned_at__gte=timezone.now())
            .annotate(invited=Exists(invited), taken=Count("participants", distinct=True))
            .order_by("planned_at"))


def my_forum(user, pk):
    """One forum the owner may sign up for (see ``my_forums``), or a 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(_open_forums(user), pk=pk)


def neighbours_similar(user, *, unit_id, text: str) -> list:
    """"邻居也反映了类似问题": the likely duplicates (``complaints.selectors.similar_open_ids``:
    open, last 30 days, similar words) of the building of one of the owner's own units (another
    unit is nothing), other than the owner's own cases. An owner sees nothing of another owner:
    each only as its kind and category, the day it came and its state in plain words — never its
    number, title, description, unit or person."""
    from types import SimpleNamespace

    from django.utils import timezone

    from complaints.models import Category, Complaint, Kind
    from complaints.selectors import similar_open_ids

    from .timeline import PLAIN_STATE

    unit = my_units(user).filter(pk=unit_id).first() if str(unit_id).isdigit() else None
    if unit is None:
        return []
    others = Complaint.objects.exclude(pk__in=my_cases(user).values("pk"))
    ids = similar_open_ids(others, text=text[:2000], building_id=unit.building_id,
                           project_id=None if unit.building_id else unit.project_id)
    if not ids:
        return []
    rows = {c["pk"]: c for c in Complaint.objects.filter(pk__in=ids).values("pk", "kind", "category", "state",
                                                                              "received_at")}
    kinds, categories = dict(Kind.choices), dict(Category.choices)
    return [SimpleNamespace(kind=kinds.get(r["kind"], ""), category=categories.get(r["category"], ""),
                            day=timezone.localdate(r["received_at"]),
                            state=PLAIN_STATE.get(r["state"], ("", ""))[0])
            for r in (rows[pk] for pk in ids if pk in rows)]


def clubs_to_join(user) -> list[tuple]:
    """The founded clubs of the owner's projects (or company-wide) that one of the owner's
    customers of that project has not joined: (club, customer who would join, pending?)."""
    from clubs.models import Club, ClubApplication, ClubMember

    customers = list(my_customers(user).prefetch_related("units"))
    members = set(ClubMember.objects.filter(customer__in=customers).values_list("club_id", "customer_id"))
    pending = set(ClubApplication.objects.filter(customer__in=customers, status=ClubApplication.Status.PENDING)
                  .values_list("club_id", "customer_id"))
    out = []
    for club in Club.objects.filter(status=Club.Status.FOUNDED).order_by("name"):
        candidates = [c for c in customers if club.project_id is None or club.project_id == c.project_id
                      or any(u.project_id == club.project_id for u in c.units.all())]
        customer = next((c for c in candidates if (club.pk, c.pk) not in members), None)
        if customer is not None:
            out.append((club, customer, (club.pk, customer.pk) in pending))
    return out


def club_to_join(user, pk) -> tuple:
    """One club the owner may apply to (see ``clubs_to_join``), or a 404."""
    for club, customer, pending in clubs_to_join(user):
        if club.pk == int(pk):
            return club, customer
    raise Http404
