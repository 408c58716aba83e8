"""What pages draw with: KPI cards, charts with their downloads (made once per data version and
scope for every session), tables and CSV downloads."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app_pages.escape import plain
from app_pages.filters import presenting
from core.base import cells
from core.base.formatting import MISSING
from core.figures.indicators import Card as IndicatorCard
from core.figures.overview import Card
from core.output import cards as K
from core.output import charts, export
from core.output.charts import ChartOut
from core.store.portfolio import Portfolio


def card(col, c: Card) -> None:
    """A KPI card from core's texts."""
    col.metric(
        plain(c.label),  # a label is Markdown to streamlit: nothing from data may render
        c.value,
        c.delta,
        delta_color=c.delta_color,
        help=plain(c.help) if c.help else None,
        border=True,
        delta_arrow=c.delta_arrow,
        delta_description=c.description if c.delta else None,
    )


def indicator_cards(cards: list[IndicatorCard], per_row: int = 4) -> None:
    """City indicators' cards, `per_row` a row, as one element (core.output.cards): a row of
    st.metric cards was a column block and an element per card to send and draw on every
    rerun (经济指标's page was 124 elements, 36 with its cards so)."""
    st.html(K.indicator_cards_html(cards, per_row=per_row))


PRESENT_CHART_HEIGHT = 700  # px, 汇报模式: a chart with the page's title bar fits 1080


class _Unvalidated:
    """A chart whose spec is made without checking it against the Vega-Lite schema (a third of
    a chart's cost on a filter change): the same dict; exports and the tests validate."""

    def __init__(self, chart) -> None:
        self.chart = chart

    def to_dict(self) -> dict:
        return self.chart.to_dict(validate=False)


def screen_spec(chart) -> dict:
    """An altair chart as the Vega-Lite spec st.altair_chart sends (its data as Arrow datasets):
    streamlit's own conversion, so that a spec kept in a cache draws exactly as the chart."""
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    return _convert_altair_to_vega_lite_spec(_Unvalidated(chart))


def scoped_chart(
    p: Portfolio,
    key: tuple,
    build: Callable[[], ChartOut],
    present_height: int = PRESENT_CHART_HEIGHT,
) -> None:
    """Show the chart `build()` makes with its three downloads (PNG at 2×, SVG, CSV of exactly
    what is drawn); in 汇报模式 with projector-sized type and no download menu. The chart and
    its spec are made once per data version and `key` (the chart's name and everything its
    figures depend on: scope, convention …) and shared by every session of the process: a
    scope that another session has just drawn costs no altair work."""
    c = p.memo(("chart", *key), build)
    if presenting():
        spec = p.memo(
            ("chart_spec", *key, "projector", present_height),
            lambda: charts.projector_spec(c, present_height),
        )
        st.vega_lite_chart(spec=_shared(spec), width="stretch", key=f"chart_{c.key}")
        return
    spec = p.memo(("chart_spec", *key, "screen"), lambda: screen_spec(c.chart))
    st.vega_lite_chart(spec=_shared(spec), theme=None, width="stretch", key=f"chart_{c.key}")
    _downloads(c)


def static_chart(p: Portfolio, key: tuple, build: Callable) -> None:
    """An altair chart without downloads (a legend), its spec made once per data version and
    `key` for every session."""
    spec = p.memo(("static_chart", *key), lambda: screen_spec(build()))
    st.vega_lite_chart(spec=_shared(spec), theme=None)


def _shared(spec: dict) -> dict:
    """A spec shared by every session, as st.vega_lite_chart may take it: streamlit moves the
    datasets out of the top level of the dict it is given (a copy of its own since 1.40,
    with nothing below the top level changed), so a copy of the top level is all it needs —
    a deep copy of the datasets' Arrow bytes was 4% of the server's time in a meeting."""
    return dict(spec)


