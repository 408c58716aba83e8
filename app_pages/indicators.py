"""经济指标: the report's city indicators as cards with their change, in the report's groups.

In 汇报模式 four screens: 产业转型与固定资产投资, 科技创新与绿色发展, 营商环境与对外开放, 民生保障."""

import streamlit as st

from app_pages import common, presentation
from core.base import schema as S
from core.figures import indicators as I
from core.figures import measures as M

p = common.portfolio()
scope = common.header("经济指标")
shows = presentation.shows("indicators")
per_row = 5 if common.presenting() else 3
if not common.presenting():
    st.caption("除“产业转型”按项目清单和筛选条件计算外,其余为全市统计数据,不随区县、行业筛选变化。")

if shows(0):
    st.subheader(f"产业转型({scope.period.year}年在建项目)")
    now = M.industry_figures(p, scope)
    before = M.industry_figures(p, scope, scope.period.same_period_last_year())
    if now.count == 0:
        st.info("当前范围内本年没有在建的产业项目。", icon=":material/info:")
    else:
        common.indicator_cards(I.industry_cards(now, before, scope.period.year), per_row=per_row)

    # The city's statistics by period, made once for every session.
    fai = p.memo(
        ("indicator_cards", "fai", scope.period), lambda: I.fai_cards(p.indicators, scope.period)
    )
    if fai:
        st.subheader(f"固定资产投资({fai[0].when})")
        common.indicator_cards(fai, per_row=per_row)

annual = p.memo(
    ("indicator_cards", "annual", scope.period), lambda: I.annual_cards(p.indicators, scope.period)
)
if p.indicators.empty and shows(0):
    common.missing_table(S.INDICATORS)
elif not annual and not shows(0):
    st.info("指标表中没有报告期之前的年度指标。", icon=":material/info:")
# The annual groups' screens in 汇报模式: two groups a screen, the long 民生保障 alone; a group
# not named here joins the last screen.
SCREEN_OF = {"固定资产投资": 0, "产业转型": 0, "科技创新": 1, "绿色发展": 1, "营商环境": 2,
             "对外开放": 2}  # fmt: skip
for group in S.INDICATOR_GROUPS:
    group_cards = [c for c in annual if c.group == group]
    if group_cards and shows(SCREEN_OF.get(group, 3)):
        st.subheader(common.plain(f"{group}({group_cards[0].when})"))
        common.indicator_cards(group_cards, per_row=per_row)
