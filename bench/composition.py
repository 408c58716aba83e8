"""A page's composition, and the floor page made of it: what a filter change costs Streamlit
itself for a page of that size, with no work of the app's behind it.

A page's composition is read from an AppTest run of its default view (bench.apptest_pages), so
it follows the page as the page changes: the elements it sends (blocks included, counted as
tests/app/test_element_counts.py counts them), of which its vega-lite charts, its deck.gl map
(by the bytes of its JSON: what the browser parses and draws there is its points, not the one
element), its dataframes (rows × columns each) and its metric cards. `floor_path` turns it into
the URL of bench/floor_app.py that sends as many elements: as many charts (small ones, of ten
bars), a deck.gl map of as many KB of points, dataframes of as many rows and columns, as many
metric cards in rows of four, and the rest as one-line texts. Everything on the floor page
follows its one filter, so a filter change redraws it all, as it redraws the app's page.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

OWN_ELEMENTS = 2  # the floor page's sidebar multiselect and its title
CARDS_PER_ROW = 4
CHART_TYPES = ("vega_lite_chart", "arrow_vega_lite_chart")
MAP_TYPE = "deck_gl_json_chart"
FRAME_TYPES = ("dataframe", "arrow_data_frame")
CARD_TYPE = "metric"
KB = 1024


def elements(node) -> int:
    """The node and every node under it (tests/app/test_element_counts.py counts the same)."""
    children = getattr(node, "children", None) or {}
    return 1 + sum(elements(child) for child in children.values())


def card_elements(cards: int) -> int:
    """Elements sent for `cards` metric cards in rows of four: each row is a horizontal block
    of four columns (st.columns(4)) besides its cards."""
    return cards + math.ceil(cards / CARDS_PER_ROW) * (1 + CARDS_PER_ROW)


@dataclass(frozen=True)
class Composition:
    """What a page's default view sends."""

    elements: int  # every element, blocks included
    charts: int = 0  # vega-lite charts
    map_kb: int = 0  # the deck.gl map's JSON, in KB (rounded up); 0: no map
    frames: tuple[tuple[int, int], ...] = field(default=())  # each dataframe's rows, columns
    cards: int = 0  # metric cards

    @property
    def draws(self) -> str | None:
        """What must be on screen before the floor page counts as drawn (bench.browser.DRAWN):
        the map if there is one, else a chart if there is one, as for the app's pages."""
        return "map" if self.map_kb else "chart" if self.charts else None

    def to_json(self) -> dict:
        return {
            "elements": self.elements,
            "charts": self.charts,
            "map_kb": self.map_kb,
            "frames": [list(f) for f in self.frames],
            "cards": self.cards,
        }

    @classmethod
    def from_json(cls, data: dict) -> Composition:
        return cls(
            data["elements"],
            data.get("charts", 0),
            data.get("map_kb", 0),
            tuple((int(r), int(c)) for r, c in data.get("frames", ())),
            data.get("cards", 0),
        )

    def summary(self) -> str:
        """In words, for the report: e.g. "42 elements: 3 charts, 1 dataframe of 349×14"."""
        parts = []
        if self.charts:
            parts.append(f"{self.charts} chart{'s' if self.charts > 1 else ''}")
        if self.map_kb:
            parts.append(f"a map of {self.map_kb} KB")
        if self.frames:
            shapes = ", ".join(f"{r}×{c}" for r, c in self.frames)
            parts.append(f"{len(self.frames)} dataframe{'s' if len(self.frames) > 1 else ''} "
                         f"({shapes})")  # fmt: skip
        if self.cards:
            parts.append(f"{self.cards} card{'s' if self.cards > 1 else ''}")
        return f"{self.elements} elements" + (f": {', '.join(parts)}" if parts else "")


def of_tree(*roots) -> Composition:
    """The composition of an AppTest run's tree (pass `at.main, at.sidebar`): every node under
    the roots, the roots themselves not counted (they are not sent)."""
    counts = {"elements": 0, "charts": 0, "map_bytes": 0, "cards": 0}
    frames: list[tuple[int, int]] = []

    def walk(node) -> None:
        kind = getattr(node, "type", None)
        counts["elements"] += 1
        if kind in CHART_TYPES:
            counts["charts"] += 1
        elif kind == MAP_TYPE:
            counts["map_bytes"] += len(node.proto.json.encode())
        elif kind in FRAME_TYPES:
            frames.append(tuple(node.value.shape))
        elif kind == CARD_TYPE:
            counts["cards"] += 1
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)

    for root in roots:
        walk(root)
    return Composition(
        elements=counts["elements"] - len(roots),
        charts=counts["charts"],
        map_kb=math.ceil(counts["map_bytes"] / KB),
        frames=tuple(frames),
        cards=counts["cards"],
    )


@dataclass(frozen=True)
class FloorLayout:
    """What bench/floor_app.py draws for its query parameters."""

    charts: int = 0
    cards: int = 0
    texts: int = 0
    frames: tuple[tuple[int, int], ...] = ()
    map_kb: int = 0

    @property
    def elements(self) -> int:
        return (
            OWN_ELEMENTS
            + self.charts
            + card_elements(self.cards)
            + self.texts
            + len(self.frames)
            + (1 if self.map_kb else 0)
        )


