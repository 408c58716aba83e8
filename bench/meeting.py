"""`python -m bench --sessions 30`: the meeting of thirty, measured and reported.

At each size (default: the demo's 465 projects and 100,000): the portfolio is generated and
imported as for the page benchmark (with --postgres also into a new PostgreSQL database, and
everything below done again on it). Then, on one app process just started: the first visitor's
overview (the data's load included: the wait of the first visitor after a server start); once
the process's background work is done (every county's opening views, as on a server that has
been running), N sessions (bench.sessions) at once; then one session alone changing the 区县
filter on every page, for each page's server CPU time per script run and the elements it sends.
Then the same first visit and N sessions against two replicas behind nginx
(deploy/start-local.sh, the deployment of docs/deploy.md on 127.0.0.1). Prints the tables
(p50/p95/max seconds to a complete page per step; CPU ms per script run per page), the errors
and each process's peak memory, and the targets; writes the same to bench/latest-sessions.md.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench import dataset, sessions
from bench.browser import Server
from bench.deployment import LocalDeployment, viewing_open_settings
from bench.proc import cpu_s, wait_idle
from bench.report import Target, load_average, machine
from bench.store import postgres_database
from core.base.settings import SETTINGS_SETTING
from core.output import pages

LATEST = Path(__file__).with_name("latest-sessions.md")
DEFAULT_SIZES = "465,100000"
P95_DEMO_S = 3.0  # one process, at the demo's size (up to DEMO_LIMIT projects)
P95_LARGE_S = 5.0  # one process, at larger sizes (the figure is for 100,000)
DEMO_LIMIT = 1_000
PEAK_MB = 1.5 * 1024  # each process
FIRST_VISIT_S = 5.0  # the first visitor after a server start, at every size
CPU_DEMO_MS = 35.0  # server CPU per script run of every page, at the demo's size
RERUN_MS = 300.0  # a page's rerun (filter change) on the server alone, at every size


@dataclass
class Setup:
    name: str  # "one process" / "2 replicas + nginx"
    database: str  # "SQLite" / "PostgreSQL"
    result: sessions.RunResult
    peak_mb: list[float | None]  # per process
    first_s: float  # the first visitor's overview after the server started (the data's load)
    cpu_s: list[float | None] = field(default_factory=list)  # per process, during the sessions
    idle_s: float = 0.0  # after the first visit, until the background work was done
    startup_s: float | None = None  # the start-up run (script health check), one process
    bare_s: float | None = None  # the first visitor to a bare `streamlit run`: no start-up run


@dataclass
class Size:
    data: dataset.Dataset
    setups: list[Setup] = field(default_factory=list)
    page_cpu: list[sessions.PageCpu] = field(default_factory=list)
    postgres_import_s: float | None = None


@dataclass
class Meeting:
    started: datetime
    sessions: int
    sizes: list[Size] = field(default_factory=list)
    load_before: str = ""
    load_after: str = ""
    chromium_version: str | None = None
    browser: bool = False


def measure(sizes: list[int], count: int, say, postgres: str | None = None) -> Meeting:
    meeting = Meeting(datetime.now(), count, load_before=load_average())
    with tempfile.TemporaryDirectory(prefix="bench-sessions-") as tmp:
        os.environ["BRIEFING_CACHE_DIR"] = str(Path(tmp) / "snapshots")
        for size in sizes:
            work = Path(tmp) / str(size)
            work.mkdir()
            say(f"{size:,}: generating and importing (scale {dataset.scale_for(size)})")
            data = dataset.build(size, work, keep_files=bool(postgres))
            result = Size(data)
            _setups(result, data.database_url, "SQLite", work / "sqlite", count, say)
            if postgres:
                with postgres_database(postgres, prefix="bench_sessions") as url:
                    say(f"{data.projects:,}: importing into PostgreSQL")
                    result.postgres_import_s = data.import_into(url)
                    _setups(result, url, "PostgreSQL", work / "postgres", count, say)
            meeting.sizes.append(result)
    meeting.load_after = load_average()
    return meeting


def _setups(result: Size, url: str, database: str, work: Path, count: int, say) -> None:
    """One process (its first visitor, then the meeting once its background work is done),
    the cost of each page's rerun on it, then two replicas behind nginx."""
    work.mkdir()
    data = result.data
    counties = list(data.counties)
    n = f"{data.projects:,} on {database}"
    say(f"{n}: the first visitor to a bare `streamlit run`")
    with Server("app.py", work / "bare.log", url) as server:
        bare = sessions.first_visit(server.url)
    say(f"{n}: the first visitor after a server start, then {count} sessions on one process")
    with Server("app.py", work / "server.log", url, startup_check=True) as server:
        first = sessions.first_visit(server.url)
        idle = wait_idle(server.proc.pid)
        before = [cpu_s(server.proc.pid)]
        run = sessions.run(server.url, counties, count)
        used = _used(before, [cpu_s(server.proc.pid)])
        setup = Setup("one process", database, run, [server.peak_mb()], first, used, idle,
                      server.startup_s, bare)  # fmt: skip
        result.setups.append(setup)
        if database == "SQLite":
            say(f"{n}: server CPU per script run of each page, one session alone")
            paths = [p.url_path for p in pages.for_everyone()]
            result.page_cpu = sessions.page_cpu(server.url, server.proc.pid, paths, counties)
    say(f"{n}: {count} sessions against two replicas behind nginx")
    # Behind nginx a request comes from elsewhere, and by default viewing from elsewhere
    # needs a sign-in: the meeting room's office opens viewing to its intranet.
    env = {SETTINGS_SETTING: str(viewing_open_settings(work))}
    with LocalDeployment(url, work / "deploy", replicas=2, env=env) as d:
        first = max(sessions.first_visit(u) for u in d.replica_urls)
        idle = max(wait_idle(pid) for pid in d.replica_pids())
        before = [cpu_s(pid) for pid in d.replica_pids()]
        run = sessions.run(d.url, counties, count)
        used = _used(before, [cpu_s(pid) for pid in d.replica_pids()])
        result.setups.append(
            Setup("2 replicas + nginx", database, run, d.peak_mb(), first, used, idle)
        )


