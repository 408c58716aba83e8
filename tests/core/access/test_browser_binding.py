"""The pieces of a sign-in bound to the browser and of recovery (issue 24 items 2, 5 and 12),
without a browser: one-time, short-lived tickets; the cookie checked by its digest; uploads
only for a session registered as allowed, with the cookie, under the cap; an admin's sign-in
against a backup's accounts while the store is damaged, with the lock-out counted in memory.
(A store in a read-only folder: tests/browser/test_store_recovery_in_browser.py mounts one.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.access import browser
from core.access.users import WRONG, SignInRefused, Users, recovery_sign_in
from core.policy.roles import Role
from core.store import recovery
from core.store.versions import Store
from tests.access_kit import ADMIN, PASSWORD


def test_a_ticket_gives_its_secret_once_and_only_in_time():
    ticket, digest = browser.new_binding(now=1000.0)
    assert browser.pending(ticket, now=1000.0 + browser.TICKET_SECONDS)
    secret = browser.redeem(ticket, now=1001.0)
    assert secret and browser.matches(secret, digest) and browser.redeemed(ticket)
    assert browser.redeem(ticket, now=1002.0) is None  # once
    assert not browser.pending(ticket, now=1002.0)
    late, _ = browser.new_binding(now=2000.0)
    assert browser.redeem(late, now=2000.0 + browser.TICKET_SECONDS + 1) is None
    assert browser.redeem("made-up", now=2000.0) is None
    # Another secret, no cookie, a digest in place of the secret: no match.
    _, other = browser.new_binding()
    assert not browser.matches(secret, other)
    assert not browser.matches(None, digest) and not browser.matches(digest, digest)


def test_uploads_need_the_registered_session_its_cookie_and_room_under_the_cap():
    ticket, digest = browser.new_binding()
    secret = browser.redeem(ticket)
    session = "session-uploads"
    assert browser.upload_refusal(session, secret, 10)[0] == 403  # not registered
    browser.allow_uploads(session, digest)
    assert browser.upload_refusal(session, None, 10)[0] == 403  # no cookie
    assert browser.upload_refusal(session, "wrong", 10)[0] == 403
    assert browser.upload_refusal(session, secret, None)[0] == 411  # no length
    cap = browser.UPLOAD_CAP_BYTES
    assert browser.upload_refusal(session, secret, cap - 100) == (0, "")
    assert browser.upload_refusal(session, secret, 100) == (0, "")  # exactly the cap
    status, reason = browser.upload_refusal(session, secret, 1)
    assert status == 413 and "450MB" in reason
    assert browser.uploaded(session) == cap
    # Signed out: refused; signed in again in the same session: the bytes still count.
    browser.forbid_uploads(session)
    assert browser.upload_refusal(session, secret, 1)[0] == 403
    ticket, digest = browser.new_binding()
    secret = browser.redeem(ticket)
    browser.allow_uploads(session, digest)
    assert browser.upload_refusal(session, secret, 1)[0] == 413


def _store(folder: Path) -> str:
    url = f"sqlite:///{folder}/store.sqlite"
    store = Store(url)
    Users(store).add(ADMIN, "office-admin", Role.ADMIN, password=PASSWORD)
    Users(store).add(ADMIN, "viewer", Role.VIEWER, password=PASSWORD)
    store.close()
    return url


def test_while_the_store_is_damaged_an_admin_signs_in_against_a_backup(tmp_path, monkeypatch):
    monkeypatch.setenv(recovery.BACKUPS_SETTING, str(tmp_path / "backups"))
    url = _store(tmp_path)
    recovery.backup(url, actor=ADMIN)
    path = tmp_path / "store.sqlite"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    sources = recovery.account_sources(url)
    assert len(sources) == 2 and "backups" in sources[1]
    actor = recovery_sign_in("office-admin", PASSWORD, sources, "10.0.0.7")
    assert (actor.user, actor.role, actor.origin) == ("office-admin", Role.ADMIN, "10.0.0.7")
    with pytest.raises(SignInRefused, match="只有管理员"):
        recovery_sign_in("viewer", PASSWORD, sources)
    # Five wrong passwords lock the name (an unknown name alike), the right one included.
    for name in ("office-admin", "nobody"):
        for _ in range(5):
            with pytest.raises(SignInRefused) as refused:
                recovery_sign_in(name, "wrong password", sources)
            assert refused.value.message == WRONG
        with pytest.raises(SignInRefused, match="已锁定"):
            recovery_sign_in(name, PASSWORD, sources)
