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
from core.figures.supervision import with_note
from core.ingest.findings import Report
from core.ingest.importing import uploaded_rows
from core.ingest.reading import RawTable
from core.ingest.validation import validate
from core.policy import roles
from core.policy.roles import Actor
from core.store import datasource
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
