"""The audit trail: who did what, when, from where — imports (with their files), roll-backs,
withdrawals, ledger layouts, agendas, the office's categories, users, backups, restores, and
every sign-in, failed ones included.

Entries are only ever appended: this module has no way to change or remove one, and no page
or command offers one. A write and its entry commit in the same transaction where the write is
in the database (`record(conn, …)` inside it). A restore from a backup keeps the trail of the
database it restores into (core.store.recovery). On PostgreSQL an office may go further and
grant the app's role INSERT and SELECT only on `audit_trail` (README, "Security").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import pandas as pd
import sqlalchemy as sa

from core.policy.roles import Actor
from core.store.tables import AUDIT


class Store(Protocol):
    """What the trail needs of a store (core.store.versions.Store): its engine."""

    engine: sa.Engine


# What the trail says was done (the action column), in the words the admin page filters by.
SIGN_IN = "登录"
SIGN_IN_FAILED = "登录失败"
SIGN_OUT = "退出登录"
IDLE_SIGN_OUT = "超时退出"
IMPORT = "导入"
ROLLBACK = "回滚"
WITHDRAW = "调出"
SUPERVISION_EDITED = "修改督办信息"
EXEMPTION_EDITED = "修改红黑榜豁免"
LAYOUT_SAVED = "保存台账格式"
LAYOUT_RENAMED = "台账格式改名"
LAYOUT_DELETED = "删除台账格式"
AGENDA_SAVED = "保存会议议程"
AGENDA_DELETED = "删除会议议程"
CATEGORIES_ADDED = "添加类别"
USER_ADDED = "添加用户"
USER_CHANGED = "修改用户"
USER_DISABLED = "停用用户"
USER_ENABLED = "启用用户"
PASSWORD_RESET = "重设密码"
BACKUP = "备份"
RESTORE = "恢复备份"
SET_ASIDE = "另存损坏的数据库"
REFUSED = "拒绝操作"
ACTIONS = (SIGN_IN, SIGN_IN_FAILED, SIGN_OUT, IDLE_SIGN_OUT, IMPORT, ROLLBACK, WITHDRAW,
           SUPERVISION_EDITED, EXEMPTION_EDITED,
           LAYOUT_SAVED, LAYOUT_RENAMED, LAYOUT_DELETED, AGENDA_SAVED, AGENDA_DELETED,
           CATEGORIES_ADDED, USER_ADDED, USER_CHANGED, USER_DISABLED, USER_ENABLED,
           PASSWORD_RESET, BACKUP, RESTORE, SET_ASIDE, REFUSED)  # fmt: skip

COLUMNS = ("时间", "账户", "角色", "操作", "对象", "详情", "来源")
NOBODY = "未记录"  # an entry made before accounts existed, or by nobody signed in


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    user: str
    role: str
    action: str
    target: str
    detail: str
    origin: str


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def record(
    where: sa.Connection | sa.Engine | Store,
    actor: Actor | None,
    action: str,
    target: str = "",
    detail: str = "",
    *,
    user: str | None = None,
) -> None:
    """Append one entry. Given a connection it is part of that transaction; `user` names the
    account tried when nobody is signed in (a failed sign-in)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    values = {
        "at": _now(),
        "user_name": user if user is not None else (actor.user if actor else ""),
        "user_role": actor.role.value if actor and actor.signed_in else "",
        "action": action,
        "target": str(target),
        "detail": str(detail),
        "origin": actor.origin if actor else "",
    }
    if isinstance(where, sa.Connection):
        where.execute(sa.insert(AUDIT).values(**values))
        return
    engine = getattr(where, "engine", where)  # a Store, or an engine
    with engine.begin() as conn:
        conn.execute(sa.insert(AUDIT).values(**values))


def failed_sign_ins(conn: sa.Connection, target: str, since: datetime) -> list[datetime]:
    """When sign-ins under the name `target` failed since `since`, oldest first."""
    return list(
        conn.execute(
            sa.select(AUDIT.c.at).where(
                (AUDIT.c.action == SIGN_IN_FAILED) & (AUDIT.c.target == target)
                & (AUDIT.c.at >= since)
            ).order_by(AUDIT.c.id)
        ).scalars()
    )  # fmt: skip


@dataclass(frozen=True)
class Filter:
    """What the admin page and `python -m core audit` narrow the trail to; None: any."""

    user: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    text: str | None = None  # in the target or the detail


def entries(store: Store, where: Filter | None = None, limit: int | None = None) -> list[Entry]:
    """The trail, newest first."""
    f = where or Filter()
    query = sa.select(AUDIT).order_by(AUDIT.c.id.desc())
    if f.user:
        query = query.where(AUDIT.c.user_name == f.user)
    if f.action:
        query = query.where(AUDIT.c.action == f.action)
    if f.since:
        query = query.where(AUDIT.c.at >= f.since)
    if f.until:
        query = query.where(AUDIT.c.at < f.until)
    if f.text:
        like = f"%{f.text}%"
        query = query.where(AUDIT.c.target.like(like) | AUDIT.c.detail.like(like))
    if limit:
        query = query.limit(limit)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        Entry(r.id, r.at, r.user_name, r.user_role, r.action, r.target, r.detail, r.origin)
        for r in rows
    ]


def users_in_trail(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(AUDIT.c.user_name).where(AUDIT.c.user_name != "").distinct()
        ).all()
    return sorted(r.user_name for r in rows)


def frame(found: list[Entry]) -> pd.DataFrame:
    """The entries as the page shows them and the download holds them."""
    return pd.DataFrame(
        {
            "时间": [e.at.strftime("%Y-%m-%d %H:%M:%S") for e in found],
            "账户": [e.user or NOBODY for e in found],
            "角色": [e.role or NOBODY for e in found],
            "操作": [e.action for e in found],
            "对象": [e.target for e in found],
            "详情": [e.detail for e in found],
            "来源": [e.origin for e in found],
        },
        columns=list(COLUMNS),
    )


def line(e: Entry) -> str:
    """One entry as `python -m core audit` prints it."""
    parts = [f"{e.at:%Y-%m-%d %H:%M:%S}", f"{e.user or NOBODY}({e.role or NOBODY})", e.action]
    parts += [p for p in (e.target, e.detail) if p]
    if e.origin:
        parts.append(f"来源:{e.origin}")
    return " ".join(parts)
