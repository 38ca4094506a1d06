"""Every read of the clubs app, scoped by the user's projects."""
from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from clubs import filters
from clubs.models import Club, ClubActivity, ClubApplication, ClubMember, ForumOpinion, OwnerForum, PointsEntry
from crm.filters import filter_list
from crm.scopes import visible_projects
from owners.selectors import customers_for


def _in_scope(user):
    # Company-wide records (no project) are visible to everyone holding the permission.
    return Q(project__isnull=True) | Q(project__in=visible_projects(user))


def forums(user):
    return OwnerForum.objects.filter(_in_scope(user)).select_related("project", "created_by")


def forum_list(user, params):
    qs = forums(user).annotate(opinion_count=Count("opinions", distinct=True),
                               participant_count=Count("participants", distinct=True)).order_by("-planned_at", "-pk")
    return filter_list(filters.ForumFilter, qs, params, user=user)


def follow_ups_due(user, on=None):
    """Forums whose results are applied but whose follow-up is still open and due by ``on`` (today)."""
    from django.utils import timezone

    return forums(user).filter(status=OwnerForum.Status.CLOSED, follow_up_done_at__isnull=True,
                               follow_up_due__lte=on or timezone.localdate())


def forum_themes(forum):
    """Analysis: opinions per theme, most frequent first, with how many became cases."""
    rows = (ForumOpinion.objects.filter(forum=forum).values("theme")
            .annotate(count=Count("pk"), cases=Count("complaint")).order_by("-count", "theme"))
    from complaints.models import Category

    labels = dict(Category.choices)
    return [{"theme": labels.get(r["theme"], r["theme"]), "count": r["count"], "cases": r["cases"]} for r in rows]


def participant_candidates(user, params):
    return filter_list(filters.ParticipantFilter, customers_for(user).order_by("name"), params, user=user)


def participant_criteria(fs) -> str:
    """The filters used to choose the participants, in words (项目：阳光花园；客户阶段：已入住客户)."""
    if not fs.is_bound or not fs.is_valid():
        return ""
    parts = []
    for field in fs.form:
        value = fs.form.cleaned_data.get(field.name)
        if value in (None, ""):
            continue
        choices = dict(getattr(field.field, "choices", None) or []) if field.name == "stage" else {}
        parts.append(f"{field.label}：{choices.get(value, value)}")
    return "；".join(parts)[:200]


def clubs(user):
    return Club.objects.filter(_in_scope(user)).select_related("project")


def members(user, club, params=None):
    qs = (ClubMember.objects.filter(club=club, customer__in=customers_for(user))
          .select_related("customer", "customer__project")
          .annotate(balance=Coalesce(Sum("points__points"), 0)))
    return filter_list(filters.MemberFilter, qs, params)


def pending_applications(user, club):
    """The owners of the user's scope who applied on the portal to join the club and wait to be
    enrolled (clubs/applications.py), the oldest first."""
    return (ClubApplication.objects.filter(club=club, status=ClubApplication.Status.PENDING,
                                           customer__in=customers_for(user))
            .select_related("customer", "customer__project").order_by("applied_at"))


def member_for(user, pk):
    return ClubMember.objects.filter(club__in=clubs(user), customer__in=customers_for(user)).select_related(
        "club", "customer").get(pk=pk)


def ledger(member):
    return PointsEntry.objects.filter(member=member).select_related("actor", "activity")


def activities(user):
    return ClubActivity.objects.filter(club__in=clubs(user)).select_related("club", "created_by")


def activity_list(user, params, done_only=False):
    qs = activities(user)
    if done_only:
        qs = qs.filter(status__in=[ClubActivity.Status.DONE, ClubActivity.Status.EVALUATED])
    return filter_list(filters.ActivityFilter, qs, params)


def club_counts(user):
    f = forums(user)
    a = activities(user)
    return {
        "forums_pending": f.filter(status=OwnerForum.Status.SUBMITTED).count(),
        "forums_open": f.exclude(status=OwnerForum.Status.CLOSED).count(),
        "activities_pending": a.filter(status=ClubActivity.Status.SUBMITTED).count(),
        "activities_to_evaluate": a.filter(status=ClubActivity.Status.DONE).count(),
    }
