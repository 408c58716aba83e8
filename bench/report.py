"""The results of a run: one table, a few lines per size, and the targets, as text and Markdown."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import streamlit

from bench.browser import FLOOR_CARDS, FLOOR_CHARTS, AppRun, Floor, OwnFloor, Visit
from bench.composition import Composition, FloorLayout, floor_path
from bench.dataset import Dataset
from bench.exports import ExportTimes
from bench.pages import PAGES
from bench.store import OneProject

MB = 2**20

# The targets, on a 2-core machine at 100,000 projects. Checked at every size run:
# a page too slow at 1,000 projects is too slow at 100,000.
FILTER_S = 1.5  # a filter change re-renders every page in Chromium within …
FILTER_FLOOR_RATIO = 2.0  # … and within this many times the floor page's (and its own floor's)
RERUN_S = 0.3  # server script time per rerun
FIRST_LOAD_S = 5.0  # first load of the app after the server starts
PAGE_BYTES = 2 * MB  # bytes sent per page, whatever the size of the portfolio
PEAK_MB = 1.5 * 1024  # peak memory of the server
IMPORT_S = 60.0  # import with the returns (into SQLite, and into PostgreSQL with --postgres)
ONE_PROJECT_WRITE_S = 1.0  # the store's transaction for a one-project return, at any size
GROWTH = 3.0  # every page's time at the largest size ÷ at the smallest


@dataclass
class SizeResult:
    data: Dataset
    apptest: dict[str, dict]  # URL path → first_s, rerun_s, error
    apptest_peak_mb: float | None
    app: AppRun | None = None  # None with --no-browser
    floor: Floor | None = None  # the one-line page, measured just before this size's pages
    exports: ExportTimes | None = None  # the largest size only
    one_project: OneProject | None = None  # a one-project return imported after the pages
    # Each page's own floor (bench.composition), by the floor's URL path: pages of the same
    # composition share one.
    own_floors: dict[str, OwnFloor] = field(default_factory=dict)

    def own_floor(self, path: str) -> tuple[Composition | None, OwnFloor | None]:
        """A page's composition (from its AppTest run) and its own floor as measured."""
        made_of = self.apptest.get(path, {}).get("composition")
        if not made_of:
            return None, None
        composition = Composition.from_json(made_of)
        return composition, self.own_floors.get(floor_path(composition))


@dataclass
class Run:
    started: datetime
    browser: bool
    chromium_version: str | None = None
    sizes: list[SizeResult] = field(default_factory=list)
    load_before: str = ""  # load average: the machine may be shared with other work
    load_after: str = ""


@dataclass(frozen=True)
class Target:
    what: str
    measured: str
    ok: bool

    def line(self) -> str:
        return f"{'PASS' if self.ok else 'MISS'}  {self.what}: {self.measured}"


# --- Formatting helpers ---------------------------------------------------------------------


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _ratio(value: float | None, floor: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f} (×{value / floor:.1f})" if floor else f"{value:.2f}"


def _mb(value: int | None) -> str:
    return "—" if value is None else f"{value / MB:.2f}"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine(run: Run) -> str:
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    parts = [
        f"{len(os.sched_getaffinity(0))} cores ({cpu})",
        f"{memory_kb / 2**20:.1f} GB memory",
        f"Python {platform.python_version()}",
        f"streamlit {streamlit.__version__}",
    ]
    if run.chromium_version:
        parts.append(f"Chromium {run.chromium_version}")
    parts.append(f"load average {run.load_before} before, {run.load_after} after")
    return ", ".join(parts)


# --- The table ------------------------------------------------------------------------------

BROWSER_COLUMNS = 5  # the last five: left out with --no-browser
HEADERS = (
    "projects",
    "page",
    "elements",  # sent for the default view (AppTest), blocks included
    "AppTest first s",
    "AppTest filter s",
    "Chromium load s (×floor)",
    "Chromium filter s (×floor)",
    "filter s (× own floor)",  # the page's own floor: as many elements of the same kinds
    "of which drawing s (×floor)",  # after the run's last message arrived: no server work left
    "sent MB load/filter",
)


