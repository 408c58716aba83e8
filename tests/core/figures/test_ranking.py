"""红黑榜 by rule on six counties worked out by hand, with an exemption.

Each county has one provincial project with a plan of 1000 in 2026. At the end of June
(序时进度 50.0%) their year-to-date figures are A区 600, B区 550, F区 500, C区 450, D区 400,
E区 300: gaps +10.0, +5.0, 0.0, −5.0, −10.0, −20.0. At the end of May (41.7%): B区 450, A区 400,
C区 350, D区 300, F区 250, E区 200.
"""

import pandas as pd
import pytest

from core.base.periods import Convention, Period
from core.figures import ranking as R
from core.figures.scope import Scope
from tests.cycle_kit import portfolio_of, project

JUNE, MAY = Period(2026, 6), Period(2026, 5)
YTD = {
    "A区": (400, 600), "B区": (450, 550), "C区": (350, 450),
    "D区": (300, 400), "E区": (200, 300), "F区": (250, 500),
}  # fmt: skip
EXCUSED = ("所在区县", "E区", "2026-06", "受洪涝灾害停工")
RULE = R.Rule(R.GAP, top=2, bottom=2, unit="所在区县")


def six(extra=(), exemptions=(EXCUSED,), more_projects=(), more_returns=()):
    projects = [project(f"P{c}", county=c) for c in YTD] + list(more_projects)
    plans = [(f"P{c}", "2026", "1000") for c in YTD] + [(p["项目代码"], "2026", "1000")
                                                         for p in more_projects]  # fmt: skip
    monthly = []
    for c, (may, june) in YTD.items():
        monthly += [(f"P{c}", "2026-05", str(may)), (f"P{c}", "2026-06", str(june - may))]
    return portfolio_of(projects, plans=plans, monthly=monthly + list(more_returns),
                        exemptions=list(exemptions) + list(extra))  # fmt: skip


def table(frame: pd.DataFrame) -> list[tuple]:
    return list(zip(frame[R.PLACE], frame[R.UNIT], frame[R.VALUE], frame[R.LIST], strict=True))


def test_the_rule_with_an_exemption():
    frame = R.ranking(six(), Scope(JUNE, level=None), RULE)
    assert table(frame) == [
        (1, "A区", 10.0, "红榜"),
        (2, "B区", 5.0, "红榜"),
        (3, "F区", 0.0, ""),  # on schedule: never on the 黑榜
        (4, "C区", -5.0, "黑榜"),
        (5, "D区", -10.0, "黑榜"),
        (6, "E区", -20.0, ""),  # the worst, but excused this month
    ]
    assert frame.loc[frame[R.UNIT] == "E区", R.EXEMPT].item() == "受洪涝灾害停工"
    assert R.list_sentence(frame, R.BLACK_LIST, RULE) == (
        "黑榜:C区(完成率45.0%,落后序时进度5.0个百分点)、D区(完成率40.0%,落后序时进度10.0个百分点)。"
    )
    assert R.exemption_sentence(frame) == "本月豁免:E区:受洪涝灾害停工。"


def test_an_exemption_of_another_month_excuses_nothing():
    p = six(exemptions=[("所在区县", "E区", "2026-05", "受洪涝灾害停工")])
    frame = R.ranking(p, Scope(JUNE, level=None), RULE)
    assert frame.loc[frame[R.LIST] == "黑榜", R.UNIT].tolist() == ["D区", "E区"]
    assert (frame[R.EXEMPT] == "").all()


def test_units_tied_with_the_last_one_taken_are_taken_too():
    """G区 has 450 as C区 does: they share 4th place, and both go on the 黑榜 with D区."""
    p = six(more_projects=[project("PG区", county="G区")],
            more_returns=[("PG区", "2026-06", "450")])  # fmt: skip
    frame = R.ranking(p, Scope(JUNE, level=None), RULE)
    assert table(frame)[3:6] == [(4, "C区", -5.0, "黑榜"), (4, "G区", -5.0, "黑榜"),
                                 (6, "D区", -10.0, "黑榜")]  # fmt: skip


def test_the_county_filter_does_not_shrink_the_ranking():
    frame = R.ranking(six(), Scope(JUNE, counties=("C区",), level=None), RULE)
    assert len(frame) == 6


