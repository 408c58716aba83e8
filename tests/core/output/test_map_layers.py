"""The map's deck as the browser receives it: the city-scope county layer against county
figures worked out by hand from the mini data set, the names over it, the JSON written once and
compact (issue 25, item 4)."""

from __future__ import annotations

import json

import pytest

from core.base import schema as S
from core.base.periods import Period
from core.figures import measures as M
from core.figures.scope import Scope
from core.output import maps

FEB = Period(2025, 2)


def _deck(p, metric=maps.METRIC_RATE, tile_url=None):
    scope = Scope(FEB, level=None)
    result = maps.project_map(p.boundaries, M.county_ranking(p, scope),
                              M.projects_in_scope(p, scope), metric, tile_url=tile_url)  # fmt: skip
    return result, json.loads(result.deck.to_json())


def _by_kind(spec):
    layers = {layer["id"]: layer for layer in spec["layers"]}
    shapes = {
        f["properties"]["名称"]: f["properties"] for f in layers["counties"]["data"]["features"]
    }
    names = {x["label"].split("\n")[0]: x for x in layers["county-names"]["data"]}
    return layers, shapes, names


def test_city_scope_counties_against_a_hand_worked_aggregate(mini):
    """February 2025, every level. 甲区: A-001 (plan 1,200万, 100+200 done) and B-002 (plan
    6,000万, 300+300 done): 900 of 7,200 = 12.5%; 序时进度 2/12 = 16.7%, so 落后4.2 points.
    乙县: only C-003 has a plan (2,400万, 100 done): 4.2% (4.1666…), 落后12.5 points; D-004
    and E-005 have no plan. Shaded by 完成率, 甲区 has the highest rate, so the full blue
    (31, 78, 156); 乙县 a third of the way: (222, 235, 247) + ⅓·((31, 78, 156) − (222, 235,
    247)) = (158.3, 182.7, 216.7) → (158, 183, 217)."""
    result, spec = _deck(mini)
    layers, shapes, names = _by_kind(spec)
    assert list(layers) == ["counties", "projects", "county-names"]  # the names drawn last
    assert shapes["甲区"]["详情"].startswith("2个项目 · 完成")
    assert shapes["甲区"]["详情"].endswith("完成率12.5% · 落后序时进度4.2个百分点")
    assert shapes["乙县"]["详情"].startswith("1个项目 · 完成")
    assert shapes["乙县"]["详情"].endswith("完成率4.2% · 落后序时进度12.5个百分点")
    assert shapes["甲区"]["fill"] == [31, 78, 156, 255]
    assert shapes["乙县"]["fill"] == [158, 183, 217, 255]
    assert names["甲区"]["label"] == "甲区\n12.5%"
    assert names["乙县"]["label"] == "乙县\n4.2%"
    assert names["甲区"]["color"] == [20, 20, 20, 255]
    # The points: A-001 … D-004 (E-005 has no coordinates).
    assert sorted(pt["名称"] for pt in layers["projects"]["data"]) == sorted(
        mini.projects.loc[mini.projects[S.LON].notna(), S.NAME]
    )
    assert (result.points_shown, result.points_without_coordinates) == (4, 1)


def test_city_scope_shaded_by_the_gap(mini):
    """By the gap: 甲区 −0.042 lies 0.108/0.15 = 72% of the way from red (198, 40, 40) to
    (245, 245, 245): (231.8, 187.6, 187.6) → (232, 188, 188); 乙县 −0.125 one sixth of the way:
    (205.8, 74.2, 74.2) → (206, 74, 74)."""
    _, spec = _deck(mini, maps.METRIC_GAP)
    _, shapes, names = _by_kind(spec)
    assert shapes["甲区"]["fill"] == [232, 188, 188, 255]
    assert shapes["乙县"]["fill"] == [206, 74, 74, 255]
    assert names["乙县"]["label"] == "乙县\n落后12.5"


@pytest.mark.parametrize("tile_url", [None, "http://gis.intranet/tiles/{z}/{x}/{y}.png"])
def test_the_deck_is_compact_json_with_accessors(mini, tile_url):
    result, spec = _deck(mini, tile_url=tile_url)
    text = result.deck.to_json()
    assert "\n  " not in text and "\\u" not in text and "甲区" in text  # compact, UTF-8
    layers, _, _ = _by_kind(spec)
    assert layers["county-names"]["getText"] == "@@=label"
    assert layers["counties"]["getFillColor"] == "@@=properties.fill"
    assert layers["projects"]["getPosition"] == "@@=[lon, lat]"
    assert result.deck._tooltip == {"text": "{名称}\n{详情}"}
    if tile_url:
        assert spec["mapProvider"] == "mapbox"
        assert spec["mapStyle"]["sources"]["basemap"]["tiles"] == [tile_url]
    else:  # nothing requested from outside
        assert "mapProvider" not in spec and spec["mapStyle"] == "__MAP_STYLE__"
