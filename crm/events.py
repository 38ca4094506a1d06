"""Domain events: what happened to a record, published by the service that made it happen.

A service calls ``publish("case.closed", target=complaint, data={…})`` inside its transaction,
once, where the change is made (never a view or a job around it). Subscribers (the API's
webhook outbox, ``api.outbox``) store what they need in the same transaction, so an event is
kept exactly when the change is: a rolled-back write leaves no event, and a committed one
cannot lose its event to a broker that is down. crm knows no subscriber; apps subscribe in
their ``AppConfig.ready``.
"""
from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

# The events other systems may subscribe to (api.WebhookSubscription.events), one name each.
CASE_CREATED = "case.created"
CASE_CLASSIFIED = "case.classified"
CASE_CLOSED = "case.closed"
RETURN_VISIT_RECORDED = "return_visit.recorded"
OVERDUE_LITIGATION_REQUIRED = "overdue.litigation_required"
CERTIFICATE_ISSUED = "certificate.issued"
CUSTOMER_CHANGED = "customer.changed"
EVENT_TYPES = (CASE_CREATED, CASE_CLASSIFIED, CASE_CLOSED, RETURN_VISIT_RECORDED, OVERDUE_LITIGATION_REQUIRED,
               CERTIFICATE_ISSUED, CUSTOMER_CHANGED)

_subscribers: list[Callable] = []


def subscribe(handler: Callable) -> None:
    """``handler(event_type, events, *, occurred_at)`` is called with every publication:
    ``events`` is a list of (project_id, data)."""
    if handler not in _subscribers:
        _subscribers.append(handler)


def publish(event_type: str, *, project_id: int | None, data: dict) -> None:
    """Tell the subscribers that ``event_type`` happened to a record of ``project_id``; ``data``
    is JSON-ready (ids, numbers, codes: no personal data beyond what the event is about)."""
    publish_many(event_type, [(project_id, data)])


def publish_many(event_type: str, events: list[tuple[int | None, dict]]) -> None:
    """The same event for many records at once (a bulk write): one call of each subscriber."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event {event_type}")
    if not events:
        return
    occurred_at = timezone.now()
    for handler in _subscribers:
        handler(event_type, events, occurred_at=occurred_at)
