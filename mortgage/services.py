"""Every write of the mortgage app: agent companies and agreements, title-certificate cases,
loans, overdue collection, the litigation rule and the hand-over to legal.

The overdue-list import lives in ``imports.py`` (parsing and the bulk upsert).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm import events
from crm.approvals import approval_decide, approval_submit
from crm.calendar import elapsed_cutoff, period_end
from crm.edits import row_edit
from crm.languages import recorded
from crm.models import Notification
from crm.notifications import notify, notify_many, notify_role
from crm.roles import Role
from crm.rules import rule, rule_int
from crm.scopes import user_role
from crm.sql import id_chunks, ids_in
from crm.sequences import next_value
from crm.validators import check_happened
from crm.workflow import update_with_history
from mortgage.models import (
    AGREEMENT_WORKFLOW, CERTIFICATE_WORKFLOW, FINISHED_STAGES, LITIGATION_WORKFLOW, AgencyAgreement, AgentCompany,
    CertificateChase, CollectionReminder, LitigationCase, MortgageLoan, OverdueRecord, TitleCertificateCase,
)


def _today() -> dt.date:
    return timezone.localdate()


# --- Agent companies and agency agreements ---------------------------------------------------


AGENT_FIELDS = ["name", "contact_person", "phone", "email", "address", "rating", "active", "notes"]


def agent_company_save(*, user, **fields) -> AgentCompany:
    """Register an agent company (rating, contacts)."""
    company = AgentCompany(**{k: v for k, v in fields.items() if k in AGENT_FIELDS})
    company.full_clean()
    company._history_user = user
    company.save()
    return company


def agent_company_update(*, company: AgentCompany, user, **fields) -> AgentCompany:
    """Change an agent company's details, compared with the stored row (``crm.edits``)."""
    row, _changed = row_edit(AgentCompany, company.pk, user=user, values=fields, fields=AGENT_FIELDS)
    return row


def _check_signed_on(signed_on: dt.date | None) -> None:
    check_happened(signed_on, label=str(AgencyAgreement._meta.get_field("signed_on").verbose_name))


def agreement_create(*, user, agent: AgentCompany, project, scope: str, **fields) -> AgencyAgreement:
    """Draft an agency agreement for a project."""
    _check_signed_on(fields.get("signed_on"))
    agreement = AgencyAgreement(agent=agent, project=project, scope=scope, created_by=user,
                                number=f"DB{_today():%Y}{next_value('mortgage.agreement'):04d}", **fields)
    agreement.full_clean()
    agreement._history_user = user
    agreement.save()
    return agreement


EDITABLE_AGREEMENT = (AgencyAgreement.Status.DRAFT, AgencyAgreement.Status.REJECTED)


AGREEMENT_FIELDS = ["agent", "project", "scope", "fee_per_case", "total_fee", "signed_on", "days_submit",
                    "days_file", "days_issue", "days_mortgage", "days_release"]


def check_agreement_edit(user, agreement: AgencyAgreement) -> None:
    """Revise an agreement: the change permission, while it is a draft or was rejected."""
    if not user.has_perm("mortgage.change_agencyagreement"):
        raise PermissionDenied(_("您没有修改代办协议的权限。"))
    if agreement.status not in EDITABLE_AGREEMENT:
        raise ValidationError(gettext("协议{status}，不能修改；只有草稿或已驳回的协议可以修改。").format(
            status=agreement.get_status_display()))


def agreement_update(*, agreement: AgencyAgreement, user, **fields) -> AgencyAgreement:
    """Revise a draft or a rejected agreement (before it is submitted again); an agreement
    that is pending, in force or ended is not edited. Compared with the stored row (``crm.edits``)."""
    _check_signed_on(fields.get("signed_on"))
    row, _changed = row_edit(AgencyAgreement, agreement.pk, user=user, values=fields, fields=AGREEMENT_FIELDS,
                             guard=lambda stored: check_agreement_edit(user, stored))
    return row


def agreement_needs_approval(agreement: AgencyAgreement) -> bool:
    """The rule ``mortgage.agreement_approval_min_fee`` says which agreements go to the manager
    (0: every agreement)."""
    return agreement.total_fee >= rule("mortgage.agreement_approval_min_fee")


