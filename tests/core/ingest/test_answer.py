"""The worker's answer is data (core.ingest.answer): every value a parsed file is made of comes
back exactly — same types, same cells, same dtypes — and an answer that names a class or field
the server does not list, or is anything but such an answer, is refused without a call."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import random
import re
import struct

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from core.base.periods import Period
from core.ingest import answer, ledger, reading, sandbox, sheets
from core.ingest import vocabulary as V
from core.ingest.ledger import Column, LedgerSheet, Record, Section
from core.ingest.reading import RawTable, TotalRow
from core.ingest.sheets import Grid, Sheet, SourceProblem, Workbook
from core.ingest.vocabulary import Field
from tests.core.ingest.test_sandbox import HEAD, minimal_xlsx


def same(a, b) -> bool:
    """Equal and of the same type all the way down: 1 is not 1.0, -0.0 is not 0.0, nan is nan,
    a frame's dtypes, labels and index count, and so does the type of each of its cells."""
    if type(a) is not type(b):
        return False
    if isinstance(a, pd.DataFrame):
        return (
            a.shape == b.shape
            and same(list(a.columns), list(b.columns))
            and a.columns.dtype == b.columns.dtype
            and type(a.index) is type(b.index)
            and a.index.equals(b.index)
            and list(a.dtypes) == list(b.dtypes)
            and all(
                same(x, y) for x, y in zip(a.to_numpy().ravel(), b.to_numpy().ravel(), strict=True)
            )
        )
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return same(list(a), list(b)) and same(list(a.values()), list(b.values()))
    if isinstance(a, np.generic):  # before float: np.float64 is one
        return a.dtype == b.dtype and same(a.item(), b.item())
    if isinstance(a, float):
        return (a != a and b != b) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, dt.datetime | dt.time):
        return a == b and a.tzinfo == b.tzinfo and a.fold == b.fold
    return a == b


def frame(columns: dict, labels=None) -> pd.DataFrame:
    out = pd.DataFrame({i: pd.Series(v, dtype=object) for i, v in enumerate(columns.values())})
    out.columns = list(columns) if labels is None else labels
    return out


WHEN = dt.datetime(2026, 3, 31, 17, 45, 3, 250_000)
MIXED = ["甲项目", 12, 3.5, True, False, WHEN, dt.date(2026, 1, 5), dt.time(9, 30, 0, 7),
         dt.timedelta(days=2, seconds=5), None, float("nan"), "", -0.0, float("inf"), 0]  # fmt: skip
N = len(MIXED)
# What reading._table_from makes: object columns, canonical (Chinese) labels of dtype str.
TABLE = frame({"项目名称": MIXED, "总投资(万元)": [float(i) for i in range(N)],
               "所在区县": [""] * N, "备注": [None] * N})  # fmt: skip
COLUMN = Column(4, ("总投资", "(亿元)"), V.TOTAL, month=None, unit=10000.0, read=("总投资",))
SECTION = Section(7, 1, "市本级", 48, {4: 12.5, 5: ""}, total=True, first=0, last=2)
RECORD = Record(8, ["甲", 10.0, "", WHEN, None], {1: 0, 3: 2})
LEDGER = LedgerSheet(
    file="台账.xlsx", sheet="1-10月", title="2026年重点项目进展", header_rows=(3, 4),
    columns=[COLUMN, Column(0, (), None), Column(5, ("当月",), V.MONTH_AMOUNT, month=10,
                                                   conflict="已有一列")],
    multiplier=1.0, sections=[SECTION], records=[RECORD, Record(9, [], {})],
    notes=[(12, "注:单位万元")], period=Period(2026, 10), period_source="标题", year=None,
)  # fmt: skip
TOTAL_ROW = TotalRow(20, "合计", {"总投资(万元)": "30", "项目名称": "合计"})
RAW = RawTable(
    table="项目清单", file="项目清单.csv", sheet=None, frame=TABLE, rows=list(range(2, 2 + N)),
    header_row=1, multiplier=1.0, totals=[TOTAL_ROW], unknown_columns=["其他"],
    missing_columns=[], column_multipliers={"总投资(万元)": 10000.0},
    duplicate_columns=["项目名称"], notes=[(30, "说明")],
)  # fmt: skip
GRID = Grid([1, 2, 5], [["项目名称", "总投资", ""], ["甲", 10.0, WHEN], ["", 3, dt.date(2026, 1, 1)]],
            continued={(0, 2)}, merged_down={1: 2}, below={(1, 0), (2, 0)})  # fmt: skip
