from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _default_sla_rules(sender, using="default", **kwargs):
    """Every migrate and every flush (a restore drill, a transactional test) ends with the
    default clock rules present; without them a new case would silently get no clocks."""
    from .clocks import ensure_default_rules
    from .models import SlaRule

    if SlaRule._meta.db_table in connections[using].introspection.table_names():  # not before its migration
        ensure_default_rules(using=using)


def _register_tally(sender, using="default", **kwargs):
    """The triggers that keep the register's counts, after every migrate (a migration that
    rebuilds a table on SQLite drops its triggers; a fresh database needs its counts filled)."""
    from .models import RegisterTally
    from .tally import ensure_triggers

    if RegisterTally._meta.db_table in connections[using].introspection.table_names():
        ensure_triggers(using=using)


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("投诉与纠纷")

    def ready(self):
        post_migrate.connect(_default_sla_rules, sender=self, dispatch_uid="complaints.default_sla_rules")
        post_migrate.connect(_register_tally, sender=self, dispatch_uid="complaints.register_tally")

        from crm.calendar_years import calendar_year_confirmed

        from .clocks import _calendar_year_confirmed

        # a year's notice confirmed or corrected: the open clocks counted over its days move
        calendar_year_confirmed.connect(_calendar_year_confirmed, dispatch_uid="complaints.recount_clocks")
