"""The project map as deck.gl JSON (read by st.pydeck_chart): county polygons shaded by a measure,
projects as points, the counties' names, all in ONE GeoJsonLayer.

No basemap and no outside request by default (map_provider=None). Only the fields drawn are
sent: rounded coordinates, a colour, a radius and two tooltip strings per point.

One layer, because the browser's drawing, not the data, is what a filter change on this page
waits for: in the benchmark's software-rendered Chromium the deck's GPU work on a filter change
was 0.5-1.7 s with the names as a TextLayer with an outline (a second pass of the text), and
0.18-0.21 s with the names as text points of the one layer, their white halo drawn as eight
offset copies in the same pass (issue 25, item 4; the figures are in the commit message)."""

from __future__ import annotations

import itertools
import json
import math
import os
from dataclasses import dataclass

import pandas as pd
import pydeck as pdk

from core.base import schema as S
from core.base import settings
from core.base.formatting import pct, schedule_phrase, signed_points, yi
from core.base.geo import Boundaries
from core.figures import measures as M
from core.figures import status

TILE_URL_SETTING = "BRIEFING_TILE_URL"  # e.g. http://gis.intranet/tiles/{z}/{x}/{y}.png
# pydeck turns every string into a JS expression, so the font list is quoted once more.
LABEL_FONT = "'Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif'"
NO_DATA = (215, 219, 224)
# Counties outside a county filter: near-white with a grey outline, so they read as "not part of
# this view" and never as the grey of 无年度计划.
OUT_OF_SCOPE = (250, 250, 250)
OUT_OF_SCOPE_LINE = (150, 150, 150)
OUT_OF_SCOPE_TEXT = (120, 120, 120)
OUT_OF_SCOPE_LABEL = "不在筛选范围"
# Colour stops: 完成率 from pale to the office blue; the gap from red (behind) to green (ahead).
RATE_STOPS = ((0.0, (222, 235, 247)), (1.0, (31, 78, 156)))
GAP_STOPS = ((-0.15, (198, 40, 40)), (0.0, (245, 245, 245)), (0.15, (27, 127, 90)))

METRIC_RATE = "完成率"
METRIC_GAP = "与序时进度之差"
METRICS = (METRIC_RATE, METRIC_GAP)
MAP_LAYER = "map"  # the id of the deck's one layer (a selection names it)
# The names' white halo: eight copies offset around each name, drawn before it in the same pass
# of the text (a TextLayer's outline is a second pass: see the module's doc), in pixels per
# pixel of the type's size.
HALO_OFFSETS = tuple((dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if dx or dy)
HALO_PER_PX = 1 / 12
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)
POINT_ALPHA = 212  # 235 × the points' former layer opacity 0.9
NO_PLAN_ALPHA = 99  # 110 × 0.9: projects with no plan this year recede


class DeckSpec:
    """What st.pydeck_chart reads of a pydeck Deck: its JSON (`to_json()`, made once and kept
    for every session that shows the map) and its tooltip."""

    mapbox_key = None
    layers = ()

    def __init__(self, spec: str, tooltip: dict) -> None:
        self.spec = spec
        self._tooltip = tooltip

    def to_json(self) -> str:
        return self.spec


@dataclass(frozen=True)
class MapOut:
    deck: DeckSpec
    legend: list[tuple[str, str]]  # (label, #rrggbb) for the colour key
    legend_title: str
    points_shown: int
    points_total: int
    points_without_coordinates: int
    counties_without_polygon: list[str]  # counties named by projects but absent from the file
    # The drawn points' project codes in the order of the points' data: a selection names a
    # point by its index (selected_code), so no code is sent to the browser.
    codes: tuple[str, ...] = ()


def _blend(stops, x: float) -> tuple[int, int, int]:
    x = min(max(x, stops[0][0]), stops[-1][0])
    for (x0, c0), (x1, c1) in itertools.pairwise(stops):
        if x <= x1:
            t = 0 if x1 == x0 else (x - x0) / (x1 - x0)
            return tuple(round(a + (b - a) * t) for a, b in zip(c0, c1, strict=True))
    return stops[-1][1]


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*tuple(rgb))


