"""What can go wrong with the store, and the ways back: a check, backups, restore, and setting a
damaged file aside.

The 数据管理 page calls `health` on every visit (cheap: it opens the store and reads the current
entry) and offers the fixes it names; `python -m core check-store` runs the thorough `check`
(SQLite's own integrity check, the current rows against the current entry, the snapshot), and
`backup` / `restore` are commands too.

A backup is always a SQLite file with the store's own tables, whatever the database: a copy of a
SQLite store made with SQLite's backup API (consistent while the app reads and writes), or the
rows of a PostgreSQL store. So a backup restores into either kind, and one made by an older
version of the program is migrated on the way in.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from core import ROOT
from core.base import schema as S
from core.policy import roles
from core.policy.roles import Actor
from core.store import audit, datasource
from core.store.versions import (
    AUDIT,
    CORRUPT,
    METADATA,
    USERS,
    Batch,
    Store,
    StoreError,
    database_url,
    read_only,
    sqlite_path,
    where,
)

BACKUPS_SETTING = "BRIEFING_BACKUP_DIR"
DEFAULT_BACKUPS = ROOT / "data" / "backups"
BACKUP_SUFFIX = ".sqlite"
_CHUNK = 50_000  # rows per fetch and insert when copying between databases


def backups_folder() -> Path:
    return Path(os.environ.get(BACKUPS_SETTING) or DEFAULT_BACKUPS)


@dataclass(frozen=True)
class Backup:
    path: Path
    made_at: datetime  # the file's time
    current: Batch | None  # the entry that was current in it; None if it cannot be read

    def label(self) -> str:
        made = f"{self.made_at:%Y-%m-%d %H:%M}的备份"
        if self.current is None:
            return f"{made}(无法读取)"
        b = self.current
        return f"{made}:当时为第{b.id}批({b.kind}于{b.created_at:%Y-%m-%d %H:%M})"


@dataclass(frozen=True)
class Health:
    """The store as the 数据管理 page sees it."""

    problem: StoreError | None  # None: the store opens and reads
    writable: bool  # False: imports and roll-backs would be refused (read-only)
    backups: list[Backup]
    url: str

    @property
    def usable(self) -> bool:
        """Whether the data can be shown (a read-only store can)."""
        return self.problem is None

    @property
    def can_set_aside(self) -> bool:
        """A damaged SQLite file can be moved aside so that the store begins afresh."""
        path = sqlite_path(self.url)
        return self.problem is not None and self.problem.kind == CORRUPT and bool(path)

    def message(self) -> str | None:
        if self.problem is not None:
            return self.problem.message
        return None if self.writable else read_only(self.url).message


def health(url: str | None = None) -> Health:
    url = database_url(url)
    found, writable = None, False
    try:
        store = Store(url)
        try:
            store.current()
            writable = store.writable()
        finally:
            store.close()
    except StoreError as exc:
        found = exc
    return Health(found, writable, list_backups(), url)


def readable_url(url: str) -> str:
    """The URL to open the store with. A SQLite file in a folder (or a file) this process may
    not write, e.g. a read-only mount, cannot be opened as usual (write-ahead logging needs its
    -wal and -shm files beside it): it is opened read-only and immutable, so that its data can
    be shown (every write is refused as 只读). Any other URL is returned as it is."""
    path = sqlite_path(url)
    if path is None or "mode=ro" in url or not path.is_file():
        return url
    if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK):
        return url
    return f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true"


def opened_read_only(url: str) -> bool:
    """The store is opened read-only by readable_url (the pages say changes cannot be saved)."""
    return "immutable=1" in url


def account_sources(url: str, backups: bool = True) -> list[str]:
    """Where the accounts may still be read when the store cannot be (core.access.users'
    recovery_sign_in): a damaged SQLite file read as it is, then (with `backups`) the backups,
    newest first. A backup keeps the passwords and accounts of its day — a password changed or
    an admin disabled since would still let one in — so the app offers backups' accounts only
    to a browser on the server itself."""
    found = []
    path = sqlite_path(url)
    if path is not None and path.is_file():
        found.append(f"sqlite:///file:{path}?mode=ro&uri=true")
    if backups:
        found += [f"sqlite:///file:{b.path}?mode=ro&uri=true" for b in list_backups()]
    return found


def list_backups(folder: Path | None = None) -> list[Backup]:
    """The backups in the folder, newest first."""
    folder = folder or backups_folder()
    if not folder.is_dir():
        return []
    out = []
    for path in folder.glob(f"*{BACKUP_SUFFIX}"):
        made = datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
        out.append(Backup(path, made, _current_in(path)))
    return sorted(out, key=lambda b: (b.made_at, b.path.name), reverse=True)


def _current_in(path: Path) -> Batch | None:
    """The current entry of a backup file, read without changing it."""
    try:
        store = Store(f"sqlite:///file:{path}?mode=ro&uri=true", migrate=False)
        try:
            return store.current()
        finally:
            store.close()
    except (StoreError, sa.exc.SQLAlchemyError):
        return None


# --- backup and restore --------------------------------------------------------------------


def backup(url: str | None = None, folder: Path | None = None, *, actor: Actor) -> Path:
    """Write a backup of the store to the backups folder; returns the file. A backup holds the
    accounts (password hashes, never passwords) and the audit trail too: keep it private."""
    roles.require(actor, roles.BACKUP)
    url = database_url(url)
    folder = folder or backups_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"briefing-{stamp}{BACKUP_SUFFIX}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"briefing-{stamp}-{n}{BACKUP_SUFFIX}"
    tmp = folder / f".{target.name}.tmp"
    try:
        source = sqlite_path(url)
        if source is not None:
            Store(url).close()  # migrated: a backup is always of the current schema
            _sqlite_copy(source, tmp)
        else:
            _copy_store(Store(url), Store(f"sqlite:///{tmp}"))
        tmp.rename(target)
    finally:
        for leftover in (tmp, *_companions(tmp)):
            leftover.unlink(missing_ok=True)
    store = Store(url)
    try:
        audit.record(store, actor, audit.BACKUP, target.name)
    finally:
        store.close()
    return target


def restore(path: Path, url: str | None = None, *, actor: Actor) -> Batch | None:
    """Make the store's data that of the backup `path`, whole; returns its current entry.

    The accounts and the audit trail stay those of the database restored into, with the
    restore recorded: an old backup cannot bring back a disabled account or erase the trail.
    A store without accounts (damaged and set aside, or begun afresh) takes the backup's, and
    the backup's trail with its own entries after it. The
    backup itself is never changed: an older one is migrated in a temporary copy."""
    roles.require(actor, roles.RESTORE)
    url = database_url(url)
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"找不到备份文件“{path.name}”")
    kept = _access_rows(url)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "backup.sqlite"
        try:
            _sqlite_copy(path, copy)
            source = Store(f"sqlite:///{copy}")
            entry = source.current()
        except (StoreError, sqlite3.DatabaseError) as exc:
            raise ValueError(f"备份文件“{path.name}”已损坏或不是本程序的备份,无法恢复") from exc
        target = sqlite_path(url)
        if target is not None:
            source.close()
            try:
                Store(url).close()
            except StoreError as exc:
                if exc.kind != CORRUPT:
                    raise
                set_aside(url, actor=actor)
            _sqlite_copy(copy, target)
        else:
            _copy_store(source, Store(url), replace=True)
            source.close()
    store = Store(url)
    try:
        with store._write() as conn:
            if kept is not None and kept[USERS.name]:
                for table in (USERS, AUDIT):
                    conn.execute(table.delete())
                    if kept[table.name]:
                        conn.execute(table.insert(), kept[table.name])
                _renumber_trail(conn)
            elif kept is not None:  # a store begun afresh: the backup's accounts, both trails
                _renumber_trail(conn)
                for row in kept[AUDIT.name]:
                    conn.execute(AUDIT.insert().values({k: v for k, v in row.items() if k != "id"}))
            made = f"{entry.created_at:%Y-%m-%d %H:%M}" if entry else ""
            audit.record(conn, actor, audit.RESTORE, path.name,
                         f"备份中当时为第{entry.id}批({made})" if entry else "备份中没有导入的数据")  # fmt: skip
    finally:
        store.close()
    return entry


def _access_rows(url: str) -> dict[str, list[dict]] | None:
    """The accounts and the trail of the store at `url`; None when it cannot be read."""
    try:
        store = Store(url)
    except StoreError:
        return None
    try:
        with store.engine.connect() as conn:
            return {
                t.name: [r._asdict() for r in conn.execute(sa.select(t))] for t in (USERS, AUDIT)
            }
    except sa.exc.SQLAlchemyError:
        return None
    finally:
        store.close()


def _renumber_trail(conn: sa.Connection) -> None:
    """PostgreSQL's sequence of the trail's ids after rows were written with their own ids."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(
            "SELECT setval(pg_get_serial_sequence('audit_trail', 'id'), "
            "COALESCE((SELECT max(id) FROM audit_trail), 0) + 1, false)"))  # fmt: skip


