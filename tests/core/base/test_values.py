"""Single values as counties write them: every accepted spelling, and what is refused."""

import datetime as dt
import math

import pandas as pd
import pytest

from core.base.values import (
    AMOUNT_EXPECTED,
    DATE_EXPECTED,
    MONTH_EXPECTED,
    YEAR_EXPECTED,
    YES_NO_EXPECTED,
    is_total_label,
    normalize_text,
    parse_amount,
    parse_date,
    parse_month,
    parse_year,
    parse_yes_no,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (float("nan"), ""),
        (pd.NA, ""),
        (pd.NaT, ""),
        ("", ""),
        ("   ", ""),
        (12, "12"),
        (12.0, "12"),
        (2025.0, "2025"),
        (1234.5, "1234.5"),
        (-3.0, "-3"),
        (True, "TRUE"),
        ("（单位：万元）", "(单位:万元)"),
        ("１２３４", "1234"),
        ("ＡＢｃ", "ABc"),
        ("  临湖县  ", "临湖县"),
        ("临湖\u3000县", "临湖 县"),
        ("建设\n单位", "建设 单位"),
        ("a \t\r\n  b", "a b"),
        ("\u200b项目\ufeff", "项目"),
        ("陈华（主任）", "陈华(主任)"),
        (dt.datetime(2025, 3, 1), "2025-03-01"),
        (dt.date(2025, 3, 1), "2025-03-01"),
    ],
)
def test_normalize_text(value, expected):
    assert normalize_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234.5, 1234.5),
        (100, 100.0),
        (0, 0.0),
        ("1234.5", 1234.5),
        ("1,234.5", 1234.5),
        ("12,345,678", 12345678.0),
        ("１，２３４．５", 1234.5),  # full-width digits and comma
        ("  88  ", 88.0),
        (".5", 0.5),
        ("1.2亿", 12000.0),
        ("1.2亿元", 12000.0),
        ("1.2 亿元", 12000.0),
        ("500万", 500.0),
        ("500万元", 500.0),
        ("3000元", 0.3),
        ("1,500元", 0.15),
        ("1e4", 10000.0),
        ("-20", -20.0),
        (-20, -20.0),
        ("−20", -20.0),  # U+2212 minus sign
        ("¥300", 300.0),
        (None, None),
        (float("nan"), None),
        ("", None),
        ("  ", None),
        ("-", None),
        ("—", None),
        ("——", None),
        ("/", None),
        ("－", None),  # full-width hyphen
    ],
)
def test_parse_amount(value, expected):
    assert parse_amount(value) == expected


@pytest.mark.parametrize(
    ("value", "multiplier", "expected"),
    [
        (1.5, 10000, 15000.0),  # 单位:亿元
        ("1.5", 10000, 15000.0),
        ("1,000", 10000, 10000000.0),
        (3000, 0.0001, 0.3),  # 单位:元
        ("3000", 0.0001, 0.3),
        ("12", 1.0, 12.0),
        ("500万", 10000, 500.0),  # a unit in the cell wins over the sheet's unit
        ("1亿", 0.0001, 10000.0),
        ("3000元", 10000, 0.3),
        ("", 10000, None),
    ],
)
def test_parse_amount_with_sheet_unit(value, multiplier, expected):
    assert parse_amount(value, multiplier) == expected


@pytest.mark.parametrize(
    "value",
    ["abc", "约500万", "1,2", "12,34", "1.2.3", "500美元", "1亿2000万", "五百", "1.", "万元", "+", ".",
     True, float("inf")],
)  # fmt: skip
def test_parse_amount_refuses(value):
    with pytest.raises(ValueError, match="应为数字") as error:
        parse_amount(value)
    assert str(error.value) == AMOUNT_EXPECTED


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025年3月", "2025-03"),
        ("2025年03月", "2025-03"),
        ("2025年3月份", "2025-03"),
        ("2025年3月15日", "2025-03"),
        ("2025 年 3 月", "2025-03"),
        ("２０２５年３月", "2025-03"),
        ("2025.03", "2025-03"),
        ("2025.3", "2025-03"),
        ("2025.12", "2025-12"),
        ("2025.03.15", "2025-03"),
        ("2025-03", "2025-03"),
        ("2025-3", "2025-03"),
        ("2025-03-01", "2025-03"),
        ("2025-03-01 00:00:00", "2025-03"),
        ("2025/3", "2025-03"),
        ("2025/03/15", "2025-03"),
        ("202503", "2025-03"),
        ("20250315", "2025-03"),
        (202503, "2025-03"),
        (45717, "2025-03"),  # Excel serial number of 2025-03-01
        (45717.0, "2025-03"),
        (45717.75, "2025-03"),  # a date with a time of day
        ("45717", "2025-03"),
        (45688, "2025-01"),  # 2025-01-31
        (45689, "2025-02"),  # 2025-02-01
        (2025.03, "2025-03"),  # a number cell holding 2025.03
        (2025.12, "2025-12"),
        (dt.datetime(2025, 3, 15, 8, 30), "2025-03"),
        (dt.date(2025, 3, 31), "2025-03"),
        (pd.Timestamp("2025-03-02"), "2025-03"),
        (None, None),
        (float("nan"), None),
        (pd.NaT, None),
        ("", None),
        ("-", None),
    ],
)
def test_parse_month(value, expected):
    assert parse_month(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2025-02-30", "2025年2月没有30日"),
        ("2025年13月", "月份13不存在"),
        ("2025-00", "月份0不存在"),
        ("202513", "月份13不存在"),
        ("0025-03", "年份25不在"),
        ("2025", ""),  # a year is not a month
        (2025, ""),
        ("2025-03-15-01", ""),
        ("2025-03/15", ""),  # mixed separators
        ("3月", ""),
        ("25.03", ""),
        ("下月", ""),
        ("19999", ""),  # below the serial-number range
        (80001, ""),
        (True, ""),
    ],
)
def test_parse_month_refuses(value, reason):
    with pytest.raises(ValueError) as error:
        parse_month(value)
    message = str(error.value)
    assert message.startswith(reason)
    assert MONTH_EXPECTED in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-15", "2026-03-15"),
        ("2026-3-5", "2026-03-05"),
        ("2026年3月15日", "2026-03-15"),
        ("2026年3月15号", "2026-03-15"),
        ("2026.03.15", "2026-03-15"),
        ("2026/3/15", "2026-03-15"),
        ("20260315", "2026-03-15"),
        (20260315, "2026-03-15"),
        (46096, "2026-03-15"),  # an Excel date cell read as its serial number
        ("46096", "2026-03-15"),
        (dt.datetime(2026, 3, 15), "2026-03-15"),
        (dt.date(2024, 2, 29), "2024-02-29"),
        (pd.Timestamp("2026-03-15"), "2026-03-15"),
        ("2026-03-15 00:00:00", "2026-03-15"),
        ("", None),
        ("—", None),
        (None, None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-03", "缺少日"),  # a deadline is a day
        ("2026年3月", "缺少日"),
        ("2026-02-30", "2026年2月没有30日"),
        ("2025-02-29", "2025年2月没有29日"),
        ("1800-01-01", "年份1800不在"),
        ("三月十五日", ""),
        (True, ""),
    ],
)
def test_parse_date_refuses(value, reason):
    with pytest.raises(ValueError) as error:
        parse_date(value)
    assert str(error.value).startswith(reason)
    assert DATE_EXPECTED in str(error.value)


