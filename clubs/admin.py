from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clubs.models import Club, ClubActivity, ClubMember, ForumOpinion, OwnerForum, PointsEntry


class ReadOnlyStatusAdmin(SimpleHistoryAdmin):
    """Status changes only through the services (the workflow); the admin may look and fix text.
    So do the dates a stage records (held, founded), which the services check against the stage
    before (crm.validators)."""

    readonly_fields = ("status",)


@admin.register(OwnerForum)
class OwnerForumAdmin(ReadOnlyStatusAdmin):
    list_display = ("number", "title", "kind", "project", "planned_at", "status")
    list_filter = ("status", "kind")
    search_fields = ("number", "title")
    readonly_fields = ("status", "held_at")


@admin.register(Club)
class ClubAdmin(ReadOnlyStatusAdmin):
    list_display = ("name", "project", "status", "founded_on")
    readonly_fields = ("status", "founded_on")


@admin.register(ClubActivity)
class ClubActivityAdmin(ReadOnlyStatusAdmin):
    list_display = ("number", "title", "club", "period_start", "status")
    list_filter = ("status", "kind")
    readonly_fields = ("status", "held_on")


@admin.register(ClubMember)
class ClubMemberAdmin(SimpleHistoryAdmin):
    list_display = ("number", "customer", "club", "level", "status", "joined_on")
    list_filter = ("club", "level", "status")
    readonly_fields = ("joined_on",)  # set by member_enroll, not before the club was founded


@admin.register(PointsEntry)
class PointsEntryAdmin(SimpleHistoryAdmin):
    """The ledger is append-only: entries are written by the services and never edited."""

    list_display = ("member", "kind", "points", "reason", "actor", "created_at")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(ForumOpinion, SimpleHistoryAdmin)
