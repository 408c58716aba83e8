"""Ledger layouts: what each column and each section level of an office's ledger means.

The recogniser proposes a layout; a person corrects it on the 数据管理 page (or with --map on the
command line) and it is saved under a name, keyed by the header's signature, so that next
month's ledger — whose header differs only in its period — is read without asking. Layouts live
in the store's database beside the data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from core.base import schema as S
from core.base import settings
from core.base.periods import Period
from core.base.values import normalize_text
from core.ingest import vocabulary as V
from core.ingest.ledger import Column, LedgerSheet
from core.policy import roles
from core.policy.roles import Actor
from core.store import audit
from core.store.versions import LAYOUTS, Store

# What a ledger may leave to a default for the whole file.
DEFAULT_COLUMNS = (S.COUNTY, S.SECTOR, S.LEVEL, S.STAGE)
# Without any word on it, a project of a monthly ledger is taken to be under construction, and
# a project without a county belongs to the city itself (市本级): both shown on the mapping step.
STAGE_ASSUMED = S.STAGE_CONSTRUCTION
COUNTY_ASSUMED = "市本级"
ANY_SHEET = "*"


@dataclass(frozen=True)
class Layout:
    name: str
    signature: str
    fields: dict[str, str] = field(default_factory=dict)  # column key → field key
    sections: dict[str, str] = field(default_factory=dict)  # "sheet#level" → meaning
    defaults: dict[str, str] = field(default_factory=dict)  # schema column → value

    def field_of(self, column: Column) -> V.Field | None:
        """The field the layout gives a column; None when it has not been decided."""
        key = self.fields.get(column.key)
        return V.BY_KEY.get(key) if key else None

    def meaning_of(self, sheet: str | None, level: int) -> str | None:
        return self.sections.get(f"{sheet or ''}#{level}") or self.sections.get(
            f"{ANY_SHEET}#{level}"
        )

    def to_json(self) -> str:
        body = {"fields": self.fields, "sections": self.sections, "defaults": self.defaults}
        return json.dumps(body, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, name: str, signature: str, text: str) -> Layout:
        body = json.loads(text)
        return cls(name, signature, body.get("fields", {}), body.get("sections", {}),
                   body.get("defaults", {}))  # fmt: skip


_NAME_PERIOD = re.compile(r"(?:<[^>]*>|\d{4})?年(?:度)?(?:1-)?(?:<[^>]*>|\d{1,2})?月份?|<[^>]*>")


def default_name(ledger: LedgerSheet) -> str:
    """A name for a new layout: the title without its period, else the sheet's name."""
    title = V.header_key(ledger.title.split(" ")[0]) if ledger.title else ""
    title = _NAME_PERIOD.sub("", title)
    return (title or ledger.sheet or ledger.file)[:30]


def combined(found: list[Layout]) -> list[Layout]:
    """One layout per signature: the sheets of a workbook that share a header (分级管理 and
    分行业) share it, each with its own section meanings."""
    out: dict[str, Layout] = {}
    for layout in found:
        first = out.get(layout.signature)
        out[layout.signature] = (
            layout
            if first is None
            else replace(
                first,
                fields={**layout.fields, **first.fields},
                sections={**layout.sections, **first.sections},
                defaults={**layout.defaults, **first.defaults},
            )
        )
    return list(out.values())


def propose(ledger: LedgerSheet, counties: tuple[str, ...] = ()) -> Layout:
    """What the recogniser reads in a ledger: the fields it knows, section meanings where the
    labels of a level say so, and defaults from the title."""
    fields = {c.key: c.field.key for c in ledger.columns if c.field is not None and c.key}
    for c in ledger.columns:  # a column no figure depends on is left out, not asked about
        if c.field is None and c.key and c.key not in fields and not numbers_in(ledger, c):
            fields[c.key] = V.IGNORE.key
    sections = {}
    own = settings.current()
    for level in ledger.levels():
        labels = [s.label for s in ledger.sections if s.level == level and not s.total]
        votes: dict[str, int] = {}
        for label in labels:
            meaning = V.label_meaning(label, own.sectors, counties)
            if meaning:
                votes[meaning] = votes.get(meaning, 0) + 1
        if votes:
            sections[f"{ledger.sheet or ''}#{level}"] = max(votes, key=votes.get)
    return Layout(default_name(ledger), ledger.signature, fields, sections,
                  _title_defaults(ledger))  # fmt: skip


