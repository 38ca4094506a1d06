"""Every write an owner makes on the portal, each through the complaints services with the
owner as the acting user, on a case or unit found among the owner's own (selectors)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from complaints import services as complaint_services
from complaints.models import Channel, Complaint
from complaints.timeline import case_url
from crm.notifications import notify_owner, notify_role
from crm.roles import Role
from crm.rules import rule_int

from . import selectors
from .auth import lock
from .photos import clean_photo

# The new cases one owner may report in a day and the photos one report (or one addition) may
# carry are rules an admin edits: portal.cases_per_day, portal.photos_per_report (crm.rules).


def check_photo_count(photos) -> None:
    """Refuse more photos than the rule allows (the form, a report and an addition alike)."""
    most = rule_int("portal.photos_per_report")
    if len(photos) > most:
        raise ValidationError(_("最多上传 {n} 张照片。").format(n=most))
REPORT_KINDS = ("complaint", "need_suggestion", "enquiry", "praise")
# A form posted without its page's one-time token (forms.OnceTokenField) is refused with this.
PAGE_EXPIRED = _("页面已过期，请核对后重新提交。")


def submitted_before(*, user, token: str, key: str) -> Complaint | None:
    """The case the same form (its one-time ``token``, forms.OnceTokenField) already made, or None.
    Takes the lock ``key`` first, so that two posts of one form (a double tap) are looked up one
    after the other: the second finds the first's case. Call it inside the transaction that then
    records the submission (``submission_record``)."""
    from .models import OwnerSubmission

    lock(key)
    if not token:
        return None
    found = OwnerSubmission.objects.filter(user=user, token=token).select_related("complaint").first()
    return found.complaint if found is not None else None


def submission_record(*, user, token: str, case: Complaint) -> None:
    from .models import OwnerSubmission

    if token:
        OwnerSubmission.objects.create(user=user, token=token, complaint=case)


def case_owners_notify(case, title, *, moment: str) -> int:
    """A notice about a case to every owner account bound to its customer: in the portal's inbox
    and, by the channels the owner chose for the ``moment`` (crm.notifications.OWNER_MOMENTS), by
    SMS to the account's phone or by WeChat to its openid."""
    from django.urls import reverse

    from .models import OwnerAccount

    sent = 0
    for account in OwnerAccount.objects.filter(customers=case.customer_id).select_related("user"):
        sent += notify_owner(user=account.user, title=title, url=reverse("portal:case", args=[case.pk]),
                             moment=moment, sms_to=account.phone, wechat_to=account.wechat_openid,
                             sms_template="case_update", sms_params={"number": case.number, "title": str(title)})
    return sent


@transaction.atomic
def case_report(*, user, kind: str, category: str, unit, description: str, photos=(),
                preferred_by: dt.datetime | None = None, token: str = "") -> Complaint:
    """报事报修/投诉/建议 from the portal: registered by ``complaints.services.complaint_register``
    with the channel 业主端, the same number sequence and clocks (the 10-minute transfer clock
    starts now: the front desk takes it up from the register's 业主端新提交 queue). At most
    the rule ``portal.cases_per_day`` a day per owner (counted under a lock: two at once count as two).
    The same form posted again (its ``token``) returns the case it made: a double tap is one case."""
    if kind not in REPORT_KINDS:
        raise ValidationError(_("请选择正确的类型。"))
    check_photo_count(photos)
    customer = selectors.my_customer_for_unit(user, unit)
    description = (description or "").strip()
    if not description:
        raise ValidationError(_("请描述您遇到的问题。"))
    if preferred_by is not None and preferred_by <= timezone.now():
        raise ValidationError(_("期望处理时间须晚于现在。"))
    cleaned = [clean_photo(p) for p in photos]  # all checked before anything is written
    if (done := submitted_before(user=user, token=token, key=f"report:{user.pk}")) is not None:
        return done
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    most = rule_int("portal.cases_per_day")
    if Complaint.objects.filter(received_by=user, received_at__gte=start).count() >= most:
        raise ValidationError(_("每天最多提交 {n} 件，今天已达上限；紧急情况请致电客服热线。").format(n=most))
    title = description.splitlines()[0][:30]
    case = complaint_services.complaint_register(
        received_by=user, kind=kind, channel=Channel.OWNER_PORTAL, category=category, title=title,
        description=description, customer=customer, unit=unit, needs_transfer=True, owner_requested_by=preferred_by)
    for photo in cleaned:
        complaint_services.attachment_add_for_owner(complaint=case, user=user, upload=photo)
    submission_record(user=user, token=token, case=case)
    case_owners_notify(case, format_lazy(_("已受理您的反映，编号 {number}"), number=case.number), moment="accepted")
    notify_role(Role.FRONT_DESK, title=format_lazy(_("业主端新提交：{number} {title}"), number=case.number,
                                                   title=case.title),
                url=case_url(case), target=case, dedupe_key=f"complaint:{case.pk}:portal")
    return case


