"""Celery adapters of the mortgage app. Names are pinned (beat entries are named after them)."""
from celery import shared_task


@shared_task(name="mortgage.evaluate_litigation")
def evaluate_litigation() -> int:
    from mortgage.services import litigation_evaluate

    return litigation_evaluate()


@shared_task(name="mortgage.chase_late_certificates")
def chase_late_certificates() -> int:
    from mortgage.services import certificates_chase_late

    return certificates_chase_late()
