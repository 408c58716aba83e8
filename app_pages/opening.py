"""Every county ready: the opening view's figures and charts of every county, computed in the
background once the data are loaded, so that a county's first view reads them instead of
computing them (0.2–0.3 s at 100,000 projects, 0.03 s once computed).

`start(p)` is called by the pages each run (cheap: once per data version it starts the work).
One thread for the whole process, a county at a time; a newer data version (an import, a
roll-back) replaces the one being warmed. Script runs come first: before each county the thread
waits until no script run is in flight (`running()` wraps every run of app.py), so the first
visitor after a server start does not share the interpreter with it (at 100,000 projects the
warming took 44% of the server's samples during that first visit, 6.1 s). Not at a lower CPU priority: a
session that asks for a county the thread is computing waits for its result (core.base.memo),
and at nice 19 on a busy machine that wait was longer than computing it (bench --sessions 30:
the county step's p95 4.3–5.3 s, 2.8–3.7 s before warming, on a machine shared at the time).
Nothing is warmed under AppTest (no Streamlit server): the tests count what a page computes.

The overview's charts are named and built here (`overview_charts`), for the page and for the
warming alike, so that both fill the same entries of the data's memo.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

from streamlit import runtime

from app_pages.widgets import screen_spec
from core.base.periods import Convention
from core.figures import alerts as A
from core.figures import collection
from core.figures import measures as M
from core.figures.scope import Scope, default_level
from core.output import charts
from core.output.charts import ChartOut
from core.store.portfolio import Portfolio

PAUSE = 0.05  # s between two counties: a page being drawn gets the interpreter meanwhile


def ranking_chart(p: Portfolio, scope: Scope, conv: Convention, schedule: float) -> tuple:
    """The overview's county ranking as (memo key, build)."""
    return (
        ("county_ranking", scope, conv),
        lambda: charts.county_ranking(M.county_ranking(p, scope.citywide(), conv), scope, schedule),
    )


def sector_chart(p: Portfolio, scope: Scope, conv: Convention) -> tuple:
    """The overview's sector composition as (memo key, build)."""
    return (
        ("sector_composition", scope, conv),
        lambda: charts.sector_composition(M.sector_breakdown(p, scope, conv), scope),
    )


def funding_chart(scope: Scope, funding) -> tuple:
    """The overview's funding by source (M.funding_by_source, not empty) as (memo key, build)."""
    return (("funding_by_source", scope), lambda: charts.funding_by_source(funding, scope))


def overview_charts(
    p: Portfolio, scope: Scope, conv: Convention, schedule: float
) -> list[tuple[tuple, Callable[[], ChartOut]]]:
    """The overview's charts of a scope as (memo key, build): those the page draws."""
    out = [ranking_chart(p, scope, conv, schedule), sector_chart(p, scope, conv)]
    funding = M.funding_by_source(p, scope)
    if len(funding):
        out.append(funding_chart(scope, funding))
    return out


def opening_scopes(p: Portfolio) -> list[Scope]:
    """The scopes a visitor opens first: the whole city, then each county, with the sidebar's
    defaults (the latest period, the opening level)."""
    level = default_level(p.is_demo)
    city = Scope(p.latest_period, level=level, opening_level=level)
    return [city, *(Scope(city.period, counties=(c,), level=level, opening_level=level)
                    for c in p.counties)]  # fmt: skip


def warm_scope(p: Portfolio, scope: Scope, conv: Convention) -> None:
    """Compute what the opening pages show of one scope, into the data's memo: the overview's
    figures, charts and their specs, the progress table and the alerts."""
    this, _ = M.year_figures_with_last_year(p, scope, conv)
    if not M.in_scope(p, scope).any():
        return
    collection.collection(p, scope)
    M.funding_by_channel(p, scope)
    M.funding_by_channel(p, scope, scope.period.same_period_last_year())
    M.pipeline(p, scope)
    M.industry_figures(p, scope)
    if this.count:
        for key, build in overview_charts(p, scope, conv, this.schedule):
            c = p.memo(("chart", *key), build)
            p.memo(("chart_spec", *key, "screen"), lambda c=c: screen_spec(c.chart))
    M.progress_table(p, scope, conv)
    A.alerts(p, scope, conv)


def warm(
    p: Portfolio, conv: Convention | None = None, still_wanted=lambda: True, turn=lambda: None
) -> int:
    """Warm every opening scope of `p` in turn, while `still_wanted()`, calling `turn()` (which
    may wait) before each; how many were done."""
    conv = conv or Convention.default()
    done = 0
    for scope in opening_scopes(p):
        turn()
        if not still_wanted():
            break
        warm_scope(p, scope, conv)
        done += 1
        time.sleep(PAUSE)
    return done


_runs = threading.Condition()
_in_flight = [0]  # script runs of app.py in progress in this process


@contextlib.contextmanager
def running() -> Iterator[None]:
    """One script run in progress: the warming waits for its end before its next scope."""
    with _runs:
        _in_flight[0] += 1
    try:
        yield
    finally:
        with _runs:
            _in_flight[0] -= 1
            _runs.notify_all()


def _quiet() -> None:
    """Return once no script run is in flight (at once if none is)."""
    with _runs:
        _runs.wait_for(lambda: _in_flight[0] == 0)


_lock = threading.Lock()
_latest: list = [None]  # the data set to warm: the newest one a page has shown
_warmed: set[str] = set()  # data versions warmed (or being warmed) in this process
_thread: list = [None]


def _served() -> bool:
    """Whether a Streamlit server runs this process (AppTest's runtime is a stand-in)."""
    return runtime.exists() and type(runtime.get_instance()) is runtime.Runtime


def start(p: Portfolio) -> None:
    """Warm `p` in the background unless it is already (or there is no server: AppTest)."""
    if not _served() or not p.has_returns:  # a list without returns: nothing to measure
        return
    with _lock:
        if p.version in _warmed:
            return
        _warmed.add(p.version)
        _latest[0] = p
        if _thread[0] is not None and _thread[0].is_alive():
            return  # the running thread takes the newest data set next
        _thread[0] = threading.Thread(target=_run, name="briefing-warm", daemon=True)
        _thread[0].start()


def _run() -> None:
    while True:
        with _lock:
            p = _latest[0]
            _latest[0] = None
            if p is None:
                _thread[0] = None
                return
        try:
            warm(p, still_wanted=lambda p=p: _latest[0] is None, turn=_quiet)
        except Exception:  # a page computes itself what warming could not
            continue
