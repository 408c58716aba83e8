"""One event, one alert (core.figures.alerts._one_alert_per_event, done by columns rather than
row by row): a late start takes every late 开工 node of its own project, a late completion
every late 竣工 node; a node naming both words goes to the first rule of the registry; a node
of another project, or of a project not late, stays its own 节点逾期 alert."""

import datetime as dt

import pytest

from core.base.periods import Period
from core.figures import alerts as A
from core.figures.scope import Scope
from tests.cycle_kit import portfolio_of, project

RED, YELLOW = A.RED, A.YELLOW
TODAY = dt.date(2026, 11, 27)
# Not started, planned for January: at the end of February 应开未开 yellow (1 month late).
NOT_STARTED = {"计划开工年月": "2026-01", "实际开工年月": ""}
# Also planned to be complete in January: 应竣未竣 yellow (1 month late).
NOT_STARTED_NOR_DONE = NOT_STARTED | {"计划竣工年月": "2026-01"}
START = "计划2026年1月开工,截至2026年2月底尚未开工(逾期1个月)"
END = "计划2026年1月竣工,截至2026年2月底尚未竣工(逾期1个月)"


def node(name: str, planned: str, late: int) -> str:
    return (f"“{name}”节点计划{Period.parse(planned).label}完成,截至2026年2月底未完成"
            f"(逾期{late}个月)")  # fmt: skip


@pytest.mark.parametrize(
    ("projects", "milestones", "expected"),
    [
        # Two start nodes of one project, one of them red: one alert, red, all three reasons
        # in the nodes' order, both nodes its 对象.
        ([project("S", stage="前期", **NOT_STARTED)],
         [("S", "开工", "2025-11", ""), ("S", "项目开工", "2026-01", "")],
         [("S", A.LATE_START, RED,
           f"{START};{node('开工', '2025-11', 3)};{node('项目开工', '2026-01', 1)}",
           "开工、项目开工")]),
        # Both yellow: yellow.
        ([project("S", stage="前期", **NOT_STARTED)],
         [("S", "项目开工", "2026-01", "")],
         [("S", A.LATE_START, YELLOW, f"{START};{node('项目开工', '2026-01', 1)}", "项目开工")]),
        # Another project's start node is not this project's event; T has started, so its
        # node stays a 节点逾期 alert.
        ([project("S", stage="前期", **NOT_STARTED), project("T")],
         [("T", "开工", "2025-12", "")],
         [("S", A.LATE_START, YELLOW, START, ""),
          ("T", A.NODE_LATE, YELLOW, node("开工", "2025-12", 2), "开工")]),
        # Late to start and to complete: the start node to 应开未开, the completion node to
        # 应竣未竣, a node naming both to the first of them (the registry's order) only, and
        # another node stays its own alert.
        ([project("S", stage="前期", **NOT_STARTED_NOR_DONE)],
         [("S", "开工竣工", "2026-01", ""), ("S", "竣工验收", "2026-01", ""),
          ("S", "设备安装", "2026-01", "")],
         [("S", A.LATE_START, YELLOW, f"{START};{node('开工竣工', '2026-01', 1)}", "开工竣工"),
          ("S", A.LATE_END, YELLOW, f"{END};{node('竣工验收', '2026-01', 1)}", "竣工验收"),
          ("S", A.NODE_LATE, YELLOW, node("设备安装", "2026-01", 1), "设备安装")]),
    ],
)  # fmt: skip
def test_one_event_is_one_alert(projects, milestones, expected):
    p = portfolio_of([*projects, project("Z")], monthly=[("Z", "2026-02", "1")],
                     milestones=milestones)  # fmt: skip
    frame = A.alerts(p, Scope(Period(2026, 2), level=None), today=TODAY)
    got = frame[["项目代码", A.RULE, A.LEVEL, A.REASON, A.SUBJECT]].values.tolist()
    assert got == [list(row) for row in expected]
