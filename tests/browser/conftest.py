"""Fixtures of the browser tests: Chromium, the app served on a free port with its own empty
store, and a fresh page per test (with a screenshot when the test fails)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_kit import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ELEMENT_TIMEOUT,
    SCREENSHOTS,
    Server,
    app_server,
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


@pytest.fixture(scope="module")
def server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app on a free local port with its own empty store, once for the module."""
    with app_server(tmp_path_factory.mktemp("browser")) as running:
        yield running


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