@transaction.atomic
def agreement_submit(*, agreement: AgencyAgreement, user) -> AgencyAgreement:
    """Submit for approval when the rule requires it; otherwise the agreement takes effect."""
    agreement.refresh_from_db()  # the version submitted is the stored row
    if not agreement_needs_approval(agreement):
        return AGREEMENT_WORKFLOW.fire(agreement, "activate", user=user)
    # The version submitted, as the approval keeps it: a record, in the office's language.
    content = "\n".join([
        recorded(_("代办公司：{agent}"), agent=agreement.agent), recorded(_("项目：{project}"), project=agreement.project),
        recorded(_("代办范围：{scope}"), scope=agreement.scope),
        recorded(_("每户代办费：{fee} 元；总金额：{total} 元"), fee=agreement.fee_per_case, total=agreement.total_fee),
        recorded(_("约定时限(天)：提交{submit}，递件{file}，出证{issue}，抵押登记{mortgage}，撤销担保{release}"),
                 submit=agreement.days_submit, file=agreement.days_file, issue=agreement.days_issue,
                 mortgage=agreement.days_mortgage, release=agreement.days_release),
    ])
    approval_submit(target=agreement, title=recorded(_("产权证代办协议 {number}"), number=agreement.number),
                    content=content, submitted_by=user, snapshot={"total_fee": str(agreement.total_fee)},
                    url=reverse("mortgage:agreement_detail", args=[agreement.pk]))
    return agreement


@transaction.atomic
def agreement_decide(*, agreement: AgencyAgreement, user, approve: bool, comment: str = "") -> AgencyAgreement:
    """Approve or reject the pending version; the agreement moves in the same transaction."""
    approval_decide(target=agreement, user=user, approve=approve, comment=comment,
                    url=reverse("mortgage:agreement_detail", args=[agreement.pk]))
    return agreement


@transaction.atomic
def agreement_end(*, agreement: AgencyAgreement, user) -> AgencyAgreement:
    """End an agreement in force (its cases keep the terms they were opened under)."""
    return AGREEMENT_WORKFLOW.fire(agreement, "end", user=user)


# --- Title-certificate cases -----------------------------------------------------------------


def _due(agreement: AgencyAgreement | None, stage: str, since: dt.date) -> dt.date | None:
    """The agreed processing days after the day the stage began (民法典 art. 201: that day is not
    counted); a due date is a deadline to act, so a last day off moves to the next working day."""
    days = agreement.days_for(stage) if agreement else None
    if days is None or stage in FINISHED_STAGES:
        return None
    return period_end(since, days=days, deadline=True)


@transaction.atomic
def certificate_cases_create_for_project(*, project, user, agreement: AgencyAgreement | None = None,
                                         collected_on: dt.date | None = None) -> int:
    """Open one case per delivered unit and owner of ``project`` that has none yet (bulk).

    Owners are the ``owner``/``co_owner`` ownerships; the loan, if any, is linked. Returns
    how many cases were created; running it again creates none.
    """
    from owners.models import Ownership

    if agreement is not None and (agreement.project_id != project.pk or agreement.status != AgencyAgreement.Status.ACTIVE):
        raise ValidationError(_("只能选用本项目已生效的代办协议。"))
    collected_on = collected_on or _today()
    check_happened(collected_on, label=_("材料收齐日期"))
    pairs = (Ownership.objects.filter(unit__project=project, unit__delivery_date__isnull=False,
                                      unit__delivery_date__lte=_today(),
                                      kind__in=[Ownership.Kind.OWNER, Ownership.Kind.CO_OWNER])
             .values_list("unit_id", "customer_id").distinct())
    existing = set(TitleCertificateCase.objects.filter(project=project).values_list("unit_id", "customer_id"))
    loans = {}
    for loan_id, unit_id, customer_id in MortgageLoan.objects.filter(project=project).values_list(
            "pk", "unit_id", "customer_id"):
        loans[(unit_id, customer_id)] = loan_id
    new = [
        TitleCertificateCase(project=project, unit_id=unit_id, customer_id=customer_id, agreement=agreement,
                             loan_id=loans.get((unit_id, customer_id)), stage_since=collected_on,
                             collected_on=collected_on, due_date=_due(agreement, "collected", collected_on))
        for unit_id, customer_id in pairs if (unit_id, customer_id) not in existing
    ]
    from simple_history.utils import bulk_create_with_history

    bulk_create_with_history(new, TitleCertificateCase, default_user=user, ignore_conflicts=False)
    return len(new)