def rows(run: Run) -> list[list[str]]:
    out = []
    for r in run.sizes:
        floor = r.floor
        projects = f"{r.data.projects:,}"
        if floor:
            variants = (
                ("floor", floor.load_s, floor.filter_s, floor.drawing_s, floor.load_bytes),
                (f"floor+{FLOOR_CHARTS} charts", floor.charts_load_s, floor.charts_filter_s,
                 floor.charts_drawing_s, floor.charts_bytes),
                (f"floor+{FLOOR_CHARTS} charts+{FLOOR_CARDS} cards", floor.elements_load_s,
                 floor.elements_filter_s, floor.elements_drawing_s, floor.elements_bytes),
            )  # fmt: skip
            for name, load, filt, draw, sent in variants:
                if filt is None:
                    continue
                out.append([projects, name, "", "", "", _ratio(load, floor.load_s),
                            _ratio(filt, floor.filter_s), "", _ratio(draw, floor.filter_s),
                            _mb(sent)])  # fmt: skip
        for page in PAGES:
            at = r.apptest.get(page.path, {})
            visit = r.app.visits.get(page.path) if r.app else None
            load = filt = own = draw = sent = "—"
            if visit:
                load = _ratio(visit.load_s, floor.load_s if floor else None)
                filt = _ratio(visit.filter_s, floor.filter_s if floor else None)
                own_floor = r.own_floor(page.path)[1]
                own = _ratio(visit.filter_s, own_floor.filter_s if own_floor else None)
                draw = _ratio(visit.drawing_s, floor.filter_s if floor else None)
                sent = f"{_mb(visit.load_bytes)} / {_mb(visit.filter_bytes)}"
            first = _s(at.get("first_s"))
            rerun = _s(at.get("rerun_s"))
            count = str(at["elements"]) if at.get("elements") else ""
            out.append([projects, page.path, count, first, rerun, load, filt, own, draw, sent])
    return out


def columns(run: Run) -> tuple[tuple[str, ...], list[list[str]]]:
    """The headers and rows of the table, without the browser's columns if it did not run."""
    if run.browser:
        return HEADERS, rows(run)
    return HEADERS[:-BROWSER_COLUMNS], [row[:-BROWSER_COLUMNS] for row in rows(run)]


def text_table(run: Run) -> str:
    headers, body = columns(run)
    widths = [max(len(h), *(len(row[i]) for row in body)) for i, h in enumerate(headers)]

    def line(cells) -> str:
        return "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(headers), line("-" * w for w in widths), *map(line, body)])


def markdown_table(run: Run) -> str:
    headers, body = columns(run)
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


# --- Lines per size and the errors ----------------------------------------------------------


def _mb_or_unknown(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0f} MB"


def size_lines(run: Run) -> list[tuple[str, list[str]]]:
    """Per size: a heading (the counts generated) and its figures outside the table."""
    out = []
    for r in run.sizes:
        d = r.data
        head = f"{d.projects:,} projects (asked {d.size:,}): {d.rows_text()}"
        lines = [
            f"generated in {d.generate_s:.1f} s (not part of the import); import "
            f"{d.import_s:.1f} s ({len(d.files)} files, {sum(n for _, n in d.files) / MB:.0f} MB)"
        ]
        for where, one in (("SQLite", r.one_project), ("PostgreSQL", _pg_one(d))):
            if one:
                lines.append(_one_project_text(where, one))
        merges = f"every return changed and imported again: SQLite {d.merge_s:.1f} s"
        if d.postgres:
            lines.append(f"PostgreSQL: import {d.postgres.import_s:.1f} s (the same files)")
            merges += f", PostgreSQL {d.postgres.merge_s:.1f} s"
        lines.append(merges)
        if r.app:
            lines.append(
                f"server peak memory {_mb_or_unknown(r.app.peak_mb)}; "
                f"first load of the app {_s(r.app.first_load_s)} s after the server started"
            )
        lines.append(f"AppTest process peak memory {_mb_or_unknown(r.apptest_peak_mb)}")
        if r.exports:
            e = r.exports
            lines.append(
                f"chart PNG export {e.png_s:.2f} s; briefing Word file {e.docx_s:.2f} s "
                f"({e.docx_bytes / MB:.1f} MB)"
            )
        out.append((head, lines))
    return out


