"""The login backend: Django's ModelBackend, loading less per request.

- ``get_user`` (called by ``django.contrib.auth.get_user`` for the session's user, after which
  Django checks the session hash as usual) reads the user with their staff profile and their
  unread-notification count in one query, instead of the user first and the profile and the
  navigation's unread badge later. The count stops at ``crm.notifications.BADGE_CAP`` + 1 (the
  badge then says 99+): it reads at most that many index entries, however many years of unread
  notices a user has.
- ``get_all_permissions`` takes an active user's permissions from ``crm.permcache`` (the shared
  cache, refreshed whenever groups or permissions change) instead of the database.
"""
import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL

from crm import permcache


@functools.cache
def _users_with_profile_and_unread():
    """Built once per process: resolving the subquery costs more than running the query, and
    ``.filter(pk=…)`` on this queryset only clones it."""
    from django.db import connection

    from crm.models import Notification
    from crm.notifications import BADGE_CAP

    users = get_user_model()._default_manager
    qn = connection.ops.quote_name
    # COUNT over a LIMIT: the ORM cannot count a sliced subquery, so it is written out (on the
    # notification_unread index, recipient and read_at).
    unread = (f"SELECT COUNT(*) FROM (SELECT 1 FROM {qn(Notification._meta.db_table)} "
              f"WHERE {qn('recipient_id')} = {qn(users.model._meta.db_table)}.{qn('id')} "
              f"AND {qn('read_at')} IS NULL LIMIT {BADGE_CAP + 1}) unread")
    return users.select_related("profile").annotate(crm_unread=RawSQL(unread, (), output_field=IntegerField()))


class CrmBackend(ModelBackend):
    def get_user(self, user_id):
        user = _users_with_profile_and_unread().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if user_obj.is_active and not user_obj.is_anonymous and not user_obj.is_superuser and obj is None:
            if not hasattr(user_obj, "_perm_cache"):
                user_obj._perm_cache = permcache.user_permissions(user_obj)
            return user_obj._perm_cache
        return super().get_all_permissions(user_obj, obj)
