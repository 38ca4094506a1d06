from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("系统接入")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from crm import events

        from . import outbox, schema  # noqa: F401 - the schema's bearer scheme registers itself

        events.subscribe(outbox.record_event)  # webhooks: every published event lands in the outbox
