"""Where the data in use comes from: the store once something was imported, the demo before.

Pages and the CLI both go through here, so both always show the same data and say which.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import sqlalchemy as sa

from core import ROOT
from core.base import schema as S
from core.base.geo import parse_boundaries
from core.base.memo import Memo
from core.base.periods import Period
from core.store import categories as office_categories
from core.store import migrations
from core.store.month_plans import PLANNED
from core.store.portfolio import (
    DEMO_DIR,
    DEMO_SOURCE,
    Portfolio,
    empty_table,
    folder_version,
    from_tables,
    read_csv,
    with_all_columns,
)
from core.store.tables import MONTH_PLANS
from core.store.versions import EXEMPTION, SUPERVISION, Batch, Store, version_of

# Typed tables of an imported data set, as Parquet: opening the app on 100,000 projects reads
# these in under a second instead of re-reading and re-typing the database's text rows.
SNAPSHOTS_SETTING = "BRIEFING_CACHE_DIR"
DEFAULT_SNAPSHOTS = ROOT / "data" / "cache"
KEEP_SNAPSHOTS = 3
# A temporary snapshot folder older than this was left by a process killed while writing: a
# snapshot of 100,000 projects is written in a few seconds, so ten minutes is never one in use.
STALE_TEMPORARY_S = 600
TEMPORARY_PREFIX = ".tmp-"
_FRAMES = ("projects", "plans", "monthly", "funding", "problems", "indicators", "milestones",
           "exemptions")  # fmt: skip
_MATRICES = ("ytd", "plan_by_year")  # cached properties of Portfolio, saved with the tables


# A Portfolio's version for store data is this and the store's version (Store.version()).
STORE_PREFIX = "store-"


def store_version(portfolio_version: str) -> str | None:
    """The Store.version() that a Portfolio of store data was read at — what an edit drawn from
    it hands to core.ingest.edits; None for the demo or a data folder."""
    if portfolio_version.startswith(STORE_PREFIX):
        return portfolio_version.removeprefix(STORE_PREFIX)
    return None


@dataclass(frozen=True)
class Current:
    """The text tables in use, with where they came from."""

    tables: dict[str, pd.DataFrame]
    boundaries: dict
    source: str  # 示例数据… / 第3批导入数据(2026-03-05 10:12 …)
    version: str
    batch: Batch | None  # None for the demo

    @property
    def is_demo(self) -> bool:
        return self.batch is None


def folder_tables(folder: Path) -> tuple[dict[str, pd.DataFrame], dict]:
    tables = {
        t: with_all_columns(read_csv(Path(folder) / f"{t}.csv"), t)
        if (Path(folder) / f"{t}.csv").exists() or t not in S.OPTIONAL_TABLES
        else empty_table(t)
        for t in S.TABLES
    }
    boundaries = json.loads((Path(folder) / S.BOUNDARIES_FILE).read_text(encoding="utf-8"))
    return tables, boundaries


def batch_label(batch: Batch) -> str:
    when = batch.created_at.strftime("%Y-%m-%d %H:%M")
    note = f",备注:{batch.note}" if batch.note else ""
    return f"第{batch.id}批数据({batch.kind}于{when}{note})"


def current(store: Store) -> Current:
    batch = store.current()
    if batch is None:
        tables, boundaries = folder_tables(DEMO_DIR)
        return Current(tables, boundaries, DEMO_SOURCE, "demo-" + folder_version(DEMO_DIR), None)
    tables, boundaries = store.current_tables()
    return Current(tables, boundaries, batch_label(batch), STORE_PREFIX + store.version(), batch)


def portfolio(data: Current) -> Portfolio:
    return from_tables(
        data.tables,
        parse_boundaries(data.boundaries, source=S.BOUNDARIES_FILE, allow_empty=True),
        source=data.source,
        version=data.version,
        is_demo=data.is_demo,
    )


def snapshots() -> Path:
    return Path(os.environ.get(SNAPSHOTS_SETTING) or DEFAULT_SNAPSHOTS)


def _snapshot_dir(store: Store, batch: Batch) -> Path:
    """One snapshot per imported data set: a roll-back to it finds the import's snapshot. The
    schema's revision is part of the key: a new column makes new snapshots."""
    origin = next(b for b in store.history() if b.id == batch.data_batch)
    key = f"{store.url}|{origin.id}|{origin.created_at.isoformat()}|{migrations.head()}"
    return snapshots() / hashlib.sha256(key.encode()).hexdigest()[:20]


