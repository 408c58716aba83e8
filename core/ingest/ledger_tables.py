"""A ledger, read with its layout, as the store's tables: 项目清单, 年度计划, 月度进度, 存在问题.

Each project row becomes a project (a generated code where the ledger has none, stable from
month to month), its annual plan for the period's year, its year-to-date figure for the period
(the month's own amount is the difference from the month before, worked out by the validation),
its 形象进度, and an open problem where it names one. Several sheets of one upload that list the
same projects (分级管理 / 分行业 views) are one list: each adds what its sections say.
The tables come out as RawTables with the ledger's Excel rows, so every check names 第N行.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from core.base import schema as S
from core.base import settings
from core.base.periods import Period
from core.base.values import normalize_text, parse_amount, parse_years
from core.ingest import vocabulary as V
from core.ingest.findings import ERROR, WARNING, Finding
from core.ingest.layouts import Layout, has_returns
from core.ingest.ledger import LedgerSheet, Record, Section
from core.ingest.reading import RawTable
from core.store.month_plans import PLANNED

GENERATED_PREFIX = "ZB-"  # 自编: a code the product made because the ledger had none
LEDGER_PROBLEM = "-Q"  # problem ids from a ledger: <project code>-Q<digest of the text>
_NAME_MARKS = re.compile(r"[\s●○◆◇★☆△▲※*#·]")
TOTAL_TOLERANCE = 0.01  # 万元 per summed row: rounding in the source sheet is not a mismatch


def name_key(name: object) -> str:
    """A project name for matching: half-width, no spaces or marks ("临湖大道 改造" = "临湖大道改造")."""
    return _NAME_MARKS.sub("", unicodedata.normalize("NFKC", normalize_text(name)))


def generated_code(county: str, name: str) -> str:
    digest = hashlib.sha1(f"{name_key(county)}|{name_key(name)}".encode()).hexdigest()
    return GENERATED_PREFIX + digest[:8].upper()


def problem_id(code: str, text: str) -> str:
    return f"{code}{LEDGER_PROBLEM}{hashlib.sha1(name_key(text).encode()).hexdigest()[:6].upper()}"


@dataclass
class _Project:
    """One project as the upload's sheets describe it."""

    sheet: LedgerSheet  # where its row is (the first sheet that lists it)
    record: Record
    values: dict[str, Any] = field(default_factory=dict)  # schema column → cell
    defaulted: set[str] = field(default_factory=set)  # columns that took the layout's default
    others: list[tuple[LedgerSheet, Record]] = field(default_factory=list)  # other views


@dataclass
class Converted:
    tables: list[RawTable]
    findings: list[Finding]
    codes: dict[tuple[str, str | None, int], str]  # (file, sheet, Excel row) → project code
    new_categories: dict[str, list[str]]  # schema column → values not in the office's lists
    # Each project's monthly plan for the period's year (core.store.month_plans.COLUMNS: the
    # planned amount from January to each month, 万元), from the ledger's plan columns.
    month_plans: pd.DataFrame = field(default_factory=lambda: _plan_frame([]))


def convert(
    items: list[tuple[LedgerSheet, Layout]],
    period: Period,
    current: dict[str, pd.DataFrame] | None,
) -> Converted:
    """The store's tables from ledgers with their layouts, for the period's month."""
    findings: list[Finding] = []
    projects: dict[str, _Project] = {}
    for ledger, layout in items:
        _check_sections(ledger, layout, findings)
        seen: dict[str, int] = {}
        for record in ledger.records:
            values = _values(ledger, layout, record)
            _own_words(values, ledger, layout, record, findings)
            key = name_key(values.get(S.NAME, ""))
            if not key:
                continue
            if key in seen:
                findings.append(Finding(ERROR, ledger.file, ledger.sheet, record.row, S.NAME,
                                        normalize_text(values[S.NAME]),
                                        f"与第{seen[key]}行的项目同名;同一台账中项目名称不能重复"))  # fmt: skip
                continue
            seen[key] = record.row
            if key in projects:
                _add_view(projects[key], ledger, record, values, findings)
            else:
                projects[key] = _Project(ledger, record, values)
    for p in projects.values():
        _fill_defaults(p, items)
    codes = _codes(projects, current)
    known = set(current[S.PROJECTS][S.CODE]) if current and S.PROJECTS in current else set()
    for key, p in projects.items():
        if codes[key] in known:  # a default is for new projects: a stored value stays
            for column in p.defaulted:
                del p.values[column]
    tables = _tables(projects, codes, period, current, items)
    out_codes = {(p.sheet.file, p.sheet.sheet, p.record.row): codes[k] for k, p in projects.items()}
    plans = _month_plans(projects, codes, period, items, findings)
    return Converted(tables, findings, out_codes, _new_categories(projects), plans)


