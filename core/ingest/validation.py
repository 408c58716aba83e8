"""Checking uploaded returns: every problem in one pass, each saying where (file, sheet, 第N行,
column), the value, and what is expected. Errors block an import; warnings are shown beside it.

Input: the raw tables of core.ingest.reading. Output: a Report whose `tables` are the clean tables
(schema columns, text: amounts as plain numbers in 万元, months as YYYY-MM) merged into the
current data by key, ready for the store.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd

from core.base import schema as S
from core.base import settings
from core.base import values as V
from core.base.cells import CONTROL_CHARACTERS, formula_like, without_controls
from core.base.geo import Boundaries, contains_many
from core.base.periods import Period
from core.ingest import vocabulary as VOCABULARY
from core.ingest.findings import ERROR, WARNING, Finding, Report
from core.ingest.reading import RawTable, SourceProblem
from core.store import datasource, returns

KEYS = S.KEYS  # rows with the same key replace each other (core.base.schema)
AMOUNTS = {
    S.PROJECTS: (S.TOTAL_INVESTMENT, S.SUBSIDY_SOUGHT),
    S.PLANS: (S.ANNUAL_PLAN,),
    S.MONTHLY: (S.MONTH_COMPLETED,),
    S.FUNDING: (S.FUNDING_AMOUNT,),
}
MONTHS = {
    S.PROJECTS: (S.PLANNED_START, S.ACTUAL_START, S.PLANNED_END),
    S.MONTHLY: (S.MONTH,),
    S.FUNDING: (S.FUNDING_MONTH,),
    S.PROBLEMS: (S.RAISED, S.RESOLVED),
    S.MILESTONES: (S.NODE_PLANNED, S.NODE_ACTUAL),
    S.EXEMPTIONS: (S.MONTH,),
}
# Months of what has happened already: later than the settings allow ahead is a typo.
PAST_MONTHS = (S.MONTH, S.FUNDING_MONTH, S.RAISED, S.RESOLVED, S.ACTUAL_START, S.ACTUAL_END,
               S.NODE_ACTUAL)  # fmt: skip
DATES = {S.PROBLEMS: (S.ASSIGNED_ON, S.DEADLINE, S.CLOSED_ON, S.CLEARED_ON)}
# Days of what has happened already: never after today (a deadline may be).
PAST_DATES = (S.ASSIGNED_ON, S.CLOSED_ON, S.CLEARED_ON)
# The most rows each table may hold: the stored rows and an import's, merged (README, 上传限制).
# They are the sizes the benchmark proves the pages at (bench: 99,975 projects with 1,016,042
# returns) with some room; a 1,000,000-row 项目清单 was accepted once and then no export could
# be made. More is refused: a CSV by its lines before it is read (core.ingest.importing), the
# tables of an upload by their rows before they are checked, the data after the merge before
# anything is written (tests/core/ingest/test_row_limits.py).
MAX_ROWS = {
    S.PROJECTS: 100_000,
    S.PLANS: 200_000,
    S.MONTHLY: 1_200_000,
    S.FUNDING: 150_000,
    S.PROBLEMS: 50_000,
    S.INDICATORS: 10_000,
    S.MILESTONES: 200_000,
    S.EXEMPTIONS: 10_000,
}


def too_many_rows(table: str, rows: int, after_merge: bool = False) -> str | None:
    """Why `rows` rows of `table` are refused (Chinese), or None within its limit."""
    limit = MAX_ROWS.get(table)
    if limit is None or rows <= limit:
        return None
    if after_merge:
        return (f"导入后{table}将有{rows:,}行,超过{limit:,}行的上限(现有数据与本次上传合计),"
                "未导入;请先调出或清理不再需要的项目,或分别建库")  # fmt: skip
    return f"{table}有{rows:,}行,超过{limit:,}行的上限,未读取检查;请拆分或精简后再上传"


def _choices(table: str, own: settings.Settings) -> dict[str, tuple[str, ...]]:
    """Columns with a list of allowed values; the office's own lists come from the settings."""
    return {
        S.PROJECTS: {
            S.SECTOR: own.sectors,
            S.LEVEL: own.levels,
            S.STAGE: S.STAGES,
            S.NATURE: S.NATURES,
        },
        S.FUNDING: {S.FUNDING_SOURCE: own.funding_sources},
        S.PROBLEMS: {S.PROBLEM_TYPE: own.problem_types, S.HANDLING_STATE: S.HANDLING_STATES},
        S.INDICATORS: {S.INDICATOR_GROUP: S.INDICATOR_GROUPS},
        S.EXEMPTIONS: {S.UNIT_KIND: S.UNIT_KINDS},
    }.get(table, {})


YES_NO = {S.PROJECTS: (S.NEWLY_ATTRACTED, S.HIGH_TECH)}
COUNTY_SUFFIXES = ("区", "县", "市", "旗")
TOTAL_TOLERANCE = 0.01  # 万元 per summed row: rounding in the source sheet is not a mismatch
_PLAIN_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
_HELPERS = ["_file", "_sheet", "_row", "_cum"]  # bookkeeping columns, never stored


