import datetime as dt
from decimal import Decimal

import pytest

from crm.calendar import WorkingCalendar
from property_liaison.committee import CommitteeCondition, committee_condition
from property_liaison.tests.factories import project_with_company, unit

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


D = dt.date


def delivered(*pairs):
    """(area, day) pairs delivered; the rest of the 100 m² is not delivered yet."""
    area = sum(Decimal(a) for a, _ in pairs)
    return [(Decimal(a), day) for a, day in pairs] + [(Decimal(100) - area, None)]


@pytest.mark.parametrize("units, condition, reason", [
    # exactly half the area is enough (≥, not >), on the day that delivery crossed it
    (delivered((30, D(2025, 3, 3)), (20, D(2025, 5, 6))), D(2025, 5, 6), "交付面积达到总面积的 50%"),
    # just under half (49.6 %): only the two-year path, from the first delivery
    (delivered((30, D(2025, 3, 3)), ("19.6", D(2025, 5, 6))), D(2027, 3, 3), "首次交付满 2 年且交付面积达到 20%"),
    # a project of less than a square metre in all is still a project
    ([(Decimal("0.6"), D(2025, 5, 6)), (Decimal("0.4"), None)], D(2025, 5, 6), "交付面积达到总面积的 50%"),
    # two deliveries on the same day add up
    (delivered((25, D(2025, 5, 6)), (25, D(2025, 5, 6))), D(2025, 5, 6), "交付面积达到总面积的 50%"),
    # exactly 20 % two years after the first delivery is enough
    (delivered((20, D(2023, 5, 8))), D(2025, 5, 8), "首次交付满 2 年且交付面积达到 20%"),
    (delivered((19, D(2023, 5, 8))), None, ""),
    # 20 % reached only after the two years: met on the day it is reached, counted from the first delivery
    (delivered((10, D(2023, 5, 8)), (10, D(2025, 9, 1))), D(2025, 9, 1), "首次交付满 2 年且交付面积达到 20%"),
    # 20 % reached before the anniversary: met on the anniversary of the first delivery, not of the 20 %
    (delivered((10, D(2023, 5, 8)), (10, D(2024, 1, 2))), D(2025, 5, 8), "首次交付满 2 年且交付面积达到 20%"),
    # both paths: the earlier day wins
    (delivered((20, D(2023, 5, 8)), (35, D(2025, 2, 3))), D(2025, 2, 3), "交付面积达到总面积的 50%"),
    (delivered((20, D(2023, 5, 8)), (35, D(2025, 6, 3))), D(2025, 5, 8), "首次交付满 2 年且交付面积达到 20%"),
])
def test_the_condition_is_met_at_exactly_each_threshold_on_the_earlier_path(units, condition, reason):
    result = committee_condition(units, **RULES)
    assert (result.condition_date, result.reason) == (condition, reason)
    assert (result.notice_due_date is None) is (condition is None)


def test_a_unit_without_an_area_counts_for_nothing():
    units = [(None, D(2025, 3, 3)), (Decimal(50), D(2025, 5, 6)), (Decimal(50), None)]
    assert committee_condition(units, **RULES).condition_date == D(2025, 5, 6)
    assert committee_condition([(None, D(2025, 3, 3)), (Decimal(100), None)], **RULES).condition_date is None


@pytest.mark.parametrize("units", [[], [(Decimal(0), D(2025, 3, 3))], [(None, D(2025, 3, 3)), (None, None)]])
def test_a_project_without_floor_area_never_meets_the_condition(units):
    assert committee_condition(units, **RULES) == CommitteeCondition(None, None, "", Decimal(0))


@pytest.mark.parametrize("today, percent", [
    (None, Decimal("66.7")),  # every delivery, whenever it is
    (D(2025, 5, 5), Decimal("0.0")),
    (D(2025, 5, 6), Decimal("33.3")),  # the delivery day itself counts
    (D(2025, 9, 1), Decimal("66.7")),
])
def test_the_delivered_share_counts_the_deliveries_up_to_today_to_a_tenth(today, percent):
    units = [(Decimal(100), D(2025, 5, 6)), (Decimal(100), D(2025, 9, 1)), (Decimal(100), None)]
    result = committee_condition(units, **RULES, today=today)
    assert result.delivered_percent == percent and str(result.delivered_percent) == str(percent)
    assert result.condition_date == D(2025, 9, 1)


def test_the_delivered_share_is_given_even_before_the_condition_is_met():
    units = [(Decimal(10), D(2025, 5, 6)), (Decimal(90), None)]
    assert committee_condition(units, **RULES, today=D(2025, 6, 1)) == CommitteeCondition(
        None, None, "", Decimal("10.0"))


def test_the_notice_is_counted_on_the_database_calendar_by_default(db):
    from crm.models import CalendarOverride
    from property_liaison.services import project_committee_condition

    CalendarOverride.objects.create(date=D(2025, 6, 25), is_working_day=False, note="停工")
    project, _ = project_with_company()
    unit(project, "1-101", "60", D(2025, 6, 10))
    unit(project, "1-102", "40", None)
    result = project_committee_condition(project, on=D(2025, 7, 1))
    assert (result.condition_date, result.notice_due_date) == (D(2025, 6, 10), D(2025, 6, 26))
    assert result.delivered_percent == Decimal("60.0")
    assert project_committee_condition(project, on=D(2025, 6, 9)).delivered_percent == Decimal("0.0")
