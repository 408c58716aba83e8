"""预警: each rule on rows written beside it, every threshold at, just above and just below,
with the default settings (严重滞后 from 10 points, red from 30; 连续滞后 3 and 6 months; red
3 months after a missed start or node, 6 after a missed completion, 2 months without a return,
30 days past a deadline; 3 and 6 months for a problem without one)."""

import datetime as dt

import pytest

from core.base.periods import Convention, Period
from core.figures import alerts as A
from core.figures.scope import Scope
from tests.cycle_kit import portfolio_of, problem, project

RED, YELLOW = A.RED, A.YELLOW
LATE_IN_YEAR = dt.date(2026, 11, 27)  # "today", after every period below


def found(p, period: Period, rule: str, today=LATE_IN_YEAR) -> list[tuple]:
    frame = A.alerts(p, Scope(period, level=None), today=today)
    mine = frame.loc[frame[A.RULE] == rule]
    return [(r["项目代码"], r[A.LEVEL], r[A.REASON]) for _, r in mine.iterrows()]


# --- 严重滞后: at the end of June 序时进度 is 50.0%; a plan of 1000 -------------------------


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        (400, [("A", YELLOW, "完成率40.0%,落后序时进度10.0个百分点")]),  # at the threshold
        (401, []),  # 40.1%: 9.9 points behind, just inside
        (399, [("A", YELLOW, "完成率39.9%,落后序时进度10.1个百分点")]),
        (201, [("A", YELLOW, "完成率20.1%,落后序时进度29.9个百分点")]),
        (200, [("A", RED, "完成率20.0%,落后序时进度30.0个百分点")]),  # at the red threshold
        (199, [("A", RED, "完成率19.9%,落后序时进度30.1个百分点")]),
    ],
)
def test_seriously_behind(done, expected):
    p = portfolio_of([project("A")], plans=[("A", "2026", "1000")],
                     monthly=[("A", "2026-06", str(done))])  # fmt: skip
    assert found(p, Period(2026, 6), A.SERIOUS) == expected


def test_a_project_without_a_plan_is_never_behind():
    p = portfolio_of([project("A"), project("B")], plans=[("A", "2026", "1000")],
                     monthly=[("A", "2026-06", "0"), ("B", "2026-06", "0")])  # fmt: skip
    assert [code for code, *_ in found(p, Period(2026, 6), A.SERIOUS)] == ["A"]


# --- 连续滞后, with 严重滞后 from 5 points so that January can count ----------------------
# Plan 1200 in 2025 and 2026. 100 a month to September keeps to schedule (75.0% at the end of
# September); nothing after it: October 75.0% against 83.3% (−8.3), November −16.7, December
# −25.0, January 0% against 8.3% (−8.3), February −16.7; March's 300 is on schedule (25.0%).


@pytest.fixture
def five_points(tmp_path, monkeypatch):
    own = tmp_path / "settings.toml"
    own.write_text("[status]\nserious_gap_points = 5\n", encoding="utf-8")
    monkeypatch.setenv("BRIEFING_SETTINGS", str(own))


def behind_from(first_month_without: int) -> list[tuple]:
    rows = [("A", f"2025-{m:02d}", "100" if m < first_month_without else "0")
            for m in range(1, 13)]  # fmt: skip
    return [*rows, ("A", "2026-01", "0"), ("A", "2026-02", "0"), ("A", "2026-03", "300")]


@pytest.mark.parametrize(
    ("stops", "period", "expected"),
    [
        (10, Period(2025, 11), []),  # October and November: two months, just below
        (10, Period(2025, 12), [(YELLOW, 3)]),  # at the yellow threshold
        (10, Period(2026, 1), [(YELLOW, 4)]),  # across the year: January against 2026's plan
        (10, Period(2026, 2), [(YELLOW, 5)]),  # just below red
        (9, Period(2026, 2), [(RED, 6)]),  # September too: at the red threshold
        (10, Period(2026, 3), []),  # back on schedule: the run has ended
    ],
)
def test_consecutive_months_behind(five_points, stops, period, expected):
    p = portfolio_of([project("A")], plans=[("A", "2025", "1200"), ("A", "2026", "1200")],
                     monthly=behind_from(stops))  # fmt: skip
    assert found(p, period, A.CONSECUTIVE) == [
        ("A", level, f"连续{k}个月落后序时进度5个百分点或序时进度的50%及以上")
        for level, k in expected
    ]