def test_parse_month_refuses_a_number_that_may_have_lost_its_zero():
    # 2025.10 typed into a number cell is stored as 2025.1: January or October?
    with pytest.raises(ValueError, match="无法区分是1月还是10月"):
        parse_month(2025.1)
    assert parse_month("2025.1") == "2025-01"  # as text it is what it says


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025", 2025),
        ("2025年", 2025),
        ("2025年度", 2025),
        ("２０２５", 2025),
        (" 2025 ", 2025),
        ("2025.0", 2025),
        (2025, 2025),
        (2025.0, 2025),
        (1990, 1990),
        (2100, 2100),
        (None, None),
        ("", None),
        (float("nan"), None),
    ],
)
def test_parse_year(value, expected):
    assert parse_year(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1989", "年份1989不在1990至2100之间"),
        (2101, "年份2101不在1990至2100之间"),
        ("0", YEAR_EXPECTED),
        ("25", YEAR_EXPECTED),
        ("2025-03", YEAR_EXPECTED),
        ("二〇二五", YEAR_EXPECTED),
        (2025.5, YEAR_EXPECTED),
        (True, YEAR_EXPECTED),
    ],
)
def test_parse_year_refuses(value, message):
    with pytest.raises(ValueError) as error:
        parse_year(value)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("是", "是"),
        ("否", "否"),
        ("Y", "是"),
        ("y", "是"),
        ("N", "否"),
        ("yes", "是"),
        ("YES", "是"),
        ("no", "否"),
        ("√", "是"),
        ("×", "否"),
        ("1", "是"),
        ("0", "否"),
        (1, "是"),
        (0, "否"),
        (1.0, "是"),
        ("true", "是"),
        ("FALSE", "否"),
        (True, "是"),
        (False, "否"),
        (" 是 ", "是"),
        ("Ｙ", "是"),
        (None, None),
        ("", None),
        (float("nan"), None),
    ],
)
def test_parse_yes_no(value, expected):
    assert parse_yes_no(value) == expected


@pytest.mark.parametrize("value", ["可能", "2", 2, "是的吧", "有", "-1"])
def test_parse_yes_no_refuses(value):
    with pytest.raises(ValueError) as error:
        parse_yes_no(value)
    assert str(error.value) == YES_NO_EXPECTED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("合计", True),
        ("小计", True),
        ("总计", True),
        ("共计", True),
        ("合 计", True),
        ("合\u3000计", True),
        ("全市合计", True),
        ("各县区小计", True),
        ("小计:", True),
        ("小计：", True),
        ("（合计）", True),
        ("合计(45个)", True),
        ("总合计", True),
        ("临湖县新型显示面板研发及产业化项目", False),
        ("合计投资项目", False),  # a name that starts with 合计 is not a total
        ("2025合计", False),
        ("", False),
        (None, False),
        (123, False),
    ],
)
def test_is_total_label(text, expected):
    assert is_total_label(text) is expected


def test_amounts_keep_decimal_precision():
    # Converting units by Decimal avoids the binary noise of 3000 * 0.0001.
    assert parse_amount("0.3亿") == 3000.0
    assert parse_amount("123.45", 0.0001) == 0.012345
    assert not math.isnan(parse_amount("0"))


@pytest.mark.parametrize("error", ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", " #div/0! "])
@pytest.mark.parametrize("parse", [parse_amount, parse_month, parse_date, parse_year, parse_yes_no])
def test_an_excel_error_is_named_as_such(parse, error):
    with pytest.raises(ValueError) as caught:
        parse(error)
    assert str(caught.value).startswith(f"是Excel错误值{error.strip().upper()}")


def test_a_huge_number_is_not_written_as_hundreds_of_digits():
    assert normalize_text(1e308) == "1e+308"
    assert normalize_text(-1.5e20) == "-1.5e+20"
    assert normalize_text(123456789012345.0) == "123456789012345"  # 15 digits stay as they are
