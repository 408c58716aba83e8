"""Accounts kept in the store: built-in ones with a password, and single sign-on users matched
to a role.

Passwords are hashed with argon2id (argon2-cffi, its recommended parameters); the store keeps
the hash only, and nothing here logs a password. A wrong password counts against the account:
after `max_failed_sign_ins` in a row it is locked for `lockout_minutes` (data/settings.toml),
during which even the right password is refused. A disabled account cannot sign in by either
way. The last enabled admin cannot be disabled or demoted, so an office cannot lock itself out
from the app (the CLI can always add an admin: README, "The first admin").

Every change names its actor and is refused unless the actor may manage users; each change and
each sign-in, failed or not, is an entry of the audit trail, in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, wraps

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.base import settings
from core.policy import roles
from core.policy.roles import Actor, Refused, Role
from core.store import audit
from core.store.versions import USERS, Store, StoreError, problem

USERNAME = re.compile(r"^[\w.@-]{2,40}$")  # letters (Chinese too), digits, . _ @ -


class SignInRefused(Exception):
    """A sign-in that did not succeed; `message` says why in words safe to show anyone (it
    never tells whether the account exists)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


WRONG = "账户或密码不正确。"


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: Role
    counties: tuple[str, ...]
    email: str
    subject: str
    has_password: bool
    disabled: bool
    failed_sign_ins: int
    locked_until: datetime | None
    last_sign_in: datetime | None
    created_at: datetime

    def actor(self, via: str, origin: str) -> Actor:
        return Actor(self.username, self.role, self.counties, self.display_name, via, origin)

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's recommended cost


@cache
def _decoy() -> str:
    """A hash to verify against when the account does not exist: the answer takes as long."""
    return _hasher().hash("decoy password, never accepted")


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _user(row: sa.Row) -> User:
    return User(
        row.username,
        row.display_name,
        Role(row.role),
        tuple(json.loads(row.counties)),
        row.email,
        row.subject,
        bool(row.password_hash),
        bool(row.disabled),
        row.failed_sign_ins,
        row.locked_until,
        row.last_sign_in,
        row.created_at,
    )