WORKBOOK = Workbook([Sheet("Sheet1", GRID), Sheet("汇总", Grid([], []))], ["下拉"], 3)
PROBLEM = SourceProblem("坏.xlsx", "Sheet2", "文件“坏.xlsx”无法读取", skipped=True)

CASES = {
    # every registered dataclass
    "Period": Period(2026, 12),
    "Field": Field("自定义", None, amount=True, per_month=True, single=False, per_node=True),
    "Field-constant": V.CODE,
    "Column": COLUMN,
    "Section": SECTION,
    "Record": RECORD,
    "LedgerSheet": LEDGER,
    "TotalRow": TOTAL_ROW,
    "RawTable": RAW,
    "Grid": GRID,
    "Sheet": Sheet("空", Grid([], [])),
    "Workbook": WORKBOOK,
    "SourceProblem": PROBLEM,
    "a file's results": [RAW, LEDGER, PROBLEM],
    # frames
    "frame-mixed": TABLE,
    "frame-empty": TABLE.iloc[:0],
    "frame-no-columns": TABLE.iloc[:, :0],
    "frame-nothing": frame({}),
    "frame-labels-object": frame(
        {"a": [1, "x"], "b": [None, 2.0]}, pd.Index(["a", "b"], dtype=object)
    ),
    "frame-duplicate-labels": frame({"a": [1, "x"], "b": [2, "y"]}, ["项目名称", "项目名称"]),
    "frame-sliced": TABLE.iloc[5:9].reset_index(drop=True),
    "frame-range-index": frame({"a": ["x", "y", "z"]}).set_axis(pd.RangeIndex(10, 16, 2)),
    "frame-json-columns": frame(
        {
            "big": [2**64, 1],
            "tz": [WHEN.replace(tzinfo=dt.UTC), None],
            "numpy": [np.float64(1.5), np.int64(2)],
            "ok": ["a", 1],
        }
    ),
    # values
    "text": "项目名称\u3000全角 and ASCII",
    "surrogate": "\udcff",
    "ints": [0, -1, 2**63, -(2**80)],
    "floats": [0.1, -0.0, 1e308, 5e-324, float("inf"), float("-inf"), float("nan")],
    "bools-and-none": [True, False, None],
    "tuple": (1, ("a", ()), []),
    "set-of-pairs": {(0, 1), (2, 3)},
    "frozenset": frozenset({"a"}),
    "dict-keys-of-any-type": {1: "a", "b": 2, (3, 4): [5], None: {}, 2.5: True},
    "bytes": [b"", b"\x00\xff" * 3, bytes(range(256))],
    "dates": [
        dt.date(1900, 1, 1),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999_999),
        dt.time(0),
        dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    ],
    "timedeltas": [dt.timedelta(0), dt.timedelta(days=-1, microseconds=1)],
    "slices": [slice(None), slice(1, 10, 2), slice("a", None)],
    "numpy": [np.float64(2.5), np.int64(-3), np.bool_(True), np.float32(0.5), np.uint8(255)],
    "nested": [[[[[]]]], {"a": {"b": ({"c"},)}}],
}


@pytest.mark.parametrize("value", CASES.values(), ids=CASES.keys())
def test_a_value_comes_back_exactly(value):
    status, back = answer.decode(answer.encode("ok", value))
    assert status == "ok"
    assert same(back, value)


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (1, 1.0, False),
        (0.0, -0.0, False),
        (float("nan"), float("nan"), True),
        (np.float64(1.0), 1.0, False),
        (WHEN, WHEN.replace(tzinfo=dt.UTC), False),
        ({1: 2, 3: 4}, {3: 4, 1: 2}, False),
        (frame({"a": [1]}), frame({"a": [1.0]}), False),
        (frame({"a": [1]}), frame({"b": [1]}), False),
        (frame({"a": ["x"]}), frame({"a": ["x"]}, pd.Index(["a"], dtype=object)), False),
        (frame({"a": ["x"]}), frame({"a": ["x"]}).astype(str), False),
        (Record(1, [1]), Record(1, [True]), False),
        (Record(1, [1]), Record(1, [1]), True),
    ],
)
def test_same_tells_what_a_round_trip_must_keep(a, b, equal):
    assert same(a, b) is equal


