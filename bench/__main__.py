"""`python -m bench [--sizes 1000,10000,100000] [--no-browser] [--repeat N] [--postgres URL]`;
`python -m bench --sessions 30 [--sizes 465,100000] [--postgres URL]`: the meeting of thirty
(bench.meeting).

For each size: generate a portfolio with the demo's generator scaled up, import it through the
real import path into a fresh store, time every page through AppTest (first load and filter
change, in a process of its own) and, unless --no-browser, serve it with `streamlit run` and
time every page in headless Chromium against a one-line floor page and against its own floor
(a floor page of as many elements of the same kinds, bench.composition), counting the bytes
sent and the server's peak memory. At the largest size, also time a chart's PNG export and the
briefing's Word file. At every size, import a one-project return into the store (time and
bytes added) and every return changed again (the merge into stored data); with --postgres,
import the same files into a fresh PostgreSQL database on that server and time those too. Prints one table and the targets met or missed; writes the same as
Markdown to bench/latest.md. Exit status: 0 every target met, 1 a target missed, 2 a crash.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

from bench import browser as chromium
from bench import dataset, exports, meeting, report
from bench import store as store_costs
from bench.composition import Composition
from bench.pages import ROOT
from core.store.datasource import SNAPSHOTS_SETTING

LATEST = Path(__file__).with_name("latest.md")
DEFAULT_SIZES = "1000,10000,100000"
APPTEST_TIMEOUT = 3600  # s, for every page of one size


def _say(message: str) -> None:
    """Progress, on stderr: stdout carries only the report."""
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text}") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError(f"sizes must be positive: {text}")
    return sizes


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        help=f"numbers of projects, comma-separated (default {DEFAULT_SIZES}; with --sessions "
        f"{meeting.DEFAULT_SIZES})",
    )
    parser.add_argument(
        "--sessions",
        type=int,
        metavar="N",
        help="instead of the page benchmark: N sessions at once against one app process, then "
        "against two replicas behind nginx (open the overview, change the county, open 项目进度)",
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="skip the Chromium measurements and targets"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="visits of each page in Chromium, the median reported (default 1: the first, "
        "cold filter change only)",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="a PostgreSQL server to import into as well (an admin URL, e.g. "
        "postgresql+psycopg://briefing:briefing@127.0.0.1/postgres)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.sessions is not None and not 1 <= args.sessions <= 200:
        parser.error("--sessions must be between 1 and 200")
    if args.sizes is None:
        args.sizes = _sizes(meeting.DEFAULT_SIZES if args.sessions else DEFAULT_SIZES)
    return args


def _apptest(data: dataset.Dataset) -> tuple[dict[str, dict], float | None]:
    """Every page through AppTest in a fresh Python process (see bench.apptest_pages)."""
    command = [sys.executable, "-m", "bench.apptest_pages", data.database_url, data.filter_county]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=APPTEST_TIMEOUT, check=False
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"AppTest measurement failed:\n{done.stderr[-3000:]}")
    result = json.loads(lines[-1])
    return result["pages"], result["peak_mb"]


def _measure(args: argparse.Namespace) -> report.Run:
    run = report.Run(started=datetime.now(), browser=not args.no_browser)
    run.load_before = report.load_average()
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        # The Parquet snapshots an import writes for the app go to the temporary folder too
        # (inherited by the AppTest process and the server), not to the project's data/cache.
        os.environ[SNAPSHOTS_SETTING] = str(tmp / "snapshots")
        browser = floor = None
        if run.browser:
            from playwright.sync_api import sync_playwright

            browser = chromium.launch(stack.enter_context(sync_playwright()))
            stack.callback(browser.close)
            run.chromium_version = browser.version
            floor = stack.enter_context(chromium.floor_server(tmp))
        for size in args.sizes:
            work = tmp / str(size)
            work.mkdir()
            _say(f"{size:,}: generating and importing (scale {dataset.scale_for(size)})")
            data = dataset.build(size, work, args.postgres)
            _say(f"{data.projects:,} projects imported in {data.import_s:.1f} s; AppTest pages")
            pages, peak = _apptest(data)
            result = report.SizeResult(data, pages, peak)
            _say(f"{data.projects:,}: a one-project return imported into the store")
            result.one_project = store_costs.one_project(data.database_url)
            if browser:
                # The floor just before the pages, so both see the machine in the same state.
                _say(f"{data.projects:,}: the floor page in Chromium")
                result.floor = chromium.measure_floor(browser, floor)
                made_of = [
                    Composition.from_json(a["composition"])
                    for a in pages.values()
                    if a.get("composition")
                ]
                _say(f"{data.projects:,}: each page's own floor in Chromium")
                result.own_floors = chromium.measure_own_floors(browser, floor, made_of)
                _say(f"{data.projects:,}: serving the app, every page in Chromium")
                result.app = chromium.measure_app(
                    browser, data.database_url, data.filter_county, work, args.repeat
                )
            if size == args.sizes[-1]:
                _say(f"{data.projects:,}: chart PNG export and briefing Word file")
                result.exports = exports.time_exports(data.database_url)
            run.sizes.append(result)
            shutil.rmtree(work)  # the store of 100,000 projects is large
    run.load_after = report.load_average()
    return run


def _meeting(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        m = meeting.measure(args.sizes, args.sessions, _say, args.postgres)
    except Exception:
        traceback.print_exc()
        print("benchmark crashed: no report", file=sys.stderr)
        return 2
    print(meeting.report(m, markdown=False))
    print(f"machine: {report.machine(m)}; run took {time.perf_counter() - started:.0f} s")
    meeting.LATEST.write_text(meeting.report(m, markdown=True), encoding="utf-8")
    print(f"written: {meeting.LATEST.relative_to(ROOT)}")
    return 1 if meeting.missed(m) else 0


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    if args.sessions:
        return _meeting(args)
    started = time.perf_counter()
    try:
        run = _measure(args)
    except Exception:
        traceback.print_exc()
        print("benchmark crashed: no report", file=sys.stderr)
        return 2
    print(report.text(run))
    print(f"\nmachine: {report.machine(run)}; run took {time.perf_counter() - started:.0f} s")
    LATEST.write_text(report.markdown(run), encoding="utf-8")
    print(f"written: {LATEST.relative_to(ROOT)}")
    return 1 if report.missed(run) else 0


if __name__ == "__main__":
    sys.exit(main())
