"""Uploaded files to canonical raw tables: which table, which column, which Excel row.

Counties return workbooks with title rows, unit lines, merged cells, synonyms for the column
names and 合计 rows. This module finds the header, maps its texts to the columns of core.base.schema
and keeps every cell as read (text normalised, numbers and dates as they are) together with its
Excel row number, so that the validation can check each value and say 第N行. Nothing here
judges a value; a file that cannot be read at all becomes a SourceProblem, never an exception.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.base import schema as S
from core.base.values import is_total_label, normalize_text
from core.ingest import ledger
from core.ingest import vocabulary as V
from core.ingest.sheets import (
    CSV_SUFFIXES,
    HEADER_SEARCH_ROWS,
    OLE_MAGIC,
    WORKBOOK_SUFFIXES,
    ZIP_MAGIC,
    Grid,
    SourceProblem,
    csv_grid,
    decode,
    filled,
    header_window,
    read_isolated,
    read_workbook,
    sniff_delimiter,
)

SERIAL_NUMBER = "序号"  # recognised in a header and dropped


@dataclass
class TotalRow:
    """A 合计/小计 row that was skipped, kept for a later sum check."""

    row: int  # Excel row number
    label: str  # "合计"
    values: dict[str, str]  # canonical column → the row's text in that column


@dataclass
class RawTable:
    table: str  # canonical table name from core.base.schema.TABLES
    file: str
    sheet: str | None  # None for CSV
    # Columns: the table's canonical columns found in the header, in schema order. Values: text
    # through normalize_text ("" when empty); number, date and logical cells of a workbook keep
    # their Python value (int, float, datetime, bool) so that parse_month tells 45717 from text.
    frame: pd.DataFrame
    rows: list[int]  # Excel row number of each frame row (CSV: line number)
    header_row: int  # Excel row number of the header (its first row if it spans two)
    multiplier: float  # from a unit line above the header: 单位:亿元 → 10000; 1.0 if none
    totals: list[TotalRow]
    unknown_columns: list[str]  # header texts that match no column of this table
    missing_columns: list[str]  # required columns of the table not found
    # Units other than 万元 written in a header cell, e.g. 总投资(亿元) → {"总投资(万元)": 10000.0}.
    # They win over the sheet's unit line. "(万元)" is what the template's own headers say, so it
    # is not recorded: a county that writes 单位:亿元 above the template's header means 亿元.
    column_multipliers: dict[str, float] = field(default_factory=dict)
    # Header texts naming a column already taken by an earlier header cell (kept out of frame).
    duplicate_columns: list[str] = field(default_factory=list)
    # Rows skipped as section headings, footnotes or repeated headers: (Excel row, first text).
    notes: list[tuple[int, str]] = field(default_factory=list)

    def multiplier_for(self, column: str) -> float:
        """What converts a plain number of `column` to 万元: its header's unit, else the sheet's."""
        return self.column_multipliers.get(column, self.multiplier)


# --- column names ------------------------------------------------------------------------


def _synonym_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for columns in S.COLUMNS.values():
        for column in columns:
            table[V.header_key(column)] = column
            table[V.UNIT_IN_HEADER.sub("", V.header_key(column))] = column  # 总投资 alone
    for column, synonyms in V.TEMPLATE_SYNONYMS.items():
        for synonym in synonyms:
            table.setdefault(V.header_key(synonym), column)
    return table


HEADER_SYNONYMS: dict[str, str] = _synonym_table()


_YEAR_TO_DATE = re.compile(
    r"^1-(\d{1,2}|n)月(份)?(累计)?完成(投资)?"
)  # 1-2月完成投资(万元), 1-N月…


def canonical_column(header_text: object) -> str | None:
    """The schema column a header text names, with or without a unit such as "(万元)"."""
    key = V.header_key(header_text)
    if not key:
        return None
    if _YEAR_TO_DATE.match(key):
        return S.MONTH_CUMULATIVE
    return HEADER_SYNONYMS.get(key) or HEADER_SYNONYMS.get(V.UNIT_IN_HEADER.sub("", key))


def _header_unit(header_text: str) -> float | None:
    """The unit a header cell states when it departs from the schema's 万元: 亿元 or 元."""
    match = V.UNIT_IN_HEADER.search(V.header_key(header_text))
    unit = V.UNIT_TO_WAN[match.group(1)] if match else None
    return None if unit == 1.0 else unit


