"""Reporting periods (a year and a month) and 序时进度, the share of the year elapsed."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True, order=True)
class Period:
    """A reporting month: figures are 'as of the end of' this month."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"月份应在1到12之间,实际为{self.month}")

    @classmethod
    def today(cls) -> Period:
        now = dt.date.today()
        return cls(now.year, now.month)

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2026-02' → Period(2026, 2); raises ValueError with a Chinese message."""
        m = _MONTH_RE.match(str(text).strip())
        if not m:
            raise ValueError(f"报告期“{text}”格式不对,应为YYYY-MM,例如2026-02")
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def as_of(self) -> str:
        """How briefings name the period: 截至2026年2月底."""
        return f"截至{self.year}年{self.month}月底"

    @property
    def ytd_label(self) -> str:
        """'1-2月' as in 1-2月完成投资; just '1月' in January."""
        return "1月" if self.month == 1 else f"1-{self.month}月"

    def same_period_last_year(self) -> Period:
        return Period(self.year - 1, self.month)

    def months_of_year(self) -> list[Period]:
        """January up to and including this month."""
        return [Period(self.year, m) for m in range(1, self.month + 1)]

    def shift(self, months: int) -> Period:
        index = self.year * 12 + self.month - 1 + months
        return Period(index // 12, index % 12 + 1)


class Convention(StrEnum):
    """How an office measures 序时进度; the pages say which one is in use."""

    MONTHS = "months"  # months elapsed ÷ 12: the usual rule (end of October → 83.3%)
    DAYS = "days"  # days elapsed ÷ days in the year

    @property
    def label(self) -> str:
        return (
            "按月计算(已过月数÷12)" if self is Convention.MONTHS else "按日计算(已过天数÷全年天数)"
        )


def schedule_share(period: Period, convention: Convention = Convention.MONTHS) -> float:
    """序时进度 at the end of `period`, as a fraction of the year (0–1)."""
    if convention is Convention.MONTHS:
        return period.month / 12
    last_day = calendar.monthrange(period.year, period.month)[1]
    elapsed = dt.date(period.year, period.month, last_day).timetuple().tm_yday
    days_in_year = 366 if calendar.isleap(period.year) else 365
    return elapsed / days_in_year
