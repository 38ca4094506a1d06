"""Each year's holiday arrangement: reading the State Council's notice, confirming it, and
warning while next year is still only an estimate.

The days themselves are applied by ``crm.calendar`` (an official year uses the notice's
days, an estimated one the ``holidays`` package's rule). This module is every write to
``CalendarYear`` (``calendar_year_confirm``), the pure reading and checking of a notice as an
admin types it (``parse_ranges``, ``parse_days``, ``notice_errors``, ``notice_preview``) and
the warning job. What a confirmation changes elsewhere (clocks already counted over the
estimate) is done by the apps that hold them, through the ``calendar_year_confirmed``
signal, in the same transaction: once per confirmation.
"""
from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from crm import calendar as working_calendar
from crm.models import CalendarYear
from crm.notifications import notify_role
from crm.roles import Role

# Sent inside the confirming transaction with ``year`` (the CalendarYear row), ``old`` and
# ``new`` (the WorkingCalendar before and after) and ``user``.
calendar_year_confirmed = Signal()

WARN_FROM = (11, 1)  # (month, day): from 1 November, next year's notice is due (it comes out late in the year)
WARNED_ROLES = (Role.ADMIN, Role.CS_SUPERVISOR)
# The day of the week after 星期 (its English name in English): Monday first, as date.weekday().
WEEKDAYS = (pgettext_lazy("weekday", "一"), pgettext_lazy("weekday", "二"), pgettext_lazy("weekday", "三"),
            pgettext_lazy("weekday", "四"), pgettext_lazy("weekday", "五"), pgettext_lazy("weekday", "六"),
            pgettext_lazy("weekday", "日"))

# Notices shipped with the product. The data migration ``calendar_year_2026_official`` wrote
# the same rows (migrations are frozen, so it keeps its own copy; a test compares them), and
# ``ensure_shipped_years`` puts them back after a flush (a restore drill, a transactional test).
SHIPPED_REASON = "随系统发布：holidays 包 {year} 年数据即国务院办公厅{year}年节假日安排通知"  # i18n: data (a history reason)
SHIPPED_YEARS = {  # i18n: data (the notices as published)
    2026: {
        "notice_title": "国务院办公厅关于2026年部分节假日安排的通知",
        "holiday_ranges": [
            ["2026-01-01", "2026-01-03", "元旦"], ["2026-02-15", "2026-02-23", "春节"],
            ["2026-04-04", "2026-04-06", "清明节"], ["2026-05-01", "2026-05-05", "劳动节"],
            ["2026-06-19", "2026-06-21", "端午节"], ["2026-09-25", "2026-09-27", "中秋节"],
            ["2026-10-01", "2026-10-07", "国庆节"],
        ],
        "working_days": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
    },
}


def ensure_shipped_years(using: str = "default") -> None:
    """Create the shipped official years that have no row; never touch an admin's row."""
    for year, fields in SHIPPED_YEARS.items():
        if CalendarYear.objects.using(using).filter(year=year).exists():
            continue
        row = CalendarYear(year=year, **fields, status=CalendarYear.Status.OFFICIAL, revision=1,
                           confirmed_at=timezone.now())
        row._change_reason = SHIPPED_REASON.format(year=year)
        row.save(using=using)


# --- Reading a notice as typed ---------------------------------------------------------------

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")  # i18n: data (parses a notice)


class NoticeError(ValueError):
    """Input that is not a notice: ``messages`` says every problem, in Chinese."""

    def __init__(self, messages: list[str]):
        super().__init__("；".join(messages))
        self.messages = messages


def _dates_in(line: str) -> tuple[list[dt.date], str]:
    """The dates written in ``line`` (2027-02-06, 2027/2/6, 2027年2月6日) and the text before
    the first one (the festival's name)."""
    found, label = [], ""
    for n, match in enumerate(_DATE.finditer(line)):
        if n == 0:
            label = line[:match.start()].strip(" \t:：,，")
        found.append(dt.date(*map(int, match.groups())))
    return found, label


def _lines(text: str):
    for n, line in enumerate((text or "").splitlines(), start=1):
        if line.strip():
            yield n, line.strip()


