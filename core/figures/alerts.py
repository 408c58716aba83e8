"""预警: what is going wrong, by stated rules with the office's thresholds ([alerts] of the
settings file), each alert yellow or red with its reason in words.

Every alert is computed from the data as of the chosen period; nothing is stored. A rule with
two thresholds is yellow from the first and red from the second, both counted inclusively
("及以上"): a gap shown as −10.0 with a threshold of 10 points is an alert.

The rules, one function each:
- 严重滞后: behind 序时进度 by the 严重滞后 threshold or more (red from the second).
- 连续滞后: behind at the end of several consecutive months, across a new year too (each month
  against its own year's plan): each month by the 严重滞后 threshold or by a share of that
  month's 序时进度 ([alerts] consecutive_schedule_share), whichever is less — in January 序时进度
  is 8.3% and 10 points could never be reached; a month without a plan, or whose figure is
  known only as part of a later sum, ends the run.
- 应开未开 / 应竣未竣: the planned start (completion) month has ended without a start
  (completion), for the projects on a construction list (前期 and 在建).
- 未按时报送: a project due to report for the period (an annual plan, started, not completed
  before it) has no return for it; a month covered by a later return of several months counts
  as reported.
- 问题超期: an open problem past its 办结时限, or without one open for months.
- 节点逾期: a milestone (节点计划) whose planned month has ended unreached.

A month's start, completion or node is due at the end of its month: planned for February, it
is late at the end of February without the start (completion, node) and a month late at the
end of March. The same event under two rules is one alert: a late start with an overdue node
named 开工, a late completion with one named 竣工 (竣工投产), under 应开未开 (应竣未竣) with
both reasons, red when either is.

The rules are one registry, `REGISTRY`: each `AlertRule` names its settings keys, states
itself in a sentence, finds its alerts and says which colours it gives. The page, the 简报's
预警 paragraph, the settings check and the README's table read it; a new rule is one entry
here, its keys in data/settings.toml and its row in README's table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.base import schema as S
from core.base import settings
from core.base.formatting import fixed, pct, points
from core.base.periods import Convention, Period
from core.figures import measures as M
from core.figures import supervision as V
from core.figures.scope import Scope
from core.store.portfolio import Portfolio

RED, YELLOW = "红色", "黄色"
LEVELS = (RED, YELLOW)
# Columns of the alert list.
LEVEL = "预警级别"
RULE = "预警规则"
REASON = "预警原因"
SUBJECT = "对象"  # the problem or the node an alert is about; empty for a project's own
COUNT = "预警数"

SERIOUS = "严重滞后"
CONSECUTIVE = "连续滞后"
LATE_START = "应开未开"
LATE_END = "应竣未竣"
UNREPORTED = "未按时报送"
PROBLEM_OVERDUE = "问题超期"
NODE_LATE = "节点逾期"
# The rules' names in order: `rule_names()` (REGISTRY, at the end of the module).
# The stages whose projects are due to start and finish: those on a construction list.
ON_SITE = (S.STAGE_PREPARATION, S.STAGE_CONSTRUCTION)
COLUMNS = (LEVEL, RULE, S.COUNTY, S.NAME, REASON, SUBJECT, S.SECTOR, S.CODE)


def setting(key: str) -> float:
    """A rule's threshold from the settings file: "alerts.late_start_red_months" is the key
    late_start_red_months of [alerts]. A rule reads its keys through this, so that a new rule
    needs no code in core.base.settings."""
    section, name = key.split(".")
    return settings.current().section(section)[name]


def _int(key: str) -> int:
    return int(setting(key))


def rule_sentences() -> dict[str, str]:
    """Each rule with its thresholds, in one sentence, as the page and the briefing state it."""
    return {rule.name: rule.sentence() for rule in REGISTRY}


def _serious_sentence() -> str:
    own = settings.current()
    n, red = _points(-own.serious_gap), _points(-own.serious_gap_red)
    return f"完成率落后序时进度{n}个百分点及以上为黄色预警,{red}个百分点及以上为红色预警。"


def _behind_words() -> str:
    """落后序时进度10个百分点或序时进度的50%及以上: a month that counts toward 连续滞后."""
    n, share = _points(-settings.current().serious_gap), _share()
    if share <= 0:
        return f"落后序时进度{n}个百分点及以上"
    return f"落后序时进度{n}个百分点或序时进度的{share * 100:g}%及以上"


def _share() -> float:
    return float(settings.current().section("alerts").get("consecutive_schedule_share", 0))


def _consecutive_sentence() -> str:
    m1, m2 = settings.current().consecutive_months
    either = "(两者取较小者)" if _share() > 0 else ""
    return f"连续{m1}个月每月{_behind_words()}{either}为黄色预警,连续{m2}个月为红色预警。"


def _late_sentence(verb: str, key: str) -> Callable[[], str]:
    return lambda: (
        f"计划{verb}月份已过仍未{verb}为黄色预警,"
        f"逾期{_int(key)}个月及以上为红色预警(前期、在建项目)。"
    )


def _unreported_sentence() -> str:
    return (
        "有年度计划、已开工且未竣工的项目本期没有报送月度进度为黄色预警,"
        f"连续{_int('alerts.unreported_red_months')}个月未报送为红色预警。"
    )


def _problem_sentence() -> str:
    own = settings.current()
    k1, k2 = own.problem_open_months
    return (
        "未办结的问题超过办结时限为黄色预警,"
        f"超过{own.problem_overdue_red_days}天为红色预警;没有办结时限的问题提出满{k1}个月"
        f"未解决为黄色预警,满{k2}个月为红色预警。"
    )


def _node_sentence() -> str:
    return (
        "节点计划完成月份已过仍未完成为黄色预警,"
        f"逾期{_int('alerts.node_late_red_months')}个月及以上为红色预警"
        "(与应开未开、应竣未竣同一事件的开工、竣工节点并入该条预警)。"
    )


def _points(fraction: float) -> str:
    return f"{fraction * 100:g}"


@dataclass(frozen=True)
class _Found:
    """Alerts of one rule: the project rows they are about, their levels and reasons."""

    codes: list[str]
    levels: list[str]
    reasons: list[str]
    subjects: list[str] | None = None


def _months(key: str) -> int:
    return int(key[:4]) * 12 + int(key[5:7])


def _labels(keys: list[str]) -> dict[str, str]:
    """Each distinct month key of a list as a label (2026-01 → 2026年1月), parsed once."""
    return {key: Period.parse(key).label for key in set(keys)}


def _late_words(months: int) -> str:
    return f"(逾期{months}个月)" if months > 0 else ""


def _serious(p: Portfolio, scope: Scope, conv: Convention, day: dt.date) -> _Found:
    own = settings.current()
    df = M.annual_projects(M.projects_in_scope(p, scope, conv))
    yellow, red = points(own.serious_gap), points(own.serious_gap_red)
    # Rounding moves a gap by half a published decimal at most: a gap a point above the
    # threshold cannot be shown at it, so only the nearer ones are rounded, one by one.
    near = df.loc[df[M.GAP].to_numpy(dtype=float) * 100 <= yellow + 1]
    shown = near[M.GAP].map(points)
    hit = near.loc[shown <= yellow]
    levels = np.where(shown[hit.index] <= red, RED, YELLOW).tolist()
    reasons = [
        f"完成率{pct(rate)},落后序时进度{fixed(-gap)}个百分点"
        for rate, gap in zip(hit[M.RATE], shown[hit.index], strict=True)
    ]
    return _Found(hit[S.CODE].tolist(), levels, reasons)


def behind_streaks(p: Portfolio, scope: Scope, conv: Convention) -> pd.Series:
    """By project code (projects in scope): how many consecutive months up to the period
    ended 严重滞后, each month against its own year's plan (see the module docstring)."""
    key = ("behind_streaks", scope, conv, _thresholds())
    return p.memo(key, lambda: _behind_streaks(p, scope, conv))


