"""Recognising an office's own ledger (台账, 月报表): one sheet, one row per project.

A ledger is read as it is: title rows that carry the place and period, a unit line, a header of
two or three rows with merged cells (flattened into column paths such as
"2010年实际完成情况/1-3月实际完成投资(万元)"), section rows instead of columns ("一、市本级(48项)",
"(一)在建(11项)", "龙海市合计14个"), totals, blank rows, serial numbers like "1●". What each
column and each section level means is proposed from core.ingest.vocabulary; the mapping step
(core.ingest.layouts) lets a person correct it. Nothing here reads the store.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from core.base.periods import Period
from core.base.values import is_total_label, normalize_text
from core.ingest import totals
from core.ingest import vocabulary as V
from core.ingest.sheets import Grid, filled, header_window

MAX_HEADER_ROWS = 5
_NOTE_LIKE = re.compile(r"^\d+[、.]|[:;。]")  # "1、项目性质:指…", a sentence
_SERIAL = re.compile(r"^\d+\s*[●○◆◇★☆△▲※*#]*$")  # 1, 1●, 12★


@dataclass(frozen=True)
class Column:
    index: int  # 0-based column of the sheet
    path: tuple[str, ...]  # header texts from top to bottom, cleaned
    field: V.Field | None  # what the vocabulary recognises, None when nothing
    month: int | None = None  # for per-month columns: the month in the header
    unit: float | None = None  # a unit stated in the header (亿元 → 10000)
    conflict: str | None = None  # why a recognised field was not taken (another column has it)
    # The header keys read against the period (本年, 上年, 次年: core.ingest.vocabulary), or ()
    # when the period's year is not known.
    read: tuple[str, ...] = ()

    @property
    def letter(self) -> str:
        n, out = self.index + 1, ""
        while n:
            n, r = divmod(n - 1, 26)
            out = chr(65 + r) + out
        return out

    @property
    def label(self) -> str:
        return "/".join(self.path) or f"(第{self.letter}列,无表头)"

    @property
    def key(self) -> str:
        """The path as a saved layout knows it: read against the period, its numbers left out
        (1-7月 and 1-8月 are the same column; this year's plan and next year's are not)."""
        return period_free("/".join(self.read or [V.header_key(p) for p in self.path]))


@dataclass
class Section:
    """A row that says what the rows below it are (一、市本级) or sums them (合计)."""

    row: int  # Excel row
    level: int  # 0 a place's total (龙海市合计), 1 一、, 2 (一), 3 an unnumbered label
    label: str  # 市本级, 在建 — without numbering and count
    count: int | None  # the "(48项)" it states
    amounts: dict[int, Any]  # column index → the cell, for the sum check
    total: bool = False  # a 合计/小计/其中 row: sums rows, names nothing for them
    exact: bool = False  # its rows were found by arithmetic (core.ingest.totals): keep them
    part: bool = False  # 其中…: a part of a total, not of the rows in order
    first: int = 0  # index of the first record it heads
    last: int = 0  # index after its last record


@dataclass
class Record:
    row: int  # Excel row
    cells: list[Any]
    sections: dict[int, int] = field(default_factory=dict)  # level → index into sections


@dataclass
class LedgerSheet:
    file: str
    sheet: str | None
    title: str  # the rows above the header, joined
    header_rows: tuple[int, int]  # first and last Excel row of the header
    columns: list[Column]
    multiplier: float  # from a unit line (计量单位:亿元 → 10000); 1.0 when none
    sections: list[Section]
    records: list[Record]
    notes: list[tuple[int, str]]  # rows skipped: (Excel row, text)
    period: Period | None  # as the title or header states it
    period_source: str  # where the period was read, or why it could not be
    year: int | None  # a year stated without a month ("2009年完成情况", "1-  月")

    @property
    def signature(self) -> str:
        """The header's fingerprint without the period: 1-7月 and 1-8月 are the same layout."""
        keys: list[str] = []
        for c in self.columns:
            if c.key and (not keys or keys[-1] != c.key):
                keys.append(c.key)
        return hashlib.sha1("|".join(keys).encode()).hexdigest()[:16]

    @property
    def name(self) -> str:
        return f"{self.file}" + (f"·{self.sheet}" if self.sheet else "")

    def levels(self) -> list[int]:
        return sorted({s.level for s in self.sections if not s.total})

    def column(self, index: int) -> Column:
        return next(c for c in self.columns if c.index == index)


