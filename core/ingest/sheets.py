"""A file as sheets of cells: workbooks of every kind an office saves, and CSV text.

Workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods, and WPS .et files that are BIFF inside) are read by
calamine, one library for all of them. Each sheet becomes a Grid: its rows of cells as Excel
shows them (row numbers kept), text normalised, numbers and dates as they are, and merged
ranges written into every cell they cover. Nothing here judges what the cells mean; a file that
cannot be read becomes a SourceProblem with a Chinese message that says what to do.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from core.ingest.values import normalize_text

INSTRUCTIONS_SHEET = "填表说明"  # the template's instructions: never data

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary format of .xls and WPS .et
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".et", ".ett", ".xlt", ".xltx")
CSV_SUFFIXES = (".csv", ".txt")


@dataclass(frozen=True)
class SourceProblem:
    """A file-level problem: the file, or one of its sheets, cannot be read as intended."""

    file: str  # the file name as uploaded
    sheet: str | None
    message: str  # Chinese, says where and what
    # A sheet left out beside others that were read (说明, a summary table): a warning only.
    skipped: bool = False


@dataclass
class Grid:
    """Cells of a sheet before they are a table. Text is normalised, "" when empty; merged
    cells carry their top-left value in every cell of the range."""

    numbers: list[int]  # Excel row number (CSV: line number) of each row
    cells: list[list[Any]]
    # (row index, column index) of merged cells right of their range's first column: in a
    # header they belong to the column on the left, not to a column of their own.
    continued: set[tuple[int, int]] = field(default_factory=set)
    # Excel row → last Excel row of the merged ranges that start in it (multi-row headers).
    merged_down: dict[int, int] = field(default_factory=dict)
    # (row index, column index) of cells that repeat a vertically merged cell above them.
    below: set[tuple[int, int]] = field(default_factory=set)

    def has_content(self) -> bool:
        return any(filled(v) for row in self.cells for v in row)

    @property
    def width(self) -> int:
        return max((len(row) for row in self.cells), default=0)


@dataclass(frozen=True)
class Sheet:
    name: str
    grid: Grid


def filled(value: Any) -> bool:
    return value != "" and value is not None


def cell_value(value: Any) -> Any:
    """A workbook cell as the grids keep it: text normalised, other values untouched."""
    if value is None:
        return ""
    if isinstance(value, str):
        return normalize_text(value)
    if isinstance(value, float) and value != value:
        return ""
    return value


def grid(rows: list[list[Any]], merged: list[tuple[int, int, int, int]] = ()) -> Grid:
    """A grid from rows of raw cells (row 0 is Excel row 1) and merged ranges given as
    (top, left, bottom, right), 0-based and inclusive."""
    width = max([len(r) for r in rows] + [right + 1 for _, _, _, right in merged] or [0])
    height = max([len(rows)] + [bottom + 1 for _, _, bottom, _ in merged])
    cells = [[cell_value(v) for v in row] + [""] * (width - len(row)) for row in rows]
    cells += [[""] * width for _ in range(height - len(cells))]
    out = Grid(numbers=list(range(1, len(cells) + 1)), cells=cells)
    for top, left, bottom, right in merged:
        value = cells[top][left]
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                cells[r][c] = value
                if c > left:
                    out.continued.add((r, c))
                if r > top:
                    out.below.add((r, c))
        if bottom > top:
            excel_top = top + 1
            out.merged_down[excel_top] = max(out.merged_down.get(excel_top, 0), bottom + 1)
    # Trailing rows without content (formatting only) are not part of the sheet.
    while len(cells) > 1 and not any(filled(v) for v in cells[-1]):
        cells.pop()
        out.numbers.pop()
    return out


# --- workbooks -------------------------------------------------------------------------------


def _saved_as(name: str) -> str:
    return "请在Excel或WPS中打开后另存为Excel工作簿(.xlsx)再上传"


def workbook_sheets(name: str, content: bytes) -> list[Sheet] | SourceProblem:
    """The visible sheets of a workbook that hold anything, instructions left out."""
    # Imported here: calamine is needed only for workbooks.
    import python_calamine as calamine

    if not content.startswith((ZIP_MAGIC, OLE_MAGIC)):
        return SourceProblem(
            name,
            None,
            f"文件“{name}”不是有效的Excel工作簿(可能已损坏或未保存完整),{_saved_as(name)}",
        )
    if content.startswith(ZIP_MAGIC) and not _is_spreadsheet_zip(content):
        return SourceProblem(
            name, None, f"文件“{name}”是压缩文件或其他文档,不是Excel工作簿,{_saved_as(name)}"
        )
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except calamine.PasswordError:
        return SourceProblem(name, None, f"文件“{name}”设有打开密码,请取消密码后重新上传")
    except Exception:  # calamine raises several kinds for damaged files
        kind = "WPS表格(.et)" if PurePath(name).suffix.lower() in (".et", ".ett") else "Excel工作簿"
        return SourceProblem(
            name, None, f"文件“{name}”无法作为{kind}读取(可能已损坏或未保存完整),{_saved_as(name)}"
        )
    sheets = []
    for meta in book.sheets_metadata:
        if str(meta.visible) != str(calamine.SheetVisibleEnum.Visible):
            continue  # hidden sheets hold dropdown lists, not returns
        if str(meta.typ) != str(calamine.SheetTypeEnum.WorkSheet):
            continue  # chart sheets
        if _key(meta.name) == INSTRUCTIONS_SHEET:
            continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            ranges = sheet.merged_cell_ranges or []
        except Exception:
            return SourceProblem(
                name, meta.name, f"文件“{name}”的工作表“{meta.name}”无法读取,{_saved_as(name)}"
            )
        merged = [(top, left, bottom, right) for (top, left), (bottom, right) in ranges]
        g = grid(rows, merged)
        if g.has_content():
            sheets.append(Sheet(meta.name, g))
    return sheets


def _is_spreadsheet_zip(content: bytes) -> bool:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
    except (zipfile.BadZipFile, ValueError):
        return True  # let the workbook reader say it is damaged
    return bool(names & {"xl/workbook.xml", "xl/workbook.bin", "content.xml"})


def _key(text: str) -> str:
    return "".join(normalize_text(text).split())


# --- CSV -------------------------------------------------------------------------------------


def decode(content: bytes) -> str | None:
    """UTF-16 with a BOM (Excel's "Unicode 文本"), UTF-8 with or without BOM, else GB18030,
    which covers GBK and GB2312."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def csv_grid(text: str) -> Grid:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    numbers, cells = [], []
    line = 1  # a record starts on the line after the previous record ended (quoted newlines)
    for record in reader:
        numbers.append(line)
        cells.append([normalize_text(v) if v else "" for v in record])
        line = reader.line_num + 1
    return Grid(numbers=numbers, cells=cells)


def sniff_delimiter(text: str) -> str:
    """Comma unless tab or semicolon splits more of the first lines (Excel's "Unicode 文本" uses
    tab, European settings semicolon)."""
    sample = [line for line in text.split("\n", 40)[:40] if line.strip()][:20]
    best, best_score = ",", None
    for delimiter in (",", "\t", ";"):
        counts = sorted(len(r) for r in csv.reader(sample, delimiter=delimiter))
        if not counts:
            return ","
        score = (sum(c > 1 for c in counts), counts[len(counts) // 2])
        if best_score is None or score > best_score:
            best, best_score = delimiter, score
    return best
