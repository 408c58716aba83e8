"""Each project's monthly plan (project_month_plans): the amount planned from January to each
month, in 万元, from a ledger's 1月计划 … 12月计划 or 1-N月计划 columns
(core.ingest.ledger_tables). It is what 序时进度 by the projects' own plans ([schedule]
convention = "plans", core.figures.measures.project_schedules) measures against.

A ledger that states a project's plans for a year replaces every plan stored for that project
and year (a revised plan drops the months it no longer names); other projects and years stay.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from core.base import schema as S
from core.store.tables import MONTH_PLANS

PLANNED = "计划累计投资(万元)"  # core.figures.measures.PLANNED: the frame's amount column
COLUMNS = (S.CODE, S.MONTH, PLANNED)


def save(engine: sa.Engine, plans: pd.DataFrame, batch_id: int | None = None) -> int:
    """Store `plans` (COLUMNS), replacing the stored plans of each (project, year) they name,
    in one transaction; the number of rows written."""
    if plans.empty:
        return 0
    with engine.execution_options(write_lock=True).begin() as conn:
        return save_in(conn, plans, batch_id)


def save_in(conn: sa.Connection, plans: pd.DataFrame, batch_id: int | None = None) -> int:
    """save, in the caller's transaction: an import's batch writes its plans with its rows
    (core.store.versions.Store.import_batch), so a session never loads one without the other."""
    if plans.empty:
        return 0
    t = MONTH_PLANS
    now = datetime.now().replace(microsecond=0)
    rows = [
        {"code": str(code), "month": str(month), "planned": float(amount),
         "batch_id": batch_id, "updated_at": now}
        for code, month, amount in zip(plans[S.CODE], plans[S.MONTH], plans[PLANNED], strict=True)
    ]  # fmt: skip
    replaced = {(r["code"], r["month"][:4]) for r in rows}
    for code, year in sorted(replaced):
        conn.execute(sa.delete(t).where(t.c.code == code, t.c.month.startswith(f"{year}-")))
    conn.execute(sa.insert(t), rows)
    return len(rows)


def read(engine: sa.Engine) -> pd.DataFrame:
    """Every stored plan, as COLUMNS, by project and month."""
    t = MONTH_PLANS
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(t.c.code, t.c.month, t.c.planned).order_by(t.c.code, t.c.month)
        ).all()
    return pd.DataFrame(
        {
            S.CODE: pd.Series([r[0] for r in found], dtype=object),
            S.MONTH: pd.Series([r[1] for r in found], dtype=object),
            PLANNED: pd.Series([float(r[2]) for r in found], dtype=float),
        }
    )
