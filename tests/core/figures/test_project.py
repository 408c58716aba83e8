"""一项目一档: one project's page against figures worked out by hand on a small data set, and
what each history entry changed of it, a roll-back included."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from core.base import schema as S
from core.base.periods import Convention, Period
from core.figures import alerts as A
from core.figures import measures as M
from core.figures import milestones as N
from core.figures import project as P
from core.figures import supervision as V
from core.store.project_history import ADDED, CHANGED, project_changes
from core.store.versions import ROLLBACK, Store
from tests.access_kit import ADMIN
from tests.cycle_kit import portfolio_of, problem, project

MARCH = Period(2026, 3)


@pytest.fixture(scope="module")
def p():
    projects = [
        project(
            "P-1",
            **{
                S.OWNER: "甲建设公司",
                S.LON: "120.5",
                S.LAT: "30.25",
                S.YEARS_TEXT: "2024-2027",
                S.PLANNED_END: "2027-12",
            },
        ),
        project(
            "Q-2",
            "乙区",
            **{
                S.NAME: "乙区道路工程",
                S.OWNER: "乙城投",
                S.LON: "",
                S.LAT: "",
                S.YEARS_TEXT: "",
                S.PLANNED_END: "",
            },
        ),
    ]
    p = portfolio_of(
        projects,
        plans=[("P-1", 2025, 600), ("P-1", 2026, 1200), ("Q-2", 2026, 100)],
        monthly=[
            ("P-1", "2025-01", 100),
            ("P-1", "2025-02", 100),
            # The first ledger of 2026 states 1-2月 as one sum: January is known only inside it.
            ("P-1", "2026-02", 300, "2026-01"),
            ("P-1", "2026-03", 150),
            ("Q-2", "2026-03", 10),
        ],
        problems=[
            problem(
                "W1",
                "P-1",
                "2026-01",
                **{
                    S.ASSIGNED_ON: "2026-01-10",
                    S.DEADLINE: "2026-02-10",
                    S.HANDLING_NOTES: "2026-01-15 已组卷上报",
                },
            ),
            problem("W2", "Q-2", "2026-01"),
        ],
        milestones=[("P-1", "开工", "2024-01", "2024-01"), ("P-1", "主体完工", "2026-02", "")],
    )
    funding = pd.DataFrame(
        {
            S.CODE: ["P-1", "P-1", "P-1", "Q-2"],
            S.FUNDING_SOURCE: ["银行贷款", "银行贷款", "专项债券", "银行贷款"],
            S.FUNDING_AMOUNT: [500.0, 200.0, 300.0, 50.0],
            S.FUNDING_MONTH: ["2025-06", "2026-03", "2026-04", "2026-01"],
        }
    )
    # The text of the card, and 年度计划's 开工至上年底累计 for 2026 (the ledger's column).
    plans = p.plans.assign(**{S.PRIOR_CUMULATIVE: ["", "1800", ""]})
    return p.with_tables(funding=funding, plans=plans)


def test_an_unknown_code_has_no_file(p):
    assert P.project_file(p, "没有这个项目", MARCH) is None
    assert P.project_file(p, "", MARCH) is None


def test_the_card(p):
    f = P.project_file(p, "P-1", MARCH)
    card = dict(f.card)
    assert card["项目名称"] == "P-1项目"
    assert card["所在区县"] == "甲区"
    assert card["建设单位"] == "甲建设公司"
    assert card["项目负责人"] == "—"  # nothing given: a dash, never None or nan
    assert card["总投资"] == "10.00亿元"  # 100000万元
    assert card["建设起止年限"] == "2024-2027"
    assert card["计划开工"] == "2024年1月"
    assert card["计划竣工"] == "2027年12月"
    assert card["实际竣工"] == "—"
    assert card["位置"] == "东经120.5000°,北纬30.2500°"
    assert not any(v in ("", "None", "nan") for v in card.values())


def test_this_year_by_hand(p):
    f = P.project_file(p, "P-1", MARCH)
    # 1-2月 300 + 3月 150 = 450 of a plan of 1200: 37.5% against 3/12 = 25.0%: +12.5 points.
    assert f.plan == 1200 and f.done == 450
    assert f.rate == pytest.approx(0.375)
    assert f.schedule == pytest.approx(0.25)
    assert f.gap == pytest.approx(0.125)
    assert f.status == "正常"
    # The same figures 项目进度 states.
    row = M.projects_in_scope(p, P.own_scope(p.projects.iloc[0], MARCH), period=MARCH)
    assert row.loc[row[S.CODE] == "P-1", M.DONE].item() == 450


def test_days_convention(p):
    f = P.project_file(p, "P-1", MARCH, Convention.DAYS)
    assert f.schedule == pytest.approx(90 / 365)  # 31 + 28 + 31 days of 2026
    assert f.gap == pytest.approx(0.375 - 0.247)  # each rate as shown: 37.5% − 24.7%


def test_the_curve_draws_the_first_ledger_sum_as_one(p):
    f = P.project_file(p, "P-1", MARCH)
    this = f.curve.loc[f.curve[M.SERIES] == M.THIS_YEAR].set_index(M.MONTH_NO)[M.VALUE]
    # January is known only inside the 1-2月 sum: no point for it, none invented.
    assert this.to_dict() == {2: 300, 3: 450}
    assert f.sums == (P.MonthSum(1, 2, 300.0),)
    assert f.sums[0].label == "1-2月合计"
    assert "1-2月只报送了合计数" in f.coverage
    plan = f.curve.loc[f.curve[M.SERIES] == M.PLAN_LINE].set_index(M.MONTH_NO)[M.VALUE]
    assert plan[3] == 300 and plan[12] == 1200  # 序时: 1200 × k / 12
    last = f.curve.loc[f.curve[M.SERIES] == M.LAST_YEAR].set_index(M.MONTH_NO)[M.VALUE]
    assert last[1] == 100 and last[2] == 200 and last[12] == 200


def test_over_the_years(p):
    f = P.project_file(p, "P-1", MARCH)
    assert f.prior_cumulative == 1800  # as 2026's plan row states it
    assert f.since_start == 2250  # 1800 + 450
    assert f.share_of_total == pytest.approx(2250 / 100000)
    # Without the stated figure: the returns on record before this year, saying so.
    plans = p.plans.assign(**{S.PRIOR_CUMULATIVE: ""})
    g = P.project_file(p.with_tables(plans=plans), "P-1", MARCH)
    assert g.prior_cumulative == 200
    assert "2025年1月以来" in g.prior_source


def test_progress_month_by_month(p):
    f = P.project_file(p, "P-1", MARCH)
    assert list(f.progress[P.MONTH_LABEL]) == ["2025年1月", "2025年2月", "2026年2月", "2026年3月"]
    assert list(f.progress[P.COVERED]) == ["", "", "1-2月合计", ""]
    assert list(f.progress[P.AMOUNT]) == [100, 100, 300, 150]
    # As of February, March is not yet part of the story.
    assert len(P.project_file(p, "P-1", Period(2026, 2)).progress) == 3


def test_problems_nodes_funding_alerts(p):
    f = P.project_file(p, "P-1", MARCH)
    assert list(f.problems[S.PROBLEM_ID]) == ["W1"]  # not Q-2's
    w1 = f.problems.iloc[0]
    assert w1[V.STATE] == S.STATE_HANDLING
    assert w1[V.OVERDUE_DAYS] == 49  # 2026-02-10 → 2026-03-31
    assert list(f.nodes[S.NODE]) == ["开工", "主体完工"]
    assert list(f.nodes[N.STATE]) == [N.ON_TIME, N.OVERDUE]
    # Secured by March: 500 + 200 银行贷款; the April 专项债券 comes later.
    assert f.funding.to_dict("list") == {S.FUNDING_SOURCE: ["银行贷款"], S.FUNDING_AMOUNT: [700.0]}
    rules = set(f.alerts[A.RULE])
    assert A.NODE_LATE in rules and A.PROBLEM_OVERDUE in rules
    assert (f.alerts[A.SUBJECT] != "Q-2").all()


def test_a_project_without_a_plan(p):
    f = P.project_file(p, "Q-2", Period(2025, 3))
    assert f.plan == 0 and f.status == "无年度计划" and math.isnan(f.rate)


def test_search_by_name_code_or_owner(p):
    assert list(P.search(p, "道路")[S.CODE]) == ["Q-2"]
    assert list(P.search(p, "p-1")[S.CODE]) == ["P-1"]
    assert list(P.search(p, "乙城投")[S.CODE]) == ["Q-2"]
    assert P.search(p, "  ").empty
    assert P.page_url("P-1", MARCH) == "/project?code=P-1&period=2026-03"


def _text_tables(p) -> dict[str, pd.DataFrame]:
    tables = {}
    for name in S.TABLES:
        frame = getattr(
            p,
            {
                S.PROJECTS: "projects",
                S.PLANS: "plans",
                S.MONTHLY: "monthly",
                S.FUNDING: "funding",
                S.PROBLEMS: "problems",
                S.INDICATORS: "indicators",
                S.MILESTONES: "milestones",
                S.EXEMPTIONS: "exemptions",
            }[name],
        )
        tables[name] = frame.reindex(columns=list(S.COLUMNS[name])).astype(str)
    return tables


def test_what_changed_with_a_roll_back(p, url):
    store = Store(url)
    tables = _text_tables(p)
    store.import_batch(tables, files=["一月.xlsx"], actor=ADMIN)
    monthly = tables[S.MONTHLY]
    edited = monthly.loc[monthly[S.CODE] == "P-1"].copy()
    edited.loc[edited[S.MONTH] == "2026-03", [S.MONTH_COMPLETED, S.PROGRESS_TEXT]] = ["180", "封顶"]
    other = monthly.loc[monthly[S.CODE] == "Q-2"].assign(**{S.MONTH_COMPLETED: "11"})
    store.import_batch({S.MONTHLY: edited}, files=["三月.xlsx"], actor=ADMIN)
    store.import_batch({S.MONTHLY: other}, files=["乙区.xlsx"], actor=ADMIN)  # not P-1's
    store.rollback(1, "误报", actor=ADMIN)

    changes = project_changes(store, "P-1")
    assert [c.entry for c in changes] == [4, 2, 1]  # entry 3 changed only Q-2
    back, edit, first = changes
    assert back.kind == ROLLBACK and back.restored_from == 1
    assert [(r.table, r.subject, r.action) for r in back.rows] == [(S.MONTHLY, "2026-03", CHANGED)]
    assert set(back.rows[0].fields) == {S.MONTH_COMPLETED, S.PROGRESS_TEXT}
    assert edit.files == ("三月.xlsx",) and edit.user == ADMIN.user
    assert [(r.subject, set(r.fields)) for r in edit.rows] == [
        ("2026-03", {S.MONTH_COMPLETED, S.PROGRESS_TEXT})
    ]
    assert {r.action for r in first.rows} == {ADDED}
    assert {r.table for r in first.rows} >= {S.PROJECTS, S.PLANS, S.MONTHLY, S.PROBLEMS}

    shown = P.history_table(changes)
    assert list(shown["批次"]) == ["第4批", "第2批", "第1批"]
    assert shown["操作"].iloc[0] == "回滚(恢复第1批)"
    assert shown["修改内容"].iloc[1] == ("月度进度(2026-03)修改本月完成投资(万元)、形象进度")
    assert shown["修改内容"].iloc[2].startswith("新增项目清单、年度计划2行、月度进度4行")
    assert P.history_table([]).empty
    store.close()