def _pg_one(d: Dataset) -> OneProject | None:
    return d.postgres.one if d.postgres else None


def _one_project_text(where: str, one: OneProject) -> str:
    return (
        f"one-project return into {where}: check {one.check_s:.2f} s, write {one.write_s:.3f} s, "
        f"snapshot {one.snapshot_s:.2f} s; database +{one.bytes_added / 1024:.0f} KB "
        f"(the files: {one.rows_bytes / 1024:.1f} KB)"
    )


def _size_text(run: Run, bullet: str, indent: str) -> list[str]:
    out = []
    for head, lines in size_lines(run):
        out += [f"{bullet}{head}", *(f"{indent}{line}" for line in lines)]
    return out


def errors(run: Run) -> list[str]:
    out = []
    for r in run.sizes:
        for path, at in r.apptest.items():
            if at.get("error"):
                out.append(f"{r.data.projects:,} {path} AppTest: {at['error']}")
        for path, visit in (r.app.visits if r.app else {}).items():
            if visit.error:
                out.append(f"{r.data.projects:,} {path} Chromium: {visit.error}")
        for path, own in r.own_floors.items():
            if own.error:
                out.append(f"{r.data.projects:,} own floor {path} Chromium: {own.error}")
    return out


# --- Targets --------------------------------------------------------------------------------


def _worst(values: dict[str, float | None]) -> tuple[str, float | None]:
    """The page with the largest value; a missing value (an error) counts as the worst."""
    for path, v in values.items():
        if v is None:
            return path, None
    path = max(values, key=lambda k: values[k])
    return path, values[path]


def _at_most(what: str, values: dict[str, float | None], limit: float, unit: str) -> Target:
    path, worst = _worst(values)
    if worst is None:
        return Target(what, f"no figure for {path} (see the errors)", False)
    shown = {"s": f"{worst:.2f} s", "ms": f"{worst * 1000:.0f} ms", "MB": f"{worst / MB:.2f} MB"}
    return Target(what, f"worst {shown[unit]} ({path})", worst <= limit)


