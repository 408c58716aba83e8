"""Portfolio.memo: one computation per key for every thread of the process, the least
recently used results dropped beyond the limit."""

from __future__ import annotations

import threading
import time

import pytest

from core.data import portfolio


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
    monkeypatch.setattr(portfolio, "MEMO_ENTRIES", 3)
    mini._memo.clear()
    for k in "abc":
        mini.memo(k, lambda k=k: k)
    mini.memo("a", lambda: "recomputed")  # used again: now the most recent
    mini.memo("d", lambda: "d")  # drops b, the least recently used
    assert list(mini._memo) == ["c", "a", "d"]
    assert mini.memo("a", lambda: "recomputed") == "a"
