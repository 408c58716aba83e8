"""The floor: the cheapest Streamlit page with the app's kind of filter, served and timed like
the app. Its one sidebar multiselect is changed the way the app's 区县 filter is, and every app
page's browser time is reported as a ratio to this page's.

`?charts=N` adds N small bar charts whose data follow the filter, so that a filter change
redraws them: what Streamlit itself needs for a page with as many charts as the app's, with no
work of the app's behind them. `&cards=M` adds M metric cards in rows of four whose figures
follow the filter: with the charts, a page of as many elements as the app's overview."""

import streamlit as st

counties = st.sidebar.multiselect(
    "区县", ["城东区", "城西区"], key="county", placeholder="全市(可多选)"
)
st.title("ok")
for i in range(int(st.query_params.get("charts", "0"))):
    bars = [{"x": f"区县{j}", "y": (j * 7 + len(counties) * 3 + i) % 11} for j in range(10)]
    spec = {
        "height": 300,
        "mark": "bar",
        "encoding": {
            "x": {"field": "x", "type": "nominal"},
            "y": {"field": "y", "type": "quantitative"},
        },
    }
    st.vega_lite_chart(bars, spec, width="stretch", key=f"chart_{i}")
cards = int(st.query_params.get("cards", "0"))
for start in range(0, cards, 4):
    for j, col in enumerate(st.columns(4)):
        if start + j < cards:
            k = start + j
            col.metric(
                f"指标{k}", f"{(k * 13 + len(counties) * 7) % 97}个", f"{k % 5}.0%", border=True
            )
