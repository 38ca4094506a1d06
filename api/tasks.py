"""Celery adapters of the API app. Names are pinned (beat entries are named after them)."""
from celery import shared_task


@shared_task(name="api.deliver_webhook")
def deliver_webhook(delivery_id: int, attempt: int) -> str:
    from .outbox import deliver

    return deliver(delivery_id, attempt)


@shared_task(name="api.deliver_due_webhooks")
def deliver_due_webhooks() -> int:
    from .outbox import deliver_due

    return deliver_due()


@shared_task(name="api.purge_old_idempotency_keys")
def purge_old_idempotency_keys() -> int:
    from .services import idempotency_purge_old

    return idempotency_purge_old()
