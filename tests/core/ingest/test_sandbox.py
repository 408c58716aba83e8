"""Every uploaded workbook is parsed in a worker process (core.ingest.sandbox): a file that
makes the reader abort, exhaust memory, loop or answer too much is a Chinese message naming the
file, and this process goes on. The two 2 KB files of issue 24 aborted the server before."""

from __future__ import annotations

import io
import resource
import time
import zipfile

import pytest

from core.ingest import reading, sandbox, sheets


def minimal_xlsx(rows_xml: bytes) -> bytes:
    """The smallest .xlsx calamine reads: one sheet whose <sheetData> is rows_xml."""
    ns = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{ns}/package/2006/content-types"><Default '
        'Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship '
        f'Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/'
        'officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{ns}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{ns}/spreadsheetml/2006/main">'
                   "<sheetData>".encode() + rows_xml + b"</sheetData></worksheet>")  # fmt: skip
    return out.getvalue()


def _text(t: str) -> str:
    return f'<c t="inlineStr"><is><t>{t}</t></is></c>'


HEAD = (f"<row>{_text('项目名称')}{_text('总投资')}{_text('年度计划投资')}</row>"
        f"<row>{_text('甲项目')}<c><v>10</v></c><c><v>5</v></c></row>").encode()  # fmt: skip
# A cell at XFD1048576 written with single quotes (the pre-check looked for double quotes).
FAR_CELL = minimal_xlsx(HEAD + b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>")
# A 16,384th cell in a row whose cells carry no reference at all: only a reader counts them.
WIDE_ROW = minimal_xlsx(HEAD + b'<row r="1048576">' + b"<c><v>1</v></c>" * 16384 + b"</row>")
MEMORY = "读取时所需内存超过"


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def test_a_normal_workbook_reads_the_same_in_the_worker():
    content = minimal_xlsx(HEAD)
    here = sheets.read_workbook_here("正常.xlsx", content)
    there = sheets.read_workbook("正常.xlsx", content)
    assert there == here and there.sheets[0].grid.cells[1] == ["甲项目", 10.0, 5.0]
    (led,) = reading.read_upload([("正常.xlsx", content)]).ledgers
    assert led.records[0].cells[:3] == ["甲项目", 10.0, 5.0]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("远处单元格.xlsx", FAR_CELL,
         "文件“远处单元格.xlsx”的第1张工作表用到了第16384列,超过1000列的上限;"
         "请删除右侧多余的列(或清除其中的内容和格式)后另存再上传"),
        ("宽行.xlsx", WIDE_ROW,
         "文件“宽行.xlsx”读取时所需内存超过2GB的上限,已停止读取(可能是异常或被篡改的文件);"
         "请在Excel或WPS中打开后另存为Excel工作簿(.xlsx),或拆分后再上传"),
    ],
    ids=["cell-at-XFD1048576", "16384th-cell-without-r"],
)  # fmt: skip
def test_the_two_small_files_that_aborted_the_server_are_refused(name, content, message):
    assert len(content) < 2_200  # about 2 KB each
    peak, started = _peak_mb(), time.monotonic()
    read = reading.read_upload([(name, content)])
    assert [p.message for p in read.problems] == [message]
    assert not read.tables and not read.ledgers
    assert time.monotonic() - started < 30
    assert _peak_mb() - peak < 200  # the reader's gigabytes were the worker's, not ours


def test_the_worker_bounds_what_the_pre_check_lets_through(monkeypatch):
    """With the pre-check's limits lifted (they travel to the worker), the cell at XFD1048576
    reaches calamine, which asks for hundreds of gigabytes: the worker's memory limit stops it."""
    monkeypatch.setattr(sheets, "MAX_COLUMNS", 10**9)
    monkeypatch.setattr(sheets, "MAX_AREA", 10**18)
    (problem,) = reading.read_upload([("远处单元格.xlsx", FAR_CELL)]).problems
    assert problem.message.startswith("文件“远处单元格.xlsx”" + MEMORY + "2GB的上限")