def test_completion_rate_ranks_the_same_units_in_percent():
    frame = R.ranking(six(), Scope(JUNE, level=None), R.Rule(R.RATE, 2, 2, "所在区县"))
    assert frame[R.VALUE].tolist() == [60.0, 55.0, 50.0, 45.0, 40.0, 30.0]
    assert frame.loc[frame[R.LIST] == "黑榜", R.UNIT].tolist() == ["C区", "D区"]


def test_start_rate_against_the_schedule():
    """Due to start in 2026: 甲区 two (one started by June: 50.0%, not below 50.0%), 乙区 one
    (not started: 0.0%, below): only 乙区 missed 序时进度."""
    due = {"计划开工年月": "2026-03", "实际开工年月": "", "项目阶段": "前期"}  # not at work yet
    p = portfolio_of(
        [project("S1", county="甲区", **due), project("S2", county="甲区", **{**due, "实际开工年月": "2026-04"}),
         project("S3", county="乙区", **due)],
        monthly=[("S2", "2026-06", "1")],
    )  # fmt: skip
    frame = R.ranking(p, Scope(JUNE, level=None), R.Rule(R.START_RATE, 1, 1, "所在区县"))
    assert table(frame) == [(1, "甲区", 50.0, "红榜"), (2, "乙区", 0.0, "黑榜")]
    assert R.value_text(frame.iloc[0], R.Rule(R.START_RATE, 1, 1, "所在区县")) == "开工率50.0%(1/2)"


def test_parks_rank_only_the_projects_that_name_one():
    p = portfolio_of(
        [project("K1", **{"所属园区": "东园"}), project("K2", **{"所属园区": "西园"}), project("K3")],
        plans=[("K1", "2026", "1000"), ("K2", "2026", "1000"), ("K3", "2026", "1000")],
        monthly=[("K1", "2026-06", "500"), ("K2", "2026-06", "300"), ("K3", "2026-06", "900")],
        exemptions=[("所属园区", "西园", "2026-06", "园区调整")],
    )  # fmt: skip
    frame = R.ranking(p, Scope(JUNE, level=None), R.Rule(R.GAP, 1, 1, "所属园区"))
    assert table(frame) == [(1, "东园", 0.0, "红榜"), (2, "西园", -20.0, "")]
    assert R.unit_choices(p) == ["所在区县", "所属园区"]


def test_rank_history_and_moves_against_last_month():
    p = six()
    history = R.history(p, Scope(JUNE, level=None), RULE)
    may = history.loc[history[R.MONTH] == "2026-05"].set_index(R.UNIT)[R.PLACE].to_dict()
    assert may == {"B区": 1, "A区": 2, "C区": 3, "D区": 4, "F区": 5, "E区": 6}
    moves = R.moves(p, Scope(JUNE, level=None), RULE).to_dict()
    assert moves == {"A区": "↑1", "B区": "↓1", "F区": "↑2", "C区": "↓1", "D区": "↓1", "E区": "持平"}
    assert set(R.moves(p, Scope(MAY, level=None), RULE)) == {"—"}  # no April on record


@pytest.mark.parametrize(("before", "now", "word"), [(5, 3, "↑2"), (3, 4, "↓1"), (2, 2, "持平"),
                                                     (None, 1, "—")])  # fmt: skip
def test_move_words(before, now, word):
    assert R.move(before, now) == word


def test_the_rule_in_words():
    assert RULE.sentence(Convention.MONTHS) == (
        "排名规则:各区县按完成率与序时进度之差从高到低排名(与序时进度(按月计算)比较,数值相同的名次并列);"
        "前2名列入红榜;完成率低于序时进度的区县中排名最后的2个列入黑榜,经批准豁免的当月不列入黑榜;"
        "当月未报送月度进度的不参加排名,注明未报送。"
    )


def test_the_red_list_only_at_or_ahead_of_schedule():
    """Top 4 with red_needs_schedule: A区, B区 and F区 (0.0: at schedule), not C区 (−5.0)."""
    rule = R.Rule(R.GAP, top=4, bottom=2, unit="所在区县", red_needs_schedule=True)
    frame = R.ranking(six(), Scope(JUNE, level=None), rule)
    assert frame.loc[frame[R.LIST] == "红榜", R.UNIT].tolist() == ["A区", "B区", "F区"]
    assert frame.loc[frame[R.LIST] == "黑榜", R.UNIT].tolist() == ["C区", "D区"]
    assert "前4名中达到序时进度的列入红榜" in rule.sentence(Convention.MONTHS)