_PERIOD_NUMBERS = (  # in this order: a template's blanks first, then the numbers
    (re.compile(r"<y+>"), "Y"),
    (re.compile(r"<[a-z]+>"), ""),
    (re.compile(r"\d{4}(?=年)"), "Y"),
    (re.compile(r"1-\d{0,2}月"), "1-N月"),
    (re.compile(r"(?<![\d-])\d{1,2}(?=月)"), "N"),
)


def period_free(key: str) -> str:
    for pattern, replacement in _PERIOD_NUMBERS:
        key = pattern.sub(replacement, key)
    return key


# --- header ----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "".join(normalize_text(value).split()) if isinstance(value, str) else ""


def _row_fields(cells: list[Any]) -> list[V.Field]:
    return [f for v in cells if (t := _text(v)) and (f := V.field_for([t])) and f is not V.IGNORE]


def _find_header(grid: Grid) -> int | None:
    for i, row in header_window(grid):
        fields = _row_fields(row)
        if V.NAME in fields and len(set(fields)) >= 2:
            return i
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _header_bottom(grid: Grid, first: int, name_col: int) -> int:
    """The last row of the header block: merged cells reaching down, then rows of sub-headers
    (text only, no project name, under group labels), at most MAX_HEADER_ROWS in all."""
    last = first
    i = first
    while i <= last:  # merged ranges starting in the block may reach further down
        bottom = grid.merged_down.get(grid.numbers[i], grid.numbers[i])
        last = max(last, first + bottom - grid.numbers[first])
        i += 1
    last = min(last, first + MAX_HEADER_ROWS - 1, len(grid.cells) - 1)
    while last + 1 < min(len(grid.cells), first + MAX_HEADER_ROWS):
        row = grid.cells[last + 1]
        texts = [_text(v) for v in row]
        if any(_is_number(v) for v in row) or (name_col < len(texts) and texts[name_col]):
            break
        first_text = next((t for t in texts if t), "")
        if not first_text or _section_label(first_text) or is_total_label(first_text):
            break
        if not any(V.field_for([t]) for t in texts if t):
            break
        last += 1
    return last


def _is_numbering_row(cells: list[Any]) -> bool:
    """A row under the header that numbers the columns: 1 2 3 … or ① ② ③."""
    values = [normalize_text(v) for v in cells if filled(v)]
    if len(values) < 3:
        return False
    circled = all(len(v) == 1 and "\u2460" <= v <= "\u2473" for v in values)
    numbers = [int(float(v)) for v in values if re.fullmatch(r"\d+(?:\.0)?", v)]
    return circled or (len(numbers) == len(values) and numbers == sorted(numbers)
                       and numbers[0] in (0, 1))  # fmt: skip


def _paths(grid: Grid, first: int, last: int) -> list[tuple[str, ...]]:
    width = grid.width
    rows = [[_text(v) for v in grid.cells[r]] + [""] * (width - len(grid.cells[r]))
            for r in range(first, last + 1)]  # fmt: skip
    # A group label over several columns without merged cells (ODS, "center across
    # selection"): the label's row is empty to its right while the row below has sub-headers.
    spans: dict[tuple[int, int], str] = {}
    for k in range(len(rows) - 1):
        row, below = rows[k], rows[k + 1]
        for c in range(width):
            if not row[c] or (first + k, c) in grid.continued:
                continue
            end = c + 1
            while (
                end < width and not row[end] and below[end] and (first + k, end) not in grid.below
            ):
                end += 1
            if end > c + 1 and below[c]:
                for cc in range(c + 1, end):
                    spans[(k, cc)] = row[c]
    paths = []
    for c in range(width):
        texts: list[str] = []
        for k in range(len(rows)):
            text = rows[k][c] or spans.get((k, c), "")
            if not text or ((first + k, c) in grid.below and texts):
                continue
            if not texts or texts[-1] != text:
                texts.append(text)
        paths.append(tuple(texts))
    return paths


