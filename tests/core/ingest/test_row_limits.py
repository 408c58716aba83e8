"""The row limits hold the whole way (issue 24: a 1,000,000-row 项目清单 was accepted, then no
export could be made): a CSV over its table's limit is refused before it is read, the tables of
an upload before they are checked, the data after the merge before anything is written; at the
limit an import is accepted and every export of the data is made."""

from __future__ import annotations

import io
import time

import pytest
from docx import Document
from openpyxl import load_workbook

from core.base import schema as S
from core.base.periods import Convention
from core.figures import briefing
from core.figures import measures as M
from core.figures.scope import Scope
from core.ingest import importing, reading, validation, workbook
from core.output import document, export
from core.store import datasource
from core.store.versions import Store
from tests.access_kit import ADMIN

PROJECTS = "项目代码,项目名称,所在区县,行业领域,项目级别,项目阶段,总投资(万元)\n"
MONTHLY = "项目代码,年月,本月完成投资(万元)\n"


def _projects(first: int, n: int) -> bytes:
    rows = (f"P{i:07d},项目{i},城东区,产业项目,省重点,在建,100\n" for i in range(first, first + n))
    return (PROJECTS + "".join(rows)).encode()


def _monthly(first: int, n: int) -> bytes:
    return (MONTHLY + "".join(f"P{i:07d},2026-01,5\n" for i in range(first, first + n))).encode()


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path}/limits.sqlite")
    yield s
    s.close()


@pytest.fixture
def small(monkeypatch):
    """The limits scaled down (the same dict every check reads): 项目清单 300, 月度进度 400,
    the other tables 100."""
    for table in S.TABLES:
        monkeypatch.setitem(validation.MAX_ROWS, table, 100)
    monkeypatch.setitem(validation.MAX_ROWS, S.PROJECTS, 300)
    monkeypatch.setitem(validation.MAX_ROWS, S.MONTHLY, 400)


def test_the_limits_are_stated_before_the_upload():
    text = importing.limits_text()
    assert (
        "导入后各表(现有数据与上传合计)不超过:项目清单10万行、年度计划20万行、月度进度120万行"
        in text
    )
    assert set(validation.MAX_ROWS) == set(S.TABLES)


def test_a_million_row_project_list_is_refused_before_it_is_read(store, monkeypatch):
    def never(*_):
        raise AssertionError("the file was read")

    monkeypatch.setattr(reading, "read_upload", never)
    content = PROJECTS.encode() + b"A1,\xe7\x94\xb2,x,x,x,x,1\n" * 1_000_000  # 29 MB, the issue's
    started = time.monotonic()
    report = importing.check([("项目清单.csv", content)], store)
    assert time.monotonic() - started < 10
    assert not report.importable
    [refusal] = [f for f in report.findings if "上限" in f.message]
    assert refusal.file == "项目清单.csv"
    assert (
        refusal.message
        == "文件有1,000,001行,超过项目清单100,000行的上限,未读取;请拆分或精简后再上传"
    )


def test_a_csv_that_names_no_table_is_held_to_the_largest_limit(store, small):
    # 月度进度's 400 is the largest of the scaled limits here, and 100 lines of titles are spare.
    fine = importing.check([("台账.csv", b"x\n" * 500)], store)
    assert not [f for f in fine.findings if "上限" in f.message]
    refused = importing.check([("台账.csv", b"x\n" * 501)], store)
    assert [f.message for f in refused.findings if "上限" in f.message] == [
        "文件有501行,超过数据表400行的上限,未读取;请拆分或精简后再上传"
    ]


def test_parts_of_a_table_are_counted_together_before_they_are_checked(store, small):
    files = [("项目清单(1).csv", _projects(0, 200)), ("项目清单(2).csv", _projects(200, 101)),
             ("月度进度.csv", _monthly(0, 301))]  # fmt: skip
    report = importing.check(files, store)
    assert not report.importable
    assert [(f.file, f.message) for f in report.findings if f.level == "错误"] == [
        ("项目清单(1).csv、项目清单(2).csv",
         "项目清单有301行,超过300行的上限,未读取检查;请拆分或精简后再上传")
    ]  # fmt: skip


def test_the_data_after_the_merge_are_held_to_the_limit(store, small):
    first = importing.check([("项目清单.csv", _projects(0, 200)),
                             ("月度进度.csv", _monthly(0, 200))], store)  # fmt: skip
    assert first.importable, first.summary()
    importing.commit(first, store, actor=ADMIN)
    # The same 200 projects again with 100 new ones: 300 after the merge, the limit itself.
    again = importing.check([("项目清单.csv", _projects(0, 300))], store)
    assert again.importable, again.summary()
    # 101 new ones: 301 after the merge, though the file has fewer rows than the limit.
    over = importing.check([("项目清单.csv", _projects(200, 101))], store)
    assert not over.importable
    assert [f.message for f in over.findings if f.level == "错误"] == [
        "导入后项目清单将有301行,超过300行的上限(现有数据与本次上传合计),未导入;"
        "请先调出或清理不再需要的项目,或分别建库"
    ]
    assert store.current().row_counts[S.PROJECTS] == 200  # nothing written


def test_at_the_limit_every_export_of_the_data_is_made(store, small):
    files = [("项目清单.csv", _projects(0, 300)), ("月度进度.csv", _monthly(0, 300))]
    report = importing.check(files, store)
    assert report.importable, report.summary()
    importing.commit(report, store, actor=ADMIN)
    data = datasource.current(store)
    assert len(data.tables[S.PROJECTS]) == 300

    book = load_workbook(io.BytesIO(workbook.data_bytes(data.tables)), read_only=True)
    assert book[S.PROJECTS].max_row == 301 and book[S.MONTHLY].max_row == 301

    p = datasource.portfolio(data)
    scope = Scope(p.latest_period, level=None)
    table = M.progress_table(p, scope)
    assert len(table) == 300
    sheet = load_workbook(io.BytesIO(export.progress_xlsx(table, scope)))
    assert sheet.active.max_row == 3 + 300  # title, scope, header, the projects
    assert export.progress_csv(table, scope).count(b"\r\n") == 1 + 300

    text = briefing.write(p, scope).text()
    doc = Document(io.BytesIO(document.docx_bytes(p, scope, Convention.MONTHS, text)))
    assert doc.paragraphs