# G区 reported for May (450 of 1000) but not for June: 未报送 in June.
SILENT = {"more_projects": [project("PG区", county="G区")],
          "more_returns": [("PG区", "2026-05", "450")]}  # fmt: skip


def test_a_unit_that_did_not_report_is_not_ranked_and_is_named():
    frame = R.ranking(six(**SILENT), Scope(JUNE, level=None), RULE)
    assert "G区" not in frame[R.UNIT].tolist()
    assert table(frame)[:2] == [(1, "A区", 10.0, "红榜"), (2, "B区", 5.0, "红榜")]
    assert frame.attrs[R.UNREPORTED] == ["G区"]
    assert R.unreported_sentence(frame) == "本月未报送:G区(未报送月度进度,不参加排名)。"
    assert R.exemption_sentence(frame) == (
        "本月豁免:E区:受洪涝灾害停工。本月未报送:G区(未报送月度进度,不参加排名)。"
    )
    may = R.ranking(six(**SILENT), Scope(MAY, level=None), RULE)  # May was reported
    assert "G区" in may[R.UNIT].tolist() and may.attrs[R.UNREPORTED] == []


def test_the_rule_may_rank_a_unit_that_did_not_report():
    rule = R.Rule(R.GAP, top=2, bottom=2, unit="所在区县", rank_unreported=True)
    frame = R.ranking(six(**SILENT), Scope(JUNE, level=None), rule)
    g = frame.loc[frame[R.UNIT] == "G区"]
    assert g[R.UNREPORTED].item() and len(frame) == 7
    assert R.unreported_sentence(frame) == "本月未报送:G区(未报送月度进度,按已报数据排名)。"


def across_the_year(december: bool):
    """A区 ahead of B区 in December 2025, behind it in January 2026."""
    projects = [project("PA", county="A区"), project("PB", county="B区")]
    plans = [(c, y, "1200") for c in ("PA", "PB") for y in ("2025", "2026")]
    monthly = [("PA", "2026-01", "50"), ("PB", "2026-01", "150")]
    if december:
        monthly += [("PA", "2025-12", "1300"), ("PB", "2025-12", "1100")]
    return portfolio_of(projects, plans=plans, monthly=monthly)


def test_january_compares_with_december_of_the_previous_year():
    p = across_the_year(december=True)
    january = Scope(Period(2026, 1), level=None)
    assert R.moves(p, january, RULE).to_dict() == {"B区": "↑1", "A区": "↓1"}
    history = R.history(p, january, RULE)
    assert sorted(set(history[R.MONTH])) == ["2025-12", "2026-01"]  # the move is on the chart
    assert R.move_words(Period(2026, 1)) == "较上年12月"
    assert R.move_words(Period(2026, 2)) == "较上月"


def test_january_without_a_december_starts_afresh():
    p = across_the_year(december=False)
    january = Scope(Period(2026, 1), level=None)
    assert set(R.moves(p, january, RULE)) == {"—"}
    assert set(R.history(p, january, RULE)[R.MONTH]) == {"2026-01"}


@pytest.mark.parametrize(
    ("stage", "ytd", "started", "inferred"),
    [
        ("在建", None, 1, 1),  # under construction, no start month: started, said so
        ("竣工", None, 1, 1),
        ("前期", "5", 1, 1),  # an amount completed this year: at work
        ("前期", None, 0, 0),  # nothing shows it at work
        ("储备", "0", 0, 0),
    ],
)
def test_a_start_the_ledger_does_not_date_is_inferred(stage, ytd, started, inferred):
    """开工率 where the file gives no 实际开工年月: a project at work counts as started, and the
    figures say how many were inferred (issue: 22 projects under construction gave 0.0%)."""
    from core.figures import measures as M

    p = portfolio_of(
        [project("S1", stage=stage, **{"计划开工年月": "2026-03", "实际开工年月": ""})],
        plans=[("S1", "2026", "100")],
        monthly=[("S1", "2026-06", ytd or "0")],
    )  # fmt: skip
    f = M.year_figures(p, Scope(JUNE, level=None))
    assert (f.starts_planned, f.starts_done, f.starts_inferred) == (1, started, inferred)
