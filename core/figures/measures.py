"""Every figure the pages and the briefing state, computed from the project rows.

Rates are fractions (0.143); amounts are 万元. Formatting to 亿元/% happens in core.base.formatting.
The annual population ("年度投资项目") is the projects in scope with an annual plan this year:
完成率 = their completed investment January..period ÷ their annual plan.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from core.base import schema as S
from core.base import settings
from core.base.periods import Convention, Period, schedule_share
from core.figures.scope import Scope
from core.figures.status import statuses
from core.store.month_plans import PLANNED
from core.store.portfolio import Portfolio

# Column names of the frames this module returns (pages and charts read these).
PLAN = "年度计划投资"
DONE = "累计完成投资"
RATE = "完成率"
GAP = "偏差"  # 完成率 − 序时进度, a fraction
STATUS = "状态"
COUNT = "项目数"
TOTAL = "总投资"
OPEN_PROBLEMS = "存在问题"


def shown_rate(fraction):
    """A rate as pages print it: to the published decimals of a percent ([format]
    percent_decimals: 0.1% or 0.01%), half up (works on floats and Series)."""
    scale = 10 ** (2 + settings.current().percent_decimals)
    return np.floor(np.round(fraction * scale, 6) + 0.5) / scale


def schedule_gap(rate, schedule):
    """完成率 − 序时进度, from the two rates as shown (each to the published decimals, half up).

    A leader subtracts the figures on the screen: 5.4% against 16.7% must read 落后11.3个百分点,
    not the 11.2 of the unrounded rates. So every gap the product states is the difference of
    the two rates it states beside it, and the status read from it (a threshold compared with
    it) never contradicts the figures shown; NaN where there is no plan."""
    return shown_rate(rate) - shown_rate(schedule)


def _precision() -> tuple[int, str]:
    """Part of the memo key of every figure that holds a gap: a change of [format]
    percent_decimals or [schedule] plan_fallback applies at the next page view."""
    own = settings.current()
    return own.percent_decimals, own.schedule_plan_fallback


def completion_rate(done: float, plan: float) -> float:
    """完成率; NaN when there is no plan to measure against."""
    return done / plan if plan > 0 else float("nan")


def ytd_by_project(p: Portfolio, period: Period) -> pd.Series:
    """Completed investment January..period of the period's year, by project code."""
    ytd = p.ytd
    if period.key in ytd.columns:
        return ytd[period.key]
    # Before the first return, or after the last: the latest month of that year on record.
    earlier = [k for k in ytd.columns if k[:4] == str(period.year) and k <= period.key]
    return ytd[earlier[-1]] if earlier else pd.Series(0.0, index=ytd.index)


def plan_by_project(p: Portfolio, year: int) -> pd.Series:
    plans = p.plan_by_year
    return plans[year] if year in plans.columns else pd.Series(0.0, index=plans.index)


def projects_in_scope(
    p: Portfolio,
    scope: Scope,
    convention: Convention = Convention.MONTHS,
    period: Period | None = None,
) -> pd.DataFrame:
    """The project rows in scope with their plan, year-to-date figures, gap and status."""
    period = period or scope.period
    key = ("projects_in_scope", scope, convention, period, _precision())
    # Shared, not copied: callers that add columns copy first (progress_table does).
    return p.memo(key, lambda: _projects_in_scope(p, scope, convention, period))


def in_scope(p: Portfolio, scope: Scope) -> np.ndarray:
    """Scope.mask of the project list as a boolean array, once per scope (string comparisons
    over every project are the slow part of most figures)."""
    return p.memo(("in_scope", scope), lambda: scope.mask(p.projects).to_numpy())


def project_positions(p: Portfolio, table: str) -> np.ndarray:
    """For each row of one of the data set's tables ("monthly", "milestones" …), the position
    of its project in p.projects (-1 for a code not in the list); once per data version."""
    return p.memo(
        ("project_positions", table),
        lambda: pd.Index(p.projects[S.CODE]).get_indexer(getattr(p, table)[S.CODE]),
    )


def rows_in_scope(p: Portfolio, table: str, scope: Scope) -> np.ndarray:
    """Which rows of one of the data set's tables belong to a project in scope, as a boolean
    array. Vectorised: pandas' isin on Arrow strings makes a Python scalar of every code."""
    positions = project_positions(p, table)
    mask = in_scope(p, scope)
    if not len(mask):  # no project list: no row belongs to a project
        return np.zeros(len(positions), dtype=bool)
    return (positions >= 0) & mask[np.maximum(positions, 0)]