# With the default thresholds (10 points, or half of 序时进度 when that is less): January's
# 序时进度 is 8.3%, so 10 points behind cannot be reached in January; half of it (4.15) can.
# The same rows: October −8.3 is not behind (10 points asked), November −16.7 and December
# −25.0 are; January at 0% (−8.3) is behind by more than 4.15.


@pytest.mark.parametrize(
    ("january", "expected"),
    [
        ("0", [("A", YELLOW, "连续3个月落后序时进度10个百分点或序时进度的50%及以上")]),
        (
            "49",
            [("A", YELLOW, "连续3个月落后序时进度10个百分点或序时进度的50%及以上")],
        ),  # 4.1%: −4.2
        ("50", []),  # 4.2% against 8.3%: −4.1, less than half of 序时进度: the run ends
    ],
)
def test_consecutive_months_behind_in_january_with_the_default_thresholds(january, expected):
    rows = [r for r in behind_from(10) if r[1][:4] == "2025"] + [("A", "2026-01", january)]
    p = portfolio_of([project("A")], plans=[("A", "2025", "1200"), ("A", "2026", "1200")],
                     monthly=rows)  # fmt: skip
    assert found(p, Period(2026, 1), A.CONSECUTIVE) == expected


def test_a_project_new_this_year_can_be_flagged_in_march():
    """Nothing done from January: −8.3, −16.7, −25.0 — three months behind by March (the old
    rule of 10 points alone counted January out, and with it any run before April)."""
    p = portfolio_of([project("A")], plans=[("A", "2026", "1200")],
                     monthly=[("A", f"2026-0{m}", "0") for m in (1, 2, 3)])  # fmt: skip
    assert A.behind_streaks(p, Scope(Period(2026, 3), level=None), Convention.MONTHS)["A"] == 3
    assert [level for _, level, _ in found(p, Period(2026, 3), A.CONSECUTIVE)] == [YELLOW]


def test_without_the_share_only_the_points_count(tmp_path, monkeypatch):
    own = tmp_path / "settings.toml"
    own.write_text("[alerts]\nconsecutive_schedule_share = 0\n", encoding="utf-8")
    monkeypatch.setenv("BRIEFING_SETTINGS", str(own))
    p = portfolio_of([project("A")], plans=[("A", "2026", "1200")],
                     monthly=[("A", f"2026-0{m}", "0") for m in (1, 2, 3)])  # fmt: skip
    assert A.behind_streaks(p, Scope(Period(2026, 3), level=None), Convention.MONTHS)["A"] == 2
    assert "取较小者" not in A.rule_sentences()[A.CONSECUTIVE]


def test_a_month_without_a_plan_ends_the_run(five_points):
    """No plan in 2025: the run is January and February only."""
    p = portfolio_of([project("A")], plans=[("A", "2026", "1200")],
                     monthly=behind_from(10))  # fmt: skip
    assert A.behind_streaks(p, Scope(Period(2026, 2), level=None), Convention.MONTHS)["A"] == 2


def test_a_month_known_only_inside_a_later_sum_ends_the_run(five_points):
    """March's return covers January to March: only March is known, and it is behind."""
    rows = [r for r in behind_from(10) if r[1][:4] == "2025"] + [("A", "2026-03", "0", "2026-01")]
    p = portfolio_of([project("A")], plans=[("A", "2025", "1200"), ("A", "2026", "1200")],
                     monthly=rows)  # fmt: skip
    assert A.behind_streaks(p, Scope(Period(2026, 3), level=None), Convention.MONTHS)["A"] == 1


# --- 应开未开 and 应竣未竣 -----------------------------------------------------------------

STARTS = [
    project("S", stage="前期", **{"计划开工年月": "2026-01", "实际开工年月": ""}),
    # Starts in February: late at the end of January, not at the end of February.
    project("T", stage="前期", **{"计划开工年月": "2026-01", "实际开工年月": "2026-02"}),
    project("U", stage="储备", **{"计划开工年月": "2026-01", "实际开工年月": ""}),  # not on a list
    project("Z", stage="竣工"),
]


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (Period(2025, 12), []),
        (Period(2026, 1), [("S", YELLOW, "计划2026年1月开工,截至2026年1月底尚未开工"),
                           ("T", YELLOW, "计划2026年1月开工,截至2026年1月底尚未开工")]),
        (Period(2026, 2), [("S", YELLOW, "计划2026年1月开工,截至2026年2月底尚未开工(逾期1个月)")]),
        (Period(2026, 3), [("S", YELLOW, "计划2026年1月开工,截至2026年3月底尚未开工(逾期2个月)")]),
        (Period(2026, 4), [("S", RED, "计划2026年1月开工,截至2026年4月底尚未开工(逾期3个月)")]),
    ],
)  # fmt: skip
def test_late_start(period, expected):
    p = portfolio_of(STARTS, monthly=[("Z", "2025-12", "1")])
    assert found(p, period, A.LATE_START) == expected