def _translated(method):
    """Database exceptions leave as the store's StoreError, with its Chinese message (a sign-in
    on a read-only database is refused so: it could not count a failure)."""

    @wraps(method)
    def run(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sa.exc.DBAPIError as exc:
            raise problem(exc, self.store.url) from exc

    return run


class Users:
    """The accounts of a store's database."""

    def __init__(self, store: Store):
        self.store = store
        self._engine = store.engine

    # --- reading ------------------------------------------------------------------------

    @_translated
    def all(self) -> list[User]:
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(USERS).order_by(USERS.c.username)).all()
        return [_user(r) for r in rows]

    @_translated
    def get(self, username: str) -> User | None:
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(USERS).where(USERS.c.username == username)).first()
        return None if row is None else _user(row)

    @_translated
    def any_admin(self) -> bool:
        return any(u.role is Role.ADMIN and not u.disabled for u in self.all())

    # --- changes (an admin's) ---------------------------------------------------------------

    @_translated
    def add(
        self,
        actor: Actor,
        username: str,
        role: Role | str,
        *,
        password: str | None = None,
        counties: tuple[str, ...] | list[str] = (),
        email: str = "",
        subject: str = "",
        display_name: str = "",
    ) -> User:
        """A new account; with a password it signs in on the form, with an e-mail or subject by
        single sign-on (or both)."""
        roles.require(actor, roles.USERS)
        username = username.strip()
        if not USERNAME.match(username):
            raise ValueError("账户名须为2至40个字符:汉字、字母、数字或 . _ @ -")
        role = Role(role)
        counties = _counties(role, counties)
        if password is None and not (email.strip() or subject.strip()):
            raise ValueError("请设置密码,或填写单点登录的邮箱或标识,账户才能登录")
        hashed = self._hash(password) if password is not None else ""
        now = _now()
        with self._engine.begin() as conn:
            if conn.execute(
                sa.select(USERS.c.username).where(USERS.c.username == username)
            ).first():
                raise ValueError(f"已有名为“{username}”的账户")
            conn.execute(
                sa.insert(USERS).values(
                    username=username, display_name=display_name.strip(), role=role.value,
                    counties=json.dumps(list(counties), ensure_ascii=False),
                    email=email.strip().lower(), subject=subject.strip(), password_hash=hashed,
                    disabled=False, failed_sign_ins=0, created_at=now, updated_at=now,
                )
            )  # fmt: skip
            audit.record(conn, actor, audit.USER_ADDED, username, _describe(role, counties))
        return self.get(username)

    @_translated
    def set_role(
        self, actor: Actor, username: str, role: Role | str, counties: tuple[str, ...] = ()
    ) -> User:
        roles.require(actor, roles.USERS)
        role = Role(role)
        counties = _counties(role, counties)
        with self._engine.begin() as conn:
            user = self._existing(conn, username)
            if user.role is Role.ADMIN and role is not Role.ADMIN:
                self._keep_an_admin(conn, username)
            conn.execute(
                sa.update(USERS).where(USERS.c.username == username).values(
                    role=role.value, counties=json.dumps(list(counties), ensure_ascii=False),
                    updated_at=_now())
            )  # fmt: skip
            audit.record(conn, actor, audit.USER_CHANGED, username,
                         f"{_describe(user.role, user.counties)} → {_describe(role, counties)}")  # fmt: skip
        return self.get(username)

    @_translated
    def set_sso(self, actor: Actor, username: str, *, email: str = "", subject: str = "") -> User:
        """The e-mail and subject single sign-on matches the account by."""
        roles.require(actor, roles.USERS)
        with self._engine.begin() as conn:
            self._existing(conn, username)
            conn.execute(
                sa.update(USERS).where(USERS.c.username == username).values(
                    email=email.strip().lower(), subject=subject.strip(), updated_at=_now())
            )  # fmt: skip
            audit.record(conn, actor, audit.USER_CHANGED, username,
                         f"单点登录邮箱:{email.strip().lower() or '无'};标识:{subject.strip() or '无'}")  # fmt: skip
        return self.get(username)

    @_translated
    def disable(self, actor: Actor, username: str) -> User:
        roles.require(actor, roles.USERS)
        with self._engine.begin() as conn:
            user = self._existing(conn, username)
            if user.role is Role.ADMIN:
                self._keep_an_admin(conn, username)
            conn.execute(sa.update(USERS).where(USERS.c.username == username)
                         .values(disabled=True, updated_at=_now()))  # fmt: skip
            audit.record(conn, actor, audit.USER_DISABLED, username)
        return self.get(username)

    @_translated
    def enable(self, actor: Actor, username: str) -> User:
        roles.require(actor, roles.USERS)
        with self._engine.begin() as conn:
            self._existing(conn, username)
            conn.execute(sa.update(USERS).where(USERS.c.username == username).values(
                disabled=False, failed_sign_ins=0, locked_until=None, updated_at=_now()))  # fmt: skip
            audit.record(conn, actor, audit.USER_ENABLED, username)
        return self.get(username)

    @_translated
    def reset_password(self, actor: Actor, username: str, password: str) -> User:
        """A new password; the account's failures and lock are cleared."""
        roles.require(actor, roles.USERS)
        hashed = self._hash(password)
        with self._engine.begin() as conn:
            self._existing(conn, username)
            conn.execute(sa.update(USERS).where(USERS.c.username == username).values(
                password_hash=hashed, failed_sign_ins=0, locked_until=None, updated_at=_now()))  # fmt: skip
            audit.record(conn, actor, audit.PASSWORD_RESET, username)
        return self.get(username)

    # --- signing in -------------------------------------------------------------------------

    @_translated
    def sign_in(self, username: str, password: str, origin: str = "") -> Actor:
        """The actor of a correct password; else SignInRefused, the failure counted and
        recorded (committed: the refusal is raised after the transaction).

        The password is verified before the transaction (argon2 takes its time); the count is
        then changed by one UPDATE that adds one to what the database holds, under the row's
        lock (PostgreSQL) or the write lock (SQLite, which waits for it), so parallel attempts
        each count and each is in the trail. A name without an account (or without a password)
        is answered as an account would be, lock-out included, from the trail's failures."""
        own = settings.current()
        username = username.strip()
        tried = Actor("", Role.VIEWER, via=roles.VIA_PASSWORD, origin=origin)
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(USERS).where(USERS.c.username == username)).first()
        known = row is not None and bool(row.password_hash)
        correct = _verify(row.password_hash if known else _decoy(), password) and known
        now = _now()
        this = USERS.c.username == username
        free = USERS.c.locked_until.is_(None) | (USERS.c.locked_until <= now)
        refused: str | None = None
        with self._engine.execution_options(write_lock=True).begin() as conn:
            if not known:
                refused, why = _unknown_attempt(conn, username, now, own)
            elif not correct:
                counted = conn.execute(
                    sa.update(USERS).where(this & free)
                    .values(failed_sign_ins=USERS.c.failed_sign_ins + 1)
                ).rowcount  # fmt: skip
                state = conn.execute(
                    sa.select(USERS.c.failed_sign_ins, USERS.c.locked_until).where(this)
                ).one()
                failures = state.failed_sign_ins
                if not counted:  # locked, perhaps by a parallel attempt a moment ago
                    refused, why = _locked_message(state.locked_until), "账户已锁定"
                elif failures >= own.max_failed_sign_ins:
                    locked = now + timedelta(minutes=own.lockout_minutes)
                    conn.execute(
                        sa.update(USERS).where(this).values(failed_sign_ins=0, locked_until=locked)
                    )
                    refused = _locked_message(locked)
                    why = f"密码错误(连续第{failures}次),账户锁定至{locked:%H:%M}"
                else:
                    refused, why = WRONG, f"密码错误(连续第{failures}次)"
            else:
                values = {"failed_sign_ins": 0, "locked_until": None, "last_sign_in": now}
                if _hasher().check_needs_rehash(row.password_hash):
                    values["password_hash"] = _hasher().hash(password)
                done = conn.execute(
                    sa.update(USERS).where(this & free & ~USERS.c.disabled).values(**values)
                ).rowcount
                state = _user(conn.execute(sa.select(USERS).where(this)).one())
                if done:
                    actor = state.actor(roles.VIA_PASSWORD, origin)
                    audit.record(conn, actor, audit.SIGN_IN, username, roles.VIA_PASSWORD)
                elif state.locked(now):
                    refused, why = _locked_message(state.locked_until), "账户已锁定"
                else:
                    refused, why = "该账户已停用,请联系管理员。", "账户已停用"
            if refused:
                audit.record(conn, tried, audit.SIGN_IN_FAILED, username, why, user=username)
        if refused:
            raise SignInRefused(refused)
        return actor

    @_translated
    def sso(self, claims: dict, origin: str = "") -> Actor:
        """The actor of a person the office's identity provider signed in (st.user's claims):
        the account with that subject, else that e-mail; else the role the settings give
        unknown people, or SignInRefused. Records the sign-in."""
        subject = str(claims.get("sub") or "").strip()
        email = str(claims.get("email") or "").strip().lower()
        shown = email or subject
        tried = Actor("", Role.VIEWER, via=roles.VIA_SSO, origin=origin)
        refused = None
        with self._engine.begin() as conn:
            row = None
            if subject:
                row = conn.execute(sa.select(USERS).where(USERS.c.subject == subject)).first()
            if row is None and email:
                row = conn.execute(sa.select(USERS).where(USERS.c.email == email)).first()
            if row is None:
                unknown = settings.current().sso_unknown_role
                if unknown:
                    name = str(claims.get("name") or "")
                    actor = Actor(shown, Role(unknown), (), name, roles.VIA_SSO, origin)
                    audit.record(
                        conn, actor, audit.SIGN_IN, shown, f"{roles.VIA_SSO}(未登记的账户)"
                    )
                else:
                    refused = "您的账户尚未开通本系统的权限,请联系管理员。"
                    audit.record(conn, tried, audit.SIGN_IN_FAILED, shown, "单点登录账户未登记",
                                 user=shown)  # fmt: skip
            elif row.disabled:
                refused = "该账户已停用,请联系管理员。"
                audit.record(conn, tried, audit.SIGN_IN_FAILED, row.username, "账户已停用",
                             user=row.username)  # fmt: skip
            else:
                conn.execute(sa.update(USERS).where(USERS.c.username == row.username)
                             .values(last_sign_in=_now()))  # fmt: skip
                actor = _user(row).actor(roles.VIA_SSO, origin)
                audit.record(conn, actor, audit.SIGN_IN, row.username, roles.VIA_SSO)
        if refused:
            raise SignInRefused(refused)
        return actor

    @_translated
    def current(self, actor: Actor) -> Actor | None:
        """The actor again as the store has the account now (a role changed, an account
        disabled since the sign-in); None when it may no longer act. An SSO person without an
        account keeps the role the settings give."""
        if not actor.signed_in:
            return actor
        user = self.get(actor.user)
        if user is None:
            if actor.via == roles.VIA_SSO:
                unknown = settings.current().sso_unknown_role
                return actor if unknown and Role(unknown) is actor.role else None
            return None
        if user.disabled:
            return None
        return user.actor(actor.via, actor.origin)

    @_translated
    def record_sign_out(self, actor: Actor, idle: bool = False) -> None:
        audit.record(self._engine, actor, audit.IDLE_SIGN_OUT if idle else audit.SIGN_OUT,
                     actor.user)  # fmt: skip

    # --- helpers ------------------------------------------------------------------------------

    def _hash(self, password: str) -> str:
        length = settings.current().min_password_length
        if len(password) < length:
            raise ValueError(f"密码至少{length}个字符")
        return _hasher().hash(password)

    def _existing(self, conn: sa.Connection, username: str) -> User:
        row = conn.execute(sa.select(USERS).where(USERS.c.username == username)).first()
        if row is None:
            raise ValueError(f"没有名为“{username}”的账户")
        return _user(row)

    def _keep_an_admin(self, conn: sa.Connection, username: str) -> None:
        others = conn.execute(
            sa.select(sa.func.count()).select_from(USERS).where(
                (USERS.c.role == Role.ADMIN.value) & ~USERS.c.disabled
                & (USERS.c.username != username))
        ).scalar()  # fmt: skip
        if not others:
            raise Refused("这是唯一可用的管理员账户,不能停用或改为其他角色;请先添加另一位管理员。")


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher().verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _counties(role: Role, counties) -> tuple[str, ...]:
    counties = tuple(dict.fromkeys(c.strip() for c in counties if c and c.strip()))
    if role is Role.REPORTER and not counties:
        raise ValueError("区县填报账户须指定至少一个区县")
    return counties if role is Role.REPORTER else ()