def parse_ranges(text: str) -> list[list[str]]:
    """The holiday ranges, one a line: ``春节 2027-02-06 至 2027-02-12`` (or one date for a one-day
    holiday) -> ``[["2027-02-06", "2027-02-12", "春节"], …]``. Raises ``NoticeError``."""
    ranges, errors = [], []
    for n, line in _lines(text):
        try:
            dates, label = _dates_in(line)
        except ValueError:
            errors.append(_("放假日期第%(n)d行有不存在的日期：%(line)s") % {"n": n, "line": line})
            continue
        if len(dates) == 1:
            dates = dates * 2
        if len(dates) != 2:
            errors.append(_("放假日期第%(n)d行应为“名称 开始日期 至 结束日期”或一个日期：%(line)s") % {"n": n, "line": line})
            continue
        ranges.append([dates[0].isoformat(), dates[1].isoformat(), label[:20]])
    if errors:
        raise NoticeError(errors)
    return ranges


def parse_days(text: str) -> list[str]:
    """The 调休 working days: dates separated by lines, commas or spaces -> sorted ISO dates."""
    days, errors = set(), []
    for n, line in _lines(text):
        try:
            dates, _label = _dates_in(line)
        except ValueError:
            errors.append(_("调休上班日期第%(n)d行有不存在的日期：%(line)s") % {"n": n, "line": line})
            continue
        if not dates:
            errors.append(_("调休上班日期第%(n)d行无法识别日期：%(line)s") % {"n": n, "line": line})
        days.update(d.isoformat() for d in dates)
    if errors:
        raise NoticeError(errors)
    return sorted(days)


def format_ranges(ranges) -> str:
    # The notice's own wording, which parse_ranges reads back.
    return "\n".join(f"{r[2] + ' ' if len(r) > 2 and r[2] else ''}{r[0]} 至 {r[1]}" for r in ranges)  # i18n: data


def notice_errors(year: int, ranges: list, working_days: list[str]) -> list[str]:
    """Every reason why ``ranges`` and ``working_days`` cannot be ``year``'s notice (empty when
    they can): a range ending before it starts, a date outside the year, overlapping ranges,
    a working day that is also a holiday or that is not a weekend day."""
    errors = []
    if not ranges:
        errors.append(_("请填写放假日期（通知中每个节日的放假起止日期）。"))
    outside = _("%(day)s 不在%(year)d年内（跨年的单日调整请在“工作日历调整”中录入）。")
    spans = []
    for n, (first, last, *_name) in enumerate(ranges, start=1):
        a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        if b < a:
            errors.append(_("放假日期第%(n)d项：结束日期 %(b)s 早于开始日期 %(a)s。") % {"n": n, "a": a, "b": b})
            continue
        for day in {a, b}:
            if day.year != year:
                errors.append(outside % {"day": day, "year": year})
        spans.append((a, b, n))
    spans.sort()
    for (_a1, b1, n1), (a2, _b2, n2) in zip(spans, spans[1:]):
        if a2 <= b1:
            errors.append(_("放假日期第%(n1)d项与第%(n2)d项重叠。") % {"n1": n1, "n2": n2})
    off = _days_in(ranges)
    for text in working_days:
        day = dt.date.fromisoformat(text)
        if day.year != year:
            errors.append(outside % {"day": day, "year": year})
        elif day in off:
            errors.append(_("%(day)s 既在放假日期内又是调休上班日，请核对通知。") % {"day": day})
        elif day.weekday() < 5:
            errors.append(_("%(day)s 是星期%(w)s，本来就是工作日；调休上班日应为周六或周日。")
                          % {"day": day, "w": WEEKDAYS[day.weekday()]})
    return errors


def _days_in(ranges) -> frozenset:
    return CalendarYear(holiday_ranges=[r[:2] for r in ranges if r[0] <= r[1]]).days_off()


def notice_preview(year: int, ranges: list, working_days: list[str]) -> list[dict]:
    """The days of ``year`` on which the notice and the library's estimate differ, in order:
    ``{"date", "weekday", "estimate": working?, "notice": working?, "why"}``."""
    library = working_calendar.WorkingCalendar()
    notice = working_calendar.WorkingCalendar(official={year: (_days_in(ranges), frozenset(
        dt.date.fromisoformat(d) for d in working_days))})
    rows, day = [], dt.date(year, 1, 1)
    while day.year == year:
        before, after = library.is_working_day(day), notice.is_working_day(day)
        if before != after:
            rows.append({"date": day, "weekday": WEEKDAYS[day.weekday()], "estimate": before, "notice": after,
                         "why": _("调休上班") if after else _("放假")})
        day += dt.timedelta(days=1)
    return rows


