"""A file as sheets of cells: workbooks of every kind an office saves, and CSV text.

Workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods, and WPS .et files that are BIFF inside) are read by
calamine, one library for all of them. Each sheet becomes a Grid: its rows of cells as Excel
shows them (row numbers kept), text normalised, numbers and dates as they are, and merged
ranges written into every cell they cover. Nothing here judges what the cells mean; a file that
cannot be read becomes a SourceProblem with a Chinese message that says what to do.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from core.base.values import normalize_text
from core.ingest import sandbox

INSTRUCTIONS_SHEET = "填表说明"  # the template's instructions: never data

# What a workbook may hold, checked before any cell is read: a 2 KB file with one cell at
# XFD1048576, or one merged range A3:XFD1048576, would otherwise have a reader build a grid
# of seventeen billion cells. A province's 月度进度 (a million rows of five columns) fits.
MAX_ROWS = 1_048_576  # Excel's own limit; more is a damaged or crafted file
MAX_COLUMNS = 1_000  # a ledger with per-month pairs and 旬 columns has under 200
MAX_AREA = 12_000_000  # rows × columns of the used range of one sheet
MAX_MERGED_AREA = 1_000_000  # cells covered by merged ranges in one sheet
MAX_UNZIPPED_BYTES = 1 << 30  # the parts of one .xlsx, uncompressed (zip bombs)
# A cell's reference (r="B7", r='XFD1048576'), wherever it stands among the attributes: in a
# worksheet only cells have an attribute r whose value has letters. (Cells written without one
# are counted by nobody here: the worker's limits, core.ingest.sandbox, bound them.)
_CELL_REF = re.compile(rb'\sr\s*=\s*["\']([A-Z]{1,3})([0-9]{1,7})["\']')
_MERGE_REF = re.compile(
    rb'<(?:\w+:)?mergeCell\s(?:[^>]*?\s)?ref\s*=\s*["\']([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})["\']'
)

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


HEADER_SEARCH_ROWS = 20  # a header stands among the first 20 non-empty rows of a sheet


def header_window(grid: Grid):
    """(index, row) of the first HEADER_SEARCH_ROWS rows that hold anything: where a header is
    looked for, below title rows and blank lines."""
    seen = 0
    for i, row in enumerate(grid.cells):
        if not any(filled(v) for v in row):
            continue
        seen += 1
        if seen > HEADER_SEARCH_ROWS:
            return
        yield i, row


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


@dataclass
class Workbook:
    sheets: list[Sheet]  # the visible sheets that hold anything, instructions left out
    hidden: list[str]  # names of hidden sheets (never read: they hold dropdown lists)
    blank_formulas: int  # formula cells saved without their value (read as empty)


def workbook_sheets(name: str, content: bytes) -> list[Sheet] | SourceProblem:
    """The visible sheets of a workbook that hold anything, instructions left out."""
    book = read_workbook(name, content)
    return book if isinstance(book, SourceProblem) else book.sheets


def read_workbook(name: str, content: bytes) -> Workbook | SourceProblem:
    """A workbook's sheets as grids, within the limits above, read in a worker process
    (core.ingest.sandbox): a file that makes the reader crash, or exceed the worker's memory,
    time or output, is a SourceProblem naming the file, never an error of this process."""
    book = sandbox.run("core.ingest.sheets:read_workbook_here", name, content, _limits())
    if isinstance(book, sandbox.Failure):
        return SourceProblem(name, None, book.message(name))
    return book


_LIMITS = ("MAX_ROWS", "MAX_COLUMNS", "MAX_AREA", "MAX_MERGED_AREA", "MAX_UNZIPPED_BYTES")


def _limits() -> dict[str, int]:
    """The limits above as this process has them, for the worker to read by."""
    return {k: globals()[k] for k in _LIMITS}


def read_isolated(target: str, name: str, content: bytes) -> list[Any]:
    """target(name, content), a function ("package.module:function") that reads one file into a
    list of results, called in a worker process: its list, or [SourceProblem] naming the file
    when the worker crashed or reached a limit. (reading.read_upload parses a whole file, CSV
    included, this way with `read_isolated("core.ingest.reading:_read_file", name, content)`.)"""
    results = sandbox.run(target, name, content)
    if isinstance(results, sandbox.Failure):
        return [SourceProblem(name, None, results.message(name))]
    return results


def read_workbook_here(
    name: str, content: bytes, limits: dict[str, int] | None = None
) -> Workbook | SourceProblem:
    """read_workbook in this process: what the worker runs, with the caller's limits."""
    if limits and sandbox.inside():  # a worker reads one file and ends: its own settings
        globals().update({k: int(v) for k, v in limits.items() if k in _LIMITS})
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
    too_large = _xlsx_too_large(name, content) if content.startswith(ZIP_MAGIC) else None
    if too_large:
        return SourceProblem(name, None, too_large)
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except calamine.PasswordError:
        return SourceProblem(name, None, f"文件“{name}”设有打开密码,请取消密码后重新上传")
    except Exception:  # calamine raises several kinds for damaged files
        kind = "WPS表格(.et)" if PurePath(name).suffix.lower() in (".et", ".ett") else "Excel工作簿"
        return SourceProblem(
            name, None, f"文件“{name}”无法作为{kind}读取(可能已损坏或未保存完整),{_saved_as(name)}"
        )
    sheets, hidden = [], []
    errors = _error_cells(content) if content.startswith(ZIP_MAGIC) else {}
    for meta in book.sheets_metadata:
        if str(meta.visible) != str(calamine.SheetVisibleEnum.Visible):
            hidden.append(meta.name)  # hidden sheets hold dropdown lists, not returns
            continue
        if str(meta.typ) != str(calamine.SheetTypeEnum.WorkSheet):
            continue  # chart sheets
        if _key(meta.name) == INSTRUCTIONS_SHEET:
            continue
        where = f"文件“{name}”的工作表“{meta.name}”"
        try:
            sheet = book.get_sheet_by_name(meta.name)
            height, width = sheet.total_height + 1, sheet.total_width + 1
            if width > MAX_COLUMNS or height * width > MAX_AREA:
                return SourceProblem(name, meta.name, f"{where}用到了{height}行×{width}列,超过"
                                     f"{MAX_COLUMNS}列或{MAX_AREA // 10000}万个单元格的上限;"
                                     "请删除多余的行列,或拆分后上传")  # fmt: skip
            ranges = sheet.merged_cell_ranges or []
            merged = [(top, left, bottom, right) for (top, left), (bottom, right) in ranges]
            area = sum((b - t + 1) * (r - lf + 1) for t, lf, b, r in merged)
            if area > MAX_MERGED_AREA:
                return SourceProblem(name, meta.name, f"{where}的合并单元格覆盖了{area}个单元格,超过"
                                     f"{MAX_MERGED_AREA // 10000}万个的上限;请取消整行整列的合并后再上传")  # fmt: skip
            rows = sheet.to_python(skip_empty_area=False)
            for (r, c), text in errors.get(meta.name, {}).items():
                if r < len(rows) and c < len(rows[r]) and rows[r][c] == "":
                    rows[r][c] = text  # calamine reads #DIV/0! as an empty cell
        except Exception:
            return SourceProblem(name, meta.name, f"{where}无法读取,{_saved_as(name)}")
        g = grid(rows, merged)
        if g.has_content():
            sheets.append(Sheet(meta.name, g))
    blank = _blank_formulas(content) if content.startswith(ZIP_MAGIC) else 0
    return Workbook(sheets, hidden, blank)


