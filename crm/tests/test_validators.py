"""crm.validators.check_happened: a date or time that has happened is neither in the future
nor before the stage it follows."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.validators import check_happened, not_in_future


@pytest.mark.parametrize("ago", [dt.timedelta(0), dt.timedelta(minutes=1), dt.timedelta(days=400)])
def test_today_now_and_the_past_are_accepted(ago):
    for value in (timezone.localdate() - ago, timezone.now() - ago, None):
        check_happened(value, label="日期", after=[(None, "上一阶段")])


def test_a_future_date_or_time_is_refused_with_its_label():
    with pytest.raises(ValidationError) as exc:
        check_happened(timezone.localdate() + dt.timedelta(days=1), label="递件日期")
    assert (exc.value.messages, exc.value.code) == (["递件日期不能晚于今天。"], "in_future")
    with pytest.raises(ValidationError, match="来电来访时间不能晚于现在。"):
        check_happened(timezone.now() + dt.timedelta(minutes=5), label="来电来访时间")


def test_a_date_before_the_previous_stage_names_that_stage_and_its_date():
    with pytest.raises(ValidationError) as exc:
        check_happened(dt.date(2020, 1, 1), label="递件日期", after=[(dt.date(2026, 9, 8), "进入上一阶段“已提交代办”的日期")])
    assert exc.value.messages == ["递件日期不能早于进入上一阶段“已提交代办”的日期（2026-09-08）。"]
    assert exc.value.code == "before_previous"


def test_the_same_day_as_the_previous_stage_is_accepted():
    check_happened(dt.date(2026, 9, 8), label="递件日期", after=[(dt.date(2026, 9, 8), "提交代办日期")])


def test_the_message_names_the_latest_bound_broken():
    with pytest.raises(ValidationError, match="开庭日期（2026-03-01）"):
        check_happened(dt.date(2026, 1, 1), label="判决日期",
                       after=[(dt.date(2025, 12, 1), "立案日期"), (dt.date(2026, 3, 1), "开庭日期"), (None, "无")])


def test_a_date_is_compared_with_a_time_by_its_local_day():
    approved = timezone.make_aware(dt.datetime(2026, 5, 10, 23, 30))
    check_happened(dt.date(2026, 5, 10), label="成立日期", after=[(approved, "批准时间")])
    with pytest.raises(ValidationError, match="成立日期不能早于批准时间（2026-05-10）"):
        check_happened(dt.date(2026, 5, 9), label="成立日期", after=[(approved, "批准时间")])


def test_a_time_is_compared_with_a_time_to_the_minute():
    approved = timezone.make_aware(dt.datetime(2026, 5, 10, 9, 30, 40))
    check_happened(timezone.make_aware(dt.datetime(2026, 5, 10, 9, 30)), label="召开时间", after=[(approved, "批准时间")])
    with pytest.raises(ValidationError, match="召开时间不能早于批准时间（2026-05-10 09:30）"):
        check_happened(timezone.make_aware(dt.datetime(2026, 5, 10, 9, 29)), label="召开时间",
                       after=[(approved, "批准时间")])


def test_a_time_is_compared_with_a_date_by_its_local_day():
    check_happened(timezone.make_aware(dt.datetime(2026, 5, 10, 0, 5)), label="时间", after=[(dt.date(2026, 5, 10), "日")])
    with pytest.raises(ValidationError):
        check_happened(timezone.make_aware(dt.datetime(2026, 5, 9, 23, 55)), label="时间",
                       after=[(dt.date(2026, 5, 10), "日")])


def test_the_form_validator_names_its_field():
    validate = not_in_future("放款日期")
    validate(timezone.localdate())
    validate(None)
    with pytest.raises(ValidationError, match="放款日期不能晚于今天"):
        validate(timezone.localdate() + dt.timedelta(days=1))


def test_on_the_same_day_the_nearer_stage_is_named():
    handed_over = timezone.make_aware(dt.datetime(2026, 5, 10, 9, 0))
    with pytest.raises(ValidationError, match="开庭日期不能早于立案日期（2026-05-10）"):
        check_happened(dt.date(2026, 5, 9), label="开庭日期",
                       after=[(handed_over, "移交法务时间"), (dt.date(2026, 5, 10), "立案日期")])
