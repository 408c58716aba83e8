"""The progress table as the 项目进度 page shows it: search, status filter, sort order, columns."""

from __future__ import annotations

import pandas as pd

from core.base import schema as S
from core.base.formatting import WAN_PER_YI, pct, signed_points, yi_two_decimals
from core.figures import measures as M
from core.figures import search

CODE, NAME = S.CODE, S.NAME
LABEL_KEY = "_label"

# Sort orders offered on the page: name → (columns, ascending).
SORTS = {
    "落后最多在前": ([M.GAP], [True]),
    "超前最多在前": ([M.GAP], [False]),
    "总投资从大到小": ([S.TOTAL_INVESTMENT], [False]),
    "完成投资从大到小": ([M.DONE], [False]),
    "按区县": ([S.COUNTY, M.GAP], [True, True]),
}
# A meeting reads a few hundred rows at most; beyond that the page shows the first ones in the
# chosen order (the downloads hold every row) so that a province's list stays quick to send.
MAX_ROWS = 500


def count_caption(matched: int, total: int, shown: int) -> str:
    text = f"共{matched}个项目" + (f"(从{total}个中筛出)" if matched < total else "")
    if shown < matched:
        text += (
            f";表中按所选排序显示前{shown}个,可用搜索或状态缩小范围,下载的表格包含全部{matched}个"
        )
    return text


def filter_and_sort(
    table: pd.DataFrame, query: str, statuses: list[str], order: str
) -> pd.DataFrame:
    """The rows the project search finds (core.figures.search), in the chosen statuses."""
    df = search.projects(table, query)
    if statuses:
        df = df.loc[df[M.STATUS].isin(statuses)]
    columns, ascending = SORTS.get(order, SORTS["落后最多在前"])
    df = df.sort_values(columns, ascending=ascending, na_position="last", kind="mergesort")
    df = df.copy()
    df[LABEL_KEY] = df[S.NAME] + "(" + df[S.CODE] + ")"
    return df


# What a leader asks first, in that order; at 1366×768 these fit beside the sidebar. The
# others are offered by the page's column chooser (and are in the project detail).
MAIN_COLUMNS = ("项目名称", "区县", "状态", "完成率", "偏差(个百分点)", "年度计划(亿元)",
                "累计完成(亿元)")  # fmt: skip
MORE_COLUMNS = ("形象进度", "存在问题", "总投资(亿元)", "行业领域", "阶段", "项目代码")


def screen_table(df: pd.DataFrame) -> pd.DataFrame:
    """Only the columns the page shows, amounts in 亿元, rates in % (ProgressColumn reads 0–100),
    the status as a one-label list (the table draws it as a label in the status colour)."""
    return pd.DataFrame(
        {
            "项目名称": df[S.NAME],
            "区县": df[S.COUNTY],
            "状态": df[M.STATUS].map(lambda s: [s]),
            "完成率": (df[M.RATE] * 100).round(1),
            "偏差(个百分点)": (df[M.GAP] * 100).round(1),
            "年度计划(亿元)": (df[M.PLAN] / WAN_PER_YI).round(2),
            "累计完成(亿元)": (df[M.DONE] / WAN_PER_YI).round(2),
            "形象进度": df[S.PROGRESS_TEXT],
            "存在问题": df[M.OPEN_PROBLEMS],
            "行业领域": df[S.SECTOR],
            "阶段": df[S.STAGE],
            "总投资(亿元)": (df[S.TOTAL_INVESTMENT] / WAN_PER_YI).round(2),
            "项目代码": df[S.CODE],
        }
    )


def detail_rows(row: pd.Series) -> list[tuple[str, str]]:
    """One project's facts for the detail panel."""
    rows = [
        ("项目代码", row[S.CODE]),
        ("建设单位", row[S.OWNER] or "—"),
        ("责任领导", row[S.LEADER] or "—"),
        ("所在区县", row[S.COUNTY]),
        ("建设起止", f"{row[S.PLANNED_START]} 至 {row[S.PLANNED_END]}"),
        # One unit for the project's view, as its curve: 亿元 with two decimals.
        ("总投资", yi_two_decimals(row[S.TOTAL_INVESTMENT])),
        ("年度计划投资", yi_two_decimals(row[M.PLAN])),
        ("累计完成投资", yi_two_decimals(row[M.DONE])),
        ("完成率", f"{pct(row[M.RATE])}({signed_points(row[M.GAP])})"),
        ("状态", row[M.STATUS]),
        ("形象进度", row[S.PROGRESS_TEXT] or "—"),
        ("存在问题", row[M.OPEN_PROBLEMS] or "无"),
    ]
    if row[S.RESPONSIBLE_UNIT]:
        rows.append(("问题责任单位", row[S.RESPONSIBLE_UNIT]))
    return rows
