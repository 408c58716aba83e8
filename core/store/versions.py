"""The store: every import kept as a batch in a database, with history and roll-back.

One setting, BRIEFING_DATABASE_URL (a SQLAlchemy URL), chooses the database; without it the data
live in the SQLite file data/briefing.sqlite. PostgreSQL (`postgresql+psycopg://…`) is the shared
server database; both run the same statements, with a bulk path per database for large tables.
The schema is kept by Alembic revisions (core.store.migrations), applied when a Store opens.

Layout. `batches` holds the history entries: an import (导入), a roll-back (回滚), or an edit
made on a page (调出, 督办, 豁免: rows written like an import's); the newest is current. Each of
the data tables (core.base.schema.TABLES) has a database table with one TEXT column per schema column
(the ASCII names of core.base.schema.STORE_COLUMNS) and four more: a row version is valid from
the entry that wrote it (`valid_from`) until the entry that replaced it (`valid_to`, empty while
current), and keeps where it was first written (`origin`, `row_no`), which orders the rows. So
the data as of entry N are the versions with valid_from ≤ N < valid_to, and an entry writes only
what it changes:
- an import merges the uploaded rows by key (core.base.schema.KEYS) inside its transaction:
  a row whose key is new is added, a row that differs from the current one replaces it, a row
  sent unchanged writes nothing, and the rows not uploaded stay as they are;
- a roll-back to entry K closes the current versions written after K and re-opens, as new
  versions with their old origin and row_no, those of K's data closed since: the data, row order
  included, are K's again.
`boundaries` keeps the GeoJSON text of the imports that supplied one; an entry finds its
boundaries through `boundaries_batch`. `data_batch` names the import whose data an entry's data
equal (itself for an import), which keys the Parquet snapshot a roll-back can reuse.

Atomicity. An import or roll-back is one transaction: the entry row and every version commit
together or not at all, whether it fails with an exception or its process is killed. Every write
transaction first updates the single row of `store_lock`: that takes SQLite's write lock (with a
busy timeout, so a second writer waits rather than fails) and a row lock in PostgreSQL, so two
imports or roll-backs run one after the other, and each merges into the data the other left.

A version the user saw. A roll-back refuses to act when the data changed since the page showed
them (VersionMoved). An import checked against version V commits when the data are still V, or
when everything since V was imports that touched none of the projects (项目代码) and indicators
(指标+期间) it uploads and brought no new boundaries: those imports only added or changed other
rows, which the merge by key keeps, and imports never remove a project, so the check still
holds. Otherwise it refuses, and the user checks again against the new data.

Problems of the database itself (a damaged file, a read-only database, a server that does not
answer, a schema newer than the code) are raised as StoreError with a Chinese message.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps

import pandas as pd
import sqlalchemy as sa

from core.base import schema as S
from core.policy import roles
from core.policy.roles import Actor
from core.store import audit, migrations
from core.store import categories as office_categories
from core.store import month_plans as plan_store
from core.store.tables import (  # noqa: F401 (the tables are the store's names too)
    _BATCHES,
    _BOUNDARIES,
    _DATA,
    _LOCK,
    AGENDAS,
    AUDIT,
    DATABASE_URL_SETTING,
    DEFAULT_DATABASE,
    LAYOUTS,
    METADATA,
    USERS,
    database_url,
    sqlite_path,
    where,
)

IMPORT, ROLLBACK, WITHDRAWAL = "导入", "回滚", "调出"
SUPERVISION, EXEMPTION = "督办", "豁免"  # edits of 存在问题 and 红黑榜豁免 on their pages
# What an actor must be allowed to do to make an entry of each kind, and how the trail names it.
KIND_ACTIONS = {IMPORT: roles.IMPORT, WITHDRAWAL: roles.WITHDRAW,
                SUPERVISION: roles.SUPERVISE, EXEMPTION: roles.EXEMPT}  # fmt: skip
NO_BOUNDARIES = {"type": "FeatureCollection", "features": []}

_CHUNK = 50_000  # rows per executemany and per fetch: fast, and memory stays bounded
_SQLITE_BUSY_TIMEOUT_MS = 300_000  # a second writer waits for a large import to finish
_SQLITE_WAL_LIMIT = 64 * 2**20  # truncate the write-ahead log after a large import
# A PostgreSQL write transaction waits for the write lock as long as SQLite's busy timeout, no
# statement runs longer than the statement timeout, a transaction left idle by a hung client
# ends, and a running statement whose client died is cancelled (so its locks go with it).
_PG_LOCK_TIMEOUT_MS = _SQLITE_BUSY_TIMEOUT_MS
_PG_STATEMENT_TIMEOUT_MS = 1_800_000  # 30 minutes: far beyond the largest import measured
_PG_IDLE_IN_TRANSACTION_MS = 120_000
_PG_CLIENT_CHECK_MS = 5_000  # PostgreSQL 14 and later
# After writing more rows than this, PostgreSQL's statistics of the table are renewed in the same
# transaction: with the old ones (a table thought empty) the next import's merge plans a scan of
# the whole table, 2 s for a one-project return at 100,000 projects instead of milliseconds.
_ANALYZE_AFTER_ROWS = 10_000


# --- problems -----------------------------------------------------------------------------

CORRUPT = "corrupt"
READ_ONLY = "read-only"
UNREACHABLE = "unreachable"
TOO_NEW = "too-new"
FAILED = "failed"
BUSY = "busy"  # another writer held the write lock too long, or a statement ran too long
DISK_FULL = "disk-full"


class StoreError(Exception):
    """A problem of the database itself, with what to tell the user (Chinese) in `message`;
    `public` says the same without the database's file or server, for anyone but an admin."""

    def __init__(self, kind: str, message: str, public: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.public = public or message


class VersionMoved(ValueError):
    """The data changed after the user saw them; the write was refused and nothing changed."""


_SQLITE_CORRUPT = re.compile(r"not a database|malformed|disk image|file is encrypted", re.I)
_SQLITE_READ_ONLY = re.compile(r"readonly|read-only|read only", re.I)
_SQLITE_CANNOT_OPEN = re.compile(r"unable to open database|disk I/O error", re.I)
_PG_READ_ONLY = {"25006", "42501"}  # read-only transaction; insufficient privilege
_PG_LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout
_PG_QUERY_CANCELED = "57014"  # statement_timeout, or a cancelled statement
_SQLITE_BUSY = re.compile(r"database is locked", re.I)
_SQLITE_FULL = re.compile(r"database or disk is full", re.I)
_PG_DISK_FULL = "53100"  # disk_full


def _disk_full(exc: BaseException, text: str, code: str | None) -> bool:
    """SQLite's SQLITE_FULL, PostgreSQL's 53100, or an OSError ENOSPC anywhere in the chain."""
    if code == _PG_DISK_FULL or _SQLITE_FULL.search(text):
        return True
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            break
        if getattr(seen, "errno", None) == errno.ENOSPC:
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return False


def problem(exc: BaseException, url: str) -> StoreError:
    """The StoreError that a database exception means, in words for the user."""
    if isinstance(exc, StoreError):
        return exc
    place = where(url)
    text = str(getattr(exc, "orig", None) or exc)
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    is_sqlite = sqlite_path(url) is not None or url.startswith("sqlite")
    if is_sqlite and _SQLITE_CORRUPT.search(text):
        return StoreError(
            CORRUPT,
            f"数据库文件已损坏,无法读取({place})。可从备份恢复;没有备份时,可把损坏的文件另存一旁后"
            "重新开始(各页面先显示示例数据,再次导入后恢复正常)。",
            _ASK_ADMIN,
        )
    if _disk_full(exc, text, code):
        return StoreError(
            DISK_FULL,
            f"数据库所在的磁盘空间已满,无法写入({place}),本次操作未执行,数据未作改动。"
            "请清理磁盘(如旧的备份、日志)或扩容后重试。",
            "服务器磁盘空间已满,本次操作未执行,数据未作改动。请联系管理员清理磁盘后重试。",
        )
    if (is_sqlite and _SQLITE_READ_ONLY.search(text)) or code in _PG_READ_ONLY:
        return read_only(url)
    if code == _PG_LOCK_NOT_AVAILABLE or (is_sqlite and _SQLITE_BUSY.search(text)):
        return StoreError(
            BUSY,
            f"另一项导入或回滚正在写入数据,等待{_PG_LOCK_TIMEOUT_MS // 60_000}分钟仍未结束,"
            "本次操作未执行,数据未作改动。请稍后重试。",
        )
    if code == _PG_QUERY_CANCELED:
        return StoreError(
            BUSY,
            "数据库操作超过时限(或连接已中断)被取消,数据未作改动。请稍后重试;"
            "数据量很大时请分批导入。",
        )
    if isinstance(exc, sa.exc.OperationalError) and (
        not is_sqlite or _SQLITE_CANNOT_OPEN.search(text)
    ):
        return StoreError(
            UNREACHABLE,
            f"无法打开数据库({place})。请确认数据库服务器已启动、地址和账户正确,"
            "或数据库文件所在的文件夹存在且可以访问。",
            _ASK_ADMIN,
        )
    return StoreError(
        FAILED,
        "数据库操作失败,数据未作改动。请稍后重试;如反复出现,请运行 python -m core check-store 检查。",
    )


def read_only(url: str) -> StoreError:
    return StoreError(
        READ_ONLY,
        f"数据库是只读的({where(url)}),不能导入或回滚;现有数据仍可查看。"
        "请检查数据库文件及其所在文件夹的写权限,或数据库账户的权限。",
        "数据库目前是只读的,不能导入或回滚;现有数据仍可查看。请联系管理员。",
    )


_ASK_ADMIN = "暂时无法读取数据库,数据未作改动。请联系管理员处理(管理员登录后在“数据管理”页可看到原因和恢复办法)。"


def _translated(method: Callable) -> Callable:
    """Database exceptions leave the store as StoreError, with the Chinese message."""

    @wraps(method)
    def run(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sa.exc.DBAPIError as exc:
            raise problem(exc, self.url) from exc

    return run


# --- entries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """One history entry: an import, or a roll-back that made an earlier entry's data current."""

    id: int  # history entry id (1, 2, 3 …)
    created_at: datetime  # local time, second precision
    kind: str  # IMPORT, ROLLBACK, WITHDRAWAL, SUPERVISION or EXEMPTION (KIND_ACTIONS)
    files: tuple[str, ...]  # file names of an import; empty for a roll-back
    note: str
    row_counts: dict[str, int]  # table name → rows, for the data this entry makes current
    data_batch: int  # the import whose data this entry's data equal (= id for an import)
    restored_from: int | None  # for a roll-back: the entry id it restored
    # table name → (row versions written, row versions closed) by this entry
    changes: dict[str, tuple[int, int]] = field(default_factory=dict)
    user: str = ""  # the account that made it ("" before revision 0005 recorded it)
    role: str = ""  # that account's role then


def version_id(version: str) -> int | None:
    """The entry id of a version string; None for "" (an empty store) or anything else."""
    head = version.split("-", 1)[0]
    return int(head) if head.isdigit() else None


class Store:
    def __init__(self, url: str | None = None, *, migrate: bool = True):
        self.url = database_url(url)
        self._engine = _engine(self.url)
        if migrate:
            self.migrate()

    @property
    def engine(self) -> sa.Engine:
        """The database, for tables kept beside the data (on METADATA, with a revision)."""
        return self._engine

    def close(self) -> None:
        """Release the pooled connections (the store can still be used afterwards)."""
        self._engine.dispose()

    @_translated
    def migrate(self) -> tuple[str | None, str]:
        """Bring the database's schema to the code's (core.store.migrations)."""
        with self._engine.connect() as conn:
            found = migrations.revision(conn)
        if found is not None and found not in migrations.known():
            raise StoreError(
                TOO_NEW,
                f"数据库由较新版本的程序建立(结构版本{found}),本程序无法使用。请升级程序后再打开。",
            )
        return migrations.upgrade(self._engine)

    @_translated
    def writable(self) -> bool:
        """Whether imports and roll-backs can write, asked without taking the write lock."""
        path = sqlite_path(self.url)
        if path is not None:
            if "mode=ro" in self.url or "immutable=1" in self.url:
                return False
            return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
        if self._engine.dialect.name != "postgresql":
            return True
        with self._engine.connect() as conn:
            return bool(
                conn.execute(
                    sa.text(
                        "SELECT current_setting('transaction_read_only') = 'off' "
                        "AND has_table_privilege('batches', 'INSERT')"
                    )
                ).scalar()
            )

    # --- reading -----------------------------------------------------------------------

    def has_data(self) -> bool:
        return self.current() is not None

    @_translated
    def current(self) -> Batch | None:
        with self._engine.connect() as conn:
            row = _current_row(conn)
        return None if row is None else _batch(row)

    @_translated
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
        return version_of(entry)

    def current_tables(self) -> tuple[dict[str, pd.DataFrame], dict] | None:
        """The current data as text tables (schema columns, rows in order) and boundaries."""
        return self.tables_as_of(None)

    @_translated
    def current_boundaries(self) -> dict | None:
        """The current boundaries alone (None before the first import): what a check of the
        counties needs, without reading a million rows."""
        with self._engine.connect() as conn:
            row = _current_row(conn)
            if row is None:
                return None
            geojson = conn.execute(
                sa.select(_BOUNDARIES.c.geojson).where(
                    _BOUNDARIES.c.batch_id == row.boundaries_batch
                )
            ).scalar_one()
        return json.loads(geojson)

    @_translated
    def tables_as_of(self, entry_id: int | None) -> tuple[dict[str, pd.DataFrame], dict] | None:
        """The data as they were once entry `entry_id` was made (None: the current entry)."""
        with self._engine.connect() as conn:
            if entry_id is None:
                row = _current_row(conn)
            else:
                row = conn.execute(sa.select(_BATCHES).where(_BATCHES.c.id == entry_id)).first()
            if row is None:
                if entry_id is None:
                    return None
                raise ValueError(f"历史记录中没有第{entry_id}批数据")
            geojson = conn.execute(
                sa.select(_BOUNDARIES.c.geojson).where(
                    _BOUNDARIES.c.batch_id == row.boundaries_batch
                )
            ).scalar_one()
            # The versions valid at one entry never change afterwards (later entries only add
            # versions and close ones with a later id), so no snapshot isolation is needed.
            tables = {name: _read_rows(conn, name, row.id) for name in S.TABLES}
        return tables, json.loads(geojson)

    @_translated
    def rows_in_part(
        self, entry_id: int, whole: tuple[str, ...], by_key: dict[str, list[str]]
    ) -> tuple[dict[str, pd.DataFrame], dict] | None:
        """Part of the data of entry `entry_id`, while it is the current one (None once it is
        not), and its boundaries: the tables `whole` entire, and of each table of `by_key` the
        rows whose first key column (项目代码, or 问题编号) holds one of the values, found by
        the index on the current rows' keys. Each table as tables_as_of gives it: text columns
        with the headers, in the data's order.

        One read transaction, which sees one state of the database (SQLite's, and PostgreSQL's
        at REPEATABLE READ): the rows are those of `entry_id` even if an import commits
        meanwhile."""
        with self._reading() as conn:
            row = _current_row(conn)
            if row is None or row.id != entry_id:
                return None
            out = {name: _read_rows(conn, name, entry_id) for name in whole}
            for name, values in by_key.items():
                out[name] = _rows_by_first_key(conn, name, values).drop(columns=_ORDER)
            geojson = conn.execute(
                sa.select(_BOUNDARIES.c.geojson).where(
                    _BOUNDARIES.c.batch_id == row.boundaries_batch
                )
            ).scalar_one()
        return out, json.loads(geojson)

    @_translated
    def entry_rows(
        self, entry_id: int, names: tuple[str, ...]
    ) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
        """What entry `entry_id` changed in each table of `names`: the versions it wrote with
        itself as their origin (an import's: after every older row, in the order written) and
        the versions it closed, as text columns with the headers and `origin` and `row_no`.
        The writes are found by the primary key; the closed versions by reading the table."""
        out = {}
        n = int(entry_id)
        with self._engine.connect() as conn:
            for name in names:
                written = _select_rows(conn, name, f"origin = {n} AND valid_from = {n}", {})
                # Only a table the entry closed rows of is read for them (no index finds them).
                closing = json.loads(
                    conn.execute(
                        sa.select(_BATCHES.c.changes).where(_BATCHES.c.id == n)
                    ).scalar_one()
                ).get(name, (0, 0))[1]
                where = f"valid_to = {n}" if closing else "1 = 0"
                closed = _select_rows(conn, name, where, {})
                out[name] = tuple(
                    f.sort_values(_ORDER, kind="stable").reset_index(drop=True)
                    for f in (written, closed)
                )
        return out

    @contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        """A read transaction that sees one state of the database throughout."""
        engine = self._engine
        if engine.dialect.name == "postgresql":
            engine = engine.execution_options(isolation_level="REPEATABLE READ")
        with engine.begin() as conn:
            yield conn

    # --- writing -----------------------------------------------------------------------

    @_translated
    def import_batch(
        self,
        rows: dict[str, pd.DataFrame],
        *,
        files: list[str],
        note: str = "",
        boundaries: dict | None = None,
        seen_version: str | None = None,
        kind: str = IMPORT,
        actor: Actor,
        removed: dict[str, pd.DataFrame] | None = None,
        categories: dict[str, list[str]] | None = None,
        month_plans: pd.DataFrame | None = None,
    ) -> Batch:
        """Merge uploaded rows into the current data by key, as a new entry, whole or not at all.

        `categories` (schema column → values) join the office's lists in the same transaction
        (core.store.categories): an import refused or rolled back by an error adds none.
        `month_plans` (core.store.month_plans.COLUMNS), the ledgers' monthly plans, are saved
        with the batch's id in the same transaction: a session loads both or neither.

        `actor` must be allowed to make an entry of this kind (an import, a withdrawal, a 督办
        edit, a 红黑榜 exemption: `KIND_ACTIONS`); a county reporter's rows must all be of its
        counties, checked here inside the write lock against the current data (roles.Refused
        otherwise). The entry records the actor, and so does the trail.

        `rows` holds the uploaded rows of the tables uploaded (the first import needs the
        required tables); the others stay as they are. Every value is kept as the text given
        ("" for a missing one). Without `boundaries` the entry keeps the current boundaries.
        `removed` names, by their key columns, current rows the entry takes away (an edit on a
        page: a revoked 红黑榜豁免); an import removes nothing. `seen_version` is the version
        the rows were checked against (None: no check; see the module docstring)."""
        roles.require(actor, KIND_ACTIONS[kind])
        own = roles.counties_of(actor) if kind in (IMPORT, SUPERVISION) else None
        frames = {name: _text_frame(rows, name) for name in S.TABLES if name in rows}
        gone = {name: _key_frame(keys, name) for name, keys in (removed or {}).items()}
        if boundaries is not None and not isinstance(boundaries, dict):
            raise ValueError("区县边界应为GeoJSON要素集合(FeatureCollection)")
        geojson = None if boundaries is None else json.dumps(boundaries, ensure_ascii=False)
        with self._write() as conn:
            current = _current_row(conn)
            if current is None:
                frames = {t: frames.get(t, _empty(t)) for t in S.TABLES}  # validation decides
                if geojson is None:  # a first import without a boundary file
                    geojson = json.dumps(NO_BOUNDARIES)
            elif seen_version is not None and version_of(current) != seen_version:
                _refuse_if_overlapping(
                    conn, current, seen_version, [*frames.items(), *gone.items()]
                )
            if own is not None:
                _refuse_other_counties(conn, frames, boundaries, own, current is not None, gone)
            new_id = 1 if current is None else current.id + 1
            counts = {} if current is None else json.loads(current.row_counts)
            changes = {}
            for name, frame in frames.items():
                written, closed = _merge_rows(conn, name, new_id, frame, counts.get(name, 0))
                counts[name] = counts.get(name, 0) + written - closed
                changes[name] = (written, closed)
            for name, keys in gone.items():
                closed = _close_rows(conn, name, new_id, keys)
                counts[name] = counts.get(name, 0) - closed
                written, before = changes.get(name, (0, 0))
                changes[name] = (written, before + closed)
            entry = Batch(
                id=new_id,
                created_at=_now(),
                kind=kind,
                files=tuple(str(f) for f in files),
                note=note or "",
                row_counts={name: counts.get(name, 0) for name in S.TABLES},
                data_batch=new_id,
                restored_from=None,
                changes=changes,
                user=actor.user,
                role=actor.role.value,
            )
            if geojson is None:
                boundaries_batch = current.boundaries_batch
            else:
                boundaries_batch = new_id
                conn.execute(sa.insert(_BOUNDARIES).values(batch_id=new_id, geojson=geojson))
            _insert_entry(conn, entry, boundaries_batch)
            what = {WITHDRAWAL: audit.WITHDRAW, SUPERVISION: audit.SUPERVISION_EDITED,
                    EXEMPTION: audit.EXEMPTION_EDITED}.get(kind, audit.IMPORT)  # fmt: skip
            rows_text = "、".join(f"{t}{changes[t][0]}行" for t in changes if changes[t][0])
            files_text = f"文件:{'、'.join(entry.files)}" if entry.files else ""
            detail = ";".join(p for p in (files_text, rows_text and f"写入{rows_text}",
                                          entry.note and f"备注:{entry.note}") if p)  # fmt: skip
            audit.record(conn, actor, what, f"第{new_id}批", detail)
            if categories:
                office_categories.add(conn, categories, new_id, actor=actor)
            if month_plans is not None:
                plan_store.save_in(conn, month_plans, new_id)
        return entry

    @_translated
    def rollback(
        self, entry_id: int, note: str = "", *, seen_version: str | None = None, actor: Actor
    ) -> Batch:
        """Make the data of history entry `entry_id` current again, as a new history entry.

        With `seen_version`, refuses (VersionMoved) when the data changed since it was read;
        `actor` must be allowed to roll back (roles.Refused otherwise)."""
        roles.require(actor, roles.ROLLBACK)
        with self._write() as conn:
            restored = conn.execute(sa.select(_BATCHES).where(_BATCHES.c.id == entry_id)).first()
            if restored is None:
                raise ValueError(f"历史记录中没有第{entry_id}批数据,无法回滚")
            current = _current_row(conn)
            if seen_version is not None and version_of(current) != seen_version:
                raise VersionMoved(
                    f"在您打开本页之后,数据已更新为{_entry_words(current)}。为免误操作,"
                    "本次未回滚:请核对最新的导入历史后再操作。"
                )
            new_id = current.id + 1
            changes = {name: _restore_rows(conn, name, entry_id, new_id) for name in S.TABLES}
            entry = Batch(
                id=new_id,
                created_at=_now(),
                kind=ROLLBACK,
                files=(),
                note=note or "",
                row_counts=json.loads(restored.row_counts),
                data_batch=restored.data_batch,
                restored_from=restored.id,
                changes=changes,
                user=actor.user,
                role=actor.role.value,
            )
            _insert_entry(conn, entry, restored.boundaries_batch)
            audit.record(conn, actor, audit.ROLLBACK, f"第{new_id}批",
                         f"恢复第{entry_id}批的数据" + (f";原因:{entry.note}" if entry.note else ""))  # fmt: skip
        return entry

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """A transaction that first takes the store's write lock (see the module docstring).

        The lock row is the first statement, before any read: a SQLite transaction that has
        read first may not wait for the lock but fail at once when another writer committed."""
        with self._engine.execution_options(write_lock=True).begin() as conn:
            if conn.dialect.name == "postgresql":
                _bounded(conn)
            conn.execute(sa.update(_LOCK).where(_LOCK.c.id == 1).values(writes=_LOCK.c.writes + 1))
            yield conn


def version_of(row: sa.Row | Batch | None) -> str:
    """See Store.version."""
    if row is None:
        return ""
    return f"{row.id}-{row.created_at:%Y%m%d%H%M%S}"


# --- engine -------------------------------------------------------------------------------


def _bounded(conn: sa.Connection) -> None:
    """The time limits above, for this PostgreSQL transaction only (SET LOCAL)."""
    settings = {
        "lock_timeout": _PG_LOCK_TIMEOUT_MS,
        "statement_timeout": _PG_STATEMENT_TIMEOUT_MS,
        "idle_in_transaction_session_timeout": _PG_IDLE_IN_TRANSACTION_MS,
    }
    if (conn.dialect.server_version_info or (0,)) >= (14,):
        settings["client_connection_check_interval"] = _PG_CLIENT_CHECK_MS
    for name, ms in settings.items():
        conn.execute(sa.text(f"SET LOCAL {name} = {int(ms)}"))


def _engine(url: str) -> sa.Engine:
    path = sqlite_path(url)
    if sa.make_url(url).get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    if path is not None and "mode=ro" not in url:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)

    @sa.event.listens_for(engine, "connect")
    def _sqlite_settings(dbapi_connection, _record) -> None:
        # SQLAlchemy, not the driver, begins transactions (below), so that DDL in a migration
        # is part of its transaction too.
        dbapi_connection.isolation_level = None
        # Write-ahead logging lets the app keep reading the current data while an import
        # writes; the busy timeout makes a second writer wait for the first.
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_TIMEOUT_MS}")
        if "mode=ro" not in url:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute(f"PRAGMA journal_size_limit = {_SQLITE_WAL_LIMIT}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _sqlite_begin(conn: sa.Connection) -> None:
        # A writer takes the write lock at BEGIN, waiting for another writer; a reader does not.
        immediate = conn.get_execution_options().get("write_lock")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


# --- rows ---------------------------------------------------------------------------------


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
        changes={t: tuple(n) for t, n in json.loads(row.changes).items()},
        user=row.user_name,
        role=row.user_role,
    )