STAGE_DATE_FIELD = {
    "submit": "submitted_on", "file": "filed_on", "register_mortgage": "mortgage_registered_on",
    "request_release": "release_requested_on",
}
STAGE_DATE_LABEL = {
    "submit": _("提交代办日期"), "file": _("递件日期"), "issue": _("出证登记日期"), "register_mortgage": _("抵押登记日期"),
    "complete": _("办结日期"), "request_release": _("申请撤销担保日期"), "confirm_release": _("撤销担保日期"),
}


@transaction.atomic
def certificate_advance(*, case: TitleCertificateCase, action: str, user, on: dt.date | None = None,
                        certificate_number: str = "", certificate_date: dt.date | None = None) -> TitleCertificateCase:
    """Move a case one stage on; the due date of the next stage comes from the agreement.

    The stage's date has happened: not in the future and not before the date the case entered
    its current stage (due dates and late notices are computed from it)."""
    on = on or _today()
    transition = CERTIFICATE_WORKFLOW.check(case, action, user)
    previous = (case.stage_since, gettext("进入上一阶段“{stage}”的日期").format(stage=case.get_stage_display()))
    check_happened(on, label=STAGE_DATE_LABEL.get(action, _("日期")), after=[previous])
    updates: dict = {"stage_since": on, "due_date": _due(case.agreement, transition.target, on)}
    if action in STAGE_DATE_FIELD:
        updates[STAGE_DATE_FIELD[action]] = on
    if action == "issue":
        if not certificate_number.strip():
            raise ValidationError(_("请填写产权证号。"))
        check_happened(certificate_date, label=_("出证日期"), after=[previous])
        updates.update(certificate_number=certificate_number.strip(), certificate_date=certificate_date or on)
    if action == "confirm_release":
        updates.update(released_on=on)
    CERTIFICATE_WORKFLOW.fire(case, action, user=user, updates=updates)
    if action == "issue":
        events.publish(events.CERTIFICATE_ISSUED, project_id=case.project_id, data={
            "id": case.pk, "unit": case.unit_id, "customer": case.customer_id,
            "certificate_number": case.certificate_number, "certificate_date": case.certificate_date})
    if action == "confirm_release":
        loan = MortgageLoan.objects.select_for_update().get(pk=case.loan_id)
        if loan.guarantee_active:
            loan.guarantee_active, loan.guarantee_released_on = False, on
            loan._history_user = user
            loan.save(update_fields=["guarantee_active", "guarantee_released_on"])
    if action == "request_release":
        notify_role(Role.FINANCE, title=format_lazy(_("请确认撤销按揭担保：{unit} {owner}"), unit=case.unit,
                                                    owner=case.customer.name),
                    url=reverse("mortgage:certificate_detail", args=[case.pk]), target=case,
                    dedupe_key=f"mortgage:release:{case.pk}")
    return case


def check_chase(user, case: TitleCertificateCase) -> None:
    """Chase the agent (督促办证): the chase permission, while the case is not finished."""
    if not user.has_perm("mortgage.add_certificatechase"):
        raise PermissionDenied(_("您没有记录督促办证的权限。"))
    if case.is_finished:
        raise ValidationError(_("该产权证已办结，无需督促。"))


def certificate_chase_log(*, case: TitleCertificateCase, user, result: str,
                          next_date: dt.date | None = None) -> CertificateChase:
    """Record one chase of the agent company (督促办证)."""
    check_chase(user, case)
    if not result.strip():
        raise ValidationError(_("请填写督促结果。"))
    if next_date and next_date < _today():
        raise ValidationError(_("下次督促日期不能早于今天。"))
    chase = CertificateChase(case=case, chased_by=user, chased_at=timezone.now(), result=result.strip(),
                             next_date=next_date)
    chase._history_user = user
    chase.save()
    return chase


