"""Chart builders: aggregated frames in, titled altair charts out (the same on screen and in files).

Each builder receives a frame that core already aggregated and keeps only the columns it
encodes, so the browser never receives project rows. Amounts are shown in 亿元, rates in %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import altair as alt
import pandas as pd

from core.base import schema as S
from core.base import settings
from core.base.formatting import WAN_PER_YI, fixed, round_half_up
from core.base.periods import Period
from core.figures import measures as M
from core.figures import milestones, status
from core.figures.scope import Scope
from core.output import altair_setup

altair_setup.apply()

# The font list: Noto Sans CJK SC is shipped for exports; browsers on office PCs have YaHei.
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
# Sizes for a projector at the back of a meeting room: nothing under 14 px.
TITLE_SIZE, SUBTITLE_SIZE, LABEL_SIZE = 22, 15, 15
WIDTH, HEIGHT = 760, 340  # the plot area; titles, legend and axes come on top
SCREEN_EXTRA_HEIGHT = 150  # what titles, legend and axis take on screen
PRIMARY = "#1f4e9c"  # the office blue: this year's figures
SECONDARY = "#9aa7b8"  # last year, reference lines
TARGET = "#c62828"
SERIES_COLORS = ["#1f4e9c", "#e08a00", "#1b7f5a", "#8e44ad", "#c62828", "#5d6d7e"]
# One colour per funding source on every chart (the settings' order picks it): not the status
# colours' red or green, which mean behind or on track.
FUNDING_PALETTE = ["#1f4e9c", "#5b8fd6", "#8e44ad", "#7f6a4f", "#9aa7b8", "#2f6f73", "#b07aa1"]
DIMMED = 0.3  # opacity of the counties outside the filter in a highlighted ranking


def present_in_order(order, values) -> list:
    """The items of `order` that occur among `values`, in the order of `order` (the values'
    set made once: a set in the condition of a comprehension is made for every item)."""
    seen = set(pd.unique(pd.Series(values)))
    return [x for x in order if x in seen]


def funding_scale(sources: list[str]) -> alt.Scale:
    """Colours of the funding sources: fixed by the office's list, whatever a chart shows."""
    known = list(settings.current().funding_sources)
    known += sorted(set(sources) - set(known))
    colors = {s: FUNDING_PALETTE[i % len(FUNDING_PALETTE)] for i, s in enumerate(known)}
    return alt.Scale(domain=list(sources), range=[colors[s] for s in sources])


def _highlight(field: str, names: tuple[str, ...]) -> dict:
    """Encodings that dim every row but `names` (none dimmed when `names` is empty)."""
    if not names:
        return {}
    test = " || ".join(f"datum[{field!r}] === {n!r}" for n in names)
    return {"opacity": alt.condition(test, alt.value(1.0), alt.value(DIMMED))}


def _highlight_axis(names: tuple[str, ...]) -> alt.Axis:
    """The band axis with the highlighted names in bold."""
    if not names:
        return alt.Axis()
    test = " || ".join(f"datum.value === {n!r}" for n in names)
    return alt.Axis(labelFontWeight=alt.ExprRef(f"({test}) ? 'bold' : 'normal'"))


@dataclass(frozen=True)
class ChartOut:
    """A finished chart with what its downloads need."""

    key: str  # stable id, e.g. "county_ranking": widget keys and tests use it
    title: str  # 各区县完成率排名(按与序时进度之差)
    scope: Scope
    chart: alt.TopLevelMixin  # as shown on screen: as wide as its container
    data: pd.DataFrame  # exactly what is drawn, with Chinese headers: the CSV download
    width: int = WIDTH  # the exported picture's plot area, in pixels before scaling
    height: int = HEIGHT

    def for_export(self) -> alt.TopLevelMixin:
        """The chart at a fixed size: a file has no container to fill."""
        return self.chart.properties(width=self.width, height=self.height)

    def untitled(self) -> ChartOut:
        """The chart without its title block, for a document whose caption carries the title."""
        chart = self.chart.copy(deep=False)
        chart.title = alt.Undefined
        return replace(self, chart=chart)

    def file_stem(self) -> str:
        """投资增长_城东区_2026年2月: title, scope and period, safe for every OS."""
        stem = f"{self.title}_{self.scope.file_label()}_{self.scope.period.label}"
        return "".join("_" if c in '\\/:*?"<>|' else c for c in stem)


