"""The map's deck as the browser receives it: the city-scope county shading and the points
against figures worked out by hand from the mini data set, and the one layer that draws them
(issue 25, item 4)."""

from __future__ import annotations

import json

import pytest
from map_kit import drawn

from core.base import schema as S
from core.base.periods import Period
from core.figures import measures as M
from core.figures.scope import Scope
from core.output import maps

FEB = Period(2025, 2)


def _map(p, metric=maps.METRIC_RATE, tile_url=None, label_size=18):
    scope = Scope(FEB, level=None)
    return maps.project_map(p.boundaries, M.county_ranking(p, scope),
                            M.projects_in_scope(p, scope), metric, tile_url=tile_url,
                            label_size=label_size)  # fmt: skip


# February 2025, every level; 序时进度 2/12 = 16.7%.
# 甲区: A-001 (plan 1,200万, 100+200 done) and B-002 (plan 6,000万, 300+300 done):
#   900万 of 7,200万 = 12.5%, 落后4.2 points (16.7 − 12.5).
# 乙县: only C-003 has a plan (2,400万, 100 done): 4.2% (4.1666…), 落后12.5 points;
#   D-004 and E-005 have no plan this year.
# By 完成率: 甲区 has the highest rate, so the full blue (31, 78, 156); 乙县 a third of the way
#   from (222, 235, 247): + ⅓·(−191, −157, −91) = (158.3, 182.7, 216.7) → (158, 183, 217).
# By the gap: red (198, 40, 40) at −15 points to (245, 245, 245) at 0. 甲区 −0.042 lies
#   0.108/0.15 = 72% of the way: (231.8, 187.6, 187.6) → (232, 188, 188); 乙县 −0.125 one sixth
#   of the way: (205.8, 74.2, 74.2) → (206, 74, 74).
COUNTIES = [
    # metric, county, tooltip, fill, name as drawn
    (maps.METRIC_RATE, "甲区", "2个项目 · 完成0.1亿元 · 完成率12.5% · 落后序时进度4.2个百分点",
     [31, 78, 156, 255], "甲区\n12.5%"),
    (maps.METRIC_RATE, "乙县", "1个项目 · 完成100万元 · 完成率4.2% · 落后序时进度12.5个百分点",
     [158, 183, 217, 255], "乙县\n4.2%"),
    (maps.METRIC_GAP, "甲区", "2个项目 · 完成0.1亿元 · 完成率12.5% · 落后序时进度4.2个百分点",
     [232, 188, 188, 255], "甲区\n落后4.2"),
    (maps.METRIC_GAP, "乙县", "1个项目 · 完成100万元 · 完成率4.2% · 落后序时进度12.5个百分点",
     [206, 74, 74, 255], "乙县\n落后12.5"),
]  # fmt: skip


@pytest.mark.parametrize(("metric", "county", "tooltip", "fill", "name"), COUNTIES)
def test_city_scope_counties_against_a_hand_worked_aggregate(
    mini, metric, county, tooltip, fill, name
):
    d = drawn(_map(mini, metric))
    shape = d.counties[county]
    assert (shape["详情"], shape["fill"], shape["line"], shape["w"]) == (
        tooltip, fill, [255, 255, 255, 255], 2,
    )  # fmt: skip
    # The name over the county, dark, and its tooltip the county's.
    assert d.names[county]["label"] == name
    assert d.names[county]["tc"] == [20, 20, 20, 255]
    assert d.names[county]["详情"] == tooltip


# Radius in metres: (√(总投资 in 亿元) × 260 + 250), × 0.6 without a plan this year; colour the
# status's, alpha 212 (235 × 0.9), 99 (110 × 0.9) without a plan. E-005 has no coordinates.
POINTS = [
    # code, status, [lon, lat], radius, rgba
    ("A-001", "正常", [120.5, 30.5], 510.0, [27, 127, 90, 212]),  # 1亿: 260 + 250
    ("B-002", "滞后", [120.6, 30.6], 831.0, [224, 138, 0, 212]),  # 5亿: 2.236·260 + 250 = 831.4
    ("C-003", "严重滞后", [121.5, 30.5], 483.0, [198, 40, 40, 212]),  # 0.8亿: 232.6 + 250
    ("D-004", "无年度计划", [121.6, 30.4], 420.0, [158, 158, 158, 99]),  # 3亿: 700.3 × 0.6
]  # fmt: skip