def _used(before: list[float | None], after: list[float | None]) -> list[float | None]:
    return [None if a is None or b is None else a - b for b, a in zip(before, after, strict=True)]


def _s(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


HEADERS = ("projects", "database", "setup", "step", "p50 s", "p95 s", "max s", "done", "errors")
CPU_HEADERS = ("projects", "page", "server CPU ms per run", "rerun ms", "elements sent")


def rows(m: Meeting) -> list[list[str]]:
    out = []
    for size in m.sizes:
        for setup in size.setups:
            errors = len(setup.result.errors())
            for step in sessions.STEPS:
                times = setup.result.times(step)
                p50, p95, worst = sessions.summary(times)
                out.append(
                    [
                        f"{size.data.projects:,}",
                        setup.database,
                        setup.name,
                        step,
                        _s(p50),
                        _s(p95),
                        _s(worst),
                        f"{len(times)}/{m.sessions}",
                        str(errors),
                    ]
                )
    return out


def cpu_rows(m: Meeting) -> list[list[str]]:
    return [
        [
            f"{size.data.projects:,}",
            "/" + c.path,
            f"{c.cpu_ms:.0f}",
            f"{c.wall_ms:.0f}",
            str(c.elements),
        ]
        for size in m.sizes
        for c in size.page_cpu
    ]


def _limit(projects: int) -> float:
    return P95_DEMO_S if projects <= DEMO_LIMIT else P95_LARGE_S


def targets(m: Meeting) -> list[Target]:
    out = []
    for size in m.sizes:
        for setup in size.setups:
            n = f"[{size.data.projects:,}, {setup.database}]"
            if setup.name == "one process":
                limit = _limit(size.data.projects)
                p95s = {s: sessions.summary(setup.result.times(s))[1] for s in sessions.STEPS}
                worst = max(p95s, key=lambda s: p95s[s] or float("inf"))
                value = p95s[worst]
                out.append(
                    Target(
                        f"{n} {m.sessions} sessions, one process: p95 of every step ≤ {limit:.0f} s",
                        "no figure" if value is None else f"worst {value:.2f} s ({worst})",
                        value is not None
                        and all(v is not None and v <= limit for v in p95s.values()),
                    )
                )
                out.append(
                    Target(
                        f"{n} the first visitor after a server start (as `make run` starts it): the overview ≤ "
                        f"{FIRST_VISIT_S:.0f} s",
                        f"{setup.first_s:.2f} s",
                        setup.first_s <= FIRST_VISIT_S,
                    )
                )
            errors = setup.result.errors()
            out.append(
                Target(
                    f"{n} {m.sessions} sessions, {setup.name}: no errors",
                    f"{len(errors)} errors" + (f" (first: {errors[0]})" if errors else ""),
                    not errors,
                )
            )
            peaks = [p for p in setup.peak_mb if p is not None]
            out.append(
                Target(
                    f"{n} {setup.name}: peak memory of each server process ≤ {PEAK_MB / 1024:g} GB",
                    ", ".join(f"{p:.0f} MB" for p in peaks) or "unknown",
                    len(peaks) == len(setup.peak_mb) and max(peaks) <= PEAK_MB,
                )
            )
        if size.page_cpu:
            n = f"[{size.data.projects:,}]"
            slowest = max(size.page_cpu, key=lambda c: c.wall_ms)
            out.append(
                Target(
                    f"{n} every page's rerun on the server ≤ {RERUN_MS:.0f} ms",
                    f"slowest /{slowest.path} {slowest.wall_ms:.0f} ms",
                    slowest.wall_ms <= RERUN_MS,
                )
            )
            if size.data.projects <= DEMO_LIMIT:
                costly = max(size.page_cpu, key=lambda c: c.cpu_ms)
                out.append(
                    Target(
                        f"{n} server CPU per script run ≤ {CPU_DEMO_MS:.0f} ms on every page",
                        f"most /{costly.path} {costly.cpu_ms:.0f} ms",
                        costly.cpu_ms <= CPU_DEMO_MS,
                    )
                )
    return out


def size_lines(m: Meeting) -> list[str]:
    out = []
    for size in m.sizes:
        d = size.data
        line = f"{d.projects:,} projects: {d.rows_text()}; imported in {d.import_s:.1f} s"
        if size.postgres_import_s is not None:
            line += f" (PostgreSQL {size.postgres_import_s:.1f} s)"
        out.append(line)
        for setup in size.setups:
            peaks = ", ".join("unknown" if p is None else f"{p:.0f} MB" for p in setup.peak_mb)
            if setup.startup_s is not None:
                out.append(
                    f"  {setup.database}, {setup.name}: started as `make run` does, the start-up "
                    f"run {setup.startup_s:.1f} s; without it (a bare `streamlit run`) the first "
                    f"visitor waits {setup.bare_s:.1f} s (imports and the data's load included)"
                )
            out.append(
                f"  {setup.database}, {setup.name}: the first visitor's overview after the start "
                f"{setup.first_s:.1f} s, background work done "
                f"{setup.idle_s:.0f} s later; all {m.sessions} sessions' three steps in "
                f"{setup.result.wall_s:.1f} s; server peak memory {peaks}; "
                f"{_cpu_text(setup, m.sessions)}"
            )
    return out


def _cpu_text(setup: Setup, count: int) -> str:
    """The servers' CPU time during the sessions: one Python process runs its scripts on one
    core at a time (the GIL), so CPU time ≈ wall time means the process was the limit."""
    if not setup.cpu_s or any(c is None for c in setup.cpu_s):
        return "server CPU time unknown"
    runs = count * len(sessions.STEPS)
    total = sum(setup.cpu_s)
    each = ", ".join(f"{c:.1f} s" for c in setup.cpu_s)
    return (
        f"server CPU time {each} ({total / runs * 1000:.0f} ms per script run, "
        f"{len(setup.cpu_s)} process{'es' if len(setup.cpu_s) > 1 else ''})"
    )


def _table(headers, body, markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in body])
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(headers)]

    def line(cells) -> str:
        return "  ".join(
            c.rjust(w)
            if c.replace(",", "").replace(".", "").replace("/", "").isdigit()
            else c.ljust(w)
            for c, w in zip(cells, widths, strict=True)
        )

    return "\n".join([line(headers), line("-" * w for w in widths), *map(line, body)])