def _entry_words(row: sa.Row) -> str:
    return f"第{row.id}批({row.kind}于{row.created_at:%Y-%m-%d %H:%M})"


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
            changes=json.dumps({t: list(n) for t, n in entry.changes.items()}, ensure_ascii=False),
            user_name=entry.user,
            user_role=entry.role,
        )
    )


def _text_frame(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """The table's schema columns in order, every value as text and "" for a missing one; an
    optional column the frame lacks is empty (so a column added later needs no other change)."""
    df = tables[name].rename(columns=lambda c: str(c).strip())
    missing = [c for c in S.COLUMNS[name] if c not in df.columns and c not in S.OPTIONAL[name]]
    if missing:
        raise ValueError(f"{name}缺少必需的列:{'、'.join(missing)}")
    empty = pd.Series("", index=df.index, dtype=object)
    return pd.DataFrame(
        {
            c: df[c].astype(str).where(df[c].notna(), "") if c in df.columns else empty
            for c in S.COLUMNS[name]
        }
    ).reset_index(drop=True)


def _key_frame(keys: pd.DataFrame, name: str) -> pd.DataFrame:
    """The key columns of rows to remove, as text."""
    missing = [c for c in S.KEYS[name] if c not in keys.columns]
    if missing:
        raise ValueError(f"{name}缺少必需的列:{'、'.join(missing)}")
    return keys[list(S.KEYS[name])].astype(str).drop_duplicates().reset_index(drop=True)


def _close_rows(conn: sa.Connection, name: str, entry_id: int, keys: pd.DataFrame) -> int:
    """Close the current versions with these keys as of entry `entry_id`; returns how many."""
    table, _, key = _names(name)
    match = " AND ".join(f"{c} = :k{i}" for i, c in enumerate(key))
    closed = 0
    for values in keys.itertuples(index=False):
        closed += conn.execute(
            sa.text(
                f"UPDATE {table} SET valid_to = :n WHERE valid_to IS NULL AND valid_from < :n "
                f"AND {match}"
            ),
            {"n": entry_id, **{f"k{i}": v for i, v in enumerate(values)}},
        ).rowcount
    return closed


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in S.COLUMNS[name]})


