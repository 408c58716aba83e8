"""Who is at the screen: the sign-in (the app's own accounts, or the office's single sign-on by
st.login), the idle time-out, and whether viewing needs a sign-in (data/settings.toml [access]).

Core decides what the person may do (core.access); this module only finds out who it is. The
session keeps the account's name; every run reads the account again from the store, so a role
changed or an account disabled by an admin takes effect at the next click.
"""

from __future__ import annotations

import dataclasses
import gc
import html
import logging
import threading
import time
from urllib.parse import parse_qs

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError
from streamlit.runtime.scriptrunner import get_script_run_ctx

from app_pages import common
from core.access import browser
from core.access.users import SignInRefused, Users, recovery_sign_in
from core.base import settings
from core.policy import roles
from core.policy.roles import ANONYMOUS, Actor
from core.store import recovery
from core.store.versions import CORRUPT, READ_ONLY, StoreError

_log = logging.getLogger("briefing")
_ACTOR_KEY = "_actor"  # the signed-in Actor of this session
_ACTIVE_KEY = "_last_active"  # time.monotonic() of the session's last run
_NOTICE_KEY = "_sign_in_notice"  # a message for the next run (timed out, refused by SSO)
_SSO_REFUSED_KEY = "_sso_refused"
_BOUND_KEY = "_sign_in_digest"  # the digest of the secret in the browser's sign-in cookie
_CONNECTION_KEY = "_sign_in_connection"  # the WebSocket connection known to hold that cookie
_TICKET_KEY = "_sign_in_ticket"  # the one-time ticket the browser exchanges for the cookie


@st.cache_resource
def _last_seen() -> dict[str, float]:
    """Single sign-on users' last activity, across the sessions of this server process: the
    identity cookie outlives a reload, the idle time-out must too."""
    return {}


def origin() -> str:
    """Where the request comes from, as the audit trail records it: the browser's address.
    Behind the reverse proxy on this machine (the socket's peer is this machine) that is the
    address nginx gives in X-Real-IP (or the last X-Forwarded-For entry, the one nginx added);
    a connection from elsewhere is named by its own peer address, whatever headers it sends."""
    peer = _ip()
    if peer is not None:
        return peer
    forwarded = _forwarded()
    return forwarded or "本机"


def _ip() -> str | None:
    """The browser's address; None on this machine (streamlit says None for 127.0.0.1/::1, and
    AppTest has no connection at all)."""
    ip = st.context.ip_address
    return ip if isinstance(ip, str) else None


def _forwarded() -> str:
    """The client's address a proxy on this machine forwarded ("" when none did)."""
    try:
        headers = st.context.headers
    except Exception:  # no request behind the run (AppTest)
        return ""
    real = headers.get("X-Real-Ip")
    if isinstance(real, str) and real.strip():
        return real.strip()[:100]
    chain = headers.get("X-Forwarded-For")
    if isinstance(chain, str) and chain.strip():
        return chain.split(",")[-1].strip()[:100]
    value = headers.get("Forwarded")
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
    if found is None:
        return current()
    # A widget's callback and a fragment's rerun come before app.py's run (or without one): a
    # connection that resumed the session without its sign-in cookie is signed out here too.
    if found.signed_in and not _bound():
        _log.warning("a signed-in session was resumed by a connection without its sign-in "
                     "cookie: signed out (%s, from %s)", found.user, origin())  # fmt: skip
        _forget()
        st.session_state[_NOTICE_KEY] = "登录状态已失效,请重新登录。"
        return ANONYMOUS
    return found


def current() -> Actor:
    """Who is at the screen, once per run (app.py); see _current."""
    install_gate()
    found = _current()
    if found.signed_in:
        found = dataclasses.replace(found, origin=origin())  # this connection's address
    st.session_state[_RUN_KEY] = found
    _register_uploads(found)
    _send_ticket()
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
    if not _bound():
        _log.warning("a signed-in session was resumed by a connection without its sign-in "
                     "cookie: signed out (%s, from %s)", actor.user, origin())  # fmt: skip
        _forget()
        st.session_state[_NOTICE_KEY] = "登录状态已失效,请重新登录。"
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
    _bind()
    _last_seen()[actor.user] = time.monotonic()
    return actor