class _Checker:
    """Collects findings while one raw table is turned into clean text columns."""

    def __init__(self, raw: RawTable, findings: list[Finding], own: settings.Settings):
        self.raw = raw
        self.own = own
        self.findings = findings
        self.failed: set[tuple[int, str]] = set()  # cells already reported: not "empty" as well

    def add(self, level: str, i: int | None, column: str | None, value, message: str) -> None:
        if i is not None and column is not None and level == ERROR:
            self.failed.add((i, column))
        row = self.raw.rows[i] if i is not None else None
        text = "" if value is None else V.normalize_text(value)
        self.findings.append(
            Finding(level, self.raw.file, self.raw.sheet, row, column, text, message)
        )

    def _column(self, column: str) -> pd.Series | None:
        return self.raw.frame[column] if column in self.raw.frame.columns else None

    def _empty(self) -> pd.Series:
        return pd.Series("", index=self.raw.frame.index, dtype=object)

    def text(self, column: str) -> pd.Series:
        """The reader already normalised text cells; only numbers and dates need turning to text."""
        raw = self._column(column)
        if raw is None:
            return self._empty()
        is_text = _is_str(raw)
        if is_text.all():
            return raw.astype(object)
        out = raw.astype(object).copy()
        out[~is_text] = raw[~is_text].map(V.normalize_text)
        return out

    def required(self, column: str, clean: pd.Series) -> None:
        if column in S.OPTIONAL[self.raw.table] or column not in self.raw.frame.columns:
            return
        for i in np.flatnonzero((clean == "").to_numpy()):
            if (int(i), column) not in self.failed:
                self.add(ERROR, int(i), column, "", "不能为空")

    def _numeric(self, column: str, parse, *, negative_ok: bool) -> pd.Series:
        """Vectorised for the plain numbers that make up almost every return; the rest one by
        one through `parse`, which knows separators, units and what to say when it fails."""
        raw = self._column(column)
        if raw is None:
            return self._empty()
        multiplier = self.raw.multiplier_for(column) if parse is V.parse_amount else 1.0
        is_text = _is_str(raw)
        fast = pd.to_numeric(raw.astype(object), errors="coerce").astype(float)
        logical = np.array([isinstance(v, bool) for v in raw], dtype=bool)  # TRUE is no amount
        plain = np.isfinite(fast.to_numpy()) & ~logical
        out = pd.Series("", index=raw.index, dtype=object)
        if multiplier == 1.0:
            keep = plain & is_text  # "1234.5" stays exactly as the office wrote it
            out[keep] = raw[keep]
            convert = plain & ~is_text
            out[convert] = fast[convert].map(_number_text)
        else:
            out[plain] = (fast[plain] * multiplier).map(_number_text)
        values = fast * multiplier
        for i in np.flatnonzero(~plain):
            cell = raw.iloc[i]
            if cell == "" or cell is None:
                continue
            try:
                value = parse(cell, multiplier) if parse is V.parse_amount else parse(cell)
            except ValueError as exc:
                self.add(ERROR, int(i), column, cell, str(exc))
                continue
            if value is not None and not math.isfinite(value):
                self.add(ERROR, int(i), column, cell, "应为数字,这个数太大或不是有限的数")
                continue
            if value is not None:
                out.iloc[i] = _number_text(value)
                values.iloc[i] = value
        if parse is V.parse_amount:
            limit = self.own.max_amount
            too_big = np.isfinite(values.to_numpy()) & (values > limit).to_numpy()
            for i in np.flatnonzero(too_big):
                self.add(ERROR, int(i), column, raw.iloc[i],
                         f"金额超过{limit / 1e8:g}万亿元的合理上限,请核对单位(是否把元填成了万元)")  # fmt: skip
                out.iloc[i] = ""
        if not negative_ok:
            for i in np.flatnonzero((values < 0).to_numpy()):
                self.add(ERROR, int(i), column, raw.iloc[i], "金额不能为负数")
                out.iloc[i] = ""
        return out

    def amounts(self, column: str) -> pd.Series:
        """Amounts in 万元 as plain-number text; '' where empty."""
        return self._numeric(column, V.parse_amount, negative_ok=False)

    def numbers(self, column: str) -> pd.Series:
        """Numbers without a unit (coordinates, indicator values); may be negative."""
        return self._numeric(column, _plain_number, negative_ok=True)

    def years(self, column: str) -> pd.Series:
        out = self._empty()
        raw = self._column(column)
        for i, cell in enumerate([] if raw is None else raw.tolist()):
            try:
                year = V.parse_year(cell)
            except ValueError as exc:
                self.add(ERROR, i, column, cell, str(exc))
                continue
            out.iloc[i] = "" if year is None else str(year)
        return out

    def months(self, column: str) -> pd.Series:
        raw = self._column(column)
        if raw is None:
            return self._empty()
        is_text = _is_str(raw)
        plain = is_text & raw.astype(object).where(is_text, "").str.match(_PLAIN_MONTH).fillna(
            False
        )
        out = raw.astype(object).where(plain, "")
        for i in np.flatnonzero(~plain.to_numpy()):
            cell = raw.iloc[i]
            try:
                out.iloc[i] = V.parse_month(cell) or ""
            except ValueError as exc:
                self.add(ERROR, int(i), column, cell, str(exc))
        earliest = f"{self.own.earliest_year:04d}-01"
        for i in np.flatnonzero(((out != "") & (out < earliest)).to_numpy()):
            self.add(ERROR, int(i), column, out.iloc[i],
                     f"年月早于{earliest},超出合理范围,请核对年份")  # fmt: skip
            out.iloc[i] = ""
        if column in PAST_MONTHS:
            latest = Period.today().shift(self.own.max_months_ahead).key
            why = "报送的是已经发生的月份"
        else:  # a plan: years ahead, not centuries
            latest = Period.today().shift(12 * self.own.max_plan_years_ahead).key
            why = f"计划的年月最多在{self.own.max_plan_years_ahead}年之后"
        for i in np.flatnonzero((out > latest).to_numpy()):
            self.add(ERROR, int(i), column, out.iloc[i],
                     f"年月晚于{latest},超出合理范围({why}),请核对年份")  # fmt: skip
            out.iloc[i] = ""
        return out

    def dates(self, column: str) -> pd.Series:
        out = self._empty()
        raw = self._column(column)
        today = dt.date.today().isoformat()
        for i, cell in enumerate([] if raw is None else raw.tolist()):
            try:
                day = V.parse_date(cell)
            except ValueError as exc:
                self.add(ERROR, i, column, cell, str(exc))
                continue
            if day and column in PAST_DATES and day > today:
                self.add(ERROR, i, column, cell, f"日期晚于今天({today}),请核对")
                continue
            out.iloc[i] = day or ""
        return out

    def choice(self, column: str, allowed: tuple[str, ...], clean: pd.Series) -> None:
        # 未分类 is what a ledger without sectors says: always allowed, never offered.
        ok = (*allowed, S.UNCLASSIFIED) if column == S.SECTOR else allowed
        for i in np.flatnonzero((~clean.isin(ok) & (clean != "")).to_numpy()):
            self.add(ERROR, int(i), column, clean.iloc[i], f"应为以下之一:{'、'.join(allowed)}")

    def yes_no(self, column: str) -> pd.Series:
        out = []
        for i, cell in enumerate(self.text(column).tolist()):
            try:
                out.append(V.parse_yes_no(cell) or "")
            except ValueError as exc:
                self.add(ERROR, i, column, cell, str(exc))
                out.append("")
        return pd.Series(out, index=self.raw.frame.index, dtype=object)