def _names(name: str) -> tuple[str, list[str], list[str]]:
    """The database table, its text columns and its key columns."""
    return (
        S.STORE_TABLES[name],
        [S.STORE_COLUMNS[h] for h in S.COLUMNS[name]],
        [S.STORE_COLUMNS[h] for h in S.KEYS[name]],
    )


def _merge_rows(
    conn: sa.Connection, name: str, entry_id: int, frame: pd.DataFrame, current_rows: int
) -> tuple:
    """Write the uploaded rows as versions of entry `entry_id`, merged by key; returns (versions
    written, versions closed). With no current rows (`current_rows` 0) they are written as they
    are. Otherwise the merge is set-based, a fixed number of statements whatever the size: the
    rows go into a temporary staging table (the bulk path: COPY, executemany) indexed on the
    key, one UPDATE closes the current rows that an uploaded row with the same key but other
    content replaces, and one INSERT … SELECT writes the uploaded rows that no current row
    equals. Comparing the uploaded rows with the data table itself instead (written into it
    first) took 571 s and more on PostgreSQL for 10,000 projects' returns (issue 24; the merge
    is timed by bench.store.merge)."""
    table, columns, key = _names(name)
    if not current_rows:
        _insert_rows(conn, name, entry_id, frame)
        if conn.dialect.name == "postgresql" and len(frame) > _ANALYZE_AFTER_ROWS:
            conn.execute(sa.text(f"ANALYZE {table}"))
        return len(frame), 0
    stage = _stage(conn, name, entry_id, frame)
    listed_key = ", ".join(key)
    same = " AND ".join(f"s.{c} = {table}.{c}" for c in columns)
    # The close-out: current rows with an uploaded key and no uploaded row equal to them. The
    # keys as a row value IN the staged ones (every column is NOT NULL): SQLite then finds the
    # rows by the index on the current rows' keys, where EXISTS scanned every current row
    # (0.6 s for a one-project return into 1,000,000 returns).
    closed = conn.execute(
        sa.text(
            f"UPDATE {table} SET valid_to = :n WHERE valid_to IS NULL AND valid_from < :n "
            f"AND ({listed_key}) IN (SELECT {listed_key} FROM {stage}) "
            f"AND NOT EXISTS (SELECT 1 FROM {stage} AS s WHERE {same})"
        ),
        {"n": entry_id},
    ).rowcount
    # The uploaded rows that no current row equals (a current row left with an uploaded
    # key is one equal to an uploaded row): new keys and changed rows.
    same = " AND ".join(f"c.{c} = s.{c}" for c in columns)
    listed = ", ".join(columns)
    written = conn.execute(
        sa.text(
            f"INSERT INTO {table} (origin, row_no, valid_from, {listed}) "
            f"SELECT origin, row_no, valid_from, {', '.join(f's.{c}' for c in columns)} "
            f"FROM {stage} AS s WHERE NOT EXISTS (SELECT 1 FROM {table} AS c "
            f"WHERE c.valid_to IS NULL AND c.valid_from < :n AND {same})"
        ),
        {"n": entry_id},
    ).rowcount
    # Dropped now (a failed transaction takes its creation back with the rest).
    conn.execute(sa.text(f"DROP TABLE {stage}"))
    if conn.dialect.name == "postgresql" and written + closed > _ANALYZE_AFTER_ROWS:
        conn.execute(sa.text(f"ANALYZE {table}"))
    return written, closed


