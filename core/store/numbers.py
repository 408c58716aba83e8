"""The serial numbers of the documents the office issues: the 简报's 第N期 and the 督办单's
督办〔2026〕N号, counted from 1 in each year and kept in the office's database (document_numbers),
so that they survive a restart and every process of the app counts on from the same place.

A number belongs to a subject (the 简报's scope and period, the 督办单's unit and period): the
same document downloaded again, as Word and then as PDF, keeps its number; another subject takes
the next one. Taking a number is one transaction under the store's write lock (SQLite: BEGIN
IMMEDIATE); on PostgreSQL two processes taking the same next number collide on the table's key,
and the loser counts again.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from core.store.tables import DOCUMENT_NUMBERS

BRIEFING = "简报"
SUPERVISION = "督办单"
_ATTEMPTS = 5


def _existing(conn: sa.Connection, kind: str, year: int, subject: str) -> int | None:
    t = DOCUMENT_NUMBERS
    return conn.execute(
        sa.select(t.c.number).where(t.c.kind == kind, t.c.year == year, t.c.subject == subject)
    ).scalar()


def take(engine: sa.Engine, kind: str, year: int, subject: str) -> int:
    """The number of `subject` among the documents of `kind` issued in `year`: the one it was
    given before, or the next (1 for the year's first)."""
    t = DOCUMENT_NUMBERS
    for attempt in range(_ATTEMPTS):
        try:
            with engine.execution_options(write_lock=True).begin() as conn:
                found = _existing(conn, kind, year, subject)
                if found is not None:
                    return int(found)
                last = conn.execute(
                    sa.select(sa.func.max(t.c.number)).where(t.c.kind == kind, t.c.year == year)
                ).scalar()
                number = int(last or 0) + 1
                conn.execute(
                    sa.insert(t).values(kind=kind, year=year, number=number, subject=subject,
                                        issued_at=datetime.now().replace(microsecond=0))
                )  # fmt: skip
                return number
        except sa.exc.IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def issued(engine: sa.Engine, kind: str, year: int) -> list[tuple[int, str]]:
    """The numbers of `kind` given in `year` with their subjects, in order."""
    t = DOCUMENT_NUMBERS
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.c.number, t.c.subject)
            .where(t.c.kind == kind, t.c.year == year)
            .order_by(t.c.number)
        ).all()
    return [(int(n), s) for n, s in rows]


def try_take(engine: sa.Engine, kind: str, year: int, subject: str) -> int | None:
    """take, or None where the database cannot be written (a read-only copy, a read-only
    account): the document then leaves its number blank, to be filled in by hand."""
    try:
        return take(engine, kind, year, subject)
    except sa.exc.SQLAlchemyError:
        return None
