"""A session id is not a key (issue 24 items 2 and 5), in headless Chromium against the real
server: a sign-in is bound to an HttpOnly, SameSite=Strict cookie; a browser that reconnects
with that cookie stays signed in; another browser presenting the signed-in session's id (in
Sec-WebSocket-Protocol, as Streamlit's frontend sends it on a reconnect) is signed out; an
upload to a session that may not import is refused, and a signed-in importer's is capped."""

from __future__ import annotations

import http.client
import re
import time
import uuid

from browser_kit import (
    ELEMENT_TIMEOUT,
    RUN_TIMEOUT,
    SIDEBAR,
    Server,
    open_page,
    sign_in,
    wait_for_run,
)

from core.access import browser as binding

# Every WebSocket the page opens is recorded (the protocols carry the session id on a
# reconnect); with window.__replay set, the session id presented is replaced by that one.
SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.__protocols = [];
  function Recorded(url, protocols) {
    let p = protocols;
    if (window.__replay && Array.isArray(p)) p = [p[0], p[1], window.__replay];
    window.__protocols.push(p);
    const ws = new Native(url, p);
    window.__ws = ws;
    return ws;
  }
  Recorded.prototype = Native.prototype;
  Object.assign(Recorded, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Recorded;
})();
"""


def _context(browser, server: Server, replay: str | None = None):
    context = browser.new_context(base_url=server.url, viewport={"width": 1600, "height": 900},
                                  locale="zh-CN")  # fmt: skip
    if replay:
        context.add_init_script(f"window.__replay = {replay!r};")
    context.add_init_script(SOCKETS)
    page = context.new_page()
    page.set_default_timeout(ELEMENT_TIMEOUT)
    return context, page


def _session_id(page) -> str:
    """The page's session id, as its frontend presents it when it reconnects (the socket is
    closed here; Streamlit's frontend opens a new one at once)."""
    page.evaluate("window.__ws.close()")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = page.evaluate("window.__protocols.map(p => p[2]).filter(Boolean)")
        if found:
            uuid.UUID(found[-1])
            return found[-1]
        time.sleep(0.2)
    raise AssertionError("the page did not reconnect with its session id")


def _cookie(context, name: str) -> dict | None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for c in context.cookies():
            if c["name"] == name:
                return c
        time.sleep(0.2)
    return None


def test_a_replayed_session_id_does_not_resume_a_sign_in(browser, server: Server):
    from playwright.sync_api import expect

    victim, page = _context(browser, server)
    try:
        open_page(page, "/")
        sign_in(page, server)
        cookie = _cookie(victim, binding.COOKIE)
        assert cookie is not None, "no sign-in cookie was set"
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and len(cookie["value"]) >= 40
        assert page.evaluate("document.cookie").find(binding.COOKIE) == -1  # not for scripts
        # The victim's own reconnect (a new WebSocket, the session's id, the cookie): still
        # signed in, and an admin-only page opens.
        session_id = _session_id(page)
        wait_for_run(page)
        sidebar = page.locator(SIDEBAR)
        sidebar.get_by_role("link", name="操作记录").click()
        wait_for_run(page, "操作记录")
        expect(sidebar.get_by_text(re.compile("^已登录"))).to_be_visible()

        attacker, other = _context(browser, server, replay=session_id)
        try:
            open_page(other, "/")
            assert other.evaluate("window.__protocols[0][2]") == session_id
            bar = other.locator(SIDEBAR)
            # The victim's session was reached (its sign-in is withdrawn, with the notice), and
            # nobody is signed in on the attacker's screen.
            expect(bar.get_by_text("登录状态已失效,请重新登录。")).to_be_visible(
                timeout=RUN_TIMEOUT
            )
            expect(bar.get_by_text(re.compile("^已登录"))).to_have_count(0)
            expect(bar.get_by_role("link", name="用户管理")).to_have_count(0)
        finally:
            attacker.close()
        assert "without its sign-in cookie: signed out" in server.log.read_text(errors="replace")
    finally:
        victim.close()


def _put(server: Server, session_id: str, cookies: dict[str, str], size: int,
         body: bytes | None = None) -> tuple[int, str]:  # fmt: skip
    """A PUT of a multipart file to the session's upload URL, as the frontend sends it."""
    boundary = "----briefing-test"
    payload = (
        body
        if body is not None
        else (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + b"x" * size
            + f"\r\n--{boundary}--\r\n".encode()
        )
    )
    host = server.url.removeprefix("http://")
    connection = http.client.HTTPConnection(host, timeout=30)
    connection.putrequest("PUT", f"/_stcore/upload_file/{session_id}/{uuid.uuid4()}")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(payload) if body is None else size))
    connection.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    connection.putheader("X-Xsrftoken", cookies.get("_streamlit_xsrf", ""))
    connection.putheader("Origin", server.url)
    connection.endheaders()
    if body is None:
        connection.send(payload)
    answer = connection.getresponse()
    text = answer.read().decode("utf-8", "replace")
    connection.close()
    return answer.status, text


def test_uploads_need_a_sign_in_that_may_import(browser, server: Server):
    context, page = _context(browser, server)
    try:
        open_page(page, "/")
        session_id = _session_id(page)
        wait_for_run(page)
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        assert "_streamlit_xsrf" in cookies and binding.COOKIE not in cookies
        status, text = _put(server, session_id, cookies, 1000)
        assert (status, text) == (403, "请先以有导入权限的账户登录,再上传文件。")
        # A made-up session, or a real one with a forged cookie: refused alike.
        forged = {**cookies, binding.COOKIE: "x" * 43}
        assert _put(server, session_id, forged, 1000)[0] == 403
        assert _put(server, str(uuid.uuid4()), cookies, 1000)[0] == 403

        sign_in(page, server)  # an admin may import: the same session's upload is accepted
        assert _cookie(context, binding.COOKIE) is not None
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        assert _put(server, session_id, cookies, 1000)[0] == 204
        # Beyond the session's cap: refused from the declared length, before any byte is read.
        status, text = _put(server, session_id, cookies, binding.UPLOAD_CAP_BYTES, body=b"")
        assert status == 413 and "450MB" in text
        # A viewer of the same browser after signing out: refused again.
        page.locator(SIDEBAR).get_by_role("button", name="退出登录").click()
        wait_for_run(page)
        assert _put(server, session_id, cookies, 1000)[0] == 403
    finally:
        context.close()
