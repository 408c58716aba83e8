"""The project map as a pydeck Deck: county polygons shaded by a measure, projects as points.

No basemap and no outside request by default (map_provider=None). Only the fields drawn are
sent: rounded coordinates, a colour, a radius and two tooltip strings per point.
"""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import dataclass

import pandas as pd
import pydeck as pdk

from core.data import schema as S
from core.data.geo import Boundaries
from core.figures import measures as M
from core.figures import status
from core.output.formatting import pct, schedule_phrase, signed_points, yi

# A projector shows a few thousand points at most; beyond this the largest projects are drawn
# and the page says how many were left out.
MAX_POINTS = 3000
TILE_URL_SETTING = "BRIEFING_TILE_URL"  # e.g. http://gis.intranet/tiles/{z}/{x}/{y}.png
# pydeck turns every string into a JS expression, so the font list is quoted once more.
LABEL_FONT = "'Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif'"
NO_DATA = (215, 219, 224)
# Colour stops: 完成率 from pale to the office blue; the gap from red (behind) to green (ahead).
RATE_STOPS = ((0.0, (222, 235, 247)), (1.0, (31, 78, 156)))
GAP_STOPS = ((-0.15, (198, 40, 40)), (0.0, (245, 245, 245)), (0.15, (27, 127, 90)))

METRIC_RATE = "完成率"
METRIC_GAP = "与序时进度之差"
METRICS = (METRIC_RATE, METRIC_GAP)


@dataclass(frozen=True)
class MapOut:
    deck: pdk.Deck
    legend: list[tuple[str, str]]  # (label, #rrggbb) for the colour key
    legend_title: str
    points_shown: int
    points_total: int
    points_without_coordinates: int
    counties_without_polygon: list[str]  # counties named by projects but absent from the file


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


def _legend(metric: str, max_rate: float) -> tuple[str, list[tuple[str, str]]]:
    if metric == METRIC_GAP:
        items = [
            (
                f"{'落后' if g < 0 else '超'}{abs(g) * 100:.0f}个百分点" if g else "持平",
                _hex(_blend(GAP_STOPS, g)),
            )
            for g in (-0.15, -0.075, 0.0, 0.075, 0.15)
        ]
        return "区县底色:完成率与序时进度之差", [*items, ("无年度计划", _hex(NO_DATA))]
    items = [(pct(max_rate * f), _hex(_blend(RATE_STOPS, f))) for f in (0, 0.25, 0.5, 0.75, 1)]
    return "区县底色:完成率", [*items, ("无年度计划", _hex(NO_DATA))]


def _view(boundaries: Boundaries, points: pd.DataFrame, width: int = 900,
          height: int = 600) -> pdk.ViewState:  # fmt: skip
    """The view that holds the counties, or the points where there is no boundary file."""
    if boundaries.empty:
        x0, x1 = float(points["lon"].min()), float(points["lon"].max())
        y0, y1 = float(points["lat"].min()), float(points["lat"].max())
    else:
        x0, y0, x1, y1 = boundaries.bounds()
    span_x, span_y = max(x1 - x0, 1e-3), max(y1 - y0, 1e-3)
    zoom = math.log2(min(width * 360 / (256 * span_x), height * 170 / (256 * span_y))) - 0.3
    return pdk.ViewState(longitude=(x0 + x1) / 2, latitude=(y0 + y1) / 2, zoom=zoom)


def project_map(
    boundaries: Boundaries,
    ranking: pd.DataFrame,
    projects: pd.DataFrame,
    metric: str = METRIC_RATE,
    tile_url: str | None = None,
) -> MapOut:
    """`ranking` is measures.county_ranking, `projects` measures.projects_in_scope."""
    by_county = ranking.set_index(S.COUNTY)
    max_rate = float(ranking[M.RATE].max()) if len(ranking) else 0.0
    if math.isnan(max_rate):
        max_rate = 0.0
    features = []
    labels = []
    for c in boundaries.counties:
        row = by_county.loc[c.name] if c.name in by_county.index else None
        if row is None:
            detail, rgb = "本范围内无年度投资项目", NO_DATA
        else:
            rate, gap = float(row[M.RATE]), float(row[M.GAP])
            detail = (
                f"{int(row[M.COUNT])}个项目 · 完成{yi(row[M.DONE])} · 完成率{pct(rate)} · "
                f"{schedule_phrase(gap)}"
            )
            rgb = county_color(metric, rate, gap, max_rate)
        geometry = {"type": "MultiPolygon", "coordinates": [list(p) for p in c.polygons]}
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {"名称": c.name, "详情": detail, "fill": [*rgb, 210]},
            }
        )
        labels.append({"label": c.name, "position": [round(c.center[0], 5), round(c.center[1], 5)]})

    has_xy = projects[S.LON].notna() & projects[S.LAT].notna()
    located = projects.loc[has_xy]
    shown = (
        located.nlargest(MAX_POINTS, S.TOTAL_INVESTMENT) if len(located) > MAX_POINTS else located
    )
    total_yi = shown[S.TOTAL_INVESTMENT] / 10_000
    if shown.empty:  # nothing in scope has coordinates
        points = pd.DataFrame(columns=["名称", "详情", "lon", "lat", "r", "c"])
    else:
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
                "r": (
                    (total_yi.clip(lower=0) ** 0.5 * 260 + 250)
                    * shown[M.STATUS].map(lambda s: 0.6 if s == status.NO_PLAN else 1.0)
                ).round(0),
                # Projects with no plan this year (reserve, submitted) recede: smaller, half transparent.
                "c": shown[M.STATUS].map(
                    lambda s: [*status.RGB[s], 110 if s == status.NO_PLAN else 235]
                ),
            }
        )

    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            data={"type": "FeatureCollection", "features": features},
            id="counties",
            pickable=True,
            stroked=True,
            filled=True,
            get_fill_color="properties.fill",
            get_line_color=[255, 255, 255],
            line_width_min_pixels=2,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            data=points,
            id="projects",
            pickable=True,
            get_position=["lon", "lat"],
            get_radius="r",
            get_fill_color="c",
            radius_min_pixels=3,
            radius_max_pixels=30,
            stroked=True,
            get_line_color=[255, 255, 255],
            line_width_min_pixels=1,
            opacity=0.9,
        ),
        pdk.Layer(
            "TextLayer",
            data=labels,
            id="county-names",
            pickable=False,
            get_position="position",
            get_text="label",  # accessor expressions take ASCII names only: "名称" draws nothing
            get_size=18,
            get_color=[20, 20, 20],
            font_family=LABEL_FONT,
            font_weight="'bold'",
            character_set="'auto'",
            outline_width=3,
            outline_color=[255, 255, 255],
            font_settings={"sdf": True},
        ),
    ]
    deck = pdk.Deck(
        layers=layers,
        initial_view_state=_view(boundaries, points),
        # map_provider=None is the only setting that requests nothing from outside (STACK-NOTES);
        # a configured tile server becomes a raster style that the map library draws beneath.
        **(
            {"map_provider": "mapbox", "map_style": raster_style(tile_url)}
            if tile_url
            # map_style left out: pydeck's placeholder means "no style"; None would make the
            # frontend fetch Carto's style from the internet.
            else {"map_provider": None}
        ),
        tooltip={"text": "{名称}\n{详情}"},  # text, not html: data never renders as markup
    )
    title, legend = _legend(metric, max_rate)
    unmatched = sorted(set(projects[S.COUNTY]) - set(boundaries.names))
    return MapOut(deck, legend, title, len(shown), len(located), int((~has_xy).sum()), unmatched)


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