def _stage(conn: sa.Connection, name: str, entry_id: int, frame: pd.DataFrame) -> str:
    """A temporary table of the uploaded rows as versions of entry `entry_id` (the data table's
    columns), indexed on the key, for a set-based merge; returns its name. It lives in the
    transaction only: PostgreSQL drops it at commit, and a rolled-back or killed transaction
    takes its creation back on both databases."""
    table, columns, key = _names(name)
    stage = f"stage_{table}"
    texts = ", ".join(f"{c} TEXT NOT NULL" for c in columns)
    drop = " ON COMMIT DROP" if conn.dialect.name == "postgresql" else ""
    conn.execute(
        sa.text(
            f"CREATE TEMPORARY TABLE {stage} (origin INTEGER NOT NULL, row_no INTEGER NOT NULL, "
            f"valid_from INTEGER NOT NULL, {texts}){drop}"
        )
    )
    _insert_rows(conn, name, entry_id, frame, into=stage)
    conn.execute(sa.text(f"CREATE INDEX ix_{stage} ON {stage} ({', '.join(key)})"))
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(f"ANALYZE {stage}"))  # a temporary table has no statistics else
    return stage


def _restore_rows(conn: sa.Connection, name: str, restored: int, entry_id: int) -> tuple:
    """Make the versions valid at entry `restored` the current ones again, as of `entry_id`;
    returns (versions written, versions closed)."""
    table, columns, _ = _names(name)
    closed = conn.execute(
        sa.text(f"UPDATE {table} SET valid_to = :n WHERE valid_to IS NULL AND valid_from > :k"),
        {"n": entry_id, "k": restored},
    ).rowcount
    listed = ", ".join(columns)
    written = conn.execute(
        sa.text(
            f"INSERT INTO {table} (origin, row_no, valid_from, {listed}) "
            f"SELECT origin, row_no, :n, {listed} FROM {table} "
            "WHERE valid_from <= :k AND valid_to > :k"
        ),
        {"n": entry_id, "k": restored},
    ).rowcount
    return written, closed