CHUNK_SIZE = 2000  # cases per statement and per transaction of the reminder (a module constant tests lower)


def certificates_chase_late() -> int:
    """Remind cs_staff of every case late against its agreement, once per case per day.

    Set-based, ``CHUNK_SIZE`` cases at a time, each chunk in its own transaction (no statement
    carries a longer id list, however many certificates are late): a compare-and-set marks the
    chunk's cases as reminded today, and only the rows it changed are notified, so a second run
    the same day does nothing.
    """
    today = _today()
    not_today = Q(late_notified_on__isnull=True) | Q(late_notified_on__lt=today)
    late = TitleCertificateCase.objects.exclude(stage__in=FINISHED_STAGES).filter(due_date__lt=today).filter(not_today)
    staff = None
    sent = 0
    for ids in id_chunks(late, CHUNK_SIZE):
        with transaction.atomic():
            changed = update_with_history(TitleCertificateCase.objects.filter(ids_in("id", ids)).filter(not_today),
                                          {"late_notified_on": today}, ids=ids, instances=False,
                                          reason=recorded(_("办理超期，已提醒督促")))
            if not changed:
                continue
            staff = staff if staff is not None else list(_role_users(Role.CS_STAFF))
            cases = list(TitleCertificateCase.objects.filter(ids_in("id", changed)).select_related(
                "unit__building", "customer", "agreement__agent"))
            # One store for the chunk's notices (crm.notifications.notify_many), each routed by its case.
            notes, targets = [], []
            for case in cases:
                title = format_lazy(_("产权证办理超期：{unit} {owner}（{stage}，约定 {due_date}）"), unit=case.unit,
                                    owner=case.customer.name, stage=TitleCertificateCase.Stage(case.stage).label,
                                    due_date=case.due_date)
                body = format_lazy(_("代办公司：{agent}，请督促办理。"),
                                   agent=case.agreement.agent if case.agreement else "—")
                url = reverse("mortgage:certificate_detail", args=[case.pk])
                for user in staff:
                    notes.append(Notification(recipient_id=user.pk, title=title, body=body, url=url, level="danger",
                                              dedupe_key=f"mortgage:cert-late:{case.pk}:{today.isoformat()}"))
                    targets.append(case)
            notify_many(notes, targets=targets)
            sent += len(cases) if staff else 0
    return sent


def _role_users(role):
    from crm.scopes import role_users

    return role_users(role)


# --- Loans -----------------------------------------------------------------------------------


@transaction.atomic
def loan_create(*, user, customer, unit, loan_number: str, bank: str, amount: Decimal, term_months: int,
                start_date: dt.date | None = None) -> MortgageLoan:
    """Record an owner's mortgage loan; the developer's guarantee is active until released.

    The borrower must be an owner or co-owner of the unit; the certificate case of that unit
    and owner (if one is open) is linked to the loan, with a history entry."""
    from owners.models import Ownership

    if not user.has_perm("mortgage.add_mortgageloan"):
        raise PermissionDenied(_("您没有登记按揭贷款的权限。"))
    if not Ownership.objects.filter(unit=unit, customer=customer,
                                    kind__in=[Ownership.Kind.OWNER, Ownership.Kind.CO_OWNER]).exists():
        raise ValidationError(gettext("{owner} 不是 {unit} 的业主或共有人，不能登记该房号的按揭贷款。").format(
            owner=customer.name, unit=unit))
    if amount is None or amount <= 0:
        raise ValidationError(_("贷款金额须大于 0。"))
    if not term_months or term_months <= 0:
        raise ValidationError(_("贷款期限须大于 0 个月。"))
    check_happened(start_date, label=_("放款日期"))
    loan = MortgageLoan(customer=customer, unit=unit, project=unit.project, loan_number=loan_number.strip(),
                        bank=bank, amount=amount, term_months=term_months, start_date=start_date)
    loan.full_clean()
    loan._history_user = user
    loan.save()
    for case in TitleCertificateCase.objects.select_for_update().filter(unit=unit, customer=customer,
                                                                        loan__isnull=True):
        case.loan = loan
        case._history_user = user
        case.save(update_fields=["loan"])
    return loan