def _columns(
    grid: Grid, first: int, last: int, year: int | None = None, month: int | None = None
) -> list[Column]:
    """The columns of the header block, each header read against the period's year and month
    (core.ingest.vocabulary.against_period) before its field is looked up."""
    columns = []
    for c, path in enumerate(_paths(grid, first, last)):
        read = [V.against_period(V.header_key(p), year, month) for p in path]
        f = V.field_for(read) if path else None
        month_of = V.column_month(read) if f and f.per_month else None
        unit = V.header_unit(path[-1]) if path else None
        columns.append(Column(c, path, f, month_of, unit, read=tuple(read) if year else ()))
    while columns and not columns[-1].path:
        columns.pop()
    return _one_column_per_field(columns)


def _one_column_per_field(columns: list[Column]) -> list[Column]:
    """A field fed by one column only: a strong header word beats a loose one (所在区县 beats
    建设地点), else the first column wins; the others are left for a person to decide."""
    out = list(columns)
    for f in {c.field for c in columns if c.field and c.field.single}:
        claims = [c for c in columns if c.field is f]
        if len(claims) < 2:
            continue
        strong = [c for c in claims if not V.is_weak(list(c.path), f)]
        keep = (strong or claims)[0]
        for c in claims:
            if c is not keep:
                out[out.index(c)] = replace(c, field=None,
                                            conflict=f"与{keep.letter}列“{keep.label}”同为{f.key}")  # fmt: skip
    return out


# --- period ----------------------------------------------------------------------------------


_PAST = re.compile(r"底|累计|以前|上年")
_YTD_IN_HEADER = re.compile(r"(?:(\d{4})年(?:度)?)?1-(\d{1,2})月")


def _header_period(paths: list[tuple[str, ...]], title: str) -> tuple[Period | None, str, str]:
    """(period, the header text that states it, a header whose month is left blank): the
    year-to-date words of the header ("2010年1-7月", else "1-7月" with a year stated elsewhere
    in the header or in the title)."""
    loose_year = month = None
    said = blank = ""
    for path in paths:
        key = V.header_key("/".join(path))
        match = _YTD_IN_HEADER.search(key)
        if match and 1 <= int(match.group(2)) <= 12:
            if match.group(1) and 1990 <= int(match.group(1)) <= 2100:
                return Period(int(match.group(1)), int(match.group(2))), "/".join(path), ""
            if month is None:
                month, said = int(match.group(2)), "/".join(path)
        elif not blank and V.PLACEHOLDER.search(key) and "月" in key:
            blank = "/".join(path)
        # A year in a header of the period's own figures (2026年计划投资), not a past one's
        # (至2025年底累计完成投资).
        if loose_year is None and (m := V.YEAR_WORD.search(key)) and not _PAST.search(key):
            loose_year = int(m.group(1))
    if month is not None and (m := V.YEAR_WORD.search(V.header_key(title))):
        loose_year = int(m.group(1))  # the title's year first
    if loose_year and month and 1990 <= loose_year <= 2100:
        return Period(loose_year, month), said, blank
    return None, "", blank


def _stated_period(text: str) -> Period | None:
    key = V.header_key(text)
    for pattern in V.PERIOD_WORDS:
        match = pattern.search(key)
        if match and 1 <= int(match.group(2)) <= 12 and 1990 <= int(match.group(1)) <= 2100:
            return Period(int(match.group(1)), int(match.group(2)))
    return None