def _warn_formulas(c: _Checker, column: str, clean: pd.Series) -> None:
    """Text that Excel would run as a formula (core.base.cells): kept as the text it is, and
    every export writes it as text, but a person should know the return carries it."""
    if column not in c.raw.frame.columns:
        return
    for i in np.flatnonzero(clean.map(formula_like).to_numpy(dtype=bool)):
        c.add(WARNING, int(i), column, clean.iloc[i],
              f"以“{clean.iloc[i][:1].strip() or '制表符'}”开头,在Excel中可能被当作公式;"
              "本程序按文字保存,导出时也写成文字")  # fmt: skip


def _strip_controls(c: _Checker, column: str, clean: pd.Series) -> pd.Series:
    """Control characters and direction marks (core.base.cells) taken out of a text column,
    each cell that held them named in a warning: no stored text stops an export later."""
    dirty = clean.astype(object).str.contains(CONTROL_CHARACTERS.pattern, regex=True, na=False)
    if not dirty.any():
        return clean
    out = clean.astype(object).copy()
    for i in np.flatnonzero(dirty.to_numpy(dtype=bool)):
        text = " ".join(without_controls(out.iloc[i]).split())
        out.iloc[i] = text
        c.add(WARNING, int(i), column, text,
              "含有不可见的控制字符或改变文字方向的字符(如U+202E),已删除")  # fmt: skip
    return out


def _refuse_excel_errors(c: _Checker, column: str, clean: pd.Series) -> pd.Series:
    """#N/A, #DIV/0! … in a text column: a formula that failed, named as such (not 不能为空)."""
    marked = clean.astype(object).str.startswith(("#", "＃"), na=False).to_numpy(dtype=bool)
    if not marked.any():
        return clean
    out = clean.astype(object).copy()
    for i in np.flatnonzero(marked):
        error = V.excel_error(out.iloc[i])
        if error:
            c.add(ERROR, int(i), column, out.iloc[i], V.excel_error_message(error))
            out.iloc[i] = ""
    return out


def _is_str(values: pd.Series) -> pd.Series:
    return pd.Series([type(v) is str for v in values], index=values.index, dtype=bool)


def _plain_number(cell) -> float:
    error = V.excel_error(cell)
    if error:
        raise ValueError(V.excel_error_message(error))
    try:
        return float(V.normalize_text(cell).replace(",", ""))
    except ValueError:
        raise ValueError("应为数字") from None


def _number_text(x: float) -> str:
    """12000.0 → '12000', 1234.5 → '1234.5': exact enough for 万元 with two decimals."""
    x = round(float(x), 6)
    if abs(x) >= V.LARGEST_EXACT:
        return f"{x:.15g}"  # 1e+308, not a 309-digit integer
    return str(int(x)) if x == int(x) else repr(x)


def _clean(raw: RawTable, findings: list[Finding], own: settings.Settings) -> pd.DataFrame:
    """The raw table's cells checked and normalised into the schema's columns."""
    c = _Checker(raw, findings, own)
    table = raw.table
    out = pd.DataFrame(index=raw.frame.index)
    amount_cols = AMOUNTS.get(table, ())
    month_cols = MONTHS.get(table, ())
    for column in S.COLUMNS[table]:
        if column in amount_cols:
            out[column] = c.amounts(column)
        elif column in month_cols:
            out[column] = c.months(column)
        elif column in DATES.get(table, ()):
            out[column] = c.dates(column)
        elif column in YES_NO.get(table, ()):
            out[column] = c.yes_no(column)
        elif column in (S.LON, S.LAT, S.VALUE, S.TARGET):
            out[column] = c.numbers(column)
        elif column == S.YEAR:
            out[column] = c.years(column)
        else:
            out[column] = _refuse_excel_errors(
                c, column, _strip_controls(c, column, c.text(column))
            )
            _warn_formulas(c, column, out[column])
        c.required(column, out[column])
    for column, allowed in _choices(table, own).items():
        if column in raw.frame.columns:
            c.choice(column, allowed, out[column])
    if S.MONTH_CUMULATIVE in raw.frame.columns:
        out["_cum"] = c.amounts(S.MONTH_CUMULATIVE)
    # A column the file does not have keeps the stored value of a row it updates (None): a
    # ledger's row does not wipe the coordinates a template import gave the same project.
    # 起始年月 belongs to its amount: a return without it states single months.
    derived = {S.MONTH_COMPLETED} if "_cum" in out else set()
    derived |= {S.COVERS_FROM} if table == S.MONTHLY else set()
    for column in S.COLUMNS[table]:
        if column not in raw.frame.columns and column not in derived:
            out[column] = pd.Series(None, index=out.index, dtype=object)
    if table == S.INDICATORS:
        period = out[S.PERIOD].fillna("")
        for i in np.flatnonzero((~period.str.match(_PERIOD) & (period != "")).to_numpy()):
            c.add(ERROR, int(i), S.PERIOD, period.iloc[i], "应为年份YYYY或年月YYYY-MM")
    _check_duplicates(c, out, table)
    _check_totals(c, out, table)
    return out


