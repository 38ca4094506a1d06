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
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .models import SystemClient, WebhookSubscription

        for model in (SystemClient, WebhookSubscription):
            for signal in (post_save, post_delete):
                signal.connect(outbox.subscriptions_changed, sender=model, dispatch_uid=f"api.subs.{model.__name__}.{signal}")
        m2m_changed.connect(outbox.subscriptions_changed, sender=SystemClient.projects.through,
                            dispatch_uid="api.subs.projects")
