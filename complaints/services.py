"""Every write of the complaints app: one function per transition.

Each service checks the transition through the workflow (role and current state, a
compare-and-set in the database), records what happened on the case's timeline, moves
the SLA clocks, and notifies. Views and Celery tasks only call these.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from crm import events
from crm.approvals import APPROVE, SUBMIT, approval_decide, approval_submit
from crm.languages import recorded
from crm.notifications import notify, notify_role
from crm.roles import Role
from crm.scopes import visible_projects
from crm.sequences import next_value
from crm.workflow import update_with_history
from owners.identity import phone_key

from . import sla
from .clocks import (
    SEVERITY_CLOCKS, clock_start, clocks_cancel, clocks_stop, event_major_check, refresh_next_deadline, sla_rules,
)
from .models import (
    COMPLAINT_FLOW, NUMBER_PREFIX, PLAN_STEP, Complaint, ComplaintReport, CorrectiveAction, DisposalPlan, Event, Kind,
    OPEN_STATES, NegotiationRound, ReturnVisit, Severity, State, VisitState,
)
from .timeline import case_url, check_writable, ensure_open, require, timeline_add


def digits(text: str) -> str:
    """The phone's digits as the owner identity compares them (owners.identity.phone_key)."""
    return phone_key(text)


# The transitions other systems hear of (crm.events; the API's webhooks).
FIRED_EVENTS = {
    "classify_valid": (events.CASE_CLASSIFIED,),
    "classify_invalid": (events.CASE_CLASSIFIED, events.CASE_CLOSED),
    "close": (events.CASE_CLOSED,),
    "return_visit": (events.RETURN_VISIT_RECORDED,),
}


def case_event(complaint, event_type: str) -> None:
    """Publish what happened to a case: its ids and state, no personal data."""
    events.publish(event_type, project_id=complaint.project_id, data={
        "id": complaint.pk, "number": complaint.number, "kind": complaint.kind, "state": complaint.state,
        "visit_state": complaint.visit_state, "valid": complaint.valid, "severity": complaint.severity,
        "project": complaint.project_id, "satisfaction": complaint.satisfaction})


def _fire(complaint, name: str, *, user, updates: dict | None = None, text: str = "") -> Complaint:
    """Fire ``name`` (its stamps set by the workflow), write the timeline entry and publish the
    transition's events (``FIRED_EVENTS``): every transition of a case passes here, once."""
    ensure_open(complaint)
    transition = complaint.workflow.check(complaint, name, user)
    complaint.workflow.fire(complaint, name, user=user, updates=updates)
    timeline_add(complaint, user, name, recorded(_("{label}：{text}"), label=transition.label, text=text) if text
                 else recorded(transition.label))
    for event_type in FIRED_EVENTS.get(name, ()):
        case_event(complaint, event_type)
    return complaint


def _check(complaint, name: str, user) -> None:
    ensure_open(complaint)
    complaint.workflow.check(complaint, name, user)


# --- Registration ---------------------------------------------------------------------------


