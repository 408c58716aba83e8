"""What the store's tests share: the databases they run on, and a write killed half-way.

The databases: a SQLite file, and a real PostgreSQL server.

Every PostgreSQL test gets a database of its own, created on the server named by
BRIEFING_TEST_POSTGRES_URL (default: the role `briefing` on 127.0.0.1, which `.ci/run` creates)
and dropped afterwards. Without a server the PostgreSQL cases are skipped with a message, unless
BRIEFING_REQUIRE_POSTGRES=1 (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench import store as bench_store

POSTGRES_SETTING = "BRIEFING_TEST_POSTGRES_URL"
REQUIRE_SETTING = "BRIEFING_REQUIRE_POSTGRES"
DEFAULT_POSTGRES = "postgresql+psycopg://briefing:briefing@127.0.0.1:5432/postgres"
DATABASES = ["sqlite", "postgresql"]


def _server() -> sa.URL:
    return sa.make_url(os.environ.get(POSTGRES_SETTING) or DEFAULT_POSTGRES)


_reachable: dict[str, str | None] = {}


def _unreachable_reason() -> str | None:
    if "reason" not in _reachable:
        try:
            engine = sa.create_engine(_server(), isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            engine.dispose()
            _reachable["reason"] = None
        except Exception as exc:  # any failure to connect means: no server to test against
            _reachable["reason"] = (
                f"no PostgreSQL server at {_server().render_as_string(hide_password=True)} "
                f"({type(exc).__name__}); set {POSTGRES_SETTING} or run .ci/run as root"
            )
    return _reachable["reason"]


def postgres_database():
    """Create a fresh database; yields its URL, and drops it afterwards."""
    reason = _unreachable_reason()
    if reason:
        if os.environ.get(REQUIRE_SETTING) == "1":
            pytest.fail(f"{REQUIRE_SETTING}=1 but {reason}")
        pytest.skip(reason)
    server = _server().render_as_string(hide_password=False)
    with bench_store.postgres_database(server, prefix="briefing_test") as url:
        yield url


def database(kind: str, folder: Path):
    """A new, empty database of the kind ("sqlite" or "postgresql"); yields its URL."""
    if kind == "sqlite":
        yield f"sqlite:///{folder}/s.sqlite"
    else:
        yield from postgres_database()


REPO = Path(__file__).resolve().parents[1]
# Changes every name of the mini data set and imports it, or rolls back to entry 1; pauses
# inside the transaction after writing `point` (a table, or "entry": the history row).
_KILLED = """
import json, sys, time
import pandas as pd
from core.policy import roles
from core.base import schema as S
from core.store.portfolio import read_csv
from core.store import versions as store

url, operation, point = sys.argv[1:4]
tables = {name: read_csv(f"tests/fixtures/mini/{name}.csv") for name in S.TABLES}
for frame in tables.values():
    frame[frame.columns[1]] = frame[frame.columns[1]].astype(str) + "(改)"

def pause_after(function, label):
    def run(*args):
        result = function(*args)
        print("wrote", label(args), flush=True)
        if label(args) == point:
            time.sleep(120)  # killed here, inside the transaction
        return result
    return run

store._merge_rows = pause_after(store._merge_rows, lambda a: a[1])
store._restore_rows = pause_after(store._restore_rows, lambda a: a[1])
store._insert_entry = pause_after(store._insert_entry, lambda a: "entry")
s = store.Store(url)
if operation == "import":
    s.import_batch(tables, files=["killed.csv"], actor=roles.cli_actor())
else:
    s.rollback(1, actor=roles.cli_actor())
print("finished", flush=True)
"""


def kill_inside(url: str, operation: str, point: str) -> None:
    """Start an import ("import") or a roll-back to entry 1 ("rollback") in another process and
    SIGKILL it inside its transaction, right after it wrote `point`."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED, url, operation, point],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        while True:
            line = proc.stdout.readline()
            assert line and line != "finished\n", "the write ended before it could be killed"
            if line.strip() == f"wrote {point}":
                break
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def cli(*argv: str) -> tuple[int, str, str]:
    """`python -m core …` in this process: (exit status, standard output, standard error)."""
    from core.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()