def keys_of(raw_tables: list[RawTable], own: settings.Settings) -> dict[str, pd.DataFrame]:
    """The uploaded rows' key columns and 项目代码, per table, as the check cleans them: which
    rows of the current data the check of these tables reads (core.ingest.importing.check)."""
    out: dict[str, list[pd.DataFrame]] = {}
    for raw in raw_tables:
        columns = [c for c in S.COLUMNS[raw.table] if c in KEYS[raw.table] or c == S.CODE]
        out.setdefault(raw.table, []).append(_clean(raw, [], own)[columns])
    return {t: pd.concat(frames, ignore_index=True) for t, frames in out.items()}


def _check_duplicates(c: _Checker, out: pd.DataFrame, table: str) -> None:
    key = list(KEYS[table])
    filled = (out[key] != "").all(axis=1) & out[key].notna().all(axis=1)
    dup = (out.duplicated(key, keep="first") & filled).to_numpy()
    if not dup.any():
        return
    # Each row's first row with the same key, by one grouping: linear, not a scan per duplicate.
    group = out.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    first_of = pd.Series(np.arange(len(out))).groupby(group).transform("min").to_numpy()
    values = out[key].astype(str).to_numpy()
    what = "、".join(key)
    for i in np.flatnonzero(dup):
        c.add(ERROR, int(i), key[0], " / ".join(values[i]),
              f"{what}重复,与第{c.raw.rows[first_of[i]]}行相同")  # fmt: skip


def _check_totals(c: _Checker, out: pd.DataFrame, table: str) -> None:
    """A 合计 row is skipped; where it carries amounts, they must equal the rows above it."""
    for total in c.raw.totals:
        above = [i for i, r in enumerate(c.raw.rows) if r < total.row]
        for column in AMOUNTS.get(table, ()):
            if any(col == column for _, col in c.failed):
                continue  # a rejected cell is already an error; its sum would mislead
            text = total.values.get(column, "")
            if text in ("", None):
                continue
            try:
                stated = V.parse_amount(text, c.raw.multiplier_for(column))
            except ValueError:
                continue
            if stated is None:
                continue
            summed = pd.to_numeric(out[column].iloc[above], errors="coerce").fillna(0).sum()
            if abs(summed - stated) > TOTAL_TOLERANCE * max(len(above), 1):
                c.findings.append(
                    Finding(
                        WARNING,
                        c.raw.file,
                        c.raw.sheet,
                        total.row,
                        column,
                        str(text),
                        f"“{total.label}”行为{_number_text(stated)},"
                        f"上方各行合计为{_number_text(summed)},两者不一致",
                    )
                )


# --- Across tables --------------------------------------------------------------------------


def _merge(current: pd.DataFrame | None, new: pd.DataFrame, table: str) -> pd.DataFrame:
    """Rows of `new` replace rows of `current` with the same key; the others stay. A cell of
    `new` that is None (its file lacks the column) keeps the current row's value."""
    columns = list(S.COLUMNS[table])
    new = new[columns].copy()
    if current is None or current.empty:
        return new.fillna("").reset_index(drop=True)
    key = list(KEYS[table])
    current = current[columns].astype(str)
    current_index = current.set_index(key).index
    new_index = new.set_index(key).index
    if new.isna().any().any():
        lookup = current.set_index(key)
        lookup = lookup.loc[~lookup.index.duplicated(keep="last")].reindex(new_index)
        for column in columns:
            if column not in key and new[column].isna().any():
                new[column] = new[column].where(new[column].notna(), lookup[column].to_numpy())
    new = new.fillna("")
    replaced = current_index.isin(new_index)
    return pd.concat([current.loc[~replaced], new], ignore_index=True)


def _county_names(counties: pd.Series, boundaries: Boundaries | None) -> pd.Series:
    """6-digit adcodes become the boundary file's county names."""
    if boundaries is None:
        return counties
    by_code = {c.adcode: c.name for c in boundaries.counties if c.adcode}
    return counties.map(lambda v: by_code.get(v, v))


