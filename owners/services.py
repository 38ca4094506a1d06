"""Every write of the owners app: customers, contacts, visits, privacy, documents, care."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from crm import events
from crm.approvals import approval_decide, approval_submit
from crm.calendar import period_end
from crm.edits import row_edit
from crm.languages import recorded
from crm.roles import Role
from crm.scopes import user_role
from crm.sequences import next_value
from crm.validators import check_happened
from owners.models import (
    AccessLog, AccessRequest, ContactLog, Customer, CustomerVisit, Greeting, PreferenceProfile, SatisfactionSurvey,
    SurveyScore, Unit, UnitDocument,
)
from owners.validators import normalize_id, normalize_phone, validate_id_number, validate_phone

DUPLICATE = _("可能与已有客户重复（手机号或身份证号相同），请核对后确认保存。")

CUSTOMER_FIELDS = [
    "name", "gender", "birth_date", "id_number", "phone", "phone_alt", "email", "occupation", "address",
    "project", "stage", "source", "online", "confidential", "need_area", "need_layout", "budget",
]


def customer_code() -> str:
    """C + six digits from a sequence that never hands out a number twice."""
    return f"C{next_value('customer'):06d}"


def clean_customer_data(data: dict) -> dict:
    """Normalise and validate phones and ID number; raises ValidationError with field errors."""
    data = dict(data)
    errors = {}
    # field, how it is stored, its check, whether an empty value is left alone
    for field, normalize, validate, optional in (("phone", normalize_phone, validate_phone, False),
                                                 ("phone_alt", normalize_phone, validate_phone, True),
                                                 ("id_number", normalize_id, validate_id_number, True)):
        if field not in data or (optional and not data[field]):
            continue
        data[field] = normalize(data[field])
        try:
            validate(data[field])
        except ValidationError as exc:
            errors[field] = exc.messages
    if not (data.get("name") or "").strip() and "name" in data:
        errors["name"] = [_("请填写姓名。")]
    try:
        check_happened(data.get("birth_date"), label=_("出生日期"))
    except ValidationError as exc:
        errors["birth_date"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return data


# A likely duplicate: a customer whose mobile phone is another's phone or other phone, or whose ID
# number is another's. {the customer's field: (the other customer's fields it is compared with, how
# the value is stored)}; the staff's forms and the API's bulk calls (api.upsert) both read it.
DUPLICATE_FIELDS = {"phone": (("phone", "phone_alt"), normalize_phone), "id_number": (("id_number",), normalize_id)}


def customer_duplicates_of(*, phones=(), id_numbers=()):
    """Existing customers that are likely duplicates of any of these mobile phones or ID numbers
    (one query for many records); ``duplicate_fields`` tells which field of which."""
    cond = Q()
    for field, values in (("phone", phones), ("id_number", id_numbers)):
        columns, normalize = DUPLICATE_FIELDS[field]
        wanted = {normalize(value) for value in values if value} - {""}
        for column in columns if wanted else ():
            cond |= Q(**{f"{column}__in": wanted})
    return Customer.objects.filter(cond) if cond else Customer.objects.none()


def duplicate_fields(values: dict, other: dict) -> list[str]:
    """The fields of a customer's ``values`` (as stored: normalised) by which the customer ``other``
    (its values) makes it a likely duplicate."""
    return [field for field, (columns, _normalize) in DUPLICATE_FIELDS.items()
            if values.get(field) and values[field] in {other.get(column) for column in columns}]


def customer_duplicates(*, phone: str = "", id_number: str = "", exclude_id: int | None = None):
    """Existing customers with the same mobile phone or ID number (likely duplicates)."""
    qs = customer_duplicates_of(phones=[phone], id_numbers=[id_number])
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs


@transaction.atomic
def customer_create(*, created_by, allow_duplicate: bool = False, **data) -> Customer:
    """Create a customer with the next code. A likely duplicate (same phone or ID number)
    is refused unless ``allow_duplicate`` (the user confirmed the warning)."""
    data = clean_customer_data(data)
    if not allow_duplicate and customer_duplicates(phone=data.get("phone", ""), id_number=data.get("id_number", "")).exists():
        raise ValidationError(DUPLICATE, code="duplicate")
    customer = Customer(code=customer_code(), created_by=created_by,
                        **{k: v for k, v in data.items() if k in CUSTOMER_FIELDS})
    customer._history_user = created_by
    customer.full_clean(exclude=["code"])
    customer.save()
    customer_event(customer, "created")
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, user, allow_duplicate: bool = False, **data) -> Customer:
    """Change a customer's fields (compared with the stored row, see ``crm.edits``); the code
    never changes."""
    data = clean_customer_data(data)
    if not allow_duplicate and customer_duplicates(
        phone=data.get("phone", ""), id_number=data.get("id_number", ""), exclude_id=customer.pk
    ).exists():
        raise ValidationError(DUPLICATE, code="duplicate")
    row, changed = row_edit(Customer, customer.pk, user=user, values=data, fields=CUSTOMER_FIELDS)
    if changed:
        customer_event(row, "updated")
    return row


def customer_event(customer: Customer, change: str) -> None:
    """Other systems hear that a customer changed (crm.events): ids only, they read the rest."""
    events.publish(events.CUSTOMER_CHANGED, project_id=customer.project_id, data={
        "id": customer.pk, "code": customer.code, "external_id": customer.external_id, "change": change})


# --- privacy ----------------------------------------------------------------------------

def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": [_("请填写调阅原因。")]})
    return reason


@transaction.atomic
def preference_open(*, customer: Customer, user, reason: str) -> PreferenceProfile:
    """Open a customer's 客情档案: needs a reason and writes an access-log entry."""
    if user_role(user) == Role.PROPERTY_COMPANY:
        raise PermissionDenied(_("物业公司不能查看客情档案。"))
    reason = _require_reason(reason)
    AccessLog.objects.create(user=user, customer=customer, what=AccessLog.What.PREFERENCE, reason=reason)
    profile, _created = PreferenceProfile.objects.get_or_create(customer=customer)
    return profile