# --- Collection, the litigation rule, the hand-over -------------------------------------------


def check_reminder(user, record: OverdueRecord) -> None:
    """Remind an overdue owner: the reminder permission, while the record is open."""
    if not user.has_perm("mortgage.add_collectionreminder"):
        raise PermissionDenied(_("您没有记录催缴的权限。"))
    if record.status != OverdueRecord.Status.OPEN:
        raise ValidationError(_("该逾期记录已结清，无需催缴。"))


def reminder_log(*, record: OverdueRecord, user, method: str, summary: str, promise: str = "",
                 promised_date: dt.date | None = None, next_follow_up: dt.date | None = None) -> CollectionReminder:
    """Log one reminder to an overdue owner (method, what they promised, next follow-up)."""
    check_reminder(user, record)
    if not summary.strip():
        raise ValidationError(_("请填写沟通情况。"))
    if next_follow_up and next_follow_up < _today():
        raise ValidationError(_("下次跟进日期不能早于今天。"))
    reminder = CollectionReminder(record=record, contacted_by=user, contacted_at=timezone.now(), method=method,
                                  summary=summary.strip(), promise=promise.strip(), promised_date=promised_date,
                                  next_follow_up=next_follow_up)
    reminder.full_clean()
    reminder._history_user = user
    reminder.save()
    return reminder


def litigation_condition(today: dt.date | None = None) -> tuple[Q, object]:
    """The litigation rule as a query, and the matching reason expression (thresholds from crm.rules)."""
    today = today or _today()
    months = rule_int("mortgage.litigation_overdue_months")
    amount = rule("mortgage.litigation_overdue_amount")
    # "Overdue for more than N months" is elapsed time (民法典 art. 201–202, never moved by a holiday):
    # overdue since D, the N calendar months end at the end of D + N months; the day after is "more".
    cutoff = elapsed_cutoff(today, months=months)
    condition = Q(bank_recommends=True) | Q(overdue_since__lte=cutoff) | Q(amount__gt=amount)
    # The reason is kept on the record: in the office's language whoever runs the rule.
    reason = Concat(
        Case(When(bank_recommends=True, then=Value(recorded(_("银行建议诉讼；")))), default=Value(""),
             output_field=CharField()),
        Case(When(overdue_since__lte=cutoff, then=Value(recorded(_("逾期超过{months}个月；"), months=months))),
             default=Value(""), output_field=CharField()),
        Case(When(amount__gt=amount, then=Value(recorded(_("逾期金额超过{amount}元；"), amount=f"{amount:,.0f}"))),
             default=Value(""), output_field=CharField()),
        output_field=CharField(),
    )
    return condition, reason


def litigation_evaluate(*, today: dt.date | None = None) -> int:
    """Mark open overdue records that the litigation rule now requires; notify cs_supervisor once.

    Set-based and safe to run twice: only records not yet marked are changed (compare-and-set
    on ``litigation_required``), their history is written in bulk, and the notification's
    dedupe key names exactly the records this run marked.
    """
    from crm import bulk

    condition, reason = litigation_condition(today)
    now = timezone.now()
    with transaction.atomic():
        # One compare-and-set UPDATE (no list of ids: a large list would pass SQLite's
        # bound-parameter limit); the rows it marked are the ones flagged at ``now``.
        changed = OverdueRecord.objects.filter(status=OverdueRecord.Status.OPEN, litigation_required=False).filter(
            condition).update(litigation_required=True, litigation_reason=reason, litigation_flagged_at=now)
        if not changed:
            return 0
        flagged = OverdueRecord.objects.filter(litigation_required=True, litigation_flagged_at=now).order_by("pk")
        marked = list(flagged.values_list(*bulk.history_names(OverdueRecord), named=True))
        bulk.insert_history(OverdueRecord, marked, history_type="~", user=None, reason=recorded(_("诉讼规则判定须诉讼")),
                            date=now)
        events.publish_many(events.OVERDUE_LITIGATION_REQUIRED, [
            (r.project_id, {"id": r.id, "loan": r.loan_id, "customer": r.customer_id, "amount": r.amount,
                            "overdue_since": r.overdue_since, "reason": r.litigation_reason}) for r in marked])
        digest = hashlib.sha1(",".join(str(r.id) for r in marked).encode()).hexdigest()[:16]
        shown = flagged.select_related("loan", "customer")[:20]
        notify_role(Role.CS_SUPERVISOR, level="danger", url=reverse("mortgage:overdue_list") + "?litigation=1",
                    title=format_lazy(_("新增 {count} 条按揭逾期须诉讼"), count=len(marked)),
                    body="\n".join(f"{r.customer.name} {r.loan.loan_number}：{r.litigation_reason}" for r in shown),
                    dedupe_key=f"mortgage:litigation:{digest}")
    return len(marked)


