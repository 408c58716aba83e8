"""County boundaries read with shapely: points in counties, holes, repaired self-intersections,
simplified outlines, ECharts' compressed files, and what is wrong with a bad file, in Chinese."""

import json
from pathlib import Path

import pytest

from core.base.geo import DRAWN_DETAIL, contains, contains_many, decode_echarts, parse_boundaries

REALWORLD = Path(__file__).resolve().parents[4] / "shared" / "realworld"
HANGZHOU = REALWORLD / "330100_杭州市_2025.json"


def feature(name, coordinates, kind="Polygon", **props):
    return {"type": "Feature", "properties": {"name": name, **props},
            "geometry": {"type": kind, "coordinates": coordinates}}  # fmt: skip


SQUARE = [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]]
BOWTIE = [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]  # a ring that crosses itself


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.mark.parametrize(
    ("lon", "lat", "inside"),
    [(3, 3, True), (1.5, 1.5, False), (5, 5, False), (0.5, 3.5, True)],  # 1.5: in the hole
)
def test_points_in_a_county_with_a_hole(lon, lat, inside):
    (county,) = parse_boundaries(collection(feature("甲区", SQUARE))).counties
    assert contains(county, lon, lat) is inside
    assert contains_many(county, [lon], [lat]).tolist() == [inside]


def test_a_ring_that_crosses_itself_is_repaired():
    b = parse_boundaries(collection(feature("乙县", BOWTIE)))
    assert b.repaired == ("乙县",)
    (county,) = b.counties
    assert county.geometry.is_valid
    assert contains(county, 0.5, 1.0) and contains(county, 1.5, 1.0)  # the two triangles
    assert not contains(county, 1.0, 0.5)


def test_a_centre_inside_the_county_when_the_file_gives_none():
    (county,) = parse_boundaries(collection(feature("甲区", SQUARE))).counties
    assert contains(county, *county.center)


def _encode(ring, scale=1024):
    """ECharts' compression (the inverse of what the product decodes), for the test only."""
    points = [(round(x * scale), round(y * scale)) for x, y in ring]
    prev = points[0]
    text = ""
    for x, y in points:
        for delta in (x - prev[0], y - prev[1]):
            text += chr(((delta << 1) ^ (delta >> 31)) + 64)
        prev = (x, y)
    return text, list(points[0])


def test_echarts_compressed_files_are_decoded():
    ring = [[120.1, 30.2], [120.3, 30.2], [120.3, 30.4], [120.1, 30.4], [120.1, 30.2]]
    text, offset = _encode(ring)
    compressed = {"type": "FeatureCollection", "UTF8Encoding": True, "features": [
        {"type": "Feature", "properties": {"name": "丙区"},
         "geometry": {"type": "Polygon", "coordinates": [text], "encodeOffsets": [offset]}},
        {"type": "Feature", "properties": {"name": "丁区"},
         "geometry": {"type": "MultiPolygon", "coordinates": [[text]],
                      "encodeOffsets": [[offset]]}},
    ]}  # fmt: skip
    decoded = decode_echarts(compressed)
    assert "UTF8Encoding" not in decoded
    got = decoded["features"][0]["geometry"]["coordinates"][0]
    assert [v for p in got for v in p] == pytest.approx([v for p in ring for v in p], abs=1 / 1024)
    b = parse_boundaries(compressed)
    assert b.names == ["丙区", "丁区"]
    assert contains(b.counties[0], 120.2, 30.3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], "不是GeoJSON要素集合(FeatureCollection),而是一个数组或其他值"),
        ({"type": "FeatureCollection", "features": [1, "a"]}, "第1个要素不是GeoJSON要素(Feature)"),
        (collection(feature("甲区", [[["a", "b"], [1, 1], [1, 0], ["a", "b"]]])),
         "第1个要素(甲区)的几何数据有误:坐标“['a', 'b']”不是两个数字"),
        (collection(feature("甲区", [[]])), "有的环少于4个点(空环或未闭合)"),
        (collection(feature("甲区", [[0, 0], [1, 1]], kind="LineString")),
         "几何类型“LineString”不是面(Polygon或MultiPolygon)"),
        (collection(feature("甲区", [[[0, 0], [float("inf"), 0], [1, 1], [0, 0]]])),
         "不是两个数字"),
        (collection(), "中没有带名称(name)的区县要素"),
    ],
)  # fmt: skip
def test_what_is_wrong_with_a_file_is_said_in_chinese(data, message):
    with pytest.raises(ValueError, match=r".*") as caught:
        parse_boundaries(data, source="边界.geojson")
    assert message in str(caught.value)
    assert str(caught.value).startswith("边界.geojson")