def set_aside(url: str | None = None, *, actor: Actor) -> Path:
    """Move a SQLite store's file (and its journal) aside, so that the store begins afresh;
    returns where the file went. The app shows the demo until the next import or restore."""
    roles.require(actor, roles.RESTORE)
    url = database_url(url)
    path = sqlite_path(url)
    if path is None:
        raise ValueError("只有SQLite数据库文件可以另存;服务器数据库请由管理员处理")
    aside = path.with_name(f"{path.name}.damaged-{datetime.now():%Y%m%d-%H%M%S}")
    for part, moved in zip((path, *_companions(path)), (aside, *_companions(aside)), strict=True):
        if part.exists():
            part.rename(moved)
    fresh = Store(url)
    try:
        audit.record(fresh, actor, audit.SET_ASIDE, aside.name)
    finally:
        fresh.close()
    return aside


def _companions(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's backup API: a consistent copy, page by page, while others read and write."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _copy_store(source: Store, target: Store, *, replace: bool = False) -> None:
    """Copy every table of the store from one database to another (both at the newest schema),
    in one transaction on each side; `replace` empties the target's tables first."""
    tables = [t for t in METADATA.sorted_tables if t.name != "store_lock"]
    reader = source._engine.connect()
    if reader.dialect.name == "postgresql":  # one snapshot of every table
        reader = reader.execution_options(isolation_level="REPEATABLE READ")
    with reader, target._write() as writer:
        for table in tables:
            if replace:
                writer.execute(table.delete())
            result = reader.execution_options(yield_per=_CHUNK).execute(sa.select(table))
            for rows in result.partitions():
                writer.execute(table.insert(), [row._asdict() for row in rows])
    source.close()
    target.close()


# --- the thorough check --------------------------------------------------------------------


def check(url: str | None = None) -> tuple[bool, list[str]]:
    """Everything `python -m core check-store` says: (all well, lines in Chinese)."""
    url = database_url(url)
    lines = [f"数据库:{where(url)}"]
    try:
        store = Store(url)
    except StoreError as exc:
        return False, [*lines, f"✗ {exc.message}", *_backup_lines()]
    ok = True
    try:
        batch = store.current()
        lines.append("✓ 数据库可以打开,结构为最新版本。")
        if not store.writable():
            ok = False
            lines.append("✗ " + read_only(url).message)
        path = sqlite_path(url)
        if path is not None:
            with store._engine.connect() as conn:
                verdict = conn.exec_driver_sql("PRAGMA quick_check").scalar()
            if verdict != "ok":
                ok = False
                lines.append("✗ 数据库文件的完整性检查未通过:部分数据已损坏,请从备份恢复。")
            else:
                lines.append("✓ 数据库文件完整性检查通过。")
        if batch is None:
            lines.append("尚未导入数据,各页面显示示例数据。")
        else:
            tables, _ = store.current_tables()
            counts = {t: len(tables[t]) for t in S.TABLES}
            if counts != batch.row_counts:
                ok = False
                lines.append(
                    f"✗ 当前数据的行数与第{batch.id}批的记录不一致,请从备份恢复或回滚到上一批。"
                )
            else:
                rows = "、".join(f"{t}{n}行" for t, n in counts.items())
                lines.append(f"✓ 当前为{datasource.batch_label(batch)}:{rows}。")
            done = datasource.check_snapshot(store)
            # check_snapshot writes through load(), which goes on without a snapshot when the
            # disk refuses it (read-only, full): said only when the snapshot is there.
            written = (datasource._snapshot_dir(store, batch) / "done").exists()
            if not written:
                ok = False
                lines.append(
                    f"✗ 快照文件未能写入快照文件夹“{datasource.snapshots().name}”(文件夹不可写或"
                    "磁盘已满):各页面仍可从数据库读取数据,但打开较慢;请检查该文件夹的写权限和"
                    "磁盘空间。"
                )
            else:
                lines.append(f"✓ {done}" if done else "✓ 快照文件可以读取。")
        cleaned = datasource.clean_temporary()
        if cleaned:
            lines.append(f"✓ 已清理{len(cleaned)}个写入中断的临时快照文件夹。")
    except StoreError as exc:
        ok = False
        lines.append(f"✗ {exc.message}")
    finally:
        store.close()
    return ok, [*lines, *_backup_lines()]


def _backup_lines() -> list[str]:
    found = list_backups()
    if not found:
        return [f"备份:{backups_folder()}中还没有备份(python -m core backup 可以备份)。"]
    return [f"备份:{backups_folder()}中有{len(found)}份,最新为{found[0].label()}。"]