def _refuse_if_overlapping(
    conn: sa.Connection, current: sa.Row, seen: str, frames: list[tuple[str, pd.DataFrame]]
) -> None:
    """The rule of the module docstring for an import checked against an older version."""
    seen_id = version_id(seen)
    entries = conn.execute(
        sa.select(_BATCHES).where(_BATCHES.c.id >= (seen_id or 0)).order_by(_BATCHES.c.id)
    ).all()
    moved = f"在您检查数据之后,数据已更新为{_entry_words(current)}"
    again = "本次未导入:请重新检查后再确认导入。"
    if seen_id is None or not entries or version_of(entries[0]) != seen:
        raise VersionMoved(f"{moved}。{again}")
    for entry in entries[1:]:
        if entry.kind == ROLLBACK:  # any other entry is an import of rows by key
            raise VersionMoved(f"{moved},其间有回滚。{again}")
        if entry.boundaries_batch == entry.id:
            raise VersionMoved(f"{moved},其间更换了区县边界。{again}")
    mine = _subjects(frames)
    for name in S.TABLES:
        table, _, _ = _names(name)
        subject = _subject_columns(name)
        found = conn.execute(
            sa.text(
                f"SELECT DISTINCT {', '.join(subject)} FROM {table} "
                "WHERE valid_from > :k OR valid_to > :k"
            ),
            {"k": seen_id},
        ).all()
        both = sorted(mine & {tuple(r) for r in found})
        if both:
            what = " / ".join(both[0])
            raise VersionMoved(
                f"{moved},其间的导入也更新了本次上传的“{what}”等{len(both)}项。"
                f"为免覆盖他人的修改,{again}"
            )


