"""项目档案 (/project?code=…) through AppTest on the demo: the page states core's figures for
the project in the link, says in Chinese when the code is unknown or missing, finds a project
by its search box, is hidden from the menu, and the project tables link their rows to it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import streamlit as st
from app_kit import open_app, unescaped
from PIL import Image
from streamlit.testing.v1 import AppTest

from core.base import schema as S
from core.base.formatting import pct, yi_two_decimals
from core.figures import project as P
from core.ingest import importing
from core.output import pages
from core.store import photos
from core.store.portfolio import DEMO_DIR, load_folder
from core.store.versions import Store
from tests.access_kit import ADMIN

MINI = Path(__file__).parents[1] / "fixtures" / "mini"


@pytest.fixture(scope="module")
def demo():
    return load_folder(DEMO_DIR)


@pytest.fixture(scope="module")
def code(demo):
    """A provincial project with a plan, returns, a problem and nodes."""
    pr = set(demo.problems[S.CODE]) & set(demo.milestones[S.CODE])
    f = demo.projects
    chosen = f.loc[f[S.CODE].isin(pr) & (f[S.LEVEL] == "省重点") & (f[S.STAGE] == "在建"), S.CODE]
    return chosen.iloc[0]


def said(at: AppTest) -> str:
    parts = [*at.markdown, *at.caption, *at.info, *at.success, *at.error, *at.warning]
    return unescaped("\n".join(str(x.value) for x in parts))


def shown(at: AppTest) -> str:
    """Everything the page puts on screen as text, tables included."""
    tables = "\n".join(t.value.to_string() for t in at.dataframe)
    metrics = "\n".join(f"{m.label} {m.value}" for m in at.metric)
    return f"{said(at)}\n{tables}\n{metrics}"


def test_the_page_states_the_project_file(demo, code):
    at = open_app("project", code=code)
    assert not at.exception
    f = P.project_file(demo, code, demo.latest_period)
    assert at.title[0].value == "项目档案"
    assert unescaped(at.subheader[0].value) == f.name
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["年度计划投资"] == yi_two_decimals(f.plan)
    assert metrics["完成率"] == pct(f.rate)
    assert metrics["状态"] == f.status
    text = shown(at)
    assert f"项目代码:{code}" in text.replace("**", "")
    for pid in f.problems[S.PROBLEM_ID]:
        assert pid in text
    assert "None" not in text and "nan" not in text
    assert len(at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")) == 2  # curve, nodes
    assert any(b.label == "下载项目档案(Word)" for b in at.get("download_button"))


def test_a_period_in_the_link(demo, code):
    at = open_app("project", code=code, period="2026-01")
    f = P.project_file(demo, code, P.Period(2026, 1))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["1月累计完成"] == yi_two_decimals(f.done)


def test_unknown_and_missing_code():
    at = open_app("project", code="没有这个代码")
    assert "没有项目代码为“没有这个代码”的项目" in said(at)
    at = open_app("project")
    assert "请在上方查找项目" in said(at)
    assert not at.exception


def test_the_search_box_opens_a_project(demo, code):
    at = open_app("project")
    name = demo.projects.loc[demo.projects[S.CODE] == code, S.NAME].item()
    at.text_input(key="project_search").input(code).run()
    assert code in at.dataframe[0].value[S.CODE].tolist()
    at.selectbox(key="project_pick").set_value(code).run()
    assert not at.exception
    assert at.query_params["code"] == code
    assert unescaped(at.subheader[0].value) == name


def test_hidden_from_the_menu():
    page = pages.get("project")
    assert page.hidden and not any(p.hidden for p in pages.PAGES if p.key != "project")


def _page_links(at: AppTest) -> list[str]:
    """The 打开项目档案 links of the page (st.page_link with the project's code)."""
    return [str(x.proto) for x in at.get("page_link")]


@pytest.mark.parametrize("page", ["progress", "supervision", "factors"])
def test_project_tables_link_to_the_page(page):
    at = open_app(page)
    assert not at.exception
    links = [str(v) for t in at.dataframe if P.LINK in t.value.columns for v in t.value[P.LINK]]
    assert links, f"{page}: no 档案 column"
    assert all(v.startswith("/project?code=") and "period=2026-02" in v for v in links)


@pytest.mark.parametrize("page", ["progress", "milestones"])
def test_one_project_views_link_to_the_page(page):
    at = open_app(page)
    assert any("project" in link and "打开项目档案" in link for link in _page_links(at))


def test_the_history_of_a_project_in_the_store(tmp_path, monkeypatch):
    """The mini data set imported, A-001 renamed, rolled back, photos uploaded: four entries
    changed it."""
    url = f"sqlite:///{tmp_path}/store.sqlite"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    store = Store(url)
    mini = sorted(MINI.iterdir())
    importing.commit(importing.check(importing.read_paths(mini), store), store, "小样本",
                     actor=ADMIN)  # fmt: skip
    projects = store.current_tables()[0][S.PROJECTS]
    store.import_batch({S.PROJECTS: projects.iloc[[0]].assign(**{S.NAME: "改名项目"})},
                       files=["改名.xlsx"], actor=ADMIN)  # fmt: skip
    store.rollback(1, "改错了", actor=ADMIN)
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 120, 150)).save(picture, "JPEG")
    photos.add(store, ADMIN, "A-001", "2025-02", [("现场.jpg", picture.getvalue())] * 2)
    store.close()
    st.cache_data.clear()
    st.cache_resource.clear()

    at = open_app("project", code="A-001")
    history = next(t.value for t in at.dataframe if "修改内容" in t.value.columns)
    assert list(history["批次"]) == ["第4批", "第3批", "第2批", "第1批"]
    assert list(history["操作"]) == ["现场照片", "回滚(恢复第1批)", "导入", "导入"]
    assert history["修改内容"].iloc[0] == "新增现场照片2张"  # the upload is an entry too
    assert history["修改内容"].iloc[2] == "项目清单修改项目名称"
    assert history["操作人"].iloc[1] == f"{ADMIN.user}({ADMIN.role.value})"
    assert "2025年2月**(2张)" in said(at)
    assert len(at.get("image")[0].proto.imgs) == 2  # the month's photos, side by side
    st.cache_resource.clear()


def test_in_presentation_mode(code):
    at = open_app("project", code=code, present="1")
    assert not at.exception
    assert not any(b.label == "下载项目档案(Word)" for b in at.get("download_button"))