def _behind_streaks(p: Portfolio, scope: Scope, conv: Convention) -> pd.Series:
    mask = scope.mask(p.projects).to_numpy()
    codes = p.projects[S.CODE].to_numpy()[mask]
    first = p.periods()[-1]
    limit = -points(settings.current().serious_gap)  # 10.0 points
    share = _share()
    longest = max(settings.current().consecutive_months)
    streak = np.zeros(mask.sum(), dtype=int)
    going = np.ones(mask.sum(), dtype=bool)
    month = scope.period
    # Counted back from the period until every run has ended (or the red threshold is passed
    # by a year: a longer run reads the same), and never before the first return.
    for _ in range(longest + 12):
        if month < first or not going.any():
            break
        plan = M.aligned_plan(p, month.year)[mask]
        done = M.aligned_ytd(p, month)[mask]
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(plan > 0, done / plan, np.nan)
        schedule = M.project_schedules(p, conv, month)[mask]  # each project's own (plans)
        gap = M.schedule_gap(rate, schedule)
        scale = 10 ** settings.current().percent_decimals  # as points(), on arrays
        shown = np.floor(np.round(gap * 100 * scale, 6) + 0.5) / scale
        # Behind by the threshold, or by the share of 序时进度 when that is less (January).
        need = limit if share <= 0 else np.minimum(limit, share * M.shown_rate(schedule) * 100)
        unknown = _covered(p, month)[mask]
        behind = (plan > 0) & (shown <= -need + 1e-9) & ~unknown
        going &= behind
        streak += going
        month = month.shift(-1)
    return pd.Series(streak, index=codes)


