"""Access requests are decided through crm's shared approval step.

Each existing request gets its ``crm.ApprovalRequest`` (version 1), stamped with the decider and
the time the request held, and the role that decided requests when it was made (the customer-
affairs supervisor); the matrix gets its ``owners.access_request`` rule if setup_roles has not
written it yet. Then the request's own copies of the stamps go.
"""
from django.db import migrations

SUBJECT = "owners.access_request"
ROLE = "cs_supervisor"  # the role that was hard-coded for these requests


def to_approval_requests(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AccessRequest = apps.get_model("owners", "AccessRequest")
    ApprovalRequest = apps.get_model("crm", "ApprovalRequest")
    HistoricalApprovalRequest = apps.get_model("crm", "HistoricalApprovalRequest")
    ApprovalRule = apps.get_model("crm", "ApprovalRule")
    ApprovalRule.objects.get_or_create(subject=SUBJECT, level="", defaults={
        "approver_role": ROLE, "description": "调阅范围外客户由客户事务部主管批准（当天有效）"})
    ct, _ = ContentType.objects.get_or_create(app_label="owners", model="accessrequest")
    done = set(ApprovalRequest.objects.filter(content_type=ct).values_list("object_id", flat=True))
    for req in AccessRequest.objects.select_related("customer").exclude(pk__in=done).iterator():
        approval = ApprovalRequest.objects.create(
            content_type=ct, object_id=req.pk, subject=SUBJECT, version=1,
            title=f"范围外客户调阅申请：{req.customer.code}", content=req.reason, approver_role=ROLE,
            submitted_by_id=req.requested_by_id, status=req.status, decided_by_id=req.decided_by_id,
            decided_at=req.decided_at)
        ApprovalRequest.objects.filter(pk=approval.pk).update(submitted_at=req.requested_at)  # auto_now_add
        approval.refresh_from_db()
        HistoricalApprovalRequest.objects.create(
            **{f.attname: getattr(approval, f.attname) for f in ApprovalRequest._meta.concrete_fields},
            history_date=approval.decided_at or approval.submitted_at, history_type="+",
            history_change_reason="调阅申请迁入共享审批", history_user_id=req.decided_by_id or req.requested_by_id)


def to_access_requests(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AccessRequest = apps.get_model("owners", "AccessRequest")
    ApprovalRequest = apps.get_model("crm", "ApprovalRequest")
    ct = ContentType.objects.filter(app_label="owners", model="accessrequest").first()
    if ct is None:
        return
    for approval in ApprovalRequest.objects.filter(content_type=ct).order_by("version"):
        AccessRequest.objects.filter(pk=approval.object_id).update(decided_by_id=approval.decided_by_id,
                                                                   decided_at=approval.decided_at)
    ApprovalRequest.objects.filter(content_type=ct).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("crm", "0006_notification_delivery_claim"),
        ("owners", "0002_customer_budget_customer_need_area_and_more"),
    ]

    operations = [
        migrations.RunPython(to_approval_requests, to_access_requests),
        migrations.RemoveField(model_name="accessrequest", name="decided_at"),
        migrations.RemoveField(model_name="accessrequest", name="decided_by"),
        migrations.RemoveField(model_name="historicalaccessrequest", name="decided_at"),
        migrations.RemoveField(model_name="historicalaccessrequest", name="decided_by"),
    ]
