"""一项目一档: everything the project page shows of one project, as of one period.

The figures are those of every other page, computed by the same functions (core.figures.measures,
supervision, milestones, alerts) for the project's own scope — its county, sector and level —
so a project reads the same here as in 项目进度, 问题督办, 挂图作战 and 预警.

Amounts are 万元, rates fractions; the texts of the card are ready to show ("—" for nothing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from core.base import schema as S
from core.base import settings
from core.base.formatting import MISSING, is_missing, yi_two_decimals
from core.base.periods import Convention, Period, schedule_share
from core.figures import alerts as A
from core.figures import measures as M
from core.figures import milestones as N
from core.figures import supervision as V
from core.figures.scope import Scope
from core.figures.search import matches
from core.figures.status import NO_PLAN, statuses
from core.store.portfolio import Portfolio
from core.store.project_history import ADDED, CHANGED, PHOTOS_TABLE, REMOVED, EntryChange

PAGE_PATH = "project"  # the page's url_path: /project?code=…&period=…
MONTH_LABEL = "月份"
AMOUNT = "本月完成投资(万元)"
COVERED = "报送口径"  # "1-2月合计" for an amount that covers several months, else ""
SEARCH_LIMIT = 20


def page_url(code: str, period: Period | None = None) -> str:
    """The page's link for a project (and a period): relative, so it works behind any host."""
    query = {"code": code} | ({"period": period.key} if period else {})
    return f"/{PAGE_PATH}?{urlencode(query)}"


LINK = "档案"  # the link column of the project tables (st.column_config.LinkColumn)


def links(codes: pd.Series, period: Period | None = None) -> pd.Series:
    """Each project's page link, for a table's 档案 column."""
    return pd.Series([page_url(c, period) for c in codes], index=codes.index, dtype=object)


def month_label(key: str) -> str:
    """'2026-02' → '2026年2月'; anything else as written, '—' for nothing."""
    if not key:
        return MISSING
    try:
        return Period.parse(key).label
    except ValueError:
        return key


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    text = str(value).strip()
    return text if text and text.lower() not in ("nan", "none") else MISSING


def _number(value) -> float:
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        return float("nan")
    return number


@dataclass(frozen=True)
class MonthSum:
    """An amount a return stated for several months together (the first ledger's 1-N月)."""

    start: int  # first month it covers
    end: int  # the month it was reported for
    cumulative: float  # the year-to-date figure at `end`

    @property
    def label(self) -> str:
        return f"{self.start}-{self.end}月合计"


@dataclass(frozen=True)
class ProjectFile:
    code: str
    name: str
    county: str
    period: Period
    convention: Convention
    card: tuple[tuple[str, str], ...]  # (label, text) in the order the card shows them
    lon: float  # NaN when the list gives no coordinates
    lat: float
    # This year, as every page states it.
    plan: float
    done: float
    rate: float  # NaN without a plan
    schedule: float
    gap: float  # NaN without a plan
    status: str
    curve: pd.DataFrame  # 月份 1–12, 系列, 金额 (measures.MONTH_NO, SERIES, VALUE), 万元
    sums: tuple[MonthSum, ...]  # this year's amounts known only as a sum over several months
    coverage: str | None  # the sentence that says so (measures.coverage_note)
    # Over the years.
    total_investment: float
    prior_cumulative: float  # 开工至上年底累计完成投资; NaN when no return states it
    prior_source: str  # where it comes from, in words
    # The rest of the story.
    progress: pd.DataFrame  # 月份, 本月完成投资(万元), 形象进度, 报送口径; oldest first
    problems: pd.DataFrame
    nodes: pd.DataFrame  # milestones.project_nodes
    funding: pd.DataFrame  # 资金来源, 落实金额(万元)
    alerts: pd.DataFrame  # 预警级别, 预警规则, 预警原因, 对象

    @property
    def has_plan(self) -> bool:
        return self.plan > 0

    @property
    def since_start(self) -> float:
        """开工至今累计完成投资: up to last year's end, and this year to date."""
        return (
            float("nan") if is_missing(self.prior_cumulative) else self.prior_cumulative + self.done
        )

    @property
    def share_of_total(self) -> float:
        """开工至今累计 ÷ 总投资; NaN without either."""
        if is_missing(self.since_start) or not self.total_investment > 0:
            return float("nan")
        return self.since_start / self.total_investment