def _finish(
    key: str,
    title: str,
    scope: Scope,
    chart: alt.TopLevelMixin,
    data: pd.DataFrame,
    width: int = WIDTH,
    height: int = HEIGHT,
    subtitle: list[str] | None = None,
) -> ChartOut:
    titled = (
        chart.properties(
            title=alt.TitleParams(
                text=title,
                subtitle=subtitle or scope.sentence_lines(),
                anchor="start",
                fontSize=TITLE_SIZE,
                subtitleFontSize=SUBTITLE_SIZE,
                subtitleColor="#444",
                offset=12,
            ),
            # On screen the chart fills its column at its own height; a fixed width would be
            # scaled down whole, text and all, to fit a narrow column.
            width="container",
            # Streamlit fits the whole chart, titles and axes included, into this height.
            height=height + SCREEN_EXTRA_HEIGHT,
        )
        # Files: the plot keeps its size and the picture grows around titles, legend and axes.
        # One configure call: altair copies the whole (layered) chart at each call.
        .configure(
            font=FONT,
            background="white",
            padding=16,
            autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
            axis=alt.AxisConfig(
                labelFontSize=LABEL_SIZE,
                titleFontSize=LABEL_SIZE,
                labelColor="#222",
                titleColor="#222",
                gridColor="#e3e6ea",
                # A narrow chart (a phone's) shows every other month, not 10月11月12月 run
                # together; at a screen's or a file's width every label fits and shows.
                labelOverlap="parity",
            ),
            # A handful of round ticks on every quantitative axis, never one per unit.
            axisQuantitative=alt.AxisConfig(tickCount=6, labelFlush=True),
            legend=alt.LegendConfig(
                columns=3,
                labelFontSize=LABEL_SIZE,
                titleFontSize=LABEL_SIZE,
                orient="top",
                labelLimit=320,
            ),
            view=alt.ViewConfig(stroke=None),
        )
    )
    return ChartOut(key, title, scope, titled, data.reset_index(drop=True), width, height)


# 汇报模式: type for the back of a meeting room — no chart text under PROJECTOR_MIN_SIZE px.
PROJECTOR_MIN_SIZE = 20
_FONT_KEYS = ("fontSize", "labelFontSize", "titleFontSize", "subtitleFontSize")


def projector_spec(c: ChartOut, height: int) -> dict:
    """The chart's Vega-Lite spec for a projector: every font scaled so the smallest is at least
    PROJECTOR_MIN_SIZE px, drawn `height` px tall (titles and axes included)."""
    spec = c.chart.to_dict(validate=False)  # a screen's spec; files validate theirs
    sizes = []

    def collect(node) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in _FONT_KEYS and isinstance(v, int | float):
                    sizes.append(v)
                else:
                    collect(v)
        elif isinstance(node, list):
            for v in node:
                collect(v)

    collect(spec)
    factor = max(1.0, PROJECTOR_MIN_SIZE / min(sizes)) if sizes else 1.0

    def scale(node):
        if isinstance(node, dict):
            return {
                k: (round(v * factor, 1) if k in _FONT_KEYS and isinstance(v, int | float)
                    else scale(v))
                for k, v in node.items()
            }  # fmt: skip
        if isinstance(node, list):
            return [scale(v) for v in node]
        return node

    out = scale(spec)
    out["height"] = height
    # Labels cut with "…" at Vega's default widths (180 px on an axis, 160 in a legend) once
    # their type is projector-sized: 「2025年1…」, 「政策性开…」. Limits for the larger type,
    # and those a chart sets itself grown with it.
    _grow_limits(out, factor)
    config = out.setdefault("config", {})
    for part, default in (("axis", AXIS_LABEL_LIMIT), ("legend", LEGEND_LABEL_LIMIT)):
        section = config.setdefault(part, {})
        section["labelLimit"] = max(default, section.get("labelLimit", 0))
    return out


AXIS_LABEL_LIMIT = 420  # px: 「政策性开发性金融工具」 or 「2025年12月」 in projector type, whole
LEGEND_LABEL_LIMIT = 520


