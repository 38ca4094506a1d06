"""The shared approval step: disposal plans, SLA extensions, forum and club plans, agency
agreements, requests to open a customer out of scope.

A host model declares its ``ApprovalStep`` beside its workflow (``Model.approval_step``): the
subject the authority matrix (``ApprovalRule``) is read for, and the host's transitions that
moving through the step fires. ``approval_submit`` records a numbered version and fires the
host's ``on_submit``; ``approval_decide`` stamps the decider, the time and the comment once,
on the ``ApprovalRequest``, and fires the host's ``on_approve`` or ``on_reject`` in the same
transaction, so a refused host transition undoes the decision (as Wagtail's
``TaskState.approve`` moves its ``WorkflowState`` on). The host keeps no copy of the decision.
The drafter never approves their own version, and two approvers acting at once produce exactly
one decision (compare-and-set on the pending status).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.models import ApprovalRequest, ApprovalRule
from crm.notifications import notify, notify_role
from crm.roles import Role
from crm.scopes import can_open, openable_ids, user_role
from crm.workflow import Workflow

# The defaults of the authority matrix; ``setup_roles`` writes them once, admins edit them (their
# notes are data once seeded: written in the office language).
DEFAULT_RULES = [  # i18n: data
    ("complaints.disposal_plan", "", Role.MANAGER, "投诉/纠纷处置方案由公司主管经理审批"),
    ("complaints.disposal_plan", "minor", Role.MANAGER, "轻微投诉方案可改为客户事务部主管审批"),
    ("complaints.extension", "minor", Role.CS_SUPERVISOR, "轻微投诉延长时限由主管批准"),
    ("complaints.extension", "", Role.MANAGER, "重要/重大投诉延长时限由部门经理批准"),
    ("clubs.forum_plan", "", Role.MANAGER, "客户座谈会方案由公司主管经理审批"),
    ("clubs.club_plan", "", Role.MANAGER, "客户会成立及活动方案由公司主管经理审批"),
    ("mortgage.agency_agreement", "", Role.MANAGER, "产权证代办协议由公司主管经理审批"),
    ("owners.access_request", "", Role.CS_SUPERVISOR, "调阅范围外客户由客户事务部主管批准（当天有效）"),
]

SUBMIT, APPROVE, REJECT = "submit", "approve", "reject"  # the events of a step
NOTHING_PENDING = _("没有待审批的版本，或该版本已有审批结果，请刷新页面。")


@dataclass(frozen=True)
class ApprovalStep:
    """How a host model rides on the approval step; declared once, as ``Model.approval_step``.

    ``on_submit``/``on_approve``/``on_reject`` name the transitions of the host's ``workflow``
    that the step fires ("" fires none: an SLA clock keeps its state). ``values(event)`` gives
    fields the host's transition writes with its state (a grant's date). ``effect`` is the
    host's own consequence of an event beyond its state (a timeline line, a moved deadline):
    ``effect(target, request, event=..., user=...)``, or its dotted path when it lives in the
    host's services; it runs after the decision is stamped, so it reads the stamped request, and a
    refusal it raises undoes the whole step."""

    subject: str
    workflow: Workflow | None = None
    on_submit: str = ""
    on_approve: str = ""
    on_reject: str = ""
    values: Callable[[str], dict] | None = None
    effect: Callable | str | None = None
    reject_needs_comment: bool = True  # a plan's drafter must learn what to change

    def transition(self, event: str) -> str:
        return {SUBMIT: self.on_submit, APPROVE: self.on_approve, REJECT: self.on_reject}[event]

    def advance(self, target, event: str, *, user) -> None:
        """Fire the host's transition for ``event`` (its role, state and guard checks refuse)."""
        name = self.transition(event)
        if name:
            self.workflow.fire(target, name, user=user, updates=self.values(event) if self.values else None)

    def after(self, target, request: ApprovalRequest, event: str, *, user) -> None:
        if self.effect is not None:
            effect = import_string(self.effect) if isinstance(self.effect, str) else self.effect
            effect(target, request, event=event, user=user)