@transaction.atomic
def complaint_register(*, received_by, kind: str, channel: str, category: str, title: str, description: str,
                       project=None, customer=None, unit=None, complainant_name: str = "",
                       complainant_phone: str = "", received_at: dt.datetime | None = None, first_responder=None,
                       needs_transfer: bool = False, owner_requested_by=None, promised_by=None,
                       forwarded_by_company=None, event=None, attachment=None, same_event_as=None) -> Complaint:
    """Register a case (受理登记) with a readable number per kind and start its first clocks;
    ``attachment``: a file the front desk received with it (refused, the case is not saved);
    ``same_event_as``: an open case the front desk recognised as the same event (a likely
    duplicate shown at intake): the new case joins that case's event, created and named after
    it when it has none, so the five-owner rule counts both."""
    if kind not in Kind.values:
        raise ValidationError(_("请选择正确的类型。"))
    project = project or (unit.project if unit else None) or (customer.project if customer else None)
    if project is None:
        raise ValidationError(_("请选择业主、房号或项目。"))
    if not visible_projects(received_by).filter(pk=project.pk).exists():
        raise PermissionDenied(_("该项目不在您的权限范围内。"))
    if unit is not None and unit.project_id != project.pk:
        raise ValidationError(_("房号不属于所选项目。"))
    name = (complainant_name or (customer.name if customer else "")).strip()
    phone = (complainant_phone or (customer.phone if customer else "")).strip()
    if not name or not phone:
        raise ValidationError(_("请选择业主，或填写投诉人姓名和联系电话。"))
    received_at = received_at or timezone.now()
    year = timezone.localtime(received_at).year
    number = f"{NUMBER_PREFIX[kind]}-{year}-{next_value(f'complaints.{kind}.{year}'):06d}"
    complaint = Complaint(
        number=number, kind=kind, channel=channel, category=category, title=title.strip(),
        description=description.strip(), project=project, customer=customer, unit=unit, complainant_name=name,
        complainant_phone=phone, phone_digits=digits(phone), received_at=received_at, received_by=received_by,
        first_responder=first_responder or received_by, needs_transfer=needs_transfer,
        owner_requested_by=owner_requested_by, promised_by=promised_by, forwarded_by_company=forwarded_by_company,
    )
    complaint._history_user = received_by
    complaint.save()
    values = {"kind": complaint.get_kind_display(), "channel": complaint.get_channel_display(), "title": title,
              "company": forwarded_by_company}
    timeline_add(complaint, received_by, "register", recorded(
        _("受理登记（{company}转交）：{kind}，{channel}，{title}") if forwarded_by_company
        else _("受理登记：{kind}，{channel}，{title}"), **values))
    rules = sla_rules()
    if needs_transfer:
        clock_start(complaint, sla.TRANSFER, start=received_at, rules=rules)
    if kind == Kind.NEED:
        clock_start(complaint, sla.NEED_REPLY, start=received_at, promised_by=promised_by, rules=rules)
    refresh_next_deadline([complaint.pk])
    if same_event_as is not None:
        event = event_of(complaint=same_event_as, user=received_by, joining=complaint)
    if event is not None:
        event_link(complaint=complaint, event=event, user=received_by)
    if attachment is not None:
        attachment_add(complaint=complaint, user=received_by, upload=attachment)
    complaint.refresh_from_db()
    case_event(complaint, events.CASE_CREATED)
    return complaint


@transaction.atomic
def complaint_transfer(*, complaint, user, department=None, handler=None, note: str = "") -> Complaint:
    """Transfer to the responsible department (within 10 minutes when the first responder cannot handle it)."""
    now = timezone.now()
    target = "、".join(str(x) for x in (department, handler) if x) or recorded(_("责任部门"))
    _fire(complaint, "transfer", user=user, updates={"department": department, "handler": handler},
          text=recorded(_("转交{target}，{note}") if note else _("转交{target}"), target=target, note=note))
    clocks_stop([complaint.pk], [sla.TRANSFER], at=now)
    refresh_next_deadline([complaint.pk])
    if handler:
        notify(recipients=[handler], title=format_lazy(_("新转交的案件：{number}"), number=complaint.number),
               body=complaint.title,
               url=case_url(complaint), target=complaint, dedupe_key=f"complaint:{complaint.pk}:handler:{handler.pk}")
    return complaint


def _notify_superiors(complaint, severity: str) -> None:
    if severity not in (Severity.MAJOR, Severity.IMPORTANT):
        return
    title = format_lazy(_("{severity}投诉：{number} {title}"), severity=Severity(severity).label,
                        number=complaint.number, title=complaint.title)
    for role in (Role.CS_SUPERVISOR, Role.MANAGER):
        notify_role(role, title=title, body=complaint.major_reason,
                    url=case_url(complaint), target=complaint, level="warning",
                    dedupe_key=f"complaint:{complaint.pk}:severity:{severity}")