def validate(
    raw_tables: list[RawTable],
    problems: list[SourceProblem],
    *,
    current: dict[str, pd.DataFrame] | None,
    boundaries: Boundaries | None,
    new_boundaries: dict | None = None,
    files: list[str] | None = None,
    settings_in_force: settings.Settings | None = None,
    counties: tuple[str, ...] | None = None,
    stored: datasource.StoreFigures | None = None,
) -> Report:
    """Check uploaded tables against each other and against the current data.

    `current` is the data in use (None before the first import); `boundaries` the county
    polygons that will be in use after the import (the new file's, or the current ones);
    `counties` those a county reporter may import (None: every county).

    With `stored`, `current` holds part of the data (core.ingest.importing.check): the whole
    project list, 存在问题 of the uploaded 问题编号, and of the tables by project the rows of
    the projects the upload names (keys_of); `stored` says what the checks need of the rest
    (each table's rows, each project's returns). The findings are those of the whole data.
    """
    own = settings_in_force or settings.current()
    report = Report(files=list(files or []), boundaries=new_boundaries)
    f = report.findings
    given: dict[str, int] = {}
    for raw in raw_tables:
        given[raw.table] = given.get(raw.table, 0) + len(raw.frame)
    over = [(t, why) for t, n in given.items() if (why := too_many_rows(t, n))]
    if over:  # refused before the rows are checked: the check of a million rows is not made
        files_of = {t: "、".join(dict.fromkeys(r.file for r in raw_tables if r.table == t))
                    for t, _ in over}  # fmt: skip
        f += [Finding(ERROR, files_of[t], None, None, None, "", why) for t, why in over]
        return report
    for p in problems:
        f.append(Finding(WARNING if p.skipped else ERROR, p.file, p.sheet, None, None, "",
                         p.message))  # fmt: skip
    cleaned: dict[str, list[tuple[RawTable, pd.DataFrame]]] = {}
    for raw in raw_tables:
        for column in raw.missing_columns:
            f.append(
                Finding(
                    ERROR,
                    raw.file,
                    raw.sheet,
                    raw.header_row,
                    column,
                    "",
                    f"{raw.table}缺少必需的列“{column}”",
                )
            )
        cleaned.setdefault(raw.table, []).append((raw, _clean(raw, f, own)))
        report.uploaded_rows[raw.table] = report.uploaded_rows.get(raw.table, 0) + len(raw.frame)
    if not raw_tables and not problems and new_boundaries is None:
        f.append(Finding(ERROR, "", None, None, None, "", "没有上传任何数据表"))
    elif raw_tables and not any(len(r.frame) for r in raw_tables) and new_boundaries is None:
        # A blank template changes nothing: say so rather than offer an empty import.
        f.append(Finding(ERROR, "", None, None, None, "", "上传的表格中没有任何数据行(只有表头)"))

    # The same key in two uploaded files is as much a duplicate as within one file.
    uploaded: dict[str, pd.DataFrame] = {}
    for table, parts in cleaned.items():
        frames = []
        seen: dict[tuple, tuple[str, int]] = {}
        for raw, frame in parts:
            key = list(KEYS[table])
            for i, k in enumerate(map(tuple, frame[key].to_numpy().tolist())):
                if "" in k:
                    continue
                if k in seen and seen[k][0] != raw.file:
                    f.append(
                        Finding(
                            ERROR,
                            raw.file,
                            raw.sheet,
                            raw.rows[i],
                            key[0],
                            " / ".join(k),
                            f"与文件“{seen[k][0]}”第{seen[k][1]}行重复",
                        )
                    )
                seen.setdefault(k, (raw.file, raw.rows[i]))
            frames.append(frame.assign(_file=raw.file, _sheet=raw.sheet, _row=raw.rows))
        uploaded[table] = pd.concat(frames, ignore_index=True)

    if S.MONTHLY in uploaded and "_cum" in uploaded[S.MONTHLY]:
        uploaded[S.MONTHLY] = _monthly_from_cumulative(
            uploaded[S.MONTHLY], None if current is None else current.get(S.MONTHLY), f
        )

    report.uploads = uploaded
    merged = {
        t: _merge(
            None if current is None else current.get(t),
            uploaded[t].drop(columns=_HELPERS, errors="ignore") if t in uploaded else None,
            t,
        )
        if t in uploaded and t != S.PROJECTS  # merged below, with the counties' names
        else (None if current is None else current.get(t))
        for t in S.TABLES
    }
    # A first import needs no more than a project list with its returns: the other tables
    # start empty and the pages say what is missing and how to add it.
    merged = {t: _empty(t) if m is None else m for t, m in merged.items()}
    if S.PROJECTS in uploaded:
        up = uploaded[S.PROJECTS]
        if boundaries is not None:
            up[S.COUNTY] = _county_names(up[S.COUNTY], boundaries)
        merged[S.PROJECTS] = _merge(
            current.get(S.PROJECTS) if current else None,
            up.drop(columns=["_file", "_sheet", "_row"]),
            S.PROJECTS,
        )
        _check_china(up, own, f)
        if boundaries is not None:
            _check_counties(up, boundaries, f)
            _check_coordinates(up, boundaries, f)
        _check_new_rows(up, current.get(S.PROJECTS) if current else None, f)
    if merged[S.PROJECTS].empty and (raw_tables or not problems):
        f.append(Finding(ERROR, "", S.PROJECTS, None, None, "", f"{S.PROJECTS}没有任何项目"))
    elif not _rows_after(S.MONTHLY, merged, current, stored) and (raw_tables or not problems):
        # A first import is often the project list alone (maybe with its plans): it goes in,
        # and the preview says what the pages will and will not show until returns come.
        f.append(Finding(WARNING, "", S.MONTHLY, None, None, "", NO_RETURNS_YET))
    codes = set(merged[S.PROJECTS][S.CODE])
    for table in (S.PLANS, S.MONTHLY, S.FUNDING, S.PROBLEMS, S.MILESTONES):
        if table not in uploaded:
            continue
        up = uploaded[table]
        for r in up.loc[~up[S.CODE].isin(codes) & (up[S.CODE] != "")].to_dict("records"):
            f.append(
                Finding(
                    ERROR,
                    r["_file"],
                    r["_sheet"],
                    r["_row"],
                    S.CODE,
                    r[S.CODE],
                    "项目清单中没有这个项目代码",
                )
            )
    if counties is not None:
        _check_own_counties(uploaded, current, merged, counties, new_boundaries, f)
    _check_completed_within_total(merged, uploaded, f, stored)
    if S.PROBLEMS in uploaded:
        merged[S.PROBLEMS] = _check_workflow(merged[S.PROBLEMS], uploaded[S.PROBLEMS], f)
    if S.EXEMPTIONS in uploaded:
        _check_exemption_units(uploaded[S.EXEMPTIONS], merged[S.PROJECTS], f)
    for table in S.TABLES:
        rows = _rows_after(table, merged, current, stored)
        if table in uploaded and (why := too_many_rows(table, rows, True)):
            f.append(Finding(ERROR, "", table, None, None, "", why))
    report.cap()
    if not report.errors:
        report.tables = {t: merged[t].reset_index(drop=True) for t in S.TABLES}
    return report


NO_RETURNS_YET = (
    f"尚未导入{S.MONTHLY}:导入后各页面只显示项目清单、年度计划和节点等已有内容,"
    "投资完成、预警、红黑榜等需要月度进度的内容待导入月度进度后显示"
)


def _empty(table: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in S.COLUMNS[table]})


