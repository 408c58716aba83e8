"""The store: every import kept as a batch in an embedded database, with history and roll-back.

One setting, BRIEFING_DATABASE_URL (a SQLAlchemy URL), chooses the database; without it the data
live in the SQLite file data/briefing.sqlite. Only SQLAlchemy Core and portable SQL are used, so
a shared PostgreSQL server can take the file's place without code changes.

Layout. `batches` holds the history entries: an import (导入) brings its own rows, a roll-back
(回滚) points at an earlier import's rows through `data_batch`. The newest entry is current.
Each of the six tables has a database table with `batch_id`, `row_no` (the order imported) and
one TEXT column per schema column under an ASCII name, because Chinese identifiers are awkward
across databases. `boundaries` keeps the GeoJSON text of the imports that supplied one; an
entry finds its boundaries through `boundaries_batch`. Rows are never updated or deleted, so a
batch's data, once committed, never change.

Atomicity. An import is one transaction: the entry row and all data rows commit together or not
at all, whether the import fails with an exception or its process is killed. Every write
transaction first updates the single row of `store_lock`: that takes SQLite's write lock (with a
busy timeout, so a second writer waits rather than fails) and a row lock in PostgreSQL, so two
imports or roll-backs run one after the other and each numbers its entry from the latest state.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from core import ROOT
from core.data import schema as S

DATABASE_URL_SETTING = "BRIEFING_DATABASE_URL"
DEFAULT_DATABASE = ROOT / "data" / "briefing.sqlite"
IMPORT, ROLLBACK, WITHDRAWAL = "导入", "回滚", "调出"
NO_BOUNDARIES = {"type": "FeatureCollection", "features": []}

_CHUNK = 50_000  # rows per executemany and per fetch: fast, and memory stays bounded
_SQLITE_BUSY_TIMEOUT_MS = 300_000  # a second writer waits for a large import to finish
_SQLITE_WAL_LIMIT = 64 * 2**20  # truncate the write-ahead log after a large import

# ASCII column names of the data tables, keyed by the schema's Chinese headers.
_SQL_NAMES = {
    S.CODE: "code",
    S.NAME: "name",
    S.COUNTY: "county",
    S.SECTOR: "sector",
    S.LEVEL: "level",
    S.STAGE: "stage",
    S.NATURE: "nature",
    S.NEWLY_ATTRACTED: "newly_attracted",
    S.HIGH_TECH: "high_tech",
    S.OWNER: "owner",
    S.LEADER: "leader",
    S.TOTAL_INVESTMENT: "total_investment",
    S.PLANNED_START: "planned_start",
    S.ACTUAL_START: "actual_start",
    S.PLANNED_END: "planned_end",
    S.LON: "lon",
    S.LAT: "lat",
    S.SUBSIDY_SOUGHT: "subsidy_sought",
    S.CONTENT: "content",
    S.YEARS_TEXT: "years_text",
    S.OWNER_PERSON: "owner_person",
    S.ACTUAL_END: "actual_end",
    S.WITHDRAWN: "withdrawn",
    S.PRIOR_CUMULATIVE: "prior_cumulative",
    S.COVERS_FROM: "covers_from",
    S.YEAR: "year",
    S.ANNUAL_PLAN: "annual_plan",
    S.MONTH: "month",
    S.MONTH_COMPLETED: "month_completed",
    S.PROGRESS_TEXT: "progress_text",
    S.FUNDING_SOURCE: "funding_source",
    S.FUNDING_AMOUNT: "funding_amount",
    S.FUNDING_MONTH: "funding_month",
    S.PROBLEM_ID: "problem_id",
    S.PROBLEM_TYPE: "problem_type",
    S.PROBLEM_TEXT: "problem_text",
    S.RAISED: "raised",
    S.RESOLVED: "resolved",
    S.RESPONSIBLE_UNIT: "responsible_unit",
    S.INDICATOR_GROUP: "indicator_group",
    S.INDICATOR: "indicator",
    S.PERIOD: "period",
    S.VALUE: "value",
    S.UNIT: "unit",
    S.TARGET: "target",
}
_TABLE_NAMES = {
    S.PROJECTS: "projects",
    S.PLANS: "annual_plans",
    S.MONTHLY: "monthly_progress",
    S.FUNDING: "funding",
    S.PROBLEMS: "problems",
    S.INDICATORS: "indicators",
}

_METADATA = sa.MetaData()
_LOCK = sa.Table(
    "store_lock",
    _METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("writes", sa.Integer, nullable=False),
)
_BATCHES = sa.Table(
    "batches",
    _METADATA,
    # Numbered by the store under the lock (not a sequence), so failed imports leave no gaps.
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("files", sa.Text, nullable=False),  # JSON list of file names
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("row_counts", sa.Text, nullable=False),  # JSON object: table name → rows
    sa.Column("data_batch", sa.Integer, nullable=False),
    sa.Column("restored_from", sa.Integer, nullable=True),
    sa.Column("boundaries_batch", sa.Integer, nullable=False),
)
_BOUNDARIES = sa.Table(
    "boundaries",
    _METADATA,
    sa.Column("batch_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("geojson", sa.Text, nullable=False),
)
# The key (batch_id, row_no) serves both the filter and the order of every read. SQLite stores
# such a table clustered on its key (WITHOUT ROWID), which makes reading a batch a single
# sequential scan; other databases ignore the option. No further indexes: nothing queries
# a batch by project or month, and each index would slow every import.
_DATA = {
    table: sa.Table(
        _TABLE_NAMES[table],
        _METADATA,
        sa.Column("batch_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("row_no", sa.Integer, primary_key=True, autoincrement=False),
        *(sa.Column(_SQL_NAMES[header], sa.Text, nullable=False) for header in S.COLUMNS[table]),
        sqlite_with_rowid=False,
    )
    for table in S.TABLES
}


def database_url(explicit: str | None = None) -> str:
    """The URL given, else the BRIEFING_DATABASE_URL environment variable, else the SQLite file."""
    if explicit:
        return explicit
    return os.environ.get(DATABASE_URL_SETTING, "").strip() or f"sqlite:///{DEFAULT_DATABASE}"


@dataclass(frozen=True)
class Batch:
    """One history entry: an import, or a roll-back that made an earlier import's data current."""

    id: int  # history entry id (1, 2, 3 …)
    created_at: datetime  # local time, second precision
    kind: str  # IMPORT or ROLLBACK
    files: tuple[str, ...]  # file names of an import; empty for a roll-back
    note: str
    row_counts: dict[str, int]  # table name → rows, for the data this entry makes current
    data_batch: int  # which import's data this entry makes current (= id for an import)
    restored_from: int | None  # for a roll-back: the entry id it restored