@st.fragment
def _downloads(c: ChartOut) -> None:
    """The chart's 下载图表 menu. Its three buttons are made only once the menu is opened (a
    rerun of this fragment alone): a page of four charts otherwise registers twelve downloads
    with the server and sends twelve buttons to the browser on every rerun."""
    from app_pages import signin  # here: signin imports the page helpers

    signin.fragment_guard()
    menu = st.popover(
        "下载图表", icon=":material/download:", key=f"downloads_{c.key}", on_change="rerun"
    )
    if not menu.open:
        return
    stem = c.file_stem()
    downloads = (
        ("PNG图片(2倍清晰度,适合幻灯片)", lambda: export.png(c), "png", "image/png", "image"),
        ("SVG矢量图", lambda: export.svg(c), "svg", "image/svg+xml", "draw"),
        ("图表数据CSV", lambda: export.csv(c), "csv", "text/csv", "table"),
    )
    with menu:
        for label, data, ext, mime, icon in downloads:
            st.download_button(label, data=data, file_name=f"{stem}.{ext}", mime=mime,
                               on_click="ignore", key=f"{ext}_{c.key}", icon=f":material/{icon}:")  # fmt: skip


def download_csv(label: str, frame, file_stem: str, **kwargs) -> None:
    """A download of a table as CSV that Excel opens with its Chinese (UTF-8 with a BOM), every
    cell inert (core.base.cells: a name like =HYPERLINK(…) stays text). `frame` may be a
    function that makes the table: called only when the file is asked for."""
    st.download_button(
        label,
        data=lambda: cells.csv_bytes(frame() if callable(frame) else frame),
        file_name=f"{file_stem}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        **kwargs,
    )


# A phone's browser names itself so (Android's "Mobile", iPhone's "iPhone"; a tablet does not).
_PHONE_WORDS = ("Mobile", "iPhone", "Android")


def is_phone() -> bool:
    """The run comes from a phone's browser (its User-Agent): a page narrows its tables."""
    try:
        agent = str(st.context.headers.get("User-Agent") or "")
    except Exception:  # no request behind the run (AppTest)
        return False
    return any(word in agent for word in _PHONE_WORDS)


def arrow_table(frame):
    """A frame as the Arrow table st.dataframe would make of it (streamlit's own conversion:
    the same bytes reach the browser), to keep in a memo: st.dataframe then only writes it
    out. Converting a frame of a few hundred rows to Arrow was the larger part of a table's
    cost on every rerun."""
    from streamlit import dataframe_util

    return dataframe_util.convert_pandas_df_to_arrow_table(frame)


def shared_table(p: Portfolio, key: tuple, build: Callable):
    """The frame `build()` makes as an arrow_table, made once per data version and `key` for
    every session."""
    return p.memo(("arrow_table", *key), lambda: arrow_table(build()))


def _columns(data) -> list[str]:
    """A frame's or a shared Arrow table's columns (not the index the table carries)."""
    if hasattr(data, "column_names"):
        return [c for c in data.column_names if not c.startswith("__index_level_")]
    return list(getattr(data, "columns", []))


def dataframe(data, phone_columns: list[str] | None = None, **kwargs):
    """st.dataframe as every page uses it, of a frame or a shared_table: no index, a dash for a
    missing value (never "None").
    On a phone, a table with `phone_columns` shows only those (the key columns; the project's
    link opens the rest on a tap)."""
    if phone_columns and is_phone() and not presenting():
        order = kwargs.get("column_order") or _columns(data)
        kwargs["column_order"] = shown = [c for c in phone_columns if c in order]
        # Widths for a phone's 360 px: the first column (the name) wraps in 140, others in 84.
        config = dict(kwargs.get("column_config") or {})
        for i, column in enumerate(shown):
            entry = config.get(column)
            if isinstance(entry, dict):
                width = entry.get("width")
                cap = 140 if i == 0 else 84
                if not isinstance(width, int) or width > cap:
                    config[column] = {**entry, "width": cap}
            else:
                config[column] = {"width": 140 if i == 0 else 84} if entry is None else entry
        kwargs["column_config"] = config
    return st.dataframe(data, hide_index=True, placeholder=MISSING, **kwargs)


def table_height() -> int:
    """A long table's height in pixels: in 汇报模式 it must leave room on one screen."""
    return 420 if presenting() else 560
