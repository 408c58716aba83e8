"""Every page through streamlit's AppTest: the numbers shown equal core's, for the default URL
and for a county + sector link; filters survive page changes; bad links fall back with a notice."""

from pathlib import Path

import pytest
import streamlit as st
from app_kit import as_admin, open_app, unescaped
from app_kit import metrics as cards
from streamlit.testing.v1 import AppTest

from core.base import schema as S
from core.base.formatting import pct, yi
from core.figures import measures as M
from core.figures.scope import Scope
from core.output import pages
from core.store.portfolio import DEMO_DIR, load_folder, read_csv
from tests.access_kit import ADMIN

DEMO_MILESTONES = read_csv(DEMO_DIR / f"{S.MILESTONES}.csv")
PAGES = [p.key for p in pages.presented()]  # the pages of the filters (core.output.pages)
LINK = {"county": ["城东区"], "sector": ["产业项目"]}


def metrics(at: AppTest) -> dict[str, str]:
    return {unescaped(m.label): m.value for m in cards(at)}  # st.metric and HTML cards


def texts(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


def unescape(text: str) -> str:
    return text.replace("\\", "")


@pytest.fixture(scope="module")
def data():
    return load_folder(Path(__file__).parents[2] / "data" / "demo")


def test_overview_default_states_the_report(data):
    at = open_app()
    m = metrics(at)
    assert m["项目数"] == "106个"
    assert m["年度计划投资(亿元)"] == "1207.0"
    assert m["1-2月完成投资(亿元)"] == "172.6"
    assert m["完成率"] == "14.3%"
    assert m["序时进度(按月)"] == "16.7%"
    assert m["已落实资金(亿元)"] == "1200.0"
    assert (m["储备项目"], m["申报项目"], m["在建项目"]) == ("103个", "104个", "106个")
    delta = {unescaped(x.label): x.delta for x in cards(at)}
    assert delta["序时进度(按月)"] == "落后2.4个百分点"
    body = unescape(texts(at))
    assert "范围:全市 · 全部行业领域 · 省重点 · 截至2026年2月底" in body
    assert "其中新引进项目56个,总投资1136.0亿元" in body
    assert "拟争取省级补助资金69.6亿元" in body
    assert "其中专项债券资金300.0亿元,银行贷款700.0亿元,其他融资渠道200.0亿元" in body
    assert "高新技术产业项目40个,总投资600.0亿元,占产业项目总投资的50.0%" in body
    charts = at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")
    assert len(charts) == 3


def test_overview_link_with_county_and_sector(data):
    at = open_app(**LINK)
    f = M.year_figures(data, Scope(data.latest_period, counties=("城东区",), sectors=("产业项目",)))
    m = metrics(at)
    assert m["项目数"] == f"{f.count}个" != "106个"
    assert m["1-2月完成投资(亿元)"] == yi(f.done, unit=False)
    assert m["完成率"] == pct(f.rate)
    assert "范围:城东区 · 产业项目 · 省重点 · 截至2026年2月底" in unescape(texts(at))


def test_counties_add_up_to_the_city():
    counts, done = 0, 0.0
    city = metrics(open_app())
    for county in load_folder(Path(__file__).parents[2] / "data" / "demo").counties:
        m = metrics(open_app(county=[county]))
        counts += int(m["项目数"].removesuffix("个"))
        done += float(m["1-2月完成投资(亿元)"])
    assert f"{counts}个" == city["项目数"]
    assert done == pytest.approx(172.6, abs=0.05 * 10)  # ten counties, each rounded to 0.1


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("query", [{}, LINK], ids=["default", "county+sector"])
def test_every_page_renders_its_scope(page, query):
    at = open_app(page, **query)
    body = unescape(texts(at))
    expected = "范围:城东区 · 产业项目" if query else "范围:全市 · 全部行业领域"
    assert expected in body
    assert at.title[0].value


@pytest.mark.parametrize("query", [{}, LINK], ids=["default", "county+sector"])
def test_progress_page_counts(data, query):
    at = open_app("progress", **query)
    scope = Scope(data.latest_period, counties=tuple(query.get("county", ())),
                  sectors=tuple(query.get("sector", ())))  # fmt: skip
    table = M.progress_table(data, scope)
    m = metrics(at)
    assert m["范围内项目"] == f"{len(table)}个"
    for status in ("正常", "滞后", "严重滞后", "无年度计划"):
        assert m[status] == f"{int((table[M.STATUS] == status).sum())}个"
    shown = at.dataframe[0].value
    assert len(shown) == len(table)
    assert {"项目名称", "完成率", "状态", "形象进度", "存在问题"} <= set(shown.columns)


def test_progress_search_narrows_the_table(data):
    at = open_app("progress")
    name = M.progress_table(data, Scope(data.latest_period))["项目名称"].iloc[0]
    at.text_input(key="progress_query").input(name).run()
    assert len(at.dataframe[0].value) >= 1
    assert all(name in n for n in at.dataframe[0].value["项目名称"])


def test_growth_page_numbers():
    at = open_app("growth")
    m = metrics(at)
    assert m["固定资产投资"] == "增长7.0%"
    assert m["房地产开发投资"] == "增长10.1%"
    assert len(at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")) == 4


def test_map_page_sends_only_drawn_fields(data):
    at = open_app("map", **LINK)
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    import json

    spec = json.loads(decks[0].proto.json)
    # No basemap: no provider, and pydeck's placeholder rather than a missing style (a missing
    # style makes the frontend fetch one from the internet).
    assert spec.get("mapProvider") in (None, "") and spec.get("mapStyle") == "__MAP_STYLE__"
    (layer,) = spec["layers"]  # one layer: polygons, points and names (core.output.maps)
    points = [f for f in layer["data"] if "r" in f["properties"]]
    scope = Scope(data.latest_period, counties=("城东区",), sectors=("产业项目",))
    assert len(points) == int(scope.mask(data.projects).sum())
    assert set(points[0]) == {"geometry", "properties"}
    assert set(points[0]["properties"]) == {"名称", "详情", "fill", "r"}
    names = [f["properties"]["名称"] for f in layer["data"]
             if f["geometry"]["type"] == "MultiPolygon"]  # fmt: skip
    assert names == data.counties


def test_factors_page_numbers(data):
    at = open_app("factors")
    scope = Scope(data.latest_period)
    m = metrics(at)
    assert m["登记问题"] == f"{len(M.problems_at(data, scope))}个"
    assert m["未解决"] == f"{len(M.open_problems(data, scope))}个"
    assert len(at.dataframe[0].value) == len(M.open_problems(data, scope))


def test_indicators_page_numbers():
    m = metrics(open_app("indicators"))
    assert m["产业项目"] == "80个"
    assert m["高新技术项目投资占比"] == "50.0%"
    assert m["研发投入(亿元)"] == "150"
    assert m["清洁能源装机占比"] == "60.0%"
    assert m["单位GDP能耗(吨标准煤/万元)"] == "0.384"


def test_filters_survive_page_changes():
    at = open_app()
    at.multiselect(key="county").select("城东区").run()
    at.switch_page("app_pages/growth.py").run()
    assert "范围:城东区" in unescape(texts(at))
    assert at.multiselect(key="county").value == ["城东区"]


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ({"county": ["不存在区"]}, "链接中的区县“不存在区”不存在,已改用全市。"),
        ({"period": "2030-01"}, "链接中的报告期“2030-01”不存在,已改用最新报告期。"),
        ({"level": "国重点"}, "链接中的项目级别“国重点”不存在,已改用省重点。"),
    ],
)
def test_bad_link_values_fall_back_with_a_notice(query, notice):
    at = open_app(**query)
    assert notice in [unescape(w.value) for w in at.warning]
    assert metrics(at)["项目数"] == "106个"