def _forget() -> None:
    st.session_state.pop(_ACTOR_KEY, None)
    for key in (_BOUND_KEY, _CONNECTION_KEY, _TICKET_KEY):
        st.session_state.pop(key, None)
    st.session_state[_RUN_KEY] = ANONYMOUS


def _sign_out(actor: Actor, idle: bool = False) -> None:
    _users().record_sign_out(actor, idle=idle)
    _forget()
    if actor.via == roles.VIA_SSO:
        _last_seen().pop(actor.user, None)
        st.logout()  # clears the identity cookie; a new session begins


# --- The sign-in bound to the browser (core.access.browser) --------------------------------------


def _connection() -> object | None:
    """This run's WebSocket connection (Streamlit's client context: a new object for every
    connection, also when a session is resumed over a new one); None without one (AppTest,
    whose runs have no handshake: every WebSocket handshake carries a Sec-WebSocket-Key)."""
    try:
        key = st.context.headers.get("Sec-Websocket-Key")
    except Exception:
        return None
    if not isinstance(key, str):
        return None
    try:
        from streamlit.runtime.context import _get_client_context

        return _get_client_context() or key
    except Exception:  # another Streamlit: the handshake's random key names the connection
        return key


def _bind() -> None:
    """At a sign-in: a new secret for this browser's cookie, handed over by a one-time ticket
    (see _send_ticket); the connection that signed in is known to be the browser's."""
    ticket, digest = browser.new_binding()
    st.session_state[_BOUND_KEY] = digest
    st.session_state[_CONNECTION_KEY] = _connection()
    st.session_state[_TICKET_KEY] = ticket


def _bound() -> bool:
    """The run comes from the browser that signed in: over the connection it signed in on,
    or over a new one (a reconnect) that carries the sign-in cookie."""
    digest = st.session_state.get(_BOUND_KEY)
    if not digest:
        return False
    connection = _connection()
    known = st.session_state.get(_CONNECTION_KEY)
    if connection is known or (isinstance(known, str) and connection == known):
        return True
    try:
        cookie = st.context.cookies.get(browser.COOKIE)
    except Exception:  # no request behind the run
        cookie = None
    if browser.matches(cookie, digest):
        st.session_state[_CONNECTION_KEY] = connection
        return True
    return False


def _send_ticket() -> None:
    """Until the browser has exchanged the ticket, an invisible image asks the app's own route
    for it: the answer sets the HttpOnly, SameSite=Strict sign-in cookie."""
    ticket = st.session_state.get(_TICKET_KEY)
    if not ticket:
        return
    if not browser.pending(ticket):
        st.session_state.pop(_TICKET_KEY, None)
        return
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    url = ("/" + base if base else "") + f"{browser.BIND_PATH}?t={ticket}"
    st.sidebar.html(f'<img src="{html.escape(url)}" alt="" width="1" height="1" '
                    'style="position:absolute;opacity:0;pointer-events:none">')  # fmt: skip


