"""节点计划 (挂图作战): each project's milestones against its plan, as of a period — what the
Gantt charts of one project and of a county's projects draw.

A node's state as of the period: 按期完成 (reached by its planned month), 逾期完成 (reached
later, by the period), 逾期未完成 (its planned month has ended, not reached: the warning of
core.figures.alerts' 节点逾期), 未到期 (not due yet, not reached).
"""

from __future__ import annotations

import pandas as pd

from core.base import schema as S
from core.base.periods import Period
from core.figures import measures as M
from core.figures.scope import Scope
from core.store.portfolio import Portfolio

ON_TIME = "按期完成"
LATE_DONE = "逾期完成"
OVERDUE = "逾期未完成"
NOT_DUE = "未到期"
STATES = (ON_TIME, LATE_DONE, OVERDUE, NOT_DUE)
# Colours: the status colours of the project list (core.figures.status), grey for not due.
COLORS = {ON_TIME: "#1b7f5a", LATE_DONE: "#e08a00", OVERDUE: "#c62828", NOT_DUE: "#9aa7b8"}

STATE = "节点状态"
START = "阶段开始"  # the month the phase leading to the node starts: the previous node's
ORDER = "顺序"
MAX_PROJECTS = 30  # a county's chart: the projects with most overdue nodes first, this many


def node_states(nodes: pd.DataFrame, period: Period) -> pd.Series:
    """Each node's state as of the period (see the module docstring)."""
    planned, actual = nodes[S.NODE_PLANNED], nodes[S.NODE_ACTUAL]
    reached = (actual != "") & (actual <= period.key)
    out = pd.Series(NOT_DUE, index=nodes.index, dtype=object)
    out[reached & (actual <= planned)] = ON_TIME
    out[reached & (actual > planned)] = LATE_DONE
    out[~reached & (planned <= period.key)] = OVERDUE
    return out


def project_nodes(p: Portfolio, code: str, period: Period) -> pd.DataFrame:
    """One project's nodes in planned order, each with the month its phase starts (the previous
    node's planned month; the first node's own) and its state as of the period. Computed once
    per project and period (shared: do not change the frame)."""
    return p.memo(("project_nodes", code, period), lambda: _project_nodes(p, code, period))


def _project_nodes(p: Portfolio, code: str, period: Period) -> pd.DataFrame:
    nodes = p.milestones.loc[p.milestones[S.CODE] == code].copy()
    nodes = nodes.sort_values([S.NODE_PLANNED], kind="mergesort").reset_index(drop=True)
    nodes[START] = nodes[S.NODE_PLANNED].shift(1).fillna(nodes[S.NODE_PLANNED])
    nodes[STATE] = node_states(nodes, period)
    nodes[ORDER] = range(1, len(nodes) + 1)
    return nodes


def projects_with_nodes(p: Portfolio, scope: Scope) -> pd.DataFrame:
    """The projects in scope that have a milestone plan: code, name, county, how many nodes
    and how many overdue as of the period; most overdue first. Computed once per scope."""
    return p.memo(("projects_with_nodes", scope), lambda: _projects_with_nodes(p, scope))


def _projects_with_nodes(p: Portfolio, scope: Scope) -> pd.DataFrame:
    projects = p.projects.loc[M.in_scope(p, scope), [S.CODE, S.NAME, S.COUNTY]]
    nodes = p.milestones.loc[
        M.rows_in_scope(p, "milestones", scope), [S.CODE, S.NODE_PLANNED, S.NODE_ACTUAL]
    ]
    late = (node_states(nodes, scope.period) == OVERDUE).astype(int)
    counts = (
        nodes.assign(_late=late)
        .groupby(S.CODE)
        .agg(
            节点数=(S.NODE_PLANNED, "size"),
            逾期节点=("_late", "sum"),
            开始=(S.NODE_PLANNED, "min"),
        )
    )
    out = projects.merge(counts, left_on=S.CODE, right_index=True)
    return out.sort_values(["逾期节点", "开始", S.NAME], ascending=[False, True, True],
                           kind="mergesort").reset_index(drop=True)  # fmt: skip


def county_nodes(p: Portfolio, scope: Scope, limit: int = MAX_PROJECTS) -> pd.DataFrame:
    """The nodes of the scope's projects with a plan (at most `limit` projects, most overdue
    first), each with its project's name and state as of the period. Computed once per scope
    (shared: do not change the frame)."""
    return p.memo(("county_nodes", scope, limit), lambda: _county_nodes(p, scope, limit))


def _county_nodes(p: Portfolio, scope: Scope, limit: int) -> pd.DataFrame:
    chosen = projects_with_nodes(p, scope).head(limit)
    nodes = p.milestones.loc[p.milestones[S.CODE].isin(set(chosen[S.CODE]))]
    nodes = nodes.merge(chosen[[S.CODE, S.NAME, S.COUNTY]], on=S.CODE)
    nodes[STATE] = node_states(nodes, scope.period)
    order = {c: i for i, c in enumerate(chosen[S.CODE])}
    return (
        nodes.assign(_o=nodes[S.CODE].map(order))
        .sort_values(["_o", S.NODE_PLANNED], kind="mergesort")
        .drop(columns="_o")
        .reset_index(drop=True)
    )
