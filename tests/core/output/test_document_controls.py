"""Control characters in text stored before the import removed them (issue 24): every Word
document and the slide deck are written from such a store, without them — python-docx would
refuse the text (ValueError) and python-pptx would show `_x0007_`."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from pptx import Presentation

from core.base import cells
from core.base import schema as S
from core.base.periods import Convention
from core.figures import annual, briefing
from core.figures import collection as C
from core.figures import project as P
from core.figures import ranking as R
from core.figures import supervision as V
from core.figures.scope import Scope
from core.output import agenda as A
from core.output import deck, document, notices, pages, project_charts, project_file, reminders
from core.store import datasource
from core.store.portfolio import DEMO_DIR
from core.store.versions import Store
from tests.access_kit import ADMIN

SIGNED = dt.date(2026, 3, 10)
BELL, ESCAPE, OVERRIDE = "\x07", "\x1b", "\u202e"


def _dirty(text: str) -> str:
    """甲\x07乙…\u202e: a bell inside, a direction override at the end."""
    return f"{text[:1]}{BELL}{text[1:]}{OVERRIDE}"


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """The demo written straight into a store (no import check) with control characters in
    the projects' names and owners, the problems' units and notes, the progress texts and the
    exemption reasons; returns the portfolio read back and the clean names."""
    tables, boundaries = datasource.folder_tables(DEMO_DIR)
    clean = dict(zip(tables[S.PROJECTS][S.CODE], tables[S.PROJECTS][S.NAME], strict=True))
    tables[S.PROJECTS][S.NAME] = tables[S.PROJECTS][S.NAME].map(_dirty)
    tables[S.PROJECTS][S.OWNER] = ESCAPE + tables[S.PROJECTS][S.OWNER]
    units = tables[S.PROBLEMS][S.RESPONSIBLE_UNIT]
    tables[S.PROBLEMS][S.RESPONSIBLE_UNIT] = units.where(units == "", units.map(_dirty))
    tables[S.PROBLEMS][S.HANDLING_NOTES] = tables[S.PROBLEMS][S.HANDLING_NOTES] + "\x0b\x00"
    tables[S.MONTHLY][S.PROGRESS_TEXT] = tables[S.MONTHLY][S.PROGRESS_TEXT] + "\x1f"
    tables[S.EXEMPTIONS][S.EXEMPT_REASON] = tables[S.EXEMPTIONS][S.EXEMPT_REASON].map(_dirty)
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('controls')}/stored.sqlite")
    store.import_batch({t: f.fillna("").astype(str) for t, f in tables.items()},
                       files=["旧数据"], boundaries=boundaries, actor=ADMIN)  # fmt: skip
    p = datasource.portfolio(datasource.current(store))
    store.close()
    assert p.projects[S.NAME].str.contains(BELL).all()  # as stored: nothing cleaned them
    return p, clean


def _word_texts(data: bytes) -> list[str]:
    doc = Document(io.BytesIO(data))
    texts = [par.text for par in doc.paragraphs]
    texts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return texts


def _clean_of(texts: list[str]) -> str:
    every = "\n".join(texts)
    assert not cells.CONTROL_CHARACTERS.search(every.replace("\n", "").replace("\t", ""))
    assert "_x00" not in every
    return every


def test_every_word_document(stored):
    p, clean = stored
    scope = Scope(p.latest_period)
    conv = Convention.MONTHS

    # The monthly 简报: its appendix lists the projects furthest behind, by name.
    text = briefing.write(p, scope).text()
    every = _clean_of(_word_texts(document.docx_bytes(p, scope, conv, text, day=SIGNED)))
    behind = briefing.furthest_behind(p, scope, conv)
    assert len(behind) and clean[behind[S.CODE].iloc[0]] in every

    text = annual.write(p, scope).text()
    _clean_of(_word_texts(document.docx_bytes(p, scope, conv, text, annual=True, day=SIGNED)))

    # The 红黑榜 通报 quotes the exemptions' reasons (青山县's, in the demo).
    every = _clean_of(_word_texts(notices.ranking_notice(p, scope, R.Rule.from_settings(),
                                                         signed=SIGNED)))  # fmt: skip
    assert "本月豁免" in every

    # A unit's 督办单: the unit's own name (stored with a bell) heads it.
    frame = V.problems_as_of(p, scope, SIGNED)
    unit = V.units_with_open(frame)[0]
    assert BELL in unit
    every = _clean_of(_word_texts(notices.supervision_sheet(p, scope, unit, SIGNED)))
    assert f"{cells.without_controls(unit)}：" in every

    # The 催报 notice lists the projects without a return, by name.
    c = C.collection(p, Scope(p.latest_period), None, today=SIGNED)
    assert len(c.missing)
    every = _clean_of(_word_texts(reminders.notice_docx(c, signed=SIGNED)))
    assert clean[c.missing[S.CODE].iloc[0]] in every

    # A project's 项目档案: the one with the most problems, so its notes are there too.
    code = p.problems[S.CODE].value_counts().index[0]
    f = P.project_file(p, code, p.latest_period)
    row = p.projects.set_index(S.CODE).loc[code].copy()
    row[S.CODE] = code
    every = _clean_of(_word_texts(project_file.docx_bytes(f, project_charts.scope_of(f, row))))
    assert f"{clean[code]}项目档案" in every


def test_the_deck_of_every_page(stored):
    p, clean = stored
    code = p.problems[S.CODE].value_counts().index[0]
    views = tuple(A.View(page.key) for page in pages.presented())
    meeting = A.Agenda("调度会", (*views, A.View(A.PROJECT_PAGE, level=None, code=code)))
    data = deck.pptx_bytes(p, meeting, p.latest_period, Convention.MONTHS)
    prs = Presentation(io.BytesIO(data))
    texts = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [c.text for row in shape.table.rows for c in row.cells]
        texts.append(slide.notes_slide.notes_text_frame.text)
    assert len(prs.slides) >= 1 + len(meeting.views)  # a long table may go on
    every = _clean_of(texts)
    assert clean[code] in every  # the project's slide, by its name
