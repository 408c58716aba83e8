"""The sidebar and the pages under per-project monthly plans, through AppTest on a store that
imported a real .xlsx ledger: 按月度计划 offered only when the data have plans; chosen, every
page that shows 序时进度 says under its heading how many projects took the fallback; a link
asking for it on data without plans is told so and gets the office's rule.

The ledger (2026-02, 万元): 东港大桥 城东区 plan 400, 1月计划 20, 2月计划 30; 城西医院 城西区
plan 300, no monthly plan → 1 of 2 projects without a plan (the fallback: months)."""

from __future__ import annotations

import pytest
import streamlit as st
from app_kit import open_app, unescaped
from streamlit.testing.v1 import AppTest

from core.base.periods import Convention, Period
from core.ingest import importing, layouts
from core.store.versions import Store
from tests.access_kit import ADMIN
from tests.corpus.writers import Sheet, xlsx

NOTICE = (
    "按项目月度计划计算序时进度,2个年度投资项目中有1个没有2026年月度计划,按月计算(已过月数÷12)。"
)
FIXED = {"项目级别": "市重点", "项目阶段": "在建", "行业领域": "基础设施"}


def _import(url: str, with_plans: bool) -> None:
    head = ["项目名称", "建设地点", "总投资(万元)", "2026年计划投资(万元)", "1-2月完成投资(万元)"]
    rows = [["东港大桥", "城东区", 1000, 400, 100], ["城西医院", "城西区", 800, 300, 40]]
    if with_plans:
        head += ["1月计划", "2月计划"]
        rows = [rows[0] + [20, 30], rows[1] + [None, None]]
    sheet = Sheet("Sheet1", [["临江市2026年1-2月重点项目推进表"] + [None] * (len(head) - 1),
                             head, *rows])  # fmt: skip
    store = Store(url)
    upload = importing.inspect([("临江2月.xlsx", xlsx(sheet))], store)
    (plan,) = upload.plans
    layout = layouts.with_choices(plan.layout, plan.ledger, FIXED)
    upload = importing.with_plan(upload, 0, layout=layout, period=Period(2026, 2))
    report = importing.check(upload, store)
    assert report.importable, [line.text() for line in report.lines()]
    importing.commit(report, store, "2月台账", actor=ADMIN)
    store.close()
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path}/store.sqlite"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("BRIEFING_BACKUP_DIR", str(tmp_path / "backups"))
    yield url
    st.cache_resource.clear()


def captions(at: AppTest) -> list[str]:
    return [unescaped(c.value) for c in at.caption]


def test_plans_are_offered_and_the_fallback_is_stated(url):
    _import(url, with_plans=True)
    at = open_app()
    assert Convention.PLANS.label in at.radio(key="schedule").options
    assert NOTICE not in captions(at)  # months, the office's rule: nothing to say
    at.radio(key="schedule").set_value(Convention.PLANS.value).run()
    assert not at.exception, [e.value for e in at.exception]
    for page in ("overview", "progress", "growth", "ranking", "map", "alerts", "briefing"):
        if page != "overview":
            at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert captions(at).count(NOTICE) == 1, (page, captions(at))
    # A page without 序时进度 says nothing of it.
    at.switch_page("app_pages/indicators.py").run()
    assert NOTICE not in captions(at)


def test_without_plans_the_rule_is_not_offered_and_a_link_is_told(url):
    _import(url, with_plans=False)
    at = open_app(schedule="plans")
    assert Convention.PLANS.label not in at.radio(key="schedule").options
    assert at.radio(key="schedule").value == Convention.default().value
    warnings = [unescaped(w.value) for w in at.warning]
    assert any("当前数据没有项目月度计划" in w for w in warnings), warnings