def _check_own_counties(
    uploaded: dict[str, pd.DataFrame],
    current: dict[str, pd.DataFrame] | None,
    merged: dict[str, pd.DataFrame],
    counties: tuple[str, ...],
    new_boundaries: dict | None,
    f: list[Finding],
) -> None:
    """A county reporter's upload (core.policy.roles): each row must be of a project of its
    counties, both as the row says and as the store has it; no city indicators, no boundaries.
    The store refuses the same at the last gate (core.store.versions)."""
    mine = set(counties)
    words = "、".join(counties)
    if new_boundaries is not None:
        f.append(Finding(ERROR, "", None, None, None, "",
                         f"区县边界只能由管理员上传;本账户只能导入{words}的项目数据"))  # fmt: skip
    if S.INDICATORS in uploaded:
        for r in uploaded[S.INDICATORS].to_dict("records"):
            f.append(Finding(ERROR, r["_file"], r["_sheet"], r["_row"], S.INDICATOR,
                             r[S.INDICATOR], "全市指标只能由管理员导入"))  # fmt: skip
    if S.EXEMPTIONS in uploaded:
        for r in uploaded[S.EXEMPTIONS].to_dict("records"):
            f.append(Finding(ERROR, r["_file"], r["_sheet"], r["_row"], S.UNIT_NAME,
                             r[S.UNIT_NAME], "红黑榜豁免只能由管理员设置"))  # fmt: skip
    before = {}
    if current is not None and len(current.get(S.PROJECTS, ())):
        before = dict(zip(current[S.PROJECTS][S.CODE], current[S.PROJECTS][S.COUNTY], strict=False))
    after = dict(zip(merged[S.PROJECTS][S.CODE], merged[S.PROJECTS][S.COUNTY], strict=False))
    if S.PROJECTS in uploaded:
        for r in uploaded[S.PROJECTS].to_dict("records"):
            given, stored = r[S.COUNTY], before.get(r[S.CODE])
            if given not in (None, "") and given not in mine:
                f.append(Finding(ERROR, r["_file"], r["_sheet"], r["_row"], S.COUNTY, given,
                                 f"不是本账户的区县({words}),这一行不能导入"))  # fmt: skip
            elif stored is not None and stored not in mine:
                f.append(Finding(ERROR, r["_file"], r["_sheet"], r["_row"], S.CODE, r[S.CODE],
                                 f"这个项目属于{stored},不是本账户的区县({words}),不能修改"))  # fmt: skip
    for table in (S.PLANS, S.MONTHLY, S.FUNDING, S.PROBLEMS, S.MILESTONES):
        if table not in uploaded:
            continue
        for r in uploaded[table].to_dict("records"):
            county = after.get(r[S.CODE]) or before.get(r[S.CODE])
            stored = before.get(r[S.CODE])
            if county is None:
                continue  # named as unknown to the project list already
            if county not in mine or (stored is not None and stored not in mine):
                f.append(Finding(ERROR, r["_file"], r["_sheet"], r["_row"], S.CODE, r[S.CODE],
                                 f"这个项目属于{stored or county},不是本账户的区县({words}),"
                                 "不能导入"))  # fmt: skip
    # A row whose key does not name the project (存在问题 by 问题编号) replaces the stored row of
    # that key: the stored row's project must be of the account's counties too.
    for table, up in uploaded.items():
        key = list(KEYS[table])
        held = None if current is None else current.get(table)
        if S.CODE in key or S.CODE not in up or held is None or not len(held):
            continue
        owner = dict(zip(map(tuple, held[key].to_numpy().tolist()), held[S.CODE], strict=True))
        for r in up.to_dict("records"):
            code = owner.get(tuple(r[k] for k in key))
            if code is not None and before.get(code) not in mine:
                f.append(Finding(ERROR, r["_file"], r["_sheet"], r["_row"], key[0], r[key[0]],
                                 f"库中已有的这条记录属于{before.get(code) or '其他区县'}的项目"
                                 f"(项目代码{code}),不是本账户的区县({words}),不能修改"))  # fmt: skip


def _check_new_rows(up: pd.DataFrame, current: pd.DataFrame | None, f: list[Finding]) -> None:
    """A project new to the store needs every required column, also from a file without it."""
    reported = {(x.file, x.sheet, x.column) for x in f if x.row and "缺少必需的列" in x.message}
    known = set(current[S.CODE]) if current is not None else set()
    new = up.loc[~up[S.CODE].isin(known)]
    for column in S.PROJECT_COLUMNS:
        if column in S.OPTIONAL[S.PROJECTS] or not new[column].isna().any():
            continue
        for r in new.loc[new[column].isna()].to_dict("records"):
            if (r["_file"], r["_sheet"], column) in reported:
                continue  # the sheet is already named as lacking the column
            f.append(Finding(ERROR, r["_file"], r["_sheet"], r["_row"], column, "",
                             f"新项目须填写{column},上传的表中没有这一列"))  # fmt: skip


def _check_counties(up: pd.DataFrame, boundaries: Boundaries, f: list[Finding]) -> None:
    names = set(boundaries.names)
    given = up[S.COUNTY].notna() & (up[S.COUNTY] != "")
    unknown = up.loc[~up[S.COUNTY].isin(names) & given]
    # Most counties of the upload unknown to the boundary file: another city's file, likely.
    counties = set(up.loc[given, S.COUNTY])
    other_city = len(counties) >= 3 and len(set(unknown[S.COUNTY])) * 2 > len(counties)
    for r in unknown.to_dict("records"):
        county = r[S.COUNTY]
        near = [n for n in names if county in n or n in county]
        if near:
            level, message = ERROR, f"边界文件中没有这个区县,是否为“{near[0]}”?"
        elif other_city:
            level = WARNING
            message = (
                "所在区县在边界文件中不存在,是否上传了其他城市的边界文件?项目只在地图上显示为点位"
            )
        elif not (county.endswith(COUNTY_SUFFIXES) or VOCABULARY.COUNTY_LIKE.fullmatch(county)):
            level = ERROR
            message = "不是区县名称(应以区、县、市或旗结尾),也不是边界文件中的行政区划代码"
        else:
            level, message = WARNING, "边界文件中没有这个区县,项目只在地图上显示为点位"
        f.append(Finding(level, r["_file"], r["_sheet"], r["_row"], S.COUNTY, county, message))