def targets(run: Run) -> tuple[list[Target], list[str]]:
    """The targets checked, and notes on those that could not be."""
    out, notes = [], []
    for r in run.sizes:
        floor = r.floor
        n = f"[{r.data.projects:,}]"
        reruns = {p: a.get("rerun_s") for p, a in r.apptest.items()}
        out.append(_at_most(f"{n} server script time per rerun ≤ 300 ms", reruns, RERUN_S, "ms"))
        out.append(
            Target(
                f"{n} import ≤ {IMPORT_S:.0f} s",
                f"{r.data.import_s:.1f} s",
                r.data.import_s <= IMPORT_S,
            )
        )
        if r.data.postgres:
            pg = r.data.postgres.import_s
            out.append(
                Target(f"{n} PostgreSQL import ≤ {IMPORT_S:.0f} s", f"{pg:.1f} s", pg <= IMPORT_S)
            )
        for where, one in (("SQLite", r.one_project), ("PostgreSQL", _pg_one(r.data))):
            if one:
                out.append(
                    Target(
                        f"{n} one-project return written into {where} ≤ {ONE_PROJECT_WRITE_S:.0f} s",
                        f"{one.write_s:.3f} s, +{one.bytes_added / 1024:.0f} KB",
                        one.write_s <= ONE_PROJECT_WRITE_S,
                    )
                )
        if not r.app:
            continue
        visits = r.app.visits
        filters = {p: v.filter_s for p, v in visits.items()}
        out.append(_at_most(f"{n} filter change in Chromium ≤ 1.5 s", filters, FILTER_S, "s"))
        if floor and floor.charts_filter_s is not None:
            notes.append(
                f"{n} Streamlit's own floor with {FLOOR_CHARTS} charts: a filter change in "
                f"{floor.charts_filter_s:.2f} s, ×{floor.charts_filter_s / floor.filter_s:.1f} "
                "the one-line floor (no work of the app's behind it)"
            )
        if floor and floor.elements_filter_s is not None:
            ratio = floor.elements_filter_s / floor.filter_s
            notes.append(
                f"{n} Streamlit's own floor with {FLOOR_CHARTS} charts and {FLOOR_CARDS} cards "
                f"({FloorLayout(FLOOR_CHARTS, FLOOR_CARDS).elements} elements): a filter change in "
                f"{floor.elements_filter_s:.2f} s, ×{ratio:.1f} the one-line floor"
                + (
                    f": a page of that many elements is beyond {FILTER_FLOOR_RATIO:.0f}× the "
                    "floor with Streamlit alone"
                    if ratio > FILTER_FLOOR_RATIO
                    else ""
                )
            )
        if floor:
            notes.append(_drawing_note(n, floor.filter_s, visits))
            ratios = {p: None if s is None else s / floor.filter_s for p, s in filters.items()}
            path, worst = _worst(ratios)
            out.append(
                Target(
                    f"{n} filter change in Chromium ≤ 2× the floor ({floor.filter_s:.2f} s)",
                    "no figure (see the errors)"
                    if worst is None
                    else f"worst ×{worst:.1f} ({path})",
                    worst is not None and worst <= FILTER_FLOOR_RATIO,
                )
            )
        out += [_own_floor_target(n, r, page.path) for page in PAGES if page.path in visits]
        if floor:
            notes.append(_own_floors_note(n, floor, r))
        first = r.app.first_load_s
        out.append(
            Target(
                f"{n} first load of the app ≤ 5 s after the server starts",
                f"{first:.2f} s",
                first <= FIRST_LOAD_S,
            )
        )
        sent = {
            p: None if v.load_bytes is None else max(v.load_bytes, v.filter_bytes or 0)
            for p, v in visits.items()
        }
        out.append(_at_most(f"{n} bytes sent per page ≤ 2 MB", sent, PAGE_BYTES, "MB"))
        peak = r.app.peak_mb
        out.append(
            Target(
                f"{n} peak memory of the server ≤ 1.5 GB",
                "unknown" if peak is None else f"{peak:.0f} MB",
                peak is not None and peak <= PEAK_MB,
            )
        )
    if not run.browser:
        notes.append("--no-browser: the Chromium, bytes, first-load and memory targets not checked")
    out += _growth(run, notes)
    return out, notes


def _own_floor_target(n: str, r: SizeResult, path: str) -> Target:
    """A page's filter change against its own floor (as many elements of the same kinds, with
    no work of the app's behind them) and against the issue's limit in seconds."""
    what = f"{n} {path} filter change ≤ {FILTER_FLOOR_RATIO:.0f}× own floor and ≤ {FILTER_S} s"
    visit: Visit | None = r.app.visits.get(path) if r.app else None
    if visit is None or visit.filter_s is None:
        return Target(what, "no figure for the page (see the errors)", False)
    made_of, own = r.own_floor(path)
    if own is None or own.filter_s is None:
        return Target(what, f"{visit.filter_s:.2f} s; no own floor (see the errors)", False)
    ratio = visit.filter_s / own.filter_s
    return Target(
        what,
        # two decimals: ×2.0 would read as a pass when it is ×2.02
        f"{visit.filter_s:.2f} s, ×{ratio:.2f} its own floor ({own.filter_s:.2f} s; "
        f"{made_of.summary()})",
        ratio <= FILTER_FLOOR_RATIO and visit.filter_s <= FILTER_S,
    )


