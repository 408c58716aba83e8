"""An import from end to end: files → read → validate against the current data → store.

`check` never changes the store; `commit` writes a checked report as one batch, whole or not
at all. The page and `python -m core import` both call these two. The check reads one version
of the data and says which; the commit hands the uploaded rows to the store, which merges them
by key inside its write lock, so two imports at once both keep their rows, and refuses when the
data changed since the check in a way that touches the same rows (core.ingest.store).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from core.data import datasource
from core.data import schema as S
from core.data.geo import Boundaries, parse_boundaries
from core.ingest import reading
from core.ingest.store import Batch, Store, version_of
from core.ingest.validation import ERROR, Finding, Report, validate

# Larger files are refused (the CLI and the page alike); server.maxUploadSize in
# .streamlit/config.toml is the same, so the uploader states the limit the page states.
MAX_FILE_MB = 200
BOUNDARY_SUFFIXES = (".geojson", ".json")


def _boundary_file(name: str, content: bytes) -> tuple[dict | None, Finding | None]:
    try:
        data = json.loads(content.decode("utf-8-sig"))
        parse_boundaries(data, source=name)
        return data, None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, Finding(
            ERROR, name, None, None, None, "", "不是有效的GeoJSON文件(应为UTF-8编码的JSON)"
        )
    except ValueError as exc:
        return None, Finding(ERROR, name, None, None, None, "", str(exc))


def check(
    files: list[tuple[str, bytes]],
    store: Store,
    progress: Callable[[float, str], None] | None = None,
) -> Report:
    """Read and validate uploaded files against the store's current data; changes nothing."""
    say = progress or (lambda fraction, text: None)
    early: list[Finding] = []
    tabular, new_boundaries = [], None
    for name, content in files:
        if len(content) > MAX_FILE_MB * 1024 * 1024:
            early.append(
                Finding(
                    ERROR,
                    name,
                    None,
                    None,
                    None,
                    f"{len(content) / 2**20:.1f}MB",
                    f"文件超过{MAX_FILE_MB}MB的上限,请拆分后上传",
                )
            )
        elif Path(name).suffix.lower() in BOUNDARY_SUFFIXES:
            new_boundaries, problem = _boundary_file(name, content)
            if problem:
                early.append(problem)
        else:
            tabular.append((name, content))
    raw_tables, problems = [], []
    for i, (name, content) in enumerate(tabular):
        say(0.8 * i / len(tabular), f"正在读取“{name}”({i + 1}/{len(tabular)})…")
        tables, file_problems = reading.read_files([(name, content)])
        raw_tables += tables
        problems += file_problems
    say(0.85, "正在检查数据…")
    seen = store.current()
    current = None if seen is None else store.tables_as_of(seen.id)
    tables, boundaries_dict = current if current else (None, None)
    use = new_boundaries or boundaries_dict
    boundaries: Boundaries | None = parse_boundaries(use) if use else None
    report = validate(
        raw_tables,
        problems,
        current=tables,
        boundaries=boundaries,
        new_boundaries=new_boundaries,
        files=[name for name, _ in files],
    )
    report.findings[:0] = early
    report.checked_against = version_of(seen)
    if early:
        report.tables = None
    say(1.0, "检查完成")
    return report


def commit(report: Report, store: Store, note: str = "") -> Batch:
    """Write a checked report to the store as one batch (raises if it has errors, and
    store.VersionMoved when the data changed since the check in a way that matters)."""
    if not report.importable:
        raise ValueError("数据存在错误,不能导入:" + report.summary())
    batch = store.import_batch(
        uploaded_rows(report),
        files=report.files,
        note=note.strip(),
        boundaries=report.boundaries,
        seen_version=report.checked_against,
    )
    datasource.load(store)  # the snapshot the app opens, written once here rather than there
    return batch


def uploaded_rows(report: Report) -> dict[str, pd.DataFrame]:
    """What the store merges: for each table uploaded, the checked rows (report.tables) whose
    keys the upload names, whole, as the check saw them (an upload may give some columns only;
    the others are the current row's)."""
    rows = {}
    for table, upload in report.uploads.items():
        key = list(S.KEYS[table])
        checked = report.tables[table]
        named = pd.MultiIndex.from_frame(upload[key].astype(str))
        rows[table] = checked.loc[pd.MultiIndex.from_frame(checked[key].astype(str)).isin(named)]
    return rows


def read_paths(paths: list[Path]) -> list[tuple[str, bytes]]:
    return [(Path(p).name, Path(p).read_bytes()) for p in paths]
