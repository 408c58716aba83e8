"""From the map to a project (issue 22), in a real browser: on 项目地图 a click on a project's
point selects it, the link 打开项目档案 appears with that project's name, and following it opens
its 项目档案 for the map's period.

The point is found as a person finds it — where it is drawn: its pixel is worked out from the
deck the page sends (the view's centre and zoom, the point's longitude and latitude, on deck.gl's
Web Mercator of 512-pixel tiles) and clicked with the mouse; a point is chosen that no other
point comes near, so the click cannot hit a neighbour.
"""

from __future__ import annotations

import json
import math
import re

import pytest
from browser_kit import MAP, RUN_TIMEOUT, Server, assert_no_exception, open_page, wait_for_run

from core.base import schema as S
from core.base.periods import Convention
from core.figures import measures as M
from core.figures.scope import Scope, default_level
from core.output import maps
from core.store.portfolio import DEMO_DIR, load_folder

pytestmark = pytest.mark.browser

COUNTY = "云溪市"  # one county: the view zooms to it; its points stand apart
TILE = 512  # deck.gl's Web Mercator: the world is 512 × 2^zoom pixels wide
ALONE = 45  # px to the nearest other point: beyond any point's radius (30 px at most)


def _world(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    size = TILE * 2**zoom
    phi = math.radians(lat)
    return (
        size * (lon + 180) / 360,
        size * (1 - math.log(math.tan(math.pi / 4 + phi / 2)) / math.pi) / 2,
    )


def _points_on_screen(county: str) -> tuple[str, list[tuple[str, str, float, float]]]:
    """The period and, for each point of the map of `county`, (code, name, dx, dy): its offset
    in pixels from the map's centre, as the page draws it (the same core calls as the page)."""
    p = load_folder(DEMO_DIR)
    scope = Scope(period=p.latest_period, counties=(county,), level=default_level(True),
                  opening_level=default_level(True))  # fmt: skip
    conv = Convention.default()
    projects = M.projects_in_scope(p, scope, conv)
    out = maps.project_map(p.boundaries, M.county_ranking(p, scope, conv), projects,
                           counties=scope.counties)  # fmt: skip
    spec = json.loads(out.deck.to_json())
    view = spec["initialViewState"]
    cx, cy = _world(view["longitude"], view["latitude"], view["zoom"])
    (layer,) = spec["layers"]
    names = dict(zip(projects[S.CODE], projects[S.NAME], strict=True))
    found = []
    # The points come first in the layer's data, in the order of out.codes.
    for code, point in zip(out.codes, layer["data"], strict=False):
        assert point["properties"]["名称"] == names[code]
        x, y = _world(*point["geometry"]["coordinates"], view["zoom"])
        found.append((code, names[code], x - cx, y - cy))
    return p.latest_period.key, found


def _alone(points, width: float, height: float):
    """The points well inside the map with no other point within ALONE pixels, largest first."""
    inside = [pt for pt in points if abs(pt[2]) < width / 2 - 60 and abs(pt[3]) < height / 2 - 60]
    return [
        pt
        for pt in inside
        if all(math.hypot(pt[2] - o[2], pt[3] - o[3]) > ALONE for o in points if o is not pt)
    ]


def test_a_click_on_a_map_point_opens_its_project_file(page, server: Server) -> None:
    from playwright.sync_api import expect

    period, points = _points_on_screen(COUNTY)
    sent = [0]  # the messages the page has sent to the server
    page.on("websocket", lambda ws: ws.on("framesent", lambda _: sent.__setitem__(0, sent[0] + 1)))
    open_page(page, f"/map?county={COUNTY}", "项目地图")
    assert_no_exception(page, server)
    canvas = page.locator(MAP).last  # deck.gl's canvas, above the base map's
    expect(canvas).to_be_visible(timeout=RUN_TIMEOUT)
    page.wait_for_timeout(1500)  # the deck draws its points after the canvas appears
    box = canvas.bounding_box()
    assert box and box["width"] > 400 and box["height"] > 400
    candidates = _alone(points, box["width"], box["height"])
    assert candidates, "no point of the map stands alone: choose another county"
    code, name, dx, dy = candidates[0]
    hint = page.get_by_text("点击地图上的项目圆点,可打开该项目的档案。")
    expect(hint).to_be_visible()

    x, y = box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy
    # Over the point first, as a hand moves: its tooltip names the project under the pointer.
    page.mouse.move(x - 60, y - 60)
    page.mouse.move(x, y, steps=6)
    expect(page.locator(".deck-tooltip").filter(has_text=name)).to_be_visible()
    before = sent[0]
    page.mouse.click(x, y)
    link = page.get_by_role("link", name=re.compile("打开项目档案"))
    try:
        expect(link).to_be_visible(timeout=10_000)
    except AssertionError:
        # A click the deck took before it was ready to pick sends nothing to the server; the
        # person clicks again. Once something was sent, a second click would unselect it.
        if sent[0] == before:
            page.mouse.click(x, y)
        expect(link).to_be_visible(timeout=RUN_TIMEOUT)
    expect(link).to_contain_text(name)
    expect(hint).to_be_hidden()

    link.click()
    wait_for_run(page, "项目档案")
    assert_no_exception(page, server)
    assert re.search(rf"/project\?.*code={re.escape(code)}", page.url), page.url
    assert f"period={period}" in page.url
    expect(page.locator("h3").filter(has_text=name).first).to_be_visible()
    expect(page.get_by_text(f"项目代码{code}").first).to_be_visible()