def _grow_limits(node, factor: float) -> None:
    """Every labelLimit a chart sets on one of its axes or legends, scaled with its type."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "labelLimit" and isinstance(v, int | float) and v > 0:
                node[k] = round(v * factor)
            else:
                _grow_limits(v, factor)
    elif isinstance(node, list):
        for v in node:
            _grow_limits(v, factor)


def _yi(values: pd.Series) -> pd.Series:
    return (values / WAN_PER_YI).map(lambda v: round_half_up(v, 1))


def _pct(values: pd.Series) -> pd.Series:
    return (values * 100).map(lambda v: round_half_up(v, 1))


def _status_scale() -> alt.Scale:
    return alt.Scale(domain=list(status.COLORS), range=list(status.COLORS.values()))


RANKING_TITLE = "各区县完成率排名(按与序时进度之差)"


def county_ranking(ranking: pd.DataFrame, scope: Scope, schedule: float) -> ChartOut:
    """Each county's gap to 序时进度 in points, best at the top, in its status colour, with
    完成率 at each bar's end. `ranking` is the whole city's (measures.county_ranking at
    scope.citywide()): the counties of the filter are highlighted, the others dimmed."""
    data = pd.DataFrame(
        {
            "名次": ranking["名次"],
            "区县": ranking[S.COUNTY],
            "完成率(%)": _pct(ranking[M.RATE]),
            "偏差(个百分点)": _pct(ranking[M.GAP]),
            "状态": ranking[M.STATUS],
        }
    )
    drawn = data.assign(标注=data["完成率(%)"].map(lambda v: f"完成率{fixed(v)}%"))
    gaps = data["偏差(个百分点)"]
    lo, hi = min(_finite(gaps.min()), 0.0), max(_finite(gaps.max()), 0.0)
    room = max(hi - lo, 1.0) * 0.45  # space beyond the bars for their labels
    x = alt.X(
        "偏差(个百分点):Q",
        title=f"完成率与序时进度({round_half_up(schedule * 100, 1)}%)之差(个百分点)",
        scale=alt.Scale(domain=[lo - (room if lo < 0 else 0), hi + (room if hi > 0 else room / 2)]),
    )
    chosen = scope.counties
    y = alt.Y("区县:N", sort=data["区县"].tolist(), title=None, axis=_highlight_axis(chosen))
    base = alt.Chart(drawn).encode(y=y)
    bars = base.mark_bar(cornerRadiusEnd=3).encode(
        x=x,
        color=alt.Color("状态:N", scale=_status_scale(), title="状态"),
        tooltip=list(data.columns),
        **_highlight("区县", chosen),
    )
    text = {"fontSize": LABEL_SIZE - 1, "color": "#222"}
    ahead = base.transform_filter("datum['偏差(个百分点)'] >= 0").mark_text(
        align="left", dx=6, **text
    )
    behind = base.transform_filter("datum['偏差(个百分点)'] < 0").mark_text(
        align="right", dx=-6, **text
    )
    labels = (ahead + behind).encode(x=x, text="标注:N", **_highlight("区县", chosen))
    rule = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#333").encode(x="x:Q")
    height = max(200, 36 * len(data))
    return _finish(
        "county_ranking",
        RANKING_TITLE,
        scope,
        bars + rule + labels,
        data,
        height=height,
        subtitle=scope.highlight_lines(),
    )


def comparison(
    frame: pd.DataFrame,
    by: str,
    scope: Scope,
    schedule: float,
    key: str,
    title: str,
    highlight: tuple[str, ...] = (),
) -> ChartOut:
    """完成率 by county or sector as horizontal bars (names stay legible on any screen), with the
    序时进度 line across and each bar's rate in a column of its own at the right, where the
    line never strikes through it. `highlight` names the bars to stand out (the others dim)."""
    data = pd.DataFrame(
        {
            by: frame[by],
            "完成率(%)": _pct(frame[M.RATE]),
            "累计完成(亿元)": _yi(frame[M.DONE]),
            "年度计划(亿元)": _yi(frame[M.PLAN]),
            "项目数": frame[M.COUNT],
        }
    )
    line_value = round_half_up(schedule * 100, 1)
    # No bar at all (a scope without annual projects) or no rate: the axis still runs to the
    # 序时进度 line, and to 1% at least, never to NaN.
    top = max(max(_finite(data["完成率(%)"].max()), line_value) * 1.1, 1.0)
    label_at = top * 1.2  # the labels' column, right of every bar and of the line
    x = alt.X(
        "完成率(%):Q",
        title="完成率(%)",
        scale=alt.Scale(domain=[0, label_at]),
        axis=alt.Axis(values=_ticks(top)),
    )
    y = alt.Y(f"{by}:N", sort=None, title=None, axis=_highlight_axis(highlight))
    bars = (
        alt.Chart(data)
        .mark_bar(color=PRIMARY, cornerRadiusEnd=3)
        .encode(y=y, x=x, tooltip=list(data.columns), **_highlight(by, highlight))
    )
    text = (
        alt.Chart(data)
        .mark_text(align="right", fontSize=LABEL_SIZE, color="#222")
        .encode(
            y=y,
            x=alt.datum(label_at),
            text=alt.Text("完成率(%):Q", format=".1f"),
            **_highlight(by, highlight),
        )
    )
    rule_data = pd.DataFrame({"序时进度(%)": [line_value], "label": [f"序时进度{line_value}%"]})
    rule = (
        alt.Chart(rule_data)
        .mark_rule(color=TARGET, strokeDash=[6, 4], size=2)
        .encode(x="序时进度(%):Q")
    )
    rule_text = (
        alt.Chart(rule_data)
        .mark_text(align="center", baseline="bottom", y=0, dy=-4, color=TARGET, fontSize=LABEL_SIZE)
        .encode(x="序时进度(%):Q", text="label:N")
    )
    height = max(160, 36 * len(data))
    subtitle = scope.highlight_lines() if by == S.COUNTY else None
    return _finish(
        key, title, scope, bars + text + rule + rule_text, data, height=height, subtitle=subtitle
    )


def _finite(value, default: float = 0.0) -> float:
    """A figure for an axis's extent: `default` for the NaN of an empty or all-missing column
    (the maximum of no rates), which no axis can be drawn to."""
    value = float(value)
    return value if math.isfinite(value) else default


def _ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 up to `top` (1, 2, 5 × 10ⁿ steps); [0] for a `top` that is
    not a positive number."""
    if not math.isfinite(top) or top <= 0:
        return [0.0]
    raw = top / count
    step = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * step:
            step *= m
            break
    return [round(i * step, 6) for i in range(int(top // step) + 1)]


def sector_composition(frame: pd.DataFrame, scope: Scope) -> ChartOut:
    """Projects with an annual plan by 行业领域: total investment, with the count on each bar."""
    data = pd.DataFrame(
        {
            "行业领域": frame[S.SECTOR],
            "项目数": frame[M.COUNT],
            "总投资(亿元)": _yi(frame[M.TOTAL]),
            "年度计划(亿元)": _yi(frame[M.PLAN]),
        }
    )
    # Made row by row: an empty frame's columns would not add up as text (no sector at all).
    data["标注"] = [
        f"{n}个 · {v:.1f}亿元" for n, v in zip(data["项目数"], data["总投资(亿元)"], strict=True)
    ]
    base = alt.Chart(data).encode(y=alt.Y("行业领域:N", sort=None, title=None))
    bars = base.mark_bar(color=PRIMARY, cornerRadiusEnd=3).encode(
        x=alt.X("总投资(亿元):Q", title="总投资(亿元)"), tooltip=list(data.columns[:4])
    )
    text = base.mark_text(align="left", dx=6, fontSize=LABEL_SIZE, color="#222").encode(
        x="总投资(亿元):Q", text="标注:N"
    )
    return _finish(
        "sector_composition",
        "年度投资项目行业构成",
        scope,
        bars + text,
        data.drop(columns="标注"),
        height=max(180, 48 * len(data)),
    )


def funding_by_source(frame: pd.DataFrame, scope: Scope) -> ChartOut:
    data = pd.DataFrame(
        {"资金来源": frame[S.FUNDING_SOURCE], "落实金额(亿元)": _yi(frame[M.AMOUNT])}
    )
    base = alt.Chart(data).encode(y=alt.Y("资金来源:N", sort=None, title=None))
    bars = base.mark_bar(cornerRadiusEnd=3).encode(
        x=alt.X("落实金额(亿元):Q", title="已落实资金(亿元)"),
        color=alt.Color("资金来源:N", scale=funding_scale(data["资金来源"].tolist()), legend=None),
        tooltip=list(data.columns),
    )
    text = base.mark_text(align="left", dx=6, fontSize=LABEL_SIZE, color="#222").encode(
        x="落实金额(亿元):Q", text=alt.Text("落实金额(亿元):Q", format=".1f")
    )
    return _finish(
        "funding_by_source",
        "已落实项目资金来源",
        scope,
        bars + text,
        data,
        height=max(160, 48 * len(data)),
    )


def cumulative(
    frame: pd.DataFrame,
    scope: Scope,
    title: str = "累计完成投资与年度计划",
    key: str = "cumulative",
) -> ChartOut:
    # One unit, 亿元, as on the cards; under 10亿元 (one project, a small county) with two
    # decimals, where one would round 0.05亿元 to 0.1.
    small = frame[M.VALUE].abs().max() < 10 * WAN_PER_YI if len(frame) else False
    digits = 2 if small else 1
    amount = "金额(亿元)"
    data = pd.DataFrame(
        {
            "月份": frame[M.MONTH_NO].map(lambda m: f"{m}月"),
            "系列": frame[M.SERIES],
            amount: (frame[M.VALUE] / WAN_PER_YI).map(lambda v: round_half_up(v, digits)),
        }
    )
    months = [f"{m}月" for m in range(1, 13)]
    styles = {M.THIS_YEAR: (PRIMARY, [1, 0]), M.LAST_YEAR: (SECONDARY, [1, 0]),
              M.PLAN_LINE: (TARGET, [6, 4])}  # fmt: skip
    series = present_in_order(styles, data["系列"])  # the legend lists what is drawn
    colors = alt.Scale(domain=series, range=[styles[k][0] for k in series])
    dash = alt.Scale(domain=series, range=[styles[k][1] for k in series])
    lines = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=60), strokeWidth=3)
        .encode(
            x=alt.X(
                "月份:N",
                sort=months,
                scale=alt.Scale(domain=months),
                title=None,
                axis=alt.Axis(labelAngle=0),
            ),
            # All zero (a ledger of blank amounts): a 0–1 axis, not one tick "0.000000".
            y=alt.Y(
                f"{amount}:Q",
                title="累计金额(亿元)",
                scale=alt.Scale(domain=[0, 1]) if not data[amount].any() else alt.Undefined,
            ),
            color=alt.Color("系列:N", scale=colors, title=None),
            strokeDash=alt.StrokeDash("系列:N", scale=dash, title=None),
            tooltip=list(data.columns),
        )
    )
    last = data.loc[data["系列"] == M.THIS_YEAR].tail(1)
    # The latest value above its point, centred: clear of the axis labels below and, at
    # December, of the chart's right edge.
    label = (
        alt.Chart(last)
        .mark_text(
            align="center",
            baseline="bottom",
            dy=-12,
            fontSize=LABEL_SIZE,
            fontWeight="bold",
            color=PRIMARY,
        )
        .encode(
            x=alt.X("月份:N", sort=months),
            y=f"{amount}:Q",
            text=alt.Text(f"{amount}:Q", format=f".{digits}f"),
        )
    )
    return _finish(key, title, scope, lines + label, data)