FINISHED = ("closed", "archived")
# The states in which the next step is the company's and still ahead: a chase asks for it sooner.
# Not the plan waiting for the owner's answer (plan_approved: their turn), nor a case handled
# (executed … corrected: the owner is asked for the return visit), answered (replied) or finished.
CHASE_STATES = ("registered", "transferred", "classified", "investigated", "plan_pending", "plan_rejected",
                "negotiation_failed", "agreed")
ONCE_A_DAY = _("每个工作日只能催办一次，我们已在加紧处理。")


def _ensure_open(case) -> None:
    if case.state in FINISHED:
        raise ValidationError(_("案件已办结。"))


def check_chase(case) -> None:
    """Raise (with the reason, in the owner's words) unless the owner may chase ``case`` now: the
    next step is the company's (``CHASE_STATES``, and no return visit waiting for the owner), and
    the case was not chased yet on this working day. The one rule behind the case page's 催办
    button (views._case_page) and ``case_chase`` (which asks it again under the case's lock)."""
    from complaints.models import TimelineEntry

    _ensure_open(case)
    if case.state == "plan_approved":
        raise ValidationError(_("处理方案正等您确认，请先告诉我们您是否同意。"))
    if case.visit_state == "due":
        raise ValidationError(_("请先告诉我们处理结果是否满意。"))
    if case.state not in CHASE_STATES:
        raise ValidationError(_("您反映的问题已有处理结果，无需催办；如仍有问题，请补充说明。"))
    last = TimelineEntry.objects.filter(complaint=case, kind="owner_chase").order_by("-at").first()
    if last is not None and _working_day(last.at) == _working_day(timezone.now()):
        raise ValidationError(ONCE_A_DAY, code="chased_today")


def _tell_handler(case, title, body: str = "") -> None:
    """The case's handler hears what the owner did (the supervisor when nobody handles it yet)."""
    from crm.notifications import notify

    if case.handler_id:
        notify(recipients=[case.handler], title=title, body=body, url=case_url(case), target=case)
    else:
        notify_role(Role.CS_SUPERVISOR, title=title, body=body, url=case_url(case), target=case)


@transaction.atomic
def plan_answer(*, user, case, agreed: bool, comment: str = "", token: str = ""):
    """The owner agrees or disagrees with the approved plan (磋商): one negotiation round through
    ``complaints.services.negotiation_record``, exactly as the staff record it; disagreeing sends
    the case back into the plan loop. The handler is told. The same form posted again (its
    ``token``) records nothing more (None)."""
    comment = (comment or "").strip()
    if not agreed and not comment:
        raise ValidationError(_("请说明您不同意的原因，便于我们调整方案。"))
    if submitted_before(user=user, token=token, key=f"plan:{case.pk}") is not None:
        return None
    opinion = comment or str(_("业主在业主端同意方案"))
    round_ = complaint_services.negotiation_record(complaint=case, user=user, agreed=agreed, owner_opinion=opinion)
    submission_record(user=user, token=token, case=case)
    _tell_handler(case, format_lazy(_("业主{answer}处理方案：{number}"), answer=_("同意") if agreed else _("不同意"),
                                    number=case.number), body=opinion)
    return round_


@transaction.atomic
def case_comment(*, user, case, text: str = "", photos=(), token: str = ""):
    """A comment or photos the owner adds while the case is open (shown to staff and the owner);
    the same form posted again (its ``token``) adds nothing more."""
    _ensure_open(case)
    text = (text or "").strip()
    if not text and not photos:
        raise ValidationError(_("请填写补充说明或选择照片。"))
    check_photo_count(photos)
    cleaned = [clean_photo(p) for p in photos]
    if submitted_before(user=user, token=token, key=f"comment:{user.pk}") is not None:
        return
    submission_record(user=user, token=token, case=case)
    if text:
        from complaints.timeline import timeline_add

        timeline_add(case, user, "owner_comment", text)
    for photo in cleaned:
        complaint_services.attachment_add_for_owner(complaint=case, user=user, upload=photo)
    _tell_handler(case, format_lazy(_("业主补充了说明：{number}"), number=case.number), body=text)