def county_color(metric: str, rate: float, gap: float, max_rate: float) -> tuple[int, int, int]:
    if rate is None or (isinstance(rate, float) and math.isnan(rate)):
        return NO_DATA
    if metric == METRIC_GAP:
        return _blend(GAP_STOPS, gap)
    return _blend(RATE_STOPS, rate / max_rate if max_rate > 0 else 0)


def _legend(
    metric: str, max_rate: float, filtered: bool = False
) -> tuple[str, list[tuple[str, str]]]:
    title, items = _scale_legend(metric, max_rate)
    items.append(("无年度计划", _hex(NO_DATA)))
    if filtered:
        items.append((OUT_OF_SCOPE_LABEL, _hex(OUT_OF_SCOPE)))
    return title, items


def _scale_legend(metric: str, max_rate: float) -> tuple[str, list[tuple[str, str]]]:
    if metric == METRIC_GAP:
        items = [
            (
                f"{'落后' if g < 0 else '超'}{abs(g) * 100:.0f}个百分点" if g else "持平",
                _hex(_blend(GAP_STOPS, g)),
            )
            for g in (-0.15, -0.075, 0.0, 0.075, 0.15)
        ]
        return "区县底色:完成率与序时进度之差", items
    items = [(pct(max_rate * f), _hex(_blend(RATE_STOPS, f))) for f in (0, 0.25, 0.5, 0.75, 1)]
    return "区县底色:完成率", items


def county_value(metric: str, rate: float, gap: float) -> str:
    """The figure written on a county: "7.4%" or "落后2.4" (points), as the colour encodes."""
    if metric == METRIC_GAP:
        return schedule_phrase(gap).replace("序时进度", "").replace("个百分点", "")
    return pct(rate)


# The map's box on screen, in pixels: the narrowest it gets (1366×768 with the sidebar open).
VIEW_WIDTH, VIEW_HEIGHT = 820, 560


def view_of(
    boundaries: Boundaries,
    counties: list[str] | None = None,
    width: int = VIEW_WIDTH,
    height: int = VIEW_HEIGHT,
    located: pd.DataFrame | None = None,
) -> pdk.ViewState:
    """Centre and zoom that fit `counties` (all when None or empty) into width × height; the
    projects' points (lon, lat) where the data have no boundary file."""
    chosen = [c for c in boundaries.counties if not counties or c.name in counties]
    points = [pt for c in chosen or boundaries.counties for poly in c.polygons for pt in poly[0]]
    if not points and located is not None and len(located):
        points = list(zip(located["lon"], located["lat"], strict=True))
    xs, ys = [pt[0] for pt in points], [pt[1] for pt in points]
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    span_x, span_y = max(x1 - x0, 1e-3), max(y1 - y0, 1e-3)
    # Web Mercator in deck.gl: 512 px span 360° of longitude at zoom 0; a degree of latitude is longer by
    # 1/cos(lat). A margin of 15% keeps the outline and the labels inside the box.
    lat = math.radians((y0 + y1) / 2)
    zoom_x = math.log2(width * 360 / (512 * span_x * 1.15))
    zoom_y = math.log2(height * 360 * math.cos(lat) / (512 * span_y * 1.15))
    return pdk.ViewState(longitude=(x0 + x1) / 2, latitude=(y0 + y1) / 2, zoom=min(zoom_x, zoom_y))


def project_map(
    boundaries: Boundaries,
    ranking: pd.DataFrame,
    projects: pd.DataFrame,
    metric: str = METRIC_RATE,
    tile_url: str | None = None,
    counties: tuple[str, ...] | list[str] = (),
    view_size: tuple[int, int] = (VIEW_WIDTH, VIEW_HEIGHT),
    label_size: int = 18,
    max_points: int | None = None,
) -> MapOut:
    """`ranking` is measures.county_ranking, `projects` measures.projects_in_scope; `counties`
    the county filter (the view zooms to them, the others are drawn as outside the scope).

    At most `max_points` projects are drawn (the office's [map] max_points when None): the
    largest by 总投资, ties in the order of `projects`; MapOut says how many were left out."""
    # The settings read once: each point's figures are formatted to the published decimals,
    # a stat of the settings file per figure otherwise (a third of the build at 1,000 points).
    with settings.held() as own:
        return _project_map(
            boundaries, ranking, projects, metric, tile_url, counties, view_size, label_size,
            own.map_max_points if max_points is None else max_points,
        )  # fmt: skip