def _describe(role: Role, counties: tuple[str, ...]) -> str:
    return role.value + (f"({'、'.join(counties)})" if counties else "")


UNKNOWN = "账户不存在或未设密码"
_TRAIL_HORIZON = timedelta(days=1)  # how far back a name without an account is remembered


def _unknown_attempt(
    conn: sa.Connection, username: str, now: datetime, own: settings.Settings
) -> tuple[str, str]:
    """(message, trail detail) for a wrong sign-in under a name without an account (or without
    a password): counted from the trail's failures under that name as an account counts them
    (max_failed_sign_ins in a row lock it for lockout_minutes, attempts while locked do not
    count), so that the answer never tells whether the account exists."""
    if conn.dialect.name == "postgresql":  # parallel attempts under one name take turns
        key = int.from_bytes(hashlib.sha256(username.encode()).digest()[:8], "big", signed=True)
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
    lockout = timedelta(minutes=own.lockout_minutes)
    times = audit.failed_sign_ins(conn, username, since=now - _TRAIL_HORIZON)
    failures, until = 0, None
    for at in [*times, now]:
        if until is not None and at < until:
            continue  # refused while locked: not counted
        until = None
        failures += 1
        if failures >= own.max_failed_sign_ins:
            failures, until = 0, at + lockout
    if until is not None:
        return _locked_message(until), f"{UNKNOWN}(按账户锁定答复)"
    return WRONG, UNKNOWN


