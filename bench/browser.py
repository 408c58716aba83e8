"""The app served by `streamlit run` and driven in headless Chromium.

A page counts as drawn when the browser has received the run's `script_finished` message over
the websocket (so a run too quick for the status widget to show is still seen), its h1 is
visible, the status widget is hidden, its charts or map are on the page, and after a filter
change the scope sentence names the chosen county; then two animation frames are waited for, so
the browser has painted. Times are taken in the page (performance.now()): a load runs from the
start of the navigation, a filter change from the pointerdown on the option, to the moment the
page is drawn, so the driver's own latency is not counted. Of a filter change, the part after
the run's last message (script_finished) has arrived is the browser's drawing alone: no work of
the server's is left by then, so it is what Streamlit's frontend needs for the page's elements.
Bytes are the payloads of the websocket frames received (streamlit sends every element, chart
data included, as protobuf over that one websocket).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.composition import Composition, floor_path
from bench.pages import PAGES, ROOT, Page
from bench.proc import peak_mb
from core.store.versions import DATABASE_URL_SETTING

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1920, "height": 1080}
SERVER_START_TIMEOUT = 120  # s
RUN_TIMEOUT = 300_000  # ms: the first run at 100,000 projects loads the whole store
SETTLE_MS = 500  # untimed pause after a measurement: a rerun may follow the first run

STATUS_WIDGET = "[data-testid='stStatusWidget']"
EXCEPTION = "[data-testid='stException']"
SIDEBAR = "[data-testid='stSidebar']"
DRAWN = {
    "chart": "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg",
    "map": "[data-testid='stDeckGlJsonChart'] canvas",
}
# In the page: the title visible, the status widget gone, the charts or map there, the scope
# sentence naming the county; then two animation frames, so that the browser has painted.
STATE_JS = """([title, drawn, scope]) => {
  const visible = (e) => e !== null && e.checkVisibility();
  const status = document.querySelector("[data-testid='stStatusWidget']");
  const strong = [...document.querySelectorAll("[data-testid='stMarkdown'] strong")];
  return {
    title: [...document.querySelectorAll("h1")].some((h) => visible(h) && h.textContent.includes(title)),
    idle: !visible(status),
    drawn: drawn === null || document.querySelector(drawn) !== null,
    scope: scope === null || strong.some((e) => e.textContent.includes("范围:") && e.textContent.includes(scope)),
  };
}"""
DRAWN_JS = f"""(args) => {{
  const s = ({STATE_JS})(args);
  return s.title && s.idle && s.drawn && s.scope;
}}"""
PAINTED_JS = """async () => {
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now();
}"""
# The moment of the next pointerdown anywhere in the page (the click on a filter's option).
ARM_CLICK_JS = """() => {
  window.__benchClickAt = null;
  window.addEventListener("pointerdown", () => { window.__benchClickAt = performance.now(); },
                          { capture: true, once: true });
}"""
# The page's clock at each websocket message it receives, in order (to find when the run's last
# message arrived): a WebSocket subclass, so that the app's own code sees the usual class.
FRAME_CLOCK_JS = """(() => {
  const Native = window.WebSocket;
  window.__benchFrames = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", () => window.__benchFrames.push(performance.now()));
    }
  };
})()"""
FLOOR = Page("bench/floor_app.py", "/", "ok", None, has_scope=False)
FLOOR_CHARTS = 4  # the most charts a page of the app draws at once (投资增长)
FLOOR_WITH_CHARTS = Page(
    "bench/floor_app.py", f"/?charts={FLOOR_CHARTS}", "ok", "chart", has_scope=False
)
# …and 32 cards besides: 8 rows of a block, four columns and four cards; 78 elements with the
# charts, the title and the filter: about the overview's size when its cards were metric
# elements (69). Each page is also timed against its own floor (bench.composition).
FLOOR_CARDS = 32
FLOOR_WITH_ELEMENTS = Page(
    "bench/floor_app.py",
    f"/?charts={FLOOR_CHARTS}&cards={FLOOR_CARDS}",
    "ok",
    "chart",
    has_scope=False,
)
FLOOR_CHOICE = "城西区"  # the option of the floor's 区县 multiselect that a change picks
FLOOR_REPEATS = 3  # the floor is the denominator of every ratio: the median of a few visits


def floor_page(made_of: Composition) -> Page:
    """A page's own floor (bench.composition): as many elements, of the same kinds, with no work
    of the app's behind them; drawn when its map, or else a chart, is on screen."""
    return Page(FLOOR.script, floor_path(made_of), "ok", made_of.draws, has_scope=False)


