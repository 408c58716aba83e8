"""Per-project monthly plans from end to end: a real .xlsx ledger with 1月计划 … 12月计划 imported
through the ordinary import, kept with its batch, loaded as part of the data set (not the memo),
measured under [schedule] convention = "plans", stated with the fallback notice, taken out of
force by a roll-back; and the 简报 at two published decimals. Worked by hand:

The ledger, 2026-02 (万元):      annual plan  1-2月 done  monthly plans (1月, 2月, 3月 … 12月)
  东港大桥  城东区                  400        100         20, 30, 30, 30, 40, 40, 30, 30, 40, 40, 40, 30
  城东学校  城东区                  600         90         40, 80, then 48 each month
  城西医院  城西区                  300         40         none

Planned to February: 东港大桥 20 + 30 = 50, 城东学校 40 + 80 = 120; 城西医院 takes the fallback
(months): 2/12 of 300 = 50.
  the city: 序时 (50 + 120 + 50) / 1300 = 16.923% → 16.9% (16.92%); 完成率 230/1300 = 17.69%
            → 17.7%: 超序时进度0.8个百分点 (17.69 − 16.92 = 0.77 at two decimals)
  城东区:   序时 170/1000 = 17.0%; 完成率 190/1000 = 19.0%: +2.0
  城西区:   序时 2/12 = 16.67%; 完成率 40/300 = 13.33%: 落后 13.33 − 16.67 = 3.34 points at two
            decimals (3.4 at one: 13.3 − 16.7)
"""

import shutil

import pytest
from ledgers import WRITERS, Sheet

from core.__main__ import main
from core.base import schema as S
from core.base import settings
from core.base.formatting import pct, schedule_phrase
from core.base.periods import Convention, Period
from core.figures import briefing
from core.figures import measures as M
from core.figures import ranking as R
from core.figures.scope import Scope
from core.ingest import importing, layouts
from core.ingest.ledger_tables import generated_code
from core.store import datasource, month_plans
from core.store.versions import Store
from tests.access_kit import ADMIN

FEB = Period(2026, 2)
PLANS = Convention.PLANS
FIXED = {"项目级别": "市重点", "项目阶段": "在建", "行业领域": "基础设施"}
BRIDGE, SCHOOL = generated_code("城东区", "东港大桥"), generated_code("城东区", "城东学校")
BRIDGE_PLAN = [20, 30, 30, 30, 40, 40, 30, 30, 40, 40, 40, 30]
SCHOOL_PLAN = [40, 80] + [48] * 10
NOTICE = (
    "按项目月度计划计算序时进度,3个年度投资项目中有1个没有2026年月度计划,按月计算(已过月数÷12)。"
)


@pytest.fixture
def own_settings(tmp_path, monkeypatch):
    path = tmp_path / "settings.toml"
    shutil.copy(settings.DEFAULTS, path)
    monkeypatch.setenv(settings.SETTINGS_SETTING, str(path))
    return path


@pytest.fixture
def store(tmp_path, own_settings, monkeypatch):
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    s = Store(f"sqlite:///{tmp_path}/plans.sqlite")
    yield s
    s.close()


def ledger(with_plans: bool) -> Sheet:
    head = ["项目名称", "建设地点", "总投资(万元)", "2026年计划投资(万元)", "1-2月完成投资(万元)"]
    rows = [["东港大桥", "城东区", 1000, 400, 100], ["城东学校", "城东区", 2000, 600, 90],
            ["城西医院", "城西区", 800, 300, 40]]  # fmt: skip
    if with_plans:
        head += [f"{m}月计划" for m in range(1, 13)]
        rows = [rows[0] + BRIDGE_PLAN, rows[1] + SCHOOL_PLAN, rows[2] + [None] * 12]
    return Sheet("Sheet1", [["临江市2026年1-2月重点项目推进表"] + [None] * (len(head) - 1),
                            head, *rows])  # fmt: skip


def imported(store: Store, sheet: Sheet) -> importing.Report:
    """The ordinary import: inspect a real .xlsx, settle its layout, check, commit."""
    upload = importing.inspect([("临江2月.xlsx", WRITERS["xlsx"](sheet))], store)
    (plan,) = upload.plans
    layout = layouts.with_choices(plan.layout, plan.ledger, FIXED)
    upload = importing.with_plan(upload, 0, layout=layout, period=FEB)
    report = importing.check(upload, store)
    assert report.importable, [line.text() for line in report.lines()]
    importing.commit(report, store, "2月台账", actor=ADMIN)
    return report