def fai_growth(frame: pd.DataFrame, scope: Scope) -> ChartOut:
    """Monthly cumulative year-on-year growth of fixed-asset investment by category."""
    data = pd.DataFrame(
        {
            "期间": frame[S.PERIOD].map(lambda k: Period.parse(k).label),
            "_order": frame[S.PERIOD],
            "指标": frame[S.INDICATOR].str.replace("增速", "", regex=False),
            "累计同比增长(%)": frame[S.VALUE],
        }
    )
    order = data.sort_values("_order")["期间"].drop_duplicates().tolist()
    names = data["指标"].drop_duplicates().tolist()
    lines = (
        alt.Chart(data)
        .mark_line(point=True, strokeWidth=3)
        .encode(
            x=alt.X("期间:N", sort=order, title=None, axis=alt.Axis(labelAngle=-40)),
            y=alt.Y("累计同比增长(%):Q", title="累计同比增长(%)"),
            color=alt.Color(
                "指标:N", scale=alt.Scale(domain=names, range=SERIES_COLORS), title=None
            ),
            tooltip=["期间", "指标", "累计同比增长(%)"],
        )
    )
    targets = frame.dropna(subset=[S.TARGET]).drop_duplicates(S.TARGET, keep="last")
    layers = lines
    if len(targets):
        t = pd.DataFrame({"目标(%)": [float(targets[S.TARGET].iloc[-1])]})
        t["label"] = t["目标(%)"].map(lambda v: f"全年目标{v:.1f}%")
        layers = (
            lines
            + alt.Chart(t).mark_rule(color=TARGET, strokeDash=[6, 4], size=2).encode(y="目标(%):Q")
            + alt.Chart(t)
            .mark_text(align="left", baseline="top", dy=4, x=4, color=TARGET, fontSize=LABEL_SIZE)
            .encode(y="目标(%):Q", text="label:N")
        )
    # City statistics: the project filters do not apply, and the subtitle must not say they do.
    city = Scope(scope.period, level=None)
    return _finish("fai_growth", "固定资产投资累计同比增速", city, layers,
                   data.drop(columns="_order"), subtitle=["全市统计数据", scope.period.as_of])  # fmt: skip