def _is_serial_header(text: object) -> bool:
    return V.header_key(text) in {"序号", "序", "no", "no."}


# --- tables ------------------------------------------------------------------------------


def _table_named(name: str | None) -> str | None:
    """The table a sheet or file stem names exactly ("项目清单", "项目清单 (1)" of a re-download)."""
    key = re.sub(r"\(\d+\)$", "", V.header_key(name or ""))
    return key if key in S.TABLES else None


def table_for_sheet(name: str, columns: list[str]) -> str | None:
    """The table a sheet holds: by its exact name first, else by the columns its header names.

    Among tables with at least two of their columns found (most share only 项目代码), the one
    with most columns found wins, then the one whose columns are most completely covered, then
    one whose name the sheet name contains, then the order of core.base.schema.TABLES.
    """
    named = _table_named(name)
    if named:
        return named
    found = set(columns)
    name_key = V.header_key(name)
    best, best_score = None, None
    for order, table in enumerate(S.TABLES):
        hits = len(found & set(S.COLUMNS[table]))
        if hits < min(2, len(S.COLUMNS[table])):
            continue
        score = (hits, hits / len(S.COLUMNS[table]), table in name_key, -order)
        if best_score is None or score > best_score:
            best, best_score = table, score
    return best


# --- from a grid to a table ---------------------------------------------------------------

_HEADING = re.compile(
    r"(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十]+[部分类批])"
)


@dataclass
class _Header:
    first: int  # row index of the header's first row
    last: int  # row index of its last row (two-row headers)
    texts: list[str]  # per column: the header text ("" for none)
    columns: list[str | None]  # per column: the canonical column, None if unknown


def _header_text(grid: Grid, first: int, last: int, c: int) -> tuple[str, str | None]:
    """The text of column c over the header rows: "总投资"+"(万元)" joined if that names a
    column, else the lowest row's text that does (a sub-header under a group label), else all."""
    texts: list[str] = []
    for r in range(first, last + 1):
        row = grid.cells[r]
        if c >= len(row) or (r, c) in grid.continued:
            continue
        text = normalize_text(row[c])
        if text and text not in texts:
            texts.append(text)
    for candidate in ["".join(texts), *reversed(texts)]:
        column = canonical_column(candidate)
        if column:
            return candidate, column
    return "/".join(texts), None


def _find_header(grid: Grid, table: str | None) -> tuple[int, str] | None:
    """The first row naming at least two columns of `table` (of any table if None): its index
    and the table it names."""
    for i, row in header_window(grid):
        found = {canonical_column(v) for v in row if isinstance(v, str) and v}
        named = table or table_for_sheet("", [c for c in found if c])
        if named and len(found & set(S.COLUMNS[named])) >= min(2, len(S.COLUMNS[named])):
            return i, named
    return None


def _header_last_row(grid: Grid, first: int, columns: list[str | None]) -> int:
    """A header spans two rows when its cells are merged downwards, or when the next row names
    columns under cells that name none (a group label such as 投资情况 over 总投资, 年度计划)."""
    bottom = grid.merged_down.get(grid.numbers[first], grid.numbers[first])
    if bottom > grid.numbers[first]:
        return min(first + (bottom - grid.numbers[first]), first + 2, len(grid.cells) - 1)
    if first + 1 < len(grid.cells):
        below = grid.cells[first + 1]
        for c, value in enumerate(below):
            unnamed = c >= len(columns) or columns[c] is None or (first, c) in grid.continued
            if unnamed and isinstance(value, str) and canonical_column(value):
                return first + 1
    return first


