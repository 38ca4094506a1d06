import datetime as dt
from decimal import Decimal

import pytest

from crm.calendar import WorkingCalendar
from property_liaison.committee import committee_condition

RULES = dict(area_percent=Decimal(50), years=2, min_percent_after_years=Decimal(20), notice_days=15)


def test_project_crossing_half_its_area_on_a_day_is_met_that_day_with_notice_fifteen_days_later():
    units = [(Decimal("100"), dt.date(2025, 3, 1)), (Decimal("100"), dt.date(2025, 6, 10)),
             (Decimal("100"), None), (Decimal("100"), dt.date(2025, 9, 1))]
    result = committee_condition(units, **RULES)
    assert result.condition_date == dt.date(2025, 6, 10)
    assert result.notice_due_date == dt.date(2025, 6, 25)


def test_two_years_after_first_delivery_with_twenty_percent_delivered_meets_the_condition():
    units = [(Decimal("25"), dt.date(2023, 1, 10)), (Decimal("75"), None)]
    result = committee_condition(units, **RULES)
    assert result.condition_date == dt.date(2025, 1, 10)
    # 01-25 is a Saturday off; Sunday 01-26 is a 调休 working day (民法典 art. 203)
    assert result.notice_due_date == dt.date(2025, 1, 26)


def test_less_than_twenty_percent_delivered_never_meets_the_condition():
    units = [(Decimal("10"), dt.date(2020, 1, 10)), (Decimal("90"), None)]
    assert committee_condition(units, **RULES).condition_date is None


def test_thirty_day_cities_move_the_notice_due_date():
    units = [(Decimal("60"), dt.date(2025, 3, 1)), (Decimal("40"), None)]
    result = committee_condition(units, **{**RULES, "notice_days": 30})
    assert result.notice_due_date == dt.date(2025, 3, 31)


@pytest.mark.parametrize("delivered, condition, notice_due", [
    # 15 days after 09-16 end on 10-01: the National Day holiday moves the notice to 10-08
    (dt.date(2026, 9, 16), dt.date(2026, 9, 16), dt.date(2026, 10, 8)),
    # the two years are elapsed time: met on the anniversary even on a holiday (2024-02-29 → 2026-02-28)
    (dt.date(2024, 2, 29), dt.date(2026, 2, 28), dt.date(2026, 3, 16)),
    (dt.date(2024, 10, 3), dt.date(2026, 10, 3), dt.date(2026, 10, 19)),
])
def test_the_notice_is_a_deadline_and_the_two_years_are_elapsed_time(delivered, condition, notice_due):
    share = Decimal(60) if delivered.year == 2026 else Decimal(30)  # over half at once, or the two-year path
    units = [(share, delivered), (Decimal(100) - share, None)]
    result = committee_condition(units, **RULES)
    assert (result.condition_date, result.notice_due_date) == (condition, notice_due)


def test_an_admin_day_off_moves_the_notice():
    units = [(Decimal("60"), dt.date(2025, 6, 10)), (Decimal("40"), None)]
    closed = WorkingCalendar(overrides={dt.date(2025, 6, 25): False})
    assert committee_condition(units, **RULES, cal=closed).notice_due_date == dt.date(2025, 6, 26)