@transaction.atomic
def complaint_classify(*, complaint, user, valid: bool, severity: str = "", reason: str = "") -> Complaint:
    """界定性质: invalid (explained, then closed) or valid with a severity; major and important
    cases are reported to the superiors at once."""
    if not valid:
        reason = require(reason, _("界定为无效时，请填写向业主的解释说明。"))
        _fire(complaint, "classify_invalid", user=user, updates={"valid": False, "invalid_reason": reason}, text=reason)
        clocks_cancel([complaint.pk], [sla.TRANSFER])
        refresh_next_deadline([complaint.pk])
        return complaint
    if complaint.major_reason:
        severity = Severity.MAJOR  # an automatic rule already made it major
    if severity not in Severity.values:
        raise ValidationError(_("请选择严重程度（重大、重要或轻微）。"))
    _fire(complaint, "classify_valid", user=user, updates={"valid": True, "severity": severity},
          text=recorded(_("有效，{severity}（{reason}）") if reason else _("有效，{severity}"),
                        severity=Severity(severity).label, reason=reason))
    clocks_stop([complaint.pk], [sla.TRANSFER], at=complaint.classified_at)
    rules = sla_rules()
    for code in sla.SEVERITY_RULES[severity]:
        clock_start(complaint, code, start=complaint.received_at,
                    requested_by=complaint.owner_requested_by if code == sla.MINOR else None, rules=rules)
    refresh_next_deadline([complaint.pk])
    _notify_superiors(complaint, severity)
    return complaint


@transaction.atomic
def complaint_investigate(*, complaint, user, cause: str, responsibility: str) -> Complaint:
    cause = require(cause, _("请填写原因分析。"))
    responsibility = require(responsibility, _("请填写责任认定。"))
    updates = {"cause": cause, "responsibility": responsibility}
    if complaint.handler_id is None:
        updates["handler"] = user
    return _fire(complaint, "investigate", user=user, updates=updates, text=recorded(
        _("原因：{cause}；责任：{responsibility}"), cause=cause, responsibility=responsibility))


# --- Disposal plan and its approval ---------------------------------------------------------


@transaction.atomic
def plan_submit(*, complaint, user, content: str) -> DisposalPlan:
    """Submit a new version of the disposal plan to the approver the authority matrix names
    (crm's approval step moves the case, ``plan_recorded`` keeps the version)."""
    content = require(content, _("请填写处置方案内容。"))
    _check(complaint, "submit_plan", user)
    approval = approval_submit(
        target=complaint, title=recorded(_("{number} 处置方案"), number=complaint.number), content=content,
        submitted_by=user,
        level=complaint.severity, snapshot={"severity": complaint.severity}, url=case_url(complaint),
    )
    return DisposalPlan.objects.get(approval=approval)


@transaction.atomic
def plan_decide(*, complaint, user, approve: bool, comment: str = "") -> DisposalPlan:
    """Approve or reject the pending plan version; the case moves on in the same transaction."""
    _check(complaint, "approve_plan" if approve else "reject_plan", user)  # role, state, and this version's decider
    approval = approval_decide(target=complaint, user=user, approve=approve, comment=comment, url=case_url(complaint))
    return DisposalPlan.objects.get(approval=approval)


def plan_recorded(complaint, approval, *, event: str, user) -> None:
    """What the case keeps of each step of its plan's approval (``PLAN_STEP``'s effect): the
    version's row when it is submitted, and a timeline line for every step."""
    if event == SUBMIT:
        plan = DisposalPlan(complaint=complaint, version=approval.version, content=approval.content,
                            approval=approval, drafted_by=user)
        plan._history_user = user
        plan.save()
        message = _("第{version}版：{content}")
    elif event == APPROVE:
        message = _("第{version}版批准，意见：{comment}") if approval.comment else _("第{version}版批准")
        _tell_owner(complaint, format_lazy(_("{number} 的处理方案已确定，请您确认"), number=complaint.number),
                    moment="plan")
    else:
        message = _("第{version}版驳回，意见：{comment}") if approval.comment else _("第{version}版驳回")
    name = PLAN_STEP.transition(event)
    text = recorded(message, version=approval.version, content=approval.content, comment=approval.comment)
    timeline_add(complaint, user, name, recorded(_("{label}：{text}"), label=COMPLAINT_FLOW.get(name).label, text=text))


