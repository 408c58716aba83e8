"""投资增长: cumulative completion by month, fixed-asset investment growth, county and sector rates.

In 汇报模式 three screens: 累计完成投资, 固定资产投资增速, 区县与行业对比."""

import streamlit as st

from app_pages import common, presentation
from core.base import schema as S
from core.figures import indicators as I
from core.figures import measures as M
from core.output import charts


def _fai_growth(p, scope):
    rows = I.fai_rows(p.indicators, scope.period)
    return charts.fai_growth(rows.loc[rows[S.INDICATOR] != S.FAI_RANK], scope)


p = common.portfolio()
scope = common.header("投资增长")
common.stop_without_returns(p, "投资增长的累计完成投资和区县行业对比")
conv = common.convention()
shows = presentation.shows("growth")

if shows(0):
    st.subheader("累计完成投资")
    if not M.in_scope(p, scope).any():
        common.empty_notice()
    else:
        series = M.cumulative_by_month(p, scope)
        if series[M.VALUE].sum() == 0:
            st.info("当前范围内本年和上年都没有完成投资的数据。", icon=":material/info:")
        else:
            common.scoped_chart(
                p, ("cumulative", scope), lambda: charts.cumulative(series, scope), 720
            )
            codes = p.projects.loc[M.in_scope(p, scope), S.CODE]
            note = p.memo(
                ("coverage_note", scope), lambda: M.coverage_note(p, codes, scope.period.year)
            )
            if note:
                st.caption(common.plain(note))

if shows(1):
    st.subheader("固定资产投资增速")
    # The city's statistics by period, made once for every session (as on 经济指标).
    cards = p.memo(
        ("indicator_cards", "fai", scope.period), lambda: I.fai_cards(p.indicators, scope.period)
    )
    if p.indicators.empty:
        common.missing_table(S.INDICATORS)
    elif not cards:
        st.info("指标表中没有本年的固定资产投资增速数据。", icon=":material/info:")
    else:
        st.caption(f"{cards[0].when}累计同比,全市统计数据,不随区县、行业筛选变化。")
        common.indicator_cards(cards, per_row=5 if common.presenting() else 3)
        common.scoped_chart(p, ("fai_growth", scope), lambda: _fai_growth(p, scope), 520)

if shows(2):
    st.subheader("区县与行业对比")
    ranking = M.county_ranking(p, scope.citywide(), conv)
    if ranking.empty:
        st.info("当前范围内本年没有安排年度计划投资的项目。", icon=":material/info:")
    else:
        # The scope's own sectors: none when the chosen counties have no annual project in the
        # chosen sectors, though other counties have (城东区 · 生态环保): the county chart still
        # shows the city, the sector half says why it is empty.
        sectors = M.sector_breakdown(p, scope, conv)
        # The 序时进度 line of each chart: the scope's (under monthly plans, its projects'
        # planned amounts ÷ their annual plans, so the city's for the county chart).
        city_schedule = M.year_figures(p, scope.citywide(), conv).schedule
        schedule = M.year_figures(p, scope, conv).schedule
        left, right = st.columns(2)
        with left:
            common.scoped_chart(
                p, ("county_rates", scope, conv),
                lambda: charts.comparison(ranking, S.COUNTY, scope, city_schedule, "county_rates",
                                          "各区县完成率", highlight=scope.counties),
            )  # fmt: skip
            absent = [c for c in scope.counties if c not in set(ranking[S.COUNTY])]
            if absent:
                st.caption(
                    common.plain(
                        f"{'、'.join(absent)}在当前筛选条件下没有安排本年计划投资的项目,未列入图中。"
                    )
                )
        with right:
            if sectors.empty:
                what = (
                    "当前范围内本年没有安排年度计划投资的项目"
                    if M.in_scope(p, scope).any()
                    else "当前筛选条件下没有项目"
                )
                st.info(f"{what},无法按行业领域对比。", icon=":material/filter_alt_off:")
            else:
                common.scoped_chart(
                    p,
                    ("sector_rates", scope, conv),
                    lambda: charts.comparison(
                        sectors,
                        S.SECTOR,
                        scope,
                        schedule,
                        "sector_rates",
                        "各行业领域完成率",
                    ),
                    present_height=560,
                )
