import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

_discovery = threading.Lock()


def beat_jobs() -> dict[str, str]:
    """Beat entry name -> task name, from the one schedule in settings."""
    return {name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}


class Command(BaseCommand):
    help = gettext("立即执行一次定时任务（与 Celery beat 调度的是同一个任务），例如：manage.py runjob {example}").format(
        example="crm.deliver_pending_notifications")

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help=gettext("定时任务名称；省略则列出全部"))

    def handle(self, *args, name=None, **options):
        jobs = beat_jobs()
        if not name:
            for job in sorted(jobs):
                self.stdout.write(job)
            return
        if name not in jobs:
            raise CommandError(gettext("没有名为 {name} 的定时任务。可用：{jobs}").format(name=name, jobs=", ".join(sorted(jobs))))
        # Our app itself, not celery's thread-local current_app; task discovery is lazy and not
        # thread-safe, so two runs started at once in one process discover under a lock.
        from crm.celery import app

        with _discovery:
            app.loader.import_default_modules()
            task = app.tasks[jobs[name]]
        result = task()  # runs in this process, not through the broker
        self.stdout.write(f"{name}: {result}")