def document(data: bytes) -> list:
    """The JSON part of an answer, as written."""
    size, count = struct.unpack_from("<QI", data, len(answer.MAGIC))
    start = len(answer.MAGIC) + 12 + 8 * count
    return json.loads(data[start : start + size])


def test_a_frame_travels_as_arrow_and_only_what_arrow_cannot_hold_as_json():
    _, value = document(answer.encode("ok", CASES["frame-json-columns"]))
    assert value["$"] == "DataFrame" and value["columns"] == ["big", "tz", "numpy", "ok"]
    assert [c is None for c in value["cells"]] == [False, False, False, True]
    assert value["cells"][0] == [2**64, 1]
    _, value = document(answer.encode("ok", TABLE))
    assert value["cells"] == [None] * 4  # the mixed columns, NaN, -0.0 and inf included


def read_answers():
    """What the worker's two callers return for small files: a workbook, and whole files."""
    xlsx = minimal_xlsx(HEAD)
    ledger_csv = ("2026年1-10月重点项目进展\n序号,项目名称,总投资(万元),2026年计划投资(万元),"
                  "1-10月完成投资(万元),形象进度\n一、市本级,,,,,\n1,甲项目,100,50,30,主体施工\n"
                  '2,"乙,项目",,,,\n合计,,100,50,30,\n').encode()  # fmt: skip
    project_csv = "项目代码,项目名称,所在区县,总投资(万元)\nA1,甲,城东区,10\nA2,乙,城西区,\n"
    yield "workbook", sheets.read_workbook_here("台账.xlsx", xlsx)
    for name, content in [("台账.xlsx", xlsx), ("台账.csv", ledger_csv),
                          ("项目清单.csv", project_csv.encode()), ("空.csv", b"")]:  # fmt: skip
        yield name, reading._read_file(name, content)


@pytest.mark.parametrize(("name", "value"), list(read_answers()), ids=lambda x: str(x)[:12])
def test_what_the_readers_return_comes_back_exactly(name, value):
    kinds = {type(v) for v in (value if isinstance(value, list) else [value])}
    assert kinds <= {Workbook, RawTable, LedgerSheet, SourceProblem}
    assert same(answer.decode(answer.encode("ok", value))[1], value)


def test_the_registry_is_the_dataclasses_a_parsed_file_is_made_of():
    classes = {cls for cls, _ in answer.registry().values()}
    assert classes == {Period, Field, Column, LedgerSheet, Record, Section, RawTable, TotalRow,
                       Grid, Sheet, SourceProblem, Workbook}  # fmt: skip
    assert ledger.Header not in classes and reading.Reading not in classes


@pytest.mark.parametrize(
    ("status", "detail"),
    [("memory", "MemoryError"), ("error", "ValueError: 坏"), ("output", "999 bytes")],
)
def test_a_failure_comes_back_as_its_kind(status, detail):
    assert answer.decode(answer.encode(status, detail)) == (status, detail)
    assert sandbox._read(answer.encode(status, detail)) == sandbox.Failure(status, detail)


@pytest.mark.parametrize(
    "value",
    [
        object(),
        {1, 2}.__iter__(),
        pd.Series([1]),
        np.array([1]),
        dt.datetime(2026, 1, 1, fold=1),
        frame({"a": [1]}).astype(float),
        frame({"a": [1]}).set_index("a"),
    ],
    ids=["object", "iterator", "series", "ndarray", "fold", "float-frame", "indexed-frame"],
)
def test_a_value_no_parsed_file_holds_is_not_written(value):
    with pytest.raises(TypeError, match="not part of a parsed file"):
        answer.encode("ok", value)


# --- forged answers --------------------------------------------------------------------------


@dataclasses.dataclass
class Spy:
    """A dataclass a forged answer names: building it would be a call the child asked for."""

    calls = []  # noqa: RUF012
    x: int = 0

    def __post_init__(self):
        Spy.calls.append(self.x)


def forge(value, blobs=(), status="ok", text=None) -> bytes:
    text = text if text is not None else json.dumps([status, value]).encode()
    head = struct.pack(f"<QI{len(blobs)}Q", len(text), len(blobs), *map(len, blobs))
    return answer.MAGIC + head + text + b"".join(blobs)


