"""Links to 项目档案 (/project?code=…) from the 预警 list and from a point of the project map,
through AppTest on the demo (issue 22, item 3).

The map's selection is sent as the browser sends it: the chart's widget state, a JSON string
({"selection": {"indices": …, "objects": {layer id: [the picked row]}}})."""

from __future__ import annotations

import json

import pytest
from app_kit import open_app, unescaped
from streamlit.testing.v1 import AppTest

from core.base import schema as S
from core.figures import project as P
from core.output import agenda as A
from core.output import maps
from core.store.portfolio import DEMO_DIR, load_folder
from core.store.versions import Store
from tests.access_kit import ADMIN


@pytest.fixture(scope="module")
def demo():
    return load_folder(DEMO_DIR)


def test_the_alert_list_links_each_row_to_its_project():
    at = open_app("alerts")
    tables = [t.value for t in at.dataframe if P.LINK in t.value.columns]
    assert len(tables) == 1, "the 预警清单 has one 档案 column"
    links = tables[0][P.LINK].tolist()
    assert links and all(v.startswith("/project?code=") and "period=2026-02" in v for v in links)


def test_the_alert_list_on_a_projector_has_no_link_column():
    at = open_app("alerts", present="1")
    at.button(key="present_next").click().run()  # 预警清单
    assert not at.exception
    # On a projector the list is drawn in projector type (app_pages/presentation.table),
    # without the link column nobody would click.
    tables = [h.proto.body for h in at.get("html") if "present-table" in h.proto.body]
    assert tables and "预警原因" in tables[0]
    assert not at.dataframe and all("/project?code=" not in t and "档案" not in t for t in tables)


def _map(at: AppTest):
    (chart,) = at.get("deck_gl_json_chart")
    return chart


def _select(at: AppTest, layer: str, index: int, obj: dict) -> AppTest:
    """Pick one object of a layer on the map, as the frontend reports it, and rerun."""
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = _map(at).proto.id
    state.string_value = json.dumps(
        {"selection": {"indices": {layer: [index]}, "objects": {layer: [obj]}}}
    )
    at = at._run(states)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _links(at: AppTest) -> list[str]:
    return [str(x.proto) for x in at.get("page_link") if "打开项目档案" in x.proto.label]


def test_a_map_point_opens_its_project(demo):
    at = open_app("map")
    assert not _links(at)
    assert any("点击地图上的项目圆点" in c.value for c in at.caption)
    spec = json.loads(_map(at).proto.json)
    (layer,) = spec["layers"]
    index = 5
    point = layer["data"][index]
    name = point["properties"]["名称"]
    at = _select(at, maps.MAP_LAYER, index, point)
    (link,) = _links(at)
    assert f"打开项目档案:{name}" in link
    assert 'page: "project"' in link
    (code,) = demo.projects.loc[demo.projects[S.NAME] == name, S.CODE]
    assert f"code={code}&period=2026-02" in link


def test_a_county_picked_on_the_map_opens_nothing():
    at = open_app("map")
    (layer,) = json.loads(_map(at).proto.json)["layers"]
    index, county = next(
        (i, f) for i, f in enumerate(layer["data"]) if f["geometry"]["type"] == "MultiPolygon"
    )
    at = _select(at, maps.MAP_LAYER, index, county)
    assert not _links(at)


def test_selected_code_reads_only_the_points():
    codes = ("A-1", "B-2")
    assert maps.selected_code(None, codes) is None
    assert maps.selected_code({"selection": {"indices": {}, "objects": {}}}, codes) is None
    assert maps.selected_code({"selection": {"indices": {maps.MAP_LAYER: [1]}}}, codes) == "B-2"
    assert maps.selected_code({"selection": {"indices": {"other": [0]}}}, codes) is None
    # past the points: a county's polygon or name
    assert maps.selected_code({"selection": {"indices": {maps.MAP_LAYER: [2]}}}, codes) is None


def test_the_agenda_page_holds_a_project_view(tmp_path, monkeypatch, demo):
    """A saved agenda with a 项目档案 view: the editor shows its code, the agenda checks clean
    and the deck downloads; a code the data do not hold is named."""
    url = f"sqlite:///{tmp_path}/page.sqlite"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    code = demo.projects[S.CODE].iloc[0]
    agendas = A.Agendas(Store(url))
    agendas.save(A.Agenda("项目调度", (A.View("overview"), A.View.of_project(code))), actor=ADMIN)
    agendas.save(A.Agenda("错码", (A.View.of_project("X-1"),)), actor=ADMIN)
    at = open_app("agenda")
    at.selectbox(key="agenda_choice").select("项目调度").run()
    assert not at.exception
    (editor,) = at.dataframe  # the data_editor
    rows = editor.value
    assert rows["页面"].tolist() == ["总览", "项目档案"]
    assert rows["项目代码"].tolist() == ["", code]
    assert not [c.value for c in at.caption if "第" in c.value and "项" in c.value]
    download = next(b for b in at.get("download_button") if "汇报材料" in b.label)
    assert not download.disabled
    at.selectbox(key="agenda_choice").select("错码").run()
    assert any("第1项的项目代码“X-1”在当前数据中不存在" in unescaped(c.value) for c in at.caption)