def aligned_plan(p: Portfolio, year: int) -> np.ndarray:
    """Each project's annual plan, in the order of p.projects (0 without a plan)."""
    return p.memo(
        ("aligned_plan", year), lambda: _aligned(p, "plan_by_year", plan_by_project(p, year))
    )


def aligned_ytd(p: Portfolio, period: Period) -> np.ndarray:
    """Each project's year-to-date completion at the period, in the order of p.projects."""
    return p.memo(("aligned_ytd", period), lambda: _aligned(p, "ytd", ytd_by_project(p, period)))


def _aligned(p: Portfolio, table: str, by_code: pd.Series) -> np.ndarray:
    """by_code.reindex(the project codes), 0 where missing. by_code is a column of one of the
    data set's tables by project (ytd, plan_by_year): the positions of the project codes in
    its index are found once per table, not per month or year (a reindex on Arrow strings is
    ~75 ms at 100,000 projects, and 连续滞后 reads 18 months)."""
    index = by_code.index
    held, rows = p.memo(
        ("aligned_rows", table), lambda: (index, index.get_indexer(p.projects[S.CODE]))
    )
    if not held.is_(index):  # not a column of that table: by its own index
        return by_code.reindex(p.projects[S.CODE]).fillna(0.0).to_numpy(dtype=float)
    values = np.append(by_code.to_numpy(dtype=float, na_value=np.nan), 0.0)[rows]  # -1: the 0
    return np.where(np.isnan(values), 0.0, values)


# --- 序时进度 by each project's monthly plan (Convention.PLANS) ------------------------------

# A monthly plan: the amount planned from January to the month (万元, PLANNED), by project and
# month, as core.store.month_plans keeps it: the data set's month_plans (core.store.datasource
# sets it at load), never the memo, which may evict what it holds.


def plan_frame(plans: pd.DataFrame | None) -> pd.DataFrame:
    """Monthly plans (core.store.month_plans.COLUMNS) typed as the figures read them: codes
    and months as text, amounts as numbers, rows without an amount dropped."""
    if plans is None:
        plans = pd.DataFrame(columns=[S.CODE, S.MONTH, PLANNED])
    frame = pd.DataFrame(
        {
            S.CODE: plans[S.CODE].astype(str).to_numpy(dtype=object),
            S.MONTH: plans[S.MONTH].astype(str).to_numpy(dtype=object),
            PLANNED: pd.to_numeric(plans[PLANNED], errors="coerce").to_numpy(dtype=float),
        }
    )
    return frame.dropna().reset_index(drop=True)


def attach_month_plans(p: Portfolio, plans: pd.DataFrame) -> Portfolio:
    """A copy of `p` with its projects' monthly plans (core.store.month_plans.COLUMNS) and a
    memo of its own: what Convention.PLANS measures against. core.store.datasource.load sets
    them on the data set it loads; this is for a data set built otherwise (a test, a bench)."""
    q = p.with_tables()
    object.__setattr__(q, "month_plans", plan_frame(plans))
    return q


def month_plans(p: Portfolio) -> pd.DataFrame:
    """The data set's monthly plans (none when it has none)."""
    plans = getattr(p, "month_plans", None)
    return p.memo(("month_plans", "empty"), lambda: plan_frame(None)) if plans is None else plans


def has_month_plans(p: Portfolio) -> bool:
    """Whether any project has a monthly plan: a view may then switch to Convention.PLANS."""
    return len(month_plans(p)) > 0


def planned_to_date(p: Portfolio, period: Period) -> tuple[np.ndarray, np.ndarray]:
    """(has a plan, planned cumulative amount to the period's month), in the order of
    p.projects. A project has a monthly plan for the year when any month of the year has
    one; to a month, its plan is that of the latest planned month up to it (a plan stated by
    quarter, 1-3月 and 1-6月, stands at 1-3月's amount in April and May), 0 before the first."""
    return p.memo(("planned_to_date", period), lambda: _planned_to_date(p, period))


def _planned_to_date(p: Portfolio, period: Period) -> tuple[np.ndarray, np.ndarray]:
    plans = month_plans(p)
    this_year = plans.loc[plans[S.MONTH].str.startswith(f"{period.year:04d}-")]
    upto = this_year.loc[this_year[S.MONTH] <= period.key].sort_values(S.MONTH)
    latest = upto.groupby(S.CODE)[PLANNED].last()
    codes = p.projects[S.CODE]
    # get_indexer, not isin: pandas' isin on Arrow strings makes a Python scalar of every code.
    has = pd.Index(this_year[S.CODE].unique()).get_indexer(codes) >= 0
    return has, latest.reindex(codes).fillna(0.0).to_numpy(dtype=float)