def arrow(*columns: pa.Array, compression=None) -> bytes:
    names = [str(i) for i in range(len(columns))]
    batch = pa.RecordBatch.from_arrays(list(columns), names=names) if columns else (
        pa.RecordBatch.from_pydict({}))  # fmt: skip
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=compression)
    with pa.ipc.new_stream(sink, batch.schema, options=options) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


def frame_of(blob=0, n=2, cells=(None,), columns=("a",)) -> dict:
    return {"$": "DataFrame", "blob": blob, "index": [0, n, 1], "columns": list(columns),
            "columns_dtype": "str", "cells": list(cells)}  # fmt: skip


UNION = pa.UnionArray.from_dense(pa.array([0, 1], pa.int8()), pa.array([0, 0], pa.int32()),
                                 [pa.array(["x"]), pa.array([1.5])], ["str", "float"], [0, 1])  # fmt: skip
PERIOD = {"$": "Period", "year": 2026, "month": 2}
FORGED = {
    "a pickle": b"\x80\x05\x95" + b"\x00" * 40,
    "cut short": answer.encode("ok", LEDGER)[:-3],
    "one byte more": answer.encode("ok", LEDGER) + b"\x00",
    "unknown tag": forge({"$": "Spy", "x": 1}),
    "a module path": forge({"$": "tests.core.ingest.test_answer:Spy", "x": 1}),
    "os.system": forge({"$": "os:system", "items": ["echo pwned"]}),
    "an unregistered dataclass": forge(
        {"$": "Header", "first": 0, "last": 1, "name_col": 0, "columns": []}
    ),
    "an extra field": forge({**PERIOD, "__class__": "Spy"}),
    "a missing field": forge({"$": "Period", "year": 2026}),
    "a constructor's refusal": forge({**PERIOD, "month": 13}),
    "untagged object": forge({"year": 2026}),
    "tag not a string": forge({"$": ["Period"], "year": 2026, "month": 2}),
    "an extra key on a value": forge({"$": "tuple", "items": [], "call": "os.system"}),
    "unknown status": forge("x", status="pwned"),
    "bare NaN": forge(None, text=b'["ok", NaN]'),
    "not UTF-8": forge(None, text=b'["ok", "\xff"]'),
    "not a pair": forge(None, text=b'["ok"]'),
    "a float that is not non-finite": forge({"$": "float", "v": "1e999999"}),
    "a numpy dtype not listed": forge({"$": "numpy", "dtype": "object", "v": 1}),
    "unhashable set item": forge({"$": "set", "items": [[1]]}),
    "blob used twice": forge([{"$": "bytes", "blob": 0}, {"$": "bytes", "blob": 0}], [b"x"]),
    "blob out of range": forge({"$": "bytes", "blob": 1}, [b"x"]),
    "blob left over": forge(None, [b"x"]),
    "frame compressed": forge(frame_of(), [arrow(UNION, compression="zstd")]),
    "frame column not a union": forge(frame_of(), [arrow(pa.array([1, 2]))]),
    "frame cell of another type": forge(
        frame_of(),
        [
            arrow(
                pa.UnionArray.from_dense(
                    pa.array([0, 0], pa.int8()),
                    pa.array([0, 1], pa.int32()),
                    [pa.array(["x", "y"], pa.large_string())],
                    ["str"],
                    [0],
                )
            )
        ],
    ),
    "frame rows differ": forge(frame_of(n=5), [arrow(UNION)]),
    "frame columns differ": forge(frame_of(cells=(None, None), columns=("a", "b")), [arrow(UNION)]),
    "frame JSON column short": forge(frame_of(cells=([1],)), [arrow()]),
    "frame labels dtype": forge({**frame_of(), "columns_dtype": "category"}, [arrow(UNION)]),
    "frame not Arrow": forge(frame_of(), [b"\xff" * 64]),
}