ENDS = [
    project("E", **{"计划竣工年月": "2025-12"}),
    project("F", **{"计划竣工年月": "2025-12", "实际竣工年月": "2026-01"}),
    project("G", stage="竣工", **{"计划竣工年月": "2025-12"}),  # completed, month not recorded
]


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (Period(2025, 11), []),
        (Period(2025, 12), [("E", YELLOW, "计划2025年12月竣工,截至2025年12月底尚未竣工"),
                            ("F", YELLOW, "计划2025年12月竣工,截至2025年12月底尚未竣工")]),
        (Period(2026, 5), [("E", YELLOW, "计划2025年12月竣工,截至2026年5月底尚未竣工(逾期5个月)")]),
        (Period(2026, 6), [("E", RED, "计划2025年12月竣工,截至2026年6月底尚未竣工(逾期6个月)")]),
    ],
)  # fmt: skip
def test_late_completion(period, expected):
    p = portfolio_of(ENDS, monthly=[("E", "2025-12", "1")])
    assert found(p, period, A.LATE_END) == expected


# --- 未按时报送 ----------------------------------------------------------------------------

REPORTING = [
    project("R1"),  # January and February returned
    project("R2"),  # January returned, February not
    project("R3"),  # neither January nor February
    project("R4", **{"实际开工年月": "2026-03"}),  # not started: nothing to report
    project("R5"),  # March's return covers January to March
    project("R6"),  # no plan this year
]
RETURNS = [
    ("R1", "2026-01", "1"), ("R1", "2026-02", "1"), ("R2", "2026-01", "1"), ("R3", "2025-12", "1"),
    ("R5", "2026-03", "3", "2026-01"), ("R6", "2025-12", "1"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (Period(2026, 1), [("R3", YELLOW, "2026年1月未报送月度进度")]),
        (Period(2026, 2), [("R3", RED, "自2026年1月起连续2个月未报送月度进度"),
                           ("R2", YELLOW, "2026年2月未报送月度进度")]),  # red first
    ],
)  # fmt: skip
def test_returns_not_made(period, expected):
    plans = [(c, "2026", "100") for c in ("R1", "R2", "R3", "R4", "R5")]
    p = portfolio_of(REPORTING, plans=plans, monthly=RETURNS)
    assert found(p, period, A.UNREPORTED) == expected


# --- 问题超期: at the end of February 2026 (the 28th) -------------------------------------

PROBLEMS = [
    problem("Q1", "A", "2026-01", **{"交办日期": "2026-01-05", "办结时限": "2026-02-10",
                                     "办理状态": "办理中"}),  # 18 days past
    problem("Q2", "A", "2026-01", **{"交办日期": "2026-01-05", "办结时限": "2026-01-29",
                                     "办理状态": "办理中"}),  # 30 days: red
    problem("Q3", "A", "2026-01", **{"交办日期": "2026-01-05", "办结时限": "2026-01-30",
                                     "办理状态": "办理中"}),  # 29 days: still yellow
    problem("Q4", "A", "2026-01", **{"交办日期": "2026-01-05", "办结时限": "2026-02-10",
                                     "办结日期": "2026-02-15", "解决年月": "2026-02",
                                     "办理状态": "已办结"}),  # closed, late: no alert
    problem("Q5", "A", "2025-11"),  # no deadline, open 3 months
    problem("Q6", "A", "2025-12"),  # 2 months
    problem("Q7", "A", "2025-08"),  # 6 months
    problem("Q8", "A", "2025-01", **{"交办日期": "2025-01-05", "办结时限": "2026-03-10",
                                     "办理状态": "办理中"}),  # its deadline is still ahead
]  # fmt: skip
OVERDUE = "用地问题“用地未落实”超过办结时限({}){}天未办结,责任单位市自然资源和规划局"
WAITING = "用地问题“用地未落实”已提出{}个月未解决,未定办结时限"