def _working_day(moment) -> dt.date:
    """The working day a moment counts for (a weekend or holiday counts for the next one)."""
    from crm.calendar import calendar

    day = timezone.localdate(moment)
    cal = calendar()
    return day if cal.is_working_day(day) else cal.next_working_day(day)


def case_chase(*, user, case, token: str = "") -> None:
    """催办: while the next step is the company's, at most once per working day per case (the
    working calendar), counted under a lock so that two at once count as two (``check_chase``);
    on the timeline, and the handler is told. The same form posted again (its ``token``: a double
    tap) is the chase already made, not a refused second one."""
    from complaints.timeline import timeline_add

    # ``with`` rather than ``@transaction.atomic``: mutmut skips decorated functions, and the
    # chase rule is measured by mutation testing (QUALITY.md).
    with transaction.atomic():
        if submitted_before(user=user, token=token, key=f"chase:{case.pk}") is not None:
            return
        case.refresh_from_db(fields=["state", "visit_state"])  # as it stands now, under the lock
        check_chase(case)
        timeline_add(case, user, "owner_chase", str(_("业主催办")))
        submission_record(user=user, token=token, case=case)
        _tell_handler(case, format_lazy(_("业主催办：{number} {title}"), number=case.number, title=case.title))


@transaction.atomic
def visit_answer(*, user, case, handled: bool, satisfaction: int, more_needs: str = "", token: str = ""):
    """The return visit answered online (处理了吗? 满意吗 1–5? 还有其他需要吗?): recorded by
    ``complaints.services.return_visit_record`` like a phone visit (its clock is met, it counts
    in the return-visit rate). Not handled, or not satisfied (1 or 2), reopens the case to the
    supervisor with the owner's words; a need in the third answer becomes a new case. The same
    form posted again (its ``token``) records nothing more (None)."""
    more_needs = (more_needs or "").strip()
    if submitted_before(user=user, token=token, key=f"visit:{case.pk}") is not None:
        return None
    visit = complaint_services.return_visit_record(complaint=case, user=user, handled=handled,
                                                   satisfaction=satisfaction, more_needs=more_needs)
    submission_record(user=user, token=token, case=case)
    if not handled or satisfaction <= UNSATISFIED:
        words = more_needs or str(_("业主表示问题未处理") if not handled else _("业主表示不满意"))
        complaint_services.complaint_reopen(complaint=case, user=user, reason=words)
    elif more_needs:
        new = complaint_services.complaint_register(
            received_by=user, kind="need_suggestion", channel=Channel.OWNER_PORTAL, category=case.category,
            title=more_needs.splitlines()[0][:30], description=more_needs, customer=case.customer, unit=case.unit,
            needs_transfer=True)
        case_owners_notify(new, format_lazy(_("已受理您的反映，编号 {number}"), number=new.number),
                           moment="accepted")
    return visit


UNSATISFIED = 2  # a satisfaction of this or less is "不满意"


@transaction.atomic
def privacy_consent(*, user) -> None:
    """Record that the owner accepted the current privacy notice (``PORTAL_PRIVACY_VERSION``)."""
    from django.conf import settings

    from .models import PrivacyConsent

    PrivacyConsent.objects.get_or_create(account=selectors.account_of(user), version=settings.PORTAL_PRIVACY_VERSION)


@transaction.atomic
def correction_request(*, user, customer, text: str, token: str = "") -> Complaint:
    """The owner asks to correct what the company holds about them: a need case (需求/建议) of
    the 业主端 channel, with the same clocks as any. The same form posted again (its ``token``)
    returns the case it made."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("请填写需要更正的内容。"))
    if (done := submitted_before(user=user, token=token, key=f"correction:{user.pk}")) is not None:
        return done
    unit = customer.units.order_by("pk").first()
    case = complaint_services.complaint_register(
        received_by=user, kind="need_suggestion", channel=Channel.OWNER_PORTAL, category="other",
        title=str(_("个人信息更正申请")), description=text, customer=customer, unit=unit,
        project=None if unit else customer.project, needs_transfer=True)
    submission_record(user=user, token=token, case=case)
    case_owners_notify(case, format_lazy(_("已受理您的反映，编号 {number}"), number=case.number), moment="accepted")
    return case


def inbox_open(*, user, note) -> None:
    from crm.notifications import mark_read

    mark_read(user=user, notification_id=note.pk)