def _check_china(up: pd.DataFrame, own: settings.Settings, f: list[Finding]) -> None:
    """Coordinates outside China's extent: a swapped pair or another coordinate system."""
    (x0, x1), (y0, y1) = own.lon_range, own.lat_range
    for column, (low, high) in ((S.LON, (x0, x1)), (S.LAT, (y0, y1))):
        values = pd.to_numeric(up[column].where(up[column].notna(), ""), errors="coerce")
        for i in np.flatnonzero(((values < low) | (values > high)).to_numpy()):
            r = up.iloc[i]
            f.append(Finding(ERROR, r["_file"], r["_sheet"], r["_row"], column, str(r[column]),
                             f"应在{low:g}至{high:g}之间(中国境内的GCJ-02坐标);"
                             "请核对经纬度是否填反"))  # fmt: skip
            up.iloc[i, up.columns.get_loc(column)] = ""


def _check_coordinates(up: pd.DataFrame, boundaries: Boundaries, f: list[Finding]) -> None:
    x0, y0, x1, y1 = boundaries.bounds()
    located = up.loc[up[S.LON].notna() & up[S.LAT].notna() & (up[S.LON] != "") & (up[S.LAT] != "")]
    lon, lat = located[S.LON].astype(float), located[S.LAT].astype(float)
    outside_city = ~((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))
    outside_county = pd.Series(False, index=located.index)
    for county in boundaries.counties:
        mine = (located[S.COUNTY] == county.name) & ~outside_city
        if mine.any():
            inside = contains_many(county, lon[mine].to_numpy(), lat[mine].to_numpy())
            outside_county[mine[mine].index] = ~inside
    for i in located.index[outside_city | outside_county]:
        r = located.loc[i]
        where = f"({r[S.LON]}, {r[S.LAT]})"
        message = (
            "坐标不在全市范围内,请核对经纬度是否填反或坐标系是否为GCJ-02"
            if outside_city[i]
            else f"坐标不在{r[S.COUNTY]}范围内"
        )
        f.append(Finding(WARNING, r["_file"], r["_sheet"], r["_row"], S.LON, where, message))


def _rows_after(
    table: str,
    merged: dict[str, pd.DataFrame],
    current: dict[str, pd.DataFrame] | None,
    stored: datasource.StoreFigures | None,
) -> int:
    """How many rows `table` has after the import: the merged rows, and with `stored` (current
    data in part) the stored rows beyond those read (none of which the upload replaces)."""
    if stored is None:
        return len(merged[table])
    held = current.get(table) if current is not None else None
    return len(merged[table]) - (0 if held is None else len(held)) + stored.rows[table]


def _check_completed_within_total(
    merged: dict, uploaded: dict, f: list[Finding], stored: datasource.StoreFigures | None
) -> None:
    if S.MONTHLY not in uploaded and S.PROJECTS not in uploaded:
        return
    # Each month's figure may be rounded: so many rows, so much tolerance.
    done, months = datasource.completed_by_project(merged[S.MONTHLY])
    if stored is not None:  # the projects not read: their returns as stored, unchanged
        others = stored.returns.loc[~stored.returns.index.isin(done.index)]
        done = pd.concat([others[datasource.COMPLETED], done])
        months = pd.concat([others[datasource.RETURNS], months])
    projects = merged[S.PROJECTS]
    total = pd.to_numeric(projects[S.TOTAL_INVESTMENT], errors="coerce")
    over = projects.assign(
        _done=projects[S.CODE].map(done).fillna(0),
        _total=total,
        _slack=projects[S.CODE].map(months).fillna(1) * TOTAL_TOLERANCE,
    )
    over = over.loc[over["_done"] > over["_total"] + over["_slack"]]
    rows = {}
    if S.PROJECTS in uploaded:
        up = uploaded[S.PROJECTS]
        rows = dict(
            zip(up[S.CODE], zip(up["_file"], up["_sheet"], up["_row"], strict=True), strict=True)
        )
    for r in over.to_dict("records"):
        file, sheet, row = rows.get(r[S.CODE], ("", S.PROJECTS, None))
        f.append(
            Finding(
                WARNING,
                file,
                sheet,
                row,
                S.TOTAL_INVESTMENT,
                r[S.TOTAL_INVESTMENT],
                f"项目{r[S.CODE]}各月完成投资合计{_number_text(r['_done'])}万元,超过总投资",
            )
        )


def _check_workflow(merged: pd.DataFrame, up: pd.DataFrame, f: list[Finding]) -> pd.DataFrame:
    """督办: the uploaded problems' workflow as they will be stored (a column the file lacks
    keeps the stored value), each state with the dates it needs and the dates in order. A
    problem closed on a day and without 解决年月 gets that day's month, the month it stopped
    being open. Returns the merged problems with those months."""
    key = merged[S.PROBLEM_ID]
    mine = key.isin(set(up[S.PROBLEM_ID]))
    where = {r[S.PROBLEM_ID]: (r["_file"], r["_sheet"], r["_row"]) for r in up.to_dict("records")}
    merged = merged.copy()
    open_state = merged[S.HANDLING_STATE].isin([S.STATE_WAITING, S.STATE_HANDLING])
    derived = mine & (merged[S.CLOSED_ON] != "") & (merged[S.RESOLVED] == "") & ~open_state
    merged.loc[derived, S.RESOLVED] = merged.loc[derived, S.CLOSED_ON].str.slice(0, 7)
    # A cell already refused (a date that is no date) is not named a second time.
    refused = {(x.file, x.sheet, x.row, x.column) for x in f if x.level == ERROR}
    for r in merged.loc[mine].to_dict("records"):
        file, sheet, row = where[r[S.PROBLEM_ID]]
        for column, message in workflow_problems(r):
            if (file, sheet, row, column) not in refused:
                f.append(Finding(ERROR, file, sheet, row, column, r.get(column, ""), message))
    return merged