class BrowserError(RuntimeError):
    pass


@dataclass
class Visit:
    """One page in a fresh browser context: opened by its link, then one filter changed."""

    load_s: float | None = None  # navigation → drawn
    filter_s: float | None = None  # option clicked → rerun drawn
    drawing_s: float | None = None  # of filter_s: after the run's last message arrived
    load_bytes: int | None = None
    filter_bytes: int | None = None
    error: str | None = None


@dataclass
class AppRun:
    """The app served on one store."""

    first_load_s: float | None  # server start → first page drawn
    visits: dict[str, Visit]  # by URL path
    peak_mb: float | None  # VmHWM of the server after every visit


@dataclass
class Floor:
    load_s: float
    filter_s: float
    load_bytes: int
    drawing_s: float  # of filter_s: after the run's last message arrived
    # The same page with FLOOR_CHARTS small charts that follow the filter: Streamlit's own cost
    # of a page with charts, none of the app's work behind it.
    charts_load_s: float | None = None
    charts_filter_s: float | None = None
    charts_bytes: int | None = None
    charts_drawing_s: float | None = None
    # The same with FLOOR_CARDS metric cards besides (78 elements).
    elements_load_s: float | None = None
    elements_filter_s: float | None = None
    elements_bytes: int | None = None
    elements_drawing_s: float | None = None


@dataclass
class OwnFloor:
    """A page's own floor measured (the median of FLOOR_REPEATS visits), or why it could not be."""

    load_s: float | None = None
    filter_s: float | None = None
    load_bytes: int | None = None
    drawing_s: float | None = None  # of filter_s: after the run's last message arrived
    error: str | None = None


# --- The server ----------------------------------------------------------------------------


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


class Server:
    """`streamlit run <script>` on a free local port; `started` is taken just before it starts.
    With `startup_check`, started as `make run` and the systemd unit start the app: the script
    run once through Streamlit's script health check as soon as the server answers (it loads
    the data and starts the background work); `startup_s` is how long that run took."""

    def __init__(
        self, script: str, log: Path, database_url: str | None = None, startup_check: bool = False
    ):
        self.startup_check = startup_check
        self.startup_s: float | None = None
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.script, self.log_path = script, log
        self.env = dict(os.environ)
        if database_url:
            self.env[DATABASE_URL_SETTING] = database_url
        self.proc: subprocess.Popen | None = None
        self.started = 0.0

    def __enter__(self) -> Server:
        command = [
            *(sys.executable, "-m", "streamlit", "run", self.script),
            *("--server.headless", "true", "--server.address", "127.0.0.1"),
            *("--server.port", str(self.port), "--browser.gatherUsageStats", "false"),
            # Others may edit the sources during a run: no file watcher, no surprise reruns.
            *("--server.fileWatcherType", "none"),
            *(("--server.scriptHealthCheckEnabled", "true") if self.startup_check else ()),
        ]
        self._log = self.log_path.open("wb")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = self.started + SERVER_START_TIMEOUT
        while not _healthy(self.url):
            if self.proc.poll() is not None or time.perf_counter() > deadline:
                self.__exit__()
                raise BrowserError(f"streamlit did not start:\n{self.log_tail()}")
            time.sleep(0.05)
        if self.startup_check:
            t0 = time.perf_counter()
            url = f"{self.url}/_stcore/script-health-check"
            with urllib.request.urlopen(url, timeout=SERVER_START_TIMEOUT) as r:
                r.read()
            self.startup_s = time.perf_counter() - t0
        return self

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self._log.close()

    def peak_mb(self) -> float | None:
        return peak_mb(self.proc.pid) if self.proc else None

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


# --- One page in one browser context -------------------------------------------------------


