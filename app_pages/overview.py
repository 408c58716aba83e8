"""总览: the KPI cards, the pipeline by stage, the county ranking, sectors and funding.

In 汇报模式 three screens: 年度投资 (cards and stages), 区县排名与行业构成, 资金来源."""

import streamlit as st

from app_pages import common, opening, presentation
from core.figures import collection
from core.figures import measures as M
from core.figures import overview as O
from core.output import cards as K

p = common.portfolio()
scope = common.header("重大项目运行总览")
common.stop_without_returns(p, "总览(投资完成率、序时进度和项目状态)")
conv = common.convention()
shows = presentation.shows("overview")

this, last = M.year_figures_with_last_year(p, scope, conv)
if not M.in_scope(p, scope).any():
    common.empty_notice()
    st.stop()

if not common.presenting():  # 报送情况 of the period (core.figures.collection), linked
    collected = collection.collection(p, scope)
    if len(collected.due_counties):
        st.caption(common.plain("报送情况:" + collected.count_sentence()))
        st.page_link("app_pages/collection.py", label="查看报送情况", icon=":material/fact_check:")

if shows(0):
    st.subheader("年度投资")
    sentence = O.construction_sentence(this, scope)
    if sentence:
        st.markdown(common.plain(sentence))
    funding_now = M.funding_by_channel(p, scope)
    funding_last = M.funding_by_channel(p, scope, scope.period.same_period_last_year())
    cards = [
        *O.kpi_cards(this, last, conv, M.no_base_reason(p, scope.period)),
        O.funding_card(
            sum(funding_now.values()),
            sum(funding_last.values()),
            M.no_funding_base_reason(p, scope.period),
        ),
    ]
    st.html(K.cards_html(cards))  # one element for the eight cards (core.figures.overview)

    stages_note = O.stages_as_of(scope, p.latest_period)
    st.subheader("项目储备与推进" + ("(当前状态)" if stages_note else ""))
    if stages_note:
        st.caption(stages_note + "。")
    stages = M.pipeline(p, scope)
    sentence = O.pipeline_sentence(stages, scope, p.latest_period)
    if sentence and not common.presenting():  # on a projector the cards say it
        st.markdown(common.plain(sentence))
    st.html(K.cards_html(O.pipeline_cards(stages), per_row=5))

if this.count == 0:
    st.info(
        "当前范围内本年没有安排年度计划投资的项目,无法计算完成率和区县排名。",
        icon=":material/info:",
    )
    st.stop()

if shows(1):
    left, right = st.columns(2)
    with left:
        common.scoped_chart(p, *opening.ranking_chart(p, scope, conv, this.schedule))
    with right:
        common.scoped_chart(p, *opening.sector_chart(p, scope, conv), present_height=600)
        industry = M.industry_figures(p, scope)
        if industry.count:
            st.caption(common.plain(O.industry_sentence(industry)))

if shows(2):
    funding = M.funding_by_source(p, scope)
    if len(funding):
        common.scoped_chart(p, *opening.funding_chart(scope, funding), present_height=600)
        sentence = O.funding_sentence(M.funding_by_channel(p, scope), scope)
        if sentence:
            st.caption(common.plain(sentence))
    else:
        st.info("当前范围内截至报告期没有已落实资金的记录。", icon=":material/info:")
