from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "基础设置"

    def ready(self):
        from crm import signals  # noqa: F401 - cache invalidation and security logging

        # Each app contributes its registers, dashboard cards and demo data in these modules.
        autodiscover_modules("registers", "dashboard", "demo")