def test_a_ledgers_monthly_plans_from_import_to_roll_back(store, capsys):
    imported(store, ledger(with_plans=False))
    p = datasource.load(store)
    assert not M.has_month_plans(p) and p.month_plans is None
    assert Convention.offered(M.has_month_plans(p)) == [
        c for c in Convention if c is not PLANS
    ]  # the sidebar does not offer 按月度计划, and the CLI refuses it
    db = ["--database", store.url]
    assert main([*db, "summary", "--schedule", "plans"]) == 1
    assert "当前数据中没有项目月度计划" in capsys.readouterr().err

    # The same ledger with its plan columns filled in is new, though no other row changed.
    report = imported(store, ledger(with_plans=True))
    assert not report.unchanged
    batch = store.current()
    assert batch.id == 2
    kept = month_plans.read(store.engine)
    assert len(kept) == 24  # two projects × twelve months; 城西医院 has none
    bridge = kept.loc[kept[S.CODE] == BRIDGE].set_index(S.MONTH)[month_plans.PLANNED]
    assert bridge["2026-02"] == 50 and bridge["2026-12"] == 400  # cumulative from January

    p = datasource.load(store)  # the snapshot written by the commit, read lazily
    assert M.has_month_plans(p) and len(p.month_plans) == 24
    city, east, west = (Scope(FEB, level=None, counties=c) for c in ((), ("城东区",), ("城西区",)))
    figures = M.year_figures(p, city, PLANS)
    assert (pct(figures.schedule), pct(figures.rate)) == ("16.9%", "17.7%")
    assert schedule_phrase(figures.gap) == "超序时进度0.8个百分点"
    assert figures.plan_fallbacks == 1
    assert pct(M.year_figures(p, east, PLANS).schedule) == "17.0%"
    assert pct(M.year_figures(p, west, PLANS).schedule) == "16.7%"
    assert M.schedule_notice(p, city, PLANS) == NOTICE
    assert M.schedule_notice(p, east, PLANS) is None  # both 城东区 projects have their plans
    # The 红黑榜 measures each county against its own 序时进度: 城东区 +2.0, 城西区 −3.4.
    rule = R.Rule.from_settings()
    ranked = R.ranking(p, city, rule, PLANS).set_index(R.UNIT)
    assert ranked.loc["城东区", R.SCHEDULE] == pytest.approx(0.17)
    assert ranked.loc["城西区", R.SCHEDULE] == pytest.approx(2 / 12)

    # The plans are the data set's, not the memo's: a memo emptied keeps them.
    p._memo.clear()
    assert pct(M.year_figures(p, city, PLANS).schedule) == "16.9%"
    # The CLI reads them too (by months the city would be 1.0 ahead: 17.7 − 16.7).
    assert main([*db, "summary", "--schedule", "plans", "--level", "全部"]) == 0
    assert "占年度计划的17.7%,超序时进度0.8个百分点" in capsys.readouterr().out

    # A roll-back to the first import takes the second's plans out of force.
    store.rollback(1, actor=ADMIN)
    p = datasource.load(store)
    assert not M.has_month_plans(p)
    assert M.schedule_notice(p, city, PLANS) == (
        "按项目月度计划计算序时进度,全部3个年度投资项目没有2026年月度计划,按月计算(已过月数÷12)。"
    )
    assert datasource.month_plans_in_force(store).empty
    assert len(month_plans.read(store.engine)) == 24  # still in the table, not in force


def test_roll_back_then_a_new_import_does_not_revive_rolled_back_plans(store):
    imported(store, ledger(with_plans=False))
    imported(store, ledger(with_plans=True))
    store.rollback(1, actor=ADMIN)  # entry 3: entry 1's data
    assert datasource.entries_in_force(store.history()) == {1}
    # A later import (entry 4) holds 1 and 4, never the rolled-back 2.
    sheet = ledger(with_plans=False)
    sheet.rows[2][4] = 110  # 东港大桥 reports 110 instead of 100: a change to write
    imported(store, sheet)
    assert datasource.entries_in_force(store.history()) == {1, 4}
    assert not M.has_month_plans(datasource.load(store))


def test_the_briefing_at_two_decimals(store, own_settings):
    imported(store, ledger(with_plans=True))
    text = own_settings.read_text(encoding="utf-8")
    own_settings.write_text(
        text.replace("percent_decimals = 1", "percent_decimals = 2"), encoding="utf-8"
    )
    assert settings.current().percent_decimals == 2
    p = datasource.load(store)
    city = Scope(FEB, level=None)
    for conv in (Convention.MONTHS, PLANS):  # 城西区 has no plan: 2/12 under both
        words = briefing.breakdown_paragraph(p, city, conv)
        assert "城西区(完成率13.33%,落后3.34个百分点)" in words, words
    figures = M.year_figures(p, city, PLANS)
    assert (pct(figures.schedule), pct(figures.rate)) == ("16.92%", "17.69%")
    assert schedule_phrase(figures.gap) == "超序时进度0.77个百分点"
    whole = briefing.write(p, city, PLANS)
    body = "".join(s.text for s in whole.sections)
    assert "落后3.34个百分点" in body and "落后3.4个百分点" not in body


def test_the_plans_are_written_in_the_batchs_transaction(store, monkeypatch):
    """A failure while the plans are written leaves neither the batch nor any plan: a session
    can never load the new version without its plans."""

    def broken(conn, plans, batch_id=None):
        assert len(plans) == 24 and batch_id == 1  # called with the batch, inside it
        raise RuntimeError("disk full")

    whole = month_plans.save_in
    monkeypatch.setattr(month_plans, "save_in", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        imported(store, ledger(with_plans=True))
    assert store.current() is None
    assert month_plans.read(store.engine).empty

    monkeypatch.setattr(month_plans, "save_in", whole)  # the same import, now whole
    imported(store, ledger(with_plans=True))
    assert store.current().id == 1
    assert len(month_plans.read(store.engine)) == 24  # batch 1 with its plans