def own_scope(row: pd.Series, period: Period) -> Scope:
    """The narrowest scope of the filters that holds the project: its county, sector, level."""
    level = row[S.LEVEL] or None
    return Scope(period, counties=(row[S.COUNTY],), sectors=(row[S.SECTOR],), level=level,
                 stage=None, opening_level=level)  # fmt: skip


def find(p: Portfolio, code: str) -> pd.Series | None:
    """The project's row of the list, or None for a code the list does not hold."""
    code = (code or "").strip()
    if not code:
        return None
    hit = p.projects.index[p.projects[S.CODE] == code]
    return None if hit.empty else p.projects.loc[hit[0]]


def project_file(
    p: Portfolio, code: str, period: Period, convention: Convention = Convention.MONTHS
) -> ProjectFile | None:
    """The project's whole story as of the period; None for an unknown code."""
    code = (code or "").strip()
    return p.memo(("project_file", code, period, convention),
                  lambda: _project_file(p, code, period, convention))  # fmt: skip


def _card(row: pd.Series) -> tuple[tuple[str, str], ...]:
    lon, lat = _number(row[S.LON]), _number(row[S.LAT])
    place = MISSING if is_missing(lon) or is_missing(lat) else f"东经{lon:.4f}°,北纬{lat:.4f}°"
    owner = _text(row[S.OWNER])
    person = _text(row[S.OWNER_PERSON])
    return (
        ("项目名称", _text(row[S.NAME])),
        ("项目代码", _text(row[S.CODE])),
        ("所在区县", _text(row[S.COUNTY])),
        ("行业领域", _text(row[S.SECTOR])),
        ("项目级别", _text(row[S.LEVEL])),
        ("项目阶段", _text(row[S.STAGE])),
        ("建设性质", _text(row[S.NATURE])),
        ("建设单位", owner),
        ("项目负责人", person),
        ("责任领导", _text(row[S.LEADER])),
        ("总投资", yi_two_decimals(_number(row[S.TOTAL_INVESTMENT]))),
        ("建设起止年限", _text(row[S.YEARS_TEXT])),
        ("计划开工", month_label(row[S.PLANNED_START])),
        ("实际开工", month_label(row[S.ACTUAL_START])),
        ("计划竣工", month_label(row[S.PLANNED_END])),
        ("实际竣工", month_label(row[S.ACTUAL_END])),
        ("位置", place),
    )


def _year_figures(p: Portfolio, row: pd.Series, period: Period, conv: Convention) -> tuple:
    """(plan, done, rate, gap, status) from projects_in_scope, as 项目进度 states them; for a
    project outside every scope by then (withdrawn), from the same functions directly."""
    code = row[S.CODE]
    table = M.projects_in_scope(p, own_scope(row, period), conv, period)
    mine = table.loc[table[S.CODE] == code]
    if len(mine):
        r = mine.iloc[0]
        return float(r[M.PLAN]), float(r[M.DONE]), float(r[M.RATE]), float(r[M.GAP]), r[M.STATUS]
    plan = float(M.plan_by_project(p, period.year).get(code, 0.0))
    done = float(M.ytd_by_project(p, period).get(code, 0.0))
    rate = M.completion_rate(done, plan)
    gap = float(M.schedule_gap(rate, _schedule(p, code, period, conv)))
    return plan, done, rate, gap, statuses(pd.Series([gap])).iloc[0]


def _schedule(p: Portfolio, code: str, period: Period, conv: Convention) -> float:
    """The project's 序时进度: its own monthly plan's under PLANS (measures.project_schedules,
    the fallback's share without one), else the convention's share."""
    at = np.flatnonzero(p.projects[S.CODE].to_numpy() == code)
    if conv is not Convention.PLANS or not len(at):
        fallback = Convention.fallback() if conv is Convention.PLANS else conv
        return schedule_share(period, fallback)
    return float(M.project_schedules(p, conv, period)[at[0]])


def _rows(p: Portfolio, table: str, code: str) -> pd.DataFrame:
    """The rows of one of the data set's tables ("monthly", "plans" …) of one project: found by
    the project's position (measures.project_positions, once per data version), an integer
    comparison instead of one of strings over millions of rows."""
    at = np.flatnonzero(p.projects[S.CODE].to_numpy() == code)
    if not len(at):
        return getattr(p, table).iloc[:0]
    return getattr(p, table).loc[M.project_positions(p, table) == at[0]]


