"""The register's counts per project (RegisterTally, issue 14 §2). The triggers that keep them
are installed after every migrate by ``complaints.tally`` (a post_migrate handler, as Django
installs permissions), which also fills the table the first time."""
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0009_merge_estimated_return_visit"),
        ("owners", "0002_customer_budget_customer_need_area_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegisterTally",
            fields=[
                ("project", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                                 related_name="+", serialize=False, to="owners.project",
                                                 verbose_name="项目")),
                ("total", models.BigIntegerField(default=0, verbose_name="案件")),
                ("classify", models.BigIntegerField(default=0, verbose_name="待界定")),
                ("approve", models.BigIntegerField(default=0, verbose_name="待审批")),
                ("due", models.BigIntegerField(default=0, verbose_name="即将到期")),
                ("breached", models.BigIntegerField(default=0, verbose_name="已超时")),
                ("visits", models.BigIntegerField(default=0, verbose_name="待回访")),
            ],
            options={"verbose_name": "登记簿计数", "verbose_name_plural": "登记簿计数"},
        ),
    ]