_IN_CHUNK = 900  # values per IN (…): below SQLite's limit of bound parameters


def _refuse_other_counties(
    conn: sa.Connection,
    frames: dict[str, pd.DataFrame],
    boundaries: dict | None,
    counties: tuple[str, ...],
    has_data: bool,
    gone: dict[str, pd.DataFrame] | None = None,
) -> None:
    """A county reporter's import: every row must be of a project of its counties — by the
    county the row gives and by the county the store has for that project now — and it brings
    neither city indicators nor boundaries. A row of a table whose key does not name the project
    (存在问题 by 问题编号) replaces the stored row of that key: that one must be of its counties
    too, before as after. The check's findings say the same per row (core.ingest.validation);
    this is the refusal at the last gate, under the write lock."""
    mine = set(counties)
    words = "、".join(counties)
    if boundaries is not None:
        raise roles.Refused(f"区县填报账户只能导入{words}的项目数据,不能上传区县边界。")
    for name, keys in (gone or {}).items():
        if len(keys):  # a page's removal (a revoked exemption) is the admin's
            raise roles.Refused(f"区县填报账户只能导入{words}的项目数据,不能删除{name}记录。")
    if len(frames.get(S.INDICATORS, ())):
        raise roles.Refused(f"区县填报账户只能导入{words}的项目数据,不能导入全市指标。")
    if len(frames.get(S.EXEMPTIONS, ())):
        raise roles.Refused(f"区县填报账户只能导入{words}的项目数据,不能设置红黑榜豁免。")
    given: dict[str, str] = {}
    if S.PROJECTS in frames:
        given = dict(zip(frames[S.PROJECTS][S.CODE], frames[S.PROJECTS][S.COUNTY], strict=True))
    codes = set(given)
    for name in (S.PLANS, S.MONTHLY, S.FUNDING, S.PROBLEMS, S.MILESTONES):
        if name in frames:
            codes |= set(frames[name][S.CODE])
    # The projects of the stored rows these rows replace, where the key does not name one.
    replaced: dict[str, set[str]] = {}  # project code → keys of the rows
    if has_data:
        for name, frame in frames.items():
            if S.CODE in S.KEYS[name] or S.CODE not in S.COLUMNS[name] or not len(frame):
                continue
            for key, code in _stored_codes(conn, name, frame):
                replaced.setdefault(code, set()).add(key)
    codes |= set(replaced)
    stored: dict[str, str] = {}
    if has_data and codes:
        table = S.STORE_TABLES[S.PROJECTS]
        code, county = S.STORE_COLUMNS[S.CODE], S.STORE_COLUMNS[S.COUNTY]
        listed = sorted(codes)
        for start in range(0, len(listed), _IN_CHUNK):
            part = listed[start : start + _IN_CHUNK]
            marks = ", ".join(f":c{i}" for i in range(len(part)))
            found = conn.execute(
                sa.text(f"SELECT {code}, {county} FROM {table} "
                        f"WHERE valid_to IS NULL AND {code} IN ({marks})"),
                {f"c{i}": c for i, c in enumerate(part)},
            ).all()  # fmt: skip
            stored.update({r[0]: r[1] for r in found})
    outside = sorted(
        c for c in codes
        if given.get(c, stored.get(c)) not in mine or (c in stored and stored[c] not in mine)
    )  # fmt: skip
    taken = sorted(k for c, keys in replaced.items() if stored.get(c) not in mine for k in keys)
    if taken:
        shown = "、".join(taken[:5]) + ("等" if len(taken) > 5 else "")
        raise roles.Refused(
            f"区县填报账户只能修改{words}的数据:本次有{len(taken)}条记录在库中属于其他区县的项目"
            f"({shown}),未导入。"
        )
    if outside:
        shown = "、".join(outside[:5]) + ("等" if len(outside) > 5 else "")
        raise roles.Refused(
            f"区县填报账户只能导入{words}的项目数据:本次有{len(outside)}个项目属于其他区县"
            f"(项目代码{shown}),未导入。"
        )