PREFERENCE_FIELDS = ["anniversary", "allergies", "dietary", "likes", "dislikes", "language", "special_requests",
                     "previous_complaints"]


def preference_update(*, profile: PreferenceProfile, user, **data) -> PreferenceProfile:
    """Save the changed fields of a 客情档案, compared with the stored profile (``crm.edits``)."""
    row, _changed = row_edit(PreferenceProfile, profile.pk, user=user, values=data, fields=PREFERENCE_FIELDS)
    return row


@transaction.atomic
def access_request_submit(*, customer: Customer, user, reason: str) -> AccessRequest:
    """Ask to open a customer outside one's scope; the role the approval matrix names decides
    (crm's approval step tells it)."""
    from django.urls import reverse

    from owners.permissions import check_access_request

    check_access_request(user)
    reason = _require_reason(reason)
    req = AccessRequest(customer=customer, requested_by=user, reason=reason)
    req._history_user = user
    req.save()
    approval_submit(target=req, title=recorded(_("范围外客户调阅申请：{code}"), code=customer.code),
                    content=recorded(_("{user} 申请调阅 {code}：{reason}"), user=user, code=customer.code, reason=reason),
                    submitted_by=user, url=reverse("owners:access_request_list"))
    return req


@transaction.atomic
def access_request_decide(*, request_id: int, user, approve: bool, comment: str = "") -> AccessRequest:
    """Approve (the customer opens for today) or reject a pending request, once: crm's approval
    step checks that the matrix names the user, stamps the decision and moves the request."""
    from django.urls import reverse

    req = AccessRequest.objects.get(pk=request_id)
    approval_decide(target=req, user=user, approve=approve, comment=comment,
                    url=reverse("owners:access_request_list"))
    return req


def out_of_scope_open(*, customer: Customer, user) -> AccessLog:
    """Log the opening of a customer outside one's scope, with the reason of the request
    approved for today; without such a request the opening is refused."""
    granted = AccessRequest.objects.filter(
        customer=customer, requested_by=user, status=AccessRequest.Status.APPROVED, valid_on=timezone.localdate()
    ).order_by("-requested_at").first()
    if granted is None:
        raise PermissionDenied(_("调阅范围外客户须先提交调阅申请并获批准。"))
    return AccessLog.objects.create(user=user, customer=customer, what=AccessLog.What.OUT_OF_SCOPE,
                                    reason=recorded(_("已批准的调阅申请：{reason}"), reason=granted.reason)[:300])


# --- contacts and visits ----------------------------------------------------------------

@transaction.atomic
def contact_log(*, customer: Customer, user, need: str, kind: str = ContactLog.Kind.CALL, answer: str = "",
                follow_up: str = "", caller_phone: str = "", occurred_at: dt.datetime | None = None) -> ContactLog:
    """Record a call or visit (来电来访记录)."""
    from owners.permissions import check_log_contact

    check_log_contact(user)
    if not (need or "").strip():
        raise ValidationError({"need": [_("请填写客户需求。")]})
    check_happened(occurred_at, label=_("来电来访时间"))
    entry = ContactLog(
        number=f"LD{timezone.localdate():%Y%m}{next_value('owners.contact'):05d}", kind=kind, customer=customer,
        project=customer.project, occurred_at=occurred_at or timezone.now(), caller_phone=caller_phone or customer.phone,
        need=need.strip(), answer=answer, follow_up=follow_up, handled_by=user,
    )
    entry._history_user = user
    entry.save()
    return entry


