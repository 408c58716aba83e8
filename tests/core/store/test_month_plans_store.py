"""Each project's monthly plan kept in the store (project_month_plans, revision 0012): written
and read back, a project's year replaced whole by a later import, other projects and years kept;
and what is read back is what 序时进度 "plans" measures against."""

import pandas as pd

from core.base import schema as S
from core.base.formatting import pct
from core.base.periods import Convention, Period
from core.figures import measures as M
from core.figures.scope import Scope
from core.store import month_plans
from core.store.versions import Store


def _plans(rows):
    return pd.DataFrame(rows, columns=list(month_plans.COLUMNS))


def test_plans_are_kept_and_a_year_replaced_whole(url, mini):
    store = Store(url)
    try:
        first = _plans([("A-001", "2025-01", 100.0), ("A-001", "2025-02", 300.0),
                        ("A-001", "2024-12", 1000.0), ("B-002", "2025-02", 1200.0)])  # fmt: skip
        assert month_plans.save(store.engine, first, batch_id=1) == 4
        # A revised plan for A-001's 2025: 1-2月 250, no 1月 any more; B-002 and 2024 stay.
        assert month_plans.save(store.engine, _plans([("A-001", "2025-02", 250.0)]), 2) == 1
        got = month_plans.read(store.engine)
    finally:
        store.close()
    assert list(got.itertuples(index=False, name=None)) == [
        ("A-001", "2024-12", 1000.0), ("A-001", "2025-02", 250.0), ("B-002", "2025-02", 1200.0)]  # fmt: skip
    # At 2025-02: A-001 250/1200, B-002 1200/6000, C-003 by months 2/12 × 2400 = 400:
    # (250 + 1200 + 400) / 9600 = 19.27% → 19.3%.
    planned = M.attach_month_plans(mini.with_tables(), got)
    f = M.year_figures(planned, Scope(Period(2025, 2), level=None), Convention.PLANS)
    assert pct(f.schedule) == "19.3%"


def test_an_empty_store_has_no_plans(url):
    store = Store(url)
    try:
        got = month_plans.read(store.engine)
        assert month_plans.save(store.engine, _plans([])) == 0
    finally:
        store.close()
    assert got.empty and list(got.columns) == [S.CODE, S.MONTH, month_plans.PLANNED]
