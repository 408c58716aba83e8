"""The meeting of thirty: concurrent sessions that speak Streamlit's own protocol.

Each session is what a laptop in the meeting room does, minus the drawing: it loads the page
(the HTML, which is also where nginx gives it its route cookie), opens the WebSocket
(/_stcore/stream), asks for a run of the overview, then changes the 区县 filter to one county
(the county widget's state, as the browser sends it), then opens 项目进度 (the page's script hash
and the link's query string, as the browser's page switch does). A step counts as done when the
server has sent the run's `script_finished`: every element of the page has reached the client.
The page's title and, after the filter change, the scope sentence naming the county must be
among the elements; an error element, a failed run, a lost connection or a step longer than
STEP_TIMEOUT is an error. What a browser then needs to draw the elements is measured once per
page, on an idle server, by the page benchmark (`python -m bench`, "Chromium" columns).

Sessions start together (thirty people opening the link at once) and take each step as soon as
the previous one is done. The run is bounded: every step has a timeout, and only 127.0.0.1 is
contacted.
"""

from __future__ import annotations

import asyncio
import ssl
import statistics
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

STEP_TIMEOUT = 120.0  # s: a step that takes longer counts as an error, and the session ends
STEPS = ("open overview", "change county", "open 项目进度")
OVERVIEW_TITLE = "重大项目运行总览"
PROGRESS_TITLE = "项目推进情况"
PROGRESS_PATH = "progress"
COUNTY_LABEL = "区县"


@dataclass
class SessionResult:
    county: str
    times: dict[str, float] = field(default_factory=dict)  # step → seconds
    error: str | None = None


@dataclass
class RunResult:
    sessions: list[SessionResult]
    wall_s: float

    def times(self, step: str) -> list[float]:
        return [s.times[step] for s in self.sessions if step in s.times]

    def errors(self) -> list[str]:
        return [f"{s.county}: {s.error}" for s in self.sessions if s.error]


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: list[float]) -> tuple[float | None, float | None, float | None]:
    """p50, p95 and max."""
    if not values:
        return None, None, None
    return statistics.median(values), percentile(values, 95), max(values)


class StepError(RuntimeError):
    pass


