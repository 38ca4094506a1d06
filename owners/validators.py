"""Phone numbers and the 18-digit resident ID number (GB 11643) with its checksum."""
from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
ID_RE = re.compile(r"^\d{17}[\dX]$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s()]", "", (value or "")).replace("+86", "", 1) if value else ""


def validate_phone(value: str) -> None:
    value = normalize_phone(value)
    if not (MOBILE_RE.match(value) or LANDLINE_RE.match(value)):
        raise ValidationError(_("电话号码格式不正确：手机为 11 位数字（1 开头），座机如 0571-88880001。"), code="phone")


def id_checksum(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def normalize_id(value: str) -> str:
    return (value or "").strip().upper()


def validate_id_number(value: str) -> None:
    value = normalize_id(value)
    if not ID_RE.match(value):
        raise ValidationError(_("身份证号应为 18 位，前 17 位为数字，最后一位为数字或 X。"), code="id_format")
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="id_birth") from None
    if id_checksum(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对。"), code="id_checksum")


def birth_date_from_id(value: str) -> dt.date | None:
    value = normalize_id(value)
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except (ValueError, IndexError):
        return None


# Dates of the master data (a project's first move-in, a unit's delivery, an ownership's contract
# and move-in): the first commercial housing of mainland China was sold in 1980, so an earlier day
# is a typo; delivery and move-in are planned a few years ahead, not decades. One rule for every
# way in: the models' validators (the admin, the staff's forms, the Excel imports, which clean
# each row) and the API (api.serializers.DayField). 9999-12-31 stored as a delivery date made
# every warranty end computed from it a 500 on the staff's pages.
MASTER_DATA_EARLIEST = dt.date(1980, 1, 1)
MASTER_DATA_YEARS_AHEAD = 10


def master_date_latest(today: dt.date | None = None) -> dt.date:
    from django.utils import timezone

    from crm.calendar import period_end

    return period_end(today or timezone.localdate(), years=MASTER_DATA_YEARS_AHEAD, deadline=False)


def validate_master_date(value) -> None:
    if value is None:
        return
    latest = master_date_latest()
    if not MASTER_DATA_EARLIEST <= value <= latest:
        raise ValidationError(_("日期应在 %(earliest)s 到 %(latest)s 之间。"), code="out_of_range",
                              params={"earliest": MASTER_DATA_EARLIEST.isoformat(), "latest": latest.isoformat()})


def is_master_date(value, today: dt.date | None = None) -> bool:
    """Whether a stored master-data date is within the rule (nothing stored is): rows written
    before the rule may hold a legacy system's 1900-01-01 or 9999-12-31, which no computation
    should take for a real day."""
    return value is None or MASTER_DATA_EARLIEST <= value <= master_date_latest(today)
