"""要素保障: problems by type and county, the open ones with their responsible unit, and funding."""

import streamlit as st

from app_pages import common, presentation
from core.base import schema as S
from core.figures import measures as M
from core.figures import progress as V
from core.figures import project as P
from core.output import charts


def _problems_by_county(p, scope):
    by_county = M.problem_counts(p, scope.citywide(), S.COUNTY)
    order = {c: i for i, c in enumerate(p.counties)}
    by_county = by_county.sort_values(S.COUNTY, key=lambda s: s.map(order), kind="mergesort")
    return charts.problems(by_county, S.COUNTY, scope, "problems_by_county", "存在问题按区县",
                           highlight=scope.counties)  # fmt: skip


p = common.portfolio()
scope = common.header("要素保障")
shows = presentation.shows("factors")  # 汇报模式: 存在问题, 未解决问题清单, 资金保障

common.stop_when_scope_is_empty(p, scope)


def _view() -> dict:
    """The problems' counts and the open ones' list with its screen table, once per scope for
    every session."""
    problems = M.problems_at(p, scope)
    open_ = M.open_problems(p, scope)
    listed = open_[[S.CODE, S.NAME, S.COUNTY, S.PROBLEM_TYPE, S.PROBLEM_TEXT, S.RAISED,
                    "已等待(月)", S.RESPONSIBLE_UNIT]]  # fmt: skip
    head = listed.head(V.MAX_ROWS)
    screen = head.assign(**{P.LINK: P.links(head[S.CODE], scope.period)}).drop(columns=S.CODE)
    return {"problems": len(problems), "open": len(open_), "listed": listed,
            "screen": common.arrow_table(screen)}  # fmt: skip


if shows(0) or shows(1):
    view = p.memo(("factors_page", scope), _view)
    problems, open_count = view["problems"], view["open"]
if shows(0):
    st.subheader("存在问题")
    if p.problems.empty:
        common.missing_table(S.PROBLEMS)
    elif not problems:
        st.info("当前范围内截至报告期没有登记存在问题。", icon=":material/check_circle:")
    else:
        c = st.columns(3)
        c[0].metric("登记问题", f"{problems}个", border=True)
        c[1].metric("未解决", f"{open_count}个", border=True)
        c[2].metric("已解决", f"{problems - open_count}个", border=True)
        left, right = st.columns(2)
        with left:
            common.scoped_chart(
                p,
                ("problems_by_type", scope),
                lambda: charts.problems(
                    M.problem_counts(p, scope, S.PROBLEM_TYPE),
                    S.PROBLEM_TYPE,
                    scope,
                    "problems_by_type",
                    "存在问题按类型",
                ),
                present_height=560,
            )
        with right:
            common.scoped_chart(
                p, ("problems_by_county", scope), lambda: _problems_by_county(p, scope), 560
            )

if shows(1):
    listed = view["listed"]
    if common.presenting():
        st.subheader("未解决问题清单")
    st.markdown("**未解决问题清单**(等待时间最长的在前)")
    if not problems:
        st.info("当前范围内截至报告期没有登记存在问题。", icon=":material/check_circle:")
    elif not open_count:
        st.success("截至报告期,范围内登记的问题均已解决。", icon=":material/check_circle:")
    else:
        if open_count > V.MAX_ROWS:
            st.caption(
                f"共{open_count}个未解决问题,表中显示等待最久的{V.MAX_ROWS}个;下载的清单包含全部。"
            )
    if common.presenting() and open_count:  # projector type, screen by screen
        presentation.table(
            listed.drop(columns=S.CODE).rename(columns={"已等待(月)": "已等待"}),
            widths=[0.22, 0.08, 0.08, 0.3, 0.1, 0.07, 0.15],
            numeric=("已等待",),
            lines=12,
            what="个",
        )
    elif open_count:
        common.dataframe(
            view["screen"],
            column_config={P.LINK: st.column_config.LinkColumn(display_text="打开", width=48)},
            width="stretch",
            height=min(38 * (min(len(listed), V.MAX_ROWS) + 1), common.table_height() + 200),
        )
    if open_count and not common.presenting():
        common.download_csv(
            "下载未解决问题清单(CSV)",
            listed,
            f"未解决问题_{scope.file_label()}_{scope.period.label}",
        )

if not shows(2):
    st.stop()
st.subheader("资金保障")
funding = M.funding_by_source(p, scope)
if p.funding.empty:
    common.missing_table(S.FUNDING)
elif funding.empty:
    st.info("当前范围内截至报告期没有已落实资金的记录。", icon=":material/info:")
else:
    left, right = st.columns(2)
    with left:
        common.scoped_chart(
            p, ("funding_by_source", scope), lambda: charts.funding_by_source(funding, scope)
        )
    with right:
        common.scoped_chart(
            p,
            ("funding_by_county", scope),
            lambda: charts.funding_by_county(
                M.funding_by_county(p, scope.citywide()), scope, p.counties, scope.counties
            ),
        )
