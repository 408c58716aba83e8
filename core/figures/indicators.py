"""City indicators: cards with their change on last year, grouped as the annual report groups them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from core.base import schema as S
from core.base.formatting import growth_phrase, pct, round_half_up, yi
from core.base.periods import Period
from core.figures.measures import IndustryFigures, growth

# Lower is better for these: a fall is good news, and the card colours it so.
LOWER_IS_BETTER = frozenset({"单位GDP能耗", "城镇调查失业率"})
RATE_UNITS = frozenset({"%"})  # a change of a rate is stated in 个百分点, not in %


@dataclass(frozen=True)
class Card:
    group: str
    name: str
    when: str  # "2025年" or "2026年1-2月"
    value: str  # "150亿元", "45.0%"
    change: str | None  # "增长12.0%", "提高10.0个百分点", None when there is no earlier value
    change_sign: int  # +1 good, -1 bad, 0 flat or unknown: for the delta colour
    target: str | None = None
    unit: str = ""

    @property
    def label(self) -> str:
        return label_text(self.name, self.unit)


def _number(v: float) -> str:
    if abs(v - round(v)) < 1e-9:
        return f"{round(v)}"
    return f"{round_half_up(v, 3 if abs(v) < 1 else 1):g}"


# Units longer than one character (亿元, 万千瓦, 吨标准煤/万元) go into the card's label, so the
# value fits a card on a 1366-pixel screen; 个, 家, 所 stay with the number.
LONG_UNIT = 1


def value_text(v: float, unit: str) -> str:
    if unit in RATE_UNITS:
        return f"{round_half_up(v, 1):.1f}%"
    return _number(v) + ("" if len(unit) > LONG_UNIT else unit)


def with_unit(v: float, unit: str) -> str:
    """A value as a sentence states it, unit and all: 150亿元, 3.5%, 0.384吨标准煤/万元."""
    if unit in RATE_UNITS:
        return f"{round_half_up(v, 1):.1f}%"
    return _number(v) + unit


def label_text(name: str, unit: str) -> str:
    return f"{name}({unit})" if len(unit) > LONG_UNIT else name


def change_text(name: str, unit: str, now: float, before: float | None) -> tuple[str | None, int]:
    if before is None or (isinstance(before, float) and math.isnan(before)):
        return None, 0
    if unit in RATE_UNITS:
        d = round_half_up(now - before, 1)
        text = f"提高{d:.1f}个百分点" if d > 0 else f"降低{-d:.1f}个百分点" if d < 0 else "持平"
        sign = (d > 0) - (d < 0)
    elif unit == "位":  # a rank: a smaller number is a better place
        d = int(before - now)
        text = f"前移{d}位" if d > 0 else f"后移{-d}位" if d < 0 else "位次不变"
        return text, (d > 0) - (d < 0)
    else:
        if not before:
            return None, 0
        g = now / before - 1
        text = growth_phrase(g)
        sign = (round_half_up(g * 100, 1) > 0) - (round_half_up(g * 100, 1) < 0)
    return text, -sign if name in LOWER_IS_BETTER else sign


def annual_year(indicators: pd.DataFrame, period: Period) -> int | None:
    """The latest full year with published figures as of the period (a year is final in Dec)."""
    years = pd.to_numeric(indicators.loc[indicators[S.PERIOD].str.len() == 4, S.PERIOD])
    usable = years[(years < period.year) | ((years == period.year) & (period.month == 12))]
    return int(usable.max()) if len(usable) else None


def annual_cards(indicators: pd.DataFrame, period: Period) -> list[Card]:
    year = annual_year(indicators, period)
    if year is None:
        return []
    rows = indicators.loc[indicators[S.PERIOD] == str(year)]
    before = indicators.loc[indicators[S.PERIOD] == str(year - 1)].set_index(S.INDICATOR)[S.VALUE]
    cards = []
    for r in rows.to_dict("records"):
        prev = before.get(r[S.INDICATOR])
        text, sign = change_text(r[S.INDICATOR], r[S.UNIT], r[S.VALUE], prev)
        target = None if pd.isna(r[S.TARGET]) else f"目标{value_text(r[S.TARGET], r[S.UNIT])}"
        cards.append(
            Card(
                r[S.INDICATOR_GROUP],
                r[S.INDICATOR],
                f"{year}年",
                value_text(r[S.VALUE], r[S.UNIT]),
                text,
                sign,
                target,
                r[S.UNIT],
            )
        )
    order = {g: i for i, g in enumerate(S.INDICATOR_GROUPS)}
    return sorted(cards, key=lambda c: order.get(c.group, 99))


def fai_rows(indicators: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Monthly fixed-asset investment rows from last January up to the period."""
    i = indicators
    sel = (i[S.INDICATOR_GROUP] == S.FAI_GROUP) & (i[S.PERIOD].str.len() == 7)
    sel &= (i[S.PERIOD] >= f"{period.year - 1}-01") & (i[S.PERIOD] <= period.key)
    return i.loc[sel].sort_values(S.PERIOD).reset_index(drop=True)