class Store:
    def __init__(self, url: str | None = None):
        self.url = database_url(url)
        self._engine = _engine(self.url)
        _create_schema(self._engine)

    @property
    def engine(self) -> sa.Engine:
        """The database, for the few tables kept beside the data (ledger layouts)."""
        return self._engine

    def close(self) -> None:
        """Release the pooled connections (the store can still be used afterwards)."""
        self._engine.dispose()

    # --- reading -----------------------------------------------------------------------

    def has_data(self) -> bool:
        return self.current() is not None

    def current(self) -> Batch | None:
        with self._engine.connect() as conn:
            row = _current_row(conn)
        return None if row is None else _batch(row)

    def history(self) -> list[Batch]:
        """Every entry, newest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(_BATCHES).order_by(_BATCHES.c.id.desc())).all()
        return [_batch(row) for row in rows]

    def version(self) -> str:
        """Changes whenever the current data change; "" while the store is empty.

        The time is part of it so that a store deleted and begun afresh, whose ids start at 1
        again, does not repeat the version of data cached before."""
        entry = self.current()
        return "" if entry is None else f"{entry.id}-{entry.created_at:%Y%m%d%H%M%S}"

    def current_tables(self) -> tuple[dict[str, pd.DataFrame], dict] | None:
        """The current data as text tables (schema columns, rows as imported) and boundaries."""
        with self._engine.connect() as conn:
            row = _current_row(conn)
            if row is None:
                return None
            # Committed rows never change, so reading table by table needs no snapshot.
            geojson = conn.execute(
                sa.select(_BOUNDARIES.c.geojson).where(
                    _BOUNDARIES.c.batch_id == row.boundaries_batch
                )
            ).scalar_one()
            tables = {name: _read_rows(conn, name, row.data_batch) for name in S.TABLES}
        return tables, json.loads(geojson)

    # --- writing -----------------------------------------------------------------------

    def import_batch(
        self,
        tables: dict[str, pd.DataFrame],
        *,
        files: list[str],
        note: str = "",
        boundaries: dict | None = None,
        kind: str = IMPORT,
    ) -> Batch:
        """Store the six tables as a new batch and make it current, whole or not at all.

        Every value is kept as the text given ("" for a missing one). Without `boundaries` the
        batch keeps the current boundaries."""
        frames = {name: _text_frame(tables, name) for name in S.TABLES}  # before taking the lock
        if boundaries is not None and not isinstance(boundaries, dict):
            raise ValueError("区县边界应为GeoJSON要素集合(FeatureCollection)")
        geojson = None if boundaries is None else json.dumps(boundaries, ensure_ascii=False)
        with self._write() as conn:
            current = _current_row(conn)
            if geojson is None and current is None:
                geojson = json.dumps(NO_BOUNDARIES)  # a first import without a boundary file
            new_id = 1 if current is None else current.id + 1
            entry = Batch(
                id=new_id,
                created_at=_now(),
                kind=kind,
                files=tuple(str(f) for f in files),
                note=note or "",
                row_counts={name: len(frame) for name, frame in frames.items()},
                data_batch=new_id,
                restored_from=None,
            )
            if geojson is None:
                boundaries_batch = current.boundaries_batch
            else:
                boundaries_batch = new_id
                conn.execute(sa.insert(_BOUNDARIES).values(batch_id=new_id, geojson=geojson))
            _insert_entry(conn, entry, boundaries_batch)
            for name, frame in frames.items():
                _insert_rows(conn, name, entry.id, frame)
        return entry

    def rollback(self, entry_id: int, note: str = "") -> Batch:
        """Make the data of history entry `entry_id` current again, as a new history entry."""
        with self._write() as conn:
            restored = conn.execute(sa.select(_BATCHES).where(_BATCHES.c.id == entry_id)).first()
            if restored is None:
                raise ValueError(f"历史记录中没有第{entry_id}批数据,无法回滚")
            current = _current_row(conn)
            entry = Batch(
                id=current.id + 1,
                created_at=_now(),
                kind=ROLLBACK,
                files=(),
                note=note or "",
                row_counts=json.loads(restored.row_counts),
                data_batch=restored.data_batch,
                restored_from=restored.id,
            )
            _insert_entry(conn, entry, restored.boundaries_batch)
        return entry

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """A transaction that first takes the store's write lock (see the module docstring).

        The lock row is the first statement, before any read: a SQLite transaction that has
        read first may not wait for the lock but fail at once when another writer committed."""
        with self._engine.begin() as conn:
            conn.execute(sa.update(_LOCK).where(_LOCK.c.id == 1).values(writes=_LOCK.c.writes + 1))
            yield conn


# --- engine and schema -------------------------------------------------------------------


def _engine(url: str) -> sa.Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url)
    if parsed.database not in (None, "", ":memory:") and not parsed.database.startswith("file:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)

    @sa.event.listens_for(engine, "connect")
    def _sqlite_settings(dbapi_connection, _record) -> None:
        # Write-ahead logging lets the app keep reading the current batch while an import
        # writes; the busy timeout makes a second writer wait for the first.
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA journal_size_limit = {_SQLITE_WAL_LIMIT}")
        cursor.close()

    return engine


def _create_schema(engine: sa.Engine) -> None:
    """Create missing tables and the lock row; safe when several processes start at once."""
    for attempt in range(3):
        try:
            _METADATA.create_all(engine)
            with engine.begin() as conn:
                if conn.execute(sa.select(_LOCK.c.id)).first() is None:
                    conn.execute(sa.insert(_LOCK).values(id=1, writes=0))
            return
        except sa.exc.DBAPIError:
            # Another process created the same table or row between our check and our write.
            if attempt == 2:
                raise


# --- rows --------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _current_row(conn: sa.Connection) -> sa.Row | None:
    return conn.execute(sa.select(_BATCHES).order_by(_BATCHES.c.id.desc()).limit(1)).first()


def _batch(row: sa.Row) -> Batch:
    return Batch(
        id=row.id,
        created_at=row.created_at,
        kind=row.kind,
        files=tuple(json.loads(row.files)),
        note=row.note,
        row_counts=json.loads(row.row_counts),
        data_batch=row.data_batch,
        restored_from=row.restored_from,
    )


def _insert_entry(conn: sa.Connection, entry: Batch, boundaries_batch: int) -> None:
    conn.execute(
        sa.insert(_BATCHES).values(
            id=entry.id,
            created_at=entry.created_at,
            kind=entry.kind,
            files=json.dumps(list(entry.files), ensure_ascii=False),
            note=entry.note,
            row_counts=json.dumps(entry.row_counts, ensure_ascii=False),
            data_batch=entry.data_batch,
            restored_from=entry.restored_from,
            boundaries_batch=boundaries_batch,
        )
    )


def _text_frame(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """The table's schema columns in order, every value as text and "" for a missing one."""
    if name not in tables:
        missing = [t for t in S.TABLES if t not in tables]
        raise ValueError(f"缺少数据表:{'、'.join(missing)}")
    df = tables[name].rename(columns=lambda c: str(c).strip())
    missing = [c for c in S.COLUMNS[name] if c not in df.columns and c not in S.OPTIONAL[name]]
    if missing:
        raise ValueError(f"{name}缺少必需的列:{'、'.join(missing)}")
    df = df.reindex(columns=list(S.COLUMNS[name]), fill_value="")
    return pd.DataFrame(
        {c: df[c].astype(str).where(df[c].notna(), "") for c in S.COLUMNS[name]}
    ).reset_index(drop=True)