def test_a_zip_bomb_under_the_unzipped_limit_is_stopped_by_the_memory_limit(monkeypatch):
    """8 million cells without references, 115 MB unzipped in a 250 KB file — under the 1 GB
    unzipped limit, and more than a 384 MB worker holds (the real limit is 2 GB: an 860 MB bomb
    of 60 million cells, which cost 2–3.8 GB and 134 s in the server, stops there in ~40 s)."""
    monkeypatch.setattr(sandbox, "MEMORY_BYTES", 384 << 20)
    row = b"<row>" + b"<c><v>1</v></c>" * 1000 + b"</row>"
    bomb = minimal_xlsx(HEAD + row * 8000)
    assert len(bomb) < 400_000
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bomb)).infolist()) < (
        sheets.MAX_UNZIPPED_BYTES
    )
    started = time.monotonic()
    (problem,) = reading.read_upload([("炸弹.xlsx", bomb)]).problems
    assert problem.message.startswith("文件“炸弹.xlsx”" + MEMORY + "384MB的上限")
    assert time.monotonic() - started < 60
    # The same worker limit reads a normal file.
    assert reading.read_upload([("正常.xlsx", minimal_xlsx(HEAD))]).ledgers


def test_limits_crashes_and_errors_become_messages(monkeypatch):
    monkeypatch.setattr(sandbox, "WALL_SECONDS", 2)
    started = time.monotonic()
    failure = sandbox.run("time:sleep", 60)
    assert failure == sandbox.Failure("time", "wall time 2 s")
    assert time.monotonic() - started < 10
    assert failure.message("慢.xlsx").startswith("文件“慢.xlsx”读取超过2秒")

    monkeypatch.setattr(sandbox, "CPU_SECONDS", 1)
    monkeypatch.setattr(sandbox, "WALL_SECONDS", 30)
    # SIGXCPU: a backtracking regular expression, CPU-bound for ever in a few bytes
    assert sandbox.run("re:match", "(a+)+$", "a" * 64 + "b").kind == "time"

    monkeypatch.setattr(sandbox, "OUTPUT_BYTES", 1 << 20)
    failure = sandbox.run("os:urandom", 2 << 20)
    assert failure.kind == "output"
    assert failure.message("大.xlsx") == (
        "文件“大.xlsx”读出的内容超过1MB的上限,已停止读取;请删除多余的行列,或拆分后上传"
    )
    assert len(sandbox.run("os:urandom", 1000)) == 1000

    crash = sandbox.run("os:abort")
    assert crash.kind == "crash"
    assert crash.message("坏.xls") == (
        "文件“坏.xls”读取时出错(读取程序异常退出),文件可能已损坏或不是正常的报表;"
        "请在Excel或WPS中打开后另存为Excel工作簿(.xlsx)再上传"
    )
    assert sandbox.run("json:loads", "{").kind == "error"
    assert sandbox.run("os:_exit", 3).kind == "crash"


def test_a_whole_file_read_in_the_worker_is_the_same_as_here():
    """read_isolated runs reading's whole file reader (CSV included) in the worker; the
    workbook it meets there is read in place, not in a worker of the worker."""
    csv = ("项目代码,项目名称,所在区县,行业领域,项目级别,项目阶段,总投资(万元)\n"
           "A1,甲,城东区,产业项目,省重点,在建,10\n")  # fmt: skip
    files = [("项目清单.csv", csv.encode()), ("项目清单.csv", csv.encode("gbk")),
             ("台账.xlsx", minimal_xlsx(HEAD)), ("一行.csv", b"a" * 1_200_000 + b"\n"),
             ("空.csv", b"")]  # fmt: skip
    for name, content in files:
        there = sheets.read_isolated("core.ingest.reading:_read_file", name, content)
        assert repr(there) == repr(reading._read_file(name, content)), name
    (problem,) = sheets.read_isolated("core.ingest.reading:_read_file", "宽行.xlsx", WIDE_ROW)
    assert problem == sheets.SourceProblem(
        "宽行.xlsx", None, sandbox.Failure("memory").message("宽行.xlsx")
    )


def test_an_answer_that_names_anything_else_is_refused_not_run(monkeypatch):
    """A subverted worker could answer with a pickle that calls os.system: the server reads no
    pickle (nor anything else but core.ingest.answer's data), so that answer is a crash, not code.
    (tests/core/ingest/test_answer.py forges answers in that format too.)"""
    import os
    import pickle

    class Boom:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    forged = pickle.dumps(("ok", Boom()))
    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    failure = sandbox._read(forged)
    assert failure.kind == "crash" and "no answer header" in failure.detail
    assert calls == []


def test_the_worker_allocates_arrow_memory_with_malloc():
    """Arrow's jemalloc reserves address space beyond its use, and the worker's limit is one of
    address space: with it a CSV of a million monthly returns (57 MB) failed to read at 2 GB."""
    assert sandbox.run("os:getenv", "ARROW_DEFAULT_MEMORY_POOL") == "system"