def _read_header(grid: Grid, first: int) -> _Header:
    width = max(len(row) for row in grid.cells)
    one_row = [_header_text(grid, first, first, c)[1] for c in range(width)]
    last = _header_last_row(grid, first, one_row)
    texts, columns = [], []
    for c in range(width):
        text, column = _header_text(grid, first, last, c)
        texts.append(text)
        columns.append(column)
    return _Header(first, last, texts, columns)


def _multiplier(grid: Grid, above: int) -> float:
    for row in grid.cells[:above]:
        for value in row:
            match = V.UNIT_LINE.search(value.replace(" ", "")) if isinstance(value, str) else None
            if match:
                return V.UNIT_TO_WAN[match.group(1)]
    return 1.0


@dataclass
class _Layout:
    """Where a table's columns are in a sheet, from its header."""

    table: str
    header: _Header
    positions: dict[str, int]  # canonical column → sheet column index
    order: list[str]  # the canonical columns found, in schema order
    serial: int | None  # the 序号 column
    unknown: list[str]
    duplicates: list[str]
    column_multipliers: dict[str, float]
    missing: list[str]

    @property
    def label_positions(self) -> list[int]:
        return [p for p in (self.positions.get(S.CODE), self.positions.get(S.NAME), self.serial)
                if p is not None]  # fmt: skip


def _layout(grid: Grid, file: str, sheet: str | None, hint: str | None) -> _Layout | SourceProblem:
    where = f"文件“{file}”" + (f"工作表“{sheet}”" if sheet is not None else "")
    found = _find_header(grid, hint)
    if found is None:
        if hint:
            expected = "、".join(S.COLUMNS[hint][:3])
            message = (
                f"{where}的前{HEADER_SEARCH_ROWS}行中找不到“{hint}”的表头(应包含{expected}等列名)"
            )
        else:
            message = (
                f"{where}的前{HEADER_SEARCH_ROWS}行中找不到表头,无法判断是哪张表"
                f"(工作表名称应为{'、'.join(S.TABLES)}之一,或表头包含项目代码、项目名称等列名)"
            )
        return SourceProblem(file, sheet, message)
    first, table = found
    header = _read_header(grid, first)
    if not hint:  # the whole header (two rows, perhaps) and the sheet name decide
        table = table_for_sheet(sheet or "", [c for c in header.columns if c]) or table

    # Which sheet column feeds which canonical column; everything else is reported, not read.
    positions: dict[str, int] = {}
    serial: int | None = None
    unknown, duplicates, column_multipliers = [], [], {}
    alternatives = S.ALTERNATIVES.get(table, {})
    for c, (text, column) in enumerate(zip(header.texts, header.columns, strict=True)):
        if column in S.COLUMNS[table] or column in alternatives:
            if column in positions:
                duplicates.append(text)
                continue
            positions[column] = c
            unit = _header_unit(text)
            if unit is not None:
                column_multipliers[column] = unit
        elif _is_serial_header(text) and serial is None:
            serial = c
        elif text:
            unknown.append(text)
    order = [c for c in (*S.COLUMNS[table], *alternatives) if c in positions]
    # A column is not missing when its alternative is there (1-N月累计 for 本月完成投资).
    stand_ins = {stands_for for alt, stands_for in alternatives.items() if alt in positions}
    required = [c for c in S.COLUMNS[table] if c not in S.OPTIONAL[table] and c not in stand_ins]
    return _Layout(table, header, positions, order, serial, unknown, duplicates,
                   column_multipliers, [c for c in required if c not in positions])  # fmt: skip


def _classify(cells: list[Any], number: int, layout: _Layout, values: list[Any]):
    """What a row below the header is: None (skip), a TotalRow, a note (number, text), or data."""
    if not any(filled(v) for v in values) and _blank_apart_from_serial(cells, layout.serial):
        return None  # empty, or a template row with only its 序号
    first_text = next((v for v in cells if filled(v)), "")
    label = _total_label(first_text, [cells[p] for p in layout.label_positions if p < len(cells)])
    if label:
        return TotalRow(number, label, dict(zip(layout.order, map(normalize_text, values),
                                                strict=True)))  # fmt: skip
    if _is_note(first_text, cells, layout.header):
        return (number, normalize_text(first_text))
    return "data"


