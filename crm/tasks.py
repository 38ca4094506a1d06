"""Celery adapters for the shared core. Names are pinned (tests check them)."""
from celery import shared_task


@shared_task(name="crm.deliver_pending_notifications")
def deliver_pending_notifications() -> int:
    from crm.notifications import deliver_pending

    return deliver_pending()


@shared_task(name="crm.run_export")
def run_export(job_id: int) -> None:
    from crm.exports import export_run

    export_run(job_id=job_id)


@shared_task(name="crm.purge_old_exports")
def purge_old_exports() -> int:
    from crm.exports import export_purge_old
    from crm.scratch import purge_scratch

    return export_purge_old() + purge_scratch()


@shared_task(name="crm.purge_old_notifications")
def purge_old_notifications() -> int:
    from crm.retention import notifications_purge_read

    return notifications_purge_read()


@shared_task(name="crm.backup_database")
def backup_database() -> str:
    from crm.backup import backup_database as run

    return str(run())


@shared_task(name="crm.archive_closed")
def archive_closed() -> dict:
    from crm.archive import archive_closed as run

    return run()


@shared_task(name="crm.calendar_year_warning")
def calendar_year_warning() -> int:
    from crm.calendar_years import calendar_year_warning as run

    return run()