def _title_defaults(ledger: LedgerSheet) -> dict[str, str]:
    title = V.header_key(ledger.title)
    own = settings.current()
    defaults: dict[str, str] = {}
    for word, level in V.LEVEL_WORDS.items():
        if word in title and level in own.levels:
            defaults[S.LEVEL] = level
            break
    else:
        # "南平市…重点项目" is a city's own list: its key projects are the city's.
        city = "市重点" if "市" in title and "重点" in title else None
        if city in own.levels:
            defaults[S.LEVEL] = city
    stages = [S.STAGE_CONSTRUCTION] if "在建" in title else []
    defaults[S.STAGE] = stages[0] if stages else STAGE_ASSUMED
    defaults[S.SECTOR] = S.UNCLASSIFIED
    defaults[S.COUNTY] = COUNTY_ASSUMED
    return defaults


def merged(saved: Layout | None, proposal: Layout) -> Layout:
    """A saved layout completed by what the recogniser reads of columns it does not know."""
    if saved is None:
        return proposal
    return replace(
        saved,
        fields={**proposal.fields, **saved.fields},
        sections={**proposal.sections, **saved.sections},
        defaults={**proposal.defaults, **saved.defaults},
    )


def numbers_in(ledger: LedgerSheet, column: Column) -> bool:
    """Whether a column holds amounts: most of its filled cells are numbers."""
    cells = [r.cells[column.index] for r in ledger.records if column.index < len(r.cells)]
    filled = [v for v in cells if normalize_text(v) not in ("", "-", "/", "—")]
    numbers = sum(1 for v in filled if _is_amount(v))
    return bool(filled) and numbers >= 0.6 * len(filled)


def _is_amount(value) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    text = normalize_text(value).replace(",", "")
    return bool(re.fullmatch(r"-?\d+(?:\.\d+)?", text))


def left_out(ledger: LedgerSheet, layout: Layout) -> list[str]:
    """未导入的列: columns the product does not know, holding text (contacts, notes, schedules),
    left out by default; one choice in the mapping step brings one in."""
    return [f"{c.letter}列“{c.label}”" for c in ledger.columns
            if c.path and c.field is None and layout.field_of(c) is V.IGNORE]  # fmt: skip


def guess(ledger: LedgerSheet, column: Column) -> tuple[V.Field, str] | None:
    """The product's best guess for an unknown column of numbers, with its reason."""
    key = V.header_key(column.label)
    if "计划" in key:
        return V.PLAN, "表头含“计划”"
    if "总投资" in key or "投资总额" in key:
        return V.TOTAL, "表头含“总投资”"
    if "累计" in key or "完成" in key:
        return V.YTD, "表头含“累计”或“完成”"
    plan = next((c for c in ledger.columns if c.field is V.PLAN), None)
    if plan is not None:
        pairs = [(r.cells[column.index], r.cells[plan.index]) for r in ledger.records
                 if max(column.index, plan.index) < len(r.cells)]  # fmt: skip
        pairs = [(a, b) for a, b in pairs if _is_amount(a) and _is_amount(b)]
        if pairs and all(float(str(a).replace(",", "")) <= float(str(b).replace(",", "")) + 1e-9
                         for a, b in pairs):  # fmt: skip
            return V.YTD, "各行数值均不超过年度计划投资"
    return None


_RETURN_COLUMNS = (S.MONTH_CUMULATIVE, S.MONTH_COMPLETED, S.PROGRESS_TEXT, S.ANNUAL_PLAN)


def has_returns(ledger: LedgerSheet, layout: Layout) -> bool:
    """Whether the ledger gives any figure of a period (a plan, a month's amount or 形象进度):
    a project list without them (名单, 清单) is read as the list alone, and its period is not
    asked, as no figure depends on it."""
    for c in ledger.columns:
        f = layout.field_of(c)
        if f is not None and (f.column in _RETURN_COLUMNS or f in V.PLAN_FIELDS):
            return True
    return False


def list_period(ledger: LedgerSheet, today: date | None = None) -> Period:
    """The period a list without figures is read for: today's month in the year it states
    (December of a year that is over, January of one to come), else today's month."""
    today = today or date.today()
    year = ledger.year or today.year
    if year < today.year:
        return Period(year, 12)
    return Period(year, 1) if year > today.year else Period(year, today.month)


