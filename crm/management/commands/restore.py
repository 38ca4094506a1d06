from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from crm.backup import restore_database


class Command(BaseCommand):
    help = gettext("从备份文件恢复数据库（覆盖当前全部数据）。先停止网站和 Celery。")

    def add_arguments(self, parser):
        parser.add_argument("file", help=gettext("backup 命令生成的备份文件"))
        parser.add_argument("--yes", action="store_true", help=gettext("确认覆盖当前数据"))

    def handle(self, *args, file, yes=False, **options):
        if not yes:
            raise CommandError(gettext("恢复会覆盖当前全部数据。确认后请加 --yes 再执行。"))
        try:
            restore_database(file)
        except (FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(gettext("已从 {file} 恢复。").format(file=file)))
