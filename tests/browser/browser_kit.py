"""What the browser tests share: the Chromium settings, the waits and the page helpers.

Imported by name (`from browser_kit import …`): tests/browser is on sys.path when pytest runs
its modules, as the folder is not a package.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_TIMEOUT = 60  # seconds
RUN_TIMEOUT = 60_000  # ms: a page's script run (the first loads the data; a check reads files)
ELEMENT_TIMEOUT = 30_000  # ms: an element drawn once the run is over

STATUS_WIDGET = "[data-testid='stStatusWidget']"
EXCEPTION = "[data-testid='stException']"
CHART = "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
MAP = "[data-testid='stDeckGlJsonChart'] canvas"
METRIC = "[data-testid='stMetric']"
METRIC_LABEL = "[data-testid='stMetricLabel']"
METRIC_VALUE = "[data-testid='stMetricValue']"
SIDEBAR = "[data-testid='stSidebar']"
ALERT = "[data-testid='stAlert'], [data-testid='stAlertContainer']"


@dataclass(frozen=True)
class Server:
    url: str
    database_url: str  # the server's own fresh store
    log: Path  # streamlit's output: the app's error details are redacted in the browser

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def wait_for_run(page, title: str | None = None) -> None:
    """Until the script run is over: the title is drawn and the 'running' widget is gone."""
    from playwright.sync_api import expect

    h1 = page.locator("h1").filter(has_text=title) if title else page.locator("h1")
    expect(h1.first).to_be_visible(timeout=RUN_TIMEOUT)
    expect(page.locator(STATUS_WIDGET)).to_be_hidden(timeout=RUN_TIMEOUT)
    page.wait_for_timeout(500)  # settle: a rerun may start just after the first
    expect(page.locator(STATUS_WIDGET)).to_be_hidden(timeout=RUN_TIMEOUT)


def open_page(page, path: str, title: str | None = None) -> None:
    page.goto(path, wait_until="domcontentloaded")
    wait_for_run(page, title)


def assert_no_exception(page, server: Server) -> None:
    errors = page.locator(EXCEPTION)
    if errors.count():
        pytest.fail(
            f"error box on {page.url}: {errors.first.inner_text()}\n"
            f"--- streamlit log ---\n{server.log_tail()}"
        )


def metric_value(page, label: str):
    """The value element of the st.metric whose label is exactly `label`."""
    label_re = re.compile(rf"^\s*{re.escape(label)}\s*$")
    card = page.locator(METRIC).filter(has=page.locator(METRIC_LABEL).filter(has_text=label_re))
    return card.first.locator(METRIC_VALUE)


def scope_sentence(page):
    """The bold sentence under the title that says what the page is about."""
    return page.locator("[data-testid='stMarkdown'] strong").filter(has_text="范围:").first


def full_page_screenshot(page, name: str, width: int = 1920, height: int = 1080) -> Path:
    """Screenshot the whole page at a given window width.

    Streamlit scrolls inside `stMain`, not the document, so Playwright's `full_page` sees only
    the window: the window is made as tall as the content for the shot, then set back.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(800)  # relayout; charts and the map repaint at the new width
    content = "() => document.querySelector(\"[data-testid='stMain']\")?.scrollHeight ?? 0"
    tall = height
    for _ in range(3):  # a taller window can change the content height a little
        needed = max(height, page.evaluate(content))
        if needed == tall:
            break
        tall = needed
        page.set_viewport_size({"width": width, "height": tall})
        page.wait_for_timeout(500)
    path = SCREENSHOTS / f"{name}_{width}x{height}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": height})
    return path


ADMIN_USER = "office-admin"  # the admin account the browser tests sign in with


def account(server: Server, name: str = ADMIN_USER, role: str = "管理员", counties=()) -> str:
    """An account in the server's store, made through core like `python -m core user add`;
    returns its password."""
    from core.access.users import Users
    from core.store.versions import Store
    from tests.access_kit import ADMIN, PASSWORD

    store = Store(server.database_url)
    try:
        users = Users(store)
        if users.get(name) is None:
            users.add(ADMIN, name, role, password=PASSWORD, counties=tuple(counties))
    finally:
        store.close()
    return PASSWORD


def sign_in(page, server: Server, name: str = ADMIN_USER, password: str | None = None) -> None:
    """Sign in through the sidebar's 登录 form, as a person would (the account made if need
    be); a reload begins a new session, so a test signs in again after page.goto."""
    from playwright.sync_api import expect

    password = password or account(server, name)
    sidebar = page.locator(SIDEBAR)
    user_box = sidebar.get_by_label("账户", exact=True)
    if not user_box.is_visible():
        sidebar.locator("[data-testid='stExpander'] summary").filter(has_text="登录").click()
    user_box.fill(name)
    sidebar.get_by_label("密码", exact=True).fill(password)
    sidebar.locator("[data-testid='stFormSubmitButton'] button").click()
    expect(sidebar.get_by_text(re.compile("^已登录"))).to_be_visible(timeout=RUN_TIMEOUT)
    wait_for_run(page)


def open_signed_in(page, server: Server, path: str, title: str | None = None) -> None:
    open_page(page, path, title)
    sign_in(page, server)
    wait_for_run(page, title)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str, path: str = "/_stcore/health") -> bool:
    try:
        with urllib.request.urlopen(f"{url}{path}", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def started(command: list[str], url: str, log_path: Path, env: dict, health: str) -> Iterator:
    """A server process, until it answers `health`; stopped (by its own id) afterwards."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while not healthy(url, health):
                if proc.poll() is not None:
                    pytest.fail(
                        f"{command[2]} exited with {proc.returncode}:\n{log_path.read_text()}"
                    )
                if time.monotonic() > deadline:
                    pytest.fail(f"{command[2]} not up after {SERVER_START_TIMEOUT} s:\n"
                                f"{log_path.read_text()}")  # fmt: skip
                time.sleep(0.3)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@contextmanager
def app_server(
    folder: Path, *, port: int | None = None, args: tuple[str, ...] = (), env: dict | None = None
) -> Iterator[Server]:
    """The app on a (free) local port with its own empty store in `folder`."""
    database_url = f"sqlite:///{folder}/browser.sqlite"
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = folder / "server.log"
    environment = {**os.environ, "BRIEFING_DATABASE_URL": database_url,
                   "BRIEFING_CACHE_DIR": str(folder / "snapshots"), **(env or {})}  # fmt: skip
    environment.pop("BRIEFING_DATA_DIR", None)  # a data folder would win over the store
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        # Others may edit the sources while the tests run: no "File change" banner, no reruns.
        "--server.fileWatcherType", "none",
        *args,
    ]  # fmt: skip
    with started(command, url, log_path, environment, "/_stcore/health"):
        yield Server(url, database_url, log_path)