def _covered(p: Portfolio, month: Period) -> np.ndarray:
    """Which projects (in the order of p.projects) have the month inside a later return of
    several months: their year-to-date figure at the month is known only inside that sum."""
    out = np.zeros(len(p.projects), dtype=bool)
    g = p.gaps  # an amount for start..end covers the months from start up to end
    if g.empty:
        return out
    positions = M.project_positions(p, "gaps")[
        ((g["start"] <= month.key) & (g["end"] > month.key)).to_numpy(dtype=bool, na_value=False)
    ]
    out[positions[positions >= 0]] = True
    return out


def _consecutive(p: Portfolio, scope: Scope, conv: Convention, day: dt.date) -> _Found:
    own = settings.current()
    yellow, red = own.consecutive_months
    streaks = behind_streaks(p, scope, conv)
    hit = streaks[streaks >= yellow]
    words = _behind_words()
    return _Found(
        hit.index.tolist(),
        [RED if k >= red else YELLOW for k in hit],
        [f"连续{k}个月{words}" for k in hit],
    )


def _due(p: Portfolio, scope: Scope, planned: str, done: pd.Series, red_months: int,
         verb: str) -> _Found:  # fmt: skip
    """Projects on site whose `planned` month has ended by the period without `done`."""
    projects = p.projects.loc[scope.mask(p.projects)]
    on_site = projects[S.STAGE].isin(ON_SITE)
    when = projects[planned]
    hit = projects.loc[on_site & (when != "") & (when <= scope.period.key) & ~done[projects.index]]
    months = hit[planned].tolist()
    late = [_months(scope.period.key) - _months(m) for m in months]
    label = _labels(months)
    reasons = [
        f"计划{label[m]}{verb},{scope.period.as_of}尚未{verb}{_late_words(k)}"
        for m, k in zip(months, late, strict=True)
    ]
    return _Found(hit[S.CODE].tolist(), [RED if k >= red_months else YELLOW for k in late], reasons)


def _late_start(p: Portfolio, scope: Scope, conv: Convention, day: dt.date) -> _Found:
    actual = p.projects[S.ACTUAL_START]
    started = (actual != "") & (actual <= scope.period.key)
    return _due(
        p, scope, S.PLANNED_START, started, settings.current().late_start_red_months, "开工"
    )


def completed_by(projects: pd.DataFrame, period: Period) -> pd.Series:
    """Whether each project had been completed by the period: its 实际竣工年月, or its stage
    竣工 when the month was not recorded."""
    actual = projects[S.ACTUAL_END]
    return ((actual != "") & (actual <= period.key)) | (
        (actual == "") & (projects[S.STAGE] == S.STAGE_COMPLETED)
    )