def _register_uploads(actor: Actor) -> None:
    """Tell the HTTP layer whether this session may upload (core.access.browser)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    digest = st.session_state.get(_BOUND_KEY)
    if actor.signed_in and digest and roles.may(actor, roles.IMPORT):
        browser.allow_uploads(ctx.session_id, digest)
    else:
        browser.forbid_uploads(ctx.session_id)


_gate_lock = threading.Lock()
_gate_installed = False
_GIF = bytes.fromhex(
    "47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b"
)


def install_gate() -> None:
    """Put the app's HTTP gate in front of Streamlit's server, once per process: the route
    that turns a sign-in ticket into the cookie, and the refusal of uploads to a session that
    may not import (or beyond its cap). `streamlit run app.py` builds its Starlette app before
    the script runs, and has no setting for routes of the app's own: the gate wraps that app's
    middleware stack (found among the process's objects) the first time a script runs."""
    global _gate_installed
    if _gate_installed:
        return
    with _gate_lock:
        if _gate_installed:
            return
        for found in gc.get_objects():
            if type(found).__name__ == "Starlette" and hasattr(found, "middleware_stack"):
                if getattr(found, "_briefing_gate", False):
                    continue
                inner = found.middleware_stack or found.build_middleware_stack()
                found.middleware_stack = _Gate(inner)
                found._briefing_gate = True
        _gate_installed = True


def _cookie(headers: list[tuple[bytes, bytes]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            k, _, v = part.strip().partition("=")
            if k == name:
                return v
    return None


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class _Gate:
    """ASGI: the sign-in cookie route and the upload check, before Streamlit's own routes."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send) -> None:
        if scope.get("type") == "http":
            path = scope.get("path", "")
            if path.endswith(browser.BIND_PATH):
                await self._bind(scope, send)
                return
            if scope.get("method") == "PUT" and "/_stcore/upload_file/" in path:
                session_id = path.split("/_stcore/upload_file/", 1)[1].split("/", 1)[0]
                headers = scope.get("headers", [])
                length = _header(headers, b"content-length")
                size = int(length) if length and length.isdigit() else None
                status, reason = browser.upload_refusal(
                    session_id, _cookie(headers, browser.COOKIE), size
                )
                if status:
                    _log.warning("upload refused (%d): %s", status, reason)
                    await _answer(send, status, reason.encode("utf-8"),
                                  b"text/plain; charset=utf-8")  # fmt: skip
                    return
        await self.inner(scope, receive, send)

    @staticmethod
    async def _bind(scope, send) -> None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        secret = browser.redeem((query.get("t") or [""])[0])
        if secret is None:
            await _answer(send, 404, b"", b"text/plain")
            return
        headers = scope.get("headers", [])
        secure = (
            scope.get("scheme") == "https"
            or (_header(headers, b"x-forwarded-proto") or "").lower() == "https"
        )
        cookie = f"{browser.COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict"
        await _answer(send, 200, _GIF, b"image/gif",
                      [(b"set-cookie", (cookie + ("; Secure" if secure else "")).encode())])  # fmt: skip


async def _answer(send, status: int, body: bytes, kind: bytes, extra=()) -> None:
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store"), *extra]  # fmt: skip
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


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
        if problem.kind == CORRUPT:  # an admin may still sign in, to restore a backup
            try:
                actor = recovery_sign_in(name, password,
                                         recovery.account_sources(common.database_url_in_use(),
                                                                 backups=is_local()),
                                         origin())  # fmt: skip
            except SignInRefused as refused:
                st.session_state[_NOTICE_KEY] = refused.message
                return
        else:
            st.session_state[_NOTICE_KEY] = (
                "数据库目前是只读的,无法记录登录,暂时不能登录;请联系管理员。"
                if problem.kind == READ_ONLY
                else "数据库暂时无法读取,不能登录;请稍后再试或联系管理员。"
            )
            return
    st.session_state[_ACTOR_KEY] = actor
    st.session_state[_RUN_KEY] = actor
    st.session_state[_ACTIVE_KEY] = time.monotonic()
    _bind()
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


def fragment_guard() -> None:
    """At the top of a fragment (whose rerun skips app.py): a session signed out by this check,
    or viewing that needs a sign-in without one, reruns the whole app (its sign-in form)."""
    was = st.session_state.get(_RUN_KEY)
    now = actor()
    if (was is not None and was.signed_in and not now.signed_in) or (
        not now.signed_in and not viewing_open()
    ):
        st.rerun()


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
