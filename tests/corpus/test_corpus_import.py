"""The corpus imported as an office would, unattended (only the level may be asked): every figure
of a file that goes in equals its truth, no file's total is ever counted as a project, and the
share that goes in unattended with exact figures does not fall (README, "Loading your own data").
"""

from __future__ import annotations

import pytest

from core.ingest import importing, reading
from core.store.versions import Store
from tests.corpus.layouts import cases
from tests.corpus.real import REALWORLD, real_cases
from tests.corpus.run import run

# Measured on this corpus: 39 of 44 layouts import unattended with exact figures. The five that
# do not are refused or asked about, never imported wrong: three lists without amounts, a
# ledger without a total-investment column, and a header without a 项目名称 label.
EXACT_AT_LEAST = 39

CASES = cases()


@pytest.fixture(scope="module")
def outcomes():
    return {case.name: run(case) for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_file_that_goes_in_has_exactly_its_figures(case, outcomes):
    out = outcomes[case.name]
    if out.imported:
        assert not out.differences, out.line()
        assert out.projects == case.truth.projects
    else:  # asked or refused, with a reason: never silently wrong
        assert out.questions or out.errors, out.line()


def test_the_share_that_goes_in_unattended(outcomes):
    exact = [name for name, out in outcomes.items() if out.exact]
    assert len(exact) >= EXACT_AT_LEAST, [o.line() for o in outcomes.values() if not o.exact]


@pytest.mark.skipif(not REALWORLD.exists(), reason="../shared/realworld is not beside the checkout")
@pytest.mark.parametrize("real", real_cases(), ids=lambda r: f"{r.path}#{r.sheet}")
def test_no_total_row_of_a_real_file_is_a_project(real, tmp_path):
    """Every real template: the rows read as projects are exactly the file's project rows — the
    合计 of `合计 | 13个`, 其中, sections and footnotes are not; a form for one project and a
    summary without names are refused with a message that says so."""
    read = reading.read_upload([(real.file.name, real.file.read_bytes())])
    ledgers = [led for led in read.ledgers if led.sheet == real.sheet or real.sheet is None]
    if real.kind == "form":
        assert not ledgers
        assert any("单个项目的信息表" in p.message for p in read.problems)
        return
    if real.kind == "summary":
        assert not ledgers
        return
    if real.kind in ("ledger", "list") and ledgers:
        (found,) = ledgers
        assert len(found.records) == real.truth.projects, real.note
    if real.kind == "ledger" and real.period and ledgers:
        assert ledgers[0].period is not None and ledgers[0].period.key == real.period
    if real.kind == "ledger" and ledgers:
        store = Store(f"sqlite:///{tmp_path}/real.sqlite")
        upload = importing.inspect([(real.file.name, real.file.read_bytes())], store)
        for plan in upload.plans:
            assert len(plan.ledger.records) <= max(real.truth.projects, 1)
