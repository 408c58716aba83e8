"""Each page's own floor (bench.composition): a page's composition read from its AppTest tree,
turned into the floor page's URL (worked out by hand here), the floor page sending as many
elements of the same kinds and redrawing them on a filter change; and the report's column and
targets against it, from a made-up run."""

from __future__ import annotations

from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from bench import composition as C
from bench import report
from bench.browser import AppRun, Floor, OwnFloor, Visit, floor_page
from bench.dataset import Dataset
from bench.pages import PAGES, ROOT

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
    page = floor_page(C.Composition(28, charts=2, map_kb=111))
    assert (page.script, page.path, page.draws, page.has_scope) == (
        "bench/floor_app.py",
        "/?charts=2&texts=23&map_kb=111",
        "map",
        False,
    )


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


# --- the report, from a made-up run -----------------------------------------------------------

MAP, OVERVIEW = "/map", "/"
MAP_MADE_OF = C.Composition(28, charts=2, map_kb=111)
OVERVIEW_MADE_OF = C.Composition(43, charts=3)


def _run() -> report.Run:
    data = Dataset(
        size=1000, projects=930, rows={"项目清单": 930}, files=[("a.xlsx", 2**20)],
        generate_s=0.6, import_s=2.8, database_url="sqlite://", filter_county="城西区",
    )  # fmt: skip
    apptest = {
        MAP: {"first_s": 0.3, "rerun_s": 0.05, "elements": 28, "composition": MAP_MADE_OF.to_json()},
        OVERVIEW: {"first_s": 0.3, "rerun_s": 0.15, "elements": 43,
                   "composition": OVERVIEW_MADE_OF.to_json()},
    }  # fmt: skip
    visits = {
        MAP: Visit(4.0, 0.50, 0.2, 300_000, 60_000),  # 0.50 / 0.20 = ×2.5: MISS
        OVERVIEW: Visit(2.3, 0.30, 0.2, 40_000, 40_000),  # 0.30 / 0.16 ≈ ×1.9: PASS
    }
    result = report.SizeResult(data, apptest, 300.0)
    result.app = AppRun(4.3, visits, 307.0)
    result.floor = Floor(1.0, 0.10, 1000, 0.03)
    result.own_floors = {
        "/?charts=2&texts=23&map_kb=111": OwnFloor(1.5, 0.20, 120_000, 0.1),
        "/?charts=3&texts=38": OwnFloor(1.4, 0.16, 9_000, 0.05),
    }
    return report.Run(started=datetime(2026, 12, 8), browser=True, sizes=[result])


def test_the_table_has_the_own_floor_column_beside_the_old_ones():
    run = _run()
    headers, body = report.columns(run)
    assert headers[5:8] == (
        "Chromium load s (×floor)",
        "Chromium filter s (×floor)",
        "filter s (× own floor)",
    )
    rows = {row[1]: row for row in body}
    assert rows[MAP][6:8] == ["0.50 (×5.0)", "0.50 (×2.5)"]
    assert rows[OVERVIEW][6:8] == ["0.30 (×3.0)", "0.30 (×1.9)"]
    assert rows["floor"][7] == ""  # the floors' rows have no own floor
    unvisited = next(p.path for p in PAGES if p.path not in (MAP, OVERVIEW))
    assert rows[unvisited][7] == "—"
    assert "| 930 | /map | 28 | 0.30 | 0.05 | 4.00 (×4.0) | 0.50 (×5.0) | 0.50 (×2.5) |" in (
        report.markdown_table(run)
    )


def test_each_page_has_its_own_floor_target():
    lines = [t.line() for t in report.targets(_run())[0]]
    assert (
        "MISS  [930] /map filter change ≤ 2× own floor and ≤ 1.5 s: 0.50 s, ×2.50 its own floor "
        "(0.20 s; 28 elements: 2 charts, a map of 111 KB)"
    ) in lines
    assert (
        "PASS  [930] / filter change ≤ 2× own floor and ≤ 1.5 s: 0.30 s, ×1.88 its own floor "
        "(0.16 s; 43 elements: 3 charts)"
    ) in lines
    # only the pages visited; the old targets are still there
    assert sum("own floor and" in line for line in lines) == 2
    assert any("filter change in Chromium ≤ 2× the floor (0.10 s)" in line for line in lines)
    assert report.missed(_run())


def test_a_page_over_the_seconds_misses_whatever_its_own_floor():
    run = _run()
    run.sizes[0].app.visits[OVERVIEW] = Visit(2.3, 1.6, 0.2, 40_000, 40_000)
    run.sizes[0].own_floors["/?charts=3&texts=38"] = OwnFloor(1.4, 1.0, 9_000, 0.05)
    (line,) = [t.line() for t in report.targets(run)[0] if " / filter change ≤ 2× own" in t.line()]
    assert line.startswith("MISS") and "1.60 s, ×1.60 its own floor (1.00 s;" in line


def test_a_missing_own_floor_is_a_miss_and_an_error():
    run = _run()
    run.sizes[0].own_floors["/?charts=3&texts=38"] = OwnFloor(error="not drawn")
    (line,) = [t.line() for t in report.targets(run)[0] if " / filter change ≤ 2× own" in t.line()]
    assert line == (
        "MISS  [930] / filter change ≤ 2× own floor and ≤ 1.5 s: 0.30 s; no own floor "
        "(see the errors)"
    )
    assert "930 own floor /?charts=3&texts=38 Chromium: not drawn" in report.errors(run)
    rows = {row[1]: row for row in report.columns(run)[1]}
    assert rows[OVERVIEW][7] == "0.30"  # no ratio without its floor
    assert "the pages' own floors (1 distinct" in "\n".join(report.targets(run)[1])


@pytest.mark.parametrize(
    ("filter_s", "verdict", "shown"),
    [(0.40, "PASS", "×2.00"), (0.404, "MISS", "×2.02")],  # the map's own floor: 0.20 s
)
def test_twice_its_own_floor_is_the_limit(filter_s, verdict, shown):
    run = _run()
    run.sizes[0].app.visits[MAP] = Visit(4.0, filter_s, 0.2, 300_000, 60_000)
    (line,) = [
        t.line() for t in report.targets(run)[0] if "/map filter change ≤ 2× own" in t.line()
    ]
    assert line.startswith(verdict) and f"{shown} its own floor (0.20 s;" in line


def test_the_overview_sized_floor_says_how_many_elements_it_sends():
    run = _run()
    run.sizes[0].floor.elements_filter_s = 0.19
    notes = report.targets(run)[1]
    assert (
        "[930] Streamlit's own floor with 4 charts and 32 cards (78 elements): a filter change in 0.19 s, ×1.9 the one-line floor"
        in notes
    )
    assert (
        "[930] the pages' own floors (2 distinct, each the median of a few visits): a filter change in 0.16–0.20 s, ×1.6–×2.0 the one-line floor"
        in notes
    )
