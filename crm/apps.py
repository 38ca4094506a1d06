from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


def _shipped_calendar_years(sender, using="default", **kwargs):
    """Every migrate and every flush (a restore drill, a transactional test) ends with the
    shipped official years present, so a wiped database does not fall back to estimates."""
    from crm.calendar_years import ensure_shipped_years
    from crm.models import CalendarYear

    if CalendarYear._meta.db_table in connections[using].introspection.table_names():  # not before its migration
        ensure_shipped_years(using=using)


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("基础设置")

    def ready(self):
        from crm import signals  # noqa: F401 - cache invalidation and security logging

        post_migrate.connect(_shipped_calendar_years, sender=self, dispatch_uid="crm.shipped_calendar_years")

        # Each app contributes its registers, dashboard cards, demo data and search documents in these modules.
        autodiscover_modules("registers", "dashboard", "demo", "search")