@pytest.mark.parametrize(("code", "state", "xy", "radius", "rgba"), POINTS)
def test_the_points_against_hand_worked_sizes_and_colours(mini, code, state, xy, radius, rgba):
    result = _map(mini)
    d = drawn(result)
    assert result.codes == ("A-001", "B-002", "C-003", "D-004")
    i = result.codes.index(code)
    name = mini.projects.loc[mini.projects[S.CODE] == code, S.NAME].iloc[0]
    assert (d.points[i]["名称"], d.point_xy[i], d.points[i]["r"], d.points[i]["fill"]) == (
        name, xy, radius, rgba,
    )  # fmt: skip
    assert f" · {state} · " in d.points[i]["详情"]
    assert (result.points_shown, result.points_without_coordinates) == (4, 1)


def test_one_layer_draws_polygons_points_and_names(mini):
    """One GeoJsonLayer, the points first in its data (a selection's index is the point's), the
    names as text points over them with a white halo of eight copies in the same pass: no
    TextLayer outline (a second pass of the text). Text is not picked: a pointer over a name
    picks the county's polygon, or the name's own circle, which carries the county's tooltip."""
    result = _map(mini)
    spec = json.loads(result.deck.to_json())
    assert [(x["@@type"], x["id"]) for x in spec["layers"]] == [("GeoJsonLayer", maps.MAP_LAYER)]
    data = spec["layers"][0]["data"]
    kinds = [f["geometry"]["type"] + ("+label" if "label" in f["properties"] else "")
             for f in data]  # fmt: skip
    assert kinds == ["Point"] * 4 + ["MultiPolygon"] * 2 + ["Point+label"] * 18
    d = drawn(result)
    assert d.layer["pointType"] == "circle+text"
    assert d.layer["_subLayerProps"] == {"points-text": {"pickable": False}}
    assert not any(k.startswith("textOutline") or k.startswith("textBackground") for k in d.layer)
    for county in ("甲区", "乙县"):
        halo = d.halos[county]
        assert [h["o"] for h in halo] == [
            [-1.5, -1.5], [-1.5, 0.0], [-1.5, 1.5], [0.0, -1.5],
            [0.0, 1.5], [1.5, -1.5], [1.5, 0.0], [1.5, 1.5],
        ]  # fmt: skip
        assert all(h["tc"] == [255, 255, 255, 255] for h in halo)
        assert {h["label"] for h in halo} == {d.names[county]["label"]}
        assert not any("详情" in h for h in halo)  # their circles lie under the name's
        # every circle of a name or a copy invisible (the layer draws one for every point)
        assert all(x["line"] == [0, 0, 0, 0] and "fill" not in x for x in [*halo, d.names[county]])
    # the names after their copies: drawn over them, and the name's circle picked over theirs
    assert [f["properties"].get("o") is None for f in data[6:16]] == [False] * 8 + [True, False]


@pytest.mark.parametrize(("label_size", "offset"), [(18, 1.5), (26, 2.2), (12, 1.5)])
def test_the_halo_grows_with_the_type(mini, label_size, offset):
    """26 px on a projector: 26/12 = 2.17 → 2.2 px; never under 1.5 px."""
    d = drawn(_map(mini, label_size=label_size))
    assert d.layer["getTextSize"] == label_size
    assert {abs(v) for h in d.halos["甲区"] for v in h["o"]} == {0.0, offset}


@pytest.mark.parametrize(
    ("indices", "code"),
    [
        ({maps.MAP_LAYER: [0]}, "A-001"),
        ({maps.MAP_LAYER: [3]}, "D-004"),
        ({maps.MAP_LAYER: [4]}, None),  # 甲区's polygon, just after the points
        ({maps.MAP_LAYER: [23]}, None),  # 乙县's name, the last feature
        ({}, None),
    ],
)
def test_a_selection_names_a_point_by_its_index(mini, indices, code):
    result = _map(mini)
    assert maps.selected_code({"selection": {"indices": indices}}, result.codes) == code


@pytest.mark.parametrize("tile_url", [None, "http://gis.intranet/tiles/{z}/{x}/{y}.png"])
def test_the_deck_is_compact_json_with_accessors(mini, tile_url):
    result = _map(mini, tile_url=tile_url)
    text = result.deck.to_json()
    assert "\n  " not in text and "\\u" not in text and "甲区" in text  # compact, UTF-8
    spec = json.loads(text)
    layer = drawn(result).layer
    assert layer["getText"] == "@@=properties.label || ''"
    assert layer["getFillColor"] == "@@=properties.fill || [0, 0, 0, 0]"
    assert layer["getPointRadius"] == "@@=properties.r || 0"
    assert result.deck._tooltip == {"text": "{名称}\n{详情}"}
    if tile_url:
        assert spec["mapProvider"] == "mapbox"
        assert spec["mapStyle"]["sources"]["basemap"]["tiles"] == [tile_url]
    else:  # nothing requested from outside
        assert "mapProvider" not in spec and spec["mapStyle"] == "__MAP_STYLE__"
