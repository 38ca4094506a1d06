"""Cache invalidation for admin-edited settings, and security logging."""
import logging

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from crm import calendar, rules
from crm.models import CalendarOverride, Rule, WorkingHours

security = logging.getLogger("crm.security")


@receiver([post_save, post_delete], sender=CalendarOverride)
@receiver([post_save, post_delete], sender=WorkingHours)
def _calendar_changed(**kwargs):
    calendar.forget()


@receiver([post_save, post_delete], sender=Rule)
def _rule_changed(instance, **kwargs):
    rules.forget(instance.key)


@receiver(user_login_failed)
def _login_failed(credentials, request=None, **kwargs):
    ip = request.META.get("REMOTE_ADDR", "") if request else ""
    security.warning("login failed username=%s ip=%s", credentials.get("username", "?"), ip)


@receiver(user_logged_in)
def _logged_in(user, request=None, **kwargs):
    security.info("login user=%s", user.username)
