from django.contrib import admin

from clubs.models import (
    Club,
    ClubActivity,
    ClubMember,
    ForumOpinion,
    OwnerForum,
    PointsEntry,
)
from crm.admin_base import CrmAdmin


@admin.register(OwnerForum)
class OwnerForumAdmin(CrmAdmin):
    list_display = ("number", "title", "kind", "project", "planned_at", "status")
    list_filter = ("status", "kind")
    search_fields = ("number", "title")


@admin.register(Club)
class ClubAdmin(CrmAdmin):
    list_display = ("name", "project", "status", "founded_on")


@admin.register(ClubActivity)
class ClubActivityAdmin(CrmAdmin):
    list_display = ("number", "title", "club", "period_start", "status")
    list_filter = ("status", "kind")


@admin.register(ClubMember)
class ClubMemberAdmin(CrmAdmin):
    list_display = ("number", "customer", "club", "level", "status", "joined_on")
    list_filter = ("club", "level", "status")


@admin.register(PointsEntry)
class PointsEntryAdmin(CrmAdmin):
    """The ledger is append-only: entries are written by the services and never edited."""

    list_display = ("member", "kind", "points", "reason", "actor", "created_at")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(ForumOpinion, CrmAdmin)
