"""The app in a real browser: every page draws without an error box, its scope sentence and its
charts or map; URL state opens a filtered view; a sidebar filter changes the figures and the URL;
a bad URL value gives a visible notice. Screenshots for a human look go to artifacts/screenshots.

Needs Debian's Chromium at /usr/bin/chromium (and fonts-noto-cjk for readable screenshots).
Without it the tests are skipped, unless BRIEFING_REQUIRE_BROWSER=1 makes that a failure.
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
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

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
RUN_TIMEOUT = 60_000  # ms: a page's script run, the first one loading the data
ELEMENT_TIMEOUT = 30_000  # ms: an element drawn once the run is over

DEFAULT_SCOPE = "范围:全市"
DEFAULT_COUNT = "106个"  # 项目数 on the default view: the annual report's 106 provincial projects

# name (for screenshots), URL path, the page's h1, what it must draw
PAGES = [
    ("overview", "/", "重大项目运行总览", "chart"),
    ("progress", "/progress", "项目推进情况", "chart"),
    ("growth", "/growth", "投资增长", "chart"),
    ("map", "/map", "项目地图", "map"),
    ("factors", "/factors", "要素保障", "chart"),
    ("indicators", "/indicators", "经济指标", None),
    ("briefing", "/briefing", "简报", None),
]

STATUS_WIDGET = "[data-testid='stStatusWidget']"
EXCEPTION = "[data-testid='stException']"
CHART = "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
MAP = "[data-testid='stDeckGlJsonChart'] canvas"
METRIC = "[data-testid='stMetric']"
METRIC_LABEL = "[data-testid='stMetricLabel']"
METRIC_VALUE = "[data-testid='stMetricValue']"
SIDEBAR = "[data-testid='stSidebar']"
ALERT = "[data-testid='stAlert'], [data-testid='stAlertContainer']"


# --- Fixtures ------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Server:
    url: str
    log: Path  # streamlit's output: the app's error details are redacted in the browser

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="module")
def server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app served by streamlit on a free local port, once for the module."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        # Others may edit the sources while the tests run: no "File change" banner, no reruns.
        "--server.fileWatcherType",
        "none",
    ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
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
            yield Server(url, log_path)
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
            pg.screenshot(path=str(shot))
            print(f"screenshot of the failure: {shot}")
    finally:
        context.close()


# --- Helpers -------------------------------------------------------------------------------


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


def full_page_screenshot(page, name: str, width: int, height: int) -> Path:
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


# --- Tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "path", "title", "draws"), PAGES, ids=[name for name, *_ in PAGES]
)
def test_page_renders(
    page, server: Server, name: str, path: str, title: str, draws: str | None
) -> None:
    from playwright.sync_api import expect

    open_page(page, path, title)
    assert_no_exception(page, server)
    expect(page.get_by_text(DEFAULT_SCOPE).first).to_be_visible()
    if draws == "chart":
        expect(page.locator(CHART).first).to_be_attached()
    elif draws == "map":
        expect(page.locator(MAP).first).to_be_attached()
    # Late errors (a chart spec the frontend rejects) show only after drawing.
    expect(page.locator(STATUS_WIDGET)).to_be_hidden(timeout=RUN_TIMEOUT)
    assert_no_exception(page, server)

    for width, height in ((1920, 1080), (1366, 768)):
        full_page_screenshot(page, name, width, height)
        assert_no_exception(page, server)


def test_url_opens_filtered_view(page, server: Server) -> None:
    from playwright.sync_api import expect

    open_page(page, "/?county=城东区&sector=产业项目", "重大项目运行总览")
    assert_no_exception(page, server)
    sentence = scope_sentence(page)
    expect(sentence).to_contain_text("城东区")
    expect(sentence).to_contain_text("产业项目")
    value = metric_value(page, "项目数")
    expect(value).to_be_visible()
    assert value.inner_text().strip() != DEFAULT_COUNT


def test_sidebar_filter_changes_figures_and_url(page, server: Server) -> None:
    from playwright.sync_api import expect

    open_page(page, "/", "重大项目运行总览")
    value = metric_value(page, "项目数")
    expect(value).to_have_text(DEFAULT_COUNT)
    assert "county=" not in page.url

    sidebar = page.locator(SIDEBAR)
    expect(sidebar.get_by_role("combobox", name="项目级别")).to_be_visible()

    county = sidebar.locator("[data-testid='stMultiSelect']").filter(has_text="区县").first
    county.locator("input").first.click()
    page.get_by_role("option", name="城东区", exact=True).click()
    page.keyboard.press("Escape")

    expect(value).not_to_have_text(DEFAULT_COUNT, timeout=RUN_TIMEOUT)
    wait_for_run(page, "重大项目运行总览")
    assert_no_exception(page, server)
    expect(metric_value(page, "项目数")).not_to_have_text(DEFAULT_COUNT)
    expect(scope_sentence(page)).to_contain_text("城东区")
    expect(page).to_have_url(re.compile(r"[?&]county="))


def test_bad_url_value_gives_notice(page, server: Server) -> None:
    from playwright.sync_api import expect

    open_page(page, "/?county=不存在区", "重大项目运行总览")
    assert_no_exception(page, server)
    notice = page.locator(ALERT).filter(has_text="不存在区").first
    expect(notice).to_be_visible()
    expect(scope_sentence(page)).to_contain_text(DEFAULT_SCOPE)
    expect(metric_value(page, "项目数")).to_have_text(DEFAULT_COUNT)


def test_chart_png_download(page, server: Server) -> None:
    """The 下载图表 menu hands out a 2× PNG named with the chart, the scope and the period."""
    from PIL import Image

    open_page(page, "/growth?county=城东区", "投资增长")
    assert_no_exception(page, server)
    page.get_by_role("button", name="下载图表").first.click()
    with page.expect_download(timeout=RUN_TIMEOUT) as info:
        page.get_by_role("button", name=re.compile("PNG图片")).first.click()
    download = info.value
    assert download.suggested_filename == "累计完成投资与年度计划_城东区_2026年2月.png"
    out = SCREENSHOTS.parent / "downloads" / download.suggested_filename
    out.parent.mkdir(parents=True, exist_ok=True)
    download.save_as(str(out))
    with Image.open(out) as img:
        assert img.format == "PNG"
        assert img.size[0] >= 2 * 760  # twice the chart's width, for slides
