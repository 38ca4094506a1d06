"""Celery adapters: each beat job calls one service. Names are pinned (a test checks them)."""
from celery import shared_task


@shared_task(name="complaints.sla_scan")
def sla_scan() -> dict:
    from complaints.clocks import sla_scan as run

    return run()


@shared_task(name="complaints.auto_major")
def auto_major() -> int:
    from complaints.clocks import auto_major as run

    return len(run())


@shared_task(name="complaints.return_visit_reminders")
def return_visit_reminders() -> int:
    from complaints.clocks import return_visit_reminders as run

    return run()


@shared_task(name="complaints.daily_report")
def daily_report() -> int:
    from complaints.services import daily_report as run

    return run().pk


@shared_task(name="complaints.weekly_report")
def weekly_report() -> int:
    from complaints.services import weekly_report as run

    return run().pk


@shared_task(name="complaints.closeout_hand_over")
def closeout_hand_over() -> int:
    """Projects whose close-out date has come hand their open cases to 客户事务部."""
    from complaints.services import closeout_hand_over_due

    return closeout_hand_over_due()