def _curve(p: Portfolio, code: str, period: Period, plan: float) -> pd.DataFrame:
    """This year's cumulative amount to the period, its plan's 序时 line, and last year's
    cumulative amount where the project had a plan or returns then."""
    frame = M.project_curve(p, code, period)
    last = period.year - 1
    had_last = M.plan_by_project(p, last).get(code, 0.0) > 0 or bool(
        (_rows(p, "monthly", code)["_year"] == last).any()
    )
    if had_last:
        cum = M._cumulative(p, [code], last, 12)
        rows = pd.DataFrame({M.MONTH_NO: range(1, 13), M.SERIES: M.LAST_YEAR, M.VALUE: cum})
        frame = pd.concat([frame, rows.dropna()], ignore_index=True)
    return frame


def _sums(p: Portfolio, code: str, period: Period) -> tuple[MonthSum, ...]:
    gaps = p.gaps
    mine = gaps.loc[(gaps[S.CODE] == code) & gaps["end"].str.startswith(f"{period.year}-")]
    ytd = M.ytd_by_project
    out = []
    for start, end in zip(mine["start"], mine["end"], strict=True):
        first, last = Period.parse(start), Period.parse(end)
        if last > period:
            continue
        start_month = first.month if first.year == period.year else 1
        out.append(MonthSum(start_month, last.month, float(ytd(p, last).get(code, 0.0))))
    return tuple(sorted(out, key=lambda s: s.end))


def _prior(p: Portfolio, code: str, period: Period) -> tuple[float, str]:
    """开工至上年底累计完成投资 as this year's plan row states it; else the returns' sum before
    this year, when the project started within the returns on record."""
    plans = _rows(p, "plans", code)
    stated = plans.loc[plans[S.YEAR] == period.year, S.PRIOR_CUMULATIVE]
    value = _number(stated.iloc[0]) if len(stated) else float("nan")
    if not is_missing(value):
        return value, f"{period.year}年年度计划所填“开工至上年底累计完成投资”"
    m = _rows(p, "monthly", code)
    before = m.loc[m["_year"] < period.year]
    if before.empty:
        return float("nan"), "没有上年底前的报送数据"
    first = Period.parse(before[S.MONTH].min())
    return float(before[S.MONTH_COMPLETED].sum()), f"按{first.label}以来的月度报送数据合计"


def _progress(p: Portfolio, code: str, period: Period) -> pd.DataFrame:
    m = _rows(p, "monthly", code)
    rows = m.loc[m[S.MONTH] <= period.key].sort_values(S.MONTH)
    covered = [
        f"{Period.parse(f).month}-{Period.parse(t).month}月合计" if f else ""
        for f, t in zip(rows[S.COVERS_FROM], rows[S.MONTH], strict=True)
    ]
    return pd.DataFrame(
        {
            MONTH_LABEL: rows[S.MONTH].map(month_label).to_numpy(),
            S.MONTH: rows[S.MONTH].to_numpy(),
            AMOUNT: rows[S.MONTH_COMPLETED].to_numpy(dtype=float),
            S.PROGRESS_TEXT: rows[S.PROGRESS_TEXT].to_numpy(),
            COVERED: covered,
        }
    )


PROBLEM_COLUMNS = (S.PROBLEM_ID, S.PROBLEM_TYPE, S.PROBLEM_TEXT, S.RAISED, S.RESPONSIBLE_UNIT,
                   S.ASSIGNED_ON, S.DEADLINE, V.STATE, V.OVERDUE_DAYS, S.HANDLING_NOTES,
                   S.CLOSED_ON, S.CLEARED_ON)  # fmt: skip


def _problems(p: Portfolio, row: pd.Series, period: Period) -> pd.DataFrame:
    pr = V.problems_as_of(p, own_scope(row, period))
    pr = pr.loc[pr[S.CODE] == row[S.CODE], list(PROBLEM_COLUMNS)]
    return pr.sort_values([S.RAISED, S.PROBLEM_ID], kind="mergesort").reset_index(drop=True)


def _funding(p: Portfolio, code: str, period: Period) -> pd.DataFrame:
    f = _rows(p, "funding", code)
    mine = f.loc[f[S.FUNDING_MONTH] <= period.key]
    g = mine.groupby(S.FUNDING_SOURCE)[S.FUNDING_AMOUNT].sum()
    own = settings.current().funding_sources
    order = [s for s in own if s in g.index] + sorted(set(g.index) - set(own))
    return pd.DataFrame({S.FUNDING_SOURCE: order, S.FUNDING_AMOUNT: [float(g[s]) for s in order]})