EMPTY = {"stage": "储备", "sector": ["城市更新"], "county": ["城北区"], "level": "市重点"}


@pytest.mark.parametrize("page", PAGES)
def test_a_filter_that_matches_nothing_says_so(page):
    at = open_app(page, **EMPTY)
    if page != "indicators":  # city statistics do not depend on the project filters
        assert any("没有项目" in i.value for i in at.info)


@pytest.mark.parametrize("page", PAGES)
def test_projects_without_a_plan_this_year(page):
    at = open_app(page, stage="储备")  # the reserve pool: projects, but no plan and no returns
    assert "范围:全市 · 全部行业领域 · 省重点 · 储备" in unescape(texts(at))


def test_briefing_page_text_edits_and_downloads():
    at = open_app("briefing")
    area = at.text_area[0]
    assert "截至2月底,全市106个省重点项目累计完成投资172.6亿元,占年度计划的14.3%" in area.value
    assert "其中专项债券资金300.0亿元,银行贷款700.0亿元,其他融资渠道200.0亿元" in area.value
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载Word文档" in labels
    edited = area.value.replace("落后序时进度2.4个百分点", "落后序时进度2.4个百分点(会上重点讲)")
    area.input(edited).run()
    at.switch_page("app_pages/overview.py").run()
    at.switch_page("app_pages/briefing.py").run()
    assert "(会上重点讲)" in at.text_area[0].value
    assert any("正文已修改" in c.value for c in at.caption)