def _table_from(
    layout: _Layout, grid: Grid, file: str, sheet: str | None, frame: pd.DataFrame,
    rows: list[int], totals: list[TotalRow], notes: list[tuple[int, str]],
) -> RawTable:  # fmt: skip
    return RawTable(
        table=layout.table,
        file=file,
        sheet=sheet,
        frame=frame.reindex(columns=layout.order).astype(object),  # keeps an empty table's columns
        rows=rows,
        header_row=grid.numbers[layout.header.first],
        multiplier=_multiplier(grid, layout.header.first),
        totals=totals,
        unknown_columns=layout.unknown,
        missing_columns=layout.missing,
        column_multipliers=layout.column_multipliers,
        duplicate_columns=layout.duplicates,
        notes=notes,
    )


def _raw_table(
    grid: Grid, file: str, sheet: str | None, hint: str | None
) -> RawTable | SourceProblem:
    layout = _layout(grid, file, sheet, hint)
    if isinstance(layout, SourceProblem):
        return layout
    order, positions = layout.order, layout.positions
    data: dict[str, list[Any]] = {column: [] for column in order}
    rows: list[int] = []
    totals: list[TotalRow] = []
    notes: list[tuple[int, str]] = []
    for i in range(layout.header.last + 1, len(grid.cells)):
        cells = grid.cells[i]
        values = [cells[positions[col]] if positions[col] < len(cells) else "" for col in order]
        kind = _classify(cells, grid.numbers[i], layout, values)
        if kind is None:
            continue
        if isinstance(kind, TotalRow):
            totals.append(kind)
        elif isinstance(kind, tuple):
            notes.append(kind)
        else:
            rows.append(grid.numbers[i])
            for column, value in zip(order, values, strict=True):
                data[column].append(value)
    frame = pd.DataFrame({column: pd.Series(data[column], dtype=object) for column in order})
    return _table_from(layout, grid, file, sheet, frame, rows, totals, notes)


# --- Large CSV files -----------------------------------------------------------------------

# Above this size a CSV without quote characters (so one line is one record) is parsed column
# by column with pandas: a province's monthly returns run to a million lines. Only rows that
# might be a total, a note or a repeated header go through the row-by-row rules.
FAST_CSV_CHARS = 2_000_000
_ZERO_WIDTH_RE2 = r"[\x{200b}\x{200c}\x{200d}\x{2060}\x{feff}]"


def _normalized_column(values: pd.Series) -> pa.Array:
    """normalize_text for a whole column of text at once, in Arrow's compute kernels."""
    arr = pa.array(values, type=pa.string())  # zero-copy from read_csv's Arrow strings
    if not pc.all(pc.string_is_ascii(arr)).as_py():
        arr = pc.utf8_normalize(arr, "NFKC")  # full-width → half-width; \u3000 → space
        arr = pc.replace_substring_regex(arr, _ZERO_WIDTH_RE2, "")
    if pc.any(pc.match_substring_regex(arr, r"\s\s|[\t\n\r\f\v]")).as_py():
        arr = pc.replace_substring_regex(arr, r"\s+", " ")
    return pc.utf8_trim_whitespace(arr)


