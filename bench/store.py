"""The store's costs at each size: a one-project return imported into the benchmark's store
(time and bytes added), every return changed and imported again (the merge into a non-empty
store), and with --postgres the whole import and both of these into PostgreSQL as well."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from core.base import schema as S
from core.ingest import importing
from core.policy import roles
from core.store import datasource
from core.store.versions import Store, sqlite_path


@dataclass(frozen=True)
class OneProject:
    """A county's return for one new project: its 项目清单 row and one month of 月度进度."""

    # importing.check: read, validate against the rows of the projects it names (and what the
    # current data's snapshot keeps of the others)
    check_s: float
    write_s: float  # the store's transaction: the merge by key and the entry
    snapshot_s: float  # the Parquet snapshot of the new data, derived from the one before
    bytes_added: int  # the database's size after, less before
    rows_bytes: int  # the uploaded files' size: what the import adds


@dataclass(frozen=True)
class PostgresRun:
    import_s: float  # importing.check + importing.commit of every file
    one: OneProject
    merge_s: float = 0.0  # the same files again, every 形象进度 changed (changed_files)


def changed_files(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The table files again with every 月度进度 row's 形象进度 changed: an import into the
    non-empty store that replaces every return, the merge that took 571 s on PostgreSQL
    before it was set-based (issue 24)."""
    import io

    import pandas as pd

    out = []
    for name, content in files:
        if not name.startswith(S.MONTHLY):
            continue
        frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
        frame[S.PROGRESS_TEXT] = frame[S.PROGRESS_TEXT] + "(复核)"
        out.append((name, frame.to_csv(index=False).encode("utf-8-sig")))
    return out


def merge(url: str, files: list[tuple[str, bytes]]) -> float:
    """Seconds to check and commit `changed_files(files)` into the store at `url`."""
    store = Store(url)
    changed = changed_files(files)
    started = time.perf_counter()
    report = importing.check(changed, store)
    if not report.importable:
        raise RuntimeError("changed returns refused: " + report.summary())
    importing.commit(report, store, note="benchmark merge", actor=roles.cli_actor())
    spent = time.perf_counter() - started
    store.close()
    return spent


def database_bytes(url: str) -> int:
    path = sqlite_path(url)
    if path is not None:
        engine = sa.create_engine(url)
        with engine.connect() as conn:  # the write-ahead log into the file, then measured
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        wal = path.with_name(path.name + "-wal")  # -shm is an index in memory, not data
        return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        size = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
    engine.dispose()
    return int(size)


def _one_project_files(store: Store) -> list[tuple[str, bytes]]:
    tables, _ = store.current_tables()
    project = (
        tables[S.PROJECTS]
        .iloc[[0]]
        .assign(**{S.CODE: "BENCH-ONE-0001", S.NAME: "基准测试新增项目"})
    )
    month = tables[S.MONTHLY].iloc[[-1]].assign(**{S.CODE: "BENCH-ONE-0001"})
    return [
        (f"{S.PROJECTS}.csv", project.to_csv(index=False).encode("utf-8-sig")),
        (f"{S.MONTHLY}.csv", month.to_csv(index=False).encode("utf-8-sig")),
    ]


def one_project(url: str) -> OneProject:
    store = Store(url)
    files = _one_project_files(store)
    before = database_bytes(url)
    started = time.perf_counter()
    report = importing.check(files, store)
    checked = time.perf_counter()
    if not report.importable:
        raise RuntimeError("one-project import refused: " + report.summary())
    store.import_batch(
        importing.uploaded_rows(report),
        files=report.files,
        note="基准测试",
        seen_version=report.checked_against,
        actor=roles.cli_actor(),
    )
    written = time.perf_counter()
    datasource.load(store)
    done = time.perf_counter()
    store.close()
    return OneProject(
        check_s=checked - started,
        write_s=written - checked,
        snapshot_s=done - written,
        bytes_added=database_bytes(url) - before,
        rows_bytes=sum(len(content) for _, content in files),
    )


@contextmanager
def postgres_database(server: str, prefix: str = "bench") -> Iterator[str]:
    """A new database on the server (an admin URL, e.g. …/postgres), dropped afterwards.
    The tests use it too (tests/store_kit.py)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop(admin, name)
        admin.dispose()


def _drop(admin: sa.Engine, name: str) -> None:
    """FORCE ends our own connections left open; it may not end an autovacuum worker (another
    role's), which a plain DROP ends by itself: so the one, then the other, a few times."""
    for attempt in range(20):
        force = " WITH (FORCE)" if attempt % 2 == 0 else ""
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"{force}'))
            return
        except sa.exc.DBAPIError:
            if attempt == 19:
                raise
            time.sleep(0.5)


def postgres_run(server: str, files: list[tuple[str, bytes]]) -> PostgresRun:
    """The same files imported into a fresh PostgreSQL database, then a one-project return."""
    with postgres_database(server) as url:
        store = Store(url)
        started = time.perf_counter()
        report = importing.check(files, store)
        importing.commit(report, store, note="benchmark", actor=roles.cli_actor())
        import_s = time.perf_counter() - started
        store.close()
        one = one_project(url)
        return PostgresRun(import_s, one, merge(url, files))
