"""Cache invalidation for admin-edited settings, and security logging."""
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from crm import calendar, languages, permcache, rules
from crm.models import CalendarOverride, CalendarYear, Rule, WorkingHours

security = logging.getLogger("crm.security")


@receiver([post_save, post_delete], sender=CalendarOverride)
@receiver([post_save, post_delete], sender=CalendarYear)
@receiver([post_save, post_delete], sender=WorkingHours)
def _calendar_changed(**kwargs):
    calendar.forget()


@receiver([post_save, post_delete], sender=Rule)
def _rule_changed(instance, **kwargs):
    rules.forget(instance.key)


@receiver(m2m_changed, sender=get_user_model().groups.through)
@receiver(m2m_changed, sender=get_user_model().user_permissions.through)
@receiver(m2m_changed, sender=Group.permissions.through)
@receiver([post_save, post_delete], sender=Group)
@receiver([post_save, post_delete], sender=Permission)
def _permissions_changed(**kwargs):
    if kwargs.get("action", "post_").startswith("post_"):
        permcache.new_generation()


@receiver(user_login_failed)
def _login_failed(credentials, request=None, **kwargs):
    ip = request.META.get("REMOTE_ADDR", "") if request else ""
    security.warning("login failed username=%s ip=%s", credentials.get("username", "?"), ip)


@receiver(user_logged_in)
def _logged_in(user, request=None, **kwargs):
    security.info("login user=%s", user.username)
    if request is not None and hasattr(request, "session"):
        from crm.middleware import SessionLimitsMiddleware

        SessionLimitsMiddleware.start(request.session)
        languages.apply_at_login(request, user)
