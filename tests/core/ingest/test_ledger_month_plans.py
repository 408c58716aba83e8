"""A ledger's monthly plans (1月计划 … 12月计划, 1-N月计划, 月度计划 over 1月 …), read from a real
Excel file: each project's planned sum from January to each month, what 序时进度 "plans"
measures against, kept in the store (core.store.month_plans); the ledger's other tables as
before, the import not refused for them."""

import pytest
from ledgers import WRITERS, Sheet

from core.base import schema as S
from core.figures import measures as M
from core.ingest import importing, layouts, ledger_tables
from core.ingest import vocabulary as V
from core.ingest.ledger_tables import generated_code
from core.store import month_plans
from core.store.versions import Store

FIXED = {"项目级别": "市重点", "项目阶段": "在建", "行业领域": "基础设施"}


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    s = Store(f"sqlite:///{tmp_path}/plans.sqlite")
    yield s
    s.close()


def converted(store: Store, sheet: Sheet):
    upload = importing.inspect([("月度计划.xlsx", WRITERS["xlsx"](sheet))], store)
    (plan,) = upload.plans
    layout = layouts.with_choices(plan.layout, plan.ledger, FIXED)
    upload = importing.with_plan(upload, 0, layout=layout)
    return upload, ledger_tables.convert([(plan.ledger, layout)], plan.period, None)


def plans_of(frame) -> dict[str, list[tuple[str, float]]]:
    out: dict[str, list[tuple[str, float]]] = {}
    for code, month, amount in frame[[S.CODE, S.MONTH, M.PLANNED]].itertuples(index=False):
        out.setdefault(code, []).append((month, amount))
    return out


def test_plan_headers_are_recognised_with_their_month():
    for path, field, month in (
        (["1月计划"], V.MONTH_N_PLAN, 1),
        (["12月份计划投资(万元)"], V.MONTH_N_PLAN, 12),
        (["本年3月计划完成投资"], V.MONTH_N_PLAN, 3),
        (["1-6月计划"], V.MONTH_N_PLAN_TO_DATE, 6),
        (["1-3月累计计划投资(万元)"], V.MONTH_N_PLAN_TO_DATE, 3),
        (["本年月度计划(万元)", "4月"], V.MONTH_N_PLAN, 4),
        (["分月投资计划", "1-9月"], V.MONTH_N_PLAN_TO_DATE, 9),
    ):
        assert (V.field_for(path), V.column_month(path)) == (field, month), path
    # The other amounts keep their fields.
    assert V.field_for(["本年计划投资(万元)"]) is V.PLAN
    assert V.field_for(["1-3月完成投资"]) is V.YTD
    assert V.field_for(["3月完成投资"]) is V.MONTH_N_AMOUNT
    assert V.field_for(["主体完工计划完成时间"]) is V.NODE_PLANNED


def plan_ledger() -> Sheet:
    """February 2026. 东港大桥: 1月 20, 2月 30, 3月 empty (nothing planned), 1-6月 200 →
    January 20, February 50, March 50, June 200 (April and May stand at March's). 城西医院: no
    plan. 南湖公园: 1月 10, 2月 "待定" → no plan, with a warning naming the cell."""
    return Sheet(
        "Sheet1",
        [
            ["临江市2026年1-2月重点项目推进表"] + [None] * 8,
            ["项目名称", "建设地点", "总投资(万元)", "2026年计划投资(万元)", "1-2月完成投资(万元)",
             "1月计划", "2月计划", "3月计划", "1-6月计划(万元)"],
            ["东港大桥", "城东区", 1000, 400, 100, 20, 30, None, 200],
            ["城西医院", "城西区", 800, 300, 50, None, None, None, None],
            ["南湖公园", "城南区", 500, 120, 10, 10, "待定", None, None],
        ],
    )  # fmt: skip


def test_a_ledgers_monthly_plans(store):
    upload, out = converted(store, plan_ledger())
    bridge = generated_code("城东区", "东港大桥")
    assert plans_of(out.month_plans) == {
        bridge: [("2026-01", 20.0), ("2026-02", 50.0), ("2026-03", 50.0), ("2026-06", 200.0)]
    }
    (warning,) = [f for f in out.findings if "计划金额" in f.message]
    assert (warning.row, warning.column, warning.value) == (5, "2月计划", "待定")
    # The plan columns feed no other table: February's return is the 1-2月 figure alone.
    monthly = next(t for t in out.tables if t.table == S.MONTHLY)
    assert sorted(monthly.frame[S.MONTH]) == ["2026-02"] * 3
    assert S.PROGRESS_TEXT not in monthly.frame.columns
    # The whole import goes through, and the plans are kept as read.
    report = importing.check(upload, store)
    assert report.importable, [line.text() for line in report.lines()]
    month_plans.save(store.engine, out.month_plans, batch_id=1)
    assert plans_of(month_plans.read(store.engine)) == plans_of(out.month_plans)


def test_a_plan_of_cumulative_sums_under_a_group_in_yi(store):
    """月度计划 over 1-3月 | 1-6月 in 亿元 (a unit line): 0.12亿元 = 1200万元 to March."""
    sheet = Sheet(
        "Sheet1",
        [
            ["临江市2026年1-2月重点项目推进表"] + [None] * 6,
            ["单位:亿元"] + [None] * 6,
            ["项目名称", "建设地点", "总投资", "2026年计划投资", "1-2月完成投资", "月度计划", None],
            [None] * 5 + ["1-3月", "1-6月"],
            ["东港大桥", "城东区", 1, 0.4, 0.01, 0.12, 0.25],
        ],
        merges=[(2, c, 3, c) for c in range(5)] + [(2, 5, 2, 6)],
    )
    _, out = converted(store, sheet)
    assert plans_of(out.month_plans) == {
        generated_code("城东区", "东港大桥"): [("2026-03", 1200.0), ("2026-06", 2500.0)]
    }
