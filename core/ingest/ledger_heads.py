"""The head of an office's own ledger (its title, unit, sheet and header), kept beside its saved
layout (台账格式) when the ledger is imported, so that the month's pre-filled return of a county
can be written in the office's own layout: the same title with the new period, the same header
(read by the saved layout's signature, so the filled file goes straight in), the county's
projects under the layout's sections (一、 and (一) levels), what carries over filled in
(names, codes, totals, plans, 开工至上年底累计, the project's words) and the month's columns
blank (core.output.returns, which is handed `writer(...)`).

A layout saved without a head (before this existed, or by `python -m core layouts`) has no
return of its own: the product's template is used, as for an office without a saved layout.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from core.base import schema as S
from core.base.periods import Period
from core.ingest import vocabulary as V
from core.ingest.layouts import Layout, Layouts
from core.ingest.ledger import LedgerSheet
from core.policy import roles
from core.policy.roles import Actor
from core.store.tables import LEDGER_HEADS
from core.store.versions import Store

# What a return carries over, by the field its column has in the layout (the rest stays blank).
CARRIED = {V.CODE, V.NAME, V.COUNTY, V.SECTOR, V.LEVEL, V.STAGE, V.NATURE, V.OWNER,
           V.OWNER_PERSON, V.LEADER, V.CONTENT, V.YEARS, V.TOTAL, V.PRIOR, V.PLAN,
           V.PLANNED_START, V.ACTUAL_START, V.PLANNED_END, V.ACTUAL_END, V.LON, V.LAT,
           V.NEWLY_ATTRACTED, V.HIGH_TECH, V.SUBSIDY}  # fmt: skip
_SERIAL = re.compile(r"^(序号|编号|序)$")
_NUMERALS = "一二三四五六七八九十"
_UNITS = {10000.0: "亿元", 0.0001: "元"}


def head(ledger: LedgerSheet) -> dict[str, Any]:
    """What a return needs of the ledger besides its layout: title, sheet, unit, header."""
    return {
        "sheet": ledger.sheet or "",
        "title": ledger.title,
        "period": ledger.period.key if ledger.period else "",
        "multiplier": ledger.multiplier,
        "depth": ledger.header_rows[1] - ledger.header_rows[0] + 1,
        "columns": [
            {"index": c.index, "path": list(c.path), "key": c.key, "unit": c.unit, "month": c.month}
            for c in ledger.columns
        ],
    }


def heads_of(ledgers: list[LedgerSheet]) -> list[tuple[str, dict[str, Any]]]:
    """(signature, head) of each ledger with projects, once per signature (the first sheet's)."""
    out: dict[str, dict[str, Any]] = {}
    for ledger in ledgers:
        if ledger.records and ledger.signature not in out:
            out[ledger.signature] = head(ledger)
    return list(out.items())


def keep(store: Store, heads: list[tuple[str, dict[str, Any]]], *, actor: Actor) -> None:
    """Keep the heads of an import's ledgers (replacing a signature's earlier one): the latest
    month's title is the one a return advances. The office's ledger is the office's: a county
    reporter's import (its own sheet, or the return sent back) keeps none."""
    roles.require(actor, roles.IMPORT)
    if not heads or not roles.may(actor, roles.IMPORT_ANY):
        return
    now = datetime.now().replace(microsecond=0)
    with store.engine.begin() as conn:
        for signature, body in heads:
            conn.execute(sa.delete(LEDGER_HEADS).where(LEDGER_HEADS.c.signature == signature))
            conn.execute(sa.insert(LEDGER_HEADS).values(
                signature=signature, body=json.dumps(body, ensure_ascii=False), updated_at=now))  # fmt: skip


def office_layout(store: Store) -> tuple[Layout, dict[str, Any]] | None:
    """The office's ledger layout for returns: the saved layout with a kept head that was used
    last; None when there is none (the product's template is used)."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(LEDGER_HEADS).order_by(LEDGER_HEADS.c.updated_at.desc())
        ).all()
    saved = Layouts(store)
    for row in rows:
        layout = saved.for_signature(row.signature)
        if layout is not None:
            return layout, json.loads(row.body)
    return None


# --- writing a return in the layout ------------------------------------------------------------


def advance(text: str, old: Period | None, new: Period, single_month: bool = True) -> str:
    """A title or header of the old period said of the new one: years moved by the same number
    of years, 1-M月 to 1-N月, M月 to N月 (unless the ledger has a column per month), and a
    template's blanks (<yyyy>, <M>) filled."""
    text = re.sub(r"<y+>", str(new.year), text)
    text = re.sub(r"<[A-Za-z]+>", str(new.month), text)
    if old is None:
        return text
    shift = new.year - old.year
    text = re.sub(r"(?<!\d)(\d{4})(?=年)", lambda m: str(int(m.group(1)) + shift), text)
    text = re.sub(rf"1([-—~～至])0?{old.month}(?=月)", rf"1\g<1>{new.month}", text)
    if single_month:
        text = re.sub(rf"(?<![\d\-—~～至]){old.month}(?=月)", str(new.month), text)
    return text


def _level_label(level: int, i: int, text: str) -> str:
    numeral = _NUMERALS[i] if i < len(_NUMERALS) else str(i + 1)
    return f"{numeral}、{text}" if level == 1 else f"({numeral}){text}"


def writer(layout: Layout, body: dict[str, Any], period: Period) -> Callable[[dict], bytes]:
    """What core.output.returns hands a county's return tables to: the workbook in the layout."""

    def write(tables: dict[str, pd.DataFrame]) -> bytes:
        return ledger_bytes(layout, body, period, tables)

    return write


def ledger_bytes(layout: Layout, body: dict[str, Any], period: Period,
                 tables: dict[str, pd.DataFrame]) -> bytes:  # fmt: skip
    """A county's return (its 项目清单 and 年度计划 rows) written in the ledger's layout."""
    old = Period.parse(body["period"]) if body.get("period") else None
    columns = body["columns"]
    months = {c["month"] for c in columns if c.get("month")}
    single = len(months) <= 1
    width = max(c["index"] for c in columns) + 1
    from openpyxl import Workbook  # here: every page imports this module, few write a ledger

    wb = Workbook()
    ws = wb.active
    ws.title = (body.get("sheet") or "Sheet1")[:31]
    ws.append([advance(body.get("title", ""), old, period, single)] if body.get("title") else [])
    unit = _UNITS.get(float(body.get("multiplier") or 1.0))
    if unit and "单位" not in body.get("title", ""):
        ws.append([f"单位:{unit}"])
    depth = int(body.get("depth") or 1)
    for level in range(depth):
        row: list[Any] = [None] * width
        for c in columns:
            path = c["path"]
            if level < len(path):
                row[c["index"]] = advance(path[level], old, period, single)
        ws.append(row)
    fields = {c["index"]: layout.fields.get(c["key"]) for c in columns}
    projects = tables[S.PROJECTS]
    plans = tables[S.PLANS].drop_duplicates(S.CODE).set_index(S.CODE)
    sheet = body.get("sheet") or None
    groups = [layout.meaning_of(sheet, level) for level in (1, 2)]
    groups = [g for g in groups if g in S.PROJECT_COLUMNS]
    name_index = next((i for i, f in fields.items() if f == V.NAME.key), 0)
    serial = next((c["index"] for c in columns if c["path"]
                   and _SERIAL.match(V.header_key(c["path"][-1]))), None)  # fmt: skip
    seen: list[str | None] = [None] * len(groups)
    counters = [0] * len(groups)
    for number, r in enumerate(projects.to_dict("records"), start=1):
        for level, column in enumerate(groups):
            if r.get(column, "") != seen[level]:
                seen[level] = r.get(column, "")
                seen[level + 1 :] = [None] * (len(groups) - level - 1)
                counters[level + 1 :] = [0] * (len(groups) - level - 1)
                label: list[Any] = [None] * width
                label[name_index] = _level_label(level + 1, counters[level], seen[level])
                counters[level] += 1
                ws.append(label)
        row = [None] * width
        if serial is not None:
            row[serial] = number
        plan = plans.loc[r[S.CODE]] if r[S.CODE] in plans.index else None
        for c in columns:
            value = _carried(V.BY_KEY.get(fields[c["index"]] or ""), r, plan, c, body)
            if value is not None:
                row[c["index"]] = value
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _carried(field: V.Field | None, project: dict, plan, column: dict, body: dict):
    """The cell of a carried-over field, in the column's unit; None for a blank one."""
    if field is None:
        return None
    if field is V.OWNER_WITH_PERSON:
        return " ".join(t for t in (project.get(S.OWNER), project.get(S.OWNER_PERSON)) if t)
    if field not in CARRIED:
        return None
    source = plan if field.column in S.PLAN_COLUMNS and field.column != S.CODE else project
    if source is None:
        return None
    value = source.get(field.column, "") if isinstance(source, dict) else source[field.column]
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return None
    if field.amount:
        unit = column.get("unit") or float(body.get("multiplier") or 1.0)
        return round(float(value) / unit, 6)
    return value