@transaction.atomic
def negotiation_record(*, complaint, user, agreed: bool, owner_opinion: str) -> NegotiationRound:
    """One negotiation round (磋商) of the approved plan; the first round is the clear answer."""
    owner_opinion = require(owner_opinion, _("请记录业主意见。"))
    name = "negotiate_agree" if agreed else "negotiate_fail"
    _check(complaint, name, user)
    plan = complaint.plans.order_by("-version").first()
    round_ = NegotiationRound(complaint=complaint, plan=plan, number=complaint.rounds.count() + 1, agreed=agreed,
                              owner_opinion=owner_opinion, by=user)
    round_._history_user = user
    round_.save()
    _fire(complaint, name, user=user, text=recorded(_("第{round}轮（方案第{version}版）：{opinion}"),
                                                 round=round_.number, version=plan.version, opinion=owner_opinion))
    clocks_stop([complaint.pk], [sla.MAJOR_ANSWER], at=timezone.now())
    refresh_next_deadline([complaint.pk])
    return round_


@transaction.atomic
def complaint_execute(*, complaint, user, result: str) -> Complaint:
    """处置 and check the result: the disposal clocks stop, the return visit becomes due and its
    clock starts (it runs beside the feedback and the corrective action, never after them)."""
    result = require(result, _("请填写处置及检查结果。"))
    _fire(complaint, "execute", user=user, updates={"execution_result": result, "visit_state": VisitState.DUE},
          text=result)
    now = complaint.disposed_at  # the transition's stamp: the clocks stop and start at that instant
    clocks_stop([complaint.pk], SEVERITY_CLOCKS, at=now)
    rules = sla_rules()
    clock_start(complaint, sla.FEEDBACK, start=now, rules=rules)  # step 7: the owner hears the result that day
    clock_start(complaint, sla.RETURN_VISIT, start=now, rules=rules)
    refresh_next_deadline([complaint.pk])
    _tell_owner(complaint, format_lazy(_("{number} 已处理，请告诉我们您是否满意"), number=complaint.number),
                moment="disposed")
    return complaint


@transaction.atomic
def complaint_feedback(*, complaint, user, feedback: str, owner_opinion: str = "") -> Complaint:
    """反馈 the result to the owner (the same day as disposal: its clock stops) and their opinion."""
    feedback = require(feedback, _("请填写反馈内容。"))
    _fire(complaint, "feedback", user=user, updates={"feedback_text": feedback, "owner_opinion": owner_opinion},
          text=recorded(_("{feedback}；业主意见：{opinion}"), feedback=feedback, opinion=owner_opinion) if owner_opinion
          else feedback)
    clocks_stop([complaint.pk], [sla.FEEDBACK], at=timezone.now())
    refresh_next_deadline([complaint.pk])
    return complaint


@transaction.atomic
def correction_send(*, complaint, user, method: str, departments: str, action: str) -> CorrectiveAction:
    """Send the cause to the departments concerned by a meeting or a numbered 工作联系函."""
    departments = require(departments, _("请填写相关部门。"))
    action = require(action, _("请填写纠正和预防措施。"))
    if method not in CorrectiveAction.Method.values:
        raise ValidationError(_("请选择会议或工作联系函。"))
    _check(complaint, "send_correction", user)
    letter = ""
    if method == CorrectiveAction.Method.LETTER:
        year = timezone.localdate().year
        letter = f"GZLXF-{year}-{next_value(f'complaints.letter.{year}'):04d}"
    correction = CorrectiveAction(complaint=complaint, method=method, letter_number=letter,
                                  departments=departments, action=action, sent_by=user)
    correction._history_user = user
    correction.save()
    _fire(complaint, "send_correction", user=user,
          text=recorded(_("{method}{letter}，发往{departments}：{action}"), method=correction.get_method_display(),
                        letter=letter, departments=departments, action=action))
    return correction


@transaction.atomic
def correction_verify(*, complaint, user, verification: str) -> CorrectiveAction:
    verification = require(verification, _("请填写验证结果。"))
    _check(complaint, "verify_correction", user)
    correction = complaint.corrections.order_by("-sent_at").first()
    correction.verification, correction.verified_by, correction.verified_at = verification, user, timezone.now()
    correction._history_user = user
    correction.save(update_fields=["verification", "verified_by", "verified_at"])
    _fire(complaint, "verify_correction", user=user, text=verification)
    return correction


