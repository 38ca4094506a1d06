"""The return visit runs beside the corrective action (issue 13, defect 9).

It used to be a step after the supervisor verified the corrective action (state ``visited``),
so a corrective action taking more than a day made the 1-day return visit late. It is now a
track of its own (``visit_state``), due from disposal; closing needs it done and the
corrective action verified. Existing cases: a disposed case with a return visit on file is
``done``, one without is ``due``; a case in the old state ``visited`` had its corrective
action verified, so it is ``corrected`` with its visit done.
"""
from django.db import migrations, models
from django.db.models import Exists, OuterRef

LONG_KINDS = ("complaint", "dispute")


def to_tracks(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    ReturnVisit = apps.get_model("complaints", "ReturnVisit")
    disposed = Complaint.objects.filter(kind__in=LONG_KINDS, disposed_at__isnull=False)
    visited = Exists(ReturnVisit.objects.filter(complaint_id=OuterRef("pk")))
    disposed.filter(visited).update(visit_state="done")
    disposed.exclude(visited).update(visit_state="due")
    Complaint.objects.filter(state="visited").update(state="corrected", visit_state="done")


def to_one_line(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    Complaint.objects.filter(state="corrected", visit_state="done").update(state="visited")


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0007_major_resolve_in_calendar_days'),
    ]

    operations = [
        migrations.AddField(
            model_name='complaint',
            name='visit_state',
            field=models.CharField(blank=True, choices=[('', '未处置'), ('due', '待回访'), ('done', '已回访')], default='', max_length=10, verbose_name='回访状态'),
        ),
        migrations.AddField(
            model_name='historicalcomplaint',
            name='visit_state',
            field=models.CharField(blank=True, choices=[('', '未处置'), ('due', '待回访'), ('done', '已回访')], default='', max_length=10, verbose_name='回访状态'),
        ),
        migrations.AlterField(
            model_name='complaint',
            name='state',
            field=models.CharField(choices=[('registered', '已登记'), ('transferred', '已转交'), ('classified', '已界定'), ('investigated', '已调查'), ('plan_pending', '方案待审批'), ('plan_rejected', '方案被驳回'), ('plan_approved', '方案已批准'), ('negotiation_failed', '磋商未达成'), ('agreed', '已达成一致'), ('executed', '已处置'), ('fed_back', '已反馈'), ('correcting', '纠正措施进行中'), ('corrected', '纠正措施已验证'), ('replied', '已答复'), ('closed', '已关闭'), ('archived', '已归档')], db_index=True, default='registered', max_length=20, verbose_name='状态'),
        ),
        migrations.AlterField(
            model_name='historicalcomplaint',
            name='state',
            field=models.CharField(choices=[('registered', '已登记'), ('transferred', '已转交'), ('classified', '已界定'), ('investigated', '已调查'), ('plan_pending', '方案待审批'), ('plan_rejected', '方案被驳回'), ('plan_approved', '方案已批准'), ('negotiation_failed', '磋商未达成'), ('agreed', '已达成一致'), ('executed', '已处置'), ('fed_back', '已反馈'), ('correcting', '纠正措施进行中'), ('corrected', '纠正措施已验证'), ('replied', '已答复'), ('closed', '已关闭'), ('archived', '已归档')], db_index=True, default='registered', max_length=20, verbose_name='状态'),
        ),
        migrations.RunPython(to_tracks, to_one_line),
    ]
