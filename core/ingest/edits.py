"""Edits made on a page, written to the store as batches like an import: the 督办 fields of
problems (问题督办) and the exemptions of the 红黑榜 (红黑榜豁免).

Each edit takes the data version the page drew it from (`seen_version`, a Store.version()). It
is checked by the same validation as an uploaded return (the edited rows are an upload of the
store's own table), against the data as the page showed them, and written as one batch that
history lists and roll-back undoes. The store refuses it (VersionMoved) when the same project's
rows, or the same exemption, changed since the page drew them (core.store.versions). Each
function takes the actor: an edit of 督办 fields needs roles.SUPERVISE (a county reporter only
its own counties' problems, named per row by the check and refused again by the store), an
exemption roles.EXEMPT; the store records who made the batch, and so does the trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd

from core.base import schema as S
from core.base import settings
from core.base.periods import Period
from core.figures import collection as C
from core.figures.supervision import with_note
from core.ingest.findings import ERROR, Finding, Report
from core.ingest.importing import uploaded_rows
from core.ingest.ledger_tables import _problem as ledger_problem
from core.ingest.reading import RawTable
from core.ingest.validation import TOTAL_TOLERANCE, validate
from core.policy import roles
from core.policy.roles import Actor
from core.store import datasource, drafts, returns
from core.store.portfolio import DEMO_DIR
from core.store.versions import (
    EXEMPTION,
    IMPORT,
    SUPERVISION,
    Batch,
    Store,
    VersionMoved,
    version_id,
)

# What the 问题督办 page edits, and the column of a new 办理情况 entry (dated today on saving).
EDITABLE = (S.RESPONSIBLE_UNIT, S.ASSIGNED_ON, S.DEADLINE, S.HANDLING_STATE, S.CLOSED_ON,
            S.CLEARED_ON)  # fmt: skip
NEW_NOTE = "新增办理情况"
DEMO_FILES = ["示例数据"]  # how history names the demo brought into the store to be tried


class NothingToEdit(ValueError):
    """The edit cannot be made: no imported data, or nothing changed (message in Chinese)."""


def _tables_seen(store: Store, seen_version: str) -> dict[str, pd.DataFrame]:
    """The data as the page drew them."""
    entry = version_id(seen_version)
    if entry is None:
        raise NothingToEdit(
            "当前显示的是示例数据,不能直接修改。请先在“数据管理”页导入本办的数据,"
            "或把示例数据导入数据库后试用。"
        )
    tables, _ = store.tables_as_of(entry)
    return tables


def _text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _check(store: Store, seen_version: str, table: str, frame: pd.DataFrame,
           rows: list[int], tables: dict[str, pd.DataFrame],
           counties: tuple[str, ...] | None = None) -> Report:  # fmt: skip
    """Validate edited rows of `table` as an upload against the data the page showed (of
    `counties` only, for a county reporter)."""
    raw = RawTable(
        table=table, file="", sheet=None, frame=frame.reset_index(drop=True), rows=rows,
        header_row=1, multiplier=1.0, totals=[], unknown_columns=[], missing_columns=[],
    )  # fmt: skip
    report = validate([raw], [], current=tables, boundaries=None, files=[], counties=counties)
    report.checked_against = seen_version
    return report


def check_problem_edits(
    store: Store,
    seen_version: str,
    edited: pd.DataFrame,
    *,
    actor: Actor,
    today: dt.date | None = None,
) -> Report:
    """The 督办 fields of problems as edited on the page, checked as an upload.

    `edited` has 问题编号, any of EDITABLE (text or dates) and NEW_NOTE (an entry to add to
    办理情况, dated today), and `_row`: the row number the page shows, which findings name.
    Only rows that change something are kept; a 解决年月 that followed the old 办结日期 follows
    the new one (so a problem can be re-opened from the page)."""
    roles.require(actor, roles.SUPERVISE)
    counties = None if roles.may(actor, roles.IMPORT_ANY) else actor.counties
    today = today or dt.date.today()
    tables = _tables_seen(store, seen_version)
    stored = tables[S.PROBLEMS].set_index(S.PROBLEM_ID)
    unknown = sorted(set(edited[S.PROBLEM_ID]) - set(stored.index))
    if unknown:
        raise NothingToEdit(f"存在问题中没有这些问题编号:{'、'.join(unknown)}")
    rows, numbers = [], []
    for r in edited.to_dict("records"):
        before = stored.loc[r[S.PROBLEM_ID]]
        after = {c: before[c] for c in S.PROBLEM_COLUMNS if c != S.PROBLEM_ID}
        after[S.PROBLEM_ID] = r[S.PROBLEM_ID]
        for column in EDITABLE:
            if column in r:
                after[column] = _text(r[column])
        if before[S.RESOLVED] and before[S.RESOLVED] == before[S.CLOSED_ON][:7]:
            after[S.RESOLVED] = after[S.CLOSED_ON][:7]
        note = _text(r.get(NEW_NOTE, ""))
        if note:
            after[S.HANDLING_NOTES] = with_note(before[S.HANDLING_NOTES], today, note)
        if any(after[c] != before[c] for c in S.PROBLEM_COLUMNS if c != S.PROBLEM_ID):
            rows.append(after)
            numbers.append(int(r.get("_row", len(rows))))
    if not rows:
        raise NothingToEdit("没有修改任何内容。")
    frame = pd.DataFrame(rows, columns=list(S.PROBLEM_COLUMNS))
    return _check(store, seen_version, S.PROBLEMS, frame, numbers, tables, counties)


def check_exemption(
    store: Store,
    seen_version: str,
    unit_kind: str,
    unit_name: str,
    month: str,
    reason: str,
    *,
    actor: Actor,
) -> Report:
    """A unit excused from the 黑榜 of a month (replacing its earlier reason), checked; the
    actor must be allowed to set exemptions (roles.Refused otherwise)."""
    roles.require(actor, roles.EXEMPT)
    tables = _tables_seen(store, seen_version)
    frame = pd.DataFrame(
        [
            {
                S.UNIT_KIND: unit_kind,
                S.UNIT_NAME: unit_name.strip(),
                S.MONTH: month,
                S.EXEMPT_REASON: reason.strip(),
            }
        ],
        columns=list(S.EXEMPTION_COLUMNS),
    )
    return _check(store, seen_version, S.EXEMPTIONS, frame, [1], tables)


def commit(report: Report, store: Store, *, kind: str, actor: Actor, note: str = "") -> Batch:
    """Write a checked edit as one batch by `actor` (raises ValueError if it has errors,
    roles.Refused if the actor may not make it)."""
    if not report.importable:
        raise ValueError("修改存在错误,未保存:" + report.summary())
    rows = uploaded_rows(report)
    with _as_an_edit():
        batch = store.import_batch(rows, files=[], note=_note(kind, rows, note), kind=kind,
                                   seen_version=report.checked_against, actor=actor)  # fmt: skip
    datasource.load(store)  # the snapshot the app opens, written once here
    return batch


@contextmanager
def _as_an_edit() -> Iterator[None]:
    """The store's refusal in the words of an edit on a page rather than of an upload."""
    try:
        yield
    except VersionMoved as refused:
        text = (
            str(refused)
            .replace("在您检查数据之后", "在您打开本页之后")
            .replace("本次上传的", "本次修改的")
        )
        text = text.replace(
            "本次未导入:请重新检查后再确认导入。", "本次修改未保存:请按最新数据重新修改。"
        )
        raise VersionMoved(text) from refused