def step_of(target) -> ApprovalStep | None:
    """The step ``target``'s model declares (None: a bare approval that moves nothing)."""
    return getattr(type(target), "approval_step", None)


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
        raise ValidationError(gettext("未配置“{subject}”的审批权限，请联系系统管理员。").format(subject=subject))
    return role


def approvals_for(target):
    """Every version of a target's plan, oldest first."""
    ct = ContentType.objects.get_for_model(target)
    return ApprovalRequest.objects.filter(content_type=ct, object_id=target.pk).select_related("submitted_by", "decided_by")


def approvals_for_many(targets: list) -> dict:
    """{target id: its latest version} for records of one model, in one query (a list page)."""
    if not targets:
        return {}
    ct = ContentType.objects.get_for_model(targets[0])
    latest = {}
    for request in ApprovalRequest.objects.filter(content_type=ct, object_id__in=[t.pk for t in targets]).select_related(
            "submitted_by", "decided_by"):
        latest[request.object_id] = request  # ordered by version: the last one stays
    return latest


def decidable_by(user):
    """The pending versions ``user`` may decide: the matrix named their role (a superuser: any),
    they did not submit them, and they may open the record (``check_decider``): one query for the
    versions, then one per kind of record among them (crm.scopes.openable_ids)."""
    pending = ApprovalRequest.objects.filter(status=ApprovalRequest.Status.PENDING).exclude(submitted_by=user)
    if not user.is_superuser:
        pending = pending.filter(approver_role=user_role(user))
    by_kind: dict[int, list[tuple[int, int]]] = {}
    for pk, kind, object_id in pending.values_list("pk", "content_type_id", "object_id"):
        by_kind.setdefault(kind, []).append((pk, object_id))
    mine = []
    for kind, rows in by_kind.items():
        label = ContentType.objects.get_for_id(kind).model_class()._meta.label_lower
        may_open = openable_ids(user, label, [object_id for _pk, object_id in rows])
        mine += [pk for pk, object_id in rows if object_id in may_open]
    return pending.filter(pk__in=mine)


def pending_for(target) -> ApprovalRequest | None:
    return approvals_for(target).filter(status=ApprovalRequest.Status.PENDING).first()


def approved_at(target):
    """When the version now in force was approved (the latest approval), or None."""
    return (approvals_for(target).filter(status=ApprovalRequest.Status.APPROVED).order_by("-decided_at")
            .values_list("decided_at", flat=True).first())


def check_decider(user, request: ApprovalRequest | None, target=None) -> None:
    """Raise unless ``user`` may decide ``request`` now: theirs is the role the authority matrix
    named when it was submitted, it is still pending, they did not submit it, and they may open
    its record (``target``, when the caller holds it; crm.scopes.can_open, the record page's own
    check: a role the matrix names may be one whose holders see only some projects). The one rule
    behind the approve/reject buttons, the pages that take a decision and ``approval_decide``."""
    if request is None:
        raise ValidationError(NOTHING_PENDING)
    check_approver(user, request)
    if request.status != ApprovalRequest.Status.PENDING:
        raise ValidationError(NOTHING_PENDING)
    if request.submitted_by_id == user.pk:
        raise PermissionDenied(_("不能审批自己提交的方案。"))
    if not can_open(user, request.target if target is None else target):
        raise PermissionDenied(_("该事项不在您的查看范围内，不能审批。"))


def check_approver(user, request: ApprovalRequest) -> None:
    """Raise unless the matrix named ``user``'s role for ``request`` (decided or not): what a
    page that takes decisions checks before anything else."""
    if not (user.is_superuser or user_role(user) == request.approver_role):
        raise PermissionDenied(gettext("该事项须由“{role}”审批。").format(role=request.get_approver_role_display()))


def can_decide(request: ApprovalRequest | None, user) -> bool:
    try:
        check_decider(user, request)
    except (PermissionDenied, ValidationError):
        return False
    return True