def _late_end(p: Portfolio, scope: Scope, conv: Convention, day: dt.date) -> _Found:
    done = completed_by(p.projects, scope.period)
    return _due(p, scope, S.PLANNED_END, done, settings.current().late_end_red_months, "竣工")


def reported_in(p: Portfolio, month: Period) -> np.ndarray:
    """Which projects (in the order of p.projects) have a return covering the month: its own,
    or an amount of several months that includes it. Once per month, for every scope."""

    def compute() -> np.ndarray:
        out = np.zeros(len(p.projects), dtype=bool)
        positions = M.project_positions(p, "monthly")
        own = positions[(p.monthly[S.MONTH] == month.key).to_numpy()]
        out[own[own >= 0]] = True
        return out | _covered(p, month)

    return p.memo(("reported_in", month), compute)


def due_to_report(p: Portfolio, projects: pd.DataFrame, month: Period) -> np.ndarray:
    """Which of `projects` (rows of p.projects) owe a return for the month: an annual plan,
    started by it, not completed before it."""
    plan = M.aligned_plan(p, month.year)
    rows = p.projects.index.get_indexer(projects.index)
    started = (projects[S.ACTUAL_START] != "") & (projects[S.ACTUAL_START] <= month.key)
    ended = completed_by(projects, month.shift(-1))
    return (plan[rows] > 0) & started.to_numpy() & ~ended.to_numpy()


def _unreported(p: Portfolio, scope: Scope, conv: Convention, day: dt.date) -> _Found:
    red = settings.current().unreported_red_months
    mask = M.in_scope(p, scope)
    projects = p.projects.loc[mask]
    first = p.periods()[-1]
    missing = np.zeros(len(projects), dtype=int)
    going = np.ones(len(projects), dtype=bool)
    month = scope.period
    for _ in range(red):  # back from the period while the returns stay missing
        if month < first:
            break
        going &= due_to_report(p, projects, month) & ~reported_in(p, month)[mask]
        missing += going
        month = month.shift(-1)
    hit = np.flatnonzero(missing > 0)
    codes = projects[S.CODE].iloc[hit].tolist()
    reasons = []
    for i in hit:
        k = int(missing[i])
        since = scope.period.shift(1 - k)
        reasons.append(
            f"{scope.period.label}未报送月度进度"
            if k == 1
            else f"自{since.label}起连续{k}个月未报送月度进度"
        )
    return _Found(codes, [RED if missing[i] >= red else YELLOW for i in hit], reasons)


def _problem_overdue(p: Portfolio, scope: Scope, conv: Convention, day: dt.date) -> _Found:
    own = settings.current()
    k1, k2 = own.problem_open_months
    frame = V.problems_as_of(p, scope, day)
    open_ = frame.loc[frame[V.OPEN]]
    over = open_[V.OVERDUE_DAYS]
    no_deadline = open_[S.DEADLINE] == ""
    hit = open_.loc[(over > 0) | (no_deadline & (open_[V.WAITED] >= k1))]
    levels, reasons = [], []
    columns = (S.PROBLEM_TYPE, S.PROBLEM_TEXT, S.PROBLEM_ID, S.RESPONSIBLE_UNIT, S.DEADLINE,
               V.OVERDUE_DAYS, V.WAITED)  # fmt: skip
    for kind, text, pid, owner, deadline, days, waited in zip(
        *(hit[c].tolist() for c in columns), strict=True
    ):
        what = f"{kind}问题“{text or pid}”"
        if days > 0:
            levels.append(RED if days >= own.problem_overdue_red_days else YELLOW)
            unit = f",责任单位{owner}" if owner else ""
            reasons.append(f"{what}超过办结时限({deadline}){days}天未办结{unit}")
        else:
            levels.append(RED if waited >= k2 else YELLOW)
            reasons.append(f"{what}已提出{waited}个月未解决,未定办结时限")
    return _Found(hit[S.CODE].tolist(), levels, reasons, hit[S.PROBLEM_ID].tolist())