def _values(ledger: LedgerSheet, layout: Layout, record: Record) -> dict[str, Any]:
    """Schema column → cell for one row: its columns first, then what its sections say."""
    values: dict[str, Any] = {}
    for c in ledger.columns:
        f = layout.field_of(c)
        if f is None or f is V.IGNORE or f.per_month or f.per_node or f is V.TEN_DAY:
            continue
        if f.column is None:
            continue
        cell = record.cells[c.index] if c.index < len(record.cells) else ""
        if cell in ("", None):
            continue
        values[f.column] = cell
    for c in ledger.columns:  # cells that give two columns, where those are not given alone
        f = layout.field_of(c)
        cell = normalize_text(record.cells[c.index]) if c.index < len(record.cells) else ""
        if not cell:
            continue
        if f is V.OWNER_WITH_PERSON:
            unit, person = V.split_owner(cell)
            values.setdefault(S.OWNER, unit)
            if person:
                values.setdefault(S.OWNER_PERSON, person)
        elif f is V.YEARS:
            start, end = parse_years(cell)
            if start:
                values.setdefault(S.PLANNED_START, start)
            if end:
                values.setdefault(S.PLANNED_END, end)
    for level, index in record.sections.items():
        meaning = layout.meaning_of(ledger.sheet, level)
        column = V.MEANING_COLUMN.get(meaning or "")
        if column and not normalize_text(values.get(column, "")):
            values[column] = V.section_value(ledger.sections[index].label, meaning)
    return values


def _own_words(values: dict, ledger: LedgerSheet, layout: Layout, record: Record,
               findings: list[Finding]) -> None:  # fmt: skip
    """A descriptive column in the office's own words never blocks an import: 项目性质 新开工 is
    新建, 预备 a stage (前期), 竣工 too; 项目阶段 新开工 is 在建. A word that means neither is
    left out with a warning that names the column as the file names it."""
    for column, words in ((S.NATURE, V.NATURE_WORDS), (S.STAGE, V.STAGE_WORDS)):
        text = normalize_text(values.get(column, ""))
        if not text:
            continue
        key = V.header_key(text).removesuffix("项目") or V.header_key(text)
        if key in words:
            values[column] = words[key]
        elif column == S.NATURE and key in V.STAGE_WORDS:
            del values[column]
            values.setdefault(S.STAGE, V.STAGE_WORDS[key])
        elif column == S.STAGE and key in V.NATURE_WORDS:
            values[column] = S.STAGE_CONSTRUCTION  # 续建, 新建: under construction
        else:
            del values[column]
            source = next((c for c in ledger.columns if (f := layout.field_of(c)) is not None
                           and f.column == column), None)  # fmt: skip
            where = f"{source.letter}列“{source.label}”" if source else column
            findings.append(Finding(WARNING, ledger.file, ledger.sheet, record.row, column, text,
                                    f"{where}的“{text}”不是本办使用的{column}值,该格未导入"))  # fmt: skip