def _fast_csv(text: str, name: str, hint: str | None) -> RawTable | SourceProblem | None:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    head = csv_grid("\n".join(lines[: HEADER_SEARCH_ROWS + 5]))
    layout = _layout(head, name, None, hint)
    if isinstance(layout, SourceProblem):
        return None  # the row-by-row reader says what is wrong, in full
    start = head.numbers[layout.header.last]  # 1-based line of the header's last row
    body = lines[start:]
    delimiter = sniff_delimiter(text)
    width = max(len(layout.header.texts), max((line.count(delimiter) for line in body),
                                               default=0) + 1)  # fmt: skip
    table = pd.read_csv(io.StringIO("\n".join(body)), sep=delimiter, header=None,
                        names=range(width), dtype=str, keep_default_na=False, na_filter=False,
                        skip_blank_lines=False, quoting=csv.QUOTE_NONE, engine="c")  # fmt: skip
    table = table.iloc[: len(body)]
    arrays = {c: _normalized_column(table[c]) for c in table.columns}
    cells = pd.DataFrame(
        {c: pd.Series(a, dtype=pd.ArrowDtype(pa.string())) for c, a in arrays.items()}
    )
    numbers = np.arange(start + 1, start + 1 + len(cells))
    filled = cells != ""
    first_text = cells[0]
    for c in cells.columns[1:]:
        first_text = first_text.where(first_text != "", cells[c])
    suspect = first_text.str.contains("计", regex=False) | first_text.str.match(V.FOOTNOTE.pattern)
    suspect |= first_text.str.match(_HEADING.pattern)
    for p in layout.label_positions:
        suspect |= cells[p].str.contains("计", regex=False)
    repeated = sum((cells[c] == t).astype(int) for c, t in enumerate(layout.header.texts)
                   if t and layout.header.columns[c])  # fmt: skip
    suspect |= repeated >= 2
    keep = filled.any(axis=1) & ~suspect
    if layout.serial is not None:  # rows with only a 序号 are template rows, not data
        others = filled.drop(columns=layout.serial).any(axis=1)
        keep &= others
    totals: list[TotalRow] = []
    notes: list[tuple[int, str]] = []
    for i in np.flatnonzero(suspect.to_numpy()):
        row = [str(v) for v in cells.iloc[i].tolist()]
        values = [row[layout.positions[c]] for c in layout.order]
        kind = _classify(row, int(numbers[i]), layout, values)
        if isinstance(kind, TotalRow):
            totals.append(kind)
        elif isinstance(kind, tuple):
            notes.append(kind)
        elif kind == "data":
            keep.iloc[i] = True
    mask = pa.array(keep.to_numpy())
    frame = pd.DataFrame(
        {
            c: pc.filter(arrays[layout.positions[c]], mask).to_numpy(zero_copy_only=False)
            for c in layout.order
        }
    )
    return _table_from(layout, head, name, None, frame, numbers[keep.to_numpy()].tolist(),
                       totals, notes)  # fmt: skip


def _blank_apart_from_serial(cells: list[Any], serial: int | None) -> bool:
    for c, value in enumerate(cells):
        if not filled(value):
            continue
        if c != serial or not (isinstance(value, int | float) or str(value).isdigit()):
            return False
    return True


def _total_label(first_text: Any, label_cells: list[Any]) -> str | None:
    for value in [first_text, *label_cells]:
        # "计" is in every total label: a cheap test before the regular expression.
        if isinstance(value, str) and "计" in value and is_total_label(value):
            return value
    return None


def _is_note(first_text: Any, cells: list[Any], header: _Header) -> bool:
    """A section heading (一、产业项目) alone in its row, a footnote (注:…, 填表人:…) or the
    header repeated on a new printed page."""
    if isinstance(first_text, str):
        if V.FOOTNOTE.match(first_text):
            return True
        if _HEADING.match(first_text) and all(v in ("", first_text) for v in cells):
            return True
    repeated = sum(
        1
        for c, value in enumerate(cells)
        if header.columns[c] and isinstance(value, str) and value == header.texts[c]
    )
    return repeated >= 2


# --- files -------------------------------------------------------------------------------

# Fields only a ledger has: a sheet whose header names one is read as a ledger, whatever else
# it names; a project list without 项目代码 is one too (codes are then generated).
LEDGER_ONLY = {V.PLAN, V.YTD, V.MONTH_AMOUNT, V.MONTH_N_AMOUNT, V.MONTH_N_PROGRESS, V.TEN_DAY,
               V.PROGRESS, V.PROBLEM, V.PRIOR}  # fmt: skip