def problems(
    frame: pd.DataFrame,
    by: str,
    scope: Scope,
    key: str,
    title: str,
    highlight: tuple[str, ...] = (),
) -> ChartOut:
    """Problems by type or county, 未解决 stacked on 已解决, as horizontal bars; `highlight`
    names the rows to stand out (by county: the whole city, the filter's counties)."""
    data = pd.DataFrame({by: frame[by], "状态": frame[M.STATUS], "问题数": frame[M.COUNT]})
    order = data[by].drop_duplicates().tolist()
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y(f"{by}:N", sort=order, title=None, axis=_highlight_axis(highlight)),
            x=alt.X(
                "问题数:Q",
                title="问题数(个)",
                stack="zero",
                axis=alt.Axis(tickMinStep=1, format="d"),  # counts: no 0.2, 0.4 …
            ),
            color=alt.Color(
                "状态:N",
                scale=alt.Scale(domain=["未解决", "已解决"], range=[TARGET, SECONDARY]),
                title=None,
            ),
            order=alt.Order("状态:N", sort="descending"),
            tooltip=list(data.columns),
            **_highlight(by, highlight),
        )
    )
    subtitle = scope.highlight_lines() if highlight else None
    return _finish(
        key, title, scope, bars, data, height=max(160, 34 * len(order)), subtitle=subtitle
    )


