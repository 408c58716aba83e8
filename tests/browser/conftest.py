"""Fixtures of the browser tests: Chromium, the app served on a free port with its own empty
store, and a fresh page per test (with a screenshot when the test fails)."""

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
from pathlib import Path

import pytest
from browser_kit import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ELEMENT_TIMEOUT,
    ROOT,
    SCREENSHOTS,
    SERVER_START_TIMEOUT,
    Server,
)


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Skip (or, with BRIEFING_REQUIRE_BROWSER=1, fail) when the browser cannot run here."""
    required = os.environ.get("BRIEFING_REQUIRE_BROWSER") == "1"
    problem = None
    if not CHROMIUM.exists():
        problem = (
            f"{CHROMIUM} not found: install Debian's chromium and fonts-noto-cjk "
            "(`make browser-deps` as root) to run the browser tests"
        )
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "playwright is not installed: `make install-test`"
    if problem:
        if required:
            pytest.fail(f"BRIEFING_REQUIRE_BROWSER=1 but {problem}")
        pytest.skip(problem)
    return CHROMIUM


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app on a free local port with its own empty store, once for the module."""
    folder = tmp_path_factory.mktemp("browser")
    database_url = f"sqlite:///{folder}/browser.sqlite"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = folder / "server.log"
    env = {**os.environ, "BRIEFING_DATABASE_URL": database_url,
           "BRIEFING_CACHE_DIR": str(folder / "snapshots")}  # fmt: skip
    env.pop("BRIEFING_DATA_DIR", None)  # a data folder would win over the store
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        # Others may edit the sources while the tests run: no "File change" banner, no reruns.
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while not _healthy(url):
                if proc.poll() is not None:
                    pytest.fail(f"streamlit exited with {proc.returncode}:\n{log_path.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"streamlit not healthy after {SERVER_START_TIMEOUT} s:\n"
                        f"{log_path.read_text()}"
                    )
                time.sleep(0.3)
            yield Server(url, database_url, log_path)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(chromium: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, server: Server, request: pytest.FixtureRequest):
    context = browser.new_context(
        base_url=server.url,
        viewport={"width": 1920, "height": 1080},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
    )
    pg = context.new_page()
    pg.set_default_timeout(ELEMENT_TIMEOUT)
    failed_before = request.session.testsfailed
    try:
        yield pg
        # The call's report is logged before teardown: a rise means this test just failed.
        if request.session.testsfailed > failed_before:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            stem = re.sub(r"[^\w-]+", "_", request.node.name)
            shot = SCREENSHOTS / f"FAILED_{stem}.png"
            pg.screenshot(path=str(shot), full_page=True)
            print(f"screenshot of the failure: {shot}")
    finally:
        context.close()