def _period(title: str, file: str, sheet: str | None, paths: list[tuple[str, ...]]):
    """(period, where it was read or why not, a year stated alone).

    The data speak first: the header's year-to-date words, then the title, the sheet's name and
    the file's name. Where two of them name different months the product does not choose: it
    asks, naming both."""
    in_header, said, blank = _header_period(paths, title)
    stated = [("表头", said, in_header)] if in_header else []
    for where, text in (("标题", title), ("工作表名", sheet or ""), ("文件名", file)):
        period = _stated_period(text)
        if period is not None:
            stated.append((where, text, period))
    if stated:
        where, text, period = stated[0]
        other = next((s for s in stated[1:] if s[2] != period), None)
        if other is not None:
            return (None, f"{where}“{text[:30]}”为{period.label},{other[0]}“{other[1][:30]}”"
                    f"为{other[2].label},两者不一致,请确认报告期", period.year)  # fmt: skip
        return period, f"{where}“{text[:40]}”", period.year
    year = None
    for text in ["/".join(p) for p in paths] + [title, sheet or ""]:
        if year is None and (m := V.YEAR_WORD.search(V.header_key(text))):
            year = int(m.group(1))
    if blank:
        return None, f"表头“{blank}”中的月份留空,请选择报告期", year
    return None, "标题和表头中都没有写明报告期,请选择报告期", year


# --- rows ------------------------------------------------------------------------------------


def _section_label(text: str) -> tuple[int, str] | None:
    """(level, label) of a numbered section heading, or None."""
    for level, pattern in V.SECTION_NUMBERED:
        match = pattern.match(text)
        if match:
            label = match.group("label")
            return level, _strip_count(label)[0]
    return None


def _strip_count(text: str) -> tuple[str, int | None]:
    match = V.COUNT_SUFFIX.search(text)
    if not match or match.start() == 0:
        return text, None
    n = match.group("n")
    return text[: match.start()].strip(), int(n) if n and n.isdigit() else None


def _first_text(cells: list[Any]) -> str:
    return next((_text(v) for v in cells if isinstance(v, str) and _text(v)), "")


@dataclass(frozen=True)
class Header:
    first: int  # row index of its first row
    last: int  # and of its last
    name_col: int
    columns: list[Column]


def header(grid: Grid) -> Header | None:
    """The header block of a ledger: a row naming 项目名称 and another field, with the rows of
    sub-headers below it; None when the sheet has none."""
    first = _find_header(grid)
    if first is None:
        return None
    name_col = next(c for c, v in enumerate(grid.cells[first]) if V.field_for([_text(v)]) is V.NAME)
    last = _header_bottom(grid, first, name_col)
    return Header(first, last, name_col, _columns(grid, first, last))


_LABEL_LIKE = re.compile(
    r"(?:\((?:万元|亿元|元)\)|时间|情况|安排|时限|目标|日期|签名\)?|问题|责任人|金额|投资额|联系人|"
    r"电话)[:]?$"
)


def _period_by_months(columns: list[Column], records: list[Record], year: int, source: str):
    """A ledger of month columns (1月 … 12月) that states no period reports up to the last
    month any project has an amount for, when every later month's column is blank; a later
    month written as 0 leaves the period to be asked."""
    amounts = [c for c in columns if c.field is V.MONTH_N_AMOUNT and c.month]

    def values(c: Column) -> list[float]:
        return [_plain_number(r.cells[c.index]) for r in records
                if c.index < len(r.cells) and filled(r.cells[c.index])]  # fmt: skip

    with_amounts = [c.month for c in amounts if any(v == v and v != 0 for v in values(c))]
    if not with_amounts:
        return None, source
    last = max(with_amounts)
    if any(values(c) for c in amounts if c.month > last):
        return None, source
    return Period(year, last), f"表头中填有金额的最后一个月份“{last}月”"


