"""The sidebar's 查找项目 on every page (app_pages.search_box): a project's name typed on two
different pages lists the project with a link to its file for the sidebar's period; a word
that matches nothing says so in Chinese."""

from __future__ import annotations

import pytest
from app_kit import open_app, unescaped
from streamlit.testing.v1 import AppTest

from core.base import schema as S
from core.figures import project as P
from core.store.portfolio import DEMO_DIR, load_folder


@pytest.fixture(scope="module")
def demo():
    return load_folder(DEMO_DIR)


def _links(at: AppTest) -> list[tuple[str, str, dict]]:
    """The sidebar's page links: (label as shown, page, query)."""
    out = []
    for link in at.sidebar.get("page_link"):
        proto = link.proto
        query = dict(pair.split("=", 1) for pair in proto.query_string.split("&") if pair)
        out.append((unescaped(proto.label), proto.page, query))
    return out


@pytest.mark.parametrize(("page", "period"), [("overview", None), ("alerts", "2026-01")])
def test_a_name_typed_on_a_page_finds_the_project_and_links_to_its_file(demo, page, period):
    f = demo.projects
    code = f[S.CODE].iloc[3]
    name = f.loc[f[S.CODE] == code, S.NAME].item()
    # The name alone may be shared by more projects (a word of it surely is): every match is
    # listed, the project among them; its code alone finds it only.
    expected = P.search(demo, name)
    assert code in set(expected[S.CODE])
    at = open_app(page, **({"period": period} if period else {}))
    at.sidebar.text_input(key="sidebar_project_search").input(name).run()
    assert not at.exception
    links = _links(at)
    found = [x for x in links if x[1] == P.PAGE_PATH]
    assert f"{name}({code})" in [label for label, _, _ in found]
    assert len(found) == min(len(expected), 8)
    query = next(q for label, _, q in found if label == f"{name}({code})")
    assert query == {"code": code, "period": period or demo.latest_period.key}


def test_a_code_finds_one_project_and_nothing_is_said_in_chinese(demo):
    code = demo.projects[S.CODE].iloc[0]
    at = open_app("progress")
    at.sidebar.text_input(key="sidebar_project_search").input(code.lower()).run()
    found = [x for x in _links(at) if x[1] == P.PAGE_PATH]
    assert [q["code"] for _, _, q in found][:1] == [code]  # the exact code first
    at.sidebar.text_input(key="sidebar_project_search").input("没有这样的项目名").run()
    assert not [x for x in _links(at) if x[1] == P.PAGE_PATH]
    assert "没有找到符合条件的项目。" in [c.value for c in at.sidebar.caption]
