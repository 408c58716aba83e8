"""The filter object: which projects a page, a chart or a briefing is about, and as of when."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from core.base import schema as S
from core.base.periods import Period

# With no filter chosen the demo speaks of the provincial key projects, as the annual report
# does ("全市106个省重点项目…"): opening the app shows the report's figures. An office's own
# data opens on all of its projects: its list may hold no provincial project at all.
DEFAULT_LEVEL = S.LEVEL_PROVINCIAL
ALL = "全部"  # the choice that means "no filter" in single-choice filters


def default_level(is_demo: bool) -> str | None:
    """The 项目级别 a view opens on: 省重点 for the demo, every level for own data."""
    return DEFAULT_LEVEL if is_demo else None


@dataclass(frozen=True)
class Scope:
    period: Period
    counties: tuple[str, ...] = ()  # empty: the whole city
    sectors: tuple[str, ...] = ()  # empty: every sector
    level: str | None = DEFAULT_LEVEL  # None: every level
    stage: str | None = None  # None: every stage
    opening_level: str | None = DEFAULT_LEVEL  # the level the data opens on (not in file names)

    @property
    def is_whole_city(self) -> bool:
        return not self.counties

    @property
    def place(self) -> str:
        """'全市' or '城东区、城西区' — the subject of a briefing sentence."""
        return "全市" if self.is_whole_city else "、".join(self.counties)

    def parts(self) -> list[str]:
        parts = [self.place, "、".join(self.sectors) if self.sectors else "全部行业领域"]
        parts.append(self.level or "全部级别")
        if self.stage:
            parts.append(self.stage)
        return parts

    def sentence(self) -> str:
        """范围:城东区、城西区 · 产业项目 · 省重点 · 截至2026年2月底 — heads pages and charts."""
        return "范围:" + " · ".join([*self.parts(), self.period.as_of])

    def sentence_lines(self) -> list[str]:
        """The sentence in two lines for a chart's subtitle: the filters, then the period."""
        return ["范围:" + " · ".join(self.parts()), self.period.as_of]

    def file_label(self) -> str:
        """For file names: 城东区_产业项目 or 全市 (only what was chosen besides the defaults)."""
        chosen = list(self.counties) or ["全市"]
        chosen += list(self.sectors)
        if self.level != self.opening_level:
            chosen.append(self.level or "全部级别")
        if self.stage:
            chosen.append(self.stage)
        label = "_".join(chosen)
        return label if len(label) <= 40 else label[:40] + "等"

    def mask(self, projects: pd.DataFrame, *, ignore_stage: bool = False) -> pd.Series:
        """Which rows of the project list are in scope (the period does not select projects)."""
        # A project withdrawn from the list (调出) counts until the month before.
        withdrawn = projects[S.WITHDRAWN]
        m = (withdrawn == "") | (withdrawn > self.period.key)
        if self.counties:
            m &= projects[S.COUNTY].isin(self.counties)
        if self.sectors:
            m &= projects[S.SECTOR].isin(self.sectors)
        if self.level:
            m &= projects[S.LEVEL] == self.level
        if self.stage and not ignore_stage:
            m &= projects[S.STAGE] == self.stage
        return m

    def citywide(self) -> Scope:
        """The same filters for every county: the whole ranking, in which a chart highlights
        the chosen counties (a one-bar chart says nothing about where a county stands)."""
        return replace(self, counties=())

    def highlight_lines(self) -> list[str]:
        """A county-ranking chart's subtitle: the whole city, the chosen counties highlighted."""
        if not self.counties:
            return self.sentence_lines()
        parts = ["全市各区县", *self.parts()[1:]]
        line = "范围:" + " · ".join(parts) + f"(突出显示{'、'.join(self.counties)})"
        return [line, self.period.as_of]

    @property
    def filters(self) -> tuple:
        """The project filters without the period: a key for what does not depend on it."""
        return (self.counties, self.sectors, self.level, self.stage)
