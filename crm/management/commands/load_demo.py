from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext

from crm.demo import DEMO_PASSWORD, DEMO_USERS, load_all


class Command(BaseCommand):
    help = gettext("载入演示数据（每个角色一个账号，以及各业务的演示记录）；可重复执行，不会重复创建。")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(gettext("生产模式下禁止载入演示数据和演示账号。"))
        call_command("setup_roles", verbosity=0)
        with transaction.atomic():
            load_all(self.stdout.write)
        self.stdout.write(self.style.SUCCESS(gettext("演示数据已就绪。演示账号（密码均为 {password}）：").format(
            password=DEMO_PASSWORD)))
        for role, (name, _password) in DEMO_USERS.items():
            self.stdout.write(f"  {role:<18} {name}")
        from portal.demo import DEMO_OWNERS

        self.stdout.write(gettext("业主端 /m/（手机号登录，开发环境验证码显示在页面上）：{phones}").format(
            phones="、".join(phone for _username, phone in DEMO_OWNERS)))
