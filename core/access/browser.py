"""A password sign-in bound to the browser that made it, and uploads only for sessions that may
import (issue 24 items 2 and 5).

A Streamlit session id travels in the WebSocket handshake and in every upload URL: whoever
presents it resumes the session. So a sign-in is bound to something only the signing-in browser
holds: at sign-in the server makes a one-time ticket, short-lived and kept here, that the
browser exchanges (an HTTP request the app serves itself) for an HttpOnly, SameSite=Strict
cookie holding a random secret; the session keeps only the secret's digest. A run whose
connection is not the one that signed in, and whose cookies do not carry the secret, is signed
out.

Uploads: the HTTP layer refuses an upload to a session that is not registered here as allowed
to import (by the session's run, which knows the actor) or whose request lacks that session's
cookie, and charges every upload against a per-session cap of bytes.

The registry is this process's memory: a session lives in one process (sticky sessions).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

COOKIE = "briefing_signin"  # the HttpOnly cookie a sign-in is bound to
BIND_PATH = "/_briefing/bind"  # the app's own route that turns a ticket into the cookie
TICKET_SECONDS = 120.0  # a ticket not exchanged by then is void
# Bytes one session may upload, in all: two files at the uploader's 200 MB limit and change.
UPLOAD_CAP_BYTES = 450 * 1024 * 1024

_lock = threading.Lock()
_tickets: dict[str, tuple[float, str]] = {}  # ticket -> (expires at, the cookie's secret)
_redeemed: set[str] = set()  # tickets exchanged (kept until they would have expired)


@dataclass
class _Uploads:
    digest: str  # the session's sign-in secret's digest: the upload must carry the cookie
    used: int = 0  # bytes uploaded so far in this session


_uploads: dict[str, _Uploads] = {}  # session id -> what it may still upload


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def matches(cookie: str | None, expected: str | None) -> bool:
    """The cookie carries the secret whose digest the session keeps."""
    if not isinstance(cookie, str) or not cookie or not expected:
        return False
    return hmac.compare_digest(digest(cookie), expected)


def new_binding(now: float | None = None) -> tuple[str, str]:
    """At a sign-in: (the one-time ticket for the browser, the digest the session keeps)."""
    now = time.monotonic() if now is None else now
    ticket = secrets.token_urlsafe(32)
    secret = secrets.token_urlsafe(32)
    with _lock:
        _sweep(now)
        _tickets[ticket] = (now + TICKET_SECONDS, secret)
    return ticket, digest(secret)


def redeem(ticket: str, now: float | None = None) -> str | None:
    """The ticket's secret, once, within its time; None for an unknown, used or late one."""
    now = time.monotonic() if now is None else now
    with _lock:
        found = _tickets.pop(ticket, None)
        if found is None or found[0] < now:
            return None
        _redeemed.add(ticket)
        return found[1]


def redeemed(ticket: str) -> bool:
    with _lock:
        return ticket in _redeemed


def pending(ticket: str, now: float | None = None) -> bool:
    """The ticket is still waiting for the browser (neither exchanged nor expired)."""
    now = time.monotonic() if now is None else now
    with _lock:
        found = _tickets.get(ticket)
        return found is not None and found[0] >= now


def _sweep(now: float) -> None:
    for ticket, (expires, _) in list(_tickets.items()):
        if expires < now:
            del _tickets[ticket]
    if len(_redeemed) > 10_000:
        _redeemed.clear()


def allow_uploads(session_id: str, sign_in_digest: str) -> None:
    """This session's actor may import: uploads carrying its cookie are accepted (up to the
    cap, counted from the session's first upload on)."""
    with _lock:
        found = _uploads.get(session_id)
        if found is None or found.digest != sign_in_digest:
            _uploads[session_id] = _Uploads(sign_in_digest, found.used if found else 0)


def forbid_uploads(session_id: str) -> None:
    """This session may not import (signed out, a viewer's role): its uploads are refused."""
    with _lock:
        found = _uploads.get(session_id)
        if found is not None:
            # The bytes already counted stay counted if the session signs in again.
            _uploads[session_id] = _Uploads("", found.used)


def upload_refusal(session_id: str, cookie: str | None, size: int | None) -> tuple[int, str]:
    """(0, "") when an upload of `size` bytes to this session is accepted (and charged);
    otherwise the HTTP status and a Chinese reason."""
    with _lock:
        found = _uploads.get(session_id)
        if found is None or not found.digest or not matches(cookie, found.digest):
            return 403, "请先以有导入权限的账户登录,再上传文件。"
        if size is None:
            return 411, "上传请求缺少长度,已拒绝。"
        if found.used + size > UPLOAD_CAP_BYTES:
            return 413, (
                f"本页面上传的文件已超过{UPLOAD_CAP_BYTES // (1024 * 1024)}MB的上限,"
                "请刷新页面、重新登录后再上传。"
            )
        found.used += size
        return 0, ""


def uploaded(session_id: str) -> int:
    """Bytes this session has uploaded (for tests and the log)."""
    with _lock:
        found = _uploads.get(session_id)
        return found.used if found else 0
