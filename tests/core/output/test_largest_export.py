"""The progress table's .xlsx at the largest 项目清单 the import accepts (issue 24: a 1,000,000-row
list was accepted, then the export ran out of memory): 100,000 projects are written in a
streaming workbook, in a process of their own whose peak memory is measured. So is the data
workbook (core.ingest.workbook.data_bytes) with a 项目清单 of 100,000 projects."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

REPO = Path(__file__).resolve().parents[3]
_CHILD = r"""
import json, resource, sys
import numpy as np, pandas as pd
from core.base import schema as S
from core.base.periods import Period
from core.figures import measures as M
from core.figures.scope import Scope
from core.ingest.validation import MAX_ROWS
from core.output import export

n = MAX_ROWS[S.PROJECTS]
i = np.arange(n)
def text(f):
    return pd.Series([f.format(k) for k in i])
table = pd.DataFrame({
    S.CODE: text("2401-990102-04-01-{:06d}"), S.NAME: text("城东区第{}号产业园标准厂房建设项目"),
    S.OWNER: "某某建设投资有限公司", S.COUNTY: "城东区", S.SECTOR: "产业项目", S.LEVEL: "省重点",
    S.STAGE: "在建", S.NATURE: "新建", S.PLANNED_START: "2024-03", S.PLANNED_END: "2027-12",
    S.TOTAL_INVESTMENT: i * 1.5, M.PLAN: i * 0.5, M.DONE: i * 0.1, M.RATE: 0.2, M.GAP: -0.03,
    M.STATUS: "正常推进", S.PROGRESS_TEXT: "主体施工", M.OPEN_PROBLEMS: "用地:用地未落实",
    S.RESPONSIBLE_UNIT: "市自然资源和规划局", S.LEADER: "=王某(副区长)"})
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
content = export.progress_xlsx(table, Scope(Period(2026, 2)))
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
sys.stdout.buffer.write(json.dumps({"n": n, "grown_kb": grown}).encode() + b"\n" + content)
"""


def test_the_largest_accepted_list_exports_in_little_memory():
    done = subprocess.run([sys.executable, "-c", _CHILD], cwd=REPO, capture_output=True,
                          timeout=600, check=True)  # fmt: skip
    head, content = done.stdout.split(b"\n", 1)
    figures = json.loads(head)
    assert figures["n"] == 100_000
    # Written whole, 2,000,000 cells took about a kilobyte each; streamed, tens of megabytes.
    assert figures["grown_kb"] < 200 * 1024, figures
    ws = load_workbook(io.BytesIO(content), read_only=True)["项目进度"]
    ws.reset_dimensions()  # a streamed sheet states none: the rows are counted
    assert sum(1 for _ in ws.iter_rows(values_only=True)) == 3 + 100_000
    [last] = ws.iter_rows(min_row=3 + 100_000)
    assert [c.value for c in last[:3]] == [100_000, "2401-990102-04-01-099999",
                                           "城东区第99999号产业园标准厂房建设项目"]  # fmt: skip
    assert last[-1].value == "=王某(副区长)" and last[-1].data_type == "s"  # text, no formula


_DATA_CHILD = r"""
import json, resource, sys
import numpy as np, pandas as pd
from core.base import schema as S
from core.ingest import workbook
from core.ingest.validation import MAX_ROWS

n = MAX_ROWS[S.PROJECTS]
i = np.arange(n)
projects = pd.DataFrame({c: "" for c in S.COLUMNS[S.PROJECTS]}, index=i)
projects[S.CODE] = [f"2401-990102-04-01-{k:06d}" for k in i]
projects[S.NAME] = [f"城东区第{k}号产业园标准厂房建设项目" for k in i]
projects[S.COUNTY], projects[S.SECTOR], projects[S.LEVEL] = "城东区", "产业项目", "省重点"
projects[S.TOTAL_INVESTMENT] = i * 1.5
projects[S.LEADER] = "=王某(副区长)"
tables = {t: pd.DataFrame(columns=list(S.COLUMNS[t])) for t in S.TABLES}
tables[S.PROJECTS] = projects
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
content = workbook.data_bytes(tables)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
sys.stdout.buffer.write(json.dumps({"n": n, "grown_kb": grown}).encode() + b"\n" + content)
"""


def test_the_data_workbook_of_the_largest_accepted_list_is_streamed():
    done = subprocess.run([sys.executable, "-c", _DATA_CHILD], cwd=REPO, capture_output=True,
                          timeout=600, check=True)  # fmt: skip
    head, content = done.stdout.split(b"\n", 1)
    figures = json.loads(head)
    assert figures["n"] == 100_000
    # Built whole, 2,400,000 cells took gigabytes; streamed a chunk at a time, tens of megabytes.
    assert figures["grown_kb"] < 200 * 1024, figures
    book = load_workbook(io.BytesIO(content), read_only=True)
    ws = book["项目清单"]
    assert ws.max_row == 1 + 100_000  # the sheet states its size, as Excel writes it
    [last] = ws.iter_rows(min_row=1 + 100_000)
    assert [c.value for c in last[:3]] == ["2401-990102-04-01-099999",
                                           "城东区第99999号产业园标准厂房建设项目", "城东区"]  # fmt: skip
    assert last[10].value == "=王某(副区长)" and last[10].data_type == "s"  # text, no formula
    assert last[11].value == 99_999 * 1.5  # a number stays a number
    assert book.sheetnames[0] == "填表说明" and book["月度进度"].max_row == 1
