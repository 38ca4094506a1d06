"""The shared approval step: disposal plans, forum plans, club plans, agency agreements.

A subject (e.g. ``complaints.disposal_plan``) is submitted as a numbered version; the role
that the authority matrix (``ApprovalRule``) names approves or rejects it with a comment.
The drafter never approves their own version, and two approvers acting at once produce
exactly one decision (compare-and-set on the pending status). The calling app's service
moves its own workflow on in the same transaction.
"""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from crm.models import ApprovalRequest, ApprovalRule
from crm.notifications import notify, notify_role
from crm.roles import Role
from crm.scopes import user_role

# The defaults of the authority matrix; ``setup_roles`` writes them once, admins edit them.
DEFAULT_RULES = [
    ("complaints.disposal_plan", "", Role.MANAGER, "投诉/纠纷处置方案由公司主管经理审批"),
    ("complaints.disposal_plan", "minor", Role.MANAGER, "轻微投诉方案可改为客户事务部主管审批"),
    ("complaints.extension", "minor", Role.CS_SUPERVISOR, "轻微投诉延长时限由主管批准"),
    ("complaints.extension", "", Role.MANAGER, "重要/重大投诉延长时限由部门经理批准"),
    ("clubs.forum_plan", "", Role.MANAGER, "客户座谈会方案由公司主管经理审批"),
    ("clubs.club_plan", "", Role.MANAGER, "客户会成立及活动方案由公司主管经理审批"),
    ("mortgage.agency_agreement", "", Role.MANAGER, "产权证代办协议由公司主管经理审批"),
]


def ensure_default_rules() -> int:
    created = 0
    for subject, level, role, description in DEFAULT_RULES:
        _rule, was_created = ApprovalRule.objects.get_or_create(
            subject=subject, level=level, defaults={"approver_role": role, "description": description}
        )
        created += was_created
    return created


def approver_role_for(subject: str, level: str = "") -> str:
    rules = dict(ApprovalRule.objects.filter(subject=subject, level__in=[level, ""]).values_list("level", "approver_role"))
    role = rules.get(level) or rules.get("")
    if role is None:
        raise ValidationError(f"未配置“{subject}”的审批权限，请联系系统管理员。")
    return role


def approvals_for(target):
    """Every version of a target's plan, oldest first."""
    ct = ContentType.objects.get_for_model(target)
    return ApprovalRequest.objects.filter(content_type=ct, object_id=target.pk).select_related("submitted_by", "decided_by")


def pending_for(target) -> ApprovalRequest | None:
    return approvals_for(target).filter(status=ApprovalRequest.Status.PENDING).first()


def approved_at(target):
    """When the version now in force was approved (the latest approval), or None."""
    return (approvals_for(target).filter(status=ApprovalRequest.Status.APPROVED).order_by("-decided_at")
            .values_list("decided_at", flat=True).first())


def check_decider(user, request: ApprovalRequest | None) -> None:
    """Raise unless ``user`` may decide ``request`` now: it is pending, they did not submit it,
    and theirs is the role the authority matrix named when it was submitted. The one rule
    behind both the approve/reject buttons and ``approval_decide``."""
    if request is None or request.status != ApprovalRequest.Status.PENDING:
        raise ValidationError("没有待审批的版本，或该版本已有审批结果，请刷新页面。")
    if request.submitted_by_id == user.pk:
        raise PermissionDenied("不能审批自己提交的方案。")
    if not (user.is_superuser or user_role(user) == request.approver_role):
        raise PermissionDenied(f"该方案须由“{request.get_approver_role_display()}”审批。")


def can_decide(request: ApprovalRequest | None, user) -> bool:
    try:
        check_decider(user, request)
    except (PermissionDenied, ValidationError):
        return False
    return True


def approval_guard(target, user) -> None:
    """A workflow guard for an approve/reject transition: the pending version of ``target``
    must be this user's to decide."""
    check_decider(user, pending_for(target))


@transaction.atomic
def approval_submit(*, target, subject: str, title: str, content: str, submitted_by, level: str = "",
                    snapshot: dict | None = None, url: str = "") -> ApprovalRequest:
    """Submit a new version of ``target``'s plan for approval."""
    if not content.strip():
        raise ValidationError("方案内容不能为空。")
    ct = ContentType.objects.get_for_model(target)
    role = approver_role_for(subject, level)
    last = ApprovalRequest.objects.filter(content_type=ct, object_id=target.pk).aggregate(v=Max("version"))["v"] or 0
    try:
        with transaction.atomic():
            request = ApprovalRequest(
                content_type=ct, object_id=target.pk, subject=subject, level=level, version=last + 1,
                title=title, content=content, snapshot=snapshot or {}, approver_role=role, submitted_by=submitted_by,
            )
            request._history_user = submitted_by
            request.save()
    except IntegrityError as exc:
        raise ValidationError("该事项已有待审批的版本，请等待审批结果。") from exc
    notify_role(role, title=format_lazy(_("待审批：{title}（第{version}版）"), title=title, version=request.version),
                url=url, target=target,
                dedupe_key=f"approval:{request.pk}:submitted")
    return request


@transaction.atomic
def approval_decide(*, request_id: int, user, approve: bool, comment: str = "", url: str = "") -> ApprovalRequest:
    """Approve or reject a pending version. Exactly one of two concurrent decisions wins."""
    request = ApprovalRequest.objects.get(pk=request_id)
    check_decider(user, request)
    if not approve and not comment.strip():
        raise ValidationError("驳回时请填写审批意见，说明需要修改的地方。")
    status = ApprovalRequest.Status.APPROVED if approve else ApprovalRequest.Status.REJECTED
    changed = ApprovalRequest.objects.filter(pk=request_id, status=ApprovalRequest.Status.PENDING).update(
        status=status, decided_by=user, decided_at=timezone.now(), comment=comment.strip()
    )
    if changed != 1:
        raise ValidationError("该版本已有审批结果，请刷新页面。")
    request.refresh_from_db()
    request._history_user = user
    request.save(update_fields=["status"])  # one history entry for the decision
    verdict = _("{title}（第{version}版）已批准") if approve else _("{title}（第{version}版）被驳回")
    notify(recipients=[request.submitted_by], title=format_lazy(verdict, title=request.title, version=request.version),
           body=comment, url=url, target=request.target, dedupe_key=f"approval:{request.pk}:decided")
    return request