class Tab:
    """A fresh browser context and page that counts websocket bytes and finished script runs."""

    def __init__(self, browser, base_url: str):
        self.context = browser.new_context(
            base_url=base_url, viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(RUN_TIMEOUT)
        self.bytes = 0
        self.runs_finished = 0
        self.kinds: list[str] = []  # the type of each message received, in order
        self.page.add_init_script(FRAME_CLOCK_JS)
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: bytes | str) -> None:
        self.bytes += len(payload)
        if isinstance(payload, bytes):
            msg = ForwardMsg.FromString(payload)
            self.kinds.append(msg.WhichOneof("type"))
            if (
                msg.WhichOneof("type") == "script_finished"
                and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
            ):
                self.runs_finished += 1

    def close(self) -> None:
        self.context.close()

    def wait_drawn(self, page: Page, runs_before: int, county: str | None = None) -> float:
        """Until the run after `runs_before` finished runs is drawn (see the module's doc);
        returns the page's performance.now() at that moment, in ms."""
        deadline = time.perf_counter() + RUN_TIMEOUT / 1000
        while self.runs_finished <= runs_before:
            if time.perf_counter() > deadline:
                raise BrowserError(f"no finished script run on {page.path} in time")
            self.page.wait_for_timeout(5)  # lets playwright deliver the websocket events
        args = [page.title, DRAWN[page.draws] if page.draws else None]
        args.append(county if county and page.has_scope else None)
        try:
            # Checked in the page on every animation frame: no polling interval to wait out.
            self.page.wait_for_function(DRAWN_JS, arg=args, polling="raf", timeout=RUN_TIMEOUT)
        except Exception as exc:
            state = self.page.evaluate(STATE_JS, args)
            raise BrowserError(f"{page.path} not drawn: {state}") from exc
        return self.page.evaluate(PAINTED_JS)

    def open(self, page: Page) -> float:
        """Navigate to the page; returns the seconds from the navigation's start to drawn."""
        runs = self.runs_finished
        self.page.goto(page.path, wait_until="commit")
        return self.wait_drawn(page, runs) / 1000

    def settle(self) -> None:
        """Untimed: let a rerun that may follow the measured one finish."""
        self.page.wait_for_timeout(SETTLE_MS)
        self.page.locator(STATUS_WIDGET).wait_for(state="hidden")

    def error_box(self) -> str | None:
        boxes = self.page.locator(EXCEPTION)
        return f"error box: {boxes.first.inner_text()[:200]}" if boxes.count() else None

    def change(
        self, page: Page, pick: Callable[[], None], county: str | None
    ) -> tuple[float, float]:
        """Seconds from the click of `pick` (which changes a filter) to the rerun drawn, and of
        those the seconds after the run's last message arrived (the browser drawing alone)."""
        runs = self.runs_finished
        self.page.evaluate("() => { window.__benchFrames = []; }")  # nothing is in flight
        kinds_before = len(self.kinds)
        self.page.evaluate(ARM_CLICK_JS)
        pick()
        drawn = self.wait_drawn(page, runs, county)
        clicked = self.page.evaluate("() => window.__benchClickAt")
        if clicked is None:
            raise BrowserError(f"the filter change on {page.path} was not a click in the page")
        arrived = self.page.evaluate("() => window.__benchFrames")
        kinds = self.kinds[kinds_before:]
        finished = [i for i, k in enumerate(kinds[: len(arrived)]) if k == "script_finished"]
        if not finished:
            raise BrowserError(f"no script_finished among the messages of {page.path}'s change")
        return (drawn - clicked) / 1000, (drawn - arrived[finished[-1]]) / 1000


def _pick_county(tab: Tab, county: str) -> Callable[[], None]:
    """Open the sidebar's 区县 multiselect (untimed) and return the timed click on `county`."""
    p = tab.page
    box = p.locator(SIDEBAR).locator("[data-testid='stMultiSelect']").filter(has_text="区县")
    box.first.locator("input").first.click()
    option = p.get_by_role("option", name=county, exact=True)
    option.wait_for()

    def pick() -> None:
        option.click()
        p.keyboard.press("Escape")

    return pick


