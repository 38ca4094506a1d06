"""Celery adapters: each calls one service. Names are pinned (the beat schedule uses them)."""
from celery import shared_task


@shared_task(name="property_liaison.coordination_cadence")
def coordination_cadence() -> int:
    from property_liaison.services import coordination_cadence_check

    return coordination_cadence_check()


@shared_task(name="property_liaison.overdue_rectifications")
def overdue_rectifications() -> int:
    from property_liaison.services import overdue_rectifications_escalate

    return overdue_rectifications_escalate()


@shared_task(name="property_liaison.committee_reminders")
def committee_reminders() -> int:
    from property_liaison.services import committee_reminders as remind

    return remind()
