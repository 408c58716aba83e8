"""督办: a problem's state as of a period from its dates, overdue days, 办结率 and the average
days to closure, worked out by hand.

P1 raised 2025-12, 交办 12-10, deadline 2026-01-09, 办结 2026-01-20 (41 days), 销号 02-05.
P2 raised 2026-01, 交办 01-15, deadline 02-14, open.
P3 raised 2026-02, not yet 交办.
P4 raised 2025-11, resolved 2025-12 before anyone recorded 督办 (no days).
P5 raised 2026-01, 交办 01-10 to 市财政局, 办结 01-31 (21 days).
"""

import datetime as dt

import pytest

from core.base import schema as S
from core.base.periods import Period
from core.figures import supervision as V
from core.figures.scope import Scope
from tests.cycle_kit import portfolio_of, problem, project

LATE = dt.date(2026, 11, 27)
PROBLEMS = [
    problem("P1", "A", "2025-12", **{"交办日期": "2025-12-10", "办结时限": "2026-01-09",
                                     "办结日期": "2026-01-20", "解决年月": "2026-01",
                                     "销号日期": "2026-02-05", "办理状态": "已销号"}),
    problem("P2", "A", "2026-01", **{"交办日期": "2026-01-15", "办结时限": "2026-02-14",
                                     "办理状态": "办理中"}),
    problem("P3", "A", "2026-02", **{"办理状态": "待交办"}),
    problem("P4", "A", "2025-11", **{"解决年月": "2025-12"}),
    problem("P5", "A", "2026-01", **{"交办日期": "2026-01-10", "办结日期": "2026-01-31",
                                     "解决年月": "2026-01", "办理状态": "已办结",
                                     "责任单位": "市财政局", "问题类型": "资金"}),
]  # fmt: skip


@pytest.fixture(scope="module")
def data():
    return portfolio_of([project("A")], monthly=[("A", "2026-02", "1")], problems=PROBLEMS)


def frame(data, period: Period, today=LATE):
    return V.problems_as_of(data, Scope(period, level=None), today).set_index(S.PROBLEM_ID)


@pytest.mark.parametrize(
    ("period", "today", "states"),
    [
        (Period(2025, 12), LATE, {"P1": "办理中", "P4": "已办结"}),
        (Period(2026, 1), LATE, {"P1": "已办结", "P2": "办理中", "P4": "已办结", "P5": "已办结"}),
        (Period(2026, 2), LATE, {"P1": "已销号", "P2": "办理中", "P3": "待交办", "P4": "已办结",
                                 "P5": "已办结"}),
        # On 4 February P1 was 办结 but not yet 销号.
        (Period(2026, 2), dt.date(2026, 2, 4), {"P1": "已办结", "P2": "办理中", "P3": "待交办",
                                                "P4": "已办结", "P5": "已办结"}),
    ],
)  # fmt: skip
def test_states_follow_the_dates(data, period, today, states):
    assert frame(data, period, today)[V.STATE].to_dict() == states


def test_overdue_days_count_to_the_end_of_the_period_or_today(data):
    assert frame(data, Period(2026, 2))[V.OVERDUE_DAYS].to_dict() == {
        "P1": 0, "P2": 14, "P3": 0, "P4": 0, "P5": 0,
    }  # fmt: skip
    assert frame(data, Period(2026, 2), dt.date(2026, 2, 20))[V.OVERDUE_DAYS]["P2"] == 6
    assert frame(data, Period(2026, 1))[V.OVERDUE_DAYS]["P2"] == 0  # deadline still ahead


def test_figures_of_the_period(data):
    f = V.figures(frame(data, Period(2026, 2)).reset_index())
    assert (f.registered, f.assigned, f.closed, f.cleared, f.overdue, f.waiting, f.handling) == (
        5, 4, 3, 1, 1, 1, 1,
    )  # fmt: skip
    assert f.rate == pytest.approx(3 / 4)  # 已办结 ÷ (已办结 + 办理中); 待交办 is nobody's yet
    assert (f.mean_days, f.timed) == (31.0, 2)  # (41 + 21) / 2; P4 has no days


def test_statistics_by_unit_and_type(data):
    by_unit = V.statistics(frame(data, Period(2026, 2)).reset_index(), S.RESPONSIBLE_UNIT)
    rows = {r[S.RESPONSIBLE_UNIT]: r for r in by_unit.to_dict("records")}
    land = rows["市自然资源和规划局"]
    assert (land[V.COUNT], land[V.ASSIGNED], land[V.CLOSED], land[V.OVERDUE]) == (4, 3, 2, 1)
    assert land[V.RATE] == pytest.approx(2 / 3) and land[V.MEAN_DAYS] == 41.0
    money = rows["市财政局"]
    assert (money[V.RATE], money[V.MEAN_DAYS]) == (1.0, 21.0)
    by_type = V.statistics(frame(data, Period(2026, 2)).reset_index(), S.PROBLEM_TYPE)
    assert by_type[S.PROBLEM_TYPE].tolist() == ["用地", "资金"]  # most problems first


def test_a_units_open_problems(data):
    f = frame(data, Period(2026, 2)).reset_index()
    assert V.units_with_open(f) == ["市自然资源和规划局"]
    assert V.open_for_unit(f, "市自然资源和规划局")[S.PROBLEM_ID].tolist() == ["P2", "P3"]


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        ("", []),
        ("2026-01-15 已组卷上报", [("2026-01-15", "已组卷上报")]),
        ("2026-01-15 已组卷上报;2026-02-10 省厅已受理,正在审查",
         [("2026-01-15", "已组卷上报"), ("2026-02-10", "省厅已受理,正在审查")]),
        # A semicolon inside an entry stays in it; text without a day is an entry of its own.
        ("已召开协调会;明确了分工;2026-02-10 已受理",
         [("", "已召开协调会;明确了分工"), ("2026-02-10", "已受理")]),
    ],
)  # fmt: skip
def test_handling_notes(text, entries):
    assert V.notes(text) == entries


def test_a_new_note_is_dated_and_added_last():
    day = dt.date(2026, 3, 1)
    assert V.with_note("", day, " 已受理 ") == "2026-03-01 已受理"
    text = V.with_note("2026-01-15 已组卷上报", day, "已受理")
    assert text == "2026-01-15 已组卷上报;2026-03-01 已受理"
    assert V.latest_note(text) == "2026-03-01 已受理"


def test_the_day_a_period_stands_at():
    assert V.period_day(Period(2026, 2), LATE) == dt.date(2026, 2, 28)
    assert V.period_day(Period(2024, 2), LATE) == dt.date(2024, 2, 29)
    assert V.period_day(Period(2026, 11), LATE) == LATE
