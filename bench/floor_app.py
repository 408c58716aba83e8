"""The floor: the cheapest Streamlit page with the app's kind of filter, served and timed like
the app. Its one sidebar multiselect is changed the way the app's 区县 filter is, and every app
page's browser time is reported as a ratio to this page's.

`?charts=N` adds N small bar charts whose data follow the filter, so that a filter change
redraws them: what Streamlit itself needs for a page with as many charts as the app's, with no
work of the app's behind them. `&cards=M` adds M metric cards in rows of four whose figures
follow the filter: with the charts, a page of as many elements as the app's overview.

For a page's own floor (bench.composition builds its URL from the page's AppTest run), also:
`&map_kb=K` a deck.gl map of K KB of points, `&frames=349x14,36x8` a dataframe of each shape
and `&texts=T` T one-line texts, all following the filter."""

import pandas as pd
import streamlit as st

from bench import composition

counties = st.sidebar.multiselect(
    "区县", ["城东区", "城西区"], key="county", placeholder="全市(可多选)"
)
shift = len(counties)
layout = composition.parse(dict(st.query_params))
st.title("ok")
for i in range(layout.charts):
    bars = [{"x": f"区县{j}", "y": (j * 7 + shift * 3 + i) % 11} for j in range(10)]
    spec = {
        "height": 300,
        "mark": "bar",
        "encoding": {
            "x": {"field": "x", "type": "nominal"},
            "y": {"field": "y", "type": "quantitative"},
        },
    }
    st.vega_lite_chart(bars, spec, width="stretch", key=f"chart_{i}")
if layout.map_kb:
    deck = composition.Deck(composition.map_spec(layout.map_kb, shift))
    st.pydeck_chart(deck, height=640, key="map", on_select="rerun", selection_mode="single-object")
for rows, cols in layout.frames:
    frame = pd.DataFrame(
        {
            f"列{c}": [f"项目{(r * 7 + shift + c) % 1000:03d}" for r in range(rows)]
            if c % 2 == 0
            else [float((r * 13 + shift * 5 + c) % 997) / 10 for r in range(rows)]
            for c in range(cols)
        }
    )
    st.dataframe(frame, hide_index=True)
cards = layout.cards
for start in range(0, cards, composition.CARDS_PER_ROW):
    for j, col in enumerate(st.columns(composition.CARDS_PER_ROW)):
        if start + j < cards:
            k = start + j
            col.metric(f"指标{k}", f"{(k * 13 + shift * 7) % 97}个", f"{k % 5}.0%", border=True)
for i in range(layout.texts):
    st.markdown(f"说明{i}:{(i * 11 + shift * 3) % 89}个项目")
