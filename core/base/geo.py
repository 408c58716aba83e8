"""County boundaries in the DataV GeoAtlas form, read as geometry with shapely.

A DataV file (`<adcode>_full.json`) is a GeoJSON FeatureCollection whose features carry
properties such as {"adcode": 330102, "name": "上城区", "center": [120.17, 30.25],
"centroid": [120.17, 30.23]}. Coordinates are GCJ-02, as DataV publishes them; project
coordinates must use the same system (take them from 高德/腾讯 maps, not from GPS). Files in
ECharts' compressed form ("UTF8Encoding": true) are decoded. Geometry that is not valid (a ring
that crosses itself) is repaired, and the polygons drawn on the map are simplified to what a
screen shows, whatever the file's size.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

Ring = list[list[float]]
# The drawn outline keeps detail down to this share of the city's extent: about a pixel on a
# 1920-pixel wide map of the whole city, so a county's shape is unchanged to the eye, and the
# number of points drawn stays bounded whatever the file's own detail.
DRAWN_DETAIL = 1 / 2000
_ECHARTS_SCALE = 1024  # ECharts' default quantisation of compressed coordinates


@dataclass(frozen=True)
class County:
    name: str
    adcode: str
    center: tuple[float, float]  # (lon, lat) where the label is drawn
    polygons: tuple[tuple[Ring, ...], ...]  # drawn polygons (simplified), outer ring then holes
    geometry: MultiPolygon = field(repr=False, compare=False, default=None)


@dataclass(frozen=True)
class Boundaries:
    counties: tuple[County, ...]
    geojson: dict  # the FeatureCollection as read
    repaired: tuple[str, ...] = ()  # counties whose geometry was not valid and was repaired

    @property
    def empty(self) -> bool:
        return not self.counties

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.counties]

    def by_name(self, name: str) -> County | None:
        return next((c for c in self.counties if c.name == name), None)

    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of every county."""
        x0, y0, x1, y1 = shapely.total_bounds([c.geometry for c in self.counties])
        return float(x0), float(y0), float(x1), float(y1)


# --- reading -------------------------------------------------------------------------------


def _decode_ring(text: str, offset: list, scale: float) -> Ring:
    """One ring of ECharts' compressed form: zigzag-encoded deltas, two characters a point."""
    x_prev, y_prev = int(offset[0]), int(offset[1])
    ring = []
    for i in range(0, len(text) - 1, 2):
        x, y = ord(text[i]) - 64, ord(text[i + 1]) - 64
        x = (x >> 1) ^ -(x & 1)
        y = (y >> 1) ^ -(y & 1)
        x_prev, y_prev = x_prev + x, y_prev + y
        ring.append([x_prev / scale, y_prev / scale])
    return ring


def decode_echarts(data: dict) -> dict:
    """A plain FeatureCollection from ECharts' compressed one (coordinates as strings)."""
    if not data.get("UTF8Encoding"):
        return data
    scale = float(data.get("UTF8Scale") or _ECHARTS_SCALE)
    features = []
    for feature in data.get("features") or []:
        geometry = dict(feature.get("geometry") or {})
        offsets, coords = geometry.get("encodeOffsets"), geometry.get("coordinates")
        if geometry.get("type") == "Polygon":
            geometry["coordinates"] = [
                _decode_ring(r, o, scale) if isinstance(r, str) else r
                for r, o in zip(coords, offsets, strict=True)
            ]
        elif geometry.get("type") == "MultiPolygon":
            geometry["coordinates"] = [
                [_decode_ring(r, o, scale) if isinstance(r, str) else r
                 for r, o in zip(poly, poly_offsets, strict=True)]
                for poly, poly_offsets in zip(coords, offsets, strict=True)
            ]  # fmt: skip
        geometry.pop("encodeOffsets", None)
        features.append({**feature, "geometry": geometry})
    out = {k: v for k, v in data.items() if k not in ("UTF8Encoding", "UTF8Scale")}
    return {**out, "features": features}