@dataclass
class Reading:
    """What an upload's files hold: template tables, ledgers awaiting their mapping, and
    problems (each file's, or a sheet's that could not be read)."""

    tables: list[RawTable] = field(default_factory=list)
    ledgers: list[ledger.LedgerSheet] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)

    def add(self, result: RawTable | ledger.LedgerSheet | SourceProblem) -> None:
        if isinstance(result, RawTable):
            self.tables.append(result)
        elif isinstance(result, ledger.LedgerSheet):
            self.ledgers.append(result)
        else:
            self.problems.append(result)


def read_upload(files: list[tuple[str, bytes]]) -> Reading:
    """Each (file name, content): a workbook of any kind, or a CSV file. Results come in the
    order of the files, then of the sheets."""
    out = Reading()
    for name, content in files:
        try:
            # A workbook's cells are read in the worker already (sheets.read_workbook); a CSV
            # file is read there whole, so that no upload is parsed in the server's process.
            csv_file = PurePath(name).suffix.lower() in CSV_SUFFIXES
            results = (read_isolated("core.ingest.reading:_read_file", name, content) if csv_file
                       else _read_file(name, content))  # fmt: skip
        except Exception:  # one unreadable file must not stop the others
            results = [
                SourceProblem(name, None, f"读取文件“{name}”时出错,文件可能已损坏,请重新保存后上传")
            ]
        for result in results:
            out.add(result)
    return out


def read_files(files: list[tuple[str, bytes]]) -> tuple[list[RawTable], list[SourceProblem]]:
    """The template tables and the problems of an upload (ledgers left out)."""
    reading = read_upload(files)
    return reading.tables, reading.problems


def _read_file(name: str, content: bytes) -> list[RawTable | ledger.LedgerSheet | SourceProblem]:
    suffix = PurePath(name).suffix.lower()
    if not content.strip():
        return [SourceProblem(name, None, f"文件“{name}”是空文件")]
    if suffix in WORKBOOK_SUFFIXES or content.startswith((ZIP_MAGIC, OLE_MAGIC)):
        return _read_workbook(name, content)
    if suffix in CSV_SUFFIXES:
        return _read_csv(name, content)
    return [SourceProblem(name, None, f"文件“{name}”不是Excel工作簿(.xlsx、.xls、.ods等)"
                          "或CSV文件,无法读取")]  # fmt: skip


def read_sheet(
    grid: Grid, file: str, sheet: str | None, hint: str | None
) -> RawTable | ledger.LedgerSheet | SourceProblem:
    """A sheet named after a table is that table; else a ledger when its header says so;
    else the template table its header names."""
    if not hint:
        header = ledger.header(grid)
        if header is not None:
            fields = {c.field for c in header.columns}
            if ledger.is_form(grid, header):
                where = f"文件“{file}”" + (f"工作表“{sheet}”" if sheet else "")
                return SourceProblem(file, sheet, f"{where}是单个项目的信息表(左侧为项目名称、总投资等"
                                     "栏目,右侧填写内容),不是逐行列出项目的清单或台账,未导入;"
                                     "请把项目填入台账或填报模板后上传")  # fmt: skip
            if fields & LEDGER_ONLY or V.CODE not in fields:
                return ledger.recognise(grid, file, sheet, header)
    found = _raw_table(grid, file, sheet, hint)
    if (
        not hint
        and isinstance(found, RawTable)
        and found.table == S.PROJECTS
        and S.NAME in found.missing_columns
        and S.CODE in found.missing_columns
    ):
        # 所在区县 | 项目个数 | 总投资: a summary by county, not a list of projects.
        where = f"文件“{file}”" + (f"工作表“{sheet}”" if sheet else "")
        return SourceProblem(file, sheet, f"{where}没有项目名称列,是汇总表而不是项目清单,未导入")
    return found


