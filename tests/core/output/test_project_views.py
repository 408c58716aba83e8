"""An agenda that includes a project (issue 22, item 4): a 项目档案 view names the project by
its code, is stored and checked as such, and the deck gives it a slide with the project's card
and this year's figures as text."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation

from core.base import schema as S
from core.base.formatting import pct, yi_two_decimals
from core.base.periods import Convention
from core.figures import project as P
from core.output import agenda as A
from core.output import deck
from core.store.versions import Store
from tests.access_kit import ADMIN


@pytest.fixture(scope="module")
def code(demo):
    """A provincial project with a plan this year."""
    for c in demo.projects[S.CODE]:
        f = P.project_file(demo, c, demo.latest_period)
        if f.has_plan and f.done > 0:
            return c
    raise AssertionError("no project with a plan in the demo")


def test_a_project_view_is_stored_with_its_code(tmp_path, code):
    view = A.View.of_project(f" {code} ")
    assert view == A.View(A.PROJECT_PAGE, level=None, code=code)
    assert view.is_project and view.page_title == "项目档案"
    assert view.label() == f"项目档案(项目代码{code})"
    assert A.View.from_dict(view.to_dict()) == view
    assert "code" not in A.View("overview").to_dict()  # other views are stored as before
    agendas = A.Agendas(Store(f"sqlite:///{tmp_path}/a.sqlite"))
    agendas.save(A.Agenda("项目调度", (A.View("overview"), view)), actor=ADMIN)
    assert agendas.get("项目调度").views == (A.View("overview"), view)


def test_check_names_a_project_view_without_a_known_code(code):
    ok = A.Agenda("会", (A.View("overview"), A.View.of_project(code)))
    assert A.check(ok, [], [], [code]) == []
    assert A.check(ok, [], []) == []  # codes not given: not checked
    empty = A.check(A.Agenda("会", (A.View.of_project(""),)), [], [], [code])
    assert empty == ["第1项是项目档案:请填写项目代码。"]
    unknown = A.check(A.Agenda("会", (A.View.of_project("X-1"),)), [], [], [code])
    assert unknown == ["第1项的项目代码“X-1”在当前数据中不存在。"]


def _texts(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def test_the_deck_has_a_slide_of_the_project(demo, code):
    period = demo.latest_period
    meeting = A.Agenda("项目调度", (A.View("overview"), A.View.of_project(code)))
    prs = Presentation(io.BytesIO(deck.pptx_bytes(demo, meeting, period, Convention.MONTHS)))
    assert len(prs.slides) == 5  # the title, the overview's three screens, the project
    slide = prs.slides[4]
    f = P.project_file(demo, code, period)
    texts = _texts(slide)
    assert f"项目档案 · {f.name}" in texts
    assert f"项目代码{code} · {f.county} · 数据截至2026年2月底" in texts
    for figure in (f"年度计划投资\n{yi_two_decimals(f.plan)}", f"1-2月累计完成\n{yi_two_decimals(f.done)}",
                   f"完成率\n{pct(f.rate)}", f"状态\n{f.status}"):  # fmt: skip
        assert figure in texts
    # The card as a table of text: every label with its value.
    (table,) = [s.table for s in slide.shapes if s.has_table]
    cells = [[c.text for c in row.cells] for row in table.rows]
    pairs = {(r[0], r[1]) for r in cells[1:]} | {(r[2], r[3]) for r in cells[1:]}
    assert set(f.card) <= pairs
    assert ("项目名称", f.name) in pairs
    notes = slide.notes_slide.notes_text_frame.text
    assert notes.startswith(f"{period.year}年计划投资{yi_two_decimals(f.plan)}")
    assert not any(w in texts + notes for w in ("nan", "None", "NaN"))


def test_an_unknown_project_gets_a_slide_that_says_so(demo):
    content = deck.content(demo, A.View.of_project("X-1"), demo.latest_period, Convention.MONTHS)
    assert content.title == "项目档案"
    assert content.notes == "当前数据中没有项目代码为“X-1”的项目。"
