"""Who is at the screen: the sign-in (the app's own accounts, or the office's single sign-on by
st.login), the idle time-out, and whether viewing needs a sign-in (data/settings.toml [access]).

Core decides what the person may do (core.access); this module only finds out who it is. The
session keeps the account's name; every run reads the account again from the store, so a role
changed or an account disabled by an admin takes effect at the next click.
"""

from __future__ import annotations

import logging
import time

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from app_pages import common
from core.access.users import SignInRefused, Users
from core.base import settings
from core.policy import roles
from core.policy.roles import ANONYMOUS, Actor
from core.store.versions import READ_ONLY, StoreError

_log = logging.getLogger("briefing")
_ACTOR_KEY = "_actor"  # the signed-in Actor of this session
_ACTIVE_KEY = "_last_active"  # time.monotonic() of the session's last run
_NOTICE_KEY = "_sign_in_notice"  # a message for the next run (timed out, refused by SSO)
_SSO_REFUSED_KEY = "_sso_refused"
# Forwarding headers a reverse proxy adds: a request that carries one came from elsewhere,
# even when the proxy connects from this machine.
_PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-Ip")


@st.cache_resource
def _last_seen() -> dict[str, float]:
    """Single sign-on users' last activity, across the sessions of this server process: the
    identity cookie outlives a reload, the idle time-out must too."""
    return {}


def origin() -> str:
    """Where the request comes from, as the audit trail records it."""
    forwarded = _forwarded()
    if forwarded:
        return f"经代理:{forwarded}"
    return _ip() or "本机"


def _ip() -> str | None:
    """The browser's address; None on this machine (streamlit says None for 127.0.0.1/::1, and
    AppTest has no connection at all)."""
    ip = st.context.ip_address
    return ip if isinstance(ip, str) else None


def _forwarded() -> str:
    try:
        headers = st.context.headers
    except Exception:  # no request behind the run (AppTest)
        return ""
    for name in _PROXY_HEADERS:
        value = headers.get(name)
        if isinstance(value, str) and value:
            return value[:100]
    return ""


def is_local() -> bool:
    """The browser runs on the machine that serves the app (and not through a proxy)."""
    return _ip() is None and not _forwarded()


# The identity cookie is signed with [auth] cookie_secret: a short or example one could be
# guessed, and then anyone could forge a signed-in admin's cookie.
MIN_COOKIE_SECRET = 32
_EXAMPLE_SECRETS = ("change-me", "xxx", "请替换")


def sso_configured() -> bool:
    """.streamlit/secrets.toml has an [auth] section st.login can use, with a real secret."""
    try:
        section = st.secrets.get("auth")
    except (FileNotFoundError, KeyError, StreamlitSecretNotFoundError):
        return False
    if not section or not (section.get("client_id") or section.get("default")):
        return False
    secret = str(section.get("cookie_secret") or "")
    if len(secret) < MIN_COOKIE_SECRET or any(x in secret for x in _EXAMPLE_SECRETS):
        _log.warning("single sign-on is off: [auth] cookie_secret must be %d or more random "
                     "characters (python -c 'import secrets; print(secrets.token_urlsafe(48))')",
                     MIN_COOKIE_SECRET)  # fmt: skip
        return False
    return True


def _users() -> Users:
    return Users(common.store())


_RUN_KEY = "_run_actor"  # what current() found in this run, for the pages


def actor() -> Actor:
    """The actor app.py found at the start of this run (pages ask this, not current())."""
    found = st.session_state.get(_RUN_KEY)
    return found if found is not None else current()


def current() -> Actor:
    """Who is at the screen, once per run (app.py); see _current."""
    found = _current()
    st.session_state[_RUN_KEY] = found
    return found


def _current() -> Actor:
    """This session's actor: the signed-in account as the store has it now, after the idle
    time-out; else the anonymous viewer."""
    now = time.monotonic()
    idle = settings.current().idle_minutes * 60
    actor = st.session_state.get(_ACTOR_KEY)
    last = st.session_state.get(_ACTIVE_KEY, now)
    st.session_state[_ACTIVE_KEY] = now
    if actor is None and _sso_signed_in() and not st.session_state.get(_SSO_REFUSED_KEY):
        actor = _sso_sign_in()
    if actor is None:
        return ANONYMOUS
    seen = _last_seen().get(actor.user, last) if actor.via == roles.VIA_SSO else last
    if now - max(last, seen) > idle:
        _sign_out(actor, idle=True)
        st.session_state[_NOTICE_KEY] = (
            f"已超过{settings.current().idle_minutes:g}分钟没有操作,已自动退出登录。"
        )
        return ANONYMOUS
    if actor.via == roles.VIA_SSO:
        _last_seen()[actor.user] = now
    try:
        fresh = _users().current(actor)
    except StoreError:  # the database cannot be read: the account was valid at the last click
        return actor
    if fresh is None:  # disabled or removed since the sign-in
        _forget()
        st.session_state[_NOTICE_KEY] = "您的账户已被停用,已退出登录。"
        return ANONYMOUS
    st.session_state[_ACTOR_KEY] = fresh
    return fresh