@transaction.atomic
def visit_record(*, customer: Customer, user, visited_on: dt.date, method: str, opinions: str = "",
                 satisfaction: int | None = None) -> CustomerVisit:
    """Record an active visit (访问客户记录表); counts toward the monthly quotas."""
    from owners.permissions import check_log_contact

    check_log_contact(user)
    if satisfaction is not None and not 1 <= int(satisfaction) <= 5:
        raise ValidationError({"satisfaction": [_("满意度为 1-5 分。")]})
    check_happened(visited_on, label=_("访问日期"))
    profile = getattr(user, "profile", None)
    visit = CustomerVisit(customer=customer, project=customer.project, visitor=user,
                          department=getattr(profile, "department", None), visited_on=visited_on, method=method,
                          opinions=opinions, satisfaction=satisfaction)
    visit._history_user = user
    visit.save()
    return visit


# --- documents, surveys, care -----------------------------------------------------------

@transaction.atomic
def unit_document_record(*, unit: Unit, kind: str, user, received_on: dt.date | None = None, scan=None,
                         note: str = "") -> UnitDocument:
    """Mark a checklist document as received (with its scan); received, so not in the future."""
    check_happened(received_on, label=_("收到日期"))
    doc = UnitDocument.objects.select_for_update().filter(unit=unit, kind=kind).first() or UnitDocument(
        unit=unit, kind=kind)
    doc.received_on, doc.note, doc.recorded_by = received_on, note, user
    if scan is not None:
        doc.scan = scan
    doc._history_user = user
    doc.save()
    return doc


@transaction.atomic
def survey_record(*, customer: Customer, user, surveyed_on: dt.date, scores: dict[str, int],
                  comment: str = "") -> SatisfactionSurvey:
    check_happened(surveyed_on, label=_("调查日期"))
    if not scores:
        raise ValidationError(_("请至少填写一项得分。"))
    for topic, score in scores.items():
        if topic not in SurveyScore.Topic.values or not 1 <= int(score) <= 5:
            raise ValidationError(gettext("得分无效：{topic}={score}（1-5 分）").format(topic=topic, score=score))
    survey = SatisfactionSurvey(customer=customer, project=customer.project, surveyed_on=surveyed_on,
                                surveyed_by=user, comment=comment)
    survey._history_user = user
    survey.save()
    # bulk_create alone writes no history rows; the helper writes one per score, by the same user.
    bulk_create_with_history([SurveyScore(survey=survey, topic=t, score=int(s)) for t, s in scores.items()],
                             SurveyScore, default_user=user)
    return survey


@transaction.atomic
def greeting_mark(*, customer: Customer, occasion: str, year: int, user) -> Greeting:
    """Mark a birthday/festival greeting as done; marking twice keeps the first (and its history)."""
    greeting = Greeting.objects.filter(customer=customer, occasion=occasion, year=year).first()
    if greeting is not None:
        return greeting
    greeting = Greeting(customer=customer, occasion=occasion, year=year, greeted_by=user)
    greeting._history_user = user
    try:
        with transaction.atomic():
            greeting.save()
    except IntegrityError:  # marked at the same moment by someone else: theirs stands
        greeting = Greeting.objects.get(customer=customer, occasion=occasion, year=year)
    return greeting


# --- projects ---------------------------------------------------------------------------

# No project of the office closed out before this day (the sales system's own records start later).
CLOSEOUT_EARLIEST = dt.date(2000, 1, 1)


def closeout_date_check(closeout_date: dt.date, *, today: dt.date | None = None) -> None:
    """Refuse a close-out hand-over date (封盘交接) that cannot be real for a project: before
    2000-01-01, or more than a year after today. The date is not a note: once it has come, the
    project's open cases move from the project department to 客户事务部 at once (and do not move
    back), and until it comes they stay with the project department. A typo such as 1900-01-01
    handed every open case over on the spot; 2062 for 2026 kept them with the project department
    for decades. A close-out is planned months ahead, not years.

    Not bound to the project's first move-in date (首次入伙日期): a project sold off the plan
    (期房) closes out its sales before its first owner moves in. The one rule for every path that
    records the date (the API, and the staff's form through this service)."""
    latest = period_end(today or timezone.localdate(), years=1, deadline=False)  # 29 Feb → 28 Feb
    if not CLOSEOUT_EARLIEST <= closeout_date <= latest:
        raise ValidationError({"closeout_date": gettext(
            "封盘交接日期应在 {earliest} 到 {latest}（一年后）之间：到了这一天，项目部的未结案件即转至客户事务部。"
        ).format(earliest=CLOSEOUT_EARLIEST.isoformat(), latest=latest.isoformat())}, code="out_of_range")


@transaction.atomic
def project_closeout_record(*, project, closeout_date: dt.date, user, reason: str = ""):
    """Record a project's close-out hand-over date (封盘交接) on the project and its history,
    after :func:`closeout_date_check`. What the date moves (the cases, the owners' scope) follows
    from it: complaints' ``closeout_hand_over`` and crm.scopes."""
    from owners.models import Project

    closeout_date_check(closeout_date)
    row, _changed = row_edit(Project, project.pk, user=user, values={"closeout_date": closeout_date},
                             fields=["closeout_date"], reason=reason or recorded(_("记录封盘交接日期")))
    return row