def funding_by_county(
    frame: pd.DataFrame, scope: Scope, counties: list[str], highlight: tuple[str, ...] = ()
) -> ChartOut:
    data = pd.DataFrame(
        {
            "区县": frame[S.COUNTY],
            "资金来源": frame[S.FUNDING_SOURCE],
            "落实金额(亿元)": _yi(frame[M.AMOUNT]),
        }
    )
    sources = present_in_order(settings.current().funding_sources, data["资金来源"])
    order = present_in_order(counties, data["区县"])
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("区县:N", sort=order, title=None, axis=_highlight_axis(highlight)),
            x=alt.X("落实金额(亿元):Q", title="已落实资金(亿元)"),
            color=alt.Color("资金来源:N", scale=funding_scale(sources), title=None),
            tooltip=list(data.columns),
            **_highlight("区县", highlight),
        )
    )
    subtitle = scope.highlight_lines() if highlight else None
    return _finish("funding_by_county", "各区县已落实资金", scope, bars, data,
                   height=max(160, 34 * len(order)), subtitle=subtitle)  # fmt: skip


def project_curve(frame: pd.DataFrame, scope: Scope, name: str) -> ChartOut:
    return cumulative(frame, scope, title=f"{name}:累计完成与计划", key="project_curve")


def legend(items: list[tuple[str, str]], title: str, size: int = 14) -> alt.TopLevelMixin:
    """A one-line colour key (the map has none of its own): a swatch, then its label, in
    `size` px type (PROJECTOR_MIN_SIZE or more in 汇报模式)."""
    data = pd.DataFrame(
        {"i": range(len(items)), "label": [i[0] for i in items], "color": [i[1] for i in items]}
    )
    x = alt.X("i:O", axis=None, scale=alt.Scale(paddingOuter=0, paddingInner=0, align=0))
    swatch = (
        alt.Chart(data)
        .mark_square(size=size * 16, opacity=1)
        .encode(x=x, color=alt.Color("color:N", scale=None, legend=None))
    )
    label = (
        alt.Chart(data)
        .mark_text(align="left", dx=size - 2, fontSize=size, color="#222")
        .encode(x=x, text="label:N")
    )
    return (
        (swatch + label)
        .properties(title=title, height=size * 3, width=alt.Step(size * 11))
        .configure(
            font=FONT,
            # Room above the title for its tallest glyphs: at projector sizes a 4 px top
            # padding cut the tops of the title's characters.
            padding={"top": 4 + size // 2, "bottom": 4, "left": 8, "right": 8},
            autosize=alt.AutoSizeParams(type="pad", contains="padding"),
        )
        .configure_title(fontSize=size, anchor="start", offset=6, baseline="top")
        .configure_view(stroke=None)
    )


# --- The monthly cycle: 预警, 红黑榜, 节点计划 ---------------------------------------------------

# Alert levels: the status colours of 严重滞后 and 滞后, so red and amber mean one thing everywhere.
LEVEL_COLORS = {
    "红色": status.COLORS[status.SERIOUSLY_BEHIND],
    "黄色": status.COLORS[status.BEHIND],
}
LIST_COLORS = {"红榜": "#c62828", "黑榜": "#222222", "": "#9aa7b8"}  # 红榜 red, 黑榜 black


def alerts_by_county(
    frame: pd.DataFrame, scope: Scope, counties: list[str], highlight: tuple[str, ...] = ()
) -> ChartOut:
    """Alerts by county, red stacked before yellow (core.figures.alerts.counts_by_county of
    the whole city; the filter's counties highlighted)."""
    data = pd.DataFrame(
        {"区县": frame[S.COUNTY], "预警级别": frame["预警级别"], "预警数": frame["预警数"]}
    )
    order = present_in_order(counties, data["区县"])
    bars = (
        alt.Chart(data.assign(先后=(data["预警级别"] != "红色").astype(int)))
        .mark_bar()
        .encode(
            y=alt.Y("区县:N", sort=order, title=None, axis=_highlight_axis(highlight)),
            x=alt.X(
                "预警数:Q",
                title="预警数(条)",
                stack="zero",
                axis=alt.Axis(tickMinStep=1, format="d"),
            ),
            color=alt.Color(
                "预警级别:N",
                title=None,
                scale=alt.Scale(domain=list(LEVEL_COLORS), range=list(LEVEL_COLORS.values())),
            ),
            order=alt.Order("先后:Q"),  # red from the axis, then yellow
            tooltip=list(data.columns),
            **_highlight("区县", highlight),
        )
    )
    subtitle = scope.highlight_lines() if highlight else None
    return _finish(
        "alerts_by_county",
        "各区县预警数",
        scope,
        bars,
        data,
        height=max(160, 34 * len(order)),
        subtitle=subtitle,
    )


def unit_ranking(frame: pd.DataFrame, scope: Scope, title: str, value_title: str) -> ChartOut:
    """The 红黑榜: each unit's ranking value, best at the top, coloured by its list (红榜 red,
    黑榜 black, others grey); an excused unit says so at its bar."""
    data = pd.DataFrame(
        {
            "名次": frame["名次"],
            "单位": frame["单位"],
            value_title: frame["排名值"],
            "榜单": frame["榜单"],
            "豁免": frame["豁免原因"].map(lambda r: "已豁免" if r else ""),
        }
    )
    labels = data.assign(
        标注=data["名次"].map("第{}名".format) + data["豁免"].map(lambda r: f"({r})" if r else "")
    )
    values = data[value_title]
    lo, hi = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
    room = max(hi - lo, 1.0) * 0.35
    x = alt.X(
        f"{value_title}:Q",
        title=value_title,
        scale=alt.Scale(domain=[lo - (room if lo < 0 else 0), hi + room]),
    )
    base = alt.Chart(labels).encode(y=alt.Y("单位:N", sort=data["单位"].tolist(), title=None))
    bars = base.mark_bar(cornerRadiusEnd=3).encode(
        x=x,
        color=alt.Color(
            "榜单:N",
            title=None,
            scale=alt.Scale(domain=["红榜", "黑榜", ""], range=list(LIST_COLORS.values())),
            legend=alt.Legend(labelExpr="datum.label || '其他'"),
        ),
        tooltip=list(data.columns),
    )
    text = {"fontSize": LABEL_SIZE - 1, "color": "#222"}
    right = base.transform_filter(f"datum['{value_title}'] >= 0").mark_text(
        align="left", dx=6, **text
    )
    left = base.transform_filter(f"datum['{value_title}'] < 0").mark_text(
        align="right", dx=-6, **text
    )
    notes = (right + left).encode(x=x, text="标注:N")
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#333").encode(x="x:Q")
    return _finish(
        "unit_ranking", title, scope, bars + zero + notes, data, height=max(200, 36 * len(data))
    )


def rank_history(history: pd.DataFrame, scope: Scope, title: str) -> ChartOut:
    """Each unit's place month by month this year, first place at the top, the units named at
    the end of their lines (units sharing a place in one label)."""
    # Months in time order (January's place follows last December's): a label per month,
    # the year named for a month of another year than the latest.
    months = history["月份"].astype(str)
    year = months.max()[:4] if len(months) else ""
    order = sorted(months.unique())
    label = {m: (f"{int(m[5:7])}月" if m[:4] == year else f"{m[:4]}年{int(m[5:7])}月")
             for m in order}  # fmt: skip
    data = pd.DataFrame(
        {"单位": history["单位"], "月份": months.map(label), "名次": history["名次"]}
    )
    last = data.loc[months == (order[-1] if order else "")]
    last = last.groupby("名次", as_index=False).agg(
        月份=("月份", "first"), 单位=("单位", "、".join)
    )
    places = int(data["名次"].max()) if len(data) else 1
    x = alt.X("月份:O", title=None, sort=[label[m] for m in order], axis=alt.Axis(labelAngle=0))
    y = alt.Y(
        "名次:Q",
        title="名次",
        scale=alt.Scale(domain=[places + 0.5, 0.5], nice=False),
        axis=alt.Axis(values=list(range(1, places + 1)), format="d", labelOverlap=False),
    )
    # Ten counties need ten colours that stay apart: Tableau's ten.
    color = alt.Color("单位:N", legend=None, scale=alt.Scale(scheme="tableau10"))
    lines = (
        alt.Chart(data)
        .mark_line(point=True, strokeWidth=3)
        .encode(x=x, y=y, color=color, tooltip=list(data.columns))
    )
    names = (
        alt.Chart(last)
        .mark_text(align="left", dx=10, fontSize=LABEL_SIZE, color="#222")
        .encode(x=x, y=y, text="单位:N")
    )
    return _finish("rank_history", title, scope, lines + names, data, height=max(220, 30 * places))


def _month_start(months: pd.Series) -> pd.Series:
    return pd.to_datetime(months + "-01", format="%Y-%m-%d")


def _month_end(months: pd.Series) -> pd.Series:
    return _month_start(months) + pd.offsets.MonthBegin(1)


_TIME_AXIS = alt.Axis(format="%Y年%-m月", labelAngle=0, tickCount=6, title=None)


def _today_line(scope: Scope) -> alt.LayerChart:
    when = pd.DataFrame(
        {"日期": [_month_end(pd.Series([scope.period.key])).iloc[0]], "说明": [scope.period.as_of]}
    )
    rule = alt.Chart(when).mark_rule(color=TARGET, strokeDash=[6, 4], size=2).encode(x="日期:T")
    label = (
        alt.Chart(when)
        .mark_text(align="left", baseline="top", dx=4, y=2, color=TARGET, fontSize=LABEL_SIZE)
        .encode(x="日期:T", text="说明:N")
    )
    return rule + label


def _state_scale() -> alt.Scale:
    return alt.Scale(domain=list(milestones.COLORS), range=list(milestones.COLORS.values()))


def gantt_project(nodes: pd.DataFrame, scope: Scope, name: str) -> ChartOut:
    """挂图作战 of one project: a bar per node from the previous node's planned month to its
    own, in its state's colour (逾期未完成 in the warning colour), a diamond where it was
    reached, and the period's line (core.figures.milestones.project_nodes)."""
    data = pd.DataFrame(
        {
            "节点": nodes[S.NODE],
            "计划完成": nodes[S.NODE_PLANNED],
            "实际完成": nodes[S.NODE_ACTUAL],
            "节点状态": nodes["节点状态"],
        }
    )
    drawn = data.assign(
        开始=_month_start(nodes["阶段开始"]),
        结束=_month_end(nodes[S.NODE_PLANNED]),
        实际=_month_start(nodes[S.NODE_ACTUAL].where(nodes[S.NODE_ACTUAL] != ""))
        + pd.Timedelta(days=14),
    )
    y = alt.Y("节点:N", sort=data["节点"].tolist(), title=None)
    color = alt.Color("节点状态:N", scale=_state_scale(), title=None)
    tips = ["节点", "计划完成", "实际完成", "节点状态"]
    bars = (
        alt.Chart(drawn)
        .mark_bar(cornerRadius=3, opacity=0.75, height=22)
        .encode(x=alt.X("开始:T", axis=_TIME_AXIS), x2="结束:T", y=y, color=color, tooltip=tips)
    )
    done = (
        alt.Chart(drawn.loc[drawn["实际完成"] != ""])
        .mark_point(shape="diamond", size=260, filled=True, color="#111")
        .encode(x="实际:T", y=y, tooltip=tips)
    )
    return _finish(
        "gantt_project",
        f"{name}:节点计划",
        scope,
        bars + done + _today_line(scope),
        data,
        height=max(160, 48 * len(data)),
    )


def gantt_county(nodes: pd.DataFrame, scope: Scope) -> ChartOut:
    """挂图作战 of a county's projects: each project's planned span as a light bar, its nodes at
    their planned months in their state's colour, a diamond where each was reached, and the
    period's line (core.figures.milestones.county_nodes)."""
    data = pd.DataFrame(
        {
            "项目名称": nodes[S.NAME],
            "节点": nodes[S.NODE],
            "计划完成": nodes[S.NODE_PLANNED],
            "实际完成": nodes[S.NODE_ACTUAL],
            "节点状态": nodes["节点状态"],
        }
    )
    order = data["项目名称"].drop_duplicates().tolist()
    spans = nodes.groupby(S.NAME, sort=False)[S.NODE_PLANNED].agg(["min", "max"]).reset_index()
    spans = pd.DataFrame(
        {
            "项目名称": spans[S.NAME],
            "开始": _month_start(spans["min"]),
            "结束": _month_end(spans["max"]),
        }
    )
    drawn = data.assign(计划=_month_start(data["计划完成"]) + pd.Timedelta(days=14))
    y = alt.Y("项目名称:N", sort=order, title=None, axis=alt.Axis(labelLimit=360))
    tips = ["项目名称", "节点", "计划完成", "实际完成", "节点状态"]
    span = (
        alt.Chart(spans)
        .mark_bar(color="#dfe4ea", height=14, cornerRadius=3)
        .encode(x=alt.X("开始:T", axis=_TIME_AXIS), x2="结束:T", y=y)
    )
    planned = (
        alt.Chart(drawn)
        .mark_point(size=150, filled=True, opacity=0.9)
        .encode(
            x="计划:T",
            y=y,
            color=alt.Color("节点状态:N", scale=_state_scale(), title=None),
            tooltip=tips,
        )
    )
    reached = drawn.loc[drawn["实际完成"] != ""].assign(
        实际=lambda d: _month_start(d["实际完成"]) + pd.Timedelta(days=14)
    )
    done = (
        alt.Chart(reached)
        .mark_point(shape="diamond", size=90, filled=True, color="#111")
        .encode(x="实际:T", y=y, tooltip=tips)
    )
    return _finish(
        "gantt_county",
        f"{scope.place}项目节点计划",
        scope,
        span + planned + done + _today_line(scope),
        data,
        height=max(180, 30 * len(order)),
    )