def _add_view(p: _Project, ledger: LedgerSheet, record: Record, values: dict, findings) -> None:
    """Another sheet lists the same project: it adds what the first did not say."""
    p.others.append((ledger, record))
    for column, value in values.items():
        mine = p.values.get(column)
        if mine in ("", None):
            p.values[column] = value
        elif column in (S.COUNTY, S.SECTOR, S.LEVEL, S.STAGE) and normalize_text(
            mine
        ) != normalize_text(value):
            findings.append(Finding(WARNING, ledger.file, ledger.sheet, record.row, column,
                                    normalize_text(value),
                                    f"与工作表“{p.sheet.sheet}”第{p.record.row}行的"
                                    f"“{normalize_text(mine)}”不一致,采用后者"))  # fmt: skip


def _fill_defaults(p: _Project, items: list[tuple[LedgerSheet, Layout]]) -> None:
    layout = next(lay for led, lay in items if led is p.sheet)
    for column, value in layout.defaults.items():
        if value and not normalize_text(p.values.get(column, "")):
            p.values[column] = value
            p.defaulted.add(column)


def _codes(projects: dict[str, _Project], current: dict[str, pd.DataFrame] | None) -> dict:
    """Each project's code: the ledger's own, else the code it has in the store (same county and
    name, or the same name alone when only one project has it), else a generated one."""
    known: dict[tuple[str, str], str] = {}
    by_name: dict[str, list[str]] = {}
    if current is not None and len(current.get(S.PROJECTS, [])):
        cur = current[S.PROJECTS]
        for code, name, county in zip(cur[S.CODE], cur[S.NAME], cur[S.COUNTY], strict=True):
            known[(name_key(county), name_key(name))] = code
            by_name.setdefault(name_key(name), []).append(code)
    codes = {}
    for key, p in projects.items():
        own = normalize_text(p.values.get(S.CODE, ""))
        county = name_key(p.values.get(S.COUNTY, ""))
        if own:
            codes[key] = own
        elif (county, key) in known:
            codes[key] = known[(county, key)]
        elif len(by_name.get(key, [])) == 1:
            codes[key] = by_name[key][0]
        else:
            codes[key] = generated_code(county, key)
    return codes


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([r.get(c, "") for r in rows], dtype=object) for c in columns})


def _raw(table: str, ledger: LedgerSheet, rows: list[dict], numbers: list[int], columns,
         units: dict[str, float]) -> RawTable:  # fmt: skip
    order = [c for c in (*S.COLUMNS[table], *S.ALTERNATIVES.get(table, {})) if c in columns]
    return RawTable(
        table=table,
        file=ledger.file,
        sheet=ledger.sheet,
        frame=_frame(rows, order),
        rows=numbers,
        header_row=ledger.header_rows[0],
        multiplier=ledger.multiplier,
        totals=[],
        unknown_columns=[],
        missing_columns=[],
        column_multipliers=units,
    )


def _units(ledger: LedgerSheet, layout: Layout) -> dict[str, float]:
    """Schema column → what converts its plain numbers to 万元, where its header states a unit."""
    out = {}
    for c in ledger.columns:
        f = layout.field_of(c)
        if f is not None and f.amount and f.column and c.unit is not None:
            out[f.column] = c.unit
    return out


