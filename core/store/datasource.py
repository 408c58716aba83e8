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
from collections.abc import Callable
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


# What the check of a return needs of the whole store, kept with each snapshot so that it reads
# only the rows of the projects the return names (core.ingest.importing.check): the project
# list as stored (text), and per project code the figures of its returns (returns_by_project).
PROJECT_TEXT_FILE = "projects_text.parquet"
RETURNS_FILE = "returns_by_project.parquet"
COMPLETED, RETURNS, FIRST, LAST = "completed", "returns", "first", "last"


def completed_by_project(monthly: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per project code of 月度进度 rows as stored (text): the sum of 本月完成投资 as stated, as
    numbers, and how many rows (what the import's check compares with 总投资)."""
    amounts = pd.to_numeric(monthly[S.MONTH_COMPLETED], errors="coerce")
    return amounts.groupby(monthly[S.CODE]).sum(), amounts.groupby(monthly[S.CODE]).size()


def returns_by_project(monthly: pd.DataFrame) -> pd.DataFrame:
    """Per project code of 月度进度 rows as stored (text), by code: completed_by_project, and
    the first and the last month."""
    done, rows = completed_by_project(monthly)
    months = monthly[S.MONTH].groupby(monthly[S.CODE])
    return pd.DataFrame({COMPLETED: done, RETURNS: rows, FIRST: months.min(), LAST: months.max()})


@dataclass(frozen=True)
class StoreFigures:
    """What the check of a return needs of the whole store, as of one entry."""

    projects: pd.DataFrame  # 项目清单 as stored: text, in order
    returns: pd.DataFrame  # returns_by_project of every stored return
    rows: dict[str, int]  # each table's rows


def figures_for_check(store: Store, batch: Batch) -> StoreFigures | None:
    """StoreFigures of entry `batch`, from its snapshot; None without one (the check then reads
    the whole store)."""
    try:
        folder = _snapshot_dir(store, batch)
        if not (folder / "done").exists():
            return None
        return StoreFigures(
            pd.read_parquet(folder / PROJECT_TEXT_FILE),
            pd.read_parquet(folder / RETURNS_FILE),
            {t: _rows(folder, _ATTRIBUTE[t]) for t in S.TABLES},
        )
    except Exception:  # an older snapshot without them, or a damaged one: the store has all
        return None


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


def _snapshot_dir(store: Store, batch: Batch, history: list[Batch] | None = None) -> Path:
    """One snapshot per imported data set: a roll-back to it finds the import's snapshot. The
    schema's revision is part of the key: a new column makes new snapshots."""
    origin = next(b for b in history or store.history() if b.id == batch.data_batch)
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
    if _derive_snapshot(store, batch, folder):  # from the entry before's, by what changed
        with contextlib.suppress(Exception):  # any surprise: rebuilt from the store below
            return with_month_plans(_read_snapshot(folder, batch), plans)
        shutil.rmtree(folder, ignore_errors=True)
    data = current(store)
    p = portfolio(data)
    _write_snapshot(folder, p, data.boundaries, data.tables)
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
        if "_files" not in self.__dict__:  # a copy (with_tables): computed from its own tables
            return Portfolio.ytd.func(self)
        return self._read("ytd")

    @cached_property
    def plan_by_year(self) -> pd.DataFrame:
        if "_files" not in self.__dict__:
            return Portfolio.plan_by_year.func(self)
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


def _write_snapshot(
    folder: Path, p: Portfolio, boundaries: dict, text: dict[str, pd.DataFrame]
) -> None:
    """The snapshot of a data set read from the store: `p`, and `text` its tables as stored."""

    def write(tmp: Path) -> None:
        for name in _FRAMES:
            _write_frame(tmp, name, getattr(p, name))
        for name in _MATRICES:
            _write_matrix(tmp, name, getattr(p, name))
        text[S.PROJECTS].to_parquet(tmp / PROJECT_TEXT_FILE, index=False)
        returns_by_project(text[S.MONTHLY]).to_parquet(tmp / RETURNS_FILE)
        _write_rest(tmp, boundaries, p, p.version)

    _write_folder(folder, write)


def _write_frame(tmp: Path, name: str, frame: pd.DataFrame) -> None:
    frame.to_parquet(tmp / f"{name}.parquet", index=False)


def _write_matrix(tmp: Path, name: str, matrix: pd.DataFrame) -> None:
    text_columns = matrix.columns.astype(str)  # Parquet wants text column names
    matrix.set_axis(text_columns, axis=1).to_parquet(tmp / f"{name}.parquet")


def _write_rest(tmp: Path, boundaries: dict, p: Portfolio, version: str) -> None:
    """The boundaries, the reporting months (of `p`'s returns and plans) and the mark that the
    snapshot is whole."""
    text = json.dumps(boundaries, ensure_ascii=False)
    (tmp / S.BOUNDARIES_FILE).write_text(text, encoding="utf-8")
    meta = {"periods": [x.key for x in p.periods()], "latest_period": p.latest_period.key}
    (tmp / _META).write_text(json.dumps(meta), encoding="utf-8")
    (tmp / "done").write_text(version, encoding="utf-8")


def _write_folder(folder: Path, write: Callable[[Path], None]) -> bool:
    """Written to a temporary folder and renamed: a reader never sees half a snapshot. Returns
    whether the folder is there (written now, or by another process that won the race)."""
    tmp = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=TEMPORARY_PREFIX))
        write(tmp)
        tmp.rename(folder)  # another process may have won the race: then its copy stays
    except OSError:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)  # a read-only disk: the app works, slower
        return (folder / "done").exists()
    kept = sorted(
        ((t, d) for d in folder.parent.iterdir() if (t := _mtime(d)) and d.name[0] != "."),
        reverse=True,
    )
    for _, d in kept[KEEP_SNAPSHOTS:]:
        shutil.rmtree(d, ignore_errors=True)
    return True