def _project_map(
    boundaries: Boundaries,
    ranking: pd.DataFrame,
    projects: pd.DataFrame,
    metric: str,
    tile_url: str | None,
    counties: tuple[str, ...] | list[str],
    view_size: tuple[int, int],
    label_size: int,
    max_points: int,
) -> MapOut:
    by_county = ranking.set_index(S.COUNTY)
    max_rate = float(ranking[M.RATE].max()) if len(ranking) else 0.0
    if math.isnan(max_rate):
        max_rate = 0.0
    counties_drawn, labels = [], []
    chosen = set(counties or ())
    halo = max(1.5, label_size * HALO_PER_PX)
    for c in boundaries.counties:
        row = by_county.loc[c.name] if c.name in by_county.index else None
        outside = bool(chosen) and c.name not in chosen
        line, text_color, label = (255, 255, 255), (20, 20, 20), c.name
        if outside:
            detail, rgb = OUT_OF_SCOPE_LABEL, OUT_OF_SCOPE
            line, text_color = OUT_OF_SCOPE_LINE, OUT_OF_SCOPE_TEXT
        elif row is None:
            detail, rgb = "本范围内无年度投资项目", NO_DATA
        else:
            rate, gap = float(row[M.RATE]), float(row[M.GAP])
            detail = (
                f"{int(row[M.COUNT])}个项目 · 完成{yi(row[M.DONE])} · 完成率{pct(rate)} · "
                f"{schedule_phrase(gap)}"
            )
            rgb = county_color(metric, rate, gap, max_rate)
            label = f"{c.name}\n{county_value(metric, rate, gap)}"  # two lines: narrow counties
        geometry = {"type": "MultiPolygon", "coordinates": [list(p) for p in c.polygons]}
        # Opaque: the fill is exactly the legend's swatch.
        tip = {"名称": c.name, "详情": detail}
        counties_drawn.append(
            {
                "geometry": geometry,
                "properties": {**tip, "fill": [*rgb, 255], "line": [*line, 255], "w": 2},
            }
        )
        # The name as text points: the halo's copies, then the name over them. Text is not
        # picked (a pointer over a name picks the county beneath it); the layer draws a circle
        # for every point, these a clear one of 3 px, the name's last, over its copies': only
        # the name's circle can be picked, so only it carries the county's tooltip.
        at = {"type": "Point", "coordinates": [round(c.center[0], 5), round(c.center[1], 5)]}
        for dx, dy in HALO_OFFSETS:
            offset = [round(dx * halo, 1), round(dy * halo, 1)]
            copy = {"label": label, "line": list(CLEAR), "tc": list(WHITE), "o": offset}
            labels.append({"geometry": at, "properties": copy})
        name = {**tip, "label": label, "line": list(CLEAR), "tc": [*text_color, 255]}
        labels.append({"geometry": at, "properties": name})

    has_xy = projects[S.LON].notna() & projects[S.LAT].notna()
    located = projects.loc[has_xy]
    shown = (
        located.nlargest(max_points, S.TOTAL_INVESTMENT) if len(located) > max_points else located
    )
    total_yi = shown[S.TOTAL_INVESTMENT] / 10_000
    if shown.empty:  # nothing in scope has coordinates
        points = pd.DataFrame(columns=["名称", "详情", "lon", "lat", "r", "c"])
    else:
        no_plan = shown[M.STATUS] == status.NO_PLAN
        points = pd.DataFrame(
            {
                "名称": shown[S.NAME],
                "详情": shown[S.COUNTY]
                + " · 总投资"
                + shown[S.TOTAL_INVESTMENT].map(yi)
                + " · "
                + shown[M.STATUS]
                + " · 完成率"
                + shown[M.RATE].map(pct)
                + "("
                + shown[M.GAP].map(signed_points)
                + ")",
                "lon": shown[S.LON].round(5),
                "lat": shown[S.LAT].round(5),
                # Area grows with investment: radius ∝ √(亿元), floored so small projects stay visible.
                "r": ((total_yi.clip(lower=0) ** 0.5 * 260 + 250)
                      * no_plan.map({True: 0.6, False: 1.0})).round(0),
                # Projects with no plan this year (reserve, submitted) recede: smaller, half transparent.
                "c": [
                    [*status.RGB[s], NO_PLAN_ALPHA if s == status.NO_PLAN else POINT_ALPHA]
                    for s in shown[M.STATUS]
                ],
            }
        )  # fmt: skip
    # The points first: a selection names a point by its index in the layer's data, so the
    # i-th feature is the i-th code of MapOut.codes.
    drawn_points = [
        {
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"名称": name, "详情": detail, "fill": rgba, "r": r},
        }
        for name, detail, lon, lat, r, rgba in zip(
            points["名称"], points["详情"], points["lon"].astype(float),
            points["lat"].astype(float), points["r"].astype(int), points["c"], strict=True,
        )
    ]  # fmt: skip

    view = view_of(boundaries, list(counties), *view_size, located=points)
    # The deck as the JSON deck.gl reads (pydeck's form), written once (pydeck would write it,
    # a compact form would parse and write it again). One GeoJsonLayer draws, in this order,
    # the county polygons, their outlines, the project points (circles) and the names (text),
    # whatever the order of its features: the names over the points.
    spec = {
        "initialViewState": {
            "latitude": view.latitude,
            "longitude": view.longitude,
            "zoom": view.zoom,
        },
        "layers": [
            {
                "@@type": "GeoJsonLayer",
                "data": drawn_points + counties_drawn + labels,
                "id": MAP_LAYER,
                "pickable": True,
                "filled": True,
                "stroked": True,
                "pointType": "circle+text",
                # accessor expressions take ASCII names only: "名称" draws nothing
                "getFillColor": f"@@=properties.fill || {list(CLEAR)}",
                "getLineColor": f"@@=properties.line || {list(WHITE)}",
                "lineWidthUnits": "pixels",
                "getLineWidth": "@@=properties.w || 1",
                "getPointRadius": "@@=properties.r || 0",
                "pointRadiusMinPixels": 3,
                "pointRadiusMaxPixels": 30,
                "getText": "@@=properties.label || ''",
                "getTextColor": f"@@=properties.tc || {list(CLEAR)}",
                "getTextPixelOffset": "@@=properties.o || [0, 0]",
                "getTextSize": label_size,
                "textCharacterSet": "auto",
                "textFontFamily": LABEL_FONT.strip("'"),
                "textFontSettings": {"sdf": True},
                "textFontWeight": "bold",
                "_subLayerProps": {"points-text": {"pickable": False}},
            }
        ],
        # map_provider None is the only setting that requests nothing from outside
        # (STACK-NOTES); a configured tile server becomes a raster style that the map library
        # draws beneath. Without one the style is pydeck's placeholder, which means "no
        # style": a missing one would make the frontend fetch Carto's style from the internet.
        **(
            {"mapProvider": "mapbox", "mapStyle": raster_style(tile_url)}
            if tile_url
            else {"mapStyle": "__MAP_STYLE__"}
        ),
        "views": [{"@@type": "MapView", "controller": True}],
    }
    deck = DeckSpec(
        json.dumps(spec, ensure_ascii=False, separators=(",", ":")),
        # text, not html: data never renders as markup
        {"text": "{名称}\n{详情}"},
    )
    title, legend = _legend(metric, max_rate, filtered=bool(chosen))
    # unique() first: a set of 100,000 strings iterated one by one took 73 ms, the unique 1 ms
    unmatched = sorted(set(projects[S.COUNTY].unique()) - set(boundaries.names))
    return MapOut(deck, legend, title, len(shown), len(located), int((~has_xy).sum()), unmatched,
                  tuple(shown[S.CODE].astype(str)))  # fmt: skip