def is_form(grid: Grid, found: Header) -> bool:
    """A form for one project (项目名称 | 某某项目, 项目总投资额(万元) | 50000 …): the rows under
    the "header" are labels down the sheet with their values beside them, not projects."""
    names = []
    for cells in grid.cells[found.last + 1 : found.last + 41]:
        name = _text(cells[found.name_col]) if found.name_col < len(cells) else ""
        name = name or next((_text(v) for v in cells if isinstance(v, str) and _text(v)), "")
        if name:
            names.append(name)
    labels = [
        n for n in names if V.field_for([n]) is not None or _LABEL_LIKE.search(V.header_key(n))
    ]
    return len(labels) >= 4 and len(labels) >= 0.4 * len(names)


def recognise(
    grid: Grid, file: str, sheet: str | None, found: Header | None = None
) -> LedgerSheet | None:
    """The ledger a sheet holds, or None when no header with 项目名称 is found."""
    found = found or header(grid)
    if found is None:
        return None
    first, last, name_col, columns = found.first, found.last, found.name_col, found.columns
    serial = next((c.index for c in columns if c.path and V.header_key(c.path[-1]) in
                   ("序号", "序", "编号", "no", "no.")), None)  # fmt: skip
    title_rows = [  # a merged title repeats in every cell of its row: once is enough
        " ".join(dict.fromkeys(normalize_text(v) for v in row if filled(v)))
        for row in grid.cells[:first]
    ]
    title = " ".join(t for t in title_rows if t)
    multiplier = 1.0
    for text in title_rows:
        match = V.UNIT_LINE.search(V.header_key(text))
        if match:
            multiplier = V.UNIT_TO_WAN[match.group(1)]
    period, source, year = _period(title, file, sheet, [c.path for c in columns])
    if period is not None or year is not None:
        columns = _columns(grid, first, last, period.year if period else year,
                           period.month if period else None)  # fmt: skip
    rows = _Rows(grid, columns, name_col, serial, last)
    for i in range(last + 1, len(grid.cells)):
        rows.read(i)
    if period is None and year is not None:
        period, source = _period_by_months(columns, rows.records, year, source)
    _spans(rows.sections, rows.records)
    _totals_by_arithmetic(rows.sections, rows.records, rows.amount_cols, serial)
    return LedgerSheet(file, sheet, title, (grid.numbers[first], grid.numbers[last]), columns,
                       multiplier, rows.sections, rows.records, rows.notes, period, source,
                       year)  # fmt: skip


