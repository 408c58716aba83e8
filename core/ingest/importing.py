"""An import from end to end: files → read → (ledgers: their layouts) → check → store.

`inspect` reads an upload once and proposes a layout for every ledger in it (a saved one when its
header was seen before); `check` turns the ledgers into tables with their layouts, validates
everything against the current data and never changes the store; `commit` writes a checked
report as one batch, whole or not at all, and saves the layouts it used. The 数据管理 page and
`python -m core import` both call these.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from core.base import schema as S
from core.base import settings
from core.base.geo import Boundaries, parse_boundaries
from core.base.periods import Period
from core.ingest import changes, layouts, ledger_heads, ledger_tables, reading, sandbox
from core.ingest.findings import ERROR, WARNING, Finding, Report
from core.ingest.layouts import Layout, Layouts
from core.ingest.ledger import LedgerSheet
from core.ingest.validation import MAX_ROWS, keys_of, validate
from core.policy import roles
from core.policy.roles import Actor
from core.store import categories as office_categories
from core.store import datasource, month_plans
from core.store.versions import WITHDRAWAL, Batch, Store, version_of

# Larger files are refused (the CLI and the page alike); server.maxUploadSize in
# .streamlit/config.toml is the same, so the uploader states the limit the page states.
MAX_FILE_MB = 200
BOUNDARY_SUFFIXES = (".geojson", ".json")


@dataclass
class LedgerPlan:
    """A ledger of the upload with the layout it will be read by, and its period."""

    ledger: LedgerSheet
    layout: Layout
    saved: bool  # the layout was found among the saved ones (by the header's signature)
    period: Period | None

    def unsettled(self) -> list[str]:
        if not self.ledger.records:  # an empty template: nothing to decide, said as such
            return []
        return layouts.unsettled(self.ledger, self.layout, self.period)


@dataclass
class Upload:
    """An upload read once: what its files hold, before anything is decided."""

    files: list[str]
    reading: reading.Reading
    plans: list[LedgerPlan]
    boundaries: dict | None  # a boundary file of the upload
    early: list[Finding] = field(default_factory=list)  # files refused before reading

    def unsettled(self) -> list[str]:
        return [f"{p.ledger.name}:{u}" for p in self.plans for u in p.unsettled()]


def expect_uploads() -> None:
    """A page that takes uploads is open: file workers for a workbook (an office's usual
    upload) are started ahead, so that its first file does not wait for one to start
    (core.ingest.sandbox: a spare reads one file and ends)."""
    if not sandbox.has_spares():  # those of the reader that ran last are kept
        sandbox.warm("core.ingest.sheets:read_workbook_here")


def limits_text() -> str:
    """The limits an upload is held to, as the 数据管理 page states them before the upload."""
    from core.ingest import sheets

    rows = "、".join(f"{t}{n // 10000}万行" if n % 10000 == 0 else f"{t}{n}行"
                    for t, n in MAX_ROWS.items())  # fmt: skip
    return (
        f"上传限制:单个文件不超过{MAX_FILE_MB}MB;每张工作表不超过{sheets.MAX_COLUMNS}列、"
        f"{sheets.MAX_AREA // 10000}万个单元格,合并单元格合计不超过{sheets.MAX_MERGED_AREA // 10000}"
        f"万个;.xlsx解压后不超过{sheets.MAX_UNZIPPED_BYTES >> 30}GB。超过的文件不会读取,"
        f"检查结果会说明原因。导入后各表(现有数据与上传合计)不超过:{rows}。"
    )


# Lines of a CSV beyond its rows: title and unit lines, 合计 rows, a header of two lines.
_CSV_SPARE_LINES = 100


def _too_many_lines(name: str, content: bytes) -> str | None:
    """Why a CSV is refused before it is read (more lines than its table's row limit, or than
    the largest limit for a file that names no table), or None. Lines are counted in the bytes
    without parsing them; the rows read are checked again exactly (core.ingest.validation)."""
    if Path(name).suffix.lower() not in reading.CSV_SUFFIXES:
        return None
    table = reading._table_named(Path(name).stem)  # as the reader takes it
    limit = MAX_ROWS.get(table) or max(MAX_ROWS.values())
    lines = content.count(b"\n")
    if lines <= limit + _CSV_SPARE_LINES:
        return None
    what = table or "数据表"
    return f"文件有{lines:,}行,超过{what}{limit:,}行的上限,未读取;请拆分或精简后再上传"


def _boundary_file(name: str, content: bytes) -> tuple[dict | None, Finding | None]:
    try:
        data = json.loads(content.decode("utf-8-sig"))
        parse_boundaries(data, source=name)
        return data, None
    except RecursionError:
        return None, Finding(ERROR, name, None, None, None, "",
                             "GeoJSON的嵌套层数过深,不是正常的边界文件")  # fmt: skip
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, Finding(
            ERROR, name, None, None, None, "", "不是有效的GeoJSON文件(应为UTF-8编码的JSON)"
        )
    except ValueError as exc:
        return None, Finding(ERROR, name, None, None, None, "", str(exc))


def inspect(
    files: list[tuple[str, bytes]],
    store: Store,
    progress: Callable[[float, str], None] | None = None,
) -> Upload:
    """Read the files and propose a layout for each ledger; changes nothing."""
    say = progress or (lambda fraction, text: None)
    office_categories.in_force(store.engine)  # the lists as this office's database has them
    early: list[Finding] = []
    tabular, boundaries = [], None
    for name, content in files:
        if len(content) > MAX_FILE_MB * 1024 * 1024:
            early.append(Finding(ERROR, name, None, None, None, f"{len(content) / 2**20:.1f}MB",
                                 f"文件超过{MAX_FILE_MB}MB的上限,请拆分后上传"))  # fmt: skip
        elif why := _too_many_lines(name, content):
            early.append(Finding(ERROR, name, None, None, None, "", why))
        elif Path(name).suffix.lower() in BOUNDARY_SUFFIXES:
            boundaries, problem = _boundary_file(name, content)
            if problem:
                early.append(problem)
        else:
            tabular.append((name, content))
    read = reading.Reading()
    # Each file is parsed in a worker process of its own (core.ingest.sandbox), as many at once
    # as the sandbox allows: a return of two files waits for one start of a worker, not two.
    with ThreadPoolExecutor(max_workers=max(1, min(sandbox.WORKERS, len(tabular)))) as pool:
        parts = [pool.submit(contextvars.copy_context().run, reading.read_upload, [file])
                 for file in tabular]  # fmt: skip
        for i, ((name, _), future) in enumerate(zip(tabular, parts, strict=True)):
            say(0.6 * i / len(tabular), f"正在读取“{name}”({i + 1}/{len(tabular)})…")
            part = future.result()
            read.tables += part.tables
            read.ledgers += part.ledgers
            read.problems += part.problems
    saved = Layouts(store)
    counties = _county_names(store, boundaries)
    plans = []
    for ledger in read.ledgers:
        found = saved.for_signature(ledger.signature)
        layout = layouts.merged(found, layouts.propose(ledger, counties))
        plans.append(LedgerPlan(ledger, layout, found is not None, ledger.period))
    return Upload([name for name, _ in files], read, plans, boundaries, early)


def _county_names(store: Store, boundaries: dict | None) -> tuple[str, ...]:
    use = boundaries if boundaries is not None else store.current_boundaries()
    try:
        return tuple(parse_boundaries(use).names) if use else ()
    except ValueError:
        return ()


def check(
    files: list[tuple[str, bytes]] | Upload,
    store: Store,
    progress: Callable[[float, str], None] | None = None,
    *,
    actor: Actor | None = None,
) -> Report:
    """Read (unless given an inspected upload) and validate against the store's current data;
    ledgers are read with their plans' layouts. Changes nothing.

    For a county reporter (`actor`), rows of other counties, city indicators, boundaries and
    categories the office's lists lack are errors naming them; the report remembers for whom
    it was checked, and only that scope may commit it."""
    say = progress or (lambda fraction, text: None)
    upload = files if isinstance(files, Upload) else inspect(files, store, progress)
    say(0.7, "正在检查数据…")
    seen = store.current()
    raw_tables = list(upload.reading.tables)
    # A return without ledgers is checked against the rows of the projects it names, with the
    # figures of the others (validation.validate's `stored`); else against the whole store.
    part = None if seen is None or upload.plans else _part_of_store(store, seen, raw_tables)
    tables, boundaries_dict, stored = part or (None, None, None)
    if part is None and seen is not None:
        tables, boundaries_dict = store.tables_as_of(seen.id)
    findings: list[Finding] = []
    new_categories: dict[str, list[str]] = {}
    plans_read: list[pd.DataFrame] = []  # each ledger period's monthly plans (month_plans)
    unsettled = upload.unsettled()
    for text in unsettled:
        findings.append(Finding(ERROR, "", None, None, None, "", f"台账尚未确认:{text}"))
    for plan in upload.plans:
        if not plan.ledger.records:
            findings.append(Finding(ERROR, plan.ledger.file, plan.ledger.sheet, None, None, "",
                                    "这是空白模板:表头下没有任何项目行,未导入;请填入项目后再上传"))  # fmt: skip
    by_period: dict[Period, list[LedgerPlan]] = {}
    for plan in upload.plans:
        period = plan.period
        if period is None and not layouts.has_returns(plan.ledger, plan.layout):
            period = layouts.list_period(plan.ledger)  # a list: no figure depends on it
        if period is not None and plan.ledger.records and not plan.unsettled():
            by_period.setdefault(period, []).append(plan)
    for period, plans in by_period.items():
        converted = ledger_tables.convert([(p.ledger, p.layout) for p in plans], period, tables)
        raw_tables += converted.tables
        findings += converted.findings
        plans_read.append(converted.month_plans)
        for column, values in converted.new_categories.items():
            new_categories.setdefault(column, []).extend(values)
    use = upload.boundaries or _usable(boundaries_dict)
    boundaries: Boundaries | None = parse_boundaries(use) if use else None
    if upload.boundaries is not None and boundaries is not None:  # what repairing it changed
        name = ["", *(n for n in upload.files if Path(n).suffix.lower() in BOUNDARY_SUFFIXES)][-1]
        findings += [Finding(WARNING, name, None, None, None, "", w) for w in boundaries.warnings]
    if boundaries is None:
        findings.append(Finding("警告", "", None, None, None, "",
                                "没有区县边界文件:地图只显示有坐标的项目点位,"
                                "可在数据管理页上传区县边界(GeoJSON)"))  # fmt: skip
    counties = None if actor is None else roles.counties_of(actor)
    if counties is not None and new_categories:
        added = ";".join(f"{c}:{'、'.join(v)}" for c, v in new_categories.items())
        findings.append(Finding(ERROR, "", None, None, None, "",
                                f"台账中有本办类别列表里没有的值({added}),只有管理员可以添加;"
                                "请改用列表中的值,或请管理员导入"))  # fmt: skip
    categories = settings.with_categories(new_categories)
    report = validate(
        raw_tables,
        upload.reading.problems,
        current=tables,
        boundaries=boundaries,
        new_boundaries=upload.boundaries,
        files=upload.files,
        settings_in_force=categories,
        counties=counties,
        stored=stored,
    )
    report.findings[:0] = upload.early + findings
    report.checked_for = counties
    report.checked_against = version_of(seen)
    report.layouts = layouts.combined([p.layout for p in upload.plans])
    report.heads = ledger_heads.heads_of([p.ledger for p in upload.plans])
    report.new_categories = new_categories
    set_month_plans(report, _concat_plans(plans_read))
    if upload.early or unsettled or any(f.level == ERROR for f in findings):
        report.tables = None
    if report.tables is not None and tables is not None:
        if (
            not upload.boundaries
            and _nothing_new(report, tables)
            and not _new_plans(report_month_plans(report), store)
        ):
            report.findings.append(Finding(WARNING, "、".join(upload.files), None, None, None, "",
                                           f"上传的数据与现有数据(第{seen.id}批)完全相同,"
                                           "无需再次导入;未写入任何数据"))  # fmt: skip
            report.unchanged = True
        else:
            report.changes = changes.of(report, tables, None if stored is None else stored.returns)
    say(1.0, "检查完成")
    return report


# An upload of at most so many rows is checked against the rows of the projects it names, read
# by key, with what the checks need of the others from the current data's snapshot; a larger
# one (a city's monthly ledger) reads the whole store, which is then as quick.
PART_ROWS = 20_000


def _part_of_store(
    store: Store, seen: Batch, raw_tables: list[reading.RawTable]
) -> tuple[dict[str, pd.DataFrame], dict, datasource.StoreFigures] | None:
    """The current data (as of `seen`) that the check of these tables reads, its boundaries and
    the figures of the rest (validation.validate's `stored`); None when the whole store is to be
    read: a large upload, no snapshot of the data seen, or other data since."""
    if not raw_tables or sum(len(r.frame) for r in raw_tables) > PART_ROWS:
        return None
    figures = datasource.figures_for_check(store, seen)
    if figures is None:
        return None
    keys = keys_of(raw_tables, settings.with_categories({}))
    codes = sorted({c for k in keys.values() if S.CODE in k for c in k[S.CODE].dropna()} - {""})
    problems = keys.get(S.PROBLEMS, pd.DataFrame({S.PROBLEM_ID: []}))[S.PROBLEM_ID]
    by_key = {t: codes for t in S.TABLES if t != S.PROJECTS and S.KEYS[t][0] == S.CODE}
    by_key[S.PROBLEMS] = sorted(set(problems.dropna()) - {""})
    whole = tuple(t for t in S.TABLES if t != S.PROJECTS and t not in by_key)
    found = store.rows_in_part(seen.id, whole, by_key)
    if found is None:
        return None
    tables, boundaries = found
    tables[S.PROJECTS] = figures.projects
    return {t: tables[t] for t in S.TABLES}, boundaries, figures


def report_month_plans(report: Report) -> pd.DataFrame:
    """The monthly plans (core.store.month_plans.COLUMNS) a checked report brings: saved
    with its batch by commit, and what core.store.month_plans replaces."""
    plans = getattr(report, "month_plans", None)
    return _concat_plans([]) if plans is None else plans


def set_month_plans(report: Report, plans: pd.DataFrame) -> None:
    report.month_plans = plans  # an attribute of the report: carried from check to commit


def _concat_plans(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series([], dtype=float if c == month_plans.PLANNED else object)
                             for c in month_plans.COLUMNS})  # fmt: skip
    return pd.concat(frames, ignore_index=True)[list(month_plans.COLUMNS)]


def _new_plans(plans: pd.DataFrame, store: Store) -> bool:
    """Whether the upload's monthly plans differ from those in force: a ledger imported again
    with its plan columns filled in is new, though its other rows are not."""
    if plans.empty:
        return False
    stored = datasource.month_plans_in_force(store)
    key = [S.CODE, S.MONTH]
    mine = plans.set_index(key)[month_plans.PLANNED].astype(float)
    years = {(str(c), str(m)[:4]) for c, m in mine.index}
    named = [(c, m[:4]) in years for c, m in zip(stored[S.CODE], stored[S.MONTH], strict=True)]
    stored = stored.loc[named]
    theirs = stored.set_index(key)[month_plans.PLANNED].astype(float)
    return not mine.sort_index().equals(theirs.sort_index())


def _nothing_new(report: Report, current: dict[str, pd.DataFrame]) -> bool:
    """Whether every uploaded row is already in the current data as it is (the same file
    imported twice)."""
    for table, rows in uploaded_rows(report).items():
        stored = current.get(table)
        if len(rows) == 0:
            continue
        if stored is None:
            return False
        key = list(S.KEYS[table])
        columns = [c for c in rows.columns if c in stored.columns and not c.startswith("_")]
        left = rows[columns].astype(str).fillna("")
        right = stored[columns].astype(str).fillna("")
        merged = left.merge(right, on=key, how="left", suffixes=("", "_stored"), indicator=True)
        if (merged["_merge"] != "both").any():
            return False
        for c in columns:
            if c in key:
                continue
            differ = (merged[c] != merged[f"{c}_stored"]).to_numpy()
            if not differ.any():
                continue
            # A number the office wrote "5.0" comes back from the product's export as 5.
            mine = pd.to_numeric(merged[c][differ], errors="coerce").to_numpy()
            theirs = pd.to_numeric(merged[f"{c}_stored"][differ], errors="coerce").to_numpy()
            if not (mine == theirs).all():
                return False
    return True


def _usable(geojson: dict | None) -> dict | None:
    """The store's boundaries unless they are the empty collection of a store without any."""
    return geojson if geojson and geojson.get("features") else None


def commit(report: Report, store: Store, note: str = "", *, actor: Actor) -> Batch:
    """Write a checked report to the store as one batch (raises if it has errors); the ledger
    layouts it used are saved and new categories join the office's lists.

    The actor must be allowed to import, and a county reporter only a report checked for its
    own counties (roles.Refused otherwise); the store checks the rows' counties again."""
    counties = roles.counties_of(actor)
    if counties is not None and (
        report.checked_for is None or not set(report.checked_for) <= set(counties)
    ):
        raise roles.Refused("这份检查结果不是按您的区县做的,未导入:请重新上传并检查。")
    if not report.importable:
        raise ValueError("数据存在错误,不能导入:" + report.summary())
    if report.new_categories:
        roles.require(actor, roles.SETTINGS)  # before anything is written
    batch = store.import_batch(
        uploaded_rows(report),
        files=report.files,
        note=note.strip(),
        boundaries=report.boundaries,
        seen_version=report.checked_against,
        actor=actor,
        categories=report.new_categories or None,
        # The ledgers' monthly plans, with the batch that brought them, in its transaction (a
        # roll-back of it takes them out of force: core.store.datasource.month_plans_in_force).
        month_plans=report_month_plans(report),
    )
    saved = Layouts(store)
    for layout in report.layouts:
        saved.save(layout, actor=actor)
    ledger_heads.keep(store, report.heads, actor=actor)  # the pre-filled returns' layout
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


def with_plan(upload: Upload, index: int, *, layout: Layout | None = None,
              period: Period | None = None) -> Upload:  # fmt: skip
    """The upload with ledger `index` read by another layout or for another period."""
    plans = list(upload.plans)
    plan = plans[index]
    plans[index] = replace(plan, layout=layout or plan.layout, period=period or plan.period)
    return replace(upload, plans=plans)


def withdraw(
    store: Store, codes: list[str], period: Period, note: str = "", *, actor: Actor
) -> Batch:
    """Withdraw projects from the list (调出) from the period on: one recorded batch; only for
    an actor who may withdraw (roles.Refused otherwise)."""
    roles.require(actor, roles.WITHDRAW)
    current = store.current_tables()
    if current is None:
        raise ValueError("尚未导入数据,没有可调出的项目")
    tables, _ = current
    projects = tables[S.PROJECTS].copy()
    unknown = sorted(set(codes) - set(projects[S.CODE]))
    if unknown:
        raise ValueError(f"项目清单中没有这些项目代码:{'、'.join(unknown)}")
    projects.loc[projects[S.CODE].isin(codes), S.WITHDRAWN] = period.key
    tables = dict(tables, **{S.PROJECTS: projects})
    names = "、".join(projects.loc[projects[S.CODE].isin(codes), S.NAME].tolist()[:5])
    text = f"调出{len(codes)}个项目({names}{'等' if len(codes) > 5 else ''}),自{period.label}起不再统计"
    batch = store.import_batch(tables, files=[], kind=WITHDRAWAL, actor=actor,
                               note=(note.strip() + ";" if note.strip() else "") + text)  # fmt: skip
    datasource.load(store)
    return batch


def withdrawable(projects: pd.DataFrame) -> pd.DataFrame:
    """The projects of a list that can be withdrawn (not yet withdrawn): code, name, county."""
    return projects.loc[projects[S.WITHDRAWN] == "", [S.CODE, S.NAME, S.COUNTY]]
