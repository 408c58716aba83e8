"""What the browser tests share: the Chromium settings, the waits and the page helpers.

Imported by name (`from browser_kit import …`): tests/browser is on sys.path when pytest runs
its modules, as the folder is not a package.
"""

from __future__ import annotations

import re
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