@transaction.atomic
def return_visit_record(*, complaint, user, handled: bool, satisfaction: int, more_needs: str = "") -> ReturnVisit:
    """回访: was it handled, was the owner satisfied, anything else. Due from disposal, whatever
    the corrective action's progress; the case closes once both are done."""
    if satisfaction not in range(1, 6):
        raise ValidationError(_("满意度请选择 1 到 5。"))
    _check(complaint, "return_visit", user)
    visit = ReturnVisit(complaint=complaint, handled=handled, satisfaction=satisfaction, more_needs=more_needs,
                        by=user)
    visit._history_user = user
    visit.save()
    _fire(complaint, "return_visit", user=user, updates={"satisfaction": satisfaction},
          text=recorded(_("{handled}，满意度{satisfaction}，其他需求：{needs}") if more_needs
                        else _("{handled}，满意度{satisfaction}"), handled=_("已处理") if handled else _("未处理"),
                        satisfaction=satisfaction, needs=more_needs))
    clocks_stop([complaint.pk], [sla.RETURN_VISIT], at=timezone.now())
    refresh_next_deadline([complaint.pk])
    return visit


@transaction.atomic
def complaint_reopen(*, complaint, user, reason: str) -> Complaint:
    """重新处理: a disposed case goes back to the supervisor (not handled, or the owner is not
    satisfied: the online return visit fires this with the owner's words). The return visit is
    due again after the next disposal; the feedback and visit clocks of this round stop."""
    reason = require(reason, _("请填写重新处理的原因。"))
    _fire(complaint, "reopen", user=user, updates={"visit_state": VisitState.NOT_DUE}, text=reason)
    clocks_cancel([complaint.pk], [sla.FEEDBACK, sla.RETURN_VISIT])
    refresh_next_deadline([complaint.pk])
    notify_role(Role.CS_SUPERVISOR, title=format_lazy(_("案件需重新处理：{number}"), number=complaint.number),
                body=reason, url=case_url(complaint), target=complaint, level="warning",
                dedupe_key=f"complaint:{complaint.pk}:reopen:{complaint.timeline.count()}")
    return complaint


@transaction.atomic
def complaint_reply(*, complaint, user, reply: str) -> Complaint:
    """Answer a need, suggestion, enquiry or praise (the short path)."""
    reply = require(reply, _("请填写答复内容。"))
    _fire(complaint, "reply", user=user, updates={"reply_text": reply}, text=reply)
    clocks_stop([complaint.pk], [sla.NEED_REPLY, sla.TRANSFER], at=timezone.now())
    refresh_next_deadline([complaint.pk])
    return complaint


@transaction.atomic
def complaint_close(*, complaint, user, note: str = "") -> Complaint:
    _fire(complaint, "close", user=user, text=note)
    clocks_cancel([complaint.pk], [r for r in sla.SEVERITY_RULES["major"] + [sla.TRANSFER, sla.FEEDBACK]])
    refresh_next_deadline([complaint.pk])
    return complaint


@transaction.atomic
def complaint_archive(*, complaint, user) -> Complaint:
    """资料归档 by hand; the beat job ``crm.archive_closed`` archives old closed cases in bulk."""
    return _fire(complaint, "archive", user=user)


@transaction.atomic
def complaint_owner_reply(*, complaint, user, text: str) -> None:
    """回复业主: a message to the owner, shown on the case's page of the owner portal (its
    timeline declares ``owner_reply`` as shown with its text) and sent to the owner; the
    case's other entries and internal notes stay internal."""
    text = require(text, _("请填写回复内容。"))
    if len(text) > 500:
        raise ValidationError(_("回复内容不能超过 500 字。"))
    check_writable(complaint, user)
    timeline_add(complaint, user, "owner_reply", text)
    _tell_owner(complaint, format_lazy(_("{number} 有新的客服回复"), number=complaint.number), moment="reply")