def approval_guard(target, user) -> None:
    """A workflow guard for an approve/reject transition: the pending version of ``target``
    must be this user's to decide."""
    check_decider(user, pending_for(target), target)


def approval_submit(*, target, title: str, content: str, submitted_by, subject: str = "", level: str = "",
                    snapshot: dict | None = None, url: str = "") -> ApprovalRequest:
    """Submit a new version of ``target``'s plan for approval; the host's ``on_submit``
    transition fires in the same transaction (its checks refuse before anything is written)."""
    with transaction.atomic():
        step = step_of(target)
        subject = subject or getattr(step, "subject", "")
        if not subject:
            raise ValueError("approval_submit: a target without an approval_step needs a subject")
        if not content.strip():
            raise ValidationError(_("方案内容不能为空。"))
        ct = ContentType.objects.get_for_model(target)
        role = approver_role_for(subject, level)
        if step is not None:
            step.advance(target, SUBMIT, user=submitted_by)
        versions = ApprovalRequest.objects.filter(content_type=ct, object_id=target.pk)
        last = versions.aggregate(v=Max("version"))["v"] or 0
        try:
            with transaction.atomic():
                request = ApprovalRequest(
                    content_type=ct, object_id=target.pk, subject=subject, level=level, version=last + 1,
                    title=title, content=content, snapshot=snapshot or {}, approver_role=role,
                    submitted_by=submitted_by,
                )
                request._history_user = submitted_by
                request.save()
        except IntegrityError as exc:
            raise ValidationError(_("该事项已有待审批的版本，请等待审批结果。")) from exc
        if step is not None:
            step.after(target, request, SUBMIT, user=submitted_by)
        notify_role(role, title=format_lazy(_("待审批：{title}（第{version}版）"), title=title,
                                            version=request.version),
                    url=url, target=target, dedupe_key=f"approval:{request.pk}:submitted")
        return request


def approval_decide(*, user, approve: bool, comment: str = "", url: str = "", request_id: int | None = None,
                    target=None) -> ApprovalRequest:
    """Approve or reject a pending version (``request_id``, or ``target``'s pending one): the
    host's ``on_approve``/``on_reject`` transition fires, the decider, time and comment are
    stamped on the request, and the host's effect follows, all in one transaction. Exactly one
    of two concurrent decisions wins."""
    with transaction.atomic():
        request = ApprovalRequest.objects.get(pk=request_id) if request_id is not None else pending_for(target)
        check_decider(user, request)
        if target is None:
            target = request.target
        elif ((request.content_type_id, request.object_id)
              != (ContentType.objects.get_for_model(target).pk, target.pk)):
            raise ValidationError(_("审批版本与办理事项不符，请刷新页面。"))
        step = step_of(target)
        comment = comment.strip()
        if not approve and not comment and (step is None or step.reject_needs_comment):
            raise ValidationError(_("驳回时请填写审批意见，说明需要修改的地方。"))
        event = APPROVE if approve else REJECT
        if step is not None:
            # The host moves while the version is still pending (its guard asks for the pending
            # version's decider); the decision follows in the same transaction.
            step.advance(target, event, user=user)
        status = ApprovalRequest.Status.APPROVED if approve else ApprovalRequest.Status.REJECTED
        changed = ApprovalRequest.objects.filter(pk=request.pk, status=ApprovalRequest.Status.PENDING).update(
            status=status, decided_by=user, decided_at=timezone.now(), comment=comment
        )
        if changed != 1:
            raise ValidationError(_("该版本已有审批结果，请刷新页面。"))
        request.refresh_from_db()
        request._history_user = user
        request.save(update_fields=["status"])  # one history entry for the decision
        if step is not None:
            step.after(target, request, event, user=user)
        verdict = _("{title}（第{version}版）已批准") if approve else _("{title}（第{version}版）被驳回")
        notify(recipients=[request.submitted_by],
               title=format_lazy(verdict, title=request.title, version=request.version),
               body=comment, url=url, target=target, dedupe_key=f"approval:{request.pk}:decided")
        return request
