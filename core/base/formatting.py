"""Numbers as Chinese briefings write them: 亿元, % and 个百分点 for rate gaps, to the precision the
office publishes ([format] percent_decimals and amount_decimals: 1 or 2 decimals).

Every rate, gap and amount a page, document, deck or export states goes through here, so one
setting changes them all. A gap is stated from the same rounding as the rates beside it
(core.figures.measures.schedule_gap), and its sign and words (超/落后/持平) come from the rounded
figure, so a figure never contradicts its sign or its status.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from core.base import settings

WAN_PER_YI = 10_000  # 1 亿 = 10,000 万: lists are kept in 万元, briefings speak in 亿元


def round_half_up(value: float, digits: int = 1) -> float:
    """Round as people do by hand (0.05 → 0.1), not banker's rounding.

    Binary noise is dropped first (10 decimals) so that a gap computed as -6.2499999999 from
    exact figures whose true value is -6.25 rounds as the person checking by hand expects.
    """
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(round(float(value), 10))).quantize(quantum, rounding=ROUND_HALF_UP))


def percent_decimals() -> int:
    """How many decimals the office publishes for a rate or a gap in points (1 or 2)."""
    return settings.current().percent_decimals


def amount_decimals() -> int:
    """How many decimals the office publishes for an amount in 亿元 or 万元 (1 or 2)."""
    return settings.current().amount_decimals


def _fixed(value: float, digits: int | None = None) -> str:
    """A number to `digits` decimals (the published percent precision by default), half up,
    never "-0.0"."""
    digits = percent_decimals() if digits is None else digits
    rounded = round_half_up(value, digits)
    return f"{abs(rounded) if rounded == 0 else rounded:.{digits}f}"


def fixed(value: float, digits: int | None = None) -> str:
    """A rate or a gap in points as published: 13.8 / 13.75 (no unit, no sign for zero)."""
    return _fixed(value, digits)


MISSING = "—"  # what a table or card shows for a figure that does not exist (never None/nan)


def is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


SMALL_WAN = 500  # below 0.05亿元 an amount would read "0.0亿元": say it in 万元 instead


def small_wan() -> float:
    """Below half the last published decimal of 亿元 an amount would read 0.0亿元 (0.00亿元):
    500万元 at one decimal, 50万元 at two."""
    return SMALL_WAN / 10 ** (amount_decimals() - 1)


def yi(wan: float | None, unit: bool = True) -> str:
    """172.6亿元 from 1,726,000 万元 (172.60亿元 at two decimals); a non-zero amount that would
    read as zero 亿元 in 万元 instead (300万元, 32.5万元)."""
    if is_missing(wan):
        return MISSING
    digits = amount_decimals()
    if unit and wan and abs(wan) < small_wan():
        return f"{round_half_up(wan, digits):g}万元"
    return _fixed(wan / WAN_PER_YI, digits) + ("亿元" if unit else "")


def yi_two_decimals(wan: float | None) -> str:
    """0.35亿元: one project's amounts, always in 亿元, where one decimal is too coarse and a
    switch to 万元 would mix units within one view."""
    if is_missing(wan):
        return MISSING
    return _fixed(wan / WAN_PER_YI, max(2, amount_decimals())) + "亿元"


def pct(fraction: float | None, digits: int | None = None) -> str:
    """0.143 → 14.3% (0.14346 → 14.35% at two decimals)."""
    if is_missing(fraction):
        return MISSING
    return _fixed(fraction * 100, digits) + "%"


def points(fraction_gap: float) -> float:
    """A gap of two rates in percentage points, rounded to the published decimals."""
    return round_half_up(fraction_gap * 100, percent_decimals())


def schedule_phrase(gap: float | None) -> str:
    """超序时进度13.8个百分点 / 落后序时进度2.4个百分点 / 与序时进度持平, from 完成率 − 序时进度."""
    if is_missing(gap):
        return MISSING
    digits = percent_decimals()  # read once: a 预警 list states thousands of gaps
    p = round_half_up(gap * 100, digits)
    if p > 0:
        return f"超序时进度{_fixed(p, digits)}个百分点"
    if p < 0:
        return f"落后序时进度{_fixed(-p, digits)}个百分点"
    return "与序时进度持平"


def signed_points(gap: float | None) -> str:
    """+13.8个百分点 / -2.4个百分点, for tables and cards."""
    if is_missing(gap):
        return MISSING
    digits = percent_decimals()
    p = round_half_up(gap * 100, digits)
    return ("+" if p > 0 else "") + _fixed(p, digits) + "个百分点"


def growth_phrase(rate: float | None, noun: str = "") -> str:
    """增长7.0% / 下降4.0% / 持平, for a growth rate given as a fraction."""
    if is_missing(rate):
        return MISSING
    r = round_half_up(rate * 100, percent_decimals())
    if r > 0:
        return f"{noun}增长{_fixed(r)}%"
    if r < 0:
        return f"{noun}下降{_fixed(-r)}%"
    return f"{noun}持平"


def join_names(names: list[str], limit: int = 3) -> str:
    """城东区、城西区 and 2 more → '城东区、城西区等4个'."""
    if len(names) <= limit:
        return "、".join(names)
    return "、".join(names[:limit]) + f"等{len(names)}个"
