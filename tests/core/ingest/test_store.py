"""The store of imported data: round trip, history, roll-back, atomicity and serialized writes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from core.data import schema as S
from core.data.portfolio import DEMO_DIR, read_csv, with_all_columns
from core.ingest import store as store_module
from core.ingest.store import DATABASE_URL_SETTING, IMPORT, ROLLBACK, Batch, Store, database_url

REPO = Path(__file__).resolve().parents[3]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, pd.DataFrame]:
    return {name: with_all_columns(read_csv(DEMO_DIR / f"{name}.csv"), name) for name in S.TABLES}


@pytest.fixture(scope="module")
def geo() -> dict:
    return json.loads((DEMO_DIR / S.BOUNDARIES_FILE).read_text(encoding="utf-8"))


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/s.sqlite"


def tables_copy(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: df.copy() for name, df in tables.items()}


def variant(tables: dict[str, pd.DataFrame], tag: str) -> dict[str, pd.DataFrame]:
    """A different data set of the same shape: fewer projects, other monthly figures."""
    out = tables_copy(tables)
    out[S.PROJECTS] = out[S.PROJECTS].iloc[: len(out[S.PROJECTS]) // 2].reset_index(drop=True)
    out[S.MONTHLY][S.MONTH_COMPLETED] = out[S.MONTHLY][S.MONTH_COMPLETED] + tag
    out[S.PROBLEMS] = out[S.PROBLEMS].iloc[:0]
    return out


def big(tables: dict[str, pd.DataFrame], copies: int, tag: str) -> dict[str, pd.DataFrame]:
    """The demo with its monthly table repeated `copies` times under changed project codes."""
    out = tables_copy(tables)
    monthly = pd.concat([out[S.MONTHLY]] * copies, ignore_index=True)
    monthly[S.CODE] = [f"{tag}-{i:09d}" for i in range(len(monthly))]
    out[S.MONTHLY] = monthly
    return out


def assert_tables_equal(actual, expected) -> None:
    assert (actual is None) == (expected is None)
    if expected is None:
        return
    tables, boundaries = actual
    assert list(tables) == list(S.TABLES)
    for name in S.TABLES:
        assert list(tables[name].columns) == list(S.COLUMNS[name])
        assert_frame_equal(tables[name], expected[0][name].reset_index(drop=True))
    assert boundaries == expected[1]


def state(store: Store):
    """Everything the store returns, to compare before and after an attempted write."""
    return store.current(), store.history(), store.version(), store.current_tables()


def assert_same_state(after, before) -> None:
    assert after[:3] == before[:3]
    assert_tables_equal(after[3], before[3])


# --- empty store, round trip ---------------------------------------------------------------


def test_empty_store(url):
    store = Store(url)
    assert not store.has_data()
    assert store.current() is None
    assert store.history() == []
    assert store.version() == ""
    assert store.current_tables() is None


def test_import_round_trip(url, demo_tables, geo):
    store = Store(url)
    before = datetime.now().replace(microsecond=0)
    batch = store.import_batch(
        demo_tables, files=["项目清单.csv", "月度进度.xlsx"], note="三月数据", boundaries=geo
    )
    assert batch == Batch(
        id=1,
        created_at=batch.created_at,
        kind=IMPORT,
        files=("项目清单.csv", "月度进度.xlsx"),
        note="三月数据",
        row_counts={name: len(demo_tables[name]) for name in S.TABLES},
        data_batch=1,
        restored_from=None,
    )
    assert batch.created_at.microsecond == 0
    assert before <= batch.created_at <= datetime.now() + timedelta(seconds=1)
    assert store.has_data()
    assert store.current() == batch
    assert store.history() == [batch]
    assert_tables_equal(store.current_tables(), (demo_tables, geo))
    # Persisted: a new Store on the same database (schema creation is idempotent) sees it all.
    again = Store(url)
    assert again.history() == [batch]
    assert_tables_equal(again.current_tables(), (demo_tables, geo))


def test_values_are_kept_as_text(url, demo_tables, geo):
    tables = tables_copy(demo_tables)
    tables[S.MONTHLY] = pd.DataFrame(
        {
            S.CODE: [" 0012 ", "a,b", "nan"],
            S.MONTH: ["2026-01", "2026-02", "2026-03"],
            S.MONTH_COMPLETED: [1.5, 2.0, float("nan")],
            S.PROGRESS_TEXT: ["完成“主体”", None, pd.NA],
        }
    )
    tables[S.PLANS] = pd.DataFrame({S.CODE: ["x"], S.YEAR: [2026], S.ANNUAL_PLAN: ["0.10"]})
    tables[S.PROBLEMS] = tables[S.PROBLEMS].iloc[:0]
    store = Store(url)
    store.import_batch(tables, files=[], boundaries=geo)
    current, _ = store.current_tables()
    assert current[S.MONTHLY].to_dict("list") == {
        S.CODE: [" 0012 ", "a,b", "nan"],
        S.MONTH: ["2026-01", "2026-02", "2026-03"],
        S.MONTH_COMPLETED: ["1.5", "2.0", ""],
        S.PROGRESS_TEXT: ["完成“主体”", "", ""],
        S.COVERS_FROM: ["", "", ""],  # an optional column not given is empty
    }
    assert current[S.PLANS].to_dict("list") == {
        S.CODE: ["x"],
        S.YEAR: ["2026"],
        S.ANNUAL_PLAN: ["0.10"],
        S.PRIOR_CUMULATIVE: [""],
    }
    assert current[S.PROBLEMS].empty
    assert list(current[S.PROBLEMS].columns) == list(S.PROBLEM_COLUMNS)
    assert all(str(dtype) == "str" for df in current.values() for dtype in df.dtypes)


def test_extra_columns_are_ignored_and_order_follows_the_schema(url, demo_tables, geo):
    tables = tables_copy(demo_tables)
    projects = tables[S.PROJECTS]
    tables[S.PROJECTS] = projects[list(reversed(projects.columns))].assign(备注="x")
    store = Store(url)
    store.import_batch(tables, files=[], boundaries=geo)
    assert_tables_equal(store.current_tables(), (demo_tables, geo))


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)


@pytest.fixture(scope="module")
def text_store(tmp_path_factory):
    return Store(f"sqlite:///{tmp_path_factory.mktemp('text')}/s.sqlite")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(_TEXT, _TEXT, _TEXT, _TEXT, _TEXT), max_size=30))
def test_any_text_round_trips(text_store, demo_tables, geo, rows):
    tables = {name: demo_tables[name].iloc[:3] for name in S.TABLES}
    tables[S.MONTHLY] = pd.DataFrame(rows, columns=list(S.MONTHLY_COLUMNS), dtype=str)
    text_store.import_batch(tables, files=["t.csv"], boundaries=geo)
    current, _ = text_store.current_tables()
    assert current[S.MONTHLY].values.tolist() == [list(r) for r in rows]


# --- history and roll-back -------------------------------------------------------------


def test_second_import_and_rollback(url, demo_tables, geo):
    store = Store(url)
    first_tables, second_tables = demo_tables, variant(demo_tables, "9")
    first = store.import_batch(first_tables, files=["a.csv"], note="一", boundaries=geo)
    v1 = store.version()
    second = store.import_batch(second_tables, files=["b.csv"], note="二")
    v2 = store.version()
    assert second.id == 2 and second.data_batch == 2
    assert second.row_counts[S.PROJECTS] == len(second_tables[S.PROJECTS])
    assert store.current() == second
    assert_tables_equal(store.current_tables(), (second_tables, geo))

    back = store.rollback(first.id, note="数据有误")
    assert back == Batch(
        id=3,
        created_at=back.created_at,
        kind=ROLLBACK,
        files=(),
        note="数据有误",
        row_counts=first.row_counts,
        data_batch=1,
        restored_from=1,
    )
    assert store.current() == back
    assert_tables_equal(store.current_tables(), (first_tables, geo))
    assert store.history() == [back, second, first]
    assert len({v1, v2, store.version()}) == 3 and "" not in {v1, v2}

    # Rolling back to a roll-back entry restores the data that entry made current.
    again = store.rollback(3)
    assert (again.id, again.data_batch, again.restored_from) == (4, 1, 3)
    forward = store.rollback(2)
    assert (forward.data_batch, forward.row_counts) == (2, second.row_counts)
    assert_tables_equal(store.current_tables(), (second_tables, geo))


def test_rollback_of_unknown_entry(url, demo_tables, geo):
    store = Store(url)
    with pytest.raises(ValueError, match=CHINESE):
        store.rollback(1)
    store.import_batch(demo_tables, files=[], boundaries=geo)
    before = state(store)
    for entry_id in (0, 2, 99):
        with pytest.raises(ValueError, match=CHINESE):
            store.rollback(entry_id)
    assert_same_state(state(store), before)


def test_a_first_import_without_boundaries_keeps_an_empty_collection(url, demo_tables, geo):
    store = Store(url)
    store.import_batch(demo_tables, files=["台账.xls"])  # a ledger alone, no boundary file
    assert store.current_tables()[1] == {"type": "FeatureCollection", "features": []}
    store.import_batch(demo_tables, files=["b.geojson"], boundaries=geo)
    assert store.current_tables()[1] == geo


def test_boundaries_kept_until_new_ones_come(url, demo_tables, geo):
    store = Store(url)
    other = {"type": "FeatureCollection", "features": [], "name": "另一份边界"}
    store.import_batch(demo_tables, files=[], boundaries=geo)
    store.import_batch(demo_tables, files=[])  # keeps entry 1's boundaries
    assert store.current_tables()[1] == geo
    store.import_batch(demo_tables, files=[], boundaries=other)
    assert store.current_tables()[1] == other
    store.rollback(2)
    assert store.current_tables()[1] == geo
    store.import_batch(demo_tables, files=[])  # keeps the boundaries of the roll-back
    assert store.current_tables()[1] == geo


def test_invalid_imports_change_nothing(url, demo_tables, geo):
    store = Store(url)
    store.import_batch(demo_tables, files=[], boundaries=geo)
    before = state(store)
    without = {name: df for name, df in demo_tables.items() if name != S.FUNDING}
    with pytest.raises(ValueError, match=f"缺少数据表.*{S.FUNDING}"):
        store.import_batch(without, files=[])
    short = tables_copy(demo_tables)
    short[S.MONTHLY] = short[S.MONTHLY].drop(columns=[S.MONTH])
    with pytest.raises(ValueError, match=f"{S.MONTHLY}缺少必需的列.*{S.MONTH}"):
        store.import_batch(short, files=[])
    with pytest.raises(ValueError, match=CHINESE):
        store.import_batch(demo_tables, files=[], boundaries="not a dict")
    assert_same_state(state(store), before)


# --- atomicity -------------------------------------------------------------------------


@pytest.mark.parametrize("earlier_batches", [0, 1])
def test_import_failing_half_way_changes_nothing(
    url, demo_tables, geo, monkeypatch, earlier_batches
):
    store = Store(url)
    for _ in range(earlier_batches):
        store.import_batch(demo_tables, files=["a.csv"], boundaries=geo)
    before = state(store)

    insert = store_module._insert_rows
    calls = []

    def failing(conn, name, batch_id, frame):
        calls.append(name)
        if len(calls) == 3:
            raise RuntimeError("injected failure")
        insert(conn, name, batch_id, frame)

    monkeypatch.setattr(store_module, "_insert_rows", failing)
    with pytest.raises(RuntimeError, match="injected"):
        store.import_batch(variant(demo_tables, "1"), files=["b.csv"], boundaries=geo)
    assert calls == list(S.TABLES[:3])  # the entry and two tables were written, then undone
    assert_same_state(state(store), before)
    assert_same_state(state(Store(url)), before)

    monkeypatch.setattr(store_module, "_insert_rows", insert)
    batch = store.import_batch(variant(demo_tables, "2"), files=["c.csv"], boundaries=geo)
    assert batch.id == earlier_batches + 1  # the failed import left no gap in the numbering
    assert_tables_equal(store.current_tables(), (variant(demo_tables, "2"), geo))


_KILLED_IMPORT = """
import json, sys
import pandas as pd
from core.data import schema as S
from core.ingest import store
from core.data.portfolio import DEMO_DIR, read_csv

