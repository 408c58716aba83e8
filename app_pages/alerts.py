"""预警: what is going wrong as of the period and why — the rules with the office's thresholds,
counts by rule and county, and the list with each reason, to filter and download.

In 汇报模式 two screens: 预警概况 (counts, rules, counties) and 预警清单."""

import streamlit as st

from app_pages import common, presentation, signin
from core.base import schema as S
from core.figures import alerts as A
from core.figures import progress as V
from core.figures import project as P
from core.figures import search
from core.figures.supervision import period_day
from core.output import charts

p = common.portfolio()
scope = common.header("预警")
common.stop_without_returns(p, "预警(投资完成进度、连续滞后等)")
conv = common.convention()
shows = presentation.shows("alerts")

common.stop_when_scope_is_empty(p, scope)

missing = A.check_settings()  # a rule whose thresholds the settings file lacks
if missing:
    st.error("\n\n".join(missing), icon=":material/error:")
    st.stop()
sentences = A.rule_sentences()
# What this page makes of the list, once per scope, rule and day for every session. The list
# itself is selected from the city's (core) only when one of these is made, or for a download.
KEY = ("alerts_page", scope, conv, period_day(scope.period))


def _frame():
    return A.alerts(p, scope, conv)


def _figures() -> dict:
    frame = _frame()
    red = int((frame[A.LEVEL] == A.RED).sum())
    return {"count": len(frame), "red": red, "projects": frame[S.CODE].nunique()}


figures = p.memo((*KEY, "figures"), _figures)

if shows(0):
    cols = st.columns(4)
    cols[0].metric("预警总数", f"{figures['count']}条", border=True)
    cols[1].metric("红色预警", f"{figures['red']}条", border=True)
    cols[2].metric("黄色预警", f"{figures['count'] - figures['red']}条", border=True)
    cols[3].metric("涉及项目", f"{figures['projects']}个", border=True)
    left, right = st.columns([5, 4])
    counts = p.memo((*KEY, "by_rule"), lambda: A.counts_by_rule(_frame()))
    with left:
        st.markdown("**各规则预警数**")
        if common.presenting():  # projector-sized words rather than a table's small print
            st.markdown(
                "\n".join(
                    f"- **{r[A.RULE]}** {r['合计']}条(红色{r['红色']}条、黄色{r['黄色']}条)"
                    for r in counts.to_dict("records")
                )
            )
        else:
            common.dataframe(
                common.shared_table(
                    p,
                    (*KEY, "by_rule_screen"),
                    lambda: counts.assign(规则=counts[A.RULE].map(sentences)),
                ),
                width="stretch",
                column_config={
                    A.RULE: st.column_config.TextColumn(width=86),
                    "红色": st.column_config.NumberColumn(width=48),
                    "黄色": st.column_config.NumberColumn(width=48),
                    "合计": st.column_config.NumberColumn(width=48),
                    "规则": st.column_config.TextColumn("规则与阈值", width="large"),
                },
            )
            st.caption(
                f"阈值由本办在系统设置中规定;序时进度{conv.label}。预警均按报告期的数据"
                "即时计算。计划在报告期当月开工、竣工或完成的节点,当月底仍未完成即列入预警;"
                "同一事件(应开未开与开工节点、应竣未竣与竣工节点)只计一条,列明两项原因。"
            )
        if p.milestones.empty:
            st.caption("尚未导入“节点计划”表,节点逾期规则没有可计算的数据。")
    with right:
        if not p.memo((*KEY, "citywide"), lambda: len(A.alerts(p, scope.citywide(), conv))):
            st.success(f"{scope.period.as_of},全市未发现预警。", icon=":material/check_circle:")
        else:
            common.scoped_chart(
                p,
                (
                    "alerts_by_county",
                    scope,
                    conv,
                    period_day(scope.period),
                ),  # a month not over: today
                lambda: charts.alerts_by_county(
                    A.counts_by_county(A.alerts(p, scope.citywide(), conv), p.counties),
                    scope,
                    p.counties,
                    scope.counties,
                ),
                present_height=640,
            )

if not shows(1):
    st.stop()
if common.presenting():
    st.subheader("预警清单")
if not figures["count"]:
    st.success(f"{scope.period.as_of},当前范围内未发现预警。", icon=":material/check_circle:")
    st.stop()