def visit(browser, base_url: str, page: Page, county: str) -> Visit:
    """Open `page` in a fresh context, then choose `county` in the sidebar; time both."""
    tab = Tab(browser, base_url)
    result = Visit()
    try:
        result.load_s = tab.open(page)
        result.load_bytes = tab.bytes
        result.error = tab.error_box()
        tab.settle()
        before = tab.bytes
        result.filter_s, result.drawing_s = tab.change(page, _pick_county(tab, county), county)
        result.filter_bytes = tab.bytes - before
        result.error = result.error or tab.error_box()
    except BrowserError as exc:
        result.error = str(exc).splitlines()[0][:200]
    except Exception as exc:  # a timeout or a crash of the page: reported, not fatal
        result.error = repr(exc).splitlines()[0][:200]
    finally:
        tab.close()
    return result


# --- Entry points --------------------------------------------------------------------------


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if len(known) == len(values) else None


def _combined(visits: list[Visit]) -> Visit:
    """Repeated visits of a page as one: the median of each figure, the first error."""
    return Visit(
        load_s=_median([v.load_s for v in visits]),
        filter_s=_median([v.filter_s for v in visits]),
        drawing_s=_median([v.drawing_s for v in visits]),
        load_bytes=_median([v.load_bytes for v in visits]),
        filter_bytes=_median([v.filter_bytes for v in visits]),
        error=next((v.error for v in visits if v.error), None),
    )


def measure_app(browser, database_url: str, county: str, work: Path, repeat: int = 1) -> AppRun:
    """Serve the app on the store; time its first load, then visit every page `repeat` times
    (the first filter change of a county may find the server's caches cold, later ones warm)."""
    with Server("app.py", work / "server.log", database_url) as server:
        tab = Tab(browser, server.url)
        try:
            tab.open(PAGES[0])
            first_load_s = time.perf_counter() - server.started
        except Exception as exc:
            raise BrowserError(
                f"the app's first page did not draw: {exc}\n{server.log_tail()}"
            ) from exc
        finally:
            tab.close()
        visits = {
            page.path: _combined([visit(browser, server.url, page, county) for _ in range(repeat)])
            for page in PAGES
        }
        return AppRun(first_load_s, visits, server.peak_mb())


def floor_server(work: Path) -> Server:
    """The one-line page's server, started once and kept for the whole run."""
    return Server(FLOOR.script, work / "floor.log")


def _floor_visits(browser, server: Server, page: Page) -> tuple[float, float, int, float]:
    loads, filters, sizes, drawings = [], [], [], []
    for _ in range(FLOOR_REPEATS):
        tab = Tab(browser, server.url)
        try:
            loads.append(tab.open(page))
            sizes.append(tab.bytes)
            tab.settle()
            total, drawing = tab.change(page, _pick_county(tab, FLOOR_CHOICE), None)
            filters.append(total)
            drawings.append(drawing)
        finally:
            tab.close()
    median = statistics.median
    return median(loads), median(filters), max(sizes), median(drawings)


def measure_floor(browser, server: Server) -> Floor:
    """The one-line page, timed like the app's pages: medians of a few visits; then the same
    page with FLOOR_CHARTS charts, and with FLOOR_CARDS cards besides."""
    floor = Floor(*_floor_visits(browser, server, FLOOR))
    (floor.charts_load_s, floor.charts_filter_s, floor.charts_bytes, floor.charts_drawing_s) = (
        _floor_visits(browser, server, FLOOR_WITH_CHARTS)
    )
    (
        floor.elements_load_s,
        floor.elements_filter_s,
        floor.elements_bytes,
        floor.elements_drawing_s,
    ) = _floor_visits(browser, server, FLOOR_WITH_ELEMENTS)
    return floor


def measure_own_floors(browser, server: Server, pages: list[Composition]) -> dict[str, OwnFloor]:
    """The own floor of each page's composition, by its URL path: each distinct floor once (the
    median of FLOOR_REPEATS visits), however many pages share it. A floor that fails is
    reported as such, the others still run."""
    out: dict[str, OwnFloor] = {}
    for made_of in pages:
        page = floor_page(made_of)
        if page.path in out:
            continue
        try:
            out[page.path] = OwnFloor(*_floor_visits(browser, server, page))
        except Exception as exc:
            out[page.path] = OwnFloor(error=str(exc).splitlines()[0][:200])
    return out
