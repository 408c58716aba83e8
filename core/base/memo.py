"""Results computed once per key and shared by every thread, the least recently used dropped
beyond a count and a byte budget.

A Portfolio never changes, so what a page computes from it (a scope's projects, a chart and its
spec, a map) can be kept for every session of the process. Thirty sessions on ten counties need
some 300 results at once: a limit of a few hundred entries made them push each other out and
compute again, so the limit is mostly one of memory, estimated per result.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections import OrderedDict

import numpy as np
import pandas as pd
import pyarrow as pa

MAX_ENTRIES = 4096
# At 100,000 projects the whole city's project table with its figures is ~40 MB, and a
# county's ~5 MB: the city, its progress table and last year's figures take ~130 MB, ten
# counties' pages ~200 MB more. The server's peak memory target is 1.5 GB (bench), of which
# the data set itself takes ~0.6 GB.
MAX_BYTES = 640 * 2**20
_SIZE_DEPTH = 4  # containers nested deeper count by their own size only


def size_of(value, depth: int = 0) -> int:
    """A result's memory in bytes, estimated: frames and arrays by their buffers, containers
    and dataclasses (a chart and its data) by their parts."""
    if isinstance(value, pd.DataFrame | pd.Series | pd.Index):
        usage = value.memory_usage(deep=False)
        return int(usage.sum() if isinstance(usage, pd.Series) else usage)
    if isinstance(value, np.ndarray | pa.Table):  # a table for st.dataframe (app_pages.widgets)
        return int(value.nbytes)
    if isinstance(value, str | bytes | bytearray):
        return len(value)
    if depth >= _SIZE_DEPTH:
        return sys.getsizeof(value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(
            size_of(k, depth + 1) + size_of(v, depth + 1) for k, v in value.items()
        )
    if isinstance(value, list | tuple | set | frozenset):
        return sys.getsizeof(value) + sum(size_of(v, depth + 1) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(size_of(v, depth + 1) for v in vars(value).values())
    return sys.getsizeof(value)


class Memo:
    """`get(key, compute)`: compute() once per key; threads asking for a key that another
    thread is computing wait for its result instead of computing it again."""

    def __init__(self) -> None:
        self._results: OrderedDict = OrderedDict()
        self._sizes: dict = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self._computing: dict = {}

    def __iter__(self):
        with self._lock:
            return iter(list(self._results))

    def __len__(self) -> int:
        return len(self._results)

    @property
    def bytes(self) -> int:
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._results.clear()
            self._sizes.clear()
            self._bytes = 0

    def get(self, key, compute):
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
            lock = self._computing.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                if key in self._results:  # computed by the thread we waited for
                    return self._results[key]
            try:
                value = compute()
                self._keep(key, value, size_of(value))
            finally:
                with self._lock:
                    self._computing.pop(key, None)
        return value

    def _keep(self, key, value, size: int) -> None:
        with self._lock:
            self._results[key] = value
            self._sizes[key] = size
            self._bytes += size
            while len(self._results) > 1 and (
                len(self._results) > MAX_ENTRIES or self._bytes > MAX_BYTES
            ):
                old, _ = self._results.popitem(last=False)
                self._bytes -= self._sizes.pop(old)