def check_hand_over(user, record: OverdueRecord) -> None:
    """Hand a record to legal: the hand-over permission, for an open record that the rule says
    requires litigation and that was not handed over yet."""
    if not user.has_perm("mortgage.hand_over_litigation"):
        raise PermissionDenied(_("您没有移交法务的权限。"))
    if not record.litigation_required or record.status != OverdueRecord.Status.OPEN:
        raise ValidationError(_("只有未结清且经判定须诉讼的逾期记录才能移交法务。"))
    if LitigationCase.objects.filter(record=record).exists():
        raise ValidationError(_("该逾期记录已移交法务。"))


@transaction.atomic
def litigation_hand_over(*, record: OverdueRecord, user, assignee, dossier_note: str, contract_file=None,
                         statement_file=None) -> LitigationCase:
    """Hand the dossier of a record that requires litigation to a legal user."""
    record = OverdueRecord.objects.select_for_update().get(pk=record.pk)
    check_hand_over(user, record)
    if user_role(assignee) != Role.LEGAL:
        raise ValidationError(_("承办人须为综合管理部（法务）人员。"))
    if not dossier_note.strip():
        raise ValidationError(_("请填写案卷说明（催缴经过、合同及对账单情况）。"))
    case = LitigationCase(record=record, project_id=record.project_id, assignee=assignee, handed_over_by=user,
                          number=f"SS{_today():%Y}{next_value('mortgage.litigation'):04d}",
                          dossier_note=dossier_note.strip())
    if contract_file:
        case.contract_file = contract_file
    if statement_file:
        case.statement_file = statement_file
    case._history_user = user
    case.save()
    notify(recipients=[assignee], title=format_lazy(_("按揭逾期诉讼案卷已移交：{number} {owner}"), number=case.number,
                                                    owner=record.customer.name),
           url=reverse("mortgage:litigation_detail", args=[case.pk]), target=case,
           dedupe_key=f"mortgage:handover:{case.pk}")
    return case


LITIGATION_DATE_FIELD = {"file": "filed_on", "hearing": "hearing_on", "judgment": "judgment_on"}


@transaction.atomic
def litigation_advance(*, case: LitigationCase, action: str, user, on: dt.date | None = None, court: str = "",
                       court_case_number: str = "", outcome: str = "") -> LitigationCase:
    """Track the lawsuit: filed, hearing, judgment, enforcement, settled or closed (the workflow
    checks the role, the stage and that the case was handed to this user).

    A stage's date (filed, hearing, judgment) has happened: not in the future and not before the
    hand-over or the stage before it."""
    LITIGATION_WORKFLOW.check(case, action, user)
    updates: dict = {}
    if action in LITIGATION_DATE_FIELD:
        name = LITIGATION_DATE_FIELD[action]
        on = on or _today()
        check_happened(on, label=str(LitigationCase._meta.get_field(name).verbose_name), after=[
            (case.handed_over_at, _("移交法务时间")), (case.filed_on, _("立案日期")), (case.hearing_on, _("开庭日期"))])
        updates[name] = on
    if action == "file":
        if not court.strip():
            raise ValidationError(_("请填写受理法院。"))
        updates.update(court=court.strip(), court_case_number=court_case_number.strip())
    if outcome.strip():
        updates["outcome"] = outcome.strip()
    if action in ("settle", "close", "judgment") and not outcome.strip():
        raise ValidationError(_("请填写结果说明。"))
    return LITIGATION_WORKFLOW.fire(case, action, user=user, updates=updates)