def change_notice(seen_version: str, batch: Batch | None) -> str | None:
    """What to tell a viewer whose page showed the data of `seen_version` (a Portfolio's
    version) when the store's current entry is `batch`; None when nothing changed."""
    if batch is None:
        if seen_version.startswith(STORE_PREFIX):
            return "导入的数据已不再使用,各页面现显示示例数据。"
        return None
    if seen_version == STORE_PREFIX + version_of(batch):
        return None
    # What history calls the entry (导入, 回滚, 调出), in words for a page edit's kinds.
    what = {SUPERVISION: "修改督办信息", EXEMPTION: "红黑榜豁免"}.get(batch.kind, batch.kind)
    when = f"{batch.created_at.month}月{batch.created_at.day}日{batch.created_at:%H:%M}"
    return f"数据已于{when}更新为第{batch.id}批({what}),本页已按新数据显示。"


def load(store: Store) -> Portfolio:
    """The Portfolio in use: the demo before any import, else the store's current data, read
    from its snapshot when there is one (and written there when there is not)."""
    office_categories.in_force(store.engine)  # the office's lists as its database has them
    batch = store.current()
    if batch is None:
        return portfolio(current(store))
    clean_temporary()
    folder = _snapshot_dir(store, batch)
    plans = month_plans_in_force(store)
    if (folder / "done").exists():
        try:
            p = _read_snapshot(folder, batch)
            with contextlib.suppress(OSError):  # in use: the newest, so pruning keeps it
                os.utime(folder)
            return with_month_plans(p, plans)
        except Exception:  # any damage: the store still has the data
            shutil.rmtree(folder, ignore_errors=True)  # rebuilt below
    data = current(store)
    p = portfolio(data)
    _write_snapshot(folder, p, data.boundaries)
    return with_month_plans(p, plans)


def with_month_plans(p: Portfolio, plans: pd.DataFrame) -> Portfolio:
    """`p`, just loaded and not yet shared, with its monthly plans (None when there are none).
    Set in place: dataclasses.replace would read every table of a snapshot's data set."""
    object.__setattr__(p, "month_plans", plans if len(plans) else None)
    return p


def entries_in_force(history: list[Batch]) -> set[int]:
    """The entries whose writes the current data hold: each entry adds itself to the ones
    before it, and a roll-back to entry K undoes every entry after K (its set is K's)."""
    held: dict[int, frozenset[int]] = {}
    now: frozenset[int] = frozenset()
    for entry in sorted(history, key=lambda b: b.id):
        if entry.restored_from is not None:
            now = held.get(entry.restored_from, frozenset())
        else:
            now = now | {entry.id}
        held[entry.id] = now
    return set(now)


def month_plans_in_force(store: Store) -> pd.DataFrame:
    """The stored monthly plans (core.store.month_plans.COLUMNS) of the current data: those of
    the imports the current data hold (entries_in_force) and those saved outside an import.

    Plans are kept as the table stands, not versioned with the data: a roll-back takes the
    rolled-back imports' plans out of force, but a plan those imports replaced (a project's
    year restated) was replaced in the table and does not come back; the project then takes
    [schedule] plan_fallback until a ledger states its plan again."""
    t = MONTH_PLANS
    with store.engine.connect() as conn:
        found = conn.execute(
            sa.select(t.c.code, t.c.month, t.c.planned, t.c.batch_id).order_by(t.c.code, t.c.month)
        ).all()
    history = store.history() if found else []
    if found:  # no entry: the demo is in use, whatever the table holds
        held = entries_in_force(history)
        found = [r for r in found if history and (r[3] is None or r[3] in held)]
    return pd.DataFrame(
        {
            S.CODE: pd.Series([r[0] for r in found], dtype=object),
            S.MONTH: pd.Series([r[1] for r in found], dtype=object),
            PLANNED: pd.Series([float(r[2]) for r in found], dtype=float),
        }
    )


class _SnapshotPortfolio(Portfolio):
    """A Portfolio read from a snapshot lazily: the project list and the boundaries at once
    (every page's filters and masks need them), each other table and the year-to-date and plan
    matrices from their Parquet files when first used. A page that needs neither the million
    monthly returns nor the matrices (经济指标, 简报's text, 数据管理) does not read them; the
    reporting months the sidebar offers were saved beside the tables."""

    def __getattr__(self, name: str):
        # Only called for what is not yet in the instance: the tables not read so far.
        if name not in _LAZY_FRAMES or "_files" not in self.__dict__:
            raise AttributeError(name)
        return self._read(name)

    def _read(self, name: str) -> pd.DataFrame:
        with self.__dict__["_read_lock"]:
            if name not in self.__dict__:
                handle = self.__dict__["_files"].pop(name)
                with handle:
                    frame = pd.read_parquet(handle)
                if name == "plan_by_year":
                    frame.columns = frame.columns.astype(int)
                self.__dict__[name] = frame
        return self.__dict__[name]

    @cached_property
    def ytd(self) -> pd.DataFrame:
        return self._read("ytd")

    @cached_property
    def plan_by_year(self) -> pd.DataFrame:
        return self._read("plan_by_year")