def unsettled(ledger: LedgerSheet, layout: Layout, period: Period | None) -> list[str]:
    """What is still to be decided before the ledger can be read, in Chinese; [] when nothing."""
    out = []
    if period is None and has_returns(ledger, layout):
        out.append(f"报告期:{ledger.period_source}")
    for c in ledger.columns:
        if c.path and layout.field_of(c) is None:
            why = f"({c.conflict})" if c.conflict else ""
            best = guess(ledger, c)
            hint = f",建议选“{best[0].key}”({best[1]})" if best else ""
            out.append(f"第{c.letter}列“{c.label}”:数字列未能识别{why}{hint},"
                       "请指定对应的字段或“不导入”")  # fmt: skip
    fields = {layout.field_of(c) for c in ledger.columns}
    for level in ledger.levels():
        if layout.meaning_of(ledger.sheet, level) is None:
            labels = "、".join(s.label for s in ledger.sections if s.level == level)[:40]
            out.append(f"第{level}级分组行(如“{labels}”):请指定表示区县、行业、阶段还是级别")
    levels_given = V.LEVEL in fields or any(
        layout.meaning_of(ledger.sheet, lv) == V.LEVEL_MEANING for lv in ledger.levels()
    )
    if not levels_given and not layout.defaults.get(S.LEVEL):
        out.append("项目级别:台账中没有这一列,请指定全部项目的级别")
    return out


def with_choices(layout: Layout, ledger: LedgerSheet, choices: dict[str, str]) -> Layout:
    """The layout with a person's choices: "表头=字段" for a column (its label, its path key or
    its letter), "第N级=含义" for a section level, and a schema column for a default."""
    fields, sections, defaults = dict(layout.fields), dict(layout.sections), dict(layout.defaults)
    for what, value in choices.items():
        level = _level(what)
        if level is not None:
            sections[f"{ANY_SHEET}#{level}"] = value
        elif what in DEFAULT_COLUMNS:
            defaults[what] = value
        else:
            column = find_column(ledger, what)
            if column is None:
                raise ValueError(f"台账中没有“{what}”这一列")
            if value not in V.BY_KEY:
                raise ValueError(f"“{value}”不是可选的字段,可选:{'、'.join(V.BY_KEY)}")
            fields[column.key] = value
    return replace(layout, fields=fields, sections=sections, defaults=defaults)


def _level(text: str) -> int | None:
    key = V.header_key(text)
    for prefix, suffix in (("第", "级"), ("", "级"), ("第", "级分组")):
        inner = key.removeprefix(prefix).removesuffix(suffix)
        if inner.isdigit() and key != inner:
            return int(inner)
    return None


def find_column(ledger: LedgerSheet, what: str) -> Column | None:
    key = V.header_key(what)
    for c in ledger.columns:
        if (
            what.upper() == c.letter
            or key in (V.header_key(c.label), c.key)
            or (c.path and key == V.header_key(c.path[-1]))
        ):
            return c
    return None


# --- saved layouts -------------------------------------------------------------------------

_LAYOUTS = LAYOUTS