def _node_late(p: Portfolio, scope: Scope, conv: Convention, day: dt.date) -> _Found:
    red = settings.current().node_late_red_months
    nodes = p.milestones
    actual = nodes[S.NODE_ACTUAL]
    hit = nodes.loc[
        M.rows_in_scope(p, "milestones", scope)
        & (nodes[S.NODE_PLANNED] <= scope.period.key)
        & ((actual == "") | (actual > scope.period.key))
    ]
    months = hit[S.NODE_PLANNED].tolist()
    late = [_months(scope.period.key) - _months(m) for m in months]
    label = _labels(months)
    reasons = [
        f"“{node}”节点计划{label[m]}完成,{scope.period.as_of}未完成{_late_words(k)}"
        for node, m, k in zip(hit[S.NODE].tolist(), months, late, strict=True)
    ]
    return _Found(
        hit[S.CODE].tolist(),
        [RED if k >= red else YELLOW for k in late],
        reasons,
        hit[S.NODE].tolist(),
    )


@dataclass(frozen=True)
class AlertRule:
    """One 预警 rule: everything the page, the 简报, the settings check and the README's table
    need to know of it."""

    name: str  # 严重滞后: the rule's name on the page and in the list
    keys: tuple[str, ...]  # its settings, "section.key" (data/settings.toml says why each)
    sentence: Callable[[], str]  # the rule with its thresholds, in one sentence
    find: Callable[[Portfolio, Scope, Convention, dt.date], _Found]
    levels: tuple[str, ...] = (YELLOW, RED)  # the colours it gives
    # (another rule, a word): that rule's alerts of the same project whose 对象 names the word
    # are the same event, folded into this rule's alert (a 开工 node into 应开未开).
    same_event: tuple[str, str] | None = None


REGISTRY: list[AlertRule] = [
    AlertRule(SERIOUS, ("status.serious_gap_points", "alerts.serious_gap_red_points"),
              _serious_sentence, _serious),
    AlertRule(CONSECUTIVE, ("status.serious_gap_points", "alerts.consecutive_yellow_months",
                            "alerts.consecutive_red_months", "alerts.consecutive_schedule_share"),
              _consecutive_sentence, _consecutive),
    AlertRule(LATE_START, ("alerts.late_start_red_months",),
              _late_sentence("开工", "alerts.late_start_red_months"), _late_start,
              same_event=(NODE_LATE, "开工")),
    AlertRule(LATE_END, ("alerts.late_end_red_months",),
              _late_sentence("竣工", "alerts.late_end_red_months"), _late_end,
              same_event=(NODE_LATE, "竣工")),
    AlertRule(UNREPORTED, ("alerts.unreported_red_months",), _unreported_sentence, _unreported),
    AlertRule(PROBLEM_OVERDUE, ("alerts.problem_overdue_red_days",
                                "alerts.problem_open_yellow_months",
                                "alerts.problem_open_red_months"),
              _problem_sentence, _problem_overdue),
    AlertRule(NODE_LATE, ("alerts.node_late_red_months",), _node_sentence, _node_late),
]  # fmt: skip


def rule_names() -> tuple[str, ...]:
    """The rules in the registry's order: the order of every count and list."""
    return tuple(rule.name for rule in REGISTRY)


# The seven rules as the module was loaded; code that must see a rule added later (a test's
# throwaway one) reads rule_names().
RULES = rule_names()


def check_settings(own: settings.Settings | None = None) -> list[str]:
    """The keys the rules name that the settings lack, one Chinese message each (empty when
    none is). The values themselves are checked when the file is read (core.base.settings:
    each key's kind is its default's, a red threshold not below its yellow one)."""
    own = own or settings.current()
    problems = []
    for rule in REGISTRY:
        for key in rule.keys:
            section, name = key.split(".")
            if name not in own.section(section):
                problems.append(f"设置文件缺少[{section}]的{name}({rule.name}预警的阈值)")
    return problems


