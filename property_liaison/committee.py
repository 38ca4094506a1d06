"""When may the first owners' meeting be called? Pure functions, no database.

Local regulations: once the delivered floor area reaches ``area_percent`` of the total,
or ``years`` after the first delivery with at least ``min_percent_after_years`` delivered;
the developer must then notify the district housing office and the sub-district office
within ``notice_days``. Thresholds come from the rules (cities differ). Both periods are
counted under 民法典 art. 201–203 by ``crm.calendar.period_end``: the years are an elapsed
time (the condition is met on the anniversary, whatever day it is); the notice is a deadline
to act, so a last day off moves to the next working day.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from crm.calendar import WorkingCalendar, period_end


@dataclass(frozen=True)
class CommitteeCondition:
    condition_date: dt.date | None
    notice_due_date: dt.date | None
    reason: str
    delivered_percent: Decimal


def committee_condition(units: Iterable[tuple[Decimal, dt.date | None]], *, area_percent: Decimal,
                        years: int, min_percent_after_years: Decimal, notice_days: int,
                        today: dt.date | None = None, cal: WorkingCalendar | None = None) -> CommitteeCondition:
    """The day the condition is met (or None) and the notice due date.

    ``units`` are (floor area, delivery date or None); the total is every unit's area,
    delivered or not. ``cal`` decides the working days (default: the statutory calendar
    without admin overrides, so that this stays free of the database).
    """
    cal = cal or WorkingCalendar()
    units = [(Decimal(area or 0), day) for area, day in units]
    total = sum((area for area, _ in units), Decimal(0))
    if total <= 0:
        return CommitteeCondition(None, None, "", Decimal(0))
    by_day: dict[dt.date, Decimal] = {}
    for area, day in units:
        if day is not None:
            by_day[day] = by_day.get(day, Decimal(0)) + area
    cumulative = Decimal(0)
    reached_main = reached_min = None
    for day in sorted(by_day):
        cumulative += by_day[day]
        percent = cumulative * 100 / total
        if reached_min is None and percent >= min_percent_after_years:
            reached_min = day
        if reached_main is None and percent >= area_percent:
            reached_main = day
    candidates = []
    if reached_main is not None:
        candidates.append((reached_main, gettext("交付面积达到总面积的 %(percent)s%%") % {"percent": area_percent}))
    if by_day and reached_min is not None:
        after_years = max(period_end(min(by_day), years=years, deadline=False), reached_min)
        candidates.append((after_years, gettext("首次交付满 %(years)s 年且交付面积达到 %(percent)s%%") % {"years": years, "percent": min_percent_after_years}))
    delivered = sum((area for area, day in units if day is not None and (today is None or day <= today)),
                    Decimal(0))
    delivered_percent = (delivered * 100 / total).quantize(Decimal("0.1"))
    if not candidates:
        return CommitteeCondition(None, None, "", delivered_percent)
    day, reason = min(candidates, key=lambda pair: pair[0])
    notice_due = period_end(day, days=notice_days, deadline=True, cal=cal)
    return CommitteeCondition(day, notice_due, reason, delivered_percent)