def revoke_exemption(store: Store, seen_version: str, unit_kind: str, unit_name: str,
                     month: str, note: str = "", *, actor: Actor) -> Batch:  # fmt: skip
    """Take an exemption back, as one batch by `actor` (roll-back restores it)."""
    roles.require(actor, roles.EXEMPT)
    tables = _tables_seen(store, seen_version)
    ex = tables[S.EXEMPTIONS]
    key = (ex[S.UNIT_KIND] == unit_kind) & (ex[S.UNIT_NAME] == unit_name) & (ex[S.MONTH] == month)
    if not key.any():
        raise NothingToEdit(f"没有{unit_name}{month}的豁免记录")
    gone = ex.loc[key, list(S.KEYS[S.EXEMPTIONS])]
    text = f"撤销{unit_name}{month}的红黑榜豁免" + (f";{note.strip()}" if note.strip() else "")
    with _as_an_edit():
        batch = store.import_batch({}, files=[], note=text, kind=EXEMPTION,
                                   seen_version=seen_version, removed={S.EXEMPTIONS: gone},
                                   actor=actor)  # fmt: skip
    datasource.load(store)
    return batch


def _note(kind: str, rows: dict[str, pd.DataFrame], note: str) -> str:
    """What history says an edit was: 督办:修改2个问题(WT00001、WT00002) / 豁免:…"""
    if kind == SUPERVISION:
        ids = rows[S.PROBLEMS][S.PROBLEM_ID].tolist()
        shown = "、".join(ids[:5]) + ("等" if len(ids) > 5 else "")
        text = f"修改{len(ids)}个问题的督办信息({shown})"
    else:
        r = rows[S.EXEMPTIONS].iloc[0]
        text = f"{r[S.UNIT_NAME]}{r[S.MONTH]}不列入黑榜:{r[S.EXEMPT_REASON]}"
    return text + (f";{note.strip()}" if note.strip() else "")


