"""What an import changes, shown before anything is written: projects new this month, projects
that did not report, totals and plans that changed, and the month's amounts."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.base import schema as S
from core.ingest.findings import Report
from core.store import datasource, returns

FIELD, BEFORE, AFTER = "字段", "原值", "新值"
WATCHED = ((S.PROJECTS, S.TOTAL_INVESTMENT), (S.PROJECTS, S.STAGE), (S.PROJECTS, S.COUNTY),
           (S.PLANS, S.ANNUAL_PLAN))  # fmt: skip


@dataclass
class Changes:
    month: str | None  # the latest month the upload reports, YYYY-MM
    new_projects: pd.DataFrame  # 项目代码, 项目名称, 所在区县
    missing: pd.DataFrame  # projects expected to report for the month that did not (未报送)
    changed: pd.DataFrame  # 项目代码, 项目名称, 字段, 原值, 新值
    amounts: pd.DataFrame  # the month's rows: 项目代码, 项目名称, 起始年月, 本月完成投资(万元)
    resolved: int  # problems the upload marks resolved
    latest_stored: str | None = None  # the latest month already stored, when later than `month`

    def summary(self) -> str:
        parts = [f"新增项目{len(self.new_projects)}个"]
        if self.month:
            parts.append(f"{self.month}报送{len(self.amounts)}个项目")
            parts.append(f"未报送{len(self.missing)}个(保留,标为未报送)")
        parts.append(f"总投资或计划等变化{len(self.changed)}处")
        if self.resolved:
            parts.append(f"问题销号{self.resolved}个")
        text = "本次导入将:" + ",".join(parts) + "。"
        if self.latest_stored:
            text += (
                f"注意:本次数据的报告期{self.month}早于已导入的最新报告期{self.latest_stored},"
                "各页面仍默认显示最新一期;其后各月的当月完成投资将按本期的累计数重新计算,"
                "各月累计数不变。请确认没有选错文件或报告期。"
            )
        return text


def of(
    report: Report, current: dict[str, pd.DataFrame], by_project: pd.DataFrame | None = None
) -> Changes:
    """What the checked upload changes in the current data. With `by_project` (every stored
    project's core.store.datasource.returns_by_project), `current` may hold of 月度进度 only
    the rows of the projects the upload names (core.ingest.importing.check)."""
    up = report.uploads
    cur_projects = current[S.PROJECTS]
    # The names of the projects the upload names: the only ones looked up.
    named = set().union(*(set(f[S.CODE].dropna()) for f in up.values() if S.CODE in f))
    mine = cur_projects.loc[cur_projects[S.CODE].isin(named)]
    names = dict(zip(mine[S.CODE], mine[S.NAME], strict=True))
    projects = up.get(S.PROJECTS)
    new = pd.DataFrame(columns=[S.CODE, S.NAME, S.COUNTY])
    if projects is not None:
        names.update(zip(projects[S.CODE], projects[S.NAME].fillna(""), strict=True))
        fresh = projects.loc[~projects[S.CODE].isin(cur_projects[S.CODE])]
        new = fresh[[S.CODE, S.NAME, S.COUNTY]].fillna("").reset_index(drop=True)
    changed = []
    for table, column in WATCHED:
        if table not in up or column not in up[table] or up[table][column].isna().all():
            continue
        key = [S.CODE] if table == S.PROJECTS else [S.CODE, S.YEAR]
        after = up[table].set_index(key)[column]
        stored = current[table].set_index(key)[column]
        before = stored.loc[stored.index.isin(after.index)]  # the rows of the keys uploaded
        before = before.loc[~before.index.duplicated(keep="last")]
        both = after.index.intersection(before.index)
        for k in both:
            old, value = str(before.loc[k]), after.loc[k]
            if value is not None and str(value) != old and _differs(old, str(value)):
                code = k if isinstance(k, str) else k[0]
                label = column if table == S.PROJECTS else f"{k[1]}年{column}"
                changed.append((code, names.get(code, ""), label, old, str(value)))
    monthly = up.get(S.MONTHLY)
    month, amounts, missing = None, pd.DataFrame(), pd.DataFrame(columns=[S.CODE, S.NAME, S.COUNTY])
    latest_stored = None
    if monthly is not None and len(monthly):
        month = str(monthly[S.MONTH].max())
        rows = _own_amounts(monthly, current[S.MONTHLY]).loc[lambda d: d[S.MONTH] == month]
        amounts = pd.DataFrame({
            S.CODE: rows[S.CODE], S.NAME: rows[S.CODE].map(names).fillna(""),
            S.COVERS_FROM: rows[S.COVERS_FROM].fillna(""),
            S.MONTH_COMPLETED: rows[S.MONTH_COMPLETED].map(_amount_text),
        }).reset_index(drop=True)  # fmt: skip
        stored = current[S.MONTHLY]
        if by_project is None:
            first = stored.groupby(S.CODE)[S.MONTH].min() if len(stored) else pd.Series(dtype=str)
            last = str(stored[S.MONTH].max()) if len(stored) else None
        else:
            first = by_project[datasource.FIRST]
            last = str(by_project[datasource.LAST].max()) if len(by_project) else None
        missing = _missing(cur_projects, projects, set(rows[S.CODE]), month, first)
        if last is not None and last > month:
            latest_stored = last
    problems = up.get(S.PROBLEMS)
    resolved = 0 if problems is None else int((problems[S.RESOLVED].fillna("") != "").sum())
    return Changes(month, new, missing,
                   pd.DataFrame(changed, columns=[S.CODE, S.NAME, FIELD, BEFORE, AFTER]),
                   amounts, resolved, latest_stored)  # fmt: skip


def _own_amounts(uploaded: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """The upload's 月度进度 rows with each month's own amount, read together with the months on
    record of the same projects (core.store.returns): a year-to-date figure less the months
    before it."""
    columns = [S.CODE, S.MONTH, S.MONTH_COMPLETED, S.COVERS_FROM]
    up = uploaded[columns].fillna("").astype(str)
    if len(stored):
        keys = up.set_index([S.CODE, S.MONTH]).index
        same = stored.loc[stored[S.CODE].isin(set(up[S.CODE]))]
        same = same.loc[~same.set_index([S.CODE, S.MONTH]).index.isin(keys), columns]
    else:
        same = pd.DataFrame(columns=columns)
    both = pd.concat([same.fillna("").astype(str), up], ignore_index=True)
    return returns.month_amounts(both).iloc[len(same) :]


def _amount_text(value: float) -> str:
    value = round(float(value), 4)
    return str(int(value)) if value == int(value) else str(value)


def _differs(old: str, new: str) -> bool:
    try:
        return abs(float(old) - float(new)) > 1e-9
    except ValueError:
        return old != new


def _missing(current: pd.DataFrame, uploaded: pd.DataFrame | None, reported: set[str],
             month: str, first_return: pd.Series) -> pd.DataFrame:  # fmt: skip
    """Projects of the counties this upload covers that did not report for the month: neither
    withdrawn nor completed before it, nor first reported after it (an older return)."""
    later = set(first_return.index[first_return > month])
    expected = current.loc[
        ((current[S.WITHDRAWN] == "") | (current[S.WITHDRAWN] > month))
        & ~current[S.CODE].isin(later)
    ]
    done = (
        (expected[S.STAGE] == S.STAGE_COMPLETED)
        & (expected[S.ACTUAL_END] != "")
        & (expected[S.ACTUAL_END] < month)
    )
    expected = expected.loc[~done]
    if uploaded is not None and len(uploaded):
        expected = expected.loc[expected[S.COUNTY].isin(set(uploaded[S.COUNTY].dropna()))]
    out = expected.loc[~expected[S.CODE].isin(reported), [S.CODE, S.NAME, S.COUNTY]]
    return out.reset_index(drop=True)