def _insert_rows(conn: sa.Connection, name: str, batch_id: int, frame: pd.DataFrame) -> None:
    """Insert a table's rows with the driver's executemany, in chunks.

    The statement is compiled by SQLAlchemy for the database in use, but the rows go straight
    to the driver: Core's per-row parameter handling would more than double the time of a
    table of millions of rows."""
    table = _DATA[name]
    compiled = table.insert().compile(dialect=conn.dialect)
    names = [c.name for c in table.columns]  # batch_id, row_no, then the schema columns
    if conn.dialect.positional and list(compiled.positiontup) != names:
        raise RuntimeError(f"unexpected parameter order {compiled.positiontup}")
    for start in range(0, len(frame), _CHUNK):
        part = frame.iloc[start : start + _CHUNK]
        columns = [[batch_id] * len(part), range(start, start + len(part))]
        columns += [part[c].tolist() for c in part.columns]
        rows = zip(*columns, strict=True)
        if conn.dialect.positional:
            params = list(rows)
        else:
            params = [dict(zip(names, row, strict=True)) for row in rows]
        conn.exec_driver_sql(str(compiled), params)


def _read_rows(conn: sa.Connection, name: str, batch_id: int) -> pd.DataFrame:
    """A batch's rows of one table, in the order imported, as text columns.

    Fetched through the driver's cursor in chunks: building SQLAlchemy Row objects, as
    pandas.read_sql does, takes about three times as long for millions of rows."""
    table = _DATA[name]
    headers = list(S.COLUMNS[name])
    query = (
        sa.select(*(table.c[_SQL_NAMES[h]] for h in headers))
        .where(table.c.batch_id == int(batch_id))
        .order_by(table.c.row_no)
    )
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    parts = []
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(_CHUNK):
            parts.append(pd.DataFrame(rows, columns=headers, dtype="str"))
    finally:
        cursor.close()
    if not parts:
        return pd.DataFrame({h: pd.Series(dtype="str") for h in headers})
    return pd.concat(parts, ignore_index=True)