def _stored_codes(conn: sa.Connection, name: str, frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(key as text, project code) of the current rows of table `name` with a key of `frame`'s
    rows (a table whose key does not name the project)."""
    table, _, key = _names(name)
    code = S.STORE_COLUMNS[S.CODE]
    keys = frame[list(S.KEYS[name])].drop_duplicates().to_numpy().tolist()
    out: list[tuple[str, str]] = []
    per = max(1, _IN_CHUNK // len(key))
    for start in range(0, len(keys), per):
        part = keys[start : start + per]
        params = {f"k{i}_{j}": v for i, row in enumerate(part) for j, v in enumerate(row)}
        if len(key) == 1:
            where = f"{key[0]} IN ({', '.join(f':k{i}_0' for i in range(len(part)))})"
        else:
            where = " OR ".join(
                "(" + " AND ".join(f"{c} = :k{i}_{j}" for j, c in enumerate(key)) + ")"
                for i in range(len(part))
            )
        found = conn.execute(
            sa.text(f"SELECT {', '.join(key)}, {code} FROM {table} "
                    f"WHERE valid_to IS NULL AND ({where})"),
            params,
        ).all()  # fmt: skip
        out += [(" / ".join(map(str, r[:-1])), r[-1]) for r in found]
    return out


def _subject_columns(name: str) -> list[str]:
    """What a row is about: its project, or for an indicator its name and period."""
    headers = (S.CODE,) if S.CODE in S.COLUMNS[name] else S.KEYS[name]
    return [S.STORE_COLUMNS[h] for h in headers]


def _subjects(frames: list[tuple[str, pd.DataFrame]]) -> set[tuple]:
    out: set[tuple] = set()
    for name, frame in frames:
        headers = (S.CODE,) if S.CODE in S.COLUMNS[name] else S.KEYS[name]
        out |= set(map(tuple, frame[list(headers)].to_numpy().tolist()))
    return out


def _insert_rows(
    conn: sa.Connection, name: str, entry_id: int, frame: pd.DataFrame, into: str | None = None
) -> None:
    """Insert a table's rows as versions of entry `entry_id`, through the database's bulk path,
    into its data table (or the staging table `into`, with the same columns).

    PostgreSQL takes them by COPY; SQLite by the driver's executemany, in chunks: the rows go
    straight to the driver, as Core's per-row parameter handling would more than double the
    time of a table of millions of rows."""
    table, columns, _ = _names(name)
    table = into or table
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, table, columns, entry_id, frame)
        return
    names = ["origin", "row_no", "valid_from", *columns]
    insert = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    for start in range(0, len(frame), _CHUNK):
        part = frame.iloc[start : start + _CHUNK]
        values = [[entry_id] * len(part), range(start, start + len(part)), [entry_id] * len(part)]
        values += [part[c].tolist() for c in part.columns]
        conn.exec_driver_sql(insert, list(zip(*values, strict=True)))


def _copy_rows(
    conn: sa.Connection, table: str, columns: list[str], entry_id: int, frame: pd.DataFrame
) -> None:
    """PostgreSQL's COPY, as CSV with every field quoted: "" is an empty text, never NULL."""
    listed = ", ".join(columns)
    sql = f"COPY {table} (origin, row_no, valid_from, {listed}) FROM STDIN (FORMAT csv)"
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(sql) as copy:
            for start in range(0, len(frame), _CHUNK):
                part = frame.iloc[start : start + _CHUNK]
                out = pd.DataFrame(
                    {"origin": entry_id, "row_no": range(start, start + len(part)),
                     "valid_from": entry_id, **dict(zip(columns, (part[h] for h in part), strict=True))}
                )  # fmt: skip
                copy.write(out.to_csv(header=False, index=False, quoting=csv.QUOTE_ALL))
    finally:
        cursor.close()


def _read_rows(conn: sa.Connection, name: str, entry_id: int) -> pd.DataFrame:
    """One table's data as of entry `entry_id`, in order, as text columns with the headers.

    PostgreSQL sends them by COPY; from SQLite they are fetched through the driver's cursor in
    chunks: building SQLAlchemy Row objects, as pandas.read_sql does, takes about three times
    as long for millions of rows."""
    table, columns, _ = _names(name)
    headers = list(S.COLUMNS[name])
    sql = (
        f"SELECT {', '.join(columns)} FROM {table} "
        f"WHERE valid_from <= {int(entry_id)} AND (valid_to IS NULL OR valid_to > {int(entry_id)}) "
        "ORDER BY origin, row_no"
    )
    if conn.dialect.name == "postgresql":
        return _copy_out(conn, sql, headers)
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


_ORDER = ["origin", "row_no"]


def _select_rows(conn: sa.Connection, name: str, where: str, params: dict) -> pd.DataFrame:
    """The versions of table `name` that `where` selects (with bound `params`): few rows, found
    by an index, as text columns with the headers (as _read_rows gives them) and their
    `origin` and `row_no`, unordered."""
    table, columns, _ = _names(name)
    headers = list(S.COLUMNS[name])
    found = conn.execute(
        sa.text(f"SELECT origin, row_no, {', '.join(columns)} FROM {table} WHERE {where}"), params
    ).all()
    text = pd.DataFrame([tuple(r[2:]) for r in found], columns=headers, dtype="str")
    if not found:
        text = pd.DataFrame({h: pd.Series(dtype="str") for h in headers})
    order = pd.DataFrame([tuple(r[:2]) for r in found], columns=_ORDER, dtype="int64")
    return pd.concat([order, text], axis=1)


def _rows_by_first_key(conn: sa.Connection, name: str, values: list[str]) -> pd.DataFrame:
    """The current rows of table `name` whose first key column holds one of `values` (found by
    the partial index on the current rows' keys), in the data's order, with `origin` and
    `row_no`."""
    column = S.STORE_COLUMNS[S.KEYS[name][0]]
    listed = sorted(set(values))
    parts = []
    for start in range(0, len(listed), _IN_CHUNK):
        part = listed[start : start + _IN_CHUNK]
        marks = ", ".join(f":v{i}" for i in range(len(part)))
        where = f"valid_to IS NULL AND {column} IN ({marks})"
        parts.append(_select_rows(conn, name, where, {f"v{i}": v for i, v in enumerate(part)}))
    if not parts:
        return _select_rows(conn, name, "1 = 0", {})
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return frame.sort_values(_ORDER, kind="stable").reset_index(drop=True)


def _copy_out(conn: sa.Connection, sql: str, headers: list[str]) -> pd.DataFrame:
    buffer = io.BytesIO()
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
    finally:
        cursor.close()
    buffer.seek(0)
    if not buffer.getbuffer().nbytes:
        return pd.DataFrame({h: pd.Series(dtype="str") for h in headers})
    return pd.read_csv(
        buffer,
        header=None,
        names=headers,
        dtype="str",
        keep_default_na=False,
        na_filter=False,
    )
