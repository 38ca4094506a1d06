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

from . import selectors
from .auth import lock
from .photos import clean_photo

MAX_CASES_PER_DAY = 10  # new cases one owner may report in a day
MAX_PHOTOS = 9  # photos one report (or one addition) may carry
REPORT_KINDS = ("complaint", "need_suggestion", "enquiry", "praise")


def case_owners_notify(case, title, *, sms: bool = True) -> int:
    """A notice about a case to every owner account bound to its customer: in the portal's inbox
    and, for the moments that matter, by SMS to the account's phone (crm.notifications)."""
    from django.urls import reverse

    from .models import OwnerAccount

    sent = 0
    for account in OwnerAccount.objects.filter(customers=case.customer_id).select_related("user"):
        sent += notify_owner(user=account.user, title=title, url=reverse("portal:case", args=[case.pk]),
                             sms_to=account.phone if sms else "", sms_template="case_update" if sms else "",
                             sms_params={"number": case.number, "title": str(title)})
    return sent


@transaction.atomic
def case_report(*, user, kind: str, category: str, unit, description: str, photos=(),
                preferred_by: dt.datetime | None = None) -> Complaint:
    """报事报修/投诉/建议 from the portal: registered by ``complaints.services.complaint_register``
    with the channel 业主端, the same number sequence and clocks (the 10-minute transfer clock
    starts now: the front desk takes it up from the register's 业主端新提交 queue). At most
    ``MAX_CASES_PER_DAY`` a day per owner (counted under a lock: two at once count as two)."""
    if kind not in REPORT_KINDS:
        raise ValidationError(_("请选择正确的类型。"))
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(_("最多上传 9 张照片。"))
    customer = selectors.my_customer_for_unit(user, unit)
    description = (description or "").strip()
    if not description:
        raise ValidationError(_("请描述您遇到的问题。"))
    if preferred_by is not None and preferred_by <= timezone.now():
        raise ValidationError(_("期望处理时间须晚于现在。"))
    cleaned = [clean_photo(p) for p in photos]  # all checked before anything is written
    lock(f"report:{user.pk}")
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    if Complaint.objects.filter(received_by=user, received_at__gte=start).count() >= MAX_CASES_PER_DAY:
        raise ValidationError(_("每天最多提交 10 件，今天已达上限；紧急情况请致电客服热线。"))
    title = description.splitlines()[0][:30]
    case = complaint_services.complaint_register(
        received_by=user, kind=kind, channel=Channel.OWNER_PORTAL, category=category, title=title,
        description=description, customer=customer, unit=unit, needs_transfer=True, owner_requested_by=preferred_by)
    for photo in cleaned:
        complaint_services.attachment_add_for_owner(complaint=case, user=user, upload=photo)
    case_owners_notify(case, format_lazy(_("已受理您的反映，编号 {number}"), number=case.number))
    notify_role(Role.FRONT_DESK, title=format_lazy(_("业主端新提交：{number} {title}"), number=case.number,
                                                   title=case.title),
                url=case_url(case), target=case, dedupe_key=f"complaint:{case.pk}:portal")
    return case
