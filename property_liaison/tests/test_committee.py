import datetime as dt
from decimal import Decimal

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
    assert result.notice_due_date == dt.date(2025, 1, 25)


def test_less_than_twenty_percent_delivered_never_meets_the_condition():
    units = [(Decimal("10"), dt.date(2020, 1, 10)), (Decimal("90"), None)]
    assert committee_condition(units, **RULES).condition_date is None


def test_thirty_day_cities_move_the_notice_due_date():
    units = [(Decimal("60"), dt.date(2025, 3, 1)), (Decimal("40"), None)]
    result = committee_condition(units, **{**RULES, "notice_days": 30})
    assert result.notice_due_date == dt.date(2025, 3, 31)
