"""Reporting periods (a year and a month) and 序时进度, the share of the year elapsed."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from core.base import settings

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
    """How an office measures 序时进度 ([schedule] of the settings file; the sidebar may switch
    between them); every card, page and document says which one is in use.

    - months: months elapsed ÷ 12, the usual rule (end of October → 83.3%);
    - days: days elapsed ÷ days in the year (end of February 2026 → 59/365 = 16.2%);
    - half_months: half months elapsed ÷ 24 — a month in progress counts half from its 15th
      (a report at mid-August: 7.5/12 = 62.5%); a month that is over counts whole;
    - target: the province's annual target share × months ÷ 12 ([schedule] target_percent; as
      Guangdong's 120% × n/12: end of June → 60.0%; not capped at 100%);
    - plans: each project's own monthly plan — its planned cumulative amount to the month ÷ its
      annual plan; a scope's, the sum of the planned cumulative amounts ÷ the sum of the annual
      plans (core.figures.measures.project_schedules). A project without a monthly plan for
      the year takes [schedule] plan_fallback (one of the four above), and the pages say how
      many did. Alone, without the projects, `schedule_share` gives that fallback's share.
    """

    MONTHS = "months"
    DAYS = "days"
    HALF_MONTHS = "half_months"
    TARGET = "target"
    PLANS = "plans"

    @classmethod
    def default(cls) -> Convention:
        """The office's own rule, [schedule] convention of the settings file."""
        return cls(_schedule_settings()[0])

    @classmethod
    def fallback(cls) -> Convention:
        """[schedule] plan_fallback: the rule of a project without a monthly plan under PLANS."""
        return cls(settings.current().schedule_plan_fallback)

    @classmethod
    def offered(cls, has_plans: bool) -> list[Convention]:
        """The rules a view may switch between: PLANS only for data with monthly plans (or
        when it is the office's own rule, so that the rule in force is always offered)."""
        return [c for c in cls if c is not cls.PLANS or has_plans or cls.default() is cls.PLANS]

    @property
    def short(self) -> str:
        """按月 / 按日 / 按半月 / 按目标120% / 按月度计划: how a card title or a rule sentence
        names it."""
        if self is Convention.TARGET:
            return f"按年度目标{_target_words()}"
        return {"months": "按月", "days": "按日", "half_months": "按半月",
                "plans": "按月度计划"}[self.value]  # fmt: skip

    @property
    def label(self) -> str:
        if self is Convention.TARGET:
            return f"按目标计算(年度目标{_target_words()}×已过月数÷12)"
        if self is Convention.PLANS:
            return (
                "按项目月度计划计算(计划累计投资÷年度计划投资;"
                f"无月度计划的项目{Convention.fallback().label})"
            )
        return {
            "months": "按月计算(已过月数÷12)",
            "days": "按日计算(已过天数÷全年天数)",
            "half_months": "按半月计算(已过半月数÷24)",
        }[self.value]


def _schedule_settings() -> tuple[str, float]:
    """([schedule] convention, target_percent ÷ 100), checked; settings are read late so that a
    change of the file applies at the next page view."""
    own = settings.current()
    return own.schedule_convention, own.schedule_target


def _target_words() -> str:
    return f"{_schedule_settings()[1] * 100:g}%"


def period_end(period: Period) -> dt.date:
    return dt.date(period.year, period.month, calendar.monthrange(period.year, period.month)[1])


def schedule_share(
    period: Period,
    convention: Convention = Convention.MONTHS,
    today: dt.date | None = None,
) -> float:
    """序时进度 at the end of `period`, as a fraction of the year (0–1; above 1 for a target
    beyond the plan). `today` matters only for half months: the day a period stands at is its
    last day, or today while it is not over. PLANS, without the projects' plans: the share of
    [schedule] plan_fallback (core.figures.measures has each project's)."""
    if convention is Convention.PLANS:
        convention = Convention.fallback()
    if convention is Convention.MONTHS:
        return period.month / 12
    if convention is Convention.TARGET:
        return _schedule_settings()[1] * period.month / 12
    last = period_end(period)
    if convention is Convention.HALF_MONTHS:
        day = min(last, today or dt.date.today())
        if day < dt.date(period.year, period.month, 1):  # a period in the future: its end
            day = last
        halves = 2 * (period.month - 1) + (day.day >= 15) + (day == last)
        return halves / 24
    days_in_year = 366 if calendar.isleap(period.year) else 365
    return last.timetuple().tm_yday / days_in_year
