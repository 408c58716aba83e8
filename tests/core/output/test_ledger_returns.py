"""The pre-filled return in the office's own saved ledger layout, with a real template (南平's
monthly 重点项目月报表, /work/shared/realworld): imported once, its layout and head are kept; the
next month's return of a county is written in it — the title's period advanced, the same header
and sections, what carries over filled in, the month blank — read back by the ledger reader with
the saved layout, filled with openpyxl and imported by the county's reporter straight in, with
the figures worked out by hand."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import pytest

from core.base import schema as S
from core.base import settings
from core.base.periods import Period
from core.figures.scope import Scope
from core.ingest import importing, ledger_heads, reading
from core.output import returns
from core.policy.roles import Role
from core.store import datasource
from core.store.versions import Store
from tests.access_kit import ADMIN, account

REALWORLD = Path(__file__).resolve().parents[4] / "shared" / "realworld"
NANPING = REALWORLD / "南平_重点项目月报表(在建、筹建).xls"
APRIL = Period(2010, 4)
HIGHWAY, RING_ROAD = "武夷山至邵武高速公路", "顺昌环城路建设工程"


@pytest.fixture
def store(tmp_path, monkeypatch):
    own = tmp_path / "settings.toml"
    shutil.copy(settings.DEFAULTS, own)
    monkeypatch.setenv(settings.SETTINGS_SETTING, str(own))
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    s = Store(f"sqlite:///{tmp_path}/ledger.sqlite")
    yield s
    s.close()


def test_a_title_and_header_said_of_the_next_month():
    march, april = Period(2010, 3), APRIL
    title = "南平市2010年1-3月重点项目(在建、预备)计划分级管理完成情况一览表"
    assert ledger_heads.advance(title, march, april) == title.replace("1-3月", "1-4月")
    assert ledger_heads.advance("3月完成投资", march, april) == "4月完成投资"
    assert ledger_heads.advance("3月完成投资", march, april, single_month=False) == "3月完成投资"
    assert (
        ledger_heads.advance("2025年1～12月", Period(2025, 12), Period(2026, 1)) == "2026年1～1月"
    )
    assert ledger_heads.advance("2026年计划", Period(2025, 12), Period(2026, 1)) == "2027年计划"
    assert ledger_heads.advance("<yyyy>年1-<M>月", march, april) == "2010年1-4月"


def test_without_a_kept_head_the_template_is_used(store):
    assert ledger_heads.office_layout(store) is None


@pytest.mark.skipif(not NANPING.exists(), reason="../shared/realworld is not beside the checkout")
def test_the_return_in_the_offices_ledger_layout_goes_straight_in(store):
    report = importing.check([(NANPING.name, NANPING.read_bytes())], store, actor=ADMIN)
    importing.commit(report, store, "3月台账", actor=ADMIN)
    layout, head = ledger_heads.office_layout(store)
    assert head["period"] == "2010-03" and head["sheet"] == "分级管理"
    # The template's figures are all 0: the office states this year's (hand-made) plans,
    # totals and start, so that both projects owe April's return.
    tables, _ = store.current_tables()
    projects, plans = tables[S.PROJECTS].copy(), tables[S.PLANS].copy()
    projects[S.ACTUAL_START] = "2009-06"
    projects[S.TOTAL_INVESTMENT] = ["120000", "45000"]
    plans[S.ANNUAL_PLAN], plans[S.PRIOR_CUMULATIVE] = ["5000", "3000"], ["30000", "10000"]
    store.import_batch({S.PROJECTS: projects, S.PLANS: plans}, files=[], actor=ADMIN)

    p = datasource.load(store)
    scope = Scope(APRIL, level=None)
    assert returns.counties_open(p, scope) == ["市本级"]
    data = returns.return_bytes(p, scope, "市本级", ledger_heads.writer(layout, head, APRIL))
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "南平市2010年1-4月重点项目(在建、预备)计划分级管理完成情况一览表"
    assert rows[2][5:8] == ("1-4月实际完成投资(万元)", "完成投资占年计划%", "1-4月实际形象进度")
    assert [r[1] for r in rows[4:6]] == ["一、市本级", "(一)在建"]  # the layout's sections
    assert rows[6][:8] == (1, HIGHWAY, 120000, 30000, 5000, None, None, None)
    assert rows[7][:5] == (2, RING_ROAD, 45000, 10000, 3000)
    assert rows[6][8:] == ("福建武邵高速公路发展有限公司 李介立", "南平市政府 张兆民")

    # Read back by the ledger reader: the saved layout, the new period, the same projects.
    read = reading.read_upload([("市本级_2010年4月.xlsx", data)])
    (ledger,) = read.ledgers
    assert ledger.signature == layout.signature and ledger.period == APRIL
    assert [r.cells[1] for r in ledger.records] == [HIGHWAY, RING_ROAD]

    # The county fills it (1-4月 year to date and 形象进度) and its reporter imports it.
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.active
    filled = {HIGHWAY: (1200, "路基完成30%"), RING_ROAD: (800, "管网铺设")}
    for row in ws.iter_rows():
        if row[1].value in filled:
            row[5].value, row[7].value = filled[row[1].value]
    out = io.BytesIO()
    wb.save(out)
    reporter = account(store, "市本级填报员", Role.REPORTER, ("市本级",))
    upload = importing.inspect([("市本级_2010年4月.xlsx", out.getvalue())], store)
    (plan,) = upload.plans
    assert plan.saved and plan.period == APRIL and plan.unsettled() == []
    report = importing.check(upload, store, actor=reporter)
    assert report.errors == [], [x.text() for x in report.errors]
    batch = importing.commit(report, store, actor=reporter)
    assert {t: n for t, n in batch.changes.items() if n != (0, 0)} == {S.MONTHLY: (2, 0)}
    after = datasource.load(store)
    april = after.monthly.loc[after.monthly[S.MONTH] == "2010-04"].set_index(S.CODE)
    names = after.projects.set_index(S.CODE)[S.NAME]
    got = {names[c]: (r[S.MONTH_COMPLETED], r[S.PROGRESS_TEXT]) for c, r in april.iterrows()}
    # March's 1-3月 was 0: April's own amount is the whole 1-4月 figure.
    assert got == {HIGHWAY: (1200.0, "路基完成30%"), RING_ROAD: (800.0, "管网铺设")}
    assert returns.counties_open(after, scope) == []  # 市本级 has reported April
    # The office's head is the office's: the reporter's import left it as it was.
    assert ledger_heads.office_layout(store)[1]["period"] == "2010-03"
