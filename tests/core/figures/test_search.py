"""One project search (core.figures.search) for every page: every word, any case, in the
name, code, county or owner, or a column the page adds; and no page searches on its own."""

from __future__ import annotations

import pandas as pd

from core import ROOT
from core.base import schema as S
from core.figures import progress, search

ROWS = pd.DataFrame(
    {S.NAME: ["城东新材料产业园", "城西污水处理厂", "青山县高速连接线"],
     S.CODE: ["ZB-AB12", "ZB-CD34", "ZB-EF56"],
     S.COUNTY: ["城东区", "城西区", "青山县"],
     S.OWNER: ["城东城投", "城西水务", "交投集团"],
     "预警原因": ["计划2026年1月开工", "", "连续3个月落后序时进度"]}
)  # fmt: skip


def found(query: str, **kwargs) -> list[str]:
    return search.projects(ROWS, query, **kwargs)[S.CODE].tolist()


def test_every_word_in_any_column_any_case():
    assert found("") == found("   ") == ["ZB-AB12", "ZB-CD34", "ZB-EF56"]
    assert found("zb-cd") == ["ZB-CD34"]  # a code in any case
    assert found("城东 产业") == ["ZB-AB12"]  # every word, each in some column
    assert found("城东 污水") == []
    assert found("青山县") == ["ZB-EF56"]  # the county
    assert found("水务") == ["ZB-CD34"]  # the owner
    assert found("开工") == []
    assert found("开工", more=("预警原因",)) == ["ZB-AB12"]  # a column the page adds


def test_a_frame_without_some_columns_is_searched_in_those_it_has():
    assert search.projects(ROWS[[S.NAME, S.CODE]], "城西")[S.CODE].tolist() == ["ZB-CD34"]


def test_the_progress_table_uses_it():
    table = ROWS.assign(**{"状态": "正常", "偏差": 0.0})
    out = progress.filter_and_sort(table, "城西 水务", [], "按区县")
    assert out[S.CODE].tolist() == ["ZB-CD34"]


def test_no_page_searches_on_its_own():
    own = [f.name for f in (ROOT / "app_pages").rglob("*.py")
           if "str.contains(" in f.read_text(encoding="utf-8")]  # fmt: skip
    assert own == []