def _tables(projects, codes, period: Period, current, items) -> list[RawTable]:
    by_sheet: dict[int, list[str]] = {}
    for key, p in projects.items():
        by_sheet.setdefault(id(p.sheet), []).append(key)
    tables: list[RawTable] = []
    current_problems = current.get(S.PROBLEMS) if current else None
    for ledger, layout in items:
        keys = by_sheet.get(id(ledger), [])
        units = _units(ledger, layout)
        project_rows, plan_rows, month_rows, problem_rows, node_rows = [], [], [], [], []
        project_cols: set[str] = {S.CODE}
        for key in keys:
            p = projects[key]
            row = {c: v for c, v in p.values.items() if c in S.PROJECT_COLUMNS}
            row[S.CODE] = codes[key]
            project_cols |= set(row)
            project_rows.append((row, p.record.row))
            if S.ANNUAL_PLAN in p.values or S.PRIOR_CUMULATIVE in p.values:
                plan = {S.CODE: codes[key], S.YEAR: str(period.year)}
                for c in (S.ANNUAL_PLAN, S.PRIOR_CUMULATIVE):
                    if c in p.values:
                        plan[c] = p.values[c]
                plan_rows.append((plan, p.record.row))
            month_rows += [
                (m, p.record.row) for m in _months(ledger, layout, p, codes[key], period)
            ]
            node_rows += [(n, p.record.row) for n in _nodes(ledger, layout, p, codes[key])]
            text = normalize_text(p.values.get(S.PROBLEM_TEXT, ""))
            if text:
                problem_rows.append((_problem(codes[key], text, period, current_problems),
                                     p.record.row))  # fmt: skip
        tables.append(_raw(S.PROJECTS, ledger, [r for r, _ in project_rows],
                           [n for _, n in project_rows], project_cols, units))  # fmt: skip
        for table, rows in ((S.PLANS, plan_rows), (S.MONTHLY, month_rows),
                            (S.PROBLEMS, problem_rows), (S.MILESTONES, node_rows)):  # fmt: skip
            if rows:
                columns = set().union(*(r.keys() for r, _ in rows))
                tables.append(_raw(table, ledger, [r for r, _ in rows], [n for _, n in rows],
                                   columns, units))  # fmt: skip
    resolved = _resolved_problems(projects, codes, period, current_problems, items)
    if resolved is not None:
        tables.append(resolved)
    return tables


def _months(ledger: LedgerSheet, layout: Layout, p: _Project, code: str, period: Period):
    """The 月度进度 rows of a project: the period's year-to-date figure (or the month's own
    amount), its 形象进度, and per-month columns up to the period."""
    rows: dict[str, dict] = {}

    def month(m: int) -> dict:
        key = Period(period.year, m).key
        return rows.setdefault(key, {S.CODE: code, S.MONTH: key})

    v = p.values
    if S.MONTH_CUMULATIVE in v:
        month(period.month)[S.MONTH_CUMULATIVE] = v[S.MONTH_CUMULATIVE]
    elif S.MONTH_COMPLETED in v:
        month(period.month)[S.MONTH_COMPLETED] = v[S.MONTH_COMPLETED]
    if normalize_text(v.get(S.PROGRESS_TEXT, "")):
        month(period.month)[S.PROGRESS_TEXT] = v[S.PROGRESS_TEXT]
    ten_days = []
    for c in ledger.columns:
        f = layout.field_of(c)
        cell = p.record.cells[c.index] if c.index < len(p.record.cells) else ""
        if cell in ("", None) or f is None:
            continue
        if f.per_month and f not in V.PLAN_FIELDS and c.month and c.month <= period.month:
            column = S.MONTH_COMPLETED if f is V.MONTH_N_AMOUNT else S.PROGRESS_TEXT
            if column == S.MONTH_COMPLETED and S.MONTH_CUMULATIVE in v and c.month == period.month:
                month(c.month)["_month"] = cell  # the year-to-date figure decides the month
                continue
            month(c.month)[column] = cell
        elif f is V.TEN_DAY:
            ten_days.append(cell)
    if ten_days and S.MONTH_CUMULATIVE not in v and S.MONTH_COMPLETED not in v:
        try:  # in the sheet's unit, as the other amounts: the validation converts them all
            total = sum(parse_amount(cell) or 0.0 for cell in ten_days)
            month(period.month)[S.MONTH_COMPLETED] = _number(total)
        except ValueError:
            month(period.month)[S.MONTH_COMPLETED] = ten_days[0]  # the validation names it
    if S.MONTH_CUMULATIVE in v:
        _cumulative_months(rows, period)
    # A month before the period that the row gives words for but no amount is no return of its
    # own: its 形象进度 alone cannot be stored without inventing an amount.
    for key in [k for k, r in rows.items() if k != period.key and S.MONTH_COMPLETED not in r]:
        del rows[key]
    if not rows and has_returns(ledger, layout):
        month(period.month)  # reported this month, with nothing to report: still a return
    return list(rows.values())