class Layouts:
    """The layouts saved in a store's database."""

    def __init__(self, store: Store):
        self._engine = store.engine

    def all(self) -> list[tuple[Layout, datetime]]:
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(_LAYOUTS).order_by(_LAYOUTS.c.name)).all()
        return [(Layout.from_json(r.name, r.signature, r.body), r.updated_at) for r in rows]

    def for_signature(self, signature: str) -> Layout | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                sa.select(_LAYOUTS)
                .where(_LAYOUTS.c.signature == signature)
                .order_by(_LAYOUTS.c.updated_at.desc())
            ).first()
        return None if row is None else Layout.from_json(row.name, row.signature, row.body)

    def named(self, name: str) -> Layout | None:
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(_LAYOUTS).where(_LAYOUTS.c.name == name)).first()
        return None if row is None else Layout.from_json(row.name, row.signature, row.body)

    def save(self, layout: Layout, *, actor: Actor) -> bool:
        """Save under its name; a layout of the same signature under another name is replaced.

        An admin may save any layout. Someone who may import only (a county reporter) adds the
        layout of a ledger seen for the first time, so that next month's is read alike, but
        changes no saved one: then nothing is saved and False is returned."""
        roles.require(actor, roles.IMPORT)
        name = layout.name.strip()
        if not name:
            raise ValueError("台账格式的名称不能为空")
        with self._engine.begin() as conn:
            clash = (_LAYOUTS.c.name == name) | (_LAYOUTS.c.signature == layout.signature)
            if (
                not roles.may(actor, roles.LAYOUTS)
                and conn.execute(sa.select(_LAYOUTS.c.name).where(clash)).first()
            ):
                return False
            conn.execute(sa.delete(_LAYOUTS).where(clash))
            conn.execute(sa.insert(_LAYOUTS).values(
                name=name, signature=layout.signature, body=layout.to_json(),
                updated_at=datetime.now().replace(microsecond=0)))  # fmt: skip
            audit.record(conn, actor, audit.LAYOUT_SAVED, name)
        return True

    def rename(self, old: str, new: str, *, actor: Actor) -> None:
        roles.require(actor, roles.LAYOUTS)
        new = new.strip()
        if not new:
            raise ValueError("台账格式的名称不能为空")
        with self._engine.begin() as conn:
            if conn.execute(sa.select(_LAYOUTS.c.name).where(_LAYOUTS.c.name == new)).first():
                raise ValueError(f"已有名为“{new}”的台账格式")
            done = conn.execute(sa.update(_LAYOUTS).where(_LAYOUTS.c.name == old).values(name=new))
            if done.rowcount == 0:
                raise ValueError(f"没有名为“{old}”的台账格式")
            audit.record(conn, actor, audit.LAYOUT_RENAMED, old, f"改名为“{new}”")

    def delete(self, name: str, *, actor: Actor) -> None:
        roles.require(actor, roles.LAYOUTS)
        with self._engine.begin() as conn:
            done = conn.execute(sa.delete(_LAYOUTS).where(_LAYOUTS.c.name == name))
            if done.rowcount == 0:
                raise ValueError(f"没有名为“{name}”的台账格式")
            audit.record(conn, actor, audit.LAYOUT_DELETED, name)


# --- what the mapping step shows -------------------------------------------------------------

COLUMN, HEADER, FIELD, EXAMPLE, NOTE = "列", "表头", "对应字段", "示例值", "说明"
SAMPLE_ROWS = 5


def column_rows(ledger: LedgerSheet, layout: Layout) -> pd.DataFrame:
    """One row per column of the ledger: its letter, header path, field and first values."""
    rows = []
    for c in ledger.columns:
        if not c.path:
            continue
        values = [normalize_text(r.cells[c.index]) for r in ledger.records[:20]
                  if c.index < len(r.cells) and normalize_text(r.cells[c.index])]  # fmt: skip
        f = layout.field_of(c)
        note = c.conflict or ("未能识别,请选择" if f is None else "")
        if f is not None and f.per_month and c.month:
            note = f"{c.month}月"
        if f is not None and f.per_node:
            note = f"节点:{V.column_node(list(c.path))}"
        rows.append({COLUMN: c.letter, HEADER: c.label, FIELD: f.key if f else V.IGNORE.key,
                     EXAMPLE: "、".join(dict.fromkeys(values[:3])), NOTE: note})  # fmt: skip
    return pd.DataFrame(rows, columns=[COLUMN, HEADER, FIELD, EXAMPLE, NOTE])


def from_column_rows(layout: Layout, ledger: LedgerSheet, rows: pd.DataFrame) -> Layout:
    """The layout with the fields a person chose in the mapping step's table."""
    choices = {r[COLUMN]: r[FIELD] for r in rows.to_dict("records") if r[FIELD] in V.BY_KEY}
    return with_choices(layout, ledger, choices)


def section_rows(ledger: LedgerSheet, layout: Layout) -> list[tuple[int, str, str | None]]:
    """(level, its labels as examples, the meaning given) for each level of section rows."""
    out = []
    for level in ledger.levels():
        labels = list(dict.fromkeys(s.label for s in ledger.sections if s.level == level))
        shown = "、".join(labels[:4]) + ("等" if len(labels) > 4 else "")
        out.append((level, shown, layout.meaning_of(ledger.sheet, level)))
    return out


def with_meaning(layout: Layout, ledger: LedgerSheet, level: int, meaning: str) -> Layout:
    return replace(layout, sections={**layout.sections, f"{ledger.sheet or ''}#{level}": meaning})


def with_default(layout: Layout, column: str, value: str) -> Layout:
    return replace(layout, defaults={**layout.defaults, column: value})
