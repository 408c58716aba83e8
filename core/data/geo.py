"""County boundaries in the DataV GeoAtlas form, and point-in-polygon tests.

A DataV file (`<adcode>_full.json`) is a GeoJSON FeatureCollection whose features carry
properties such as {"adcode": 330102, "name": "上城区", "center": [120.17, 30.25],
"centroid": [120.17, 30.23]}. Coordinates are GCJ-02, as DataV publishes them; project
coordinates must use the same system (take them from 高德/腾讯 maps, not from GPS).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

Ring = list[list[float]]


@dataclass(frozen=True)
class County:
    name: str
    adcode: str
    center: tuple[float, float]  # (lon, lat) where the label is drawn
    polygons: tuple[tuple[Ring, ...], ...]  # polygons, each an outer ring then holes


@dataclass(frozen=True)
class Boundaries:
    counties: tuple[County, ...]
    geojson: dict  # the FeatureCollection as read, for the map layer

    @property
    def empty(self) -> bool:
        return not self.counties

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.counties]

    def by_name(self, name: str) -> County | None:
        return next((c for c in self.counties if c.name == name), None)

    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of every ring."""
        xs, ys = [], []
        for c in self.counties:
            for poly in c.polygons:
                for x, y in poly[0]:
                    xs.append(x)
                    ys.append(y)
        return min(xs), min(ys), max(xs), max(ys)


def _polygons(geometry: dict) -> tuple[tuple[Ring, ...], ...]:
    if geometry["type"] == "Polygon":
        return (tuple(geometry["coordinates"]),)
    if geometry["type"] == "MultiPolygon":
        return tuple(tuple(p) for p in geometry["coordinates"])
    raise ValueError(f"不支持的几何类型:{geometry['type']}")


def _center(props: dict, polygons: tuple[tuple[Ring, ...], ...]) -> tuple[float, float]:
    for key in ("centroid", "center"):
        value = props.get(key)
        if isinstance(value, list | tuple) and len(value) == 2:
            return float(value[0]), float(value[1])
    ring = max((p[0] for p in polygons), key=len)
    return sum(x for x, _ in ring) / len(ring), sum(y for _, y in ring) / len(ring)


def parse_boundaries(
    data: dict, source: str = "边界文件", *, allow_empty: bool = False
) -> Boundaries:
    """Read a FeatureCollection; raises ValueError naming the feature that is wrong. The store's
    data set without a boundary file has an empty one (`allow_empty`)."""
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ValueError(f"{source}不是GeoJSON FeatureCollection")
    counties = []
    for i, feature in enumerate(data["features"], start=1):
        props = feature.get("properties") or {}
        name = str(props.get("name") or "").strip()
        if not name or not feature.get("geometry"):
            continue  # DataV files may hold an unnamed outline feature; it is not a county
        try:
            polygons = _polygons(feature["geometry"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{source}第{i}个要素({name})的几何数据无法读取:{exc}") from exc
        counties.append(
            County(name, str(props.get("adcode", "")), _center(props, polygons), polygons)
        )
    if not counties and not (allow_empty and not data["features"]):
        raise ValueError(f"{source}中没有带名称(name)的区县要素")
    return Boundaries(tuple(counties), data)


def load_boundaries(path: Path) -> Boundaries:
    with open(path, encoding="utf-8") as f:
        return parse_boundaries(json.load(f), source=Path(path).name)


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def contains(county: County, lon: float, lat: float) -> bool:
    """True when (lon, lat) lies inside one of the county's polygons and not in a hole."""
    for poly in county.polygons:
        if _in_ring(lon, lat, poly[0]) and not any(_in_ring(lon, lat, h) for h in poly[1:]):
            return True
    return False


def _in_ring_many(x: np.ndarray, y: np.ndarray, ring: Ring) -> np.ndarray:
    """Ray casting for many points at once: one pass over the ring's edges."""
    r = np.asarray(ring, dtype=float)[:, :2]
    inside = np.zeros(len(x), dtype=bool)
    xj, yj = r[-1]
    for xi, yi in r:
        crosses = (yi > y) != (yj > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = (xj - xi) * (y - yi) / (yj - yi) + xi
        inside ^= crosses & (x < at)
        xj, yj = xi, yi
    return inside


def contains_many(county: County, lons, lats) -> np.ndarray:
    """contains() for arrays of points; what the import check uses for 100,000 projects."""
    x, y = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    result = np.zeros(len(x), dtype=bool)
    for poly in county.polygons:
        outer = np.asarray(poly[0], dtype=float)
        box = (x >= outer[:, 0].min()) & (x <= outer[:, 0].max())
        box &= (y >= outer[:, 1].min()) & (y <= outer[:, 1].max())
        if not box.any():
            continue
        idx = np.flatnonzero(box)
        hit = _in_ring_many(x[idx], y[idx], poly[0])
        for hole in poly[1:]:
            hit &= ~_in_ring_many(x[idx], y[idx], hole)
        result[idx] |= hit
    return result
