"""The office's own categories that imports add: sectors, levels and problem types its ledgers
use beyond the lists of its settings file.

They belong to the office's database, not to the settings file (which is tracked, shared by
every database on the machine, and read-only to the product): written in the same transaction
as the batch that brought them, kept by backups, and read back into the lists in force
(core.base.settings.use_added) whenever the data are loaded or an upload is checked.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from core.base import settings
from core.policy import roles
from core.policy.roles import Actor
from core.store import audit
from core.store.tables import CATEGORIES


def add(conn: sa.Connection, new: dict[str, list[str]], batch: int, *, actor: Actor) -> None:
    """Append values (schema column → values) to the office's lists, inside the caller's
    transaction; only for an actor who may change the office's rules."""
    roles.require(actor, roles.SETTINGS)
    have = {
        (r.kind, r.value) for r in conn.execute(sa.select(CATEGORIES.c.kind, CATEGORIES.c.value))
    }
    now = datetime.now().replace(microsecond=0)
    for column, values in new.items():
        kind = settings.CATEGORY_KEYS[column]
        for value in dict.fromkeys(values):
            if (kind, value) not in have:
                conn.execute(sa.insert(CATEGORIES).values(kind=kind, value=value, batch_id=batch,
                                                          added_at=now))  # fmt: skip
                have.add((kind, value))
    text = ";".join(f"{c}:{'、'.join(v)}" for c, v in new.items())
    audit.record(conn, actor, audit.CATEGORIES_ADDED, "本办类别", f"随第{batch}批导入:{text}")


def added(engine: sa.Engine) -> dict[str, tuple[str, ...]]:
    """The values imports added, by settings key ("sectors" …), in the order they came."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(CATEGORIES.c.kind, CATEGORIES.c.value).order_by(
                CATEGORIES.c.batch_id, CATEGORIES.c.added_at, CATEGORIES.c.value
            )
        ).all()
    out: dict[str, list[str]] = {}
    for kind, value in rows:
        out.setdefault(kind, []).append(value)
    return {k: tuple(v) for k, v in out.items()}


def in_force(engine: sa.Engine | None) -> None:
    """Make the lists in force the settings file's and the database's (none for no database)."""
    settings.use_added(added(engine) if engine is not None else {})
