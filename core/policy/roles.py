"""Who may do what: the three roles, the actions, and the actor that every write names.

Every function of core that writes — an import, a withdrawal, a roll-back, a ledger layout, an
agenda, the office's categories, a backup or restore, a user — takes `actor=` (keyword, no
default) and calls `require(actor, ACTION)` before it touches anything. A page hides what a role
may not do, but the refusal is here, on the server: a crafted request that reaches the function
is refused all the same (Refused, with a Chinese message).

    from core.policy import roles
    roles.require(actor, roles.ROLLBACK)          # raises Refused unless the role allows it
    if roles.may(actor, roles.IMPORT_ANY): ...     # a question, no exception

A new kind of write (issue 12's 督办 edits, say) adds its action here with the roles allowed —
one constant and one line in PERMISSIONS — and calls `require` in its core function.
"""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    VIEWER = "查看"  # every page, filters, downloads; no writes
    REPORTER = "区县填报"  # also imports the rows of its own counties
    ADMIN = "管理员"  # everything, users included


# Actions, named as a sentence completes them: "无权{action}".
VIEW = "查看数据"
DOWNLOAD = "下载图表和表格"
IMPORT = "导入数据"  # a reporter: rows of its own counties only (see `counties_of`)
IMPORT_ANY = "导入任何区县的数据"  # all counties, city indicators and county boundaries
ROLLBACK = "回滚数据"
WITHDRAW = "调出项目"
LAYOUTS = "修改台账格式"  # rename, delete, replace a saved layout
AGENDAS = "保存或删除会议议程"
SETTINGS = "修改本办的设置"  # rule settings: category lists added from a ledger
SUPERVISE = "更新问题督办信息"  # 问题督办: a reporter those of its own counties' projects
EXEMPT = "设置红黑榜豁免"  # an exemption changes the city's ranking: the office's decision
USERS = "管理用户"
AUDIT = "查看操作记录"
BACKUP = "备份数据库"
RESTORE = "恢复数据库"

_EVERYONE = frozenset({VIEW, DOWNLOAD})
_ALL = frozenset({VIEW, DOWNLOAD, IMPORT, IMPORT_ANY, ROLLBACK, WITHDRAW, LAYOUTS, AGENDAS,
                  SETTINGS, SUPERVISE, EXEMPT, USERS, AUDIT, BACKUP, RESTORE})  # fmt: skip
PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.VIEWER: _EVERYONE,
    Role.REPORTER: _EVERYONE | {IMPORT, SUPERVISE},
    Role.ADMIN: _ALL,
}
ACTIONS = tuple(dict.fromkeys(a for role in Role for a in sorted(PERMISSIONS[role])))

# How the person acting was identified (Actor.via).
VIA_ANONYMOUS = "未登录"
VIA_PASSWORD = "本地账户"
VIA_SSO = "单点登录"
VIA_CLI = "命令行"


class Refused(PermissionError):
    """The actor's role does not allow the action; nothing was changed. `message` is Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Actor:
    """Who acts: an account and its role, the counties a reporter is bound to, and from where."""

    user: str  # the account's name; "" for an anonymous viewer
    role: Role
    counties: tuple[str, ...] = ()  # a 区县填报 account's counties; empty for the others
    name: str = ""  # the person's name as shown, when it differs from the account's
    via: str = VIA_ANONYMOUS
    origin: str = ""  # where the request came from: 本机, an address, the shell's user@host

    @property
    def signed_in(self) -> bool:
        return bool(self.user)

    def label(self) -> str:
        """张三(管理员) — as the sidebar and the audit trail say who acted."""
        who = self.name or self.user or "未登录的访问者"
        scope = f"·{'、'.join(self.counties)}" if self.role is Role.REPORTER else ""
        return f"{who}({self.role.value}{scope})"


ANONYMOUS = Actor("", Role.VIEWER)


def may(actor: Actor | None, action: str) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}: add it to core.policy.roles")
    return actor is not None and action in PERMISSIONS[Role(actor.role)]


def require(actor: Actor | None, action: str) -> None:
    """Raise Refused unless the actor's role allows the action."""
    if not may(actor, action):
        who = "未登录的访问者" if actor is None or not actor.signed_in else actor.label()
        raise Refused(f"{who}无权{action}。请以有权限的账户登录后再操作。")


def counties_of(actor: Actor) -> tuple[str, ...] | None:
    """The counties whose rows the actor may import; None for every county (an admin)."""
    if may(actor, IMPORT_ANY):
        return None
    require(actor, IMPORT)
    return actor.counties


def sees_batch(actor: Actor, made_by: str) -> bool:
    """The import history: an admin sees every entry, a county reporter the ones it made, a
    viewer none (the pages say which batch is in use)."""
    if may(actor, AUDIT):
        return True
    return may(actor, IMPORT) and actor.signed_in and made_by == actor.user


def cli_actor() -> Actor:
    """The person at the server's shell: `python -m core` acts as an admin (whoever can run it
    can read and write the database file or its URL anyway), recorded as user@host."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Actor(user, Role.ADMIN, via=VIA_CLI, origin=f"{user}@{socket.gethostname()}")
