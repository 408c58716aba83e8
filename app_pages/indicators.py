"""经济指标: the report's city indicators as cards with their change, in the report's groups."""

import streamlit as st

from app_pages import common
from core.data import schema as S
from core.figures import indicators as I
from core.figures import measures as M

p = common.portfolio()
scope = common.header("经济指标")
st.caption("除“产业转型”按项目清单和筛选条件计算外,其余为全市统计数据,不随区县、行业筛选变化。")

st.subheader(f"产业转型({scope.period.year}年在建项目)")
now = M.industry_figures(p, scope)
before = M.industry_figures(p, scope, scope.period.same_period_last_year())
if now.count == 0:
    st.info("当前范围内本年没有在建的产业项目。", icon=":material/info:")
else:
    common.indicator_cards(I.industry_cards(now, before, scope.period.year), per_row=3)

fai = I.fai_cards(p.indicators, scope.period)
if fai:
    st.subheader(f"固定资产投资({fai[0].when})")
    common.indicator_cards(fai, per_row=3)

annual = I.annual_cards(p.indicators, scope.period)
if p.indicators.empty:
    common.missing_table(S.INDICATORS)
elif not annual:
    st.info("指标表中没有报告期之前的年度指标。", icon=":material/info:")
for group in S.INDICATOR_GROUPS:
    group_cards = [c for c in annual if c.group == group]
    if group_cards:
        st.subheader(f"{group}({group_cards[0].when})")
        common.indicator_cards(group_cards, per_row=3)
