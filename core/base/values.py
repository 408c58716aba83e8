"""Single cell values as counties write them: text, amounts, months, dates, years and yes/no.

Each parser accepts the spellings found in real returns and gives one canonical value, or raises
ValueError whose message (Chinese) says what was expected; the caller adds where (表、行、列).
Empty cells give "" or None, never an error: whether a column may be empty is the caller's rule.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

AMOUNT_EXPECTED = "应为数字(单位万元),例如1234.5或1.2亿"
MONTH_EXPECTED = "应为年月,例如2025-03、2025年3月、2025.03"
YEAR_EXPECTED = "应为年份,例如2025或2025年"
YES_NO_EXPECTED = "应为“是”或“否”"
DATE_EXPECTED = "应为日期,例如2026-03-15、2026年3月15日、2026.03.15"

YEAR_MIN, YEAR_MAX = 1990, 2100  # a plan or project year outside this is a typo
# A month's year may reach further: an Excel serial number of 20000-80000 is 1954-2119.
MONTH_YEAR_MIN, MONTH_YEAR_MAX = 1900, 2199
SERIAL_MIN, SERIAL_MAX = 20000, 80000  # numbers in this range are taken as Excel dates
# Beyond this a float is no longer a whole number written exactly (2**53 ≈ 9.0e15): shown as
# Excel shows it (1e+20), not as a long row of digits.
LARGEST_EXACT = 1e16
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # 1900 date system, after Excel's fictitious 1900-02-29

# What a formula that failed shows in Excel or WPS (a cell of the error type, or its text in a
# CSV): not an empty cell, and not a word to read as a value.
EXCEL_ERRORS = frozenset(("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!",
                          "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!",
                          "#CONNECT!", "#BUSY!", "#UNKNOWN!"))  # fmt: skip

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_EMPTY_MARKS = {"", "-", "--", "—", "——", "–", "/", "\\"}  # what counties put in an empty cell


def is_missing(value: object) -> bool:
    """None, NaN, NaT and pandas.NA: what a spreadsheet cell without content becomes."""
    if value is None:
        return True
    if isinstance(value, str):
        return False
    try:
        return bool(value != value)  # NaN and NaT are the only values unequal to themselves
    except TypeError:
        return True  # pandas.NA refuses to be a bool


def normalize_text(value: object) -> str:
    """Text as a reader means it: half-width (NFKC), trimmed, single spaces; numbers without ".0"."""
    if isinstance(value, str):  # the common case first: readers call this for every cell
        return _normalize_str(value)
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel shows a logical cell
    if isinstance(value, float) and value.is_integer():
        if abs(value) >= LARGEST_EXACT:
            return f"{value:.15g}"  # 1e+308, not the 309 digits of its binary value
        return str(int(value))  # 2025.0 is how a number cell comes back from pandas
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return _normalize_str(str(value))


def excel_error(value: object) -> str | None:
    """The Excel error a cell shows (#DIV/0!, #N/A …), or None."""
    if not isinstance(value, str) or value.lstrip()[:1] not in ("#", "＃"):
        return None
    text = normalize_text(value).upper()
    return text if text in EXCEL_ERRORS else None


def excel_error_message(error: str) -> str:
    return f"是Excel错误值{error}(公式出错或引用无效),不是有效的值;请在原表中改正公式或填入实际的值"


def _refuse_excel_error(value: object) -> None:
    error = excel_error(value)
    if error:
        raise ValueError(excel_error_message(error))


def _normalize_str(text: str) -> str:
    if not text.isascii():  # NFKC leaves ASCII as it is, and ASCII has no zero-width spaces
        text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    return " ".join(text.split())  # split() also takes \u3000 (NFKC made it a space) and newlines


# --- amounts ------------------------------------------------------------------------------

# 1234.5, 1,234.5 (strict groups of three, so "1,5" is not read as 15), .5, 1.2e4
_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?"
_AMOUNT_RE = re.compile(rf"({_NUMBER})\s*(亿元|亿|万元|万|元)?")
_UNIT_TO_WAN = {
    "亿元": Decimal(10000),
    "亿": Decimal(10000),
    "万元": 1,
    "万": 1,
    "元": Decimal("0.0001"),
}


def parse_amount(value: object, multiplier: float = 1.0) -> float | None:
    """An amount in 万元, or None for an empty cell.

    `multiplier` converts a plain number from the sheet's unit to 万元 (单位:亿元 → 10000);
    a unit written in the cell itself ("1.2亿", "3000元") wins over it. Negative amounts are
    returned as they are: whether they are allowed is the validation's business.
    """
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise ValueError(AMOUNT_EXPECTED)
    factor = _decimal(multiplier)
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(AMOUNT_EXPECTED)
        return float(_decimal(value) * factor)
    _refuse_excel_error(value)
    text = normalize_text(value).replace(" ", "").replace("\u2212", "-")  # U+2212 is a minus
    if text in _EMPTY_MARKS:
        return None
    match = _AMOUNT_RE.fullmatch(text.removeprefix("¥"))
    if not match or not any(ch.isdigit() for ch in match.group(1)):
        raise ValueError(AMOUNT_EXPECTED)
    number, unit = match.groups()
    if unit:
        factor = _UNIT_TO_WAN[unit]
    try:
        amount = Decimal(number.replace(",", "")) * factor
    except InvalidOperation:
        raise ValueError(AMOUNT_EXPECTED) from None
    # Decimal arithmetic keeps "3000元" at 0.3, not 0.30000000000000004.
    return float(amount)


def _decimal(number: float) -> Decimal:
    # repr() is the shortest text that round-trips, so 0.0001 becomes Decimal("0.0001") exactly.
    return Decimal(repr(number)) if isinstance(number, float) else Decimal(number)


# --- months -------------------------------------------------------------------------------

_MONTH_PATTERNS = (
    # 2025年3月, 2025年03月份, 2025年3月15日
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月份?(?:(?P<d>\d{1,2})[日号])?"),
    # 2025-03, 2025.3, 2025/03/15 (one separator throughout)
    re.compile(r"(?P<y>\d{4})(?P<sep>[-./])(?P<m>\d{1,2})(?:(?P=sep)(?P<d>\d{1,2}))?"),
    # 202503, 20250315
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?"),
)
# "2025-03-01 00:00:00" is how a date cell reads once something has turned it into text.
_TIME_OF_DAY = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_SERIAL_RE = re.compile(r"\d{5}(?:\.\d+)?")


def parse_month(value: object) -> str | None:
    """A month as "YYYY-MM", or None for an empty cell."""
    if is_missing(value):
        return None
    if isinstance(value, dt.date):  # datetime, date and pandas.Timestamp
        return _month(value.year, value.month)
    if isinstance(value, bool):
        raise ValueError(MONTH_EXPECTED)
    if isinstance(value, int | float):
        return _month_from_number(value)
    _refuse_excel_error(value)
    text = _TIME_OF_DAY.sub("", normalize_text(value)).replace(" ", "")
    if text in _EMPTY_MARKS:
        return None
    if _SERIAL_RE.fullmatch(text):
        return _month_from_serial(float(text))
    parts = _calendar_parts(text)
    if parts is None:
        raise ValueError(MONTH_EXPECTED)
    year, month, day = parts
    return _month(year, month, day or 1)


def _calendar_parts(text: str) -> tuple[int, int, int | None] | None:
    """(year, month, day or None) of a written month or day, or None when it is neither."""
    for pattern in _MONTH_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            day = match.group("d")
            return int(match.group("y")), int(match.group("m")), int(day) if day else None
    return None


def _month_from_number(number: float) -> str:
    if not math.isfinite(number):
        raise ValueError(MONTH_EXPECTED)
    if SERIAL_MIN <= number <= SERIAL_MAX:
        return _month_from_serial(number)
    if isinstance(number, float) and not number.is_integer():
        # A number cell holding 2025.03; 2025.1 may have been 2025.10 before Excel dropped the 0.
        text = repr(number)
        if re.fullmatch(r"\d{4}\.1", text):
            raise ValueError(
                f"数字{text}无法区分是1月还是10月,请改为文本,例如{text[:4]}-01或{text[:4]}-10"
            )
        return parse_month(text)
    return parse_month(str(int(number)))  # 202503 as a number


def _month_from_serial(serial: float) -> str:
    if not SERIAL_MIN <= serial <= SERIAL_MAX:
        raise ValueError(MONTH_EXPECTED)
    day = _EXCEL_EPOCH + dt.timedelta(days=int(serial))
    return _month(day.year, day.month)


def _month(year: int, month: int, day: int = 1) -> str:
    if not MONTH_YEAR_MIN <= year <= MONTH_YEAR_MAX:
        raise ValueError(f"年份{year}不在{MONTH_YEAR_MIN}至{MONTH_YEAR_MAX}之间;{MONTH_EXPECTED}")
    if not 1 <= month <= 12:
        raise ValueError(f"月份{month}不存在(应为1至12);{MONTH_EXPECTED}")
    try:
        dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{year}年{month}月没有{day}日;{MONTH_EXPECTED}") from None
    return f"{year:04d}-{month:02d}"


# --- dates ---------------------------------------------------------------------------------


def parse_date(value: object) -> str | None:
    """A day as "YYYY-MM-DD" (交办日期, 办结时限 …), or None for an empty cell. A month alone is
    refused: a deadline or a closure is counted in days."""
    if is_missing(value):
        return None
    if isinstance(value, dt.date):  # datetime, date and pandas.Timestamp
        return _date(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise ValueError(DATE_EXPECTED)
    if isinstance(value, int | float):
        if math.isfinite(value) and SERIAL_MIN <= value <= SERIAL_MAX:
            return _date_from_serial(float(value))
        return parse_date(normalize_text(value))  # 20260315 as a number
    _refuse_excel_error(value)
    text = _TIME_OF_DAY.sub("", normalize_text(value)).replace(" ", "")
    if text in _EMPTY_MARKS:
        return None
    if _SERIAL_RE.fullmatch(text):
        return _date_from_serial(float(text))
    parts = _calendar_parts(text)
    if parts is None:
        raise ValueError(DATE_EXPECTED)
    year, month, day = parts
    if day is None:
        raise ValueError(f"缺少日;{DATE_EXPECTED}")
    return _date(year, month, day)


def _date_from_serial(serial: float) -> str:
    day = _EXCEL_EPOCH + dt.timedelta(days=int(serial))
    return _date(day.year, day.month, day.day)


def _date(year: int, month: int, day: int) -> str:
    try:
        _month(year, month, day)  # the same checks as a month's
    except ValueError as exc:
        raise ValueError(str(exc).replace(MONTH_EXPECTED, DATE_EXPECTED)) from None
    return f"{year:04d}-{month:02d}-{day:02d}"


# --- 建设起止年限 ------------------------------------------------------------------------------

# 2009-2012, 2009.03-2011.12, 2010-, 09.10-11.3, 2009年3月-2011年12月, 2009至2011年
_YEARS_PART = r"(\d{4}|\d{2})(?:[.年/-](\d{1,2})月?)?年?"
_YEARS_RE = re.compile(rf"{_YEARS_PART}\s*(?:-|~|—|–|至|到)\s*(?:{_YEARS_PART})?")


def parse_years(value: object) -> tuple[str, str]:
    """(planned start, planned end) as YYYY-MM from a 建设起止年限 text; "" where it says none.

    A year alone is read as its December, the latest month it allows: a project "2026" is
    not yet late to start in March 2026. Two-digit years are this century's (09 → 2009)."""
    text = normalize_text(value).replace(" ", "")
    match = _YEARS_RE.fullmatch(text)
    if not match:
        single = re.fullmatch(_YEARS_PART, text)
        if not single:
            return "", ""
        start = _years_month(single.group(1), single.group(2))
        return start, ""
    start = _years_month(match.group(1), match.group(2))
    end = _years_month(match.group(3), match.group(4)) if match.group(3) else ""
    return start, end


def _years_month(year: str, month: str | None) -> str:
    y = int(year) + (2000 if len(year) == 2 else 0)
    m = int(month) if month else 12
    if not (YEAR_MIN <= y <= YEAR_MAX and 1 <= m <= 12):
        return ""
    return f"{y:04d}-{m:02d}"


# --- years --------------------------------------------------------------------------------

_YEAR_RE = re.compile(r"(\d{4})(?:\.0+)?(?:年度?)?")


def parse_year(value: object) -> int | None:
    """A year such as 2025, or None for an empty cell; years outside 1990-2100 are errors."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise ValueError(YEAR_EXPECTED)
    if isinstance(value, int | float):
        if not (math.isfinite(value) and float(value).is_integer()):
            raise ValueError(YEAR_EXPECTED)
        year = int(value)
    else:
        _refuse_excel_error(value)
        text = normalize_text(value).replace(" ", "")
        if text in _EMPTY_MARKS:
            return None
        match = _YEAR_RE.fullmatch(text)
        if not match:
            raise ValueError(YEAR_EXPECTED)
        year = int(match.group(1))
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValueError(f"年份{year}不在{YEAR_MIN}至{YEAR_MAX}之间")
    return year


# --- yes / no -----------------------------------------------------------------------------

_YES = {"是", "y", "yes", "√", "✓", "✔", "1", "true", "对"}
_NO = {"否", "n", "no", "×", "✗", "✘", "x", "0", "false", "不是"}


def parse_yes_no(value: object) -> str | None:
    """Return "是" or "否", or None for an empty cell."""
    if is_missing(value):
        return None
    if isinstance(value, int | float) and value in (0, 1):  # also True and False
        return "是" if value == 1 else "否"
    _refuse_excel_error(value)
    text = normalize_text(value).lower()
    if text == "":
        return None
    if text in _YES:
        return "是"
    if text in _NO:
        return "否"
    raise ValueError(YES_NO_EXPECTED)


# --- total rows ---------------------------------------------------------------------------

# 合计, 小计:, 合 计, 全市合计, (合计), 各县区小计, 合计(45个); a short prefix only, so a project
# named "…合计…" in the middle of its name is not taken for a total.
_TOTAL_RE = re.compile(
    r"[(\[]?[^\d()]{0,8}?(?:总合计|合计|小计|总计|共计)[)\]]?(?:\([^()]{0,12}\))?:?"
)


def is_total_label(text: object) -> bool:
    """Whether a cell's text marks a 合计/小计 row."""
    cleaned = normalize_text(text).replace(" ", "")
    return bool(cleaned) and _TOTAL_RE.fullmatch(cleaned) is not None
