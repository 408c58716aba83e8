"""Each page's own floor (bench.composition): a page's composition read from its AppTest tree,
turned into the floor page's URL (worked out by hand here), the floor page sending as many
elements of the same kinds and redrawing them on a filter change."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from bench import composition as C
from bench.pages import ROOT

FLOOR_APP = str(ROOT / "bench" / "floor_app.py")


# --- composition → floor URL, by hand ---------------------------------------------------------


@pytest.mark.parametrize(
    ("made_of", "path"),
    [
        # the floor's multiselect and title (2), 3 charts: 38 texts make the 43 elements
        (C.Composition(43, charts=3), "/?charts=3&texts=38"),
        # 2 charts and the map of 111 KB: 2 + 2 + 1, and 23 texts for 28
        (C.Composition(28, charts=2, map_kb=111), "/?charts=2&texts=23&map_kb=111"),
        # 5 cards are 2 rows of a block and 4 columns: 5 + 2 × 5 = 15; 2 + 1 chart + 1 frame
        # + 15 = 19, and 52 texts for 71
        (
            C.Composition(71, charts=1, frames=((349, 14),), cards=5),
            "/?charts=1&cards=5&texts=52&frames=349x14",
        ),
        # 39 cards in 10 rows: 39 + 50 = 89; 2 + 89 = 91, and 33 texts for 124
        (C.Composition(124, cards=39), "/?cards=39&texts=33"),
        # 4 cards with their row would be 2 + 9 = 11 > 10: 3 cards (2 + 3 + 5 = 10), no text
        (C.Composition(10, cards=4), "/?cards=3"),
        (C.Composition(9, frames=((2, 3), (10, 9))), "/?texts=5&frames=2x3,10x9"),
        (C.Composition(2), "/"),
    ],
)
def test_a_composition_makes_its_floor_url(made_of, path):
    assert C.floor_path(made_of) == path
    layout = C.parse_path(path)
    assert layout == C.layout_of(made_of)
    assert layout.elements == made_of.elements


def test_the_floor_waits_for_the_map_else_a_chart():
    assert C.Composition(28, charts=2, map_kb=111).draws == "map"
    assert C.Composition(43, charts=3).draws == "chart"
    assert C.Composition(30, frames=((8, 2),)).draws is None


def test_a_composition_survives_json_and_says_what_it_is():
    made_of = C.Composition(71, charts=1, map_kb=0, frames=((349, 14), (3, 8)), cards=5)
    assert C.Composition.from_json(made_of.to_json()) == made_of
    assert made_of.summary() == "71 elements: 1 chart, 2 dataframes (349×14, 3×8), 5 cards"
    assert C.Composition(28, charts=2, map_kb=111).summary() == (
        "28 elements: 2 charts, a map of 111 KB"
    )
    assert C.Composition(23).summary() == "23 elements"


def test_the_map_has_as_many_points_whatever_the_filter():
    assert C.map_points(100) == C.map_points(100) > 100
    one, other = C.map_spec(100, 0), C.map_spec(100, 1)
    assert one != other  # the points follow the filter
    for spec in (one, other):
        assert 100 * C.KB <= len(spec.encode()) <= 101 * C.KB


# --- the floor page itself, through AppTest ---------------------------------------------------


def _floor(path: str) -> AppTest:
    at = AppTest.from_file(FLOOR_APP, default_timeout=60)
    for key, value in C.params_of(path).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _drawn(at: AppTest) -> tuple:
    """What a filter change must redraw: texts, cards, dataframes, chart data and the map."""
    deck = [e.proto.json for e in at.get("deck_gl_json_chart")]
    charts = [e.proto.spec + str(e.proto.data) for e in at.get("vega_lite_chart")]
    frames = [f.value.to_csv() for f in at.dataframe]
    return ([m.value for m in at.markdown], [m.value for m in at.metric], frames, charts, deck)


def test_the_floor_page_sends_the_composition_and_redraws_it_on_a_filter_change():
    made_of = C.Composition(40, charts=2, map_kb=20, frames=((30, 5), (4, 2)), cards=5)
    at = _floor(C.floor_path(made_of))
    assert C.of_tree(at.main, at.sidebar) == C.Composition(
        40, charts=2, map_kb=21, frames=((30, 5), (4, 2)), cards=5
    )  # the map's KB: its points' 20 and the deck's own settings, rounded up
    before = _drawn(at)
    at.multiselect(key="county").select("城西区").run()
    assert not at.exception
    after = _drawn(at)
    assert C.of_tree(at.main, at.sidebar).elements == 40
    for kind, old, new in zip(
        ("texts", "cards", "frames", "charts", "map"), before, after, strict=True
    ):
        assert old and new, kind
        assert old != new, f"the floor's {kind} do not follow the filter"


def test_the_fixed_floors_are_unchanged():
    """The one-line floor and the overview-sized one that the report's rows name."""
    assert C.of_tree(*_tree("/")).elements == 2
    assert C.of_tree(*_tree("/?charts=4&cards=32")) == C.Composition(78, charts=4, cards=32)


def _tree(path: str) -> tuple:
    at = _floor(path)
    return at.main, at.sidebar
