from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from crm.backup import backup_database


class Command(BaseCommand):
    help = gettext("备份数据库到带日期的文件（SQLite 在线备份 / PostgreSQL pg_dump），并按保留份数清理旧备份。")

    def add_arguments(self, parser):
        parser.add_argument("--dir", help=gettext("备份目录（默认 CRM_BACKUP_DIR 或 var/backups）"))

    def handle(self, *args, dir=None, **options):
        path = backup_database(dir)
        self.stdout.write(self.style.SUCCESS(gettext("已备份：{path}").format(path=path)))
