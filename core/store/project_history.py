"""What each history entry changed of one project: read from the row versions of the store.

Every data table keeps row versions (core.store.versions): a version is written by the entry
`valid_from` and closed by the entry `valid_to`. The rows of one project (by 项目代码) opened
or closed by an entry are exactly what that entry changed of it; matched by the table's key, a
version opened and one closed with the same key are an edit (the fields that differ), one
opened alone an addition, one closed alone a removal. A roll-back is an entry like any other:
it closes the versions it undoes and opens again the ones it restores.

Site photos (core.store.photos) are entries too: an upload adds the project's photos (one
change per photo, its month as the subject, in the table PHOTOS), and a roll-back that hides
an upload's photos removes them, one that shows them again adds them.

Read only: nothing here writes to the store.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa

from core.base import schema as S
from core.store import photos
from core.store.tables import _BATCHES, _DATA, PHOTOS
from core.store.versions import Store

# The tables whose rows belong to one project, in the order a change lists them.
PROJECT_TABLES = (S.PROJECTS, S.PLANS, S.MONTHLY, S.FUNDING, S.PROBLEMS, S.MILESTONES)
ADDED, CHANGED, REMOVED = "新增", "修改", "删除"
PHOTOS_TABLE = "现场照片"  # the "table" of a photo's change


@dataclass(frozen=True)
class RowChange:
    table: str  # 月度进度
    subject: str  # the row within the project: "2026-02", a problem's id, a node; "" for 项目清单
    action: str  # ADDED, CHANGED or REMOVED
    fields: tuple[str, ...]  # the columns an edit changed (empty for an addition or a removal)


@dataclass(frozen=True)
class EntryChange:
    """One history entry that changed the project."""

    entry: int
    created_at: dt.datetime
    kind: str  # 导入, 回滚, 督办 …
    user: str
    role: str
    note: str
    files: tuple[str, ...]
    restored_from: int | None
    rows: tuple[RowChange, ...]


def _subject(table: str, key: dict[str, str]) -> str:
    """The row's key without the project code, as words."""
    return " ".join(v for h, v in key.items() if h != S.CODE and v)


def _table_changes(conn: sa.Connection, table: str, code: str) -> dict[int, list[RowChange]]:
    data = _DATA[table]
    headers = list(S.COLUMNS[table])
    names = [S.STORE_COLUMNS[h] for h in headers]
    code_column = data.c[S.STORE_COLUMNS[S.CODE]]
    rows = conn.execute(
        sa.select(data.c.valid_from, data.c.valid_to, *(data.c[n] for n in names)).where(
            code_column == code
        )
    ).all()
    opened: dict[int, dict[tuple, dict[str, str]]] = {}
    closed: dict[int, dict[tuple, dict[str, str]]] = {}
    for row in rows:
        values = dict(zip(headers, row[2:], strict=True))
        key = tuple(values[h] for h in S.KEYS[table])
        opened.setdefault(row.valid_from, {})[key] = values
        if row.valid_to is not None:
            closed.setdefault(row.valid_to, {})[key] = values
    out: dict[int, list[RowChange]] = {}
    for entry in sorted(set(opened) | set(closed)):
        new, old = opened.get(entry, {}), closed.get(entry, {})
        for key in sorted(set(new) | set(old)):
            subject = _subject(table, dict(zip(S.KEYS[table], key, strict=True)))
            if key in new and key in old:
                fields = tuple(h for h in headers if new[key][h] != old[key][h])
                if not fields:
                    continue  # a version closed and written again unchanged (a roll-back)
                change = RowChange(table, subject, CHANGED, fields)
            else:
                change = RowChange(table, subject, ADDED if key in new else REMOVED, ())
            out.setdefault(entry, []).append(change)
    return out


def _photo_changes(conn: sa.Connection, code: str) -> dict[int, list[RowChange]]:
    """The entries that added, hid or showed again photos of the project."""
    rows = conn.execute(
        sa.select(PHOTOS.c.batch_id, PHOTOS.c.month)
        .where((PHOTOS.c.code == code) & PHOTOS.c.batch_id.is_not(None))
        .order_by(PHOTOS.c.month, PHOTOS.c.id)
    ).all()
    if not rows:
        return {}
    months: dict[int, list[str]] = {}
    for row in rows:
        months.setdefault(row.batch_id, []).append(row.month)
    shown = photos.in_effect_by_entry(conn, set(months))
    out: dict[int, list[RowChange]] = {}
    before: frozenset[int] = frozenset()
    for entry, now in sorted(shown.items()):
        for action, uploads in ((ADDED, now - before), (REMOVED, before - now)):
            for upload in sorted(uploads):
                out.setdefault(entry, []).extend(
                    RowChange(PHOTOS_TABLE, month, action, ()) for month in months[upload]
                )
        before = now
    return out


def project_changes(store: Store, code: str) -> list[EntryChange]:
    """Every history entry that changed the rows or the photos of project `code`, newest
    first."""
    with store.engine.connect() as conn:
        by_entry: dict[int, list[RowChange]] = {}
        for table in PROJECT_TABLES:
            for entry, changes in _table_changes(conn, table, code).items():
                by_entry.setdefault(entry, []).extend(changes)
        for entry, changes in _photo_changes(conn, code).items():
            by_entry.setdefault(entry, []).extend(changes)
        if not by_entry:
            return []
        batches = conn.execute(sa.select(_BATCHES).where(_BATCHES.c.id.in_(list(by_entry)))).all()
    out = [
        EntryChange(
            entry=b.id,
            created_at=b.created_at,
            kind=b.kind,
            user=b.user_name,
            role=b.user_role,
            note=b.note,
            files=tuple(json.loads(b.files)),
            restored_from=b.restored_from,
            rows=tuple(by_entry[b.id]),
        )
        for b in batches
    ]
    return sorted(out, key=lambda e: e.entry, reverse=True)