def _sso_signed_in() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except Exception:  # no identity cookie support in this run
        return False


def _sso_sign_in() -> Actor | None:
    claims = {k: v for k, v in st.user.to_dict().items() if isinstance(v, str | int | float)}
    try:
        actor = _users().sso(claims, origin())
    except SignInRefused as refused:
        st.session_state[_SSO_REFUSED_KEY] = refused.message
        return None
    st.session_state[_ACTOR_KEY] = actor
    _last_seen()[actor.user] = time.monotonic()
    return actor


def _forget() -> None:
    st.session_state.pop(_ACTOR_KEY, None)
    st.session_state[_RUN_KEY] = ANONYMOUS


def _sign_out(actor: Actor, idle: bool = False) -> None:
    _users().record_sign_out(actor, idle=idle)
    _forget()
    if actor.via == roles.VIA_SSO:
        _last_seen().pop(actor.user, None)
        st.logout()  # clears the identity cookie; a new session begins


def _submitted() -> None:
    """The sign-in form's button: check the password in core, keep the account."""
    name = st.session_state.get("sign_in_user", "")
    password = st.session_state.get("sign_in_password", "")
    st.session_state["sign_in_password"] = ""  # never kept in the session
    try:
        actor = _users().sign_in(name, password, origin())
    except SignInRefused as refused:
        st.session_state[_NOTICE_KEY] = refused.message
        return
    except StoreError as problem:
        st.session_state[_NOTICE_KEY] = (
            "数据库目前是只读的,无法记录登录,暂时不能登录;请联系管理员。"
            if problem.kind == READ_ONLY
            else "数据库暂时无法读取,不能登录;请稍后再试或联系管理员。"
        )
        return
    st.session_state[_ACTOR_KEY] = actor
    st.session_state[_RUN_KEY] = actor
    st.session_state[_ACTIVE_KEY] = time.monotonic()
    st.session_state.pop(_NOTICE_KEY, None)


def _signed_out() -> None:
    actor = st.session_state.get(_ACTOR_KEY)
    if actor is not None:
        _sign_out(actor)


def form(where=st, expanded: bool = True) -> None:
    """The sign-in form (and the single sign-on button when configured)."""
    notice = st.session_state.pop(_NOTICE_KEY, None)
    if notice:
        where.warning(notice, icon=":material/lock:")
    refused = st.session_state.get(_SSO_REFUSED_KEY)
    if refused:
        where.error(refused, icon=":material/block:")
        if where.button("退出单点登录", key="sso_sign_out"):
            st.session_state.pop(_SSO_REFUSED_KEY, None)
            st.logout()
    with where.form("sign_in", clear_on_submit=False, border=expanded):
        st.text_input("账户", key="sign_in_user", autocomplete="username")
        st.text_input("密码", type="password", key="sign_in_password",
                      autocomplete="current-password")  # fmt: skip
        st.form_submit_button("登录", on_click=_submitted, icon=":material/login:", type="primary")
    if (
        sso_configured()
        and not refused
        and where.button(
            "单点登录",
            icon=":material/badge:",
            key="sso_sign_in",
            help="用本单位的统一身份认证登录",
        )
    ):
        st.login()


def sidebar(actor: Actor) -> None:
    """The foot of the sidebar: who is signed in and 退出登录, or the sign-in form."""
    sb = st.sidebar
    if actor.signed_in:
        sb.caption(common.plain(f"已登录:{actor.label()}"))
        sb.button("退出登录", icon=":material/logout:", on_click=_signed_out, key="sign_out")
        return
    with sb.expander("登录", icon=":material/login:", expanded=_NOTICE_KEY in st.session_state):
        st.caption("导入、回滚等操作需要登录;查看无需登录。")
        form(st, expanded=False)


def viewing_open() -> bool:
    """Whether this request may view without signing in ([access] viewing)."""
    rule = settings.current().viewing
    return rule == settings.VIEW_OPEN or (rule == settings.VIEW_LOCAL and is_local())


def gate(actor: Actor) -> None:
    """Stop the run with the sign-in form when viewing needs a sign-in and nobody is signed in."""
    if actor.signed_in or viewing_open():
        return
    st.title("请登录")
    st.caption(
        "本系统的数据仅供授权人员查看。请用本办发放的账户登录"
        + (",或使用单点登录。" if sso_configured() else "。")
    )
    left, _ = st.columns([1, 2])
    with left:
        form(st)
    st.stop()


def allowed(action: str) -> Actor:
    """A page that only some roles may open (core decides): its actor, or the refusal shown
    and the run stopped."""
    found = actor()
    try:
        roles.require(found, action)
    except roles.Refused as refused:
        st.error(common.plain(refused.message), icon=":material/block:")
        st.stop()
    return found
