from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _default_categories(sender, using="default", **kwargs):
    """Every migrate and every flush (a restore drill, a transactional test) ends with the
    default warranty categories present, as the data migration first made them."""
    from .defaults import ensure_default_categories
    from .models import WarrantyCategory

    if WarrantyCategory._meta.db_table in connections[using].introspection.table_names():
        ensure_default_categories(WarrantyCategory, using=using)


class PropertyLiaisonConfig(AppConfig):
    name = "property_liaison"
    verbose_name = _("物业协调")

    def ready(self):
        post_migrate.connect(_default_categories, sender=self, dispatch_uid="property_liaison.default_categories")