def _cumulative_months(rows: dict[str, dict], period: Period) -> None:
    """Months before the period given by the row's per-month columns, beside the period's
    year-to-date figure, as year-to-date figures too: the period's figure less the months after
    each (1-7月 less 7月 is 1-6月), so that every row states the sum from January and no month is
    counted twice. A month whose later months are not all given keeps no amount."""
    own: dict[int, float | None] = {}
    for m in range(1, period.month + 1):
        row = rows.get(Period(period.year, m).key, {})
        cell = row.pop("_month", None) if m == period.month else row.get(S.MONTH_COMPLETED)
        try:
            own[m] = parse_amount(cell) if cell not in ("", None) else None
        except ValueError:
            own[m] = None
    try:
        to_date = parse_amount(rows[period.key][S.MONTH_CUMULATIVE])
    except (KeyError, ValueError):
        return
    for m in range(period.month - 1, 0, -1):
        key = Period(period.year, m).key
        if key not in rows:
            break
        rows[key].pop(S.MONTH_COMPLETED, None)
        if to_date is None or own[m + 1] is None:
            to_date = None
            continue
        to_date -= own[m + 1]
        rows[key][S.MONTH_CUMULATIVE] = _number(to_date)


def _plan_frame(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame({S.CODE: pd.Series([r[0] for r in rows], dtype=object),
                         S.MONTH: pd.Series([r[1] for r in rows], dtype=object),
                         PLANNED: pd.Series([r[2] for r in rows], dtype=float)})  # fmt: skip


def _month_plans(projects, codes, period: Period, items, findings) -> pd.DataFrame:
    """Each project's monthly plan for the period's year from the plan columns of its sheets:
    the planned sum from January to each month. A 1-N月计划 column states that sum; a month's
    own plan (N月计划) adds to the sum before it, an empty cell of such a column being nothing
    planned that month; a project listed on several sheets takes each month from the first
    that states it. A project whose plan cells are all empty has no monthly plan; one
    with an amount that cannot be read has none either, with a warning naming the cell."""
    layout_of = {id(ledger): layout for ledger, layout in items}
    rows: list[tuple[str, str, float]] = []
    for key, p in projects.items():
        own: dict[int, float] = {}
        to_date: dict[int, float] = {}
        months: set[int] = set()  # the months with a column of their own plan
        given, unreadable = False, False
        for ledger, record in ((p.sheet, p.record), *p.others):
            layout = layout_of.get(id(ledger))
            for c in ledger.columns if layout is not None else ():
                f = layout.field_of(c)
                if f not in V.PLAN_FIELDS or not c.month:
                    continue
                cell = record.cells[c.index] if c.index < len(record.cells) else ""
                try:
                    amount = parse_amount(cell, c.unit or ledger.multiplier)
                except ValueError:
                    findings.append(Finding(WARNING, ledger.file, ledger.sheet, record.row,
                                            c.label, normalize_text(cell),
                                            "计划金额无法识别,应为数字;该项目的月度计划未导入"))  # fmt: skip
                    unreadable = True
                    continue
                given = given or amount is not None
                if f is V.MONTH_N_PLAN:
                    months.add(c.month)
                if amount is not None:  # the first sheet that states it; an empty 1-N月 cell
                    (own if f is V.MONTH_N_PLAN else to_date).setdefault(c.month, amount)
        if not given or unreadable:
            continue
        running = None
        for m in range(1, 13):
            if m in to_date:
                running = to_date[m]
            elif m in months:
                running = (running or 0.0) + own.get(m, 0.0)
            else:
                continue
            rows.append((codes[key], Period(period.year, m).key, round(running, 6)))
    return _plan_frame(rows)


def _nodes(ledger: LedgerSheet, layout: Layout, p: _Project, code: str) -> list[dict]:
    """The 节点计划 rows of a project from the ledger's node columns ("主体完工计划完成时间",
    or 主体完工 over 计划 | 实际): one per node the row gives a month for. The ledger's node
    columns state the node's months; an empty actual month means not reached."""
    rows: dict[str, dict] = {}
    for c in ledger.columns:
        f = layout.field_of(c)
        if f is None or not f.per_node:
            continue
        node = V.column_node(list(c.path))
        row = rows.setdefault(node, {S.CODE: code, S.NODE: node})
        cell = p.record.cells[c.index] if c.index < len(p.record.cells) else ""
        row[f.column] = "" if cell is None else cell
    return [r for r in rows.values() if any(normalize_text(r.get(c, "")) for c in
                                           (S.NODE_PLANNED, S.NODE_ACTUAL))]  # fmt: skip


def _problem(code: str, text: str, period: Period, current: pd.DataFrame | None) -> dict:
    """The problem a ledger names: open, as first reported. One closed since is open again,
    and its 督办 state says so (the dates of the closure go); its other 督办 fields stay."""
    pid = problem_id(code, text)
    raised = period.key
    stored = None
    if current is not None and len(current):
        earlier = current.loc[current[S.PROBLEM_ID] == pid]
        if len(earlier):
            stored = earlier.iloc[0]
            raised = stored[S.RAISED] or raised  # the problem as first reported, still open
    kind = V.problem_type(text, settings.current().problem_types)
    row = {S.PROBLEM_ID: pid, S.CODE: code, S.PROBLEM_TYPE: kind, S.PROBLEM_TEXT: text,
           S.RAISED: raised, S.RESOLVED: ""}  # fmt: skip
    # Every row of the upload carries the same columns, so each states its stored 督办 fields.
    row |= {c: "" if stored is None else stored.get(c, "") for c in _WORKFLOW}
    if row[S.HANDLING_STATE] in (S.STATE_CLOSED, S.STATE_CLEARED):
        assigned = bool(row[S.ASSIGNED_ON])
        row |= {S.HANDLING_STATE: S.STATE_HANDLING if assigned else S.STATE_WAITING,
                S.CLOSED_ON: "", S.CLEARED_ON: ""}  # fmt: skip
    return row


_WORKFLOW = (S.ASSIGNED_ON, S.DEADLINE, S.HANDLING_STATE, S.HANDLING_NOTES, S.CLOSED_ON,
             S.CLEARED_ON)  # fmt: skip


def _resolved_problems(projects, codes, period, current, items) -> RawTable | None:
    """A ledger problem of a reporting project that this month's ledger no longer names is
    resolved this month: the ledger lists what still needs coordinating."""
    uses_problems = any(lay.field_of(c) is V.PROBLEM for led, lay in items for c in led.columns)
    if not uses_problems or current is None or current.empty:
        return None
    named = {
        problem_id(codes[k], normalize_text(p.values.get(S.PROBLEM_TEXT, "")))
        for k, p in projects.items()
        if normalize_text(p.values.get(S.PROBLEM_TEXT, ""))
    }
    reporting = {codes[k] for k in projects}
    pr = current
    ledger_made = pd.Series([pid.startswith(code + LEDGER_PROBLEM) for pid, code in
                             zip(pr[S.PROBLEM_ID], pr[S.CODE], strict=True)], index=pr.index)  # fmt: skip
    gone = pr.loc[ledger_made & pr[S.CODE].isin(reporting) & (pr[S.RESOLVED] == "")
                  & ~pr[S.PROBLEM_ID].isin(named)]  # fmt: skip
    if gone.empty:
        return None
    rows = [
        dict(r, **{S.RESOLVED: period.key}, **_closed_state(r)) for r in gone.to_dict("records")
    ]
    ledger = items[0][0]
    return _raw(S.PROBLEMS, ledger, rows, [ledger.header_rows[1]] * len(rows),
                set(S.PROBLEM_COLUMNS), {})  # fmt: skip


def _closed_state(row: dict) -> dict:
    """A problem followed by 督办 that the ledger no longer names is 已办结 (in that month)."""
    if row.get(S.HANDLING_STATE, "") in (S.STATE_WAITING, S.STATE_HANDLING):
        return {S.HANDLING_STATE: S.STATE_CLOSED}
    return {}


def _new_categories(projects: dict[str, _Project]) -> dict[str, list[str]]:
    own = settings.current()
    lists = {S.SECTOR: (*own.sectors, S.UNCLASSIFIED), S.LEVEL: own.levels}
    out: dict[str, list[str]] = {}
    for column, allowed in lists.items():
        values = {normalize_text(p.values.get(column, "")) for p in projects.values()}
        new = sorted(v for v in values if v and v not in allowed)
        if new:
            out[column] = new
    return out


# --- the ledger's own totals -----------------------------------------------------------------


def _check_sections(ledger: LedgerSheet, layout: Layout, findings: list[Finding]) -> None:
    """合计 and section rows: their amounts and "(N项)" counts against the rows they head."""
    amount_columns = [c for c in ledger.columns if (f := layout.field_of(c)) and f.amount]
    for s in ledger.sections:
        if s.part or s.last <= s.first:
            continue
        records = ledger.records[s.first : s.last]
        label = s.label or "合计"
        if s.count is not None and s.count != len(records) and not s.total:
            findings.append(Finding(WARNING, ledger.file, ledger.sheet, s.row, None, "",
                                    f"分组“{label}”写明{s.count}项,其下实有{len(records)}个项目"))  # fmt: skip
        for c in amount_columns:
            stated = _amount(s.amounts.get(c.index), c, ledger)
            if stated is None:
                continue
            summed = sum(_amount(r.cells[c.index], c, ledger) or 0.0 for r in records
                         if c.index < len(r.cells))  # fmt: skip
            if abs(summed - stated) > TOTAL_TOLERANCE * max(len(records), 1):
                findings.append(Finding(
                    WARNING, ledger.file, ledger.sheet, s.row, c.label,
                    normalize_text(s.amounts.get(c.index)),
                    f"“{_section_text(s)}”行为{_number(stated)},其下各项目合计为{_number(summed)},"
                    "两者不一致"))  # fmt: skip


def _section_text(s: Section) -> str:
    return s.label if not s.total else (s.label or "合计")


def _amount(cell: Any, column, ledger: LedgerSheet) -> float | None:
    try:
        return parse_amount(cell, column.unit or ledger.multiplier)
    except ValueError:
        return None


def _number(x: float) -> str:
    x = round(float(x), 6)
    return str(int(x)) if x == int(x) else repr(x)


# --- the mapping step's preview --------------------------------------------------------------

PREVIEW_COLUMNS = (S.CODE, S.NAME, S.COUNTY, S.SECTOR, S.LEVEL, S.STAGE, S.TOTAL_INVESTMENT,
                   S.ANNUAL_PLAN, S.MONTH_CUMULATIVE, S.MONTH_COMPLETED, S.PROGRESS_TEXT,
                   S.PROBLEM_TEXT, S.OWNER, S.OWNER_PERSON, S.LEADER)  # fmt: skip


def preview(ledger: LedgerSheet, layout: Layout, period: Period, current,
            rows: int = 5) -> pd.DataFrame:  # fmt: skip
    """The first rows of a ledger as they will be stored: codes, the values its sections and
    defaults give, amounts in 万元 (text that is no amount stays as written, to be reported)."""
    head = replace(ledger, records=ledger.records[:rows])
    converted = convert([(head, layout)], period, current)
    merged: dict[str, dict[str, Any]] = {}
    for raw in converted.tables:
        for i, code in enumerate(raw.frame.get(S.CODE, pd.Series(dtype=object))):
            target = merged.setdefault(code, {})
            for column in raw.frame.columns:
                value = raw.frame[column].iloc[i]
                if column in (S.TOTAL_INVESTMENT, S.ANNUAL_PLAN, S.MONTH_CUMULATIVE,
                              S.MONTH_COMPLETED) and value not in ("", None):  # fmt: skip
                    with contextlib.suppress(ValueError):  # the check names what is no amount
                        value = parse_amount(value, raw.multiplier_for(column))
                if value not in ("", None):
                    target[column] = value
    frame = pd.DataFrame(list(merged.values()))
    shown = [c for c in PREVIEW_COLUMNS if c in frame.columns]
    return (
        frame[shown]
        .astype(object)
        .fillna("")
        .rename(columns={S.MONTH_CUMULATIVE: f"{period.ytd_label}累计完成投资(万元)"})
    )