def import_demo(store: Store, *, actor: Actor) -> Batch:
    """Bring the demo into an empty store, so that its problems and exemptions can be edited
    as an office's own (a trial: the pages then show it as imported data); an admin's act."""
    roles.require(actor, roles.IMPORT_ANY)
    if store.current() is not None:
        raise NothingToEdit("数据库中已有导入的数据,不能再导入示例数据。")
    tables, boundaries = datasource.folder_tables(DEMO_DIR)
    batch = store.import_batch(tables, files=DEMO_FILES, boundaries=boundaries, kind=IMPORT,
                               note="示例数据(虚构),导入后可试用问题督办和红黑榜豁免",
                               actor=actor)  # fmt: skip
    datasource.load(store)
    return batch


# --- 在线填报: a county's return entered on a page (app_pages/filling.py) ---------------------

FILLED = "在线填报"  # what history and the trail name a return entered on the page
REQUIRE_TEXT = "require_progress_text"  # data/settings.toml [collection]


def progress_text_required() -> bool:
    """Whether the office requires 形象进度 with every return entered on the page."""
    return bool(settings.current().section(C.SECTION).get(REQUIRE_TEXT, False))


def _cell(value) -> object:
    """A form cell as the validation reads a sheet's: "" when empty, else as entered."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return value.strip() if isinstance(value, str) else value


def _amount(value) -> float | None:
    try:
        return float(str(value).replace(",", "")) if value != "" else None
    except ValueError:
        return None  # the validation names it


def check_return(store: Store, seen_version: str, county: str, period: Period,
                 form: pd.DataFrame, *, actor: Actor, final: bool = True) -> Report:  # fmt: skip
    """The county's form for the period (core.figures.collection.FORM_COLUMNS, one row per
    project, numbered as shown from 1) checked as an upload of its returns: the month's amount
    or the year to date (one or the other; both must agree), 形象进度, a new problem.

    The actor must be allowed to enter the county's returns (drafts.require_county: a reporter
    its own counties only), and every row must be a project of that county in the data the page
    showed (roles.Refused otherwise — a crafted form for another county is refused here, before
    the validation and the store refuse it again). `final`: a submission, where every row needs
    an amount; otherwise the rows left blank are left out."""
    drafts.require_county(actor, county)
    own = roles.counties_of(actor)
    tables = _tables_seen(store, seen_version)
    projects = tables[S.PROJECTS]
    county_of = dict(zip(projects[S.CODE], projects[S.COUNTY], strict=True))
    foreign = sorted({c for c in form[S.CODE] if county_of.get(c) != county})
    if foreign:
        raise roles.Refused(f"填报表中有不属于{county}的项目代码:{'、'.join(foreign[:5])},未保存。")
    monthly = tables[S.MONTHLY]
    stored = returns.month_amounts(monthly.loc[monthly[S.CODE].isin(set(form[S.CODE]))])
    year = stored.loc[stored[S.MONTH].str.startswith(f"{period.year}-")
                      & (stored[S.MONTH] < period.key)]  # fmt: skip
    before = year.groupby(S.CODE)[S.MONTH_COMPLETED].sum()
    findings: list[Finding] = []
    by_amount, by_total, problems = [], [], []
    rows_a, rows_t, rows_p = [], [], []
    required = progress_text_required()

    def finding(row: int, column: str, value, message: str) -> None:
        text = "" if value == "" else str(value)
        findings.append(Finding(ERROR, "", None, row, column, text, message))

    for number, r in enumerate(form.to_dict("records"), start=1):
        code = r[S.CODE]
        amount, total = _cell(r.get(S.MONTH_COMPLETED)), _cell(r.get(S.MONTH_CUMULATIVE))
        words, problem = _cell(r.get(S.PROGRESS_TEXT)), _cell(r.get(C.NEW_PROBLEM))
        if amount == "" and total == "":
            if final:
                finding(number, S.MONTH_COMPLETED, "", f"请填写本月完成投资或{S.MONTH_CUMULATIVE}")
            continue
        if required and str(words) == "":
            finding(number, S.PROGRESS_TEXT, "", "本办要求每月填写形象进度,不能为空")
        row = {S.CODE: code, S.MONTH: period.key, S.PROGRESS_TEXT: str(words)}
        a, t = _amount(amount), _amount(total)
        so_far = float(before.get(code, 0.0))
        if amount != "" and total != "":
            if a is not None and t is not None and abs(so_far + a - t) > TOTAL_TOLERANCE:
                finding(number, S.MONTH_CUMULATIVE, total,
                        f"与本月完成投资不一致:上月末本年累计{_figure(so_far)}加本月{_figure(a)}"
                        f"应为{_figure(so_far + a)};请只填其中一项或改正")  # fmt: skip
            by_amount.append(row | {S.MONTH_COMPLETED: amount})
            rows_a.append(number)
        elif amount != "":
            by_amount.append(row | {S.MONTH_COMPLETED: amount})
            rows_a.append(number)
        else:
            by_total.append(row | {S.MONTH_CUMULATIVE: total})
            rows_t.append(number)
        if str(problem) != "":
            problems.append(ledger_problem(code, str(problem), period, tables[S.PROBLEMS]))
            rows_p.append(number)
    raw = []
    for table, rows, numbers in ((S.MONTHLY, by_amount, rows_a), (S.MONTHLY, by_total, rows_t),
                                 (S.PROBLEMS, problems, rows_p)):  # fmt: skip
        if rows:
            raw.append(RawTable(
                table=table, file="", sheet=None, frame=pd.DataFrame(rows), rows=numbers,
                header_row=0, multiplier=1.0, totals=[], unknown_columns=[], missing_columns=[],
            ))  # fmt: skip
    if not raw and not findings:
        raise NothingToEdit("没有填写任何内容。")
    report = validate(raw, [], current=tables, boundaries=None, files=[], counties=own)
    report.findings[:0] = findings
    if findings:
        report.tables = None  # the form's own errors block it as the validation's do
    report.checked_against = seen_version
    report.checked_for = own
    return report


def _figure(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def submit_return(report: Report, store: Store, county: str, period: Period, form: pd.DataFrame,
                  *, actor: Actor) -> Batch:  # fmt: skip
    """Write a checked form as one batch by `actor` (history, roll-back and the trail as for an
    import) and mark the county's form of the month submitted; the county then counts as
    reported for the month wherever its projects' returns are counted (报送情况, 预警)."""
    drafts.require_county(actor, county)
    if not report.importable:
        raise ValueError("填报内容存在错误,未提交:" + report.summary())
    rows = uploaded_rows(report)
    n = len(rows.get(S.MONTHLY, ()))
    note = f"{FILLED}:{county}{period.label}月度进度{n}个项目"
    with _as_an_edit():
        batch = store.import_batch(rows, files=[], note=note, kind=IMPORT,
                                   seen_version=report.checked_against, actor=actor)  # fmt: skip
    drafts.mark_submitted(store, county, period.key, form.to_dict("records"), batch.id,
                          actor=actor)  # fmt: skip
    datasource.load(store)
    return batch