def test_briefing_follows_the_filters():
    area = open_app("briefing", **LINK).text_area[0]
    assert "范围:城东区 · 产业项目 · 省重点 · 截至2026年2月底" in area.value
    assert "城东区7个省重点产业项目累计完成投资" in area.value


def test_data_page_before_any_import():
    at = open_app("data")
    assert any("尚未导入数据" in i.value for i in at.info)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载填报模板(.xlsx)" in labels
    counts = at.dataframe[0].value  # every table and its rows
    assert counts["数据表"].tolist() == list(S.TABLES)
    assert counts.set_index("数据表").loc[S.MILESTONES, "行数"] == len(DEMO_MILESTONES)
    assert "当前显示示例数据,数字均为虚构。" in [c.value for c in at.sidebar.caption]


def test_pages_show_the_imported_data(tmp_path, monkeypatch):
    from core.ingest import importing
    from core.store.versions import Store

    url = f"sqlite:///{tmp_path}/app.sqlite"
    fixtures = Path(__file__).parents[1] / "fixtures"
    store = Store(url)
    files = [("正确.xlsx", (fixtures / "bad" / "正确.xlsx").read_bytes()),
             ("边界.geojson", (fixtures / "mini" / "区县边界.geojson").read_bytes())]  # fmt: skip
    importing.commit(importing.check(files, store), store, "小样本", actor=ADMIN)
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    at = open_app()  # own data opens on every level, not on the demo's 省重点
    assert "范围:全市 · 全部行业领域 · 全部级别 · 截至2025年2月底" in unescape(texts(at))
    assert metrics(at)["项目数"] == "3个"  # the projects with a 2025 plan, of any level
    at = open_app(level="省重点")
    m = metrics(at)
    assert m["项目数"] == "2个"  # A-001 and B-002: the provincial projects with a 2025 plan
    assert m["完成率"] == "12.5%"
    assert "范围:全市 · 全部行业领域 · 省重点 · 截至2025年2月底" in unescape(texts(at))
    assert not any("示例数据" in c.value for c in at.sidebar.caption)
    at.switch_page("app_pages/data.py").run()
    assert any("第1批数据" in unescape(s.value) for s in at.success)
    assert len(at.dataframe) == 1  # a viewer sees which batch is in use, not the history
    as_admin(at, url)
    history = at.dataframe[1].value
    assert history["备注"].tolist() == ["小样本"]
    assert history["操作人"].tolist() == [f"{ADMIN.user}(管理员)"]


def _page_figures(at: AppTest) -> dict:
    """What a page states: its metrics, texts and tables (the data source line aside)."""
    return {
        "metrics": [(m.label, m.value, m.delta) for m in cards(at)],
        "texts": [t for t in texts(at).splitlines() if "数据" not in t or "范围" in t],
        "tables": [
            df.value.astype(str).to_dict("list") for df in at.dataframe if "批次" not in df.value
        ],
        "areas": [a.value for a in at.text_area],
    }


def test_messy_reimport_shows_the_same_figures_on_every_page(tmp_path, monkeypatch):
    """The demo exported, made messy (title rows, text amounts, Chinese dates, 合计 row) and
    imported: every page states what it stated on the demo."""
    import json

    from core.ingest import importing
    from core.store import datasource
    from core.store.versions import Store
    from tests.core.ingest.test_importing import messy_demo_workbook

    before = {page: _page_figures(open_app(page)) for page in PAGES}
    url = f"sqlite:///{tmp_path}/messy.sqlite"
    store = Store(url)
    geo = json.dumps(datasource.current(store).boundaries, ensure_ascii=False).encode()
    report = importing.check([("示例市.xlsx", messy_demo_workbook()), ("边界.geojson", geo)], store)
    importing.commit(report, store, "乱表再导入", actor=ADMIN)
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    for page in PAGES:
        st.cache_resource.clear()
        after = _page_figures(open_app(page, level="省重点"))  # own data opens on every level
        assert after == before[page], page
