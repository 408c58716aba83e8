"""The sidebar's project search, on every page: a project found by name, code, county or owner
(the one search of the product, core.figures.search through core.figures.project.search) and a
link to its file, /project?code=…&period=… for the period in the sidebar."""

from __future__ import annotations

import streamlit as st

from app_pages.escape import plain
from app_pages.filters import scope
from core.base import schema as S
from core.figures import project as P
from core.store.portfolio import Portfolio

SEARCH_KEY = "sidebar_project_search"
SHOWN = 8  # links listed under the box; more found: the count and a hint to add a word


def sidebar(p: Portfolio) -> None:
    """The 查找项目 box and, for a query, a link to each project found (after the filters: the
    link keeps their period)."""
    sb = st.sidebar
    query = sb.text_input(
        "查找项目",
        key=SEARCH_KEY,
        placeholder="项目名称、代码或建设单位",
        help="输入项目名称、项目代码、区县或建设单位中的文字,可用空格分隔多个词;点击结果打开项目档案",
        icon=":material/search:",
    )
    if not query.strip():
        return
    found = P.search(p, query, limit=P.SEARCH_LIMIT)
    if found.empty:
        sb.caption("没有找到符合条件的项目。")
        return
    period = scope().period.key
    shown = found.head(SHOWN)
    for code, name in zip(shown[S.CODE], shown[S.NAME], strict=True):
        sb.page_link(
            "app_pages/project.py",
            label=plain(f"{name}({code})"),
            icon=":material/folder_open:",
            query_params={"code": code, "period": period},
        )
    if len(found) > SHOWN:
        more = "20个以上" if len(found) >= P.SEARCH_LIMIT else f"{len(found)}个"
        sb.caption(f"共找到{more}项目,只列出前{SHOWN}个;请输入更多文字缩小范围。")