_LAZY_FRAMES = tuple(name for name in _FRAMES if name != "projects")
_META = "meta.json"  # the reporting months: the sidebar's choices, without the returns


def _read_snapshot(folder: Path, batch: Batch) -> Portfolio:
    meta = json.loads((folder / _META).read_text(encoding="utf-8"))
    boundaries = json.loads((folder / S.BOUNDARIES_FILE).read_text(encoding="utf-8"))
    p = object.__new__(_SnapshotPortfolio)  # its tables are filled in as they are used
    p.__dict__.update(
        projects=pd.read_parquet(folder / "projects.parquet"),
        boundaries=parse_boundaries(boundaries, source=S.BOUNDARIES_FILE, allow_empty=True),
        source=batch_label(batch),
        version=STORE_PREFIX + version_of(batch),
        is_demo=False,
        _memo=Memo(),
        _read_lock=threading.Lock(),
        # What cached_property would have stored: computed from the returns when written.
        _periods=tuple(Period.parse(k) for k in meta["periods"]),
        latest_period=Period.parse(meta["latest_period"]),
    )
    # The files are opened now and read when used: an open file stays readable on Linux even
    # if another process prunes or rebuilds the snapshot meanwhile. Each one's footer is read
    # now, so a damaged snapshot is found here (and rebuilt by load()), not by a page.
    files = {}
    for name in (*_LAZY_FRAMES, *_MATRICES):
        handle = (folder / f"{name}.parquet").open("rb")
        files[name] = handle
        pq.read_metadata(handle)
        handle.seek(0)
    p.__dict__["_files"] = files
    return p


def check_snapshot(store: Store) -> str | None:
    """Whether the current data's snapshot reads; an unreadable one is removed and rebuilt.
    Returns what was done, in words for the user, or None when all was well."""
    batch = store.current()
    if batch is None:
        return None
    folder = _snapshot_dir(store, batch)
    if (folder / "done").exists():
        try:
            p = _read_snapshot(folder, batch)
            for name in (*_LAZY_FRAMES, *_MATRICES):  # every table read, not only its footer
                getattr(p, name)
            return None
        except Exception:  # any damage is repaired the same way
            shutil.rmtree(folder, ignore_errors=True)
            load(store)
            return "快照文件已损坏,已从数据库重建。"
    load(store)
    return "已从数据库生成快照文件。"


def clean_temporary(older_than_s: float = STALE_TEMPORARY_S) -> list[Path]:
    """Remove the half-written snapshot folders that killed processes left; returns them."""
    folder = snapshots()
    if not folder.is_dir():
        return []
    limit = time.time() - older_than_s
    stale = [
        d
        for d in folder.iterdir()
        if d.name.startswith(TEMPORARY_PREFIX) and d.is_dir() and d.stat().st_mtime < limit
    ]
    for d in stale:
        shutil.rmtree(d, ignore_errors=True)
    return stale


def _write_snapshot(folder: Path, p: Portfolio, boundaries: dict) -> None:
    """Written to a temporary folder and renamed: a reader never sees half a snapshot."""
    tmp = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=TEMPORARY_PREFIX))
        for name in _FRAMES:
            getattr(p, name).to_parquet(tmp / f"{name}.parquet", index=False)
        for name in _MATRICES:
            matrix = getattr(p, name)
            text_columns = matrix.columns.astype(str)  # Parquet wants text column names
            matrix.set_axis(text_columns, axis=1).to_parquet(tmp / f"{name}.parquet")
        text = json.dumps(boundaries, ensure_ascii=False)
        (tmp / S.BOUNDARIES_FILE).write_text(text, encoding="utf-8")
        meta = {"periods": [x.key for x in p.periods()], "latest_period": p.latest_period.key}
        (tmp / _META).write_text(json.dumps(meta), encoding="utf-8")
        (tmp / "done").write_text(p.version, encoding="utf-8")
        tmp.rename(folder)  # another process may have won the race: then its copy stays
    except OSError:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)  # a read-only disk: the app works, slower
        return
    kept = sorted(
        ((t, d) for d in folder.parent.iterdir() if (t := _mtime(d)) and d.name[0] != "."),
        reverse=True,
    )
    for _, d in kept[KEEP_SNAPSHOTS:]:
        shutil.rmtree(d, ignore_errors=True)


def _mtime(folder: Path) -> float | None:
    """A snapshot folder's time; None if it is not one, or another process just removed it."""
    try:
        return folder.stat().st_mtime if folder.is_dir() else None
    except FileNotFoundError:
        return None
