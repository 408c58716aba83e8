"""What the tests of the monthly cycle share: a small data set written row by row in the test,
so that every figure a rule states can be worked out by hand beside it."""

from __future__ import annotations

import pandas as pd

from core.base import schema as S
from core.base.geo import parse_boundaries
from core.store.portfolio import Portfolio, from_tables

NO_BOUNDARIES = parse_boundaries({"type": "FeatureCollection", "features": []}, allow_empty=True)


def project(code: str, county: str = "甲区", stage: str = "在建", **columns) -> dict:
    """A provincial project under construction unless the columns (by their headers) say
    otherwise."""
    row = {S.CODE: code, S.NAME: f"{code}项目", S.COUNTY: county, S.SECTOR: "产业项目",
           S.LEVEL: "省重点", S.STAGE: stage, S.TOTAL_INVESTMENT: "100000",
           S.ACTUAL_START: "2024-01", S.PLANNED_START: "2024-01"}  # fmt: skip
    return row | columns


def portfolio_of(
    projects: list[dict],
    plans: list[tuple] = (),
    monthly: list[tuple] = (),
    problems: list[dict] = (),
    milestones: list[tuple] = (),
    exemptions: list[tuple] = (),
) -> Portfolio:
    """A Portfolio from rows: plans (code, year, plan), monthly (code, month, amount[, covers
    from]), milestones (code, node, planned, actual), exemptions (kind, name, month, reason)."""
    months = [(*m, "")[:4] for m in monthly]
    tables = {
        S.PROJECTS: pd.DataFrame(projects),
        S.PLANS: pd.DataFrame(plans, columns=[S.CODE, S.YEAR, S.ANNUAL_PLAN]),
        S.MONTHLY: pd.DataFrame(
            months, columns=[S.CODE, S.MONTH, S.MONTH_COMPLETED, S.COVERS_FROM]
        ),
        S.FUNDING: pd.DataFrame(columns=list(S.FUNDING_COLUMNS)),
        S.PROBLEMS: pd.DataFrame(problems, columns=list(S.PROBLEM_COLUMNS)).fillna(""),
        S.INDICATORS: pd.DataFrame(columns=list(S.INDICATOR_COLUMNS)),
        S.MILESTONES: pd.DataFrame(milestones, columns=list(S.MILESTONE_COLUMNS)),
        S.EXEMPTIONS: pd.DataFrame(exemptions, columns=list(S.EXEMPTION_COLUMNS)),
    }
    return from_tables(tables, NO_BOUNDARIES, source="测试", version=str(id(tables)))


def problem(pid: str, code: str, raised: str, **columns) -> dict:
    row = {S.PROBLEM_ID: pid, S.CODE: code, S.PROBLEM_TYPE: "用地", S.PROBLEM_TEXT: "用地未落实",
           S.RAISED: raised, S.RESPONSIBLE_UNIT: "市自然资源和规划局"}  # fmt: skip
    return row | columns