# --- a snapshot from the one before -----------------------------------------------------------
#
# An import, a withdrawal or a page's edit (Store.import_batch) changes the data by key: the
# versions it closes leave, and the versions it writes (their origin is the entry itself) come
# after every other row. So each table of entry N is the table of entry N-1 without the closed
# rows, then the written ones in the order written — the order Store.tables_as_of reads. Every
# column is typed row by row (core.store.portfolio.from_tables), except the own amounts of
# 月度进度, which are derived from the rows of one project and year (core.store.returns): those
# are typed again from the store for the projects the entry touched, and so are their figures
# for the check (RETURNS_FILE). A table the entry did not change is the same file. Whatever does
# not add up (a count, a key) falls back to the whole rebuild;
# tests/core/store/test_snapshot_update.py compares the two.

_ATTRIBUTE = dict(zip(S.TABLES, _FRAMES, strict=True))
_NO_BOUNDARIES = {"type": "FeatureCollection", "features": []}
_ORDER = ["origin", "row_no"]


# An entry that wrote and closed more rows than this (a city's monthly ledger) is rebuilt whole.
DERIVE_ROWS = 50_000


class _Unsound(Exception):
    """The snapshot cannot be derived from the one before: it is rebuilt from the store."""


def _derive_snapshot(store: Store, batch: Batch, folder: Path) -> bool:
    """Write entry `batch`'s snapshot from the snapshot of the entry before it and what `batch`
    changed; False (nothing written) when there is none to start from or it does not add up."""
    if batch.restored_from is not None or batch.data_batch != batch.id or batch.id <= 1:
        return False  # a roll-back re-opens rows in their old places: rebuilt
    if sum(sum(n) for n in batch.changes.values()) > DERIVE_ROWS:
        return False  # most of the data changed: the whole rebuild is as quick
    history = store.history()
    before = next((b for b in history if b.id == batch.id - 1), None)
    if before is None:
        return False
    old_folder = _snapshot_dir(store, before, history)
    if not all((old_folder / f).exists() for f in ("done", PROJECT_TEXT_FILE, RETURNS_FILE)):
        return False
    try:
        old = _read_snapshot(old_folder, before)
    except Exception:  # any damage: rebuilt from the store
        return False
    try:
        return _derive(store, batch, folder, old, old_folder)
    except (_Unsound, OSError, ValueError, KeyError):
        return False
    finally:
        for handle in old.__dict__["_files"].values():  # the tables not read
            handle.close()