def selected_code(event, codes: tuple[str, ...]) -> str | None:
    """The code of the project whose point is selected on st.pydeck_chart(on_select="rerun"),
    from the point's index in the layer's data (`codes`: MapOut.codes, the points come first);
    None when nothing is selected, or a county's polygon or name is (an index past the points)."""
    try:
        indices = (event or {}).get("selection", {}).get("indices", {}).get(MAP_LAYER, [])
    except AttributeError:
        return None
    if not indices:
        return None
    try:
        i = int(indices[0])
    except (TypeError, ValueError):
        return None
    return codes[i] if 0 <= i < len(codes) else None


def raster_style(tile_url: str) -> dict:
    """A one-layer map style of raster tiles from `tile_url` ({z}/{x}/{y} template)."""
    return {
        "version": 8,
        "sources": {"basemap": {"type": "raster", "tiles": [tile_url], "tileSize": 256}},
        "layers": [{"id": "basemap", "type": "raster", "source": "basemap"}],
    }


def configured_tile_url() -> str | None:
    url = os.environ.get(TILE_URL_SETTING, "").strip()
    return url or None


def _signed_area(ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2


def _d3_polygon(polygon) -> list:
    """A polygon with d3-geo's winding (outer ring clockwise, holes counter-clockwise), the
    opposite of GeoJSON's: with the GeoJSON winding d3 fills the whole globe instead."""
    out = []
    for i, ring in enumerate(polygon):
        ring = [list(pt) for pt in ring]
        clockwise = _signed_area(ring) < 0
        if clockwise != (i == 0):
            ring.reverse()
        out.append(ring)
    return out


def county_map_chart(
    boundaries: Boundaries, ranking: pd.DataFrame, scope, metric: str = METRIC_RATE
):
    """The counties as a picture (altair geoshape, drawn offline by vl-convert) for slides and
    documents: the same colours and labels as the screen's map, without the project points."""
    import altair as alt

    from core.output import charts

    by_county = ranking.set_index(S.COUNTY)
    max_rate = float(ranking[M.RATE].max()) if len(ranking) else 0.0
    max_rate = 0.0 if math.isnan(max_rate) else max_rate
    chosen = set(scope.counties)
    features, labels, rows = [], [], []
    for c in boundaries.counties:
        if chosen and c.name not in chosen:
            rgb, label, ink = OUT_OF_SCOPE, c.name, OUT_OF_SCOPE_TEXT
        elif c.name not in by_county.index:
            rgb, label, ink = NO_DATA, c.name, (20, 20, 20)
        else:
            row = by_county.loc[c.name]
            rate, gap = float(row[M.RATE]), float(row[M.GAP])
            rgb, ink = county_color(metric, rate, gap, max_rate), (20, 20, 20)
            label = f"{c.name} {county_value(metric, rate, gap)}"
            rows.append({"区县": c.name, "完成率": pct(rate), "与序时进度之差": signed_points(gap)})
        geometry = {"type": "MultiPolygon", "coordinates": [_d3_polygon(p) for p in c.polygons]}
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {"fill": _hex(rgb), "name": c.name,
                                        "line": _hex(OUT_OF_SCOPE_LINE if rgb == OUT_OF_SCOPE
                                                     else (255, 255, 255))}})  # fmt: skip
        labels.append({"lon": c.center[0], "lat": c.center[1], "label": label, "ink": _hex(ink)})
    shapes = (
        alt.Chart(alt.Data(values=features))
        .mark_geoshape(strokeWidth=1.5)
        .encode(
            color=alt.Color("properties.fill:N", scale=None),
            stroke=alt.Color("properties.line:N", scale=None),
        )
    )
    text = (
        alt.Chart(pd.DataFrame(labels))
        .mark_text(fontSize=charts.LABEL_SIZE, fontWeight="bold")
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            text="label:N",
            color=alt.Color("ink:N", scale=None),
        )
    )
    title, legend = _legend(metric, max_rate, filtered=bool(chosen))
    layered = (shapes + text).project("mercator")
    data = pd.DataFrame(rows, columns=["区县", "完成率", "与序时进度之差"])
    return charts._finish(
        "county_map", f"各区县{title.removeprefix('区县底色:')}", scope, layered, data,
        subtitle=[*scope.sentence_lines(),
                  "图例:" + " ".join(f"{label}" for label, _ in legend)],
    )  # fmt: skip
