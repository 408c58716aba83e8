"""Cells of the spreadsheets the product writes: text that Excel or WPS would run is written as
text (CSV/formula injection).

A cell whose text begins with = + - @, a tab or a carriage return is read by Excel and WPS as a
formula: a project named `=HYPERLINK("http://…","点此查看")` becomes a live link in a download,
and in a CSV file `-2+3+cmd|' /C calc'!A0` is a DDE call. So every export goes through here:

- .xlsx: such text is stored as a text cell (never a formula) with Excel's quote prefix, so the
  cell shows exactly the text, stays text when edited, and reads back as the same text — the
  exported workbook imports back to the same data, hostile names included;
- .csv: such text gets a leading apostrophe (OWASP's advice), which Excel and WPS hide.

Numbers stay numbers: `-12.5` is an amount, not a formula. The import warns on such cells
(core.ingest.validation), as a person may want to know that a return carries them.

Control characters (\\x07, \\x1b …) and the marks that turn the direction of text (U+202E
shows "txt.exe" as "exe.txt") are taken out: the import removes them from every text cell with
a warning naming it, and every .xlsx writer here removes them again, so that text stored before
(which openpyxl would refuse with IllegalCharacterError) never stops an export; every run of the
Word and PowerPoint documents (core.output.document, core.output.deck) goes through
document_text for the same reason.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # openpyxl is imported where a workbook is written, not by every page
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# C0 controls but tab, newline and carriage return; DEL and the C1 controls; the direction marks,
# embeddings, overrides and isolates of Unicode's bidirectional algorithm; the two non-characters
# XML forbids.
CONTROL_CHARACTERS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")
CSV_ENCODING = "utf-8-sig"  # Excel opens UTF-8 with a BOM as Chinese, without it as mojibake


def formula_like(value: object) -> bool:
    """Text that a spreadsheet would take for a formula (a plain number is not)."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _NUMBER.match(value.strip())
    )


def without_controls(text: str) -> str:
    """The text without control characters and direction marks (see the module docstring)."""
    return CONTROL_CHARACTERS.sub("", text) if CONTROL_CHARACTERS.search(text) else text


def document_text(value: object) -> str:
    """Text for a run of a Word (.docx) or PowerPoint (.pptx) document: as str, without control
    characters and direction marks. python-docx refuses them (ValueError: not XML compatible)
    and python-pptx writes them as "_x0007_"; stored text from before the import removed them
    must never stop a document or show there. Tab and newline stay (a tab, a line break)."""
    return without_controls(value if isinstance(value, str) else str(value))


def xlsx_value(value: object) -> object:
    """A value openpyxl will write: text without control characters, anything else as it is."""
    return without_controls(value) if isinstance(value, str) else value


def xlsx_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with control characters taken out of its texts (and column names), for a
    writer such as pandas' to_excel; the same frame when it has none."""
    out = frame.rename(columns=lambda c: xlsx_value(c))
    for column in out.columns:
        values = out[column]
        if not _texts(values):
            continue
        dirty = values.map(lambda v: isinstance(v, str) and bool(CONTROL_CHARACTERS.search(v)))
        if dirty.any():
            out[column] = values.astype(object).where(~dirty, values[dirty].map(without_controls))
    return out


def csv_text(value: object) -> object:
    """A value for a CSV cell: formula-like text with a leading apostrophe."""
    return "'" + value if formula_like(value) else value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every formula-like text cell (and column name) made inert for CSV."""
    out = frame.rename(columns=lambda c: csv_text(c) if isinstance(c, str) else c)
    for column in out.columns:
        if not _texts(out[column]):
            continue
        values = out[column]
        risky = values.map(formula_like).to_numpy(dtype=bool)
        if risky.any():
            out[column] = values.astype(object).where(~risky, "'" + values.astype(str))
    return out


def _texts(values: pd.Series) -> bool:
    """A column that may hold text (numbers and dates cannot be formulas)."""
    return pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)


def csv_bytes(frame: pd.DataFrame, head: list[str] | tuple[str, ...] = ()) -> bytes:
    """A CSV file for Excel: UTF-8 with BOM, optional title lines, every cell inert. Lines end
    in CRLF (RFC 4180), so a field holding a lone carriage return is quoted, not split."""
    lines = "".join(f"{csv_text(h)}\r\n" for h in head)
    body = csv_frame(frame).to_csv(index=False, lineterminator="\r\n")
    return (lines + body).encode(CSV_ENCODING)


def as_text(cell: Cell) -> None:
    """Make a written cell hold its text as text: never a formula, quote-prefixed when it
    looks like one (Excel then keeps it text when the cell is edited)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if formula_like(cell.value):
            cell.quotePrefix = True


def append(ws: Worksheet, values: list) -> None:
    """ws.append, with text that looks like a formula kept as text and without control
    characters."""
    values = [xlsx_value(v) for v in values]
    ws.append(values)
    if any(formula_like(v) for v in values):
        for cell in ws[ws.max_row]:
            as_text(cell)


def harden_frame_cells(
    ws: Worksheet, frame: pd.DataFrame, first_row: int, first_col: int = 1
) -> None:
    """After pandas wrote `frame` (header at `first_row`) into `ws`: its formula-like texts as
    text. Only those cells are visited, so a sheet of 100,000 rows costs a column scan."""
    for j, name in enumerate(frame.columns):
        if formula_like(name):
            as_text(ws.cell(row=first_row, column=first_col + j))
        values = frame.iloc[:, j]
        if not _texts(values):
            continue
        for i in values.index[values.map(formula_like).to_numpy(dtype=bool)]:
            row = first_row + 1 + frame.index.get_loc(i)
            as_text(ws.cell(row=row, column=first_col + j))


def formula_cells(content: bytes) -> list[str]:
    """The cells of an .xlsx that are formulas ("Sheet!A1"), for the tests and a self-check."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content))
    return [
        f"{ws.title}!{cell.coordinate}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
