"""The pre-filled return of a county for a month, in the product's template (written by
core.ingest.workbook.data_bytes, which the caller hands in): the county's projects that owe the
month's return and have not sent it (the 未按时报送 rule, as core.figures.collection counts them)
with what carries over — their 项目清单 rows (names, totals, dates) and this year's 年度计划 rows
— and a 月度进度 row of the month for each, its amount and 形象进度 blank. The county fills the blanks and uploads the file on
数据管理 like any template: the rows carried over are the store's own and write nothing (an import
stores only the rows it changes), the new rows are the month's returns. One county's workbook,
or every county's in one zip file.

Last month's 月度进度 rows are not carried: the data set holds each month's own amount, derived
from what the returns said (a ledger's 1-N月 figure is stored as such, core.store.returns), and
sending the derived rows back would rewrite the stored ones.

Where the office imported its own ledger, the caller hands in that layout's writer instead
(core.ingest.ledger_heads.writer: the ledger's title with the new period, its header and
sections, the same tables' rows in its columns), and the filled file goes in with the saved
layout; `Writer` is either.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pandas as pd

from core.base import schema as S
from core.base.periods import Period
from core.figures import alerts as A
from core.figures import measures as M
from core.figures.scope import Scope
from core.store.portfolio import Portfolio

# The template's writer, core.ingest.workbook.data_bytes, or the office's ledger layout's
# (core.ingest.ledger_heads.writer): the caller (a page, the CLI) hands it in, as core.output
# may not import core.ingest (the layers of pyproject.toml).
Writer = Callable[[dict[str, pd.DataFrame]], bytes]


def open_projects(p: Portfolio, scope: Scope, county: str) -> pd.DataFrame:
    """The county's projects in scope that owe the period's return and have not sent it yet,
    in the list's order (at the start of a month: every project that owes it). Computed once
    per scope and county (shared: do not change the frame)."""
    return p.memo(("open_projects", scope, county), lambda: _open_projects(p, scope, county))


def _open_projects(p: Portfolio, scope: Scope, county: str) -> pd.DataFrame:
    mask = M.in_scope(p, scope) & (p.projects[S.COUNTY] == county).to_numpy()
    projects = p.projects.loc[mask]
    if projects.empty:
        return projects
    due = A.due_to_report(p, projects, scope.period)
    return projects.loc[due & ~A.reported_in(p, scope.period)[mask]]


def return_tables(p: Portfolio, scope: Scope, county: str) -> dict[str, pd.DataFrame]:
    """The tables of the county's pre-filled return for scope.period (every template table;
    those not carried over are empty)."""
    period: Period = scope.period
    projects = open_projects(p, scope, county)
    codes = projects[S.CODE]
    tables = {t: pd.DataFrame(columns=list(S.COLUMNS[t])) for t in S.TABLES}
    tables[S.PROJECTS] = projects[list(S.COLUMNS[S.PROJECTS])]
    plans = p.plans.loc[p.plans[S.CODE].isin(codes) & (p.plans[S.YEAR] == period.year)]
    tables[S.PLANS] = plans[list(S.COLUMNS[S.PLANS])]
    new = pd.DataFrame({S.CODE: codes.tolist(), S.MONTH: period.key})
    tables[S.MONTHLY] = new.reindex(columns=list(S.COLUMNS[S.MONTHLY])).fillna("")
    return tables


def file_name(county: str, period: Period) -> str:
    return f"{county}_{period.label}月度进度报送表.xlsx"


def return_bytes(p: Portfolio, scope: Scope, county: str, write: Writer) -> bytes:
    """One county's pre-filled workbook, written by `write` (workbook.data_bytes)."""
    return write(return_tables(p, scope, county))


def counties_open(p: Portfolio, scope: Scope) -> list[str]:
    """The counties in scope with returns of the period still to send, in the data's order."""
    return [c for c in p.counties if (scope.counties == () or c in scope.counties)
            and len(open_projects(p, scope, c))]  # fmt: skip


def zip_bytes(p: Portfolio, scope: Scope, write: Writer) -> bytes:
    """Every county's pre-filled workbook, one file each, in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for county in counties_open(p, scope):
            z.writestr(file_name(county, scope.period), return_bytes(p, scope, county, write))
    return buffer.getvalue()
