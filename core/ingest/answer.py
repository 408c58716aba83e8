"""The worker's answer as data: Arrow IPC tables and JSON dataclasses.

A worker (core.ingest.sandbox) that parsed an uploaded file hands its result to the server as
bytes the server reads without running anything the bytes name. Nothing here unpickles:

- a pandas DataFrame travels as one Arrow IPC stream; each of its (object) columns is a dense
  union of the cell types it holds (str, float, int, bool, datetime, date, time, timedelta,
  None), so that a column of 项目名称 text, 总投资 numbers and "" keeps every cell's Python type;
  a column Arrow cannot hold as it is (an int beyond 64 bits, a tz-aware datetime, a numpy
  scalar) travels as a JSON list instead;
- everything else is JSON. A JSON object is always tagged ("$"): a registered dataclass of a
  parsed file (REGISTERED), built by its own constructor from exactly its declared fields, or one
  of the values below (tuple, set, dict with keys of any type, bytes, date, datetime, time,
  timedelta, slice, a non-finite float, a numpy scalar of a listed dtype). A tag the server does
  not know, a field a class does not declare, or bytes that are not exactly such an answer make
  decode raise AnswerError.

numpy, pandas and pyarrow are imported when a value needs them: a worker that reads a workbook
into grids starts without them (a second less per file).

Layout: MAGIC, then the JSON's length and the blobs' count and lengths (little-endian), then the
JSON text [status, value], then the blobs (Arrow streams, bytes values) in that order; each blob
is used by exactly one value.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import importlib
import json
import math
import struct
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

MAGIC = b"BRIEFANS"  # answer format 1
STATUSES = ("ok", "memory", "time", "output", "crash", "error", "request")
REQUEST = "request"  # the server's request to a worker: (target, arguments), the same encoding

# The dataclasses a parsed file is made of: what sheets.read_workbook_here and
# reading._read_file return, and what those hold. Named, not imported: sheets imports the
# sandbox, which imports this module. The names are this list's, never the worker's.
REGISTERED = (
    "core.base.periods:Period",
    "core.ingest.ledger:Column",
    "core.ingest.ledger:LedgerSheet",
    "core.ingest.ledger:Record",
    "core.ingest.ledger:Section",
    "core.ingest.reading:RawTable",
    "core.ingest.reading:TotalRow",
    "core.ingest.sheets:Grid",
    "core.ingest.sheets:Sheet",
    "core.ingest.sheets:SourceProblem",
    "core.ingest.sheets:Workbook",
    "core.ingest.vocabulary:Field",
)

# Numpy scalars an answer may hold, by dtype name (none is known to occur; they are kept exact).
NUMPY_SCALARS = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                 "uint64", "float16", "float32", "float64")  # fmt: skip

# The cell types of a table's column, in Arrow: (Python type, Arrow type), the union's type code
# being the position here. Datetimes and times must be naive (and fold 0) to go this way.
_CELL_TYPES = (str, float, int, bool, dt.datetime, dt.date, dt.time, dt.timedelta, type(None))
_CELL_CODE = {t: code for code, t in enumerate(_CELL_TYPES)}


@functools.cache
def _arrow_types() -> tuple[pa.DataType, ...]:
    import pyarrow as pa

    return (pa.string(), pa.float64(), pa.int64(), pa.bool_(), pa.timestamp("us"), pa.date32(),
            pa.time64("us"), pa.duration("us"), pa.null())  # fmt: skip


_DATETIME, _TIME, _NONE = _CELL_CODE[dt.datetime], _CELL_CODE[dt.time], _CELL_CODE[type(None)]
_INDEX_DTYPES = ("str", "object")  # of a frame's column labels


class AnswerError(ValueError):
    """Bytes that are not an answer this module writes: the server reads nothing of them."""


_NAMES = {tuple(name.split(":")): name.partition(":")[2] for name in REGISTERED}


@functools.cache
def registry() -> dict[str, tuple[type, tuple[str, ...]]]:
    """Tag → (class, the fields its constructor takes), for every REGISTERED dataclass."""
    out = {}
    for name in REGISTERED:
        module, _, qualname = name.partition(":")
        cls = getattr(importlib.import_module(module), qualname)
        fields = dataclasses.fields(cls)
        if qualname in out or qualname in _VALUES or not all(f.init for f in fields):
            raise TypeError(
                f"{name}: a second {qualname}, a value's tag, or a field its constructor does "
                "not take"
            )
        out[qualname] = (cls, tuple(f.name for f in fields))
    return out


@functools.cache
def _classes() -> dict[str, tuple[type, frozenset[str]]]:
    return {tag: (cls, frozenset(names)) for tag, (cls, names) in registry().items()}


_gc_lock = threading.Lock()
_gc_users = 0
_gc_was_enabled = False


@contextlib.contextmanager
def _no_gc():
    """The cyclic garbage collector paused while an answer's objects are made (it would scan them
    all again and again: half the time of a 100,000-row answer); two threads may decode at once."""
    global _gc_users, _gc_was_enabled
    with _gc_lock:
        if not _gc_users:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if not _gc_users and _gc_was_enabled:
                gc.enable()


# --- writing (in the worker) -----------------------------------------------------------------


def encode(status: str, value: Any) -> bytes:
    """The answer (status, value) as bytes; TypeError for a value of a type no answer holds."""
    if status not in STATUSES:
        raise ValueError(f"status {status!r}")
    with _no_gc():
        try:  # a list of plain cells goes as it is: json refuses a non-finite float in it
            text = _document(status, value, fast=True)
        except ValueError:  # … which the slow way tags
            text = _document(status, value, fast=False)
    json_text, blobs = text
    head = struct.pack(f"<QI{len(blobs)}Q", len(json_text), len(blobs), *map(len, blobs))
    return b"".join([MAGIC, head, json_text, *blobs])


_PLAIN = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _tag(cls: type) -> tuple[str, tuple[str, ...]] | None:
    """A registered dataclass's tag and fields, known by its name: the worker imports no module
    for the registry (a worker that ran out of memory answers with a text)."""
    tag = _NAMES.get((cls.__module__, cls.__qualname__))
    if tag is None or not dataclasses.is_dataclass(cls):
        return None
    return tag, tuple(f.name for f in dataclasses.fields(cls))


def _document(status: str, value: Any, fast: bool) -> tuple[bytes, list[bytes]]:
    blobs: list[bytes] = []
    np, pd = sys.modules.get("numpy"), sys.modules.get("pandas")  # none of theirs without them
    plain = _PLAIN if fast else _PLAIN - {float}

    def blob(data: bytes) -> int:
        blobs.append(data)
        return len(blobs) - 1

    def enc(x: Any) -> Any:
        t = type(x)
        if t is str or t is int or t is bool or x is None:
            return x
        if t is float:
            return x if math.isfinite(x) else {"$": "float", "v": repr(x)}
        if t is list:
            if set(map(type, x)) <= plain:
                return x
            return [v if type(v) in plain else enc(v) for v in x]
        known = _tag(t)
        if known:
            tag, names = known
            out = {"$": tag}
            for name in names:
                out[name] = enc(getattr(x, name))
            return out
        if t is tuple or t is set or t is frozenset:
            return {"$": t.__name__, "items": [enc(v) for v in x]}
        if t is dict:
            return {"$": "dict", "keys": enc(list(x)), "values": enc(list(x.values()))}
        if t is bytes:
            return {"$": "bytes", "blob": blob(x)}
        if t is dt.datetime or t is dt.date or t is dt.time:
            if t is not dt.date and (x.fold or type(x.tzinfo) not in (type(None), dt.timezone)):
                raise TypeError(f"{x!r} is not part of a parsed file")
            return {"$": t.__name__, "v": x.isoformat()}
        if t is dt.timedelta:
            return {"$": "timedelta", "v": [x.days, x.seconds, x.microseconds]}
        if t is slice:
            return {"$": "slice", "v": [enc(x.start), enc(x.stop), enc(x.step)]}
        if np and isinstance(x, np.generic) and x.dtype.name in NUMPY_SCALARS and t is x.dtype.type:
            return {"$": "numpy", "dtype": x.dtype.name, "v": enc(x.item())}
        if pd and t is pd.DataFrame:
            return frame(x)
        raise TypeError(f"{t.__module__}.{t.__qualname__} is not part of a parsed file")

    def frame(df: pd.DataFrame) -> dict[str, Any]:
        import pyarrow as pa

        index, columns = df.index, df.columns
        if type(index) is not pd.RangeIndex or index.name is not None:
            raise TypeError(
                f"a frame indexed by {type(index).__name__} is not part of a parsed file"
            )
        if type(columns) is not pd.Index or str(columns.dtype) not in _INDEX_DTYPES:
            raise TypeError(f"column labels of dtype {columns.dtype} are not part of a parsed file")
        if columns.name is not None or df.attrs:
            raise TypeError("a named or annotated frame is not part of a parsed file")
        arrays, as_json = [], []
        for i in range(df.shape[1]):
            column = df.iloc[:, i]
            if column.dtype != object:
                raise TypeError(f"a column of dtype {column.dtype} is not part of a parsed file")
            values = column.to_numpy()
            union = _union(values)
            if union is None:  # travels as JSON instead
                as_json.append([enc(v) for v in values])
            else:
                arrays.append(union)
                as_json.append(None)
        batch = pa.RecordBatch.from_arrays(arrays, names=[str(i) for i in range(len(arrays))])
        if not arrays:
            batch = pa.RecordBatch.from_pydict({})
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        return {
            "$": "DataFrame",
            "blob": blob(sink.getvalue().to_pybytes()),
            "index": [index.start, index.stop, index.step],
            "columns": [enc(c) for c in columns],
            "columns_dtype": str(columns.dtype),
            "cells": as_json,
        }

    text = json.dumps([status, enc(value)], ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode("utf-8", "surrogatepass")  # fmt: skip
    return text, blobs


def _union(values: np.ndarray) -> pa.UnionArray | None:
    """An object column as a dense union of its cells' types, or None when a cell is of another
    type or does not fit its Arrow type (int beyond 64 bits, tz-aware datetime)."""
    import numpy as np
    import pyarrow as pa

    codes = np.fromiter((_CELL_CODE.get(type(v), -1) for v in values), np.int8, len(values))
    if len(codes) and codes.min() < 0:
        return None
    offsets = np.zeros(len(values), np.int32)
    children, used = [], []
    for code in np.unique(codes).tolist():
        at = np.flatnonzero(codes == code)
        offsets[at] = np.arange(len(at), dtype=np.int32)
        part = values[at]
        if code in (_DATETIME, _TIME) and any(v.tzinfo is not None or v.fold for v in part):
            return None
        kind = _arrow_types()[code]
        try:
            child = pa.nulls(len(at)) if code == _NONE else pa.array(part, kind, from_pandas=False)
        except (pa.ArrowException, OverflowError, ValueError, TypeError):
            return None
        children.append(child)
        used.append(code)
    return pa.UnionArray.from_dense(
        pa.array(codes, pa.int8()),
        pa.array(offsets, pa.int32()),
        children,
        field_names=[_CELL_TYPES[c].__name__ for c in used],
        type_codes=used,
    )


# --- reading (in the server) -----------------------------------------------------------------


def decode(data: bytes | bytearray | memoryview) -> tuple[str, Any]:
    """(status, value) of an answer; AnswerError for anything but an answer encode wrote."""
    view = memoryview(data).cast("B")
    start = len(MAGIC)
    if bytes(view[:start]) != MAGIC or len(view) < start + 12:
        raise AnswerError("no answer header")
    size, count = struct.unpack_from("<QI", view, start)
    start += 12
    if len(view) < start + 8 * count:
        raise AnswerError("answer cut short")
    sizes = struct.unpack_from(f"<{count}Q", view, start)
    start += 8 * count
    if start + size + sum(sizes) != len(view):
        raise AnswerError(f"answer of {len(view)} bytes, its header says otherwise")
    try:
        text = bytes(view[start : start + size]).decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as exc:
        raise AnswerError(f"answer text: {exc}") from exc
    blobs, used = [], set()
    start += size
    for n in sizes:
        blobs.append(view[start : start + n])
        start += n

    def take(i: Any) -> memoryview:
        if type(i) is not int or not 0 <= i < len(blobs) or i in used:
            raise AnswerError(f"blob {i!r}")
        used.add(i)
        return blobs[i]

    hook = functools.partial(_tagged, take=take)
    try:
        with _no_gc():
            document = json.loads(text, object_hook=hook, parse_constant=_no_constant)
    except AnswerError:
        raise
    except Exception as exc:  # malformed JSON, a constructor refusing its fields, …
        raise AnswerError(f"{type(exc).__name__}: {exc}") from exc
    if type(document) is not list or len(document) != 2 or document[0] not in STATUSES:
        raise AnswerError("not [status, value]")
    if len(used) != len(blobs):
        raise AnswerError("blobs left unused")
    return document[0], document[1]


def _no_constant(name: str) -> Any:
    raise AnswerError(f"bare {name}")  # non-finite floats are tagged


def _tagged(obj: dict[str, Any], take) -> Any:
    """One JSON object of an answer, its contents decoded already: the value its tag names.
    The registered classes' modules are imported only for an answer that holds one: a worker
    decoding its request (bytes, texts, a dict of limits) imports neither them nor pandas."""
    tag = obj.pop("$", None)
    if type(tag) is not str:
        raise AnswerError("untagged object")
    read = _VALUES.get(tag)
    if read is None:
        classes = _classes()
        if tag not in classes:
            raise AnswerError(f"{tag!r} is not part of a parsed file")
        cls, names = classes[tag]
        if obj.keys() != names:
            raise AnswerError(f"{tag} with fields {sorted(obj)}, not {sorted(names)}")
        return cls(**obj)
    keys = _KEYS[tag]
    if obj.keys() != keys:
        raise AnswerError(f"{tag} with fields {sorted(obj)}")
    return read(take=take, **obj)


def _float(v: str, take) -> float:
    if v not in ("nan", "inf", "-inf"):
        raise AnswerError(f"float {v!r}")
    return float(v)


def _items(kind: type):
    def read(items: list, take) -> Any:
        if type(items) is not list:
            raise AnswerError(f"{kind.__name__} of {type(items).__name__}")
        return kind(items)

    return read


def _dict(keys: list, values: list, take) -> dict:
    if type(keys) is not list or type(values) is not list or len(keys) != len(values):
        raise AnswerError("dict keys and values")
    return dict(zip(keys, values, strict=True))


def _text(kind: type):
    def read(v: str, take) -> Any:
        if type(v) is not str:
            raise AnswerError(f"{kind.__name__} {v!r}")
        return kind.fromisoformat(v)

    return read


def _timedelta(v: list, take) -> dt.timedelta:
    if type(v) is not list or len(v) != 3 or any(type(n) is not int for n in v):
        raise AnswerError(f"timedelta {v!r}")
    return dt.timedelta(days=v[0], seconds=v[1], microseconds=v[2])


def _slice(v: list, take) -> slice:
    if type(v) is not list or len(v) != 3:
        raise AnswerError(f"slice {v!r}")
    return slice(*v)


def _numpy(dtype: str, v: Any, take) -> np.generic:
    import numpy as np

    if dtype not in NUMPY_SCALARS or type(v) not in (bool, int, float):
        raise AnswerError(f"numpy {dtype!r} {v!r}")
    return np.dtype(dtype).type(v)


def _bytes(blob: int, take) -> bytes:
    return bytes(take(blob))


def _frame(blob: int, index, columns, columns_dtype, cells, take) -> pd.DataFrame:
    import pandas as pd

    if type(index) is not list or len(index) != 3 or any(type(n) is not int for n in index):
        raise AnswerError(f"frame index {index!r}")
    if columns_dtype not in _INDEX_DTYPES or type(columns) is not list:
        raise AnswerError(f"frame columns {columns_dtype!r}")
    if type(cells) is not list or len(cells) != len(columns):
        raise AnswerError("frame columns and cells differ in number")
    rows = pd.RangeIndex(*index)
    batch = _batch(take(blob))
    arrow = iter(batch.columns)
    if batch.num_columns != sum(column is None for column in cells):
        raise AnswerError("frame's Arrow columns and its JSON differ")
    data = {}
    for i, column in enumerate(cells):
        if column is None:
            values = _cells(next(arrow))
        elif type(column) is list:
            values = _objects(column)
        else:
            raise AnswerError("frame cells")
        if len(values) != len(rows):
            raise AnswerError(f"a column of {len(values)} cells in a frame of {len(rows)} rows")
        data[i] = pd.Series(values, index=rows, dtype=object, copy=False)
    out = pd.DataFrame(data, index=rows)
    out.columns = pd.Index(columns, dtype=columns_dtype)
    return out


def _batch(stream: memoryview) -> pa.RecordBatch:
    """The one record batch of an Arrow IPC stream whose columns are dense unions of cell types,
    read only when its buffers are not compressed (a few bytes must not unpack to gigabytes)."""
    import pyarrow as pa

    reader = pa.ipc.MessageReader.open_stream(pa.py_buffer(stream))
    messages = list(reader)
    if [m.type for m in messages] != ["schema", "record batch"]:
        raise AnswerError(f"a frame of {[m.type for m in messages]}")
    schema = pa.ipc.read_schema(messages[0])
    for field in schema:
        kind = field.type
        if not isinstance(kind, pa.UnionType) or kind.mode != "dense":
            raise AnswerError(f"a frame column of {kind}")
        for i, code in enumerate(kind.type_codes):
            if not 0 <= code < len(_CELL_TYPES) or kind.field(i).type != _arrow_types()[code]:
                raise AnswerError(f"a cell of {kind.field(i).type} as type code {code}")
    if _compressed(messages[1].metadata.to_pybytes()):
        raise AnswerError("a compressed frame")
    batch = pa.ipc.read_record_batch(messages[1], schema)
    batch.validate(full=True)  # offsets and type codes within bounds before any is read
    return batch


def _compressed(metadata: bytes) -> bool:
    """Whether the flatbuffer of a record batch message (Arrow's Message.fbs) sets the batch's
    compression: field 3 of the RecordBatch table that is the Message's header (field 2)."""

    def table_fields(at: int) -> tuple[int, ...]:
        vtable = at - struct.unpack_from("<i", metadata, at)[0]
        size = struct.unpack_from("<H", metadata, vtable)[0]
        if size < 4 or size % 2:
            raise AnswerError("record batch metadata")
        return struct.unpack_from(f"<{(size - 4) // 2}H", metadata, vtable + 4)

    try:
        root = struct.unpack_from("<I", metadata, 0)[0]
        message = table_fields(root)
        if len(message) < 3 or not message[1] or not message[2] or metadata[root + message[1]] != 3:
            raise AnswerError("not a record batch")
        at = root + message[2]
        header = at + struct.unpack_from("<I", metadata, at)[0]
        fields = table_fields(header)
    except struct.error as exc:
        raise AnswerError(f"record batch metadata: {exc}") from exc
    return len(fields) > 3 and fields[3] != 0


def _buffer(union: pa.UnionArray, which: int, dtype: type) -> np.ndarray:
    """A dense union's type codes (1) or offsets (2), read from its buffer within bounds (pyarrow's
    own accessors crash on an empty union read from a stream)."""
    import numpy as np

    n = len(union)
    buffer = union.buffers()[which]
    if not n:
        return np.empty(0, dtype)
    if buffer is None:
        raise AnswerError("a union without its buffers")
    size = np.dtype(dtype).itemsize
    try:
        return np.frombuffer(buffer, dtype=dtype, count=n, offset=union.offset * size)
    except ValueError as exc:
        raise AnswerError(f"a union's buffer: {exc}") from exc


def _objects(values: list) -> np.ndarray:
    import numpy as np

    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _cells(union: pa.Array) -> np.ndarray:
    """A dense union column as an object array of Python values."""
    import numpy as np
    import pyarrow as pa

    if not isinstance(union, pa.UnionArray) or union.type.mode != "dense":
        raise AnswerError(f"a frame column of {union.type}")
    codes, offsets = _buffer(union, 1, np.int8), _buffer(union, 2, np.int32)
    out = np.empty(len(union), dtype=object)
    for i, code in enumerate(union.type.type_codes):
        child = union.field(i)
        if not 0 <= code < len(_CELL_TYPES) or child.type != _arrow_types()[code]:
            raise AnswerError(f"a cell of {child.type} as type code {code}")
        at = np.flatnonzero(codes == code)
        if code == _NONE or not len(at):
            continue
        if code == _TIME:
            values = _objects(child.to_pylist())
        else:
            values = child.to_numpy(zero_copy_only=False)
        out[at] = values[offsets[at]]
    return out


_VALUES = {
    "float": _float,
    "tuple": _items(tuple),
    "set": _items(set),
    "frozenset": _items(frozenset),
    "dict": _dict,
    "bytes": _bytes,
    "date": _text(dt.date),
    "datetime": _text(dt.datetime),
    "time": _text(dt.time),
    "timedelta": _timedelta,
    "slice": _slice,
    "numpy": _numpy,
    "DataFrame": _frame,
}
_KEYS = {
    "float": {"v"},
    "tuple": {"items"},
    "set": {"items"},
    "frozenset": {"items"},
    "dict": {"keys", "values"},
    "bytes": {"blob"},
    "date": {"v"},
    "datetime": {"v"},
    "time": {"v"},
    "timedelta": {"v"},
    "slice": {"v"},
    "numpy": {"dtype", "v"},
    "DataFrame": {"blob", "index", "columns", "columns_dtype", "cells"},
}
_KEYS = {tag: frozenset(keys) for tag, keys in _KEYS.items()}
