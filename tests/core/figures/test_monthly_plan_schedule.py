"""序时进度 by each project's own monthly plan (Convention.PLANS), as a table of cases worked by
hand on the mini data set (tests/fixtures/mini) with monthly plans attached:

At 2025-02, every level (annual plans: A-001 1200, B-002 6000, C-003 2400万元):
  A-001 甲区 plans 1月 100, 1-2月 300     → 序时 300/1200 = 25.0%; done 300 → 25.0%, 0.0, 正常
  B-002 甲区 plans 1-2月 1200 (no 1月)    → 序时 1200/6000 = 20.0%; done 600 → 10.0%, −10.0
  C-003 乙县 no monthly plan              → the fallback, months: 2/12 = 16.7%; done 100 → 4.2%,
                                            −12.5 (400 of 2400 planned by that rule)
  the city: (300 + 1200 + 400) / 9600 = 19.79% → 19.8%; done 1000/9600 = 10.4% → −9.4
  甲区: (300 + 1200) / 7200 = 20.83% → 20.8%; done 900/7200 = 12.5% → −8.3
  乙县: 400 / 2400 = 16.7%; 4.2% → −12.5
At 2025-01: A-001 100/1200 = 8.3%; B-002 has a plan for the year but none up to January: 0.0%;
  C-003 1/12 = 8.3% (200 of 2400): the city (100 + 0 + 200) / 9600 = 3.1%.
With plan_fallback = "days", C-003 at February's end: 59/365 = 16.16% (387.95 of 2400):
  the city (300 + 1200 + 387.95) / 9600 = 19.67% → 19.7%.
"""

import pandas as pd
import pytest

from core.base import schema as S
from core.base import settings
from core.base.formatting import pct, schedule_phrase, signed_points
from core.base.periods import Convention, Period, schedule_share
from core.figures import measures as M
from core.figures.scope import Scope

FEB, JAN = Period(2025, 2), Period(2025, 1)
PLANS = Convention.PLANS
MONTH_PLANS = pd.DataFrame(
    [("A-001", "2025-01", 100.0), ("A-001", "2025-02", 300.0), ("B-002", "2025-02", 1200.0),
     ("C-003", "2024-12", 999.0)],  # last year's plan: not this year's
    columns=[S.CODE, S.MONTH, M.PLANNED],
)  # fmt: skip


@pytest.fixture
def planned(mini):
    """The mini data set with the monthly plans above (a copy: a memo of its own)."""
    return M.attach_month_plans(mini.with_tables(), MONTH_PLANS)


@pytest.fixture
def own_rule(tmp_path, monkeypatch):
    def write(text: str) -> None:
        file = tmp_path / "settings.toml"
        file.write_text(f"[schedule]\n{text}\n", encoding="utf-8")
        monkeypatch.setenv("BRIEFING_SETTINGS", str(file))

    return write


@pytest.mark.parametrize(
    ("scope", "schedule", "rate", "phrase", "fallbacks"),
    [
        (Scope(FEB, level=None), "19.8%", "10.4%", "落后序时进度9.4个百分点", 1),
        (
            Scope(FEB, level=None, counties=("甲区",)),
            "20.8%",
            "12.5%",
            "落后序时进度8.3个百分点",
            0,
        ),
        (
            Scope(FEB, level=None, counties=("乙县",)),
            "16.7%",
            "4.2%",
            "落后序时进度12.5个百分点",
            1,
        ),
        (Scope(JAN, level=None), "3.1%", "4.2%", "超序时进度1.1个百分点", 1),
    ],
)
def test_a_scope_is_measured_by_the_sum_of_its_plans(planned, scope, schedule, rate, phrase,
                                                     fallbacks):  # fmt: skip
    f = M.year_figures(planned, scope, PLANS)
    assert (pct(f.schedule), pct(f.rate), schedule_phrase(f.gap)) == (schedule, rate, phrase)
    assert f.plan_fallbacks == fallbacks


def test_each_project_against_its_own_plan(planned):
    rows = M.projects_in_scope(planned, Scope(FEB, level=None), PLANS).set_index(S.CODE)
    shown = {c: (signed_points(rows.at[c, M.GAP]), rows.at[c, M.STATUS])
             for c in ("A-001", "B-002", "C-003")}  # fmt: skip
    assert shown == {
        "A-001": ("0.0个百分点", "正常"),
        "B-002": ("-10.0个百分点", "严重滞后"),
        "C-003": ("-12.5个百分点", "严重滞后"),
    }
    # Projects without an annual plan (D-004, E-005) have no gap, as under every rule.
    assert rows.loc[["D-004", "E-005"], M.GAP].isna().all()