# Why each is refused (a part of AnswerError's text): for its own flaw, not another.
REASONS = {
    "a pickle": "no answer header",
    "cut short": "header says otherwise",
    "one byte more": "header says otherwise",
    "unknown tag": "'Spy' is not part",
    "a module path": "test_answer:Spy' is not part",
    "os.system": "'os:system' is not part",
    "an unregistered dataclass": "'Header' is not part",
    "an extra field": "Period with fields ['__class__', 'month', 'year']",
    "a missing field": "Period with fields ['year']",
    "a constructor's refusal": "月份应在1到12之间",
    "untagged object": "untagged",
    "tag not a string": "untagged",
    "an extra key on a value": "tuple with fields ['call', 'items']",
    "unknown status": "not [status, value]",
    "bare NaN": "bare NaN",
    "not UTF-8": "answer text",
    "not a pair": "not [status, value]",
    "a float that is not non-finite": "float '1e999999'",
    "a numpy dtype not listed": "numpy 'object'",
    "unhashable set item": "unhashable",
    "blob used twice": "blob 0",
    "blob out of range": "blob 1",
    "blob left over": "blobs left unused",
    "frame compressed": "a compressed frame",
    "frame column not a union": "a frame column of int64",
    "frame cell of another type": "large_string as type code 0",
    "frame rows differ": "2 cells in a frame of 5 rows",
    "frame columns differ": "Arrow columns and its JSON differ",
    "frame JSON column short": "1 cells in a frame of 2 rows",
    "frame labels dtype": "frame columns 'category'",
    "frame not Arrow": "Invalid IPC message",
}


@pytest.mark.parametrize(("data", "reason"), [(FORGED[k], REASONS[k]) for k in FORGED],
                         ids=FORGED.keys())  # fmt: skip
def test_a_forged_answer_is_a_crash_and_calls_nothing(data, reason, monkeypatch):
    calls = []
    monkeypatch.setattr("os.system", lambda *a: calls.append(a))
    Spy.calls.clear()
    with pytest.raises(answer.AnswerError, match=re.escape(reason)):
        answer.decode(data)
    failure = sandbox._read(data)
    assert isinstance(failure, sandbox.Failure) and failure.kind == "crash"
    assert failure.message("a.xlsx") == sandbox.Failure("crash").message("a.xlsx")
    assert calls == [] and Spy.calls == []


def test_the_forged_frames_are_forged_well():
    """The frame cases above are refused for their flaw: the same answer without it is read."""
    _, value = answer.decode(forge(frame_of(), [arrow(UNION)]))
    assert same(value, frame({"a": ["x", 1.5]}))
    assert answer.decode(forge(PERIOD)) == ("ok", Period(2026, 2))
    _, value = answer.decode(forge(frame_of(cells=([1, "x"],)), [arrow()]))
    assert same(value, frame({"a": [1, "x"]}))


def test_a_damaged_answer_is_refused_or_read_never_a_crash_of_the_server():
    """Bytes flipped in a frame's Arrow stream (and now and then anywhere): decode reads them or
    raises AnswerError; pyarrow never reads out of bounds (an empty union did, by its own
    accessors)."""
    good = answer.encode("ok", [TABLE, TABLE.iloc[:0], TABLE.iloc[:, :0], LEDGER])
    size, count = struct.unpack_from("<QI", good, len(answer.MAGIC))
    start = len(answer.MAGIC) + 12 + 8 * count + size
    rnd = random.Random(24)
    refused = 0
    for _ in range(1500):
        data = bytearray(good)
        for _ in range(rnd.choice([1, 2, 4])):
            at = rnd.randrange(start if rnd.random() < 0.9 else 0, len(data))
            data[at] = rnd.randrange(256)
        try:
            answer.decode(bytes(data))
        except answer.AnswerError:
            refused += 1
    assert refused > 500  # the flips were read, mostly refused


def test_a_worker_answers_as_data():
    """Through a real worker: a value comes back exactly; a value of a type no parsed file
    holds is the worker's error, not a pickle the server would have to read."""
    assert same(sandbox.run("datetime:timedelta", 1, 2, 3), dt.timedelta(1, 2, 3))
    failure = sandbox.run("builtins:object")
    assert failure.kind == "error" and "not part of a parsed file" in failure.detail


def test_a_worker_that_reads_grids_answers_without_pandas():
    """numpy, pandas and pyarrow cost a worker about a second to import: one that reads a
    workbook into grids answers without them (and a failure's answer needs no module at all)."""
    import subprocess
    import sys

    code = (
        "import sys; from core.ingest import answer, sheets\n"
        "book = sheets.Workbook([sheets.Sheet('表', sheets.Grid([1], [['甲', 1.5, None]]))], [], 0)\n"
        "answer.encode('ok', book); answer.encode('memory', 'MemoryError')\n"
        "print(sorted(m for m in ('numpy', 'pandas', 'pyarrow') if m in sys.modules))"
    )
    root = sandbox._ROOT
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr
