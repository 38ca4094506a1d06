"""The login backend: Django's ModelBackend, loading less per request.

- ``get_user`` (called by ``django.contrib.auth.get_user`` for the session's user, after which
  Django checks the session hash as usual) reads the user with their staff profile and their
  unread-notification count in one query, instead of the user first and the profile and the
  navigation's unread badge later.
- ``get_all_permissions`` takes an active user's permissions from ``crm.permcache`` (the shared
  cache, refreshed whenever groups or permissions change) instead of the database.
"""
import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from crm import permcache


@functools.cache
def _users_with_profile_and_unread():
    """Built once per process: resolving the subquery costs more than running the query, and
    ``.filter(pk=…)`` on this queryset only clones it."""
    from crm.models import Notification

    unread = (Notification.objects.filter(recipient_id=OuterRef("pk"), read_at__isnull=True)
              .values("recipient_id").annotate(n=Count("pk")).values("n"))
    return (get_user_model()._default_manager.select_related("profile")
            .annotate(crm_unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0)))


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
