"""Drafts of the 在线填报 form (filling_drafts): a county's return for a month as its reporter
entered it, saved to be finished later, one per county and month (any of the county's reporters
may go on with it). A draft is no data: the pages and the figures never read it, and saving one
writes no history entry. Submitting the form writes the figures as one batch
(core.ingest.edits.submit_return) and marks the draft submitted with that entry; saving again
after that starts a new draft (a correction), which is submitted the same way.

Who may: an admin any county's draft, a county reporter its own counties' only — asked here, in
core, whatever the page offered (roles.Refused).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from core.policy import roles
from core.policy.roles import Actor
from core.store.tables import DRAFTS
from core.store.versions import Store

MAX_ROWS = 5000  # a county's projects; a body beyond it is no form of this product


@dataclass(frozen=True)
class Draft:
    county: str
    month: str
    rows: list[dict[str, Any]]  # the form's rows as entered: column → text, number or None
    saved_at: dt.datetime
    user: str
    submitted_at: dt.datetime | None
    batch_id: int | None

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


def require_county(actor: Actor, county: str) -> None:
    """Refused unless the actor may enter the returns of `county` (an admin: any county)."""
    own = roles.counties_of(actor)  # Refused without the right to import
    if own is not None and county not in own:
        raise roles.Refused(
            f"{actor.label()}只能填报{'、'.join(own) or '本账户的区县'}的项目,不能填报{county}的项目。"
        )


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _body(rows: list[dict[str, Any]]) -> str:
    if len(rows) > MAX_ROWS:
        raise ValueError(f"填报表超过{MAX_ROWS}行,未保存。")
    clean = [{str(k): _plain(v) for k, v in r.items()} for r in rows]
    return json.dumps(clean, ensure_ascii=False)


def _plain(value: Any) -> Any:
    """A cell as JSON keeps it: text, a finite number, or None for an empty one."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return None if value != value or value in (float("inf"), float("-inf")) else value
    text = str(value)
    return None if text in ("", "nan", "NaT", "None") else text


def _draft(row: sa.Row) -> Draft:
    return Draft(row.county, row.month, json.loads(row.body), row.saved_at, row.user_name,
                 row.submitted_at, row.batch_id)  # fmt: skip


def get(store: Store, county: str, month: str, *, actor: Actor) -> Draft | None:
    """The county's draft (or submitted form) of the month, if any."""
    require_county(actor, county)
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(DRAFTS).where((DRAFTS.c.county == county) & (DRAFTS.c.month == month))
        ).first()
    return None if row is None else _draft(row)


def _put(conn: sa.Connection, county: str, month: str, values: dict[str, Any]) -> None:
    key = (DRAFTS.c.county == county) & (DRAFTS.c.month == month)
    if conn.execute(sa.select(DRAFTS.c.county).where(key)).first() is None:
        conn.execute(sa.insert(DRAFTS).values(county=county, month=month, **values))
    else:
        conn.execute(sa.update(DRAFTS).where(key).values(**values))


def save(store: Store, county: str, month: str, rows: list[dict[str, Any]], *,
         actor: Actor) -> Draft:  # fmt: skip
    """Keep the form as entered, unchecked, to be finished later (replacing the county's
    earlier draft of the month; a submitted form saved again is a draft again)."""
    require_county(actor, county)
    values = {"body": _body(rows), "saved_at": _now(), "user_name": actor.user,
              "submitted_at": None, "batch_id": None}  # fmt: skip
    with store.engine.begin() as conn:
        _put(conn, county, month, values)
    return Draft(county, month, json.loads(values["body"]), values["saved_at"], actor.user,
                 None, None)  # fmt: skip


def mark_submitted(store: Store, county: str, month: str, rows: list[dict[str, Any]],
                   batch_id: int, *, actor: Actor) -> Draft:  # fmt: skip
    """Record that the county's form of the month was submitted as history entry `batch_id`."""
    require_county(actor, county)
    now = _now()
    values = {"body": _body(rows), "saved_at": now, "user_name": actor.user,
              "submitted_at": now, "batch_id": int(batch_id)}  # fmt: skip
    with store.engine.begin() as conn:
        _put(conn, county, month, values)
    return Draft(county, month, json.loads(values["body"]), now, actor.user, now, int(batch_id))


def of_month(store: Store, month: str) -> dict[str, Draft]:
    """Every county's draft or submitted form of the month (报送情况: who has a draft open)."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(DRAFTS).where(DRAFTS.c.month == month)).all()
    return {r.county: _draft(r) for r in rows}