def _derive(store: Store, batch: Batch, folder: Path, old: Portfolio, old_folder: Path) -> bool:
    names = tuple(t for t in S.TABLES if any(batch.changes.get(t, (0, 0))))
    changes = store.entry_rows(batch.id, names)
    tables = {name: _changed_table(batch, name, getattr(old, _ATTRIBUTE[name]), *changes[name])
              for name in names}  # fmt: skip
    text_projects = returns = codes = None
    if S.PROJECTS in tables:  # the text of the project list: row by row, as the table
        before = pd.read_parquet(old_folder / PROJECT_TEXT_FILE)
        text_projects = _changed_table(batch, S.PROJECTS, before, *changes[S.PROJECTS], typed=False)
    if S.MONTHLY in tables:
        written, closed = changes[S.MONTHLY]
        codes = sorted(set(written[S.CODE]) | set(closed[S.CODE]))
        tables[S.MONTHLY], text = _own_amounts_again(store, batch, tables[S.MONTHLY], codes)
        before = pd.read_parquet(old_folder / RETURNS_FILE)
        figures = returns_by_project(text)
        returns = pd.concat([before.loc[~before.index.isin(codes)], figures]).sort_index()
    found = store.rows_in_part(batch.id, (), {})  # still the current entry: its boundaries
    if found is None:
        return False
    boundaries = found[1]
    version = STORE_PREFIX + version_of(batch)

    def write(tmp: Path) -> None:
        for name in S.TABLES:
            if name in tables:
                _write_frame(tmp, _ATTRIBUTE[name], tables[name])
            else:
                _same_file(old_folder, tmp, f"{_ATTRIBUTE[name]}.parquet")
        if text_projects is None:
            _same_file(old_folder, tmp, PROJECT_TEXT_FILE)
        else:
            text_projects.to_parquet(tmp / PROJECT_TEXT_FILE, index=False)
        if returns is None:
            _same_file(old_folder, tmp, RETURNS_FILE)
        else:
            returns.to_parquet(tmp / RETURNS_FILE)
        if S.PLANS in tables:
            _write_matrix(tmp, "plan_by_year", _calculator(tables, old).plan_by_year)
        else:
            _same_file(old_folder, tmp, "plan_by_year.parquet")
        rows = len(tables[S.MONTHLY]) if S.MONTHLY in tables else _rows(old_folder, "monthly")
        if S.MONTHLY not in tables and rows:
            # The same returns: the same year-to-date figures and reporting months.
            _same_file(old_folder, tmp, "ytd.parquet")
            _write_rest(tmp, boundaries, old, version)
        else:  # (without returns, the months and figures follow the plans and the projects)
            calculator = _calculator(tables, old)
            _write_matrix(tmp, "ytd", _ytd(calculator, old, codes))
            _write_rest(tmp, boundaries, calculator, version)

    return _write_folder(folder, write)


def _changed_table(
    batch: Batch,
    name: str,
    before: pd.DataFrame,
    written: pd.DataFrame,
    closed: pd.DataFrame,
    typed: bool = True,
) -> pd.DataFrame:
    """Table `name` of entry `batch`: `before` (the entry before's, typed or text) without the
    rows `batch` closed, then the rows it wrote."""
    if (len(written), len(closed)) != tuple(batch.changes[name]):
        raise _Unsound(name)  # the entry wrote rows of other origins: not an import's
    key = list(S.KEYS[name])
    kept = before
    if len(closed):
        gone = _typed(name, closed) if typed else closed
        leaving = pd.MultiIndex.from_frame(before[key]).isin(pd.MultiIndex.from_frame(gone[key]))
        if leaving.sum() != len(closed):  # every closed row, and nothing else, by its key
            raise _Unsound(name)
        kept = before.loc[~leaving]
    if len(written):
        added = _typed(name, written) if typed else written.drop(columns=_ORDER)
        kept = pd.concat([kept, added], ignore_index=True)
    table = kept
    if len(table) != batch.row_counts.get(name):
        raise _Unsound(name)
    return table.reset_index(drop=True)


