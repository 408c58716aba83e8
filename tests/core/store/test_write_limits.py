"""A write waits for the write lock only so long, and a writer whose client died does not keep
it (issue 24: after an import's client was killed, its PostgreSQL backend kept the lock and the
next import waited 326 s). PostgreSQL's write transactions carry a lock timeout, a statement
timeout, an idle-in-transaction timeout and a check of the client's connection; a wait that
ends so is a Chinese message, and nothing is written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import sqlalchemy as sa

from core.base import schema as S
from core.store import versions
from core.store.versions import BUSY, Store, StoreError
from tests.access_kit import ADMIN
from tests.store_kit import DATABASES, REPO, database, postgres_database

ROWS = {
    S.PROJECTS: pd.DataFrame([{S.CODE: "A1", S.NAME: "甲", S.COUNTY: "甲区", S.SECTOR: "产业项目",
                               S.LEVEL: "省重点", S.STAGE: "在建", S.TOTAL_INVESTMENT: "10"}]),
    S.MONTHLY: pd.DataFrame([{S.CODE: "A1", S.MONTH: "2026-01", S.MONTH_COMPLETED: "1"}]),
}  # fmt: skip


def _import(store: Store, name: str = "甲") -> None:
    rows = {t: f.assign(**({S.NAME: name} if t == S.PROJECTS else {})) for t, f in ROWS.items()}
    store.import_batch(rows, files=["x.csv"], actor=ADMIN)


@pytest.fixture
def pg_url():
    yield from postgres_database()


def test_the_limits_are_set_on_every_postgresql_write(pg_url):
    store = Store(pg_url)
    with store._write() as conn:
        shown = {n: conn.execute(sa.text(f"SHOW {n}")).scalar() for n in
                 ("lock_timeout", "statement_timeout", "idle_in_transaction_session_timeout",
                  "client_connection_check_interval")}  # fmt: skip
    assert shown == {"lock_timeout": "5min", "statement_timeout": "30min",
                     "idle_in_transaction_session_timeout": "2min",
                     "client_connection_check_interval": "5s"}  # fmt: skip
    with store.engine.connect() as conn:  # SET LOCAL: not beyond the transaction
        assert conn.execute(sa.text("SHOW lock_timeout")).scalar() == "0"
    store.close()


@pytest.mark.parametrize("kind", DATABASES)
def test_a_held_write_lock_ends_the_wait_with_a_message(kind, tmp_path, monkeypatch):
    monkeypatch.setattr(versions, "_PG_LOCK_TIMEOUT_MS", 1000)
    monkeypatch.setattr(versions, "_SQLITE_BUSY_TIMEOUT_MS", 1000)
    for url in database(kind, tmp_path):
        store = Store(url)
        _import(store)
        before = store.version()
        other = Store(url)
        with other._write():  # another writer holds the lock
            started = time.monotonic()
            with pytest.raises(StoreError) as refused:
                _import(store, "乙")
            assert time.monotonic() - started < 10
        assert refused.value.kind == BUSY
        assert refused.value.message.startswith("另一项导入或回滚正在写入数据")
        assert store.version() == before
        _import(store, "乙")  # the lock released, the write goes ahead
        other.close()
        store.close()


_HOLDER = """
import sys, time
import sqlalchemy as sa
from core.store.versions import Store
store = Store(sys.argv[1])
with store._write() as conn:
    print("holding", flush=True)
    conn.execute(sa.text("SELECT pg_sleep(120)"))
"""


def test_a_killed_writer_s_lock_is_released(pg_url, monkeypatch):
    """A client killed while its statement runs: the server notices within the check interval,
    cancels the statement and releases the write lock; the next import does not wait for the
    statement to end."""
    store = Store(pg_url)
    _import(store)
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, pg_url], cwd=REPO,
                              env={**os.environ, "PYTHONPATH": str(REPO)},
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "holding"
        time.sleep(0.5)  # inside pg_sleep
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        started = time.monotonic()
        _import(store, "乙")
        waited = time.monotonic() - started
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.stdout.close()
    assert waited < 30, waited  # the client check (5 s), not the statement's 120 s
    assert store.current_tables()[0][S.PROJECTS][S.NAME].tolist() == ["乙"]
    store.close()
