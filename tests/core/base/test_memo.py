"""Portfolio.memo: one computation per key for every thread of the process, the least
recently used results dropped beyond the limits of count and bytes."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from core.base import memo


def test_threads_asking_for_one_key_compute_it_once(mini):
    calls = []
    start = threading.Barrier(8)

    def compute():
        calls.append(1)
        time.sleep(0.2)  # long enough for every other thread to ask meanwhile
        return object()

    results = []

    def ask():
        start.wait()
        results.append(mini.memo(("test_once", time.time_ns() // 10**12), compute))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len({id(r) for r in results}) == 1


def test_a_failed_computation_is_tried_again(mini):
    def fail():
        raise RuntimeError("no")

    for _ in range(2):
        with pytest.raises(RuntimeError):
            mini.memo(("test_fail",), fail)
    assert mini.memo(("test_fail",), lambda: 42) == 42


def test_least_recently_used_results_are_dropped(mini, monkeypatch):
    monkeypatch.setattr(memo, "MAX_ENTRIES", 3)
    mini._memo.clear()
    for k in "abc":
        mini.memo(k, lambda k=k: k)
    mini.memo("a", lambda: "recomputed")  # used again: now the most recent
    mini.memo("d", lambda: "d")  # drops b, the least recently used
    assert [key for key, _settings in mini._memo] == ["c", "a", "d"]
    assert mini.memo("a", lambda: "recomputed") == "a"


def test_results_beyond_the_byte_budget_are_dropped_oldest_first(monkeypatch):
    monkeypatch.setattr(memo, "MAX_BYTES", 2500)
    m = memo.Memo()
    for k in "abc":
        m.get(k, lambda: np.zeros(100))  # 800 bytes each
    assert list(m) == ["a", "b", "c"] and m.bytes == 2400
    m.get("a", lambda: None)  # used again: now the most recent
    m.get("d", lambda: np.zeros(100))  # 3,200 bytes: drops b
    assert list(m) == ["c", "a", "d"] and m.bytes == 2400
    m.get("big", lambda: np.zeros(1000))  # larger than the budget alone: kept, the rest go
    assert list(m) == ["big"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (np.zeros(10), 80),
        ("报告", 2),
        (b"abc", 3),
        (pd.Series(np.zeros(4), index=pd.Index(np.zeros(4))), 64),  # values and index
        (pa.table({"a": np.zeros(10)}), 80),  # a table for st.dataframe (app_pages.widgets)
    ],
)
def test_sizes_of_frames_arrays_and_text(value, expected):
    assert memo.size_of(value) == expected


def test_a_container_counts_its_parts():
    frame = pd.DataFrame({"a": np.zeros(1000)})
    assert memo.size_of({"spec": {"data": frame}, "x": [np.zeros(500)]}) > 8000 + 4000


def test_a_change_of_the_settings_computes_again(mini, tmp_path, monkeypatch):
    """A result computed under one state of the settings is not served under another: the
    office changes its 严重滞后 threshold or decimals and every page shows the new rule, with
    no restart (the result of the old state is kept for a change back)."""
    from core.base import settings

    calls = []
    before = os.environ.get(settings.SETTINGS_SETTING)

    def compute():
        calls.append(settings.current().percent_decimals)
        return settings.current().percent_decimals

    assert mini.memo(("test_settings",), compute) == 1
    assert mini.memo(("test_settings",), compute) == 1
    own = tmp_path / "本办设置.toml"
    own.write_text("[format]\npercent_decimals = 2\n", encoding="utf-8")
    monkeypatch.setenv(settings.SETTINGS_SETTING, str(own))
    assert mini.memo(("test_settings",), compute) == 2
    time.sleep(0.01)
    own.write_text("[format]\npercent_decimals = 1\n", encoding="utf-8")  # edited in place
    assert mini.memo(("test_settings",), compute) == 1
    assert calls == [1, 2, 1]
    if before is None:
        monkeypatch.delenv(settings.SETTINGS_SETTING)
    else:
        monkeypatch.setenv(settings.SETTINGS_SETTING, before)
    assert mini.memo(("test_settings",), compute) == 1  # the first state's result, kept
    assert calls == [1, 2, 1]