def fai_cards(indicators: pd.DataFrame, period: Period) -> list[Card]:
    """Growth of fixed-asset investment and its categories as of the period (or the latest month
    before it with figures: 1月 alone is often not published), with the change on last year."""
    rows = fai_rows(indicators, period)
    current = rows.loc[rows[S.PERIOD].str.startswith(str(period.year))]
    if current.empty:
        return []
    month = Period.parse(current[S.PERIOD].max())
    now = current.loc[current[S.PERIOD] == month.key].set_index(S.INDICATOR)
    prev = rows.loc[rows[S.PERIOD] == month.same_period_last_year().key].set_index(S.INDICATOR)
    cards = []
    for name in (S.FAI_TOTAL, *S.FAI_CATEGORIES, S.FAI_RANK):
        if name not in now.index:
            continue
        r = now.loc[name]
        before = prev[S.VALUE].get(name)
        if name == S.FAI_RANK:
            value = f"全省第{int(r[S.VALUE])}位"
        else:
            value = growth_phrase(r[S.VALUE] / 100)
        text, sign = change_text(name, r[S.UNIT], r[S.VALUE], before)
        if text:
            text = "较上年同期" + text
        target = None if pd.isna(r[S.TARGET]) else f"全年目标{r[S.TARGET]:.1f}%"
        cards.append(
            Card(
                S.FAI_GROUP,
                "全省排名" if name == S.FAI_RANK else name.replace("增速", ""),
                f"{month.year}年{month.ytd_label}",
                value,
                text,
                sign,
                target,
            )
        )
    return cards


def industry_cards(now: IndustryFigures, before: IndustryFigures, year: int) -> list[Card]:
    """产业转型 from the project rows: 产业项目 under way this year and the high-tech share."""
    when = f"{year}年"
    d = now.count - before.count
    return [
        Card(
            "产业转型",
            "产业项目",
            when,
            f"{now.count}个",
            f"较上年同期{'增加' if d >= 0 else '减少'}{abs(d)}个" if d else "与上年同期持平",
            (d > 0) - (d < 0),
        ),
        Card(
            "产业转型",
            "产业项目总投资",
            when,
            yi(now.total_investment, unit=False),
            growth_phrase(growth(now.total_investment, before.total_investment), "较上年同期")
            if before.total_investment
            else None,
            (now.total_investment > before.total_investment)
            - (now.total_investment < before.total_investment),
            unit="亿元",
        ),
        Card("产业转型", "高新技术产业项目", when, f"{now.high_tech_count}个", None, 0),
        Card(
            "产业转型",
            "高新技术项目总投资",
            when,
            yi(now.high_tech_total, unit=False),
            None,
            0,
            unit="亿元",
        ),
        Card("产业转型", "高新技术项目投资占比", when, pct(now.high_tech_share), None, 0),
    ]