def test_the_counties_ranked_by_their_own_plans(planned):
    g = M.county_ranking(planned, Scope(FEB, level=None), PLANS).set_index(S.COUNTY)
    assert [signed_points(g.at[c, M.GAP]) for c in ("甲区", "乙县")] == [
        "-8.3个百分点", "-12.5个百分点"]  # fmt: skip
    assert list(g.index) == ["甲区", "乙县"]


def test_the_sectors_by_their_own_plans(planned):
    """产业项目: A-001 and C-003, (300 + 400) / 3600 = 19.4% against (300 + 100) / 3600 = 11.1%:
    −8.3; 基础设施: B-002 alone, −10.0."""
    g = M.sector_breakdown(planned, Scope(FEB, level=None), PLANS).set_index(S.SECTOR)
    assert {s: signed_points(g.at[s, M.GAP]) for s in g.index} == {
        "产业项目": "-8.3个百分点", "基础设施": "-10.0个百分点"}  # fmt: skip


def test_the_other_rules_are_unchanged_by_the_plans(planned, mini):
    for conv in (Convention.MONTHS, Convention.DAYS):
        a = M.year_figures(planned, Scope(FEB, level=None), conv)
        b = M.year_figures(mini, Scope(FEB, level=None), conv)
        assert (a.schedule, a.gap, a.plan_fallbacks) == (b.schedule, b.gap, 0)


def test_the_fallback_is_the_offices_setting(planned, own_rule):
    own_rule('convention = "plans"\nplan_fallback = "days"')
    assert Convention.default() is PLANS
    f = M.year_figures(planned, Scope(FEB, level=None), PLANS)
    assert pct(f.schedule) == "19.7%"
    assert pct(schedule_share(FEB, PLANS)) == "16.2%"  # alone: the fallback's, 59/365
    assert M.schedule_notice(planned, Scope(FEB, level=None), PLANS) == (
        "按项目月度计划计算序时进度,3个年度投资项目中有1个没有2025年月度计划,"
        "按日计算(已过天数÷全年天数)。"
    )


def test_the_product_says_how_many_fell_back(planned, mini):
    assert M.schedule_notice(planned, Scope(FEB, level=None), PLANS) == (
        "按项目月度计划计算序时进度,3个年度投资项目中有1个没有2025年月度计划,"
        "按月计算(已过月数÷12)。"
    )
    assert M.schedule_notice(planned, Scope(FEB, level=None, counties=("甲区",)), PLANS) is None
    assert M.schedule_notice(planned, Scope(FEB, level=None), Convention.MONTHS) is None
    # Data without monthly plans: every project falls back, and the notice says so.
    assert not M.has_month_plans(mini) and M.has_month_plans(planned)
    assert M.schedule_notice(mini, Scope(FEB, level=None), PLANS) == (
        "按项目月度计划计算序时进度,全部3个年度投资项目没有2025年月度计划,按月计算(已过月数÷12)。"
    )
    f = M.year_figures(mini, Scope(FEB, level=None), PLANS)
    assert (pct(f.schedule), f.plan_fallbacks) == ("16.7%", 3)


def test_the_rule_is_named(own_rule):
    assert PLANS.short == "按月度计划"
    assert PLANS.label == (
        "按项目月度计划计算(计划累计投资÷年度计划投资;无月度计划的项目按月计算(已过月数÷12))"
    )
    assert Convention.offered(False) == [Convention.MONTHS, Convention.DAYS,
                                         Convention.HALF_MONTHS, Convention.TARGET]  # fmt: skip
    assert Convention.offered(True)[-1] is PLANS
    own_rule('convention = "plans"')
    assert PLANS in Convention.offered(False)  # the office's own rule is always offered


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('plan_fallback = "plans"',
         '[schedule]的plan_fallback应为“months”、“days”、“half_months”、“target”之一,实际为"plans"'),
        ('convention = "monthly_plans"',
         '[schedule]的convention应为“months”、“days”、“half_months”、“target”、“plans”之一,'
         '实际为"monthly_plans"'),
    ],
)  # fmt: skip
def test_the_rule_is_checked_at_load(own_rule, text, message):
    own_rule(text)
    with pytest.raises(settings.SettingsError) as caught:
        settings.current()
    assert str(caught.value) == f"设置文件settings.toml中{message}"