# A formula cell without a cached value: <c r="E6"><f>I7+K7</f></c> (a program wrote the file
# and nothing computed it since).
_BLANK_FORMULA = re.compile(
    rb"<(?:\w+:)?c [^>]*>\s*<(?:\w+:)?f[ >][^<]*(?:</(?:\w+:)?f>)?\s*"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)


def _blank_formulas(content: bytes) -> int:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        return sum(
            len(_BLANK_FORMULA.findall(archive.read(p)))
            for p in archive.namelist()
            if p.startswith("xl/worksheets/") and p.endswith(".xml")
        )
    except (zipfile.BadZipFile, ValueError, KeyError):
        return 0


# A cell of the error type (a formula that failed: #DIV/0!, #N/A …) with its cached text; calamine
# reads it as empty, and the check must say what it is rather than 不能为空.
_ERROR_CELL = re.compile(
    rb'<(?:\w+:)?c\s([^>]*?\bt\s*=\s*["\']e["\'][^>]*)>(?:(?!</(?:\w+:)?c>).){0,4000}?'
    rb"<(?:\w+:)?v>([^<]{1,20})</(?:\w+:)?v>",
    re.S,
)
_SHEET_ENTRY = re.compile(
    rb'<(?:\w+:)?sheet\s[^>]*?\bname\s*=\s*"([^"]*)"[^>]*?\br:id\s*=\s*"([^"]*)"'
)
_RELATION = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")
_ATTRIBUTE = re.compile(rb'\b(Id|Target)\s*=\s*"([^"]*)"')