def layout_of(composition: Composition) -> FloorLayout:
    """The floor page for a composition: its charts, map, dataframes and cards, and as many
    one-line texts as make the elements as many as the page's. If the cards in rows of four
    (which bring their blocks) would be more than the page sends, fewer cards, the rest texts."""
    c = composition
    fixed = OWN_ELEMENTS + c.charts + len(c.frames) + (1 if c.map_kb else 0)
    cards = c.cards
    while cards and fixed + card_elements(cards) > c.elements:
        cards -= 1
    texts = max(0, c.elements - fixed - card_elements(cards))
    return FloorLayout(c.charts, cards, texts, c.frames, c.map_kb)


def query(layout: FloorLayout) -> str:
    """The floor page's URL path and query for a layout (parameters at zero left out)."""
    params = [
        ("charts", str(layout.charts) if layout.charts else ""),
        ("cards", str(layout.cards) if layout.cards else ""),
        ("texts", str(layout.texts) if layout.texts else ""),
        ("frames", ",".join(f"{r}x{c}" for r, c in layout.frames)),
        ("map_kb", str(layout.map_kb) if layout.map_kb else ""),
    ]
    shown = "&".join(f"{k}={v}" for k, v in params if v)
    return f"/?{shown}" if shown else "/"


def floor_path(composition: Composition) -> str:
    return query(layout_of(composition))


def parse(params: dict[str, str]) -> FloorLayout:
    """The layout that the floor page's query parameters ask for (the reverse of `query`)."""

    def number(key: str) -> int:
        return max(0, int(params.get(key) or 0))

    frames = tuple(
        (int(r), int(c))
        for r, c in (f.split("x") for f in (params.get("frames") or "").split(",") if f)
    )
    return FloorLayout(number("charts"), number("cards"), number("texts"), frames, number("map_kb"))


def params_of(path: str) -> dict[str, str]:
    """A URL path's query parameters, the last of each."""
    return {k: v[-1] for k, v in parse_qs(urlsplit(path).query).items()}


def parse_path(path: str) -> FloorLayout:
    return parse(params_of(path))


# --- The floor's map ---------------------------------------------------------------------------

MAP_TOOLTIP = {"text": "{名称}\n{详情}"}


def map_point(i: int, shift: int) -> dict:
    """One project point, as the app's map sends one (a GeoJSON point with a name and a detail
    for its tooltip, a colour and a radius); `shift` (the filter) moves it and changes its colour."""
    lon = 118.0 + ((i * 37 + shift * 11) % 10000) / 10000
    lat = 31.0 + ((i * 53 + shift * 7) % 10000) / 10000
    return {
        "geometry": {"type": "Point", "coordinates": [round(lon, 4), round(lat, 4)]},
        "properties": {
            "名称": f"项目{i % 100000:05d}",
            "详情": f"年度计划{(i + shift) % 900 + 100}万元,完成{(i * 3 + shift) % 90 + 10}%",
            "fill": [(i + shift * 40) % 156 + 100, 78, 156, 212],
            "r": (i + shift) % 900 + 100,
        },
    }


def map_points(kb: int) -> int:
    """How many points make `kb` KB of JSON (the same number whatever the filter)."""
    n = size = 0
    while size < kb * KB:  # each point, and the comma after it
        size += len(json.dumps(map_point(n, 0), ensure_ascii=False, separators=(",", ":")).encode())
        size, n = size + 1, n + 1
    return max(n, 1)


def map_spec(kb: int, shift: int) -> str:
    """A deck of about `kb` KB of points in one GeoJsonLayer, as the app's map is written
    (core.output.maps): JSON without spaces, no basemap."""
    points = [map_point(i, shift) for i in range(map_points(kb))]
    spec = {
        "initialViewState": {"latitude": 31.5, "longitude": 118.5, "zoom": 8},
        "layers": [
            {
                "@@type": "GeoJsonLayer",
                "data": points,
                "id": "map",
                "pickable": True,
                "filled": True,
                "stroked": True,
                "pointType": "circle",
                "getFillColor": "@@=properties.fill",
                "getLineColor": [255, 255, 255, 255],
                "lineWidthUnits": "pixels",
                "getLineWidth": 1,
                "getPointRadius": "@@=properties.r",
                "pointRadiusMinPixels": 3,
                "pointRadiusMaxPixels": 30,
            }
        ],
        "mapStyle": "__MAP_STYLE__",
        "views": [{"@@type": "MapView", "controller": True}],
    }
    return json.dumps(spec, ensure_ascii=False, separators=(",", ":"))


class Deck:
    """What st.pydeck_chart reads of a pydeck Deck (as core.output.maps.DeckSpec): the JSON is
    written here, without pydeck's indentation, as the app writes its map."""

    mapbox_key = None
    layers = ()

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self._tooltip = MAP_TOOLTIP

    def to_json(self) -> str:
        return self.spec
