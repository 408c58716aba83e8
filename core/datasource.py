"""Where the data in use comes from: the store once something was imported, the demo before.

Pages and the CLI both go through here, so both always show the same data and say which.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core import schema as S
from core.geo import parse_boundaries
from core.portfolio import DEMO_DIR, Portfolio, folder_version, from_tables, read_csv
from core.store import Batch, Store

DEMO_SOURCE = "示例数据(示例市,虚构)"


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
    tables = {t: read_csv(Path(folder) / f"{t}.csv") for t in S.TABLES}
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
        parse_boundaries(data.boundaries, source=S.BOUNDARIES_FILE),
        source=data.source,
        version=data.version,
        is_demo=data.is_demo,
    )