@pytest.mark.skipif(not HANGZHOU.exists(), reason="../shared/realworld is absent")
def test_the_drawn_outlines_are_simplified_but_keep_their_shape():
    data = json.loads(HANGZHOU.read_text(encoding="utf-8"))
    b = parse_boundaries(data)
    raw = sum(len(json.dumps(f["geometry"]["coordinates"])) for f in data["features"])
    drawn = sum(len(json.dumps(c.polygons)) for c in b.counties)
    assert drawn < raw * 0.7  # a lighter map payload (this file is already light)
    x0, y0, x1, y1 = b.bounds()
    tolerance = max(x1 - x0, y1 - y0) * DRAWN_DETAIL
    for c in b.counties:
        from shapely.geometry import MultiPolygon, Polygon

        simple = MultiPolygon([Polygon(p[0], p[1:]) for p in c.polygons])
        assert c.geometry.hausdorff_distance(simple) <= 2 * tolerance  # within two pixels
    xiaoshan = b.by_name("萧山区")  # no centroid in the file: a point inside it
    assert contains(xiaoshan, *xiaoshan.center)


MERCATOR = [
    [
        [13358338.9, 3503549.8],
        [13380602.9, 3503549.8],
        [13380602.9, 3526399.3],
        [13358338.9, 3503549.8],
    ]
]  # metres of Web Mercator (EPSG:3857), not degrees


@pytest.mark.parametrize(
    "ring",
    [
        MERCATOR,
        [[[120, 30], [181, 30], [120, 31], [120, 30]]],
        [[[120, 30], [121, 91], [120, 31], [120, 30]]],
    ],
)
def test_coordinates_outside_longitude_and_latitude_are_refused(ring):
    with pytest.raises(ValueError) as caught:
        parse_boundaries(
            collection(feature("甲区", SQUARE), feature("乙县", ring)), source="边界.geojson"
        )
    text = str(caught.value)
    assert text.startswith("边界.geojson第2个要素(乙县)")
    assert "超出经纬度范围" in text and "EPSG:3857" in text


def test_what_a_repair_changed_is_a_warning():
    line = [[[0, 0], [1, 1], [2, 2], [0, 0]]]  # no area: a line
    b = parse_boundaries(collection(feature("甲区", SQUARE), feature("乙县", BOWTIE),
                                    feature("丙县", [SQUARE[:1], line], kind="MultiPolygon"),
                                    feature("丁县", line)))  # fmt: skip
    assert b.names == ["甲区", "乙县", "丙县"]  # 丁县 has nothing left to draw
    bowtie, dropped, gone = b.warnings
    assert bowtie.startswith("第2个要素(乙县)的边界线自相交") and "分成2块" in bowtie
    assert dropped.startswith("第3个要素(丙县)的有1个面没有面积")
    assert gone.startswith("第4个要素(丁县)的边界没有面积") and "地图上不显示这个区县" in gone
    assert b.by_name("丙县").geometry.area == 16
    with pytest.raises(ValueError, match="没有可用的区县边界"):
        parse_boundaries(collection(feature("丁县", line)))


def _compressed(geometry, **top):
    return {"type": "FeatureCollection", "UTF8Encoding": True, **top,
            "features": [{"type": "Feature", "properties": {"name": "丙区"}, "geometry": geometry}]}  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_compressed({"type": "Polygon", "coordinates": ["@@AA"]}),
         "边界.geojson第1个要素(丙区)是ECharts压缩格式(UTF8Encoding),但缺少encodeOffsets"),
        (_compressed({"type": "MultiPolygon", "coordinates": [["@@AA"]]}),
         "边界.geojson第1个要素(丙区)是ECharts压缩格式(UTF8Encoding),但缺少encodeOffsets"),
        (_compressed({"type": "Polygon", "coordinates": ["@@AA"], "encodeOffsets": [["a", 1]]}),
         "边界.geojson第1个要素(丙区)的encodeOffsets“['a', 1]”不是两个数字"),
        (_compressed({"type": "Polygon", "coordinates": ["@@AA"], "encodeOffsets": [[1, 1]]},
                     UTF8Scale="abc"), "边界.geojson的UTF8Scale“abc”无效:应为正数"),
        (_compressed({"type": "Polygon", "coordinates": ["@@AA"], "encodeOffsets": [[1, 1]]},
                     UTF8Scale=0), "边界.geojson的UTF8Scale“0”无效:应为正数"),
    ],
)  # fmt: skip
def test_a_broken_echarts_file_is_named_in_chinese(data, message):
    with pytest.raises(ValueError) as caught:
        parse_boundaries(data, source="边界.geojson")
    assert str(caught.value).startswith(message)