class _Rows:
    """Sorts the rows below the header into records, sections, totals and notes."""

    def __init__(self, grid: Grid, columns: list[Column], name_col: int, serial: int | None,
                 header_last: int):  # fmt: skip
        self.grid, self.name_col, self.serial = grid, name_col, serial
        self.amount_cols = [c.index for c in columns if c.field and c.field.amount]
        self.header_texts = {c.index: _text(grid.cells[header_last][c.index]) for c in columns}
        self.sections: list[Section] = []
        self.records: list[Record] = []
        self.notes: list[tuple[int, str]] = []
        self.current: dict[int, int] = {}  # section level → index of the section in force
        self.in_parts = False  # after 其中: the lines below it are parts of a total too
        self.since = 0  # index of the first record since the last heading of level 0 or 1
        # Whether the projects carry serial numbers (1, 2, 3 … in the 序号 column).
        self.numbered_rows = serial is not None and sum(
            1 for row in grid.cells[header_last + 1 :]
            if serial < len(row) and _SERIAL.match(_text(row[serial]) or str(row[serial]))
        ) >= 2  # fmt: skip

    def _cell(self, cells: list[Any], c: int | None) -> str:
        return _text(cells[c]) if c is not None and c < len(cells) else ""

    def read(self, i: int) -> None:
        cells, number = self.grid.cells[i], self.grid.numbers[i]
        if not any(filled(v) for v in cells) or _is_numbering_row(cells):
            return
        first_text = _first_text(cells)
        name = self._cell(cells, self.name_col)
        serial = self._cell(cells, self.serial)
        amounts = {c: cells[c] for c in self.amount_cols if c < len(cells) and filled(cells[c])}
        counted = bool(name) and bool(V.COUNT_ONLY.match(name))  # 合计 | 13个
        label_row = not name or counted or name in (first_text, serial)
        repeated = sum(1 for c, t in self.header_texts.items()
                       if t and self._cell(cells, c) == t)  # fmt: skip
        if repeated >= 2 or V.FOOTNOTE.match(first_text):
            self.notes.append((number, first_text))
            return
        across = self._across(cells)
        if across and not (_section_label(across) or V.TOTAL_LABEL.match(V.header_key(across))):
            if len(across) > 20 or _NOTE_LIKE.search(across):
                self.notes.append((number, across))  # a note merged across the table
                return
            self._heading(number, 3, _strip_count(across)[0], across, {})  # 城东区, merged
            return
        total = self._total_label(cells) if label_row else None
        if total is None and label_row and counted and not V.OF_WHICH.match(first_text):
            total = V.TOTAL_LABEL.match("合计")  # a count alone where the name goes: a total
        if counted and total is not None and not V.COUNT_SUFFIX.search(first_text):
            first_text += name
        if total or (label_row and V.OF_WHICH.match(first_text)):
            place = total.group("place") if total else ""
            if (
                place
                and V.COUNTY_LIKE.fullmatch(place)
                and not GRAND.match(place)
                and not self._closes(amounts)
            ):
                self._heading(number, 0, place, first_text, amounts)  # 龙海市合计14个
                return
            if place:
                self.since = len(self.records)
            part = bool(V.OF_WHICH.match(first_text))
            self.in_parts = part or (self.in_parts and not total)
            label, count = _strip_count(V.OF_WHICH.sub("", first_text))
            self.sections.append(Section(number, -1, label, count, amounts, total=True, part=part))
            return
        numbered = _section_label(first_text) if label_row else None
        if numbered is None and serial and set(serial) <= set(V.CHINESE_NUMERALS) and name:
            numbered = (1, _strip_count(name)[0])  # "一 | 工业": the numeral in the 序号 column
        if numbered is None and label_row and not _SERIAL.match(serial or "x"):
            label, count = _strip_count(first_text)
            if count is not None:
                if self.in_parts:  # "预备重点项目(10项)" under "其中:在建重点项目(90项)"
                    self.sections.append(Section(number, -1, label, count, amounts, total=True,
                                                 part=True))  # fmt: skip
                    return
                numbered = (3, label)
        if numbered is not None:
            self._heading(number, numbered[0], numbered[1], first_text, amounts)
            return
        if not name:
            if any(filled(v) for c, v in enumerate(cells) if c != self.serial):
                self.notes.append((number, first_text or "(无项目名称)"))
            return  # else a template row with only its 序号
        if (
            self.serial is not None
            and not serial
            and self.numbered_rows
            and all(not filled(v) for c, v in enumerate(cells) if c != self.name_col)
        ):
            # A name alone, without the serial number the projects carry: a section (城东区).
            self._heading(number, 3, _strip_count(name)[0], name, {})
            return
        self.in_parts = False
        self.records.append(Record(number, list(cells), dict(self.current)))

    def _across(self, cells: list[Any]) -> str:
        """The text of a row that is one cell merged across most of the table, else ""."""
        values = [v for v in cells if filled(v)]
        texts = {_text(v) for v in values if isinstance(v, str)}
        if (
            len(texts) == 1
            and len(values) >= max(3, len(cells) // 2)
            and len(values) == len([v for v in values if isinstance(v, str)])
        ):
            return texts.pop()
        return ""

    def _total_label(self, cells: list[Any]) -> re.Match | None:
        """A total's words in any of the row's leading cells (those before its amounts): the
        label may sit in the 序号 column and the count in the name column."""
        stop = min(self.amount_cols, default=len(cells))
        for c in range(min(stop, len(cells))):
            text = _text(cells[c]) if isinstance(cells[c], str) else ""
            if text and (match := V.TOTAL_LABEL.match(V.header_key(text))):
                return match
        return None

    def _closes(self, amounts: dict) -> bool:
        """Whether a place's total (龙湖区合计) sums the projects above it since the last
        heading: then it closes them; else it heads the rows below it (Fujian's 龙海市合计14个
        over 一 | 工业)."""
        block = self.records[self.since :]
        if not block or not amounts:
            return False
        for c, cell in amounts.items():
            stated = _plain_number(cell)
            summed = sum(_plain_number(r.cells[c]) if c < len(r.cells) and filled(r.cells[c])
                         else 0.0 for r in block)  # fmt: skip
            if stated != stated or abs(stated - summed) > 0.011 * len(block):
                return False
        return True

    def _heading(self, number: int, level: int, label: str, text: str, amounts: dict) -> None:
        if level <= 1:
            self.since = len(self.records)
        self.in_parts = False
        self.sections.append(Section(number, level, label, _strip_count(text)[1], amounts))
        self.current = {k: v for k, v in self.current.items() if k < level}
        self.current[level] = len(self.sections) - 1


GRAND = re.compile(r"^(?:全|总|本|各)")  # 全市合计, 各县小计: no county of their own


def _spans(sections: list[Section], records: list[Record]) -> None:
    """Which records each section sums: a heading from its row to the next heading of its level
    or above; a total above the records all of them below it, or at the foot all above it, or
    else the records since the previous heading."""
    rows = [r.row for r in records]

    def index_after(row: int) -> int:
        return next((i for i, r in enumerate(rows) if r > row), len(rows))

    for k, s in enumerate(sections):
        if s.exact:
            continue
        start = index_after(s.row)
        if not s.total:
            stop = next((t.row for t in sections[k + 1 :] if not t.total and t.level <= s.level),
                        None)  # fmt: skip
            s.first, s.last = start, len(rows) if stop is None else index_after(stop)
        elif start == 0 or start == len(rows):
            s.first, s.last = 0, len(rows)
        else:
            before = [t.row for t in sections[:k] if not t.total]
            s.first, s.last = (index_after(before[-1]) if before else 0), start


def _totals_by_arithmetic(
    sections: list[Section], records: list[Record], amount_cols: list[int], serial: int | None
) -> None:
    """Records that are the sum of the records they head or close become totals (checks, not
    projects), whatever their label: core.ingest.totals finds them."""
    if len(records) < 3 or not amount_cols:
        return
    amounts = np.array([[_plain_number(r.cells[c] if c < len(r.cells) else None)
                         for c in amount_cols] for r in records])  # fmt: skip
    numbered = [serial is not None and serial < len(r.cells) and filled(r.cells[serial])
                for r in records]  # fmt: skip
    unnumbered = [not numbered[i] and sum(numbered) > len(records) / 2
                  for i in range(len(records))]  # fmt: skip
    rows = [r.row for r in records]
    # A block begins or ends at a section row (a heading, or a total found by its words).
    edges = {next((i for i, row in enumerate(rows) if row > s.row), len(rows)) for s in sections}
    found = totals.sum_rows(amounts, sorted(edges), unnumbered)
    if not found:
        return
    removed = sorted(found)

    def shifted(index: int) -> int:
        return index - sum(1 for r in removed if r < index)

    for i in removed:
        r = records[i]
        first, stop = found[i]
        name = next((_text(v) for v in r.cells if isinstance(v, str) and _text(v)), "")
        amounts_of = {c: r.cells[c] for c in amount_cols if c < len(r.cells) and filled(r.cells[c])}
        sections.append(Section(r.row, -1, name or "合计", None, amounts_of, total=True,
                                exact=True, first=shifted(first), last=shifted(stop)))  # fmt: skip
    kept = [r for i, r in enumerate(records) if i not in found]
    records[:] = kept
    # Headings' spans are indices into the records: find them again without the totals.
    for s in sections:
        if not s.exact:
            s.first = s.last = 0
    _spans(sections, records)


def _plain_number(value: Any) -> float:
    """A cell as a number for the arithmetic of totals; NaN when empty or not a number."""
    if _is_number(value):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        try:
            return float(text) if text else float("nan")
        except ValueError:
            return float("nan")
    return float("nan")