# --- Confirming ------------------------------------------------------------------------------


@transaction.atomic
def calendar_year_confirm(*, year: int, notice_title: str, notice_date: dt.date | None, holiday_ranges: list,
                          working_days: list[str], user) -> CalendarYear:
    """Enter or correct ``year``'s notice and make the year official.

    Checks the notice (``notice_errors``), stores it with its history (who, when, first
    confirmation or correction), drops the cached calendar, and sends
    ``calendar_year_confirmed`` with the calendars before and after, so that what was counted
    over the old days is recomputed in this transaction. Raises ``NoticeError``.
    """
    errors = notice_errors(year, holiday_ranges, working_days)
    if not (notice_title or "").strip():
        errors.insert(0, _("请填写通知标题。"))
    if notice_date is None:
        errors.insert(0, _("请填写通知发布日期。"))
    if errors:
        raise NoticeError(errors)
    # one history row per confirmation (a get_or_create would add an empty "created" one)
    row = CalendarYear.objects.select_for_update().filter(year=year).first() or CalendarYear(year=year)
    old = working_calendar.build_calendar()
    correcting = row.is_official
    row.status = CalendarYear.Status.OFFICIAL
    row.notice_title = notice_title.strip()
    row.notice_date = notice_date
    row.holiday_ranges = [list(r) for r in holiday_ranges]
    row.working_days = sorted(working_days)
    row.revision += 1
    row.confirmed_by, row.confirmed_at = user, timezone.now()
    row._change_reason = (_("更正%(year)d年节假日安排") if correcting else _("确认%(year)d年节假日安排")) % {"year": year}
    row.save()
    working_calendar.forget()
    new = working_calendar.build_calendar()
    calendar_year_confirmed.send(sender=CalendarYear, year=row, old=old, new=new, user=user)
    return row


# --- Warning while next year is estimated ----------------------------------------------------


def local_today() -> dt.date:
    """Today in the office's time zone (one place for tests to set the date)."""
    return timezone.localdate()


def years_awaiting_notice(today: dt.date | None = None, cal=None) -> list[int]:
    """The years that should be official by now and are not: this year at any time, next year
    from 1 November."""
    today = today or local_today()
    cal = cal or working_calendar.calendar()
    years = [today.year] if cal.is_estimated(today.year) else []
    if (today.month, today.day) >= WARN_FROM and cal.is_estimated(today.year + 1):
        years.append(today.year + 1)
    return years


def calendar_year_warning(today: dt.date | None = None) -> int:
    """Daily beat job: tell ``admin`` and ``cs_supervisor`` once per ISO week that a year's
    notice is missing (see ``years_awaiting_notice``); nothing once the year is confirmed.
    Returns how many notifications are new."""
    today = today or local_today()
    iso_year, week, _day = today.isocalendar()
    sent = 0
    for year in years_awaiting_notice(today):
        started = year <= today.year
        title = (_("%(year)d年节假日安排尚未确认：时限正按预估日历计算") if started
                 else _("%(year)d年节假日安排尚未确认")) % {"year": year}
        body = _("国务院办公厅关于%(year)d年部分节假日安排的通知公布后，请系统管理员在“基础设置 › 年度节假日安排”"
                 "中录入放假日期和调休上班日并确认。在此之前，跨入%(year)d年的服务时限按预估日历计算"
                 "（没有调休上班日），截止时间可能有误。") % {"year": year}
        key = f"crm:calendar_year:{year}:{iso_year}-W{week:02d}"
        level = "danger" if started else "warning"
        for role in WARNED_ROLES:
            # only the admin can open the admin page; the supervisor is told, not linked
            url = reverse("admin:crm_calendaryear_changelist") if role == Role.ADMIN else ""
            sent += notify_role(role, title=title, body=body, url=url, level=level, dedupe_key=key)
    return sent