def _read_workbook(
    name: str, content: bytes
) -> list[RawTable | ledger.LedgerSheet | SourceProblem]:
    book = read_workbook(name, content)
    if isinstance(book, SourceProblem):
        return [book]
    sheets = book.sheets
    if not sheets:
        if book.hidden:
            hidden = "、".join(f"“{h}”" for h in book.hidden)
            return [SourceProblem(name, None, f"文件“{name}”中可见的工作表没有任何数据,隐藏的工作表"
                                  f"{hidden}不读取;如数据在其中,请在Excel中取消隐藏后另存再上传")]  # fmt: skip
        return [SourceProblem(name, None, f"文件“{name}”中没有任何数据")]
    # A lone sheet called Sheet1 in 项目清单.xlsx takes its table from the file name.
    stem_table = _table_named(PurePath(name).stem) if len(sheets) == 1 else None
    results = [read_sheet(s.grid, name, s.name, _table_named(s.name) or stem_table) for s in sheets]
    if any(not isinstance(r, SourceProblem) for r in results):
        # Beside a sheet that was read, one without a header (说明, 汇总表) is only noted.
        # (A sheet named after a table stays an error: it was meant to hold that table.)
        results = [_skipped(r) if isinstance(r, SourceProblem) and not _table_named(r.sheet)
                   else r for r in results]  # fmt: skip
    if book.blank_formulas:
        results.append(SourceProblem(
            name, None, f"文件“{name}”中有{book.blank_formulas}个公式单元格没有保存计算结果,读作空白"
            "(常见于由程序生成、未在Excel中打开保存过的文件);请在Excel或WPS中打开并保存后再上传",
            skipped=True))  # fmt: skip
    return results


def _skipped(problem: SourceProblem) -> SourceProblem:
    if problem.sheet is None:
        return replace(problem, skipped=True)
    message = "没有找到项目名称等列,不是逐个项目的台账或数据表(可能是汇总表或说明),未导入"
    return replace(problem, message=message, skipped=True)


def _read_csv(name: str, content: bytes) -> list[RawTable | ledger.LedgerSheet | SourceProblem]:
    text = decode(content)
    if text is None:
        return [
            SourceProblem(name, None, f"文件“{name}”的编码无法识别,请保存为UTF-8或GBK编码的CSV文件")
        ]
    if "\x00" in text:
        return [SourceProblem(name, None, f"文件“{name}”不是文本格式的CSV文件,无法读取")]
    longest = max(map(len, text.split("\n", 100_000)[:100_000]), default=0)
    if longest > MAX_LINE_CHARS:
        return [SourceProblem(name, None, f"文件“{name}”有一行长达{longest // 10000}万个字符,不像"
                              "逐行的CSV表格(可能缺少换行符或不是表格文件);请在Excel中打开确认后另存为CSV")]  # fmt: skip
    hint = _table_named(PurePath(name).stem)
    if len(text) > FAST_CSV_CHARS and '"' not in text:
        fast = _fast_csv(text, name, hint)
        if fast is not None:
            return [fast]
    grid = csv_grid(text)
    if not grid.has_content():
        return [SourceProblem(name, None, f"文件“{name}”中没有任何数据")]
    result = read_sheet(grid, name, None, hint)
    if isinstance(result, SourceProblem) and _garbled(text):
        result = replace(result, message=f"文件“{name}”中找不到表头,文字像是乱码:文件的编码不是"
                         "UTF-8或GBK(如用日文或西文编码保存);请在Excel中另存为“CSV UTF-8(逗号分隔)”后上传")  # fmt: skip
    return [result]


MAX_LINE_CHARS = 1_000_000  # a CSV line this long is no table row


def _garbled(text: str) -> bool:
    """Text that decoded but reads as nonsense: Latin-1 letters where Chinese was meant (UTF-8
    read as Latin-1), or rare characters outside GB2312 (Shift-JIS read as GBK)."""
    sample = [ch for ch in text[:20_000] if not ch.isascii() and not ch.isspace()]
    if len(sample) < 10:
        return False
    latin = sum("\u00c0" <= ch <= "\u00ff" for ch in sample)
    rare = 0
    for ch in sample:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            rare += 1
    return latin / len(sample) > 0.2 or rare / len(sample) > 0.3
