"""County boundaries in the DataV GeoAtlas form, read as geometry with shapely.

A DataV file (`<adcode>_full.json`) is a GeoJSON FeatureCollection whose features carry
properties such as {"adcode": 330102, "name": "上城区", "center": [120.17, 30.25],
"centroid": [120.17, 30.23]}. Coordinates are GCJ-02, as DataV publishes them; project
coordinates must use the same system (take them from 高德/腾讯 maps, not from GPS). Files in
ECharts' compressed form ("UTF8Encoding": true) are decoded. Coordinates outside longitude and
latitude (metres of Web Mercator) are refused. Geometry that is not valid (a ring that crosses
itself) is repaired, with a warning saying what the repair changed, and the polygons drawn on
the map are simplified to what a screen shows, whatever the file's size.
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
    # What the repair changed, one Chinese sentence a county (a part dropped, a shape split in
    # two): warnings of the import, which goes on with the repaired geometry.
    warnings: tuple[str, ...] = ()

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


def _offset(value) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(_numbers(v) for v in value)


def _decode_rings(rings, offsets, scale: float, where: str):
    """A polygon's rings decoded; each string ring needs its [x, y] offset (encodeOffsets)."""
    if not isinstance(rings, list) or not any(isinstance(r, str) for r in rings):
        return rings  # plain coordinates (or nonsense that the coordinate check will name)
    if not isinstance(offsets, list) or len(offsets) != len(rings):
        raise ValueError(
            f"{where}是ECharts压缩格式(UTF8Encoding),但缺少encodeOffsets或其个数与坐标环不符;"
            "请用原始的GeoJSON文件(如DataV导出的文件)"
        )
    out = []
    for ring, offset in zip(rings, offsets, strict=True):
        if isinstance(ring, str):
            if not _offset(offset):
                raise ValueError(
                    f"{where}的encodeOffsets“{str(offset)[:30]}”不是两个数字(ECharts压缩格式)"
                )
            ring = _decode_ring(ring, offset, scale)
        out.append(ring)
    return out


def decode_echarts(data: dict, source: str = "边界文件") -> dict:
    """A plain FeatureCollection from ECharts' compressed one (coordinates as strings); raises
    ValueError naming the file and the feature, in Chinese, when the compression is broken."""
    if not data.get("UTF8Encoding") or not isinstance(data.get("features"), list):
        return data  # a collection without a list of features is named by parse_boundaries
    scale = data.get("UTF8Scale")
    if scale is None:
        scale = _ECHARTS_SCALE
    elif not (_numbers(scale) and scale > 0):
        raise ValueError(
            f"{source}的UTF8Scale“{str(scale)[:30]}”无效:应为正数"
            f"(ECharts压缩格式的坐标缩放比例,一般为{_ECHARTS_SCALE})"
        )
    scale = float(scale)
    features = []
    for i, feature in enumerate(data["features"], start=1):
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            features.append(feature)  # named by the reading that follows
            continue
        props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        name = str(props.get("name") or "").strip()
        where = f"{source}第{i}个要素" + (f"({name})" if name else "")
        geometry = dict(feature["geometry"])
        offsets, coords = geometry.get("encodeOffsets"), geometry.get("coordinates")
        if geometry.get("type") == "Polygon":
            geometry["coordinates"] = _decode_rings(coords, offsets, scale, where)
        elif geometry.get("type") == "MultiPolygon" and isinstance(coords, list):
            compressed = any(
                isinstance(poly, list) and any(isinstance(r, str) for r in poly) for poly in coords
            )
            if compressed and not (isinstance(offsets, list) and len(offsets) == len(coords)):
                raise ValueError(
                    f"{where}是ECharts压缩格式(UTF8Encoding),但缺少encodeOffsets或其个数与"
                    "坐标不符;请用原始的GeoJSON文件(如DataV导出的文件)"
                )
            if compressed:
                geometry["coordinates"] = [
                    _decode_rings(poly, poly_offsets, scale, where)
                    for poly, poly_offsets in zip(coords, offsets, strict=True)
                ]
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
                if not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
                    return (
                        f"坐标“[{point[0]:g}, {point[1]:g}]”超出经纬度范围(经度-180至180、"
                        "纬度-90至90);边界文件须用经纬度(GCJ-02),不能用以米为单位的投影坐标"
                        "(如Web墨卡托EPSG:3857),请转换后再上传"
                    )
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


def _repair_warning(where: str, original: MultiPolygon, repaired: MultiPolygon) -> str:
    """What repairing a county's invalid geometry changed, in Chinese."""
    dropped = sum(1 for p in original.geoms if _polygonal(shapely.make_valid(p)).is_empty)
    kept = len(original.geoms) - dropped
    said = []
    if dropped:
        said.append(f"有{dropped}个面没有面积(退化为线或点),已舍去")
    if len(repaired.geoms) > kept:
        said.append(f"边界线自相交(如“8”字形),修复后分成{len(repaired.geoms)}块")
    if not said:
        said.append("边界几何无效(如自相交或互相重叠),已自动修复")
    return f"{where}的{','.join(said)};地图上的形状可能与实际不符,请核对边界文件"


def parse_boundaries(
    data: dict, source: str = "边界文件", *, allow_empty: bool = False
) -> Boundaries:
    """Read a FeatureCollection; raises ValueError naming what is wrong, in Chinese. The
    store's data set without a boundary file has an empty one (`allow_empty`)."""
    if not isinstance(data, dict):
        raise ValueError(f"{source}不是GeoJSON要素集合(FeatureCollection),而是一个数组或其他值")
    data = decode_echarts(data, source)
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ValueError(f"{source}不是GeoJSON要素集合(FeatureCollection)")
    read: list[tuple[str, str, dict, MultiPolygon]] = []
    repaired: list[str] = []
    warnings: list[str] = []
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
        fixed = not shapes.is_valid
        if fixed:
            original = shapes
            shapes = _polygonal(shapely.make_valid(shapes))
            repaired.append(name)
            if not shapes.is_empty:
                warnings.append(_repair_warning(f"第{i}个要素({name})", original, shapes))
        if shapes.is_empty:
            if fixed:
                warnings.append(f"第{i}个要素({name})的边界没有面积(退化为线或点),修复后为空,"
                                "地图上不显示这个区县;请核对边界文件")  # fmt: skip
                continue
            raise ValueError(f"{source}第{i}个要素({name})的几何数据为空")
        read.append((name, str(props.get("adcode", "")), props, shapes))
    if not read and warnings:
        raise ValueError(f"{source}中没有可用的区县边界:{';'.join(warnings)}")
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
    return Boundaries(counties, data, tuple(repaired), tuple(warnings))


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