def _insecure() -> ssl.SSLContext:
    """The local deployment's certificate is self-signed; only 127.0.0.1 is contacted."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _check_local(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost"):
        raise ValueError(f"the session benchmark only contacts this machine, not {host}")


def _load_page(base_url: str, path: str) -> str:
    """GET the page's HTML like a browser; returns the Cookie header to send back (nginx's
    route cookie), or "" without one."""
    request = urllib.request.Request(base_url + path)
    handlers = [urllib.request.HTTPSHandler(context=_insecure())]
    with urllib.request.build_opener(*handlers).open(request, timeout=STEP_TIMEOUT) as response:
        response.read()
        cookies = response.headers.get_all("Set-Cookie") or []
    return "; ".join(c.split(";", 1)[0] for c in cookies)


async def _connect(base_url: str, path: str):
    """The page loaded like a browser (nginx's route cookie kept), then its WebSocket."""
    cookie = await asyncio.to_thread(_load_page, base_url, path)
    ws_url = base_url.replace("http", "ws", 1) + "/_stcore/stream"
    return await websockets.connect(
        ws_url,
        subprotocols=["streamlit"],
        additional_headers={"Cookie": cookie} if cookie else {},
        ssl=_insecure() if ws_url.startswith("wss") else None,
        max_size=None,
        open_timeout=STEP_TIMEOUT,
    )


class Session:
    """One client on one WebSocket: runs scripts and reads what the server sends back."""

    def __init__(self, base_url: str, ws) -> None:
        self.base_url = base_url
        self.ws = ws
        self.query_string = ""
        self.pages: dict[str, str] = {}  # url path ("" for the main page) → page script hash
        self.page_hash = ""
        self.county_id: str | None = None
        self.deltas = 0  # elements (deltas) the last run sent

    async def run(self, path: str, widgets: list | None = None) -> list[str]:
        """Ask for a run of the page at `path`; returns the texts of the elements received."""
        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query_string
        if path in self.pages:
            self.page_hash = self.pages[path]
            state.page_script_hash = self.page_hash
        state.page_name = path
        for widget in widgets or []:
            state.widget_states.widgets.append(widget)
        state.context_info.timezone = "Asia/Shanghai"
        state.context_info.locale = "zh-CN"
        state.context_info.url = f"{self.base_url}/{path}"
        if self.query_string:
            state.context_info.url += "?" + self.query_string
        self.deltas = 0
        await self.ws.send(back.SerializeToString())
        return await self._until_finished()

    async def _until_finished(self) -> list[str]:
        texts: list[str] = []
        while True:
            raw = await self.ws.recv()
            if isinstance(raw, str):
                continue
            msg = ForwardMsg.FromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "navigation":
                for page in msg.navigation.app_pages:
                    self.pages[page.url_pathname] = page.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif kind == "delta":
                self.deltas += 1
                self._element(msg, texts)
            elif kind == "script_finished":
                if msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                    return texts
                if msg.script_finished in (
                    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
                    ForwardMsg.FINISHED_EARLY_FOR_RERUN,
                ):
                    raise StepError(
                        f"run ended: {ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)}"
                    )
                # FINISHED_FRAGMENT_RUN_SUCCESSFULLY: a fragment's run, not the page's

    def _element(self, msg: ForwardMsg, texts: list[str]) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            raise StepError(f"error element: {element.exception.message[:200]}")
        if kind in ("markdown", "heading"):
            texts.append(getattr(element, kind).body)
        elif kind == "multiselect" and element.multiselect.label == COUNTY_LABEL:
            self.county_id = element.multiselect.id

    def county_state(self, county: str):
        """The 区县 filter set to `county`, as the browser sends it; like the browser, the link's
        query string then carries it too (the filter is bound to the URL)."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        if self.county_id is None:
            raise StepError("the 区县 filter was not among the elements")
        params = [(k, v) for k, v in parse_qsl(self.query_string) if k != "county"]
        self.query_string = urlencode([*params, ("county", county)])
        state = WidgetState(id=self.county_id)
        state.string_array_value.data.append(county)
        return state


def _expect(texts: list[str], title: str, county: str | None = None) -> None:
    joined = "\n".join(texts).replace("\\", "")
    if title not in joined:
        raise StepError(f"the page's title {title} was not sent")
    if county and not any("范围:" in t.replace("\\", "") and county in t for t in texts):
        raise StepError(f"the scope sentence does not name {county}")


async def _session(base_url: str, county: str, start: asyncio.Event) -> SessionResult:
    result = SessionResult(county)
    await start.wait()
    step = STEPS[0]
    try:
        async with asyncio.timeout(STEP_TIMEOUT):
            t0 = time.perf_counter()
            ws = await _connect(base_url, "/")
        async with ws:
            session = Session(base_url, ws)
            async with asyncio.timeout(STEP_TIMEOUT):
                _expect(await session.run(""), OVERVIEW_TITLE)
            result.times[step] = time.perf_counter() - t0

            step = STEPS[1]
            t0 = time.perf_counter()
            async with asyncio.timeout(STEP_TIMEOUT):
                texts = await session.run("", [session.county_state(county)])
            _expect(texts, OVERVIEW_TITLE, county)
            result.times[step] = time.perf_counter() - t0

            step = STEPS[2]
            t0 = time.perf_counter()
            async with asyncio.timeout(STEP_TIMEOUT):
                texts = await session.run(PROGRESS_PATH, [session.county_state(county)])
            _expect(texts, PROGRESS_TITLE, county)
            result.times[step] = time.perf_counter() - t0
    except TimeoutError:
        result.error = f"{step}: no complete page within {STEP_TIMEOUT:.0f} s"
    except Exception as exc:  # a refused connection, a closed socket, an error element
        result.error = f"{step}: {type(exc).__name__}: {str(exc)[:200]}"
    return result


async def _run(base_url: str, counties: list[str]) -> RunResult:
    start = asyncio.Event()
    tasks = [asyncio.create_task(_session(base_url, c, start)) for c in counties]
    await asyncio.sleep(0.1)  # every session waiting at the start line
    t0 = time.perf_counter()
    start.set()
    sessions = await asyncio.gather(*tasks)
    return RunResult(list(sessions), time.perf_counter() - t0)


def run(base_url: str, counties: list[str], sessions: int) -> RunResult:
    """`sessions` sessions at once against the app at `base_url` (http(s)://127.0.0.1:port);
    session i changes the filter to counties[i % len(counties)]."""
    _check_local(base_url)
    chosen = [counties[i % len(counties)] for i in range(sessions)]
    return asyncio.run(_run(base_url.rstrip("/"), chosen))


def warm_up(base_url: str) -> float:
    """One session that loads the data (the 数据管理 page computes no scope): a server that has
    been running has its data loaded; the scopes' work is what the sessions measure."""
    _check_local(base_url)

    async def one() -> None:
        url = base_url.rstrip("/")
        async with await _connect(url, "/data") as ws, asyncio.timeout(600):
            await Session(url, ws).run("data")

    started = time.perf_counter()
    asyncio.run(one())
    return time.perf_counter() - started


def first_visit(base_url: str) -> float:
    """Seconds for one visitor to see the whole overview, from loading the page: on a server
    just started, the data's load included (the first visitor after a server start)."""
    _check_local(base_url)

    async def one() -> float:
        url = base_url.rstrip("/")
        t0 = time.perf_counter()
        async with await _connect(url, "/") as ws, asyncio.timeout(600):
            _expect(await Session(url, ws).run(""), OVERVIEW_TITLE)
        return time.perf_counter() - t0

    return asyncio.run(one())


@dataclass
class PageCpu:
    path: str  # the page's url path ("" for the overview)
    cpu_ms: float  # server CPU per script run (a filter change), median of the rounds
    wall_ms: float  # from asking to the run's last message, median
    elements: int  # elements (deltas) the run sent


def page_cpu(base_url: str, pid: int, paths: list[str], counties: list[str], runs: int = 8):
    """Server CPU time per script run of each page, one session alone on the server: the page
    opened (untimed), then `runs` filter changes alternating between two counties (each seen
    once before, untimed): the steady cost of a rerun, Streamlit's and the app's."""
    from bench.proc import cpu_s

    _check_local(base_url)
    pair = (counties + counties)[:2]
    if not paths:
        return []

    async def one() -> list[PageCpu]:
        url = base_url.rstrip("/")
        out = []
        async with await _connect(url, "/") as ws, asyncio.timeout(1800):
            session = Session(url, ws)
            await session.run("")
            for path in paths:
                session.county_id = None
                await session.run(path)

                def widgets(i: int) -> list:  # a page without the 区县 filter: plain reruns
                    return [session.county_state(pair[i % 2])] if session.county_id else []

                for i in range(2):  # each county's figures computed once, untimed
                    await session.run(path, widgets(i))
                cpu, wall, sent = [], [], 0
                for i in range(runs):
                    before, t0 = cpu_s(pid), time.perf_counter()
                    texts = await session.run(path, widgets(i))
                    wall.append(time.perf_counter() - t0)
                    cpu.append(cpu_s(pid) - before)
                    sent = session.deltas
                    del texts
                # /proc counts CPU in clock ticks (10 ms): the mean of the rounds, not a median
                out.append(PageCpu(path, sum(cpu) / runs * 1000,
                                   statistics.median(wall) * 1000, sent))  # fmt: skip
        return out

    return asyncio.run(one())