def _locked_message(until: datetime) -> str:
    return f"连续输错密码次数过多,账户已锁定,请于{until:%H:%M}后再试,或请管理员重设密码。"


# --- signing in while the store cannot be read ------------------------------------------------

_recovery_lock = threading.Lock()
_recovery_failures: dict[str, list[float]] = {}  # name -> times of failed attempts (monotonic)


def recovery_sign_in(username: str, password: str, sources: list[str], origin: str = "") -> Actor:
    """An admin's sign-in while the store cannot be read (a damaged file), so that the admin can
    reach 数据管理 and restore a backup from the browser: the password is checked against the
    accounts of the first readable copy among `sources` (the damaged file read as it is, then
    the backups, newest first). Only an active admin of that copy is let in. Nothing can be
    recorded in the store: the failures are counted in this process, with the settings'
    lock-out (the same number of attempts, the same minutes), whether the name exists or not."""
    own = settings.current()
    username = username.strip()
    now = time.monotonic()
    window = own.lockout_minutes * 60
    with _recovery_lock:
        recent = [t for t in _recovery_failures.get(username, []) if now - t < window]
        _recovery_failures[username] = recent
        if len(recent) >= own.max_failed_sign_ins:
            until = datetime.now() + timedelta(seconds=window - (now - recent[0]))
            raise SignInRefused(_locked_message(until))
    row = None
    for url in sources:
        try:
            store = Store(url, migrate=False)
            try:
                with store.engine.connect() as conn:
                    row = conn.execute(sa.select(USERS).where(USERS.c.username == username)).first()
            finally:
                store.close()
        except (StoreError, sa.exc.SQLAlchemyError):
            continue
        break
    known = row is not None and bool(row.password_hash)
    correct = _verify(row.password_hash if known else _decoy(), password) and known
    if not correct:
        with _recovery_lock:
            _recovery_failures.setdefault(username, []).append(now)
        raise SignInRefused(WRONG)
    user = _user(row)
    if user.disabled or user.role is not Role.ADMIN:
        raise SignInRefused("数据库无法读取时只有管理员可以登录,以便从备份恢复;请联系管理员。")
    with _recovery_lock:
        _recovery_failures.pop(username, None)
    return user.actor(roles.VIA_PASSWORD, origin)