def workflow_problems(r: dict) -> list[tuple[str, str]]:
    """What is inconsistent in one problem's 督办 fields: (column, message), none when all is
    well. The rule of the states: 办理中 needs 交办日期; 已办结 a closure (办结日期 or 解决年月);
    已销号 also 销号日期; 待交办 and 办理中 no closure; the dates in the order they happen."""
    out = []
    state = r[S.HANDLING_STATE]
    closed = r[S.CLOSED_ON] or r[S.RESOLVED]
    if state and state != S.STATE_WAITING and not r[S.ASSIGNED_ON]:
        out.append((S.ASSIGNED_ON, f"办理状态为“{state}”的问题须填写交办日期"))
    if r[S.ASSIGNED_ON] and not r[S.RESPONSIBLE_UNIT]:
        out.append((S.RESPONSIBLE_UNIT, "已交办的问题须填写责任单位"))
    if state in (S.STATE_CLOSED, S.STATE_CLEARED) and not closed:
        out.append((S.CLOSED_ON, f"办理状态为“{state}”的问题须填写办结日期"))
    if state == S.STATE_CLEARED and not r[S.CLEARED_ON]:
        out.append((S.CLEARED_ON, "办理状态为“已销号”的问题须填写销号日期"))
    if state in (S.STATE_WAITING, S.STATE_HANDLING):
        for column in (S.CLOSED_ON, S.RESOLVED, S.CLEARED_ON):
            if r[column]:
                out.append((column, f"办理状态为“{state}”,不应填写{column}"))
    if state == S.STATE_CLOSED and r[S.CLEARED_ON]:
        out.append((S.CLEARED_ON, "已填写销号日期,办理状态应为“已销号”"))
    if r[S.CLOSED_ON] and r[S.RESOLVED] and r[S.CLOSED_ON][:7] != r[S.RESOLVED]:
        out.append((S.RESOLVED, f"解决年月应为办结日期所在的月份({r[S.CLOSED_ON][:7]})"))
    order = ((S.RAISED, S.ASSIGNED_ON, "交办日期早于提出年月"),
             (S.ASSIGNED_ON, S.DEADLINE, "办结时限早于交办日期"),
             (S.ASSIGNED_ON, S.CLOSED_ON, "办结日期早于交办日期"),
             (S.CLOSED_ON, S.CLEARED_ON, "销号日期早于办结日期"))  # fmt: skip
    for earlier, later, message in order:
        first, then = r[earlier], r[later]
        if first and then and then[: len(first)] < first[: len(then)]:
            out.append((later, message))
    return out


def _check_exemption_units(up: pd.DataFrame, projects: pd.DataFrame, f: list[Finding]) -> None:
    """An exemption for a unit that no project names excuses nobody: a typo, most likely."""
    names: dict[str, set] = {}  # per kind, made once: 100,000 projects per row otherwise
    for r in up.to_dict("records"):
        kind, name = r[S.UNIT_KIND], r[S.UNIT_NAME]
        if kind in projects.columns and kind not in names:
            names[kind] = set(projects[kind])
        if kind in projects.columns and name and name not in names[kind]:
            f.append(Finding(WARNING, r["_file"], r["_sheet"], r["_row"], S.UNIT_NAME, name,
                             f"项目清单的{kind}中没有这个名称,该豁免不会用到"))  # fmt: skip


def _monthly_from_cumulative(
    up: pd.DataFrame, current: pd.DataFrame | None, f: list[Finding]
) -> pd.DataFrame:
    """A year-to-date figure is kept as the return states it: the amount from January to its
    month (起始年月 January). Each month's own amount is derived when the data are read
    (core.store.returns), so returns may come in any order and a month may be corrected.

    A figure below the one on record for an earlier month of the year, or above a later
    month's, is kept (the return may correct it) but named in a warning."""
    up = up.copy()
    todo = (up[S.MONTH_COMPLETED] == "") & (up["_cum"] != "") & (up[S.MONTH] != "")
    if not todo.any():
        return up
    up.loc[todo, S.MONTH_COMPLETED] = up.loc[todo, "_cum"]
    january = up.loc[todo, S.MONTH].str.slice(0, 4) + "-01"
    up.loc[todo, S.COVERS_FROM] = january.where(january != up.loc[todo, S.MONTH], "")
    columns = [S.CODE, S.MONTH, S.MONTH_COMPLETED, S.COVERS_FROM]
    mine = up.loc[up[S.MONTH] != "", columns]
    others = pd.DataFrame(columns=columns)
    if current is not None and len(current):
        cur = current.loc[current[S.CODE].isin(set(mine[S.CODE])), columns]
        others = cur.loc[~cur.set_index([S.CODE, S.MONTH]).index.isin(
            mine.set_index([S.CODE, S.MONTH]).index)]  # fmt: skip
    both = pd.concat([others.astype(str), mine.astype(str)], ignore_index=True)
    stated = returns.year_to_date(both)
    on_record: dict[str, list[tuple[str, float, bool]]] = {}  # code → (month, to date, stored)
    stored = [True] * len(others) + [False] * len(mine)
    for code, month, v, kept in zip(both[S.CODE], both[S.MONTH], stated, stored, strict=True):
        on_record.setdefault(code, []).append((month, float(v), kept))
    for i in np.flatnonzero(todo.to_numpy()):
        r = up.iloc[i]
        month, value = r[S.MONTH], float(r["_cum"])
        same_year = [e for e in on_record.get(r[S.CODE], ()) if e[0][:4] == month[:4]]
        earlier = max((e for e in same_year if e[0] < month), default=None)
        later = min((e for e in same_year if e[0] > month and e[2]), default=None)
        if earlier and value < earlier[1] - TOTAL_TOLERANCE:
            f.append(Finding(WARNING, r["_file"], r["_sheet"], r["_row"], S.MONTH_CUMULATIVE,
                             r["_cum"], f"累计完成投资比{earlier[0]}的{_number_text(earlier[1])}"
                             "少,累计数不应减少;两月之间按负数计入"))  # fmt: skip
        if later and value > later[1] + TOTAL_TOLERANCE:
            f.append(Finding(WARNING, r["_file"], r["_sheet"], r["_row"], S.MONTH_CUMULATIVE,
                             r["_cum"], f"累计完成投资比已导入的{later[0]}的"
                             f"{_number_text(later[1])}多;{later[0]}的当月数将按负数计入,"
                             "请核对两个月的台账"))  # fmt: skip
    return up