def test_problems_overdue():
    p = portfolio_of([project("A")], monthly=[("A", "2026-02", "1")], problems=PROBLEMS)
    frame = A.alerts(p, Scope(Period(2026, 2), level=None), today=LATE_IN_YEAR)
    mine = frame.loc[frame[A.RULE] == A.PROBLEM_OVERDUE]
    assert sorted(zip(mine[A.SUBJECT], mine[A.LEVEL], mine[A.REASON], strict=True)) == [
        ("Q1", YELLOW, OVERDUE.format("2026-02-10", 18)),
        ("Q2", RED, OVERDUE.format("2026-01-29", 30)),
        ("Q3", YELLOW, OVERDUE.format("2026-01-30", 29)),
        ("Q5", YELLOW, WAITING.format(3)),
        ("Q7", RED, WAITING.format(6)),
    ]


def test_a_period_not_yet_over_counts_to_today():
    """On 15 February a deadline of the 10th is 5 days past, of 29 January 17."""
    p = portfolio_of([project("A")], monthly=[("A", "2026-02", "1")], problems=PROBLEMS[:2])
    got = found(p, Period(2026, 2), A.PROBLEM_OVERDUE, today=dt.date(2026, 2, 15))
    assert [(level, reason) for _, level, reason in got] == [
        (YELLOW, OVERDUE.format("2026-02-10", 5)),
        (YELLOW, OVERDUE.format("2026-01-29", 17)),
    ]


# --- 节点逾期 -----------------------------------------------------------------------------

NODES = [
    ("N", "主体完工", "2026-02", ""),  # due this month, not reached
    ("N", "设备安装", "2025-11", ""),  # three months late
    ("N", "开工", "2025-12", "2026-03"),  # reached, but after the period
    ("N", "竣工投产", "2026-03", ""),  # not yet due
    ("N", "基础施工", "2025-12", "2026-01"),  # reached in time for the period
]


def test_nodes_late():
    p = portfolio_of([project("N")], monthly=[("N", "2026-02", "1")], milestones=NODES)
    frame = A.alerts(p, Scope(Period(2026, 2), level=None), today=LATE_IN_YEAR)
    mine = frame.loc[frame[A.RULE] == A.NODE_LATE]
    assert list(zip(mine[A.SUBJECT], mine[A.LEVEL], mine[A.REASON], strict=True)) == [
        ("设备安装", RED, "“设备安装”节点计划2025年11月完成,截至2026年2月底未完成(逾期3个月)"),
        ("主体完工", YELLOW, "“主体完工”节点计划2026年2月完成,截至2026年2月底未完成"),
        ("开工", YELLOW, "“开工”节点计划2025年12月完成,截至2026年2月底未完成(逾期2个月)"),
    ]  # red first, then by project and node


# --- the page's counts ------------------------------------------------------------------


def test_counts_by_rule_list_every_rule_and_the_scope_filters():
    p = portfolio_of(
        [project("N"), project("M", county="乙县")],
        monthly=[("N", "2026-02", "1"), ("M", "2026-02", "1")],
        milestones=[*NODES, ("M", "开工", "2026-01", "")],
    )
    frame = A.alerts(p, Scope(Period(2026, 2), level=None), today=LATE_IN_YEAR)
    counts = A.counts_by_rule(frame).set_index(A.RULE)
    assert counts.index.tolist() == list(A.RULES)
    assert counts.loc[A.NODE_LATE].tolist() == [1, 3, 4]
    assert counts.drop(index=A.NODE_LATE)["合计"].sum() == 0
    only = A.alerts(p, Scope(Period(2026, 2), counties=("乙县",), level=None), today=LATE_IN_YEAR)
    assert only["项目代码"].tolist() == ["M"]
    table = A.counts_table(frame, ["甲区", "乙县"]).set_index(A.RULE)
    assert table.loc[A.NODE_LATE, ["甲区", "乙县", "合计"]].tolist() == [3, 1, 4]


def test_every_rule_is_stated_with_its_thresholds():
    sentences = A.rule_sentences()
    assert list(sentences) == list(A.RULES)
    assert sentences[A.SERIOUS] == (
        "完成率落后序时进度10个百分点及以上为黄色预警,30个百分点及以上为红色预警。"
    )
    assert "连续3个月" in sentences[A.CONSECUTIVE] and "连续6个月" in sentences[A.CONSECUTIVE]