tables = {name: read_csv(DEMO_DIR / f"{name}.csv") for name in S.TABLES}
monthly = pd.concat([tables[S.MONTHLY]] * int(sys.argv[2]), ignore_index=True)
monthly[S.CODE] = [f"K-{i:09d}" for i in range(len(monthly))]
tables[S.MONTHLY] = monthly
geo = json.loads((DEMO_DIR / S.BOUNDARIES_FILE).read_text(encoding="utf-8"))
insert = store._insert_rows

def announce(conn, name, batch_id, frame):
    print("started", name, flush=True)
    insert(conn, name, batch_id, frame)

store._insert_rows = announce
store.Store(sys.argv[1]).import_batch(tables, files=["big.csv"], boundaries=geo)
print("finished", flush=True)
"""


def test_import_killed_mid_write_changes_nothing(url, tmp_path, demo_tables, geo):
    store = Store(url)
    store.import_batch(demo_tables, files=["a.csv"], boundaries=geo)
    before = state(store)
    wal = tmp_path / "s.sqlite-wal"
    wal_size = wal.stat().st_size if wal.exists() else 0

    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_IMPORT, url, "300"],  # ~1.2 million monthly rows
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(60, proc.kill)  # never let a stuck child hang the test run
    watchdog.start()
    try:
        while True:
            line = proc.stdout.readline()
            assert line, "the import process ended before it began writing"
            if line.startswith("started " + S.MONTHLY):
                break
        time.sleep(0.5)  # well inside the monthly table's insert
        assert proc.poll() is None, "the import finished before it could be killed"
        assert wal.stat().st_size > wal_size  # rows were written, not yet committed
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()

    assert_same_state(state(Store(url)), before)
    assert_same_state(state(store), before)
    batch = store.import_batch(variant(demo_tables, "3"), files=["b.csv"])
    assert batch.id == 2
    assert_tables_equal(store.current_tables(), (variant(demo_tables, "3"), geo))


# --- serialized writes -----------------------------------------------------------------


def test_two_imports_at_once_run_one_after_the_other(url, demo_tables, geo, monkeypatch):
    Store(url)  # the schema exists before the two writers start
    inputs = {"one.csv": big(demo_tables, 20, "one"), "two.csv": big(demo_tables, 20, "two")}
    insert = store_module._insert_rows
    log: list[tuple[str, str]] = []

    def logged(conn, name, batch_id, frame):
        log.append((threading.current_thread().name, name))
        insert(conn, name, batch_id, frame)

    monkeypatch.setattr(store_module, "_insert_rows", logged)
    start = threading.Barrier(2)
    results, errors = {}, []

    def run(file_name: str) -> None:
        try:
            writer = Store(url)  # its own engine and connections, like another app session
            start.wait()
            results[file_name] = writer.import_batch(
                inputs[file_name], files=[file_name], boundaries=geo
            )
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f,), name=f) for f in inputs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(b.id for b in results.values()) == [1, 2]

    # The inserts of one import all came before those of the other.
    first, second = sorted(results, key=lambda f: results[f].id)
    assert log == [(first, name) for name in S.TABLES] + [(second, name) for name in S.TABLES]

    monkeypatch.setattr(store_module, "_insert_rows", insert)
    store = Store(url)
    assert [b.files for b in store.history()] == [(second,), (first,)]
    for file_name, batch in results.items():
        store.rollback(batch.id)
        assert store.current().row_counts == {n: len(inputs[file_name][n]) for n in S.TABLES}
        assert_tables_equal(store.current_tables(), (inputs[file_name], geo))


# --- configuration ---------------------------------------------------------------------


def test_database_url(monkeypatch, tmp_path):
    default = f"sqlite:///{REPO / 'data' / 'briefing.sqlite'}"
    monkeypatch.delenv(DATABASE_URL_SETTING, raising=False)
    assert database_url() == default
    assert database_url("postgresql://u@h/db") == "postgresql://u@h/db"
    monkeypatch.setenv(DATABASE_URL_SETTING, f"sqlite:///{tmp_path}/env.sqlite")
    assert database_url() == f"sqlite:///{tmp_path}/env.sqlite"
    assert database_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert Store().url == f"sqlite:///{tmp_path}/env.sqlite"
    assert (tmp_path / "env.sqlite").exists()


def test_sqlite_folder_is_created(tmp_path):
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        store = Store(f"sqlite:///{folder}/new/sub/s.sqlite")
        assert store.current() is None
        assert Path(folder, "new", "sub", "s.sqlite").exists()
        store.close()
