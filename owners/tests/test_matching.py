"""The one comparison every import uses: a typed value against the record it refers to."""
import pytest

from owners.matching import bank_matches, id_matches, is_blank, name_matches, unit_matches

ID = "110101198001011237"


@pytest.mark.parametrize("given, expected", [
    (ID, True), (ID.lower(), True), (" 1101 0119 8001 0112 37 ", True),
    ("110***********1237", True), ("110101********1237", True), ("110****1237", True),
    ("110***********1238", False), ("220***********1237", False), ("110101198001011238", False),
    ("11010119800101123", False),
])
def test_an_id_number_matches_by_its_visible_characters(given, expected):
    assert id_matches(given, ID) is expected


def test_a_stored_blank_id_number_cannot_be_contradicted():
    assert id_matches(ID, "")


@pytest.mark.parametrize("given, expected", [
    ("张三丰", True), ("张 三丰", True), ("张*", True), ("张**", True), ("*三丰", True), ("张*丰", True),
    ("张三", False), ("李*", False), ("查无此人", False), ("张三丰丰", False),
])
def test_a_name_matches_in_clear_or_masked(given, expected):
    assert name_matches(given, "张三丰") is expected


def test_a_name_with_a_middle_dot_matches_whichever_dot_is_typed():
    assert name_matches("阿卜杜・热合曼", "阿卜杜·热合曼")


@pytest.mark.parametrize("given, expected", [
    ("1-101", True), ("1－101", True), ("1栋-1-101", True), ("1栋1-101", True), ("1栋-1-101室", True),
    ("测试花园1栋-1-101", True), ("测试花园 1栋1-101", True),
    ("1-102", False), ("2栋-1-101", False), ("99-9999", False), ("101", False),
])
def test_a_unit_matches_in_the_spellings_files_use(given, expected):
    assert unit_matches(given, "1-101", "1栋", "测试花园") is expected


@pytest.mark.parametrize("given, stored, expected", [
    ("建设银行", "建设银行", True), ("中国建设银行", "建设银行", True), ("建设银行", "中国建设银行股份有限公司", True),
    ("中国银行", "中国银行", True), ("中国银行", "建设银行", False), ("工商银行", "建设银行", False),
    ("银行", "建设银行", False),
])
def test_a_bank_matches_by_its_short_or_full_name(given, stored, expected):
    assert bank_matches(given, stored) is expected


@pytest.mark.parametrize("value, blank", [(None, True), ("", True), ("  ", True), ("******", True), ("张*", False)])
def test_a_fully_masked_value_is_blank(value, blank):
    assert is_blank(value) is blank