def _own_floors_note(n: str, floor: Floor, r: SizeResult) -> str:
    """How far the pages' own floors are from the one-line floor: Streamlit's own cost of each
    page's size and kinds of elements."""
    measured = [o.filter_s for o in r.own_floors.values() if o.filter_s is not None]
    if not measured:
        return f"{n} the pages' own floors: no figure"
    low, high = min(measured), max(measured)
    return (
        f"{n} the pages' own floors ({len(measured)} distinct, each the median of a few "
        f"visits): a filter change in {low:.2f}–{high:.2f} s, ×{low / floor.filter_s:.1f}–"
        f"×{high / floor.filter_s:.1f} the one-line floor"
    )


def _drawing_note(n: str, floor_s: float, visits: dict) -> str:
    """Which pages the browser alone draws slower than the floor ratio allows for the whole
    change: for them the target is out of reach with Streamlit and these elements, whatever
    the server does (measured after the run's last message arrived)."""
    limit = FILTER_FLOOR_RATIO * floor_s
    drawing = {p: v.drawing_s for p, v in visits.items() if v.drawing_s is not None}
    over = [f"{p} {s:.2f} s" for p, s in drawing.items() if s > limit]
    path, worst = _worst(drawing)
    text = (
        f"{n} the browser's drawing alone after the run's last message (no server work left): "
        f"worst {worst:.2f} s ({path}); "
        if worst is not None
        else f"{n} the browser's drawing alone: no figure; "
    )
    if over:
        return text + (
            f"above {FILTER_FLOOR_RATIO:.0f}× the floor ({limit:.2f} s) by itself on "
            + ", ".join(over)
            + ": out of reach for those pages with Streamlit and their elements"
        )
    return text + f"every page within {FILTER_FLOOR_RATIO:.0f}× the floor ({limit:.2f} s)"


def _growth(run: Run, notes: list[str]) -> list[Target]:
    if len(run.sizes) < 2:
        notes.append("one size only: the growth target (largest ÷ smallest ≤ 3×) not checked")
        return []
    small, large = run.sizes[0], run.sizes[-1]
    measures = {
        "AppTest first": lambda r, p: r.apptest.get(p, {}).get("first_s"),
        "AppTest filter": lambda r, p: r.apptest.get(p, {}).get("rerun_s"),
    }
    if run.browser:
        measures["Chromium load"] = lambda r, p: r.app.visits[p].load_s
        measures["Chromium filter"] = lambda r, p: r.app.visits[p].filter_s
    out = []
    label = f"{large.data.projects:,} vs {small.data.projects:,}"
    for name, get in measures.items():
        ratios = {}
        for page in PAGES:
            a, b = get(small, page.path), get(large, page.path)
            ratios[page.path] = None if not a or b is None else b / a
        path, worst = _worst(ratios)
        out.append(
            Target(
                f"[growth {label}] {name} time of every page ≤ 3× its time at the smallest",
                "no figure (see the errors)" if worst is None else f"worst ×{worst:.1f} ({path})",
                worst is not None and worst <= GROWTH,
            )
        )
    return out


# --- The whole report -----------------------------------------------------------------------


def text(run: Run) -> str:
    checked, notes = targets(run)
    parts = [text_table(run), "", *_size_text(run, "", "  ")]
    if errors(run):
        parts += ["", "ERRORS", *errors(run)]
    parts += ["", "TARGETS", *(t.line() for t in checked), *notes]
    missed = sum(not t.ok for t in checked)
    parts.append(f"{missed} of {len(checked)} targets missed" if missed else "every target met")
    return "\n".join(parts)


def markdown(run: Run) -> str:
    checked, notes = targets(run)
    parts = [
        f"Benchmark of {run.started:%Y-%m-%d %H:%M}, on {machine(run)}.",
        "",
        markdown_table(run),
        "",
        *_size_text(run, "- ", "  - "),
    ]
    if errors(run):
        parts += ["", "Errors:", "", *(f"- {e}" for e in errors(run))]
    parts += ["", "Targets:", "", *(f"- {t.line()}" for t in checked), *(f"- {n}" for n in notes)]
    return "\n".join(parts) + "\n"


def missed(run: Run) -> bool:
    return any(not t.ok for t in targets(run)[0])
