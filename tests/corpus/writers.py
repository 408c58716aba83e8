"""Ledgers as the tests write them: a sheet as rows plus merged ranges, saved as .xlsx
(openpyxl), .xls (xlwt) or .csv (UTF-8 with or without BOM, or GBK). The corpus and the ledger
tests (tests/core/ingest/ledgers.py, which adds .ods) share these writers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

Merge = tuple[int, int, int, int]  # top, left, bottom, right; 0-based, inclusive


@dataclass
class Sheet:
    name: str
    rows: list[list]
    merges: list[Merge] = field(default_factory=list)


def xlsx(*sheets: Sheet) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for s in sheets:
        ws = wb.create_sheet(s.name)
        for r, row in enumerate(s.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None and value != "":
                    ws.cell(row=r, column=c, value=value)
        for top, left, bottom, right in s.merges:
            ws.merge_cells(
                start_row=top + 1, start_column=left + 1, end_row=bottom + 1, end_column=right + 1
            )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xls(*sheets: Sheet) -> bytes:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    for s in sheets:
        ws = wb.add_sheet(s.name)
        merged = {(t, left) for t, left, _, _ in s.merges}
        covered = {
            (r, c)
            for t, left, b, rt in s.merges
            for r in range(t, b + 1)
            for c in range(left, rt + 1)
        } - merged
        for top, left, bottom, right in s.merges:
            value = s.rows[top][left] if left < len(s.rows[top]) else ""
            ws.write_merge(top, bottom, left, right, value if value is not None else "")
        for r, row in enumerate(s.rows):
            for c, value in enumerate(row):
                if (r, c) in merged or (r, c) in covered or value is None or value == "":
                    continue
                ws.write(r, c, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value == int(value):
            return str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def csv_bytes(sheet: Sheet, encoding: str = "utf-8-sig") -> bytes:
    """The sheet as a spreadsheet program saves it as CSV: every row padded to the sheet's width,
    a merged range's value in its top-left cell only. `encoding` is "utf-8-sig" (with BOM),
    "utf-8" or "gbk"."""
    width = max((len(r) for r in sheet.rows), default=0)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in sheet.rows:
        writer.writerow([_csv_text(v) for v in row] + [""] * (width - len(row)))
    return buffer.getvalue().encode(encoding)