def _own_amounts_again(
    store: Store, batch: Batch, table: pd.DataFrame, codes: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """月度进度 with the own amounts of the projects `codes` derived again from all their rows
    (core.store.returns reads a project's year as a whole): the other projects' rows and
    amounts are as they were. Also returns those projects' rows as text."""
    found = store.rows_in_part(batch.id, (), {S.MONTHLY: codes})
    if found is None:
        raise _Unsound("moved")  # another entry since: rebuilt
    text = found[0][S.MONTHLY]
    fresh = _typed(S.MONTHLY, text)
    mine = table[S.CODE].isin(set(fresh[S.CODE])).to_numpy()
    key = [S.CODE, S.MONTH]
    if (
        mine.sum() != len(fresh)
        or not (table.loc[mine, key].to_numpy() == fresh[key].to_numpy()).all()
    ):
        raise _Unsound(S.MONTHLY)
    for column in (S.MONTH_COMPLETED, S.COVERS_FROM):  # the others are typed row by row
        # (pandas copies on write: the snapshot before's frame is not changed)
        table.loc[mine, column] = fresh[column].to_numpy()
    return table, text


def _ytd(calculator: Portfolio, old: Portfolio, codes: list[str] | None) -> pd.DataFrame:
    """Portfolio.ytd of the new returns: each project's row is computed from its own returns
    over the months from the first return to the latest, so while those months are the same
    only the rows of the projects `codes` (whose returns changed) are computed again."""
    monthly = calculator.monthly
    if codes is None or monthly.empty:
        return calculator.ytd
    before = old.ytd
    first, last = Period.parse(monthly[S.MONTH].min()), Period.parse(monthly[S.MONTH].max())
    if [first.key, last.key] != [before.columns[0], before.columns[-1]]:
        return calculator.ytd  # more months: every row has them
    mine = monthly.loc[monthly[S.CODE].isin(set(codes))]
    # As Portfolio.ytd, for these rows, over the same months.
    wide = mine.pivot_table(index=S.CODE, columns=S.MONTH, values=S.MONTH_COMPLETED,
                            aggfunc="sum", fill_value=0.0)  # fmt: skip
    months = list(before.columns)
    wide = wide.reindex(columns=months, fill_value=0.0).astype(float)
    rows = wide.T.groupby([k[:4] for k in months], sort=False).cumsum().T
    kept = before.loc[~before.index.isin(set(codes))]
    return pd.concat([kept, rows]).sort_index() if len(rows) else kept


def _typed(name: str, text: pd.DataFrame) -> pd.DataFrame:
    """Text rows of one table typed as core.store.portfolio.from_tables types a data set."""
    tables = {t: empty_table(t) for t in S.TABLES}
    tables[name] = text.drop(columns=_ORDER, errors="ignore")
    p = from_tables(tables, _EMPTY, source="", version="")
    return getattr(p, _ATTRIBUTE[name])


_EMPTY = parse_boundaries(_NO_BOUNDARIES, allow_empty=True)


class _Calculator(Portfolio):
    """The new project list, plans and returns (the changed ones given, the others read from
    the snapshot before when first used), for what Portfolio computes from them: the
    year-to-date and plan matrices, the reporting months."""

    def __getattr__(self, name: str):  # only for what is not in the instance yet
        if name not in ("projects", "plans", "monthly") or "_old" not in self.__dict__:
            raise AttributeError(name)
        self.__dict__[name] = getattr(self.__dict__["_old"], name)
        return self.__dict__[name]


def _calculator(tables: dict[str, pd.DataFrame], old: Portfolio) -> Portfolio:
    calculator = object.__new__(_Calculator)
    calculator.__dict__.update({_ATTRIBUTE[t]: f for t, f in tables.items()}, _old=old)
    return calculator


def _rows(folder: Path, name: str) -> int:
    return pq.read_metadata(folder / f"{name}.parquet").num_rows


def _same_file(old_folder: Path, tmp: Path, name: str) -> None:
    """A file of the snapshot before, unchanged: linked where the disk allows, else copied."""
    source, target = old_folder / name, tmp / name
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _mtime(folder: Path) -> float | None:
    """A snapshot folder's time; None if it is not one, or another process just removed it."""
    try:
        return folder.stat().st_mtime if folder.is_dir() else None
    except FileNotFoundError:
        return None
