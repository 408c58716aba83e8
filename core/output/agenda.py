"""Meeting agendas (会议议程): named, ordered lists of views — a page with its filters — kept
in the store's database, stepped through in 汇报模式 and handed out as a slide deck.

The agendas have a table of their own, `agendas`, created on the store's database beside (not
inside) the import tables: one row per agenda, its views as JSON. Saving an agenda under an
existing name replaces it. An agenda holds no reporting period: it is shown at the period
chosen when it is presented, so the same 3月调度会 serves April's meeting too. A view may also
be one project's file (项目档案, `View.of_project(code)`): the deck gives it a slide.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cache

import sqlalchemy as sa

from core.base.periods import Period
from core.figures.scope import ALL, DEFAULT_LEVEL, Scope
from core.output import pages
from core.policy import roles
from core.policy.roles import Actor
from core.store import audit
from core.store.versions import AGENDAS, Store

MAX_NAME = 40  # characters: an agenda's name goes into links and file names
PROJECT_PAGE = "project"  # 项目档案: a view of it names one project by its code, no filters


class AgendaError(ValueError):
    """An agenda that cannot be saved; the message says what, in Chinese."""


@dataclass(frozen=True)
class View:
    """One step of a meeting: a page at a set of filters (the period is the meeting's)."""

    page: str  # the key of a presented page (core.output.pages): its file name and URL path
    counties: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    level: str | None = DEFAULT_LEVEL  # None: every level
    stage: str | None = None
    code: str = ""  # the project of a 项目档案 view (PROJECT_PAGE); empty for every other page

    @property
    def is_project(self) -> bool:
        return self.page == PROJECT_PAGE

    @property
    def page_title(self) -> str:
        if self.is_project:
            return pages.get(PROJECT_PAGE).title
        return pages.titles().get(self.page, self.page)

    def scope(self, period: Period) -> Scope:
        return Scope(period, self.counties, self.sectors, self.level, self.stage)

    def filters_text(self) -> str:
        """城东区 · 产业项目 · 省重点 — what the view is filtered to, in one line (a project
        view: 项目代码 and the code)."""
        if self.is_project:
            return f"项目代码{self.code}"
        return " · ".join(self.scope(Period(2000, 1)).parts())

    @classmethod
    def of_project(cls, code: str) -> View:
        """A view of one project's file (项目档案)."""
        return cls(PROJECT_PAGE, level=None, code=code.strip())

    def label(self) -> str:
        return f"{self.page_title}({self.filters_text()})"

    @classmethod
    def of(cls, page: str, scope: Scope) -> View:
        return cls(page, scope.counties, scope.sectors, scope.level, scope.stage)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["level"] = self.level or ALL
        d["stage"] = self.stage or ALL
        if not self.code:  # the views of other pages are stored as before
            del d["code"]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> View:
        level, stage = d.get("level", DEFAULT_LEVEL), d.get("stage", ALL)
        return cls(
            page=str(d["page"]),
            counties=tuple(d.get("counties", ())),
            sectors=tuple(d.get("sectors", ())),
            level=None if level in (None, ALL) else level,
            stage=None if stage in (None, ALL) else stage,
            code=str(d.get("code") or "").strip(),
        )


@dataclass(frozen=True)
class Agenda:
    name: str
    views: tuple[View, ...]
    updated_at: datetime | None = field(default=None, compare=False)


def check(
    agenda: Agenda, counties: list[str], sectors: list[str], codes: Iterable[str] | None = None
) -> list[str]:
    """What is wrong with an agenda before it is saved, in Chinese, one line per problem;
    `codes` the projects a 项目档案 view may name (None: not checked)."""
    known = None if codes is None else set(codes)
    problems = []
    name = agenda.name.strip()
    if not name:
        problems.append("请填写议程名称,例如“3月调度会”。")
    elif len(name) > MAX_NAME:
        problems.append(f"议程名称不超过{MAX_NAME}个字。")
    if not agenda.views:
        problems.append("议程中还没有视图:至少添加一项。")
    for i, v in enumerate(agenda.views, start=1):
        if v.is_project:
            if not v.code:
                problems.append(f"第{i}项是项目档案:请填写项目代码。")
            elif known is not None and v.code not in known:
                problems.append(f"第{i}项的项目代码“{v.code}”在当前数据中不存在。")
            continue
        if v.page not in pages.titles():
            problems.append(f"第{i}项的页面“{v.page}”不存在。")
        unknown = [c for c in v.counties if c not in counties]
        unknown += [s for s in v.sectors if s not in sectors]
        if unknown:
            problems.append(f"第{i}项的筛选“{'、'.join(unknown)}”在当前数据中不存在。")
    return problems


_AGENDAS = AGENDAS  # on the store's METADATA, created by its revision 0004


@cache
def _engine(url: str) -> sa.Engine:
    """One engine per database URL; SQLite waits for a writer instead of failing at once."""
    args = {"timeout": 30} if sa.make_url(url).get_backend_name() == "sqlite" else {}
    Store(url)  # brings the database to the newest revision (the agendas table included)
    return sa.create_engine(url, connect_args=args)


class Agendas:
    """The agendas saved in a store's database."""

    def __init__(self, store: Store | str):
        self.url = store if isinstance(store, str) else store.url
        self._engine = _engine(self.url)

    def names(self) -> list[str]:
        """Every agenda's name, the latest saved first."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(_AGENDAS.c.name).order_by(_AGENDAS.c.updated_at.desc(), _AGENDAS.c.name)
            ).all()
        return [r.name for r in rows]

    def get(self, name: str) -> Agenda | None:
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(_AGENDAS).where(_AGENDAS.c.name == name)).first()
        if row is None:
            return None
        views = tuple(View.from_dict(d) for d in json.loads(row.views))
        return Agenda(row.name, views, row.updated_at)

    def save(self, agenda: Agenda, *, actor: Actor) -> Agenda:
        """Store the agenda under its name, replacing one of the same name (an admin's)."""
        roles.require(actor, roles.AGENDAS)
        name = agenda.name.strip()
        if not name or not agenda.views:
            raise AgendaError("议程须有名称和至少一项视图")
        views = json.dumps([v.to_dict() for v in agenda.views], ensure_ascii=False)
        now = datetime.now().replace(microsecond=0)
        with self._engine.begin() as conn:
            conn.execute(sa.delete(_AGENDAS).where(_AGENDAS.c.name == name))
            conn.execute(sa.insert(_AGENDAS).values(name=name, views=views, updated_at=now))
            audit.record(conn, actor, audit.AGENDA_SAVED, name, f"{len(agenda.views)}项视图")
        return Agenda(name, agenda.views, now)

    def delete(self, name: str, *, actor: Actor) -> bool:
        roles.require(actor, roles.AGENDAS)
        with self._engine.begin() as conn:
            done = conn.execute(sa.delete(_AGENDAS).where(_AGENDAS.c.name == name)).rowcount > 0
            if done:
                audit.record(conn, actor, audit.AGENDA_DELETED, name)
            return done


def example(behind_counties: list[str], industry_sector: str | None) -> Agenda:
    """The issue's example meeting: 全市总览 → the counties furthest behind, each on its own
    overview → 产业项目进度 → 未解决问题."""
    views = [View("overview")]
    views += [View("overview", counties=(c,)) for c in behind_counties]
    views.append(View("progress", sectors=(industry_sector,) if industry_sector else ()))
    views.append(View("factors"))
    return Agenda("调度会", tuple(views))
