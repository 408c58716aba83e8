"""Where the data in use comes from: the store once something was imported, the demo before.

Pages and the CLI both go through here, so both always show the same data and say which.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core import ROOT
from core.data import schema as S
from core.data.geo import parse_boundaries
from core.data.portfolio import (
    DEMO_DIR,
    DEMO_SOURCE,
    Portfolio,
    folder_version,
    from_tables,
    read_csv,
    with_all_columns,
)
from core.ingest.store import Batch, Store

# Typed tables of an imported data set, as Parquet: opening the app on 100,000 projects reads
# these in under a second instead of re-reading and re-typing the database's text rows.
SNAPSHOTS_SETTING = "BRIEFING_CACHE_DIR"
DEFAULT_SNAPSHOTS = ROOT / "data" / "cache"
KEEP_SNAPSHOTS = 3
_FRAMES = ("projects", "plans", "monthly", "funding", "problems", "indicators")
_MATRICES = ("ytd", "plan_by_year")  # cached properties of Portfolio, saved with the tables


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
    tables = {t: with_all_columns(read_csv(Path(folder) / f"{t}.csv"), t) for t in S.TABLES}
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
    return Current(tables, boundaries, batch_label(batch), "store-" + store.version(), batch)


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
    """One snapshot per imported data set: a roll-back to it finds the import's snapshot."""
    origin = next(b for b in store.history() if b.id == batch.data_batch)
    key = f"{store.url}|{origin.id}|{origin.created_at.isoformat()}"
    return snapshots() / hashlib.sha256(key.encode()).hexdigest()[:20]


def load(store: Store) -> Portfolio:
    """The Portfolio in use: the demo before any import, else the store's current data, read
    from its snapshot when there is one (and written there when there is not)."""
    batch = store.current()
    if batch is None:
        return portfolio(current(store))
    folder = _snapshot_dir(store, batch)
    if (folder / "done").exists():
        frames = {name: pd.read_parquet(folder / f"{name}.parquet") for name in _FRAMES}
        boundaries = json.loads((folder / S.BOUNDARIES_FILE).read_text(encoding="utf-8"))
        p = Portfolio(
            **frames,
            boundaries=parse_boundaries(boundaries, source=S.BOUNDARIES_FILE, allow_empty=True),
            source=batch_label(batch),
            version="store-" + store.version(),
            is_demo=False,
        )
        # The year-to-date and plan matrices were saved too: no pivot of a million rows here.
        for name in _MATRICES:
            matrix = pd.read_parquet(folder / f"{name}.parquet")
            if name == "plan_by_year":
                matrix.columns = matrix.columns.astype(int)
            p.__dict__[name] = matrix  # what cached_property would have stored
        return p
    data = current(store)
    p = portfolio(data)
    _write_snapshot(folder, p, data.boundaries)
    return p


def _write_snapshot(folder: Path, p: Portfolio, boundaries: dict) -> None:
    """Written to a temporary folder and renamed: a reader never sees half a snapshot."""
    tmp = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".tmp-"))
        for name in _FRAMES:
            getattr(p, name).to_parquet(tmp / f"{name}.parquet", index=False)
        for name in _MATRICES:
            matrix = getattr(p, name)
            text_columns = matrix.columns.astype(str)  # Parquet wants text column names
            matrix.set_axis(text_columns, axis=1).to_parquet(tmp / f"{name}.parquet")
        text = json.dumps(boundaries, ensure_ascii=False)
        (tmp / S.BOUNDARIES_FILE).write_text(text, encoding="utf-8")
        (tmp / "done").write_text(p.version, encoding="utf-8")
        tmp.rename(folder)  # another process may have won the race: then its copy stays
    except OSError:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)  # a read-only disk: the app works, slower
        return
    kept = sorted(
        (d for d in folder.parent.iterdir() if d.is_dir() and not d.name.startswith(".")),
        key=lambda d: d.stat().st_mtime,
        reverse=True,
    )
    for d in kept[KEEP_SNAPSHOTS:]:
        shutil.rmtree(d, ignore_errors=True)