@st.fragment
def _alert_list() -> None:
    """The list with its filters, download and counts: choosing a level or a rule, or typing
    in the search box, reruns this part alone, not the counts and the chart above."""
    signin.fragment_guard()  # a resumed session without its cookie is signed out here too
    levels, rules, query = [], [], ""
    if not common.presenting():
        st.subheader("预警清单")
        c1, c2, c3 = st.columns([1, 2, 2])
        levels = c1.multiselect("预警级别", list(A.LEVELS), key="alerts_levels", placeholder="全部级别",
                                select_all=False)  # fmt: skip
        rules = c2.multiselect("预警规则", list(A.rule_names()), key="alerts_rules", placeholder="全部规则",
                               select_all=False)  # fmt: skip
        query = c3.text_input(
            "搜索", key="alerts_query", placeholder="项目名称、代码、区县或预警原因中的文字"
        )

    def listed():
        """The alerts the level, rule and search choose (on a projector all of them)."""
        chosen = _frame()
        if common.presenting():
            return chosen
        if levels:
            chosen = chosen.loc[chosen[A.LEVEL].isin(levels)]
        if rules:
            chosen = chosen.loc[chosen[A.RULE].isin(rules)]
        return search.projects(chosen, query, more=(A.REASON, A.SUBJECT))  # core.figures.search

    def screen() -> dict:
        """How many are chosen, and the first MAX_ROWS as the screen's table."""
        chosen = listed()
        shown = chosen.head(V.MAX_ROWS)
        return {
            "count": len(chosen),
            "shown": shown,
            # The level as a label in its colour (a list of one: a pandas Styler costs ~60 ms
            # a run).
            "table": common.arrow_table(
                shown[[A.LEVEL, A.RULE, S.COUNTY, S.NAME, A.REASON]].assign(
                    **{
                        A.LEVEL: shown[A.LEVEL].map(lambda v: [v]),
                        P.LINK: P.links(shown[S.CODE], scope.period),
                    }
                )
            ),
        }

    # Once per scope, rule, day and choice of the filters for every session.
    view = p.memo((*KEY, "list", common.presenting(), tuple(levels), tuple(rules), query), screen)
    count, shown = view["count"], view["shown"]
    caption = f"共{count}条" + (
        f"(从{figures['count']}条中筛出)" if count < figures["count"] else ""
    )
    if len(shown) < count:
        caption += f";表中显示前{len(shown)}条,下载的清单包含全部"
    st.caption(caption)
    if common.presenting():  # projector type, long reasons wrapped, screen by screen (→)
        presentation.table(
            shown[[A.LEVEL, A.RULE, S.COUNTY, S.NAME, A.REASON]].set_axis(
                ["级别", "规则", "区县", "项目名称", "预警原因"], axis=1
            ),
            widths=[0.07, 0.13, 0.09, 0.27, 0.44],
            lines=12,
        )
        return
    common.dataframe(
        view["table"],
        width="stretch",
        height=min(38 * (len(shown) + 1), common.table_height()),
        # The link to each project's file last, and not on a projector, where nobody clicks.
        phone_columns=[A.LEVEL, S.NAME, A.RULE, P.LINK],  # the reason on a tap
        column_order=[
            A.LEVEL,
            A.RULE,
            S.COUNTY,
            S.NAME,
            A.REASON,
            *([] if common.presenting() else [P.LINK]),
        ],
        column_config={
            P.LINK: st.column_config.LinkColumn(display_text="打开", width=48),
            A.LEVEL: st.column_config.MultiselectColumn(
                "级别",
                options=list(charts.LEVEL_COLORS),
                color=list(charts.LEVEL_COLORS.values()),
                width=56,
            ),
            A.RULE: st.column_config.TextColumn(width=86),
            S.COUNTY: st.column_config.TextColumn("区县", width=66),
            S.NAME: st.column_config.TextColumn(width="medium"),
            A.REASON: st.column_config.TextColumn(width="large"),
        },
    )
    if not common.presenting():
        common.download_csv(
            "下载预警清单(CSV)",
            listed,  # made when the file is asked for
            f"预警清单_{scope.file_label()}_{scope.period.label}",
            disabled=not count,
        )
        with st.expander("按规则和区县统计", icon=":material/table_chart:"):
            table = common.shared_table(
                p, (*KEY, "table"), lambda: A.counts_table(_frame(), p.counties)
            )
            common.dataframe(table, width="stretch")


_alert_list()