def _alerts(p: Portfolio, row: pd.Series, period: Period, conv: Convention) -> pd.DataFrame:
    found = A.alerts(p, own_scope(row, period), conv)
    mine = found.loc[found[S.CODE] == row[S.CODE], [A.LEVEL, A.RULE, A.REASON, A.SUBJECT]]
    return mine.reset_index(drop=True)


def _project_file(p: Portfolio, code: str, period: Period, conv: Convention) -> ProjectFile | None:
    row = find(p, code)
    if row is None:
        return None
    plan, done, rate, gap, status = _year_figures(p, row, period, conv)
    if plan <= 0:
        status = NO_PLAN
    prior, prior_source = _prior(p, code, period)
    return ProjectFile(
        code=code,
        name=row[S.NAME],
        county=row[S.COUNTY],
        period=period,
        convention=conv,
        card=_card(row),
        lon=_number(row[S.LON]),
        lat=_number(row[S.LAT]),
        plan=plan,
        done=done,
        rate=rate,
        schedule=_schedule(p, code, period, conv),
        gap=gap,
        status=status,
        curve=_curve(p, code, period, plan),
        sums=_sums(p, code, period),
        coverage=M.coverage_note(p, [code], period.year),
        total_investment=_number(row[S.TOTAL_INVESTMENT]),
        prior_cumulative=prior,
        prior_source=prior_source,
        progress=_progress(p, code, period),
        problems=_problems(p, row, period),
        nodes=N.project_nodes(p, code, period),
        funding=_funding(p, code, period),
        alerts=_alerts(p, row, period, conv),
    )


# --- Search -----------------------------------------------------------------------------


def search(p: Portfolio, query: str, limit: int = SEARCH_LIMIT) -> pd.DataFrame:
    """Projects with every word of `query` in their name, code, county or owner (any case):
    code, name, county, owner; an exact code first, then by name. Empty for an empty query."""
    q = (query or "").strip()
    columns = [S.CODE, S.NAME, S.COUNTY, S.OWNER]
    if not q:
        return p.projects.iloc[:0][columns]
    df = p.projects
    found = df.loc[matches(df, q), columns]  # the one project search (core.figures.search)
    exact = (found[S.CODE].str.lower() == q.lower()).astype(int)
    found = found.assign(_exact=exact).sort_values(["_exact", S.NAME], ascending=[False, True])
    return found.drop(columns="_exact").head(limit).reset_index(drop=True)


# --- What changed -----------------------------------------------------------------------

HISTORY_COLUMNS = ("批次", "时间", "操作", "操作人", "修改内容")


def _entry_words(rows) -> str:
    """What an entry changed of the project: each edited row with its fields, then the rows
    added and removed, counted by table, then the photos added or hidden
    ("月度进度(2026-03)修改形象进度;新增年度计划2行;新增现场照片3张")."""
    parts = [
        f"{r.table}{'(' + r.subject + ')' if r.subject else ''}修改{'、'.join(r.fields)}"
        for r in rows
        if r.action == CHANGED
    ]
    for action in (ADDED, REMOVED):
        counts: dict[str, int] = {}
        for r in rows:
            if r.action == action and r.table != PHOTOS_TABLE:
                counts[r.table] = counts.get(r.table, 0) + 1
        if counts:
            tables = "、".join(t if n == 1 else f"{t}{n}行" for t, n in counts.items())
            parts.append(f"{action}{tables}")
    # Photos are counted in 张, and a roll-back hides them (they stay in the store).
    for action, word in ((ADDED, "新增"), (REMOVED, "隐藏")):
        n = sum(1 for r in rows if r.action == action and r.table == PHOTOS_TABLE)
        if n:
            parts.append(f"{word}{PHOTOS_TABLE}{n}张")
    return ";".join(parts)


def history_table(changes: list[EntryChange]) -> pd.DataFrame:
    """One row per history entry that changed the project, newest first, in words."""
    rows = []
    for e in changes:
        kind = e.kind + (f"(恢复第{e.restored_from}批)" if e.restored_from else "")
        who = f"{e.user}({e.role})" if e.user and e.role else (e.user or MISSING)
        rows.append(
            (
                f"第{e.entry}批",
                f"{e.created_at:%Y-%m-%d %H:%M}",
                kind,
                who,
                _entry_words(e.rows),
            )
        )
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
