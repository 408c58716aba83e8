"""Findings of a check and the report that collects them: what is wrong, where, and how bad.

Errors block an import; warnings are shown beside it. The same finding on many rows is shown as
one line with the count and the rows, so that a person can act on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

ERROR = "错误"
WARNING = "警告"
# A file of two million bad codes gives two million findings: past this many of one kind (the
# same message in one column of one sheet) only the count is kept, and the line says so.
KEPT_PER_KIND = 500


@dataclass(frozen=True)
class Finding:
    level: str  # 错误 / 警告
    file: str
    sheet: str | None
    row: int | None  # as Excel shows it
    column: str | None
    value: str
    message: str  # what is wrong and what is expected

    def where(self) -> str:
        # A file-level message names its file itself ("文件“a.xlsx”是空文件").
        named = self.file and f"“{self.file}”" in self.message
        parts = [f"文件“{self.file}”"] if self.file and not named else []
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"“{self.column}”列")
        return "".join(parts)

    def text(self) -> str:
        value = f"(值:“{self.value}”)" if self.value != "" else ""
        place = self.where() + value
        return f"【{self.level}】" + (f"{place}:" if place else "") + self.message


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] | None = None  # merged, clean; None when errors block
    boundaries: dict | None = None  # a newly uploaded boundary file, if any
    uploaded_rows: dict[str, int] = field(default_factory=dict)  # rows read per table
    files: list[str] = field(default_factory=list)
    # Clean uploaded rows per table (keys and the columns given), for what-changes previews.
    uploads: dict[str, pd.DataFrame] = field(default_factory=dict)
    layouts: list = field(default_factory=list)  # ledger layouts to save with the import
    heads: list = field(default_factory=list)  # (signature, head) of its ledgers: ledger_heads
    new_categories: dict[str, list[str]] = field(default_factory=dict)  # added to the settings
    changes: object | None = None  # core.ingest.changes.Changes, when there is current data
    checked_against: str | None = None  # the store version the check read (importing.check)
    # The counties the check allowed (a county reporter's); None: every county (an admin's).
    checked_for: tuple[str, ...] | None = None
    omitted: dict[tuple, int] = field(default_factory=dict)  # kind → findings not kept
    # Every uploaded row is in the current data as it is (the same file twice): nothing to write.
    unchanged: bool = False

    def cap(self) -> None:
        """Keep at most KEPT_PER_KIND findings of each kind; count the rest."""
        seen: dict[tuple, int] = {}
        kept = []
        for f in self.findings:
            kind = _kind(f)
            seen[kind] = seen.get(kind, 0) + 1
            if seen[kind] <= KEPT_PER_KIND:
                kept.append(f)
            else:
                self.omitted[kind] = self.omitted.get(kind, 0) + 1
        self.findings = kept

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == WARNING]

    @property
    def importable(self) -> bool:
        return not self.errors and self.tables is not None and not self.unchanged

    @property
    def valid(self) -> bool:
        """No error: the files could be imported (an unchanged upload is valid, just not new)."""
        return not self.errors and self.tables is not None

    def lines(self) -> list[Line]:
        """The findings as a person reads them, errors first: the same finding on several rows
        of one column is one line with the count and the rows."""
        groups: dict[tuple, list[Finding]] = {}
        for f in self.findings:
            key = _kind(f)
            groups.setdefault(key if f.row else (*key, id(f)), []).append(f)
        lines = [Line.of(found, self.omitted.get(_kind(found[0]), 0)) for found in groups.values()]
        return sorted(lines, key=lambda line: line.level != ERROR)

    def frame(self) -> pd.DataFrame:
        """One row per line, for the page and the downloadable report."""
        rows = [
            {
                "级别": line.level,
                "文件": line.file,
                "工作表": line.sheet or "",
                "行": line.rows_text(),
                "列": line.column or "",
                "值": line.values_text(),
                "说明": line.message,
            }
            for line in self.lines()
        ]
        return pd.DataFrame(rows, columns=["级别", "文件", "工作表", "行", "列", "值", "说明"])

    def summary(self) -> str:
        if not self.findings:
            return "检查通过,没有发现问题。"
        more = {level: sum(n for k, n in self.omitted.items() if k[0] == level)
                for level in (ERROR, WARNING)}  # fmt: skip
        errors, warnings = len(self.errors) + more[ERROR], len(self.warnings) + more[WARNING]
        return f"发现{errors}个错误、{warnings}个警告。" + (
            "请改正错误后重新上传。" if self.errors else "警告不影响导入,请核对。"
        )


SHOWN_VALUES = 3  # a line lists this many of its values, then "等"


@dataclass(frozen=True)
class Line:
    """One line of the report: a finding, or the same finding on several rows."""

    level: str
    file: str
    sheet: str | None
    column: str | None
    message: str
    rows: tuple[int, ...]
    values: tuple[str, ...]  # distinct, in order
    omitted: int = 0  # rows with the same finding beyond those kept

    @classmethod
    def of(cls, found: list[Finding], omitted: int = 0) -> Line:
        f = found[0]
        rows = tuple(sorted({x.row for x in found if x.row}))
        values = tuple(dict.fromkeys(x.value for x in found if x.value != ""))
        return cls(f.level, f.file, f.sheet, f.column, f.message, rows, values, omitted)

    def rows_text(self) -> str:
        """第5行, 第5–46行(共42行), 第3、7、9行."""
        if not self.rows:
            return ""
        runs: list[tuple[int, int]] = []
        for r in self.rows:
            if runs and r == runs[-1][1] + 1:
                runs[-1] = (runs[-1][0], r)
            else:
                runs.append((r, r))
        parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in runs]
        shown = "、".join(parts[:5]) + ("等" if len(parts) > 5 or self.omitted else "")
        total = len(self.rows) + self.omitted
        count = f"(共{total}行)" if total > 1 else ""
        return f"第{shown}行{count}"

    def values_text(self) -> str:
        shown = "、".join(self.values[:SHOWN_VALUES])
        return shown + ("等" if len(self.values) > SHOWN_VALUES else "")

    def text(self) -> str:
        where = "".join(
            [f"文件“{self.file}”" if self.file and f"“{self.file}”" not in self.message else "",
             f"工作表“{self.sheet}”" if self.sheet else "", self.rows_text(),
             f"“{self.column}”列" if self.column else ""]
        )  # fmt: skip
        value = f"(值:“{self.values_text()}”)" if self.values else ""
        place = where + value
        return f"【{self.level}】" + (f"{place}:" if place else "") + self.message


def _kind(f: Finding) -> tuple:
    return (f.level, f.file, f.sheet, f.column, f.message)