def report(m: Meeting, markdown: bool) -> str:
    checked = targets(m)
    errors = [
        f"{s.data.projects:,} {x.name}: {e}"
        for s in m.sizes
        for x in s.setups
        for e in x.result.errors()
    ]
    bullet = "- " if markdown else ""
    parts = []
    if markdown:
        parts += [
            f"`python -m bench --sessions {m.sessions}` of {m.started:%Y-%m-%d %H:%M}, on {machine(m)}.",
            "",
        ]
    parts += [_table(HEADERS, rows(m), markdown), ""]
    if any(size.page_cpu for size in m.sizes):
        parts += [_table(CPU_HEADERS, cpu_rows(m), markdown), ""]
    parts += [bullet + line.strip() if markdown else line for line in size_lines(m)]
    if errors:
        parts += ["", "Errors:" if markdown else "ERRORS", *(bullet + e for e in errors[:20])]
    parts += ["", "Targets:" if markdown else "TARGETS", *(bullet + t.line() for t in checked)]
    missed = sum(not t.ok for t in checked)
    if not markdown:
        parts.append(f"{missed} of {len(checked)} targets missed" if missed else "every target met")
    return "\n".join(parts) + "\n"


def missed(m: Meeting) -> bool:
    return any(not t.ok for t in targets(m))
