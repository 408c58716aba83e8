"""Synthetic portfolios of a given size, loaded through the real import path into a fresh store."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

from bench.store import PostgresRun, merge, postgres_run
from core.base import schema as S
from core.base.geo import parse_boundaries
from core.base.periods import Period
from core.ingest import importing
from core.policy import roles
from core.store import demo
from core.store.versions import Store

DEMO_PROJECTS = 465  # projects of the demo at scale 1
FIRST_MONTH = Period(2023, 3)  # with the demo's latest period 2026-02: 36 months of returns
# The import refuses files above importing.MAX_FILE_MB, as a user's upload would be refused:
# a larger table goes in numbered parts (月度进度(1).csv, 月度进度(2).csv …), as a user would
# split it. The reader takes the table from the name without the "(n)".
PART_BYTES = int(0.9 * importing.MAX_FILE_MB * 2**20)


class ImportRefused(RuntimeError):
    """The generated files did not pass the import check."""


@dataclass(frozen=True)
class Dataset:
    size: int  # the size asked for
    projects: int  # the size generated (the demo's 465 × a whole scale)
    rows: dict[str, int]  # rows per table
    files: list[tuple[str, int]]  # imported file names and sizes in bytes
    generate_s: float  # not part of the import time
    import_s: float  # importing.check + importing.commit
    database_url: str
    filter_county: str  # the county a "filter change" selects: the 2nd of the list
    counties: tuple[str, ...] = ()  # every county, in the boundary file's order
    postgres: PostgresRun | None = None  # with --postgres: the same import into PostgreSQL
    merge_s: float = 0.0  # every return changed and imported again (bench.store.merge)
    contents: list[tuple[str, bytes]] | None = None  # the files themselves, when kept

    def import_into(self, url: str) -> float:
        """The kept files imported into the (empty) store at `url`; seconds taken."""
        if self.contents is None:
            raise ValueError("the files were not kept (build(..., keep_files=True))")
        store = Store(url)
        started = time.perf_counter()
        report = importing.check(self.contents, store)
        if not report.importable:
            raise ImportRefused(f"{self.size:,} projects into {url}: {report.summary()}")
        importing.commit(report, store, note=f"benchmark {self.size:,}", actor=roles.cli_actor())
        store.close()
        return time.perf_counter() - started

    def rows_text(self) -> str:
        return ", ".join(f"{name} {n:,}" for name, n in self.rows.items())


def scale_for(size: int) -> int:
    return max(1, round(size / DEMO_PROJECTS))


def _files(data: demo.DemoData, folder: Path) -> list[tuple[str, bytes]]:
    """The demo's own files (demo.write); a table too large for one upload is split by rows."""
    paths = demo.write(data, folder)
    files = []
    for path in paths:
        content = path.read_bytes()
        table = path.stem
        if len(content) <= PART_BYTES or table not in data.tables:
            files.append((path.name, content))
            continue
        frame = data.tables[table]
        parts = math.ceil(len(content) / PART_BYTES)
        step = math.ceil(len(frame) / parts)
        for i in range(parts):
            part = frame.iloc[i * step : (i + 1) * step]
            # The same call as demo.write, so the parts are written exactly like the whole.
            files.append((f"{table}({i + 1}).csv", part.to_csv(index=False).encode("utf-8-sig")))
    return files


def build(size: int, work: Path, postgres: str | None = None, keep_files: bool = False) -> Dataset:
    """Generate a portfolio of about `size` projects and import it into a new store in `work`,
    and into a new database on the PostgreSQL server `postgres` (an admin URL) if given."""
    started = time.perf_counter()
    data = demo.generate(scale=scale_for(size), first_month=FIRST_MONTH)
    files = _files(data, work / "csv")
    generate_s = time.perf_counter() - started
    rows = {name: len(frame) for name, frame in data.tables.items()}
    counties = tuple(parse_boundaries(data.boundaries, source=S.BOUNDARIES_FILE).names)
    county = counties[1]
    del data

    url = f"sqlite:///{(work / 'store.sqlite').resolve()}"
    store = Store(url)
    started = time.perf_counter()
    report = importing.check(files, store)
    if not report.importable:
        first = "\n".join(f.text() for f in report.findings[:10])
        raise ImportRefused(f"{size:,} projects: {report.summary()}\n{first}")
    importing.commit(report, store, note=f"benchmark {size:,}", actor=roles.cli_actor())
    import_s = time.perf_counter() - started
    store.close()
    del report
    merge_s = merge(url, files)
    return Dataset(
        size=size,
        projects=rows[S.PROJECTS],
        rows=rows,
        files=[(name, len(content)) for name, content in files],
        generate_s=generate_s,
        import_s=import_s,
        database_url=url,
        filter_county=county,
        counties=counties,
        postgres=postgres_run(postgres, files) if postgres else None,
        merge_s=merge_s,
        contents=files if keep_files else None,
    )
