"""红黑榜 by the city's rule ([ranking] of the settings file): which measure ranks, how many
units make the 红榜 and the 黑榜, and what is ranked (counties, or parks as a project column).

The rule: units are ranked by the measure as shown (rates to 0.1%, half up), best first; equal
figures share a place (1, 2, 2, 4). The 红榜 is the units placed within the first N. The 黑榜 is
the worst N of the units that missed 序时进度, leaving out the 红榜 and the units excused for the
month (红黑榜豁免, kept in the store); units tied with the last one taken are taken too. An
excused unit keeps its place in the ranking and is shown with its reason.

Only units with something to measure are ranked: projects with an annual plan (完成率 and its
gap), or projects due to start this year (开工率). A unit none of whose projects due to report
(core.figures.alerts.due_to_report) has a return for the month is 未报送: it is not ranked on a
month that would count as zero, and the page and the 通报 say so — unless the rule ranks it
([ranking] rank_unreported). With [ranking] red_needs_schedule the 红榜 takes only units at or
ahead of 序时进度.

A move is against the month before, December of the previous year for January; the places
month by month run from that December (when it has returns) to the period, so that the move
January shows is on the chart too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.base import schema as S
from core.base import settings
from core.base.formatting import pct, percent_decimals, points, round_half_up, schedule_phrase
from core.base.periods import Convention, Period, schedule_share
from core.figures import alerts as A
from core.figures import measures as M
from core.figures.scope import Scope
from core.store.portfolio import Portfolio

GAP, RATE, START_RATE = "gap", "rate", "start_rate"
MEASURE_NAMES = {GAP: "完成率与序时进度之差", RATE: "完成率", START_RATE: "开工率"}
UNIT_WORDS = {S.COUNTY: "区县", S.PARK: "园区"}
RED_LIST, BLACK_LIST = "红榜", "黑榜"

# Columns of the ranking frame.
PLACE = "名次"
UNIT = "单位"
VALUE = "排名值"  # the measure as shown: points for a gap, % for a rate
MISSED = "未达序时进度"  # bool
SCHEDULE = "序时进度"  # the unit's: its projects' own under monthly plans, else the rule's
LIST = "榜单"  # 红榜, 黑榜 or ""
EXEMPT = "豁免原因"  # the month's exemption, or ""
STARTS_PLANNED = "计划开工项目"
STARTS_DONE = "已开工项目"
MOVE = "较上月"  # ↑2, ↓1, 持平, or — without last month's place
MONTH = "月份"
UNREPORTED = "未报送"  # bool column; the frame's attrs[UNREPORTED] lists the units unranked


@dataclass(frozen=True)
class Rule:
    measure: str  # GAP, RATE or START_RATE
    top: int
    bottom: int
    unit: str  # the project column whose values are ranked: 所在区县 or 所属园区
    red_needs_schedule: bool = False  # the 红榜 only for units at or ahead of 序时进度
    rank_unreported: bool = False  # rank a unit without returns on its figures as they stand

    @classmethod
    def from_settings(cls, unit: str | None = None) -> Rule:
        own = settings.current()
        return cls(own.ranking_measure, own.ranking_top, own.ranking_bottom,
                   unit or own.ranking_unit, own.ranking_red_needs_schedule,
                   own.ranking_rank_unreported)  # fmt: skip

    @property
    def unit_word(self) -> str:
        return UNIT_WORDS.get(self.unit, self.unit)

    def sentence(self, convention: Convention) -> str:
        """The rule in words, as the page and the 通报 state it."""
        what = MEASURE_NAMES[self.measure]
        schedule = f"序时进度({convention.short}计算)"
        missed = "开工率低于序时进度" if self.measure == START_RATE else "完成率低于序时进度"
        red = f"前{self.top}名" + ("中达到序时进度的" if self.red_needs_schedule else "")
        unreported = (
            "当月未报送月度进度的按已报数据排名并注明未报送。"
            if self.rank_unreported
            else "当月未报送月度进度的不参加排名,注明未报送。"
        )
        return (
            f"排名规则:各{self.unit_word}按{what}从高到低排名(与{schedule}比较,数值相同的名次并列);"
            f"{red}列入红榜;{missed}的{self.unit_word}中排名最后的{self.bottom}个列入黑榜,"
            f"经批准豁免的当月不列入黑榜;{unreported}"
        )


def _units(
    p: Portfolio, scope: Scope, rule: Rule, conv: Convention, period: Period
) -> pd.DataFrame:
    """One row per unit with what the measures need, before any ranking."""
    df = M.projects_in_scope(p, scope, conv, period)
    df = df.loc[df[rule.unit] != ""]
    annual = M.annual_projects(df)
    # Each unit's 序时进度: the projects' own under monthly plans (planned ÷ annual plan,
    # weighted by the plans), the convention's share otherwise.
    own = M.project_schedules(p, conv, period)[p.projects.index.get_indexer(annual.index)]
    annual = annual.assign(_planned=own * annual[M.PLAN].to_numpy())
    g = annual.groupby(rule.unit, sort=False).agg(
        **{M.COUNT: (S.CODE, "size"), M.PLAN: (M.PLAN, "sum"), M.DONE: (M.DONE, "sum"),
           SCHEDULE: ("_planned", "sum")}
    )  # fmt: skip
    due = df[S.PLANNED_START].str.slice(0, 4) == str(period.year)
    started = pd.Series(M.started_by(df, df[M.DONE].to_numpy(), period)[0], index=df.index)
    starts = pd.DataFrame(
        {STARTS_PLANNED: due.groupby(df[rule.unit]).sum(),
         STARTS_DONE: (due & started).groupby(df[rule.unit]).sum()}
    )  # fmt: skip
    # 未报送: the unit has projects that owe a return for the month and none of them made one.
    rows = p.projects.index.get_indexer(df.index)
    due = pd.Series(A.due_to_report(p, df, period), index=df.index)
    made = due & A.reported_in(p, period)[rows]
    owing = pd.DataFrame({"_due": due, "_made": made}).groupby(df[rule.unit]).sum()
    out = g.join(starts, how="outer").fillna(0)
    owing = owing.reindex(out.index).fillna(0)
    out[UNREPORTED] = (owing["_due"] > 0) & (owing["_made"] == 0)
    out[M.RATE] = np.where(
        out[M.PLAN] > 0, out[M.DONE] / out[M.PLAN].where(out[M.PLAN] > 0), np.nan
    )
    if conv is Convention.PLANS:
        fallback = schedule_share(period, Convention.fallback())
        planned = out[SCHEDULE] / out[M.PLAN].where(out[M.PLAN] > 0)
        out[SCHEDULE] = np.where(out[M.PLAN] > 0, planned, fallback)
    else:
        out[SCHEDULE] = schedule_share(period, conv)
    out[M.GAP] = M.schedule_gap(out[M.RATE], out[SCHEDULE].to_numpy())
    planned = out[STARTS_PLANNED].where(out[STARTS_PLANNED] > 0)
    out["开工率"] = out[STARTS_DONE] / planned
    return out.rename_axis(UNIT).reset_index()


def _published(values: pd.Series) -> pd.Series:
    """Figures in % to the published decimals, rounded half up as the page shows them."""
    digits = percent_decimals()
    return values.map(lambda v: v if pd.isna(v) else round_half_up(v, digits))


def _value(frame: pd.DataFrame, rule: Rule) -> tuple[pd.Series, pd.Series]:
    """The measure as shown, and whether the unit missed 序时进度 (its own under PLANS)."""
    if rule.measure == START_RATE:
        shown = M.shown_rate(frame["开工率"]) * 100
        missed = shown < M.shown_rate(frame[SCHEDULE]) * 100 - 1e-9
        return _published(shown), missed
    if rule.measure == RATE:
        shown = _published(M.shown_rate(frame[M.RATE]) * 100)
    else:
        shown = frame[M.GAP].map(points)
    return shown, frame[M.GAP].map(points) < 0


def ranking(
    p: Portfolio,
    scope: Scope,
    rule: Rule,
    convention: Convention = Convention.MONTHS,
    period: Period | None = None,
) -> pd.DataFrame:
    """The ranking of the units by the rule as of the period, best first, with 名次, the
    measure, 榜单 and the month's exemption (see the module docstring). The whole city is
    ranked whatever counties the scope names."""
    period = period or scope.period
    key = ("ranking", scope.citywide(), rule, convention, period)
    return p.memo(key, lambda: _ranking(p, scope.citywide(), rule, convention, period)).copy()


def _ranking(p: Portfolio, scope: Scope, rule: Rule, conv: Convention, period: Period):
    units = _units(p, scope, rule, conv, period)
    units[VALUE], units[MISSED] = _value(units, rule)
    units = units.loc[units[VALUE].notna()]
    unranked = units.loc[units[UNREPORTED], UNIT].tolist()
    if not rule.rank_unreported:
        units = units.loc[~units[UNREPORTED]]
    units = units.sort_values([VALUE, M.DONE], ascending=[False, False], kind="mergesort")
    units.insert(0, PLACE, units[VALUE].rank(method="min", ascending=False).astype(int))
    ex = p.exemptions
    ex = ex.loc[(ex[S.UNIT_KIND] == rule.unit) & (ex[S.MONTH] == period.key)]
    units[EXEMPT] = units[UNIT].map(dict(zip(ex[S.UNIT_NAME], ex[S.EXEMPT_REASON], strict=True)))
    units[EXEMPT] = units[EXEMPT].fillna("")
    praised = (units[PLACE] <= rule.top) & ~(rule.red_needs_schedule & units[MISSED])
    units[LIST] = np.where(praised, RED_LIST, "")
    eligible = units.loc[units[MISSED] & (units[LIST] == "") & (units[EXEMPT] == "")]
    worst = eligible.sort_values(VALUE, kind="mergesort")
    if len(worst) and rule.bottom > 0:
        cut = worst[VALUE].iloc[min(rule.bottom, len(worst)) - 1]
        units.loc[worst.index[worst[VALUE] <= cut], LIST] = BLACK_LIST
    units = units.reset_index(drop=True)
    units.attrs[UNREPORTED] = unranked
    return units


def history(
    p: Portfolio, scope: Scope, rule: Rule, convention: Convention = Convention.MONTHS
) -> pd.DataFrame:
    """Each unit's place month by month, from December of the previous year (the base of
    January's move) to the period (long form: 单位, 月份 as YYYY-MM, 名次); months before the
    first return are left out. Computed once per rule (the whole city is ranked)."""
    key = ("ranking_history", scope.citywide(), rule, convention)
    return p.memo(key, lambda: _history(p, scope.citywide(), rule, convention))


def _history(p: Portfolio, scope: Scope, rule: Rule, convention: Convention) -> pd.DataFrame:
    first = p.periods()[-1]
    rows = []
    for month in [Period(scope.period.year - 1, 12), *scope.period.months_of_year()]:
        if month < first:
            continue
        r = ranking(p, scope, rule, convention, month)
        rows += [(u, month.key, k) for u, k in zip(r[UNIT], r[PLACE], strict=True)]
    return pd.DataFrame(rows, columns=[UNIT, MONTH, PLACE])


def moves(p: Portfolio, scope: Scope, rule: Rule, convention: Convention = Convention.MONTHS):
    """By unit: its move against last month's place ("↑2", "↓1", "持平"), or "—" when it was not
    ranked last month (last month may be December of last year). Computed once per rule."""
    key = ("ranking_moves", scope.citywide(), rule, convention)
    return p.memo(key, lambda: _moves(p, scope.citywide(), rule, convention))


def _moves(p: Portfolio, scope: Scope, rule: Rule, convention: Convention) -> pd.Series:
    now = ranking(p, scope, rule, convention).set_index(UNIT)[PLACE]
    last_month = scope.period.shift(-1)
    if last_month < p.periods()[-1]:
        return pd.Series("—", index=now.index, dtype=object)
    before = ranking(p, scope, rule, convention, last_month).set_index(UNIT)[PLACE]
    return pd.Series(
        [move(before.get(u), k) for u, k in now.items()], index=now.index, dtype=object
    )


def move_words(period: Period) -> str:
    """What a move is against: 较上月, or 较上年12月 in January."""
    return "较上年12月" if period.month == 1 else "较上月"


def move(before: int | None, now: int) -> str:
    """↑2 for a unit up two places, ↓1 down one, 持平 unchanged, — without an earlier place."""
    if before is None or pd.isna(before):
        return "—"
    d = int(before) - int(now)
    return f"↑{d}" if d > 0 else f"↓{-d}" if d < 0 else "持平"


def value_text(row: pd.Series, rule: Rule) -> str:
    """The measure of one unit in words: 完成率18.2%,超序时进度1.5个百分点 / 开工率50.0%."""
    if rule.measure == START_RATE:
        return f"开工率{pct(row['开工率'])}({int(row[STARTS_DONE])}/{int(row[STARTS_PLANNED])})"
    return f"完成率{pct(row[M.RATE])},{schedule_phrase(row[M.GAP])}"


def list_sentence(frame: pd.DataFrame, which: str, rule: Rule) -> str:
    """红榜:城北区(完成率…)、… — or that no unit is on the list, and why."""
    on = frame.loc[frame[LIST] == which]
    if on.empty:
        if which == BLACK_LIST:
            return f"黑榜:无(没有未达序时进度且未获豁免的{rule.unit_word})。"
        return "红榜:无。"
    names = "、".join(f"{r[UNIT]}({value_text(r, rule)})" for _, r in on.iterrows())
    return f"{which}:{names}。"


def exemption_sentence(frame: pd.DataFrame) -> str | None:
    """本月豁免:… and 本月未报送:… — the month's exemptions and the units marked 未报送, or None
    when there are neither."""
    excused = frame.loc[frame[EXEMPT] != ""]
    parts = []
    if len(excused):
        names = ";".join(f"{r[UNIT]}:{r[EXEMPT]}" for _, r in excused.iterrows())
        parts.append(f"本月豁免:{names}。")
    missing = unreported_sentence(frame)
    if missing:
        parts.append(missing)
    return "".join(parts) or None


def unreported_sentence(frame: pd.DataFrame) -> str | None:
    """本月未报送:甲区(未报送月度进度,不参加排名)。 — or None when every unit reported."""
    ranked = frame.loc[frame[UNREPORTED], UNIT].tolist() if UNREPORTED in frame else []
    unranked = [u for u in frame.attrs.get(UNREPORTED, []) if u not in ranked]
    if not ranked and not unranked:
        return None
    words = [f"{u}(未报送月度进度,不参加排名)" for u in unranked]
    words += [f"{u}(未报送月度进度,按已报数据排名)" for u in ranked]
    return f"本月未报送:{'、'.join(words)}。"


def unit_choices(p: Portfolio) -> list[str]:
    """The groupings the data carries: counties always, parks where projects name one."""
    return [u for u in S.UNIT_KINDS if u == S.COUNTY or (p.projects[u] != "").any()]