def _tell_owner(complaint, title, *, moment: str) -> None:
    """The owners who follow this case on the portal hear of the moments that matter (case
    accepted, plan ready for their answer, disposed, a reply): portal.services sends it to the
    accounts bound to the case's customer, in the inbox and by SMS."""
    if complaint.customer_id:
        from portal.services import case_owners_notify  # the portal builds on this app: imported when used

        case_owners_notify(complaint, title, moment=moment)


# --- Events and the automatic major rules ---------------------------------------------------


@transaction.atomic
def event_create(*, project, title: str, user) -> Event:
    event = Event(project=project, title=require(title, _("请填写事件名称。")), created_by=user)
    event._history_user = user
    event.save()
    return event


@transaction.atomic
def event_link(*, complaint, event, user) -> Complaint:
    """Link a case to an event; five or more distinct owners make all its complaints major."""
    ensure_open(complaint)
    if event.project_id != complaint.project_id:
        raise ValidationError(_("事件与案件不属于同一项目。"))
    # Only the link is written (the rest of the object may be stale), with its history row.
    update_with_history(Complaint.objects.filter(pk=complaint.pk), {"event": event}, user=user,
                        reason=recorded(_("关联事件：{title}"), title=event.title)[:100])
    complaint.event = event
    timeline_add(complaint, user, "event", recorded(_("关联事件：{title}"), title=event.title))
    event_major_check(event, user=user)
    return complaint


def check_event_link(complaint, user) -> None:
    """Who may link a case to an event, and which cases: the event form of the case page is
    shown exactly when this passes. Only complaints and disputes count owners per event."""
    check_writable(complaint, user)
    if not complaint.is_long:
        raise ValidationError(_("只有投诉和纠纷可以关联事件。"))


@transaction.atomic
def event_attach(*, complaint, user, event_id=None, title: str = "") -> Event:
    """Link a case to an event of its project: an existing one (``event_id``) or a new one named
    ``title``. All or nothing: a case that cannot be linked leaves no new event behind."""
    check_event_link(complaint, user)
    if event_id:
        event = Event.objects.filter(project_id=complaint.project_id, pk=event_id).first()
        if event is None:
            raise ValidationError(_("所选事件不存在或不属于本案件的项目。"))
    else:
        event = event_create(project=complaint.project, title=title, user=user)
    event_link(complaint=complaint, event=event, user=user)
    return event


def event_of(*, complaint, user, joining) -> Event:
    """The event ``complaint`` belongs to, for a case ``joining`` it (same project, both
    complaints or disputes); when it has none, a new one named after it, to which it is linked."""
    check_event_link(complaint, user)
    if joining.project_id != complaint.project_id:
        raise ValidationError(_("事件与案件不属于同一项目。"))
    if not joining.is_long:
        raise ValidationError(_("只有投诉和纠纷可以关联事件。"))
    if complaint.event_id:
        return complaint.event
    return event_attach(complaint=complaint, user=user, title=complaint.title)


# --- Reports and attachments ----------------------------------------------------------------


def report_build(*, period: str, start: dt.date, end: dt.date) -> ComplaintReport:
    """Store the daily or weekly statistics and tell the managers (once per period)."""
    from .reports import report_data

    data = report_data(start=start, end=end)
    report, _created = ComplaintReport.objects.update_or_create(period=period, start=start,
                                                         defaults={"end": end, "data": data})
    title = _("投诉日报（{start}～{end}）：共{total}件") if period == "daily" else _("投诉周报（{start}～{end}）：共{total}件")
    notify_role(Role.MANAGER, title=format_lazy(title, start=start, end=end, total=data["total"]),
                dedupe_key=f"complaints:report:{period}:{start}")
    return report


def daily_report(today: dt.date | None = None) -> ComplaintReport:
    day = (today or timezone.localdate()) - dt.timedelta(days=1)
    return report_build(period="daily", start=day, end=day)


def weekly_report(today: dt.date | None = None) -> ComplaintReport:
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    return report_build(period="weekly", start=monday, end=monday + dt.timedelta(days=6))


@transaction.atomic
def attachment_add(*, complaint, user, upload):
    """Store an attachment (already validated for size and type by the form); an archived
    case takes none."""
    check_writable(complaint, user)
    return _attachment_store(complaint, user, upload)


