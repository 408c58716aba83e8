"""The project map's deck read back as the browser receives it (core.output.maps): its one
layer, and that layer's features sorted into project points, county polygons, county names and
the names' halo copies."""

from __future__ import annotations

import json
from dataclasses import dataclass

from core.output import maps


@dataclass
class Drawn:
    layer: dict  # the deck's one layer, without its data
    points: list[dict]  # the project points' properties, in the data's order
    point_xy: list[list[float]]  # their [lon, lat]
    counties: dict[str, dict]  # a county's polygon's properties, by name
    names: dict[str, dict]  # a county's name as drawn (properties), by county
    halos: dict[str, list[dict]]  # the white copies around each name, by county


def drawn(result: maps.MapOut) -> Drawn:
    spec = json.loads(result.deck.to_json())
    (layer,) = spec["layers"]
    out = Drawn({k: v for k, v in layer.items() if k != "data"}, [], [], {}, {}, {})
    for feature in layer["data"]:
        props, geometry = feature["properties"], feature["geometry"]
        if geometry["type"] == "MultiPolygon":
            out.counties[props["名称"]] = props
        elif "label" not in props:
            out.points.append(props)
            out.point_xy.append(geometry["coordinates"])
        elif "o" in props:  # a copy: the county is the label's first line
            out.halos.setdefault(props["label"].split("\n")[0], []).append(props)
        else:
            out.names[props["名称"]] = props
    return out
