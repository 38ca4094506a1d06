from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from crm import search


class Command(BaseCommand):
    help = gettext("重建全文检索文档（按批提交），例如导入数据或升级分词词典之后。")

    def add_arguments(self, parser):
        parser.add_argument("models", nargs="*", help=gettext("只重建这些记录类型，如 complaints.complaint（默认全部）"))
        parser.add_argument("--chunk", type=int, default=2000, help=gettext("每批记录数"))
        parser.add_argument("--missing", action="store_true", help=gettext("只为还没有检索文档的记录生成"))

    def handle(self, *args, models=(), chunk=2000, missing=False, **options):
        chosen = []
        for label in models or [None]:
            if label is None:
                chosen.append(None)
                continue
            if label.lower() not in search.REGISTRY:
                raise CommandError(gettext("不可检索的记录类型：{label}").format(label=label))
            chosen.append(apps.get_model(label))
        total = sum(search.rebuild(model, chunk=chunk, missing=missing) for model in chosen)
        self.stdout.write(self.style.SUCCESS(gettext("已重建检索文档：{n} 条").format(n=total)))