def alerts(
    p: Portfolio,
    scope: Scope,
    convention: Convention = Convention.MONTHS,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Every alert of the projects in scope as of the period, red first, then by rule, county
    and project: one row each with 预警级别, 预警规则, the project, 预警原因 and its 对象.
    A selection of the city's list (city_alerts) by the projects' positions, a few ms at
    100,000 projects: not kept per scope."""
    day = V.period_day(scope.period, today)
    return _in_scope(p, scope, convention, day).copy()


def _whole(period: Period) -> Scope:
    """The widest scope of a period: every county, sector, level and stage."""
    return Scope(period, level=None, opening_level=None)


def city_alerts(p: Portfolio, period: Period, convention: Convention, day: dt.date) -> pd.DataFrame:
    """Every alert of every project as of the period, once per data version (shared, not
    copied): each scope's list is a selection of these rows. Every rule judges a project by
    its own rows alone, and the order (level, rule, county, name, 对象) does not depend on the
    scope, so the selection equals the list computed for the scope itself (tests/core)."""
    return _city(p, period, convention, day)[0]


def _city(p: Portfolio, period: Period, convention: Convention, day: dt.date):
    """The city's list and, for each of its alerts, the position of its project in p.projects
    (-1 for a code not in the list): a scope's alerts are those whose project it holds."""
    key = ("alerts_city", period, convention, day, rule_names(), _thresholds())
    return p.memo(key, lambda: _held_alerts(p, period, convention, day))


def _thresholds() -> tuple:
    """What the list depends on of the settings file: every rule's thresholds and the published
    decimals of its reasons' figures. Part of the memo's keys: a change of the file applies at
    the next call (core.base.settings re-reads it)."""
    with settings.held() as own:
        values = [own.section(key.split(".")[0]).get(key.split(".")[1])
                  for rule in REGISTRY for key in rule.keys]  # fmt: skip
    hashable = (tuple(v) if isinstance(v, list) else v for v in values)
    return (*hashable, own.percent_decimals, own.amount_decimals)


def _held_alerts(p: Portfolio, period: Period, convention: Convention, day: dt.date):
    with settings.held():  # read once: the rules and reasons consult them per project
        return _listed(p, _whole(period), convention, day)


def _in_scope(p: Portfolio, scope: Scope, conv: Convention, day: dt.date) -> pd.DataFrame:
    city, rows = _city(p, scope.period, conv, day)
    if scope.filters == _whole(scope.period).filters or city.empty:
        return city
    mask = M.in_scope(p, scope)
    held = (rows >= 0) & mask[np.maximum(rows, 0)]
    return city.loc[held].reset_index(drop=True)


def _alerts(p: Portfolio, scope: Scope, conv: Convention, day: dt.date) -> pd.DataFrame:
    """The list of a scope computed for itself (the city's is selected from, tests/core)."""
    return _listed(p, scope, conv, day)[0]


def _listed(p: Portfolio, scope: Scope, conv: Convention, day: dt.date):
    parts = []
    for rule in REGISTRY:
        found = rule.find(p, scope, conv, day)
        parts.append(
            pd.DataFrame(
                {
                    S.CODE: found.codes,
                    LEVEL: found.levels,
                    RULE: rule.name,
                    REASON: found.reasons,
                    SUBJECT: found.subjects or [""] * len(found.codes),
                },
                dtype=object,
            )
        )
    found = _one_alert_per_event(pd.concat(parts, ignore_index=True))
    info = p.projects[[S.CODE, S.NAME, S.COUNTY, S.SECTOR]]
    info = info.assign(_p=np.arange(len(info))).drop_duplicates(S.CODE)
    out = found.merge(info, on=S.CODE, how="left")
    county = {c: i for i, c in enumerate(p.counties)}
    out = out.assign(
        _l=out[LEVEL].map({RED: 0, YELLOW: 1}),
        _r=out[RULE].map({r: i for i, r in enumerate(rule_names())}),
        _c=out[S.COUNTY].map(county).fillna(len(county)),
    )
    out = out.sort_values(["_l", "_r", "_c", S.NAME, SUBJECT], kind="mergesort")
    return out[list(COLUMNS)].reset_index(drop=True), out["_p"].fillna(-1).to_numpy(dtype=int)


def _one_alert_per_event(found: pd.DataFrame) -> pd.DataFrame:
    """Folds the alerts a rule declares the same event (AlertRule.same_event) into its own:
    one row per project, both reasons, red when either is, the other rule's 对象 kept."""
    found = found.reset_index(drop=True)
    kept = np.ones(len(found), dtype=bool)
    for rule in REGISTRY:
        if rule.same_event is None:
            continue
        other, word = rule.same_event
        mine = found.loc[found[RULE] == rule.name]
        theirs = found.loc[
            (found[RULE] == other)
            & found[SUBJECT].astype(str).str.contains(word, regex=False)
            & kept
            & found[S.CODE].isin(mine[S.CODE])
        ]
        if theirs.empty:
            continue
        # The other rule's alerts of each project, in the list's order: their reasons, 对象
        # and whether any is red.
        by_code = theirs.groupby(S.CODE, sort=False)
        reasons, subjects = by_code[REASON].agg(";".join), by_code[SUBJECT].agg("、".join)
        red = (theirs[LEVEL] == RED).groupby(theirs[S.CODE], sort=False).any()
        rows = mine.index[mine[S.CODE].isin(reasons.index)]
        codes = found.loc[rows, S.CODE]
        either = (found.loc[rows, LEVEL] == RED).to_numpy() | codes.map(red).to_numpy(dtype=bool)
        found.loc[rows, LEVEL] = np.where(either, RED, YELLOW)
        found.loc[rows, REASON] = found.loc[rows, REASON] + ";" + codes.map(reasons)
        found.loc[rows, SUBJECT] = codes.map(subjects)
        kept[theirs.index] = False
    return found.loc[kept]


def most_red_by_county(frame: pd.DataFrame, n: int) -> pd.Series:
    """The counties with most red alerts, most first, as county → count: the first n and every
    county tied with the n-th (a list that drops a county with as many as one it names would
    say what the figures do not). For the 简报's 预警 paragraph."""
    counts = frame.loc[frame[LEVEL] == RED, S.COUNTY].value_counts(sort=False)
    if counts.empty or n <= 0:
        return counts.iloc[:0]
    order = sorted(counts.index, key=lambda c: -counts[c])  # stable: the data's order on ties
    counts = counts[order]
    cut = counts.iloc[min(n, len(counts)) - 1]
    return counts[counts >= cut]


def counts_by_rule(frame: pd.DataFrame) -> pd.DataFrame:
    """Every rule, in order, with its red, yellow and total counts (zeros included)."""
    table = pd.crosstab(frame[RULE], frame[LEVEL]).reindex(
        index=list(rule_names()), columns=list(LEVELS)
    )
    table = table.fillna(0).astype(int)
    table["合计"] = table.sum(axis=1)
    return table.rename_axis(index=RULE, columns=None).reset_index()


def counts_by_county(frame: pd.DataFrame, counties: list[str]) -> pd.DataFrame:
    """Alerts by county and level (long form, counties in the data's order), for a chart."""
    g = frame.groupby([S.COUNTY, LEVEL]).size().rename(COUNT).reset_index()
    order = {c: i for i, c in enumerate(counties)}
    g = g.assign(_c=g[S.COUNTY].map(order).fillna(len(order)), _l=g[LEVEL].map({RED: 0, YELLOW: 1}))
    return g.sort_values(["_c", "_l"]).drop(columns=["_c", "_l"]).reset_index(drop=True)


def counts_table(frame: pd.DataFrame, counties: list[str]) -> pd.DataFrame:
    """Rules × counties: how many alerts each county has under each rule (zeros included)."""
    seen = set(frame[S.COUNTY])
    present = [c for c in counties if c in seen]
    table = pd.crosstab(frame[RULE], frame[S.COUNTY]).reindex(
        index=list(rule_names()), columns=present
    )
    table = table.fillna(0).astype(int)
    table["合计"] = table.sum(axis=1)
    return table.rename_axis(index=RULE, columns=None).reset_index()
