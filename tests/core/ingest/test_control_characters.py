"""Control characters and direction marks in imported text (issue 24: `\\x07`, `\\x1b`, U+202E in
a name were accepted, then every .xlsx export failed with IllegalCharacterError): the import
takes them out with a warning naming the cell, and the exports never fail on stored text."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from core.base import cells
from core.base import schema as S
from core.figures import measures as M
from core.figures.scope import Scope
from core.ingest import importing, workbook
from core.output import export
from core.store import datasource
from core.store.datasource import with_all_columns
from core.store.portfolio import read_csv
from core.store.versions import Store
from tests.access_kit import ADMIN

MINI = Path(__file__).parents[2] / "fixtures" / "mini"
BOUNDARIES = ("区县边界.geojson", (MINI / "区县边界.geojson").read_bytes())
HOSTILE = ["甲\x07项目", "\x1b[31m乙项目", "丙项目\u202etxt.exe", "丁\x7f项目\u2066", "戊\x00项目"]
CLEAN = ["甲项目", "[31m乙项目", "丙项目txt.exe", "丁项目", "戊项目"]


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path}/controls.sqlite")
    yield s
    s.close()


def _mini() -> dict[str, pd.DataFrame]:
    return {t: with_all_columns(read_csv(MINI / f"{t}.csv"), t) for t in S.TABLES}


def _texts(content: bytes) -> set[str]:
    wb = load_workbook(io.BytesIO(content))
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str)}  # fmt: skip


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def test_the_import_removes_them_and_names_each_cell(store):
    tables = _mini()
    projects = tables[S.PROJECTS]
    projects[S.NAME] = HOSTILE[: len(projects)]
    projects.loc[0, S.OWNER] = "某\u202e公司"
    files = [("项目清单.csv", _csv(projects).replace(b"\x00", b"")),  # NUL: no CSV holds it
             ("月度进度.csv", _csv(tables[S.MONTHLY])), BOUNDARIES]  # fmt: skip
    report = importing.check(files, store)
    assert report.importable, [line.text() for line in report.lines()]
    warned = [f for f in report.findings if "已删除" in f.message]
    assert sorted((f.row, f.column, f.value) for f in warned) == [
        (2, S.OWNER, "某公司"), (2, S.NAME, "甲项目"), (3, S.NAME, "[31m乙项目"),
        (4, S.NAME, "丙项目txt.exe"), (5, S.NAME, "丁项目"),
    ]  # fmt: skip
    assert warned[0].text().startswith("【警告】文件“项目清单.csv”第")
    assert "含有不可见的控制字符或改变文字方向的字符(如U+202E),已删除" in warned[0].message
    importing.commit(report, store, actor=ADMIN)
    stored, _ = store.current_tables()
    assert stored[S.PROJECTS][S.NAME].tolist() == ["甲项目", "[31m乙项目", "丙项目txt.exe", "丁项目",
                                                   "戊项目"][: len(projects)]  # fmt: skip
    # Every .xlsx export of the imported data opens, and the data workbook imports back.
    content = workbook.data_bytes(datasource.current(store).tables)
    again = importing.check([("导出.xlsx", content), BOUNDARIES], store)
    assert again.importable and not [f for f in again.findings if "已删除" in f.message]


def test_exports_never_fail_on_text_stored_before(store):
    """Rows written before the import cleaned them (straight into the store here): the data
    workbook, the progress table and the template are written without them."""
    tables = _mini()
    n = len(tables[S.PROJECTS])
    tables[S.PROJECTS][S.NAME] = HOSTILE[:n]
    tables[S.MONTHLY][S.PROGRESS_TEXT] = "主体\x0b施工\x1f中"
    store.import_batch({t: f.fillna("").astype(str) for t, f in tables.items()},
                       files=["旧数据"], boundaries=None, actor=ADMIN)  # fmt: skip
    data = datasource.current(store)
    assert set(data.tables[S.PROJECTS][S.NAME]) == set(HOSTILE[:n])  # as stored
    texts = _texts(workbook.data_bytes(data.tables))
    assert set(CLEAN[:n]) <= texts and "主体施工中" in texts
    assert not any(cells.CONTROL_CHARACTERS.search(t) for t in texts)

    p = datasource.portfolio(data)
    scope = Scope(p.latest_period)
    table = M.progress_table(p, scope)
    texts = _texts(export.progress_xlsx(table, scope))
    assert set(CLEAN[:n]) & texts and not any(cells.CONTROL_CHARACTERS.search(t) for t in texts)
    assert export.progress_csv(table, scope)  # CSV keeps the text as stored: it cannot fail


def test_the_writer_helpers():
    assert cells.without_controls("a\x07b\tc\nd\u202ee\r") == "ab\tc\nde\r"
    frame = pd.DataFrame({"名\x1b称": ["甲\x07", "乙", None], "金额": [1.0, 2.0, 3.0]})
    out = cells.xlsx_frame(frame)
    assert list(out.columns) == ["名称", "金额"] and out["名称"].tolist()[:2] == ["甲", "乙"]
    assert cells.xlsx_frame(frame.iloc[1:, 1:]) is not None