def project_schedules(p: Portfolio, convention: Convention, period: Period) -> np.ndarray:
    """Each project's 序时进度 at the period, in the order of p.projects: the convention's
    share for every project, or under PLANS its planned cumulative amount ÷ its annual plan,
    and the fallback's share for a project without a monthly plan or an annual plan."""
    if convention is not Convention.PLANS:
        return np.full(len(p.projects), schedule_share(period, convention))
    key = ("project_schedules", convention, Convention.fallback(), period)
    return p.memo(key, lambda: _project_schedules(p, period))


def _project_schedules(p: Portfolio, period: Period) -> np.ndarray:
    has, planned = planned_to_date(p, period)
    plan = aligned_plan(p, period.year)
    own = has & (plan > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = planned / np.where(own, plan, 1.0)
    return np.where(own, share, schedule_share(period, Convention.fallback()))


def weighted_schedule(schedules, plans, fallback: float) -> float:
    """A scope's 序时进度 from its projects': Σ(序时 × annual plan) ÷ Σ annual plan — under
    PLANS the sum of the planned cumulative amounts ÷ the sum of the annual plans."""
    total = float(np.sum(plans))
    return float(np.sum(np.asarray(schedules) * np.asarray(plans))) / total if total else fallback


def plan_fallbacks(p: Portfolio, scope: Scope, period: Period | None = None) -> int:
    """How many projects of the scope's annual population have no monthly plan for the year
    and take [schedule] plan_fallback under Convention.PLANS."""
    period = period or scope.period
    mask = in_scope(p, scope)
    has, _ = planned_to_date(p, period)
    return int(((aligned_plan(p, period.year) > 0) & ~has)[mask].sum())


def schedule_notice(
    p: Portfolio, scope: Scope, convention: Convention, period: Period | None = None
) -> str | None:
    """What a page or document says when projects took the fallback under PLANS, else None:
    按项目月度计划计算序时进度,3个年度投资项目中有1个没有2025年月度计划,按月计算(已过月数÷12)。"""
    if convention is not Convention.PLANS:
        return None
    period = period or scope.period
    n = plan_fallbacks(p, scope, period)
    if not n:
        return None
    count = int((aligned_plan(p, period.year)[in_scope(p, scope)] > 0).sum())
    who = f"全部{n}个年度投资项目" if n == count else f"{count}个年度投资项目中有{n}个"
    return (
        f"按项目月度计划计算序时进度,{who}没有{period.year}年月度计划,"
        f"{Convention.fallback().label}。"
    )


def _projects_in_scope(
    p: Portfolio, scope: Scope, convention: Convention, period: Period
) -> pd.DataFrame:
    mask = in_scope(p, scope)
    df = p.projects.loc[mask].copy()
    df[PLAN] = aligned_plan(p, period.year)[mask]
    df[DONE] = aligned_ytd(p, period)[mask]
    with np.errstate(divide="ignore", invalid="ignore"):
        df[RATE] = np.where(df[PLAN] > 0, df[DONE] / df[PLAN], np.nan)
    if convention is Convention.PLANS:
        schedule = project_schedules(p, convention, period)[mask]
    else:
        schedule = schedule_share(period, convention)
    df[GAP] = schedule_gap(df[RATE], schedule)
    df[STATUS] = statuses(df[GAP])
    return df


def annual_projects(df: pd.DataFrame) -> pd.DataFrame:
    """The projects that have an annual plan this year: the population of every rate."""
    return df.loc[df[PLAN] > 0]


@dataclass(frozen=True)
class YearFigures:
    """The overview's KPI figures for one scope and period."""

    period: Period
    schedule: float  # 序时进度
    count: int  # projects with an annual plan
    total_investment: float
    plan: float
    done: float
    starts_planned: int  # projects due to break ground this year
    starts_done: int  # of them, those that have broken ground by the period
    # Of those, how many the data do not date (no 实际开工年月) but show at work: a 在建 or 竣工
    # stage, or an amount completed this year (started_by).
    starts_inferred: int = 0
    # False when a project's year-to-date figure is known only as part of a later sum (its
    # first return of the year stated 1-N月): the figure is then no base for a comparison.
    complete: bool = True
    # Under Convention.PLANS: the projects without a monthly plan, measured by the fallback.
    plan_fallbacks: int = 0

    @property
    def rate(self) -> float:
        return completion_rate(self.done, self.plan)

    @property
    def gap(self) -> float:
        return float(schedule_gap(self.rate, self.schedule))

    @property
    def start_rate(self) -> float:
        return self.starts_done / self.starts_planned if self.starts_planned else float("nan")


def year_figures(
    p: Portfolio,
    scope: Scope,
    convention: Convention = Convention.MONTHS,
    period: Period | None = None,
) -> YearFigures:
    period = period or scope.period
    key = ("year_figures", scope, convention, period, _precision())
    return p.memo(key, lambda: _year_figures(p, scope, convention, period))


def _year_figures(
    p: Portfolio, scope: Scope, convention: Convention, period: Period
) -> YearFigures:
    mask = in_scope(p, scope)
    plan, done = aligned_plan(p, period.year)[mask], aligned_ytd(p, period)[mask]
    annual = plan > 0
    # Only the columns used: selecting rows of every text column is the slow part.
    used = [S.CODE, S.PLANNED_START, S.ACTUAL_START, S.TOTAL_INVESTMENT, S.STAGE]
    projects = p.projects.loc[mask, used]
    planned_start = (projects[S.PLANNED_START].str.slice(0, 4) == str(period.year)).to_numpy()
    started, inferred = started_by(projects, np.asarray(done), period)
    total = projects[S.TOTAL_INVESTMENT].to_numpy()
    schedule, fallbacks = schedule_share(period, convention), 0
    if convention is Convention.PLANS:
        own = project_schedules(p, convention, period)[mask]
        schedule = weighted_schedule(own[annual], plan[annual], schedule)
        fallbacks = plan_fallbacks(p, scope, period)
    return YearFigures(
        period=period,
        schedule=schedule,
        plan_fallbacks=fallbacks,
        count=int(annual.sum()),
        total_investment=float(total[annual].sum()),
        plan=float(plan[annual].sum()),
        done=float(done[annual].sum()),
        starts_planned=int(planned_start.sum()),
        starts_done=int((planned_start & started).sum()),
        starts_inferred=int((planned_start & inferred).sum()),
        complete=period.month
        not in unknown_months(p, projects[S.CODE].to_numpy()[annual], period.year),
    )


def started_by(projects: pd.DataFrame, done: np.ndarray, period: Period):
    """(started, inferred): whether each project has broken ground by the period. A project
    whose 实际开工年月 is empty is taken as started when the data show it at work — a stage of
    在建 or 竣工, or an amount completed this year — as a ledger that gives no start month shows
    its projects under construction; `inferred` marks those."""
    actual = projects[S.ACTUAL_START]
    dated = ((actual != "") & (actual <= period.key)).to_numpy()
    at_work = projects[S.STAGE].isin((S.STAGE_CONSTRUCTION, S.STAGE_COMPLETED)).to_numpy() | (
        np.nan_to_num(done) > 0
    )
    inferred = (actual == "").to_numpy() & at_work
    return dated | inferred, inferred


def year_figures_with_last_year(
    p: Portfolio,
    scope: Scope,
    convention: Convention = Convention.MONTHS,
) -> tuple[YearFigures, YearFigures]:
    """This period's figures and those of the same period last year, for the same filters."""
    this = year_figures(p, scope, convention)
    last = year_figures(p, scope, convention, scope.period.same_period_last_year())
    return this, last


def growth(this: float, last: float) -> float:
    """Year-on-year growth as a fraction; NaN when last year had nothing to grow from."""
    return this / last - 1 if last else float("nan")


# --- Is last year a base for a change? ------------------------------------------------------

# A stock (funding secured to date) counts every record since the data began: its same period
# last year is a fair base only once a full year of records lies before that base.
STOCK_HISTORY_MONTHS = 12


def no_base_reason(p: Portfolio, period: Period) -> str | None:
    """Why the year's flows (projects, plan, completion) have no same-period base, or None.

    The base is missing when the returns begin after January of last year: its year-to-date
    figures would count only part of that year."""
    base = period.same_period_last_year()
    first = p.periods()[-1] if len(p.monthly) else None
    if first is None or first > Period(base.year, 1):
        since = f"数据自{first.label}起" if first else "没有月度进度数据"
        return f"{since},上年同期({base.label})不在数据范围内,不计算同比。"
    return None


def no_funding_base_reason(p: Portfolio, period: Period) -> str | None:
    """Why funding secured has no same-period base, or None (see STOCK_HISTORY_MONTHS)."""
    base = period.same_period_last_year()
    months = p.funding[S.FUNDING_MONTH]
    if months.empty:
        return None
    first = Period.parse(months.min())
    if first > base:
        return f"资金数据自{first.label}起记录,上年同期({base.label})在此之前,不计算同比。"
    if first.shift(STOCK_HISTORY_MONTHS) > base:
        return (
            f"资金数据自{first.label}起记录,上年同期({base.label})的已落实资金只含此前"
            f"{(base.year - first.year) * 12 + base.month - first.month + 1}个月的记录,"
            "与本期不可比,不计算同比。"
        )
    return None


# --- Pipeline: reserve, submitted, under construction ------------------------------------


@dataclass(frozen=True)
class StageFigures:
    stage: str
    count: int
    total_investment: float
    new_count: int  # 新引进
    new_total: float
    subsidy_sought: float


def pipeline(p: Portfolio, scope: Scope) -> list[StageFigures]:
    """Counts and totals by stage (储备 … 竣工) for the scope; the stage filter is honoured."""
    return p.memo(("pipeline", scope), lambda: _pipeline(p, scope))


def _pipeline(p: Portfolio, scope: Scope) -> list[StageFigures]:
    used = [S.STAGE, S.NEWLY_ATTRACTED, S.TOTAL_INVESTMENT, S.SUBSIDY_SOUGHT]
    df = p.projects.loc[in_scope(p, scope), used]
    out = []
    for stage in S.STAGES:
        d = df.loc[df[S.STAGE] == stage]
        new = d.loc[d[S.NEWLY_ATTRACTED] == S.YES]
        out.append(
            StageFigures(
                stage=stage,
                count=len(d),
                total_investment=float(d[S.TOTAL_INVESTMENT].sum()),
                new_count=len(new),
                new_total=float(new[S.TOTAL_INVESTMENT].sum()),
                subsidy_sought=float(d[S.SUBSIDY_SOUGHT].fillna(0).sum()),
            )
        )
    return out


# --- Breakdowns ----------------------------------------------------------------------


def _breakdown(df: pd.DataFrame, by: str, schedule) -> pd.DataFrame:
    """Units of `by` with their figures; `schedule` is one 序时进度 for all, or each row's of
    `df` (Convention.PLANS), a unit's then Σ(序时 × plan) ÷ Σ plan of its projects."""
    own = not np.isscalar(schedule)
    df = df.assign(_planned=np.asarray(schedule) * df[PLAN].to_numpy()) if own else df
    annual = annual_projects(df)
    g = annual.groupby(by, sort=False).agg(
        **{
            COUNT: (S.CODE, "size"),
            TOTAL: (S.TOTAL_INVESTMENT, "sum"),
            PLAN: (PLAN, "sum"),
            DONE: (DONE, "sum"),
            **({"_planned": ("_planned", "sum")} if own else {}),
        }
    )
    g[RATE] = g[DONE] / g[PLAN]
    g[GAP] = schedule_gap(g[RATE], g.pop("_planned") / g[PLAN] if own else schedule)
    return g.reset_index()


def _unit_schedules(p: Portfolio, scope: Scope, convention: Convention):
    """What _breakdown measures against: one share, or under PLANS each project's in scope."""
    if convention is Convention.PLANS:
        return project_schedules(p, convention, scope.period)[in_scope(p, scope)]
    return schedule_share(scope.period, convention)


def county_ranking(
    p: Portfolio, scope: Scope, convention: Convention = Convention.MONTHS
) -> pd.DataFrame:
    """红黑榜: counties by 完成率 against 序时进度, best first, with 名次 1..n."""
    key = ("county_ranking", scope, convention, _precision())
    return p.memo(key, lambda: _county_ranking(p, scope, convention)).copy()


def _county_ranking(p: Portfolio, scope: Scope, convention: Convention) -> pd.DataFrame:
    df = projects_in_scope(p, scope, convention)
    g = _breakdown(df, S.COUNTY, _unit_schedules(p, scope, convention))
    g = g.sort_values([GAP, DONE], ascending=[False, False], kind="mergesort")
    g.insert(0, "名次", range(1, len(g) + 1))
    g[STATUS] = statuses(g[GAP])
    return g.reset_index(drop=True)


def sector_breakdown(
    p: Portfolio, scope: Scope, convention: Convention = Convention.MONTHS
) -> pd.DataFrame:
    """Projects with an annual plan by 行业领域: count, total, plan, completed, rate, gap."""
    key = ("sector_breakdown", scope, convention, _precision())
    return p.memo(key, lambda: _sector_breakdown(p, scope, convention)).copy()


def _sector_breakdown(p: Portfolio, scope: Scope, convention: Convention) -> pd.DataFrame:
    df = projects_in_scope(p, scope, convention)
    g = _breakdown(df, S.SECTOR, _unit_schedules(p, scope, convention))
    order = {s: i for i, s in enumerate(p.sectors)}
    return g.sort_values(S.SECTOR, key=lambda s: s.map(order)).reset_index(drop=True)


@dataclass(frozen=True)
class IndustryFigures:
    """产业转型: the 产业项目 under way this year, and the high-tech ones among them."""

    count: int
    total_investment: float
    high_tech_count: int
    high_tech_total: float

    @property
    def high_tech_share(self) -> float:
        return self.high_tech_total / self.total_investment if self.total_investment else np.nan


def industry_figures(p: Portfolio, scope: Scope, period: Period | None = None) -> IndustryFigures:
    period = period or scope.period
    return p.memo(("industry", scope, period), lambda: _industry_figures(p, scope, period))


def _industry_figures(p: Portfolio, scope: Scope, period: Period) -> IndustryFigures:
    mask = in_scope(p, scope) & (aligned_plan(p, period.year) > 0)
    df = p.projects.loc[mask, [S.SECTOR, S.HIGH_TECH, S.TOTAL_INVESTMENT]]
    ind = df.loc[df[S.SECTOR].isin(settings.current().industry_sectors)]
    ht = ind.loc[ind[S.HIGH_TECH] == S.YES]
    return IndustryFigures(
        len(ind), float(ind[S.TOTAL_INVESTMENT].sum()), len(ht), float(ht[S.TOTAL_INVESTMENT].sum())
    )


# --- Funding ---------------------------------------------------------------------------

AMOUNT = "落实金额"


def funding_in_scope(p: Portfolio, scope: Scope, period: Period | None = None) -> pd.DataFrame:
    """Funding rows of projects in scope, secured by the end of the period."""
    period = period or scope.period
    key = ("funding", scope, period)  # the scope's period decides withdrawals
    return p.memo(key, lambda: _funding_in_scope(p, scope, period)).copy()


def _funding_in_scope(p: Portfolio, scope: Scope, period: Period) -> pd.DataFrame:
    f = p.funding
    keep = rows_in_scope(p, "funding", scope) & (f[S.FUNDING_MONTH] <= period.key).to_numpy()
    out = f.loc[keep].reset_index(drop=True)
    # Each row's county from its project, found by position (a merge on the codes hashes
    # every string again for each scope).
    out[S.COUNTY] = p.projects[S.COUNTY].array.take(project_positions(p, "funding")[keep])
    return out


def funding_by_source(p: Portfolio, scope: Scope, period: Period | None = None) -> pd.DataFrame:
    """Secured funding by source, in the order of settings.current().funding_sources, with the report's channel."""
    key = ("funding_by_source", scope, period or scope.period)
    return p.memo(key, lambda: _funding_by_source(p, scope, period)).copy()


def _funding_by_source(p: Portfolio, scope: Scope, period: Period | None) -> pd.DataFrame:
    f = funding_in_scope(p, scope, period)
    g = f.groupby(S.FUNDING_SOURCE)[S.FUNDING_AMOUNT].sum()
    sources = [s for s in settings.current().funding_sources if s in g.index] + sorted(
        set(g.index) - set(settings.current().funding_sources)
    )
    out = pd.DataFrame({S.FUNDING_SOURCE: sources, AMOUNT: [float(g[s]) for s in sources]})
    out["渠道"] = (
        out[S.FUNDING_SOURCE].map(settings.current().funding_channels).fillna("其他融资渠道")
    )
    return out


def funding_by_channel(
    p: Portfolio, scope: Scope, period: Period | None = None
) -> dict[str, float]:
    """The report's split: 专项债券, 银行贷款, 其他融资渠道 (every channel, zero if none)."""
    key = ("funding_by_channel", scope, period or scope.period)
    return dict(p.memo(key, lambda: _funding_by_channel(p, scope, period)))


def _funding_by_channel(p: Portfolio, scope: Scope, period: Period | None) -> dict[str, float]:
    by_source = funding_by_source(p, scope, period)
    channels = dict.fromkeys(dict.fromkeys(settings.current().funding_channels.values()), 0.0)
    for channel, amount in zip(by_source["渠道"], by_source[AMOUNT], strict=True):
        channels[channel] += amount
    return channels


def funding_by_county(p: Portfolio, scope: Scope) -> pd.DataFrame:
    f = funding_in_scope(p, scope)
    g = f.groupby([S.COUNTY, S.FUNDING_SOURCE])[S.FUNDING_AMOUNT].sum().reset_index()
    return g.rename(columns={S.FUNDING_AMOUNT: AMOUNT})


# --- Monthly series ---------------------------------------------------------------------

MONTH_NO = "月份"
SERIES = "系列"
VALUE = "金额"
THIS_YEAR = "本年累计完成"
LAST_YEAR = "上年同期累计完成"
PLAN_LINE = "年度计划序时线"


def unknown_months(p: Portfolio, codes, year: int) -> set[int]:
    """Months of `year` whose year-to-date figure is unknown for some of `codes`: inside an
    amount that covers several months (1-3月合计 leaves 1月 and 2月 unknown)."""
    gaps = p.gaps
    if gaps.empty:
        return set()
    # get_indexer, not isin: pandas' isin on Arrow strings makes a Python scalar of every code.
    known = pd.Index(codes).unique().get_indexer(gaps[S.CODE]) >= 0
    mine = gaps.loc[known & gaps["end"].str.startswith(f"{year}-")]
    out: set[int] = set()
    for start, end in zip(mine["start"], mine["end"], strict=True):
        first, last = Period.parse(start), Period.parse(end)
        out |= {k for k in range(first.month, last.month) if first.year == year}
    return out


def coverage_note(p: Portfolio, codes, year: int) -> str | None:
    """What a curve says when a return stated several months as one sum, else None."""
    unknown = unknown_months(p, codes, year)
    if not unknown:
        return None
    first, last = min(unknown), max(unknown) + 1
    return (f"{year}年{first}-{last}月只报送了合计数(1-N月累计),"
            f"曲线从{last}月开始,不按月拆分。")  # fmt: skip


def _cumulative(p: Portfolio, codes, year: int, upto: int) -> list[float]:
    """Year-to-date totals of `codes` at the end of each month 1..upto of `year`; NaN for a
    month known only as part of a sum over several months."""
    ytd = p.ytd
    rows = ytd.index.get_indexer(pd.Index(codes).unique())
    rows = rows[rows >= 0]
    totals = ytd.to_numpy()[rows].sum(axis=0) if len(rows) else np.zeros(len(ytd.columns))
    by_key = dict(zip(ytd.columns, totals, strict=True))
    out, running = [], 0.0
    unknown = unknown_months(p, codes, year)
    for month in range(1, upto + 1):
        key = Period(year, month).key
        running = float(by_key.get(key, running if key > min(by_key, default=key) else 0.0))
        out.append(float("nan") if month in unknown else running)
    return out


def cumulative_by_month(p: Portfolio, scope: Scope) -> pd.DataFrame:
    """Long frame (月份 1–12, 系列, 金额 in 万元) of the year's cumulative completion, last
    year's, and the plan spread evenly over the months, for the projects with a plan."""
    key = ("cumulative_by_month", scope)
    return p.memo(key, lambda: _cumulative_by_month(p, scope)).copy()


def _cumulative_by_month(p: Portfolio, scope: Scope) -> pd.DataFrame:
    year = scope.period.year
    rows = []
    codes = p.projects.loc[in_scope(p, scope), S.CODE]
    for y, label, upto in ((year, THIS_YEAR, scope.period.month), (year - 1, LAST_YEAR, 12)):
        plans = plan_by_project(p, y).reindex(codes).fillna(0.0)
        annual = plans[plans > 0]  # the year's population: projects with a plan that year
        cum = _cumulative(p, annual.index, y, upto)
        rows += [(k, label, v) for k, v in enumerate(cum, start=1)]
        if y == year:
            plan = float(annual.sum())
            rows += [(k, PLAN_LINE, plan * k / 12) for k in range(1, 13)]
    return pd.DataFrame(rows, columns=[MONTH_NO, SERIES, VALUE]).dropna().reset_index(drop=True)


def project_curve(p: Portfolio, code: str, period: Period) -> pd.DataFrame:
    """One project's cumulative completion this year by month against its plan line."""
    plan = float(plan_by_project(p, period.year).get(code, 0.0))
    cum = _cumulative(p, [code], period.year, period.month)
    rows = [(k, THIS_YEAR, v) for k, v in enumerate(cum, start=1)]
    rows += [(k, PLAN_LINE, plan * k / 12) for k in range(1, 13)] if plan else []
    return pd.DataFrame(rows, columns=[MONTH_NO, SERIES, VALUE]).dropna().reset_index(drop=True)


# --- Progress table ---------------------------------------------------------------------


def latest_progress_text(p: Portfolio, period: Period) -> pd.Series:
    """形象进度 of each project's latest return up to the period."""
    return p.memo(("progress_text", period), lambda: _latest_progress_text(p, period))


def _latest_progress_text(p: Portfolio, period: Period) -> pd.Series:
    m = p.monthly
    order = m["_year"] * 12 + m["_month"]
    sel = (order <= period.year * 12 + period.month) & (m[S.PROGRESS_TEXT] != "")
    if not sel.any():
        return pd.Series(dtype=object)
    latest = order[sel].groupby(m.loc[sel, S.CODE]).idxmax()
    return pd.Series(m.loc[latest.to_numpy(), S.PROGRESS_TEXT].to_numpy(), index=latest.index)


def problems_at(p: Portfolio, scope: Scope) -> pd.DataFrame:
    """Problems of projects in scope raised by the period, with 状态 未解决/已解决 at that time."""
    return p.memo(("problems", scope), lambda: _problems_at(p, scope)).copy()


def _problems_at(p: Portfolio, scope: Scope) -> pd.DataFrame:
    projects = p.projects.loc[in_scope(p, scope), [S.CODE, S.NAME, S.COUNTY, S.SECTOR]]
    pr = p.problems.loc[p.problems[S.RAISED] <= scope.period.key].merge(projects, on=S.CODE)
    solved = (pr[S.RESOLVED] != "") & (pr[S.RESOLVED] <= scope.period.key)
    pr[STATUS] = np.where(solved, "已解决", "未解决")
    return pr


def open_problems(p: Portfolio, scope: Scope) -> pd.DataFrame:
    """Open problems, those waiting longest first, with 已等待(月); once per scope."""
    return p.memo(("open_problems", scope), lambda: _open_problems(p, scope)).copy()


def _open_problems(p: Portfolio, scope: Scope) -> pd.DataFrame:
    pr = problems_at(p, scope)
    pr = pr.loc[pr[STATUS] == "未解决"].copy()
    raised = pr[S.RAISED].str.split("-", expand=True).astype(int) if len(pr) else None
    if raised is not None:
        pr["已等待(月)"] = (scope.period.year - raised[0]) * 12 + scope.period.month - raised[1]
    else:
        pr["已等待(月)"] = pd.Series(dtype=int)
    return pr.sort_values(["已等待(月)", S.PROBLEM_ID], ascending=[False, True]).reset_index(
        drop=True
    )


def problem_counts(p: Portfolio, scope: Scope, by: str) -> pd.DataFrame:
    """Problems by `by` (问题类型 or 所在区县) and 状态, with counts."""
    pr = problems_at(p, scope)
    g = pr.groupby([by, STATUS]).size().rename(COUNT).reset_index()
    if by == S.PROBLEM_TYPE:
        order = {t: i for i, t in enumerate(settings.current().problem_types)}
        g = g.sort_values(by, key=lambda s: s.map(order).fillna(99), kind="mergesort")
    return g.reset_index(drop=True)


def progress_table(
    p: Portfolio, scope: Scope, convention: Convention = Convention.MONTHS
) -> pd.DataFrame:
    """One row per project in scope with its figures, 形象进度 and open problems. Shared by
    every session, not copied: callers that change it copy first."""
    key = ("progress_table", scope, convention, _precision())
    return p.memo(key, lambda: _progress_table(p, scope, convention))


def _progress_table(p: Portfolio, scope: Scope, convention: Convention) -> pd.DataFrame:
    df = projects_in_scope(p, scope, convention).copy()
    df[S.PROGRESS_TEXT] = df[S.CODE].map(latest_progress_text(p, scope.period)).fillna("")
    op = open_problems(p, replace(scope, stage=None))
    text = (op[S.PROBLEM_TYPE] + ":" + op[S.PROBLEM_TEXT]).groupby(op[S.CODE]).agg(";".join)
    units = op.groupby(S.CODE)[S.RESPONSIBLE_UNIT].agg(lambda u: "、".join(dict.fromkeys(u)))
    df[OPEN_PROBLEMS] = df[S.CODE].map(text).fillna("")
    df[S.RESPONSIBLE_UNIT] = df[S.CODE].map(units).fillna("")
    order = {s: i for i, s in enumerate(("严重滞后", "滞后", "正常", "无年度计划"))}
    df = df.sort_values([STATUS, GAP], key=lambda s: s.map(order) if s.name == STATUS else s)
    return df.reset_index(drop=True)