def _error_cells(content: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Each sheet's error cells of an .xlsx, by name: {(row, column) 0-based: "#DIV/0!"}."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
        targets = {}
        for tag in _RELATION.findall(archive.read("xl/_rels/workbook.xml.rels")):
            attributes = {k.decode(): v.decode() for k, v in _ATTRIBUTE.findall(tag)}
            target = attributes.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[attributes.get("Id", "")] = path
        out: dict[str, dict[tuple[int, int], str]] = {}
        for name, rid in _SHEET_ENTRY.findall(archive.read("xl/workbook.xml")):
            path = targets.get(rid.decode())
            if path not in names:
                continue
            xml = archive.read(path)
            if b'"e"' not in xml and b"'e'" not in xml:
                continue
            cells = {}
            for attributes, value in _ERROR_CELL.findall(xml):
                ref = _CELL_REF.search(b" " + attributes)
                if ref:
                    row, column = int(ref.group(2)) - 1, _column_number(ref.group(1)) - 1
                    cells[row, column] = html.unescape(value.decode("utf-8", "replace"))
            if cells:
                out[html.unescape(name.decode("utf-8", "replace"))] = cells
        return out
    except (zipfile.BadZipFile, ValueError, KeyError):
        return {}


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _xlsx_too_large(name: str, content: bytes) -> str | None:
    """Why an .xlsx may not be read (a limit it passes, in Chinese), or None. The parts are
    read as a stream, compressed size aside, and nothing is built from them."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        return None  # the reader says it is damaged
    if sum(p.file_size for p in parts) > MAX_UNZIPPED_BYTES:
        return (f"文件“{name}”解压后超过{MAX_UNZIPPED_BYTES >> 30}GB,不像正常的报表(可能是压缩炸弹);"
                "请检查文件来源,或拆分后上传")  # fmt: skip
    for part in parts:
        if not (part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")):
            continue
        rows = columns = merged = 0
        tail = b""
        with archive.open(part) as stream:
            while chunk := stream.read(1 << 20):
                text = tail + chunk
                for letters, number in _CELL_REF.findall(text):
                    columns = max(columns, _column_number(letters))
                    rows = max(rows, int(number))
                for a, r0, b, r1 in _MERGE_REF.findall(text):
                    merged += (abs(int(r1) - int(r0)) + 1) * (
                        abs(_column_number(b) - _column_number(a)) + 1
                    )
                tail = text[-64:]
                number = part.filename.rsplit("/", 1)[-1].removesuffix(".xml").removeprefix("sheet")
                where = f"文件“{name}”的第{number}张工作表"
                if columns > MAX_COLUMNS:
                    return (f"{where}用到了第{columns}列,超过{MAX_COLUMNS}列的上限;请删除右侧多余的"
                            "列(或清除其中的内容和格式)后另存再上传")  # fmt: skip
                if rows > MAX_ROWS or rows * columns > MAX_AREA:
                    return (f"{where}用到了{rows}行×{columns}列,超过每张表{MAX_AREA // 10000}万个"
                            "单元格的上限;请删除多余的行列,或拆分后上传")  # fmt: skip
                if merged > MAX_MERGED_AREA:
                    return (f"{where}的合并单元格覆盖了{merged}个单元格,超过{MAX_MERGED_AREA // 10000}"
                            "万个的上限;请取消整行整列的合并后再上传")  # fmt: skip
    return None


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
