"""挂图作战: the milestone plans (节点计划) of a county's projects and of one project, planned
against reached, overdue nodes in the warning colour, the period's line.

In 汇报模式 two screens: 区县项目节点 and 单个项目."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from app_pages import common, presentation
from core.base import schema as S
from core.base.periods import Period
from core.figures import milestones as N
from core.figures import search
from core.output import charts

p = common.portfolio()
scope = common.header("挂图作战")
shows = presentation.shows("milestones")
PICK_CHOICES = 200  # projects the 选择项目 list offers at once (a search finds the others)

common.stop_when_scope_is_empty(p, scope)
if p.milestones.empty:
    common.missing_table(S.MILESTONES)
    st.stop()
listing = N.projects_with_nodes(p, scope)
if listing.empty:
    st.info("当前范围内的项目没有节点计划。", icon=":material/info:")
    st.stop()
if not common.presenting():  # the legend says it on a projector
    st.caption(
        "节点状态截至报告期:按期完成、逾期完成、逾期未完成(计划月份已过仍未完成,计入“节点逾期”预警)、"
        "未到期;菱形为实际完成的月份,虚线为报告期末。"
    )


def _summary() -> tuple[list[str], list[str], str]:
    """The cards' values, the counties with nodes, the one with most overdue nodes first."""
    cards = [f"{len(listing)}个", f"{int(listing['节点数'].sum())}个",
             f"{int(listing['逾期节点'].sum())}个", f"{int((listing['逾期节点'] > 0).sum())}个"]  # fmt: skip
    counties = charts.present_in_order(p.counties, listing[S.COUNTY])
    late = listing.groupby(S.COUNTY)["逾期节点"].sum()
    first = max(counties, key=lambda c: (late.get(c, 0), -counties.index(c)))
    return cards, counties, first


if shows(0):
    # Made once per scope for every session (as the nodes and charts are), not at every rerun.
    cards, counties, first = p.memo(("milestones_summary", scope), _summary)
    cols = st.columns(4)
    for col, label, value in zip(
        cols, ("有节点计划的项目", "节点", "逾期未完成节点", "有逾期节点的项目"), cards, strict=True
    ):
        col.metric(label, value, border=True)
    if len(scope.counties) == 1:
        county = scope.counties[0]
    else:
        county = first
        if not common.presenting():
            county = st.selectbox("区县", counties, index=counties.index(first),
                                  key="milestones_county")  # fmt: skip
    mine = replace(scope, counties=(county,))
    nodes = N.county_nodes(p, mine)
    shown = nodes[S.CODE].nunique()
    total = len(N.projects_with_nodes(p, mine))
    if shown < total:
        st.caption(
            common.plain(f"{county}有{total}个项目有节点计划,图中显示逾期节点最多的{shown}个。")
        )
    common.scoped_chart(
        p, ("gantt_county", mine), lambda: charts.gantt_county(nodes, mine), present_height=660
    )

if not shows(1):
    st.stop()
st.subheader("单个项目")
# Only the projects a search finds are listed (most overdue first): a list of every project of
# a province is megabytes sent on each rerun.
found = listing
if len(listing) > PICK_CHOICES and not common.presenting():
    query = st.text_input("查找项目", key="milestones_query",
                          placeholder=search.PLACEHOLDER)  # fmt: skip
    found = search.projects(listing, query)  # core.figures.search, as every page
    if found.empty:
        st.info("没有符合查找条件的有节点计划的项目。", icon=":material/search_off:")
        st.stop()
    if len(found) > PICK_CHOICES:
        st.caption(
            f"找到{len(found)}个项目,列出逾期节点最多的{PICK_CHOICES}个;输入更多文字缩小范围。"
        )


def _labels(found: pd.DataFrame) -> dict[str, str]:
    """The 选择项目 list's words: name (code), and its overdue nodes if any."""
    found = found.head(PICK_CHOICES)
    words = (found[S.NAME] + "(" + found[S.CODE] + ")"
             + found["逾期节点"].map(lambda k: f",逾期节点{k}个" if k else ""))  # fmt: skip
    return dict(zip(found[S.CODE], words, strict=True))


labels = (
    p.memo(("milestones_labels", scope), lambda: _labels(listing))  # no search: every session's
    if found is listing
    else _labels(found)
)
code = st.selectbox("选择项目", list(labels), format_func=labels.get, key="milestones_project")
name = listing.loc[listing[S.CODE] == code, S.NAME].iloc[0]
nodes = N.project_nodes(p, code, scope.period)
if not common.presenting():
    st.page_link("app_pages/project.py", label="打开项目档案", icon=":material/folder_open:",
                 query_params={"code": code, "period": scope.period.key})  # fmt: skip
left, right = st.columns([3, 2])
with left:
    common.scoped_chart(
        p,
        ("gantt_project", code, scope),
        lambda: charts.gantt_project(nodes, scope, name),
        present_height=560,
    )
with right:

    def month_label(m: str) -> str:
        return Period.parse(m).label if m else "—"

    def _node_table() -> pd.DataFrame:
        return pd.DataFrame(
            {
                "节点": nodes[S.NODE],
                "计划完成": nodes[S.NODE_PLANNED].map(month_label),
                "实际完成": nodes[S.NODE_ACTUAL].map(month_label),
                "状态": nodes[N.STATE],
            }
        )

    if common.presenting():  # projector type, screen by screen
        presentation.table(_node_table(), widths=[0.3, 0.24, 0.24, 0.22], lines=10, share=0.4)
    else:  # one project's table, made once per project and period for every session
        table = common.shared_table(p, ("milestones_nodes", code, scope.period), _node_table)
        common.dataframe(table, width="stretch")
