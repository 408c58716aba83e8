"""An import into stored data is merged by a fixed number of set-based statements through a
staging table (issue 24: a 10,000-project import into a non-empty PostgreSQL store took 571 s in
its UPDATE of monthly_progress, the uploaded rows compared with the data table itself): the same
statements for 30 rows as for 3,000, unchanged rows written nowhere, and 30,000 changed returns
merged into 30,000 stored ones in seconds on both databases."""

from __future__ import annotations

import time

import pandas as pd
import sqlalchemy as sa

from core.base import schema as S
from core.store.versions import Store
from tests.access_kit import ADMIN


def _tables(n: int, text: str, prefix: str = "P") -> dict[str, pd.DataFrame]:
    """n projects of one county, each with one return whose 形象进度 is `text`."""
    codes = [f"{prefix}{i:06d}" for i in range(n)]
    projects = pd.DataFrame({c: "" for c in S.COLUMNS[S.PROJECTS]}, index=range(n))
    projects[S.CODE], projects[S.NAME], projects[S.COUNTY] = codes, "项目", "城东区"
    monthly = pd.DataFrame({c: "" for c in S.COLUMNS[S.MONTHLY]}, index=range(n))
    monthly[S.CODE], monthly[S.MONTH], monthly[S.MONTH_COMPLETED] = codes, "2026-01", "5"
    monthly[S.PROGRESS_TEXT] = text
    return {S.PROJECTS: projects, S.MONTHLY: monthly}


def _statements(store: Store, write) -> list[str]:
    """The statements on monthly_progress that `write()` sends, as their text."""
    seen: list[str] = []

    def note(conn, cursor, statement, *_):
        seen.append(" ".join(statement.split()))

    sa.event.listen(store.engine, "before_cursor_execute", note)
    try:
        write()
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", note)
    return [s for s in seen if "monthly_progress" in s]


def test_the_merge_is_the_same_statements_at_any_size(url):
    store = Store(url)
    sent = {}
    for n, prefix in ((30, "A"), (3000, "B")):
        store.import_batch(_tables(n, "桩基", prefix), files=["a"], actor=ADMIN)
        changed = _tables(n, "主体", prefix)
        changed[S.MONTHLY].loc[: n // 3 - 1, S.PROGRESS_TEXT] = "桩基"  # a third unchanged
        done = {}
        sent[n] = _statements(store, lambda c=changed, d=done: d.update(
            batch=store.import_batch(c, files=["b"], actor=ADMIN)))  # fmt: skip
        batch = done["batch"]
        assert batch.changes[S.MONTHLY] == (n - n // 3, n - n // 3)  # written, closed
        tables, _ = store.current_tables()
        mine = tables[S.MONTHLY].loc[tables[S.MONTHLY][S.CODE].str.startswith(prefix)]
        texts = mine[S.PROGRESS_TEXT]
        assert len(mine) == n
        assert (texts == "桩基").sum() == n // 3 and (texts == "主体").sum() == n - n // 3
        updates = [s for s in sent[n] if s.startswith("UPDATE monthly_progress")]
        assert len(updates) == 1, updates  # the close-out, one statement
    # The rows go in bulk (one executemany, or one COPY): 100 times the rows, the same statements.
    assert sent[30] == sent[3000]
    store.close()


def test_thirty_thousand_changed_returns_merge_in_seconds(url):
    store = Store(url)
    n = 30_000
    store.import_batch(_tables(n, "桩基"), files=["a"], actor=ADMIN)
    started = time.monotonic()
    batch = store.import_batch(_tables(n, "主体"), files=["b"], actor=ADMIN)
    elapsed = time.monotonic() - started
    assert batch.changes[S.MONTHLY] == (n, n) and batch.changes[S.PROJECTS] == (0, 0)
    assert elapsed < 60, elapsed  # a few seconds on either database
    store.close()