def _numbers(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_coordinates(geometry: dict) -> str | None:
    """What is wrong with a geometry's coordinates, in Chinese, or None."""
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon"):
        return f"几何类型“{kind}”不是面(Polygon或MultiPolygon)"
    polygons = [coords] if kind == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        return "没有坐标"
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return "面的坐标应为由环组成的数组"
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                return "有的环少于4个点(空环或未闭合)"
            for point in ring:
                if not (isinstance(point, list) and len(point) >= 2 and _numbers(point[0])
                        and _numbers(point[1])):  # fmt: skip
                    return f"坐标“{str(point)[:30]}”不是两个数字"
    return None


def _center(props: dict, geometry: MultiPolygon) -> tuple[float, float]:
    for key in ("centroid", "center"):
        value = props.get(key)
        if (isinstance(value, list | tuple) and len(value) == 2 and _numbers(value[0])
                and _numbers(value[1])):  # fmt: skip
            return float(value[0]), float(value[1])
    point = geometry.representative_point()  # inside the county, unlike a centroid may be
    return float(point.x), float(point.y)


def _polygonal(geometry) -> MultiPolygon:
    """The polygons of a geometry (make_valid may return a collection with lines)."""
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    if isinstance(geometry, MultiPolygon):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    polygons = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    return MultiPolygon(polygons)


def _drawn(geometry: MultiPolygon, tolerance: float) -> tuple[tuple[Ring, ...], ...]:
    simple = _polygonal(shapely.simplify(geometry, tolerance, preserve_topology=True))
    return tuple(
        tuple([[round(x, 5), round(y, 5)] for x, y in ring.coords]
              for ring in (p.exterior, *p.interiors))
        for p in simple.geoms
    )  # fmt: skip


def parse_boundaries(
    data: dict, source: str = "边界文件", *, allow_empty: bool = False
) -> Boundaries:
    """Read a FeatureCollection; raises ValueError naming what is wrong, in Chinese. The
    store's data set without a boundary file has an empty one (`allow_empty`)."""
    if not isinstance(data, dict):
        raise ValueError(f"{source}不是GeoJSON要素集合(FeatureCollection),而是一个数组或其他值")
    data = decode_echarts(data)
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ValueError(f"{source}不是GeoJSON要素集合(FeatureCollection)")
    read: list[tuple[str, str, dict, MultiPolygon]] = []
    repaired = []
    for i, feature in enumerate(data["features"], start=1):
        if not isinstance(feature, dict):
            raise ValueError(f"{source}第{i}个要素不是GeoJSON要素(Feature)")
        props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        name = str(props.get("name") or "").strip()
        geometry = feature.get("geometry")
        if not name or not geometry:
            continue  # DataV files may hold an unnamed outline feature; it is not a county
        if not isinstance(geometry, dict):
            raise ValueError(f"{source}第{i}个要素({name})的几何数据不是对象")
        problem = _check_coordinates(geometry)
        if problem:
            raise ValueError(f"{source}第{i}个要素({name})的几何数据有误:{problem}")
        shapes = _polygonal(shape(geometry))
        if not shapes.is_valid:
            shapes = _polygonal(shapely.make_valid(shapes))
            repaired.append(name)
        if shapes.is_empty:
            raise ValueError(f"{source}第{i}个要素({name})的几何数据为空")
        read.append((name, str(props.get("adcode", "")), props, shapes))
    if not read and not (allow_empty and not data["features"]):
        raise ValueError(f"{source}中没有带名称(name)的区县要素")
    tolerance = 0.0
    if read:
        x0, y0, x1, y1 = shapely.total_bounds([g for *_, g in read])
        tolerance = max(x1 - x0, y1 - y0) * DRAWN_DETAIL
    counties = tuple(
        County(name, adcode, _center(props, g), _drawn(g, tolerance), g)
        for name, adcode, props, g in read
    )
    return Boundaries(counties, data, tuple(repaired))


def load_boundaries(path: Path) -> Boundaries:
    with open(path, encoding="utf-8") as f:
        return parse_boundaries(json.load(f), source=Path(path).name)


# --- points in counties ----------------------------------------------------------------------


def contains(county: County, lon: float, lat: float) -> bool:
    """True when (lon, lat) lies inside one of the county's polygons and not in a hole."""
    return bool(shapely.contains_xy(county.geometry, lon, lat))


def contains_many(county: County, lons, lats) -> np.ndarray:
    """contains() for arrays of points at once; what the import check uses for 100,000 projects."""
    x, y = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    return np.asarray(shapely.contains_xy(county.geometry, x, y), dtype=bool)