@transaction.atomic
def attachment_add_for_owner(*, complaint, user, upload):
    """An owner's photo from the portal (checked by the upload validator, its EXIF removed):
    the portal found the case among the owner's own (portal.selectors.my_cases); an archived
    or closed case takes none."""
    ensure_open(complaint)
    if complaint.state in (State.CLOSED, State.ARCHIVED):
        raise ValidationError(_("案件已办结，不能再补充照片。"))
    return _attachment_store(complaint, user, upload)


def _attachment_store(complaint, user, upload):
    from .models import Attachment

    item = Attachment(complaint=complaint, file=upload, name=upload.name[:200], size=upload.size,
                      content_type=getattr(upload, "content_type", "")[:100], uploaded_by=user)
    item._history_user = user
    item.save()
    timeline_add(complaint, user, "attachment", recorded(_("上传附件：{name}（{size} KB）"), name=item.name,
                                                                 size=item.size // 1024))
    return item


# --- The close-out hand-over (封盘交接) ----------------------------------------------------------

# Department codes (crm.Department, as the demo and a deployment name them): before a project's
# close-out its owners' cases are the project department's, after it customer affairs'.
PROJECT_DEPARTMENT = "project"
CUSTOMER_AFFAIRS = "customer-affairs"


def customer_affairs_department():
    from crm.models import Department

    return Department.objects.get_or_create(code=CUSTOMER_AFFAIRS, defaults={"name": "客户事务部"})[0]  # i18n: data


@transaction.atomic
def closeout_hand_over(*, project, user) -> list[Complaint]:
    """Hand a closed-out project's open cases from the project department (its department, or
    a handler of the project_dept role) to 客户事务部: the handler is cleared for the supervisor
    to assign, each case's history and timeline say so, and both departments are told once.
    Nothing happens before the project's close-out date, or twice."""
    from crm.scopes import role_users

    if project.closeout_date is None or project.closeout_date > timezone.localdate():
        return []
    target = customer_affairs_department()
    cases = Complaint.objects.filter(project=project, state__in=OPEN_STATES).filter(
        Q(department__code=PROJECT_DEPARTMENT) | Q(handler__profile__role=Role.PROJECT_DEPT))
    before = {pk: handler for pk, handler in cases.values_list("pk", "handler_id")}
    text = recorded(_("封盘交接：由项目部转至{department}"), department=target.name)
    moved = update_with_history(cases, {"department": target, "handler": None}, user=user, reason=text[:100],
                                ids=list(before))
    for case in moved:
        timeline_add(case, user, "transfer", text)
    if not moved:
        return []
    title = format_lazy(_("封盘交接：{project} 的 {count} 件未结案件转至客户事务部"), project=project.name,
                        count=len(moved))
    body = "、".join(case.number for case in moved[:50])
    dept_users = set(role_users(Role.PROJECT_DEPT).filter(Q(profile__projects=project) | Q(pk__in=[
        h for h in before.values() if h])))
    notify(recipients=dept_users, title=title, body=body, dedupe_key=f"closeout:{project.pk}:{project.closeout_date}")
    notify_role(Role.CS_SUPERVISOR, title=title, body=body, url=_register_url(project),
                dedupe_key=f"closeout:{project.pk}:{project.closeout_date}")
    return moved


def _register_url(project) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return f"{reverse('complaints:register')}?project={project.pk}"
    except NoReverseMatch:
        return ""


def closeout_hand_over_due(*, user=None) -> int:
    """The daily job: every project whose close-out date has come and that still has open cases
    of the project department hands them over (a date recorded ahead of time takes effect on
    its day). Returns how many cases moved."""
    from owners.models import Project

    due = Project.objects.filter(closeout_date__lte=timezone.localdate(), complaints__state__in=OPEN_STATES).filter(
        Q(complaints__department__code=PROJECT_DEPARTMENT) | Q(complaints__handler__profile__role=Role.PROJECT_DEPT)
    ).distinct()
    return sum(len(closeout_hand_over(project=project, user=user)) for project in due)
