"""A ledger and the monthly cycle: node columns (主体完工计划完成时间, or 设备安装 over 计划 |
实际) become the 节点计划 table; a ledger problem followed by 督办 keeps its 督办 fields, is
closed in the workflow when the ledger no longer names it, and re-opened when it names it
again."""

import datetime as dt

import pandas as pd
import pytest
from ledgers import WRITERS, Sheet, monthly_ledger

from core.base import schema as S
from core.ingest import edits, importing, layouts
from core.ingest import vocabulary as V
from core.ingest.ledger_tables import generated_code
from core.store.versions import SUPERVISION, Store
from tests.access_kit import ADMIN


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    s = Store(f"sqlite:///{tmp_path}/ledger.sqlite")
    yield s
    s.close()


def imported(store: Store, name: str, sheet: Sheet, **choices):
    upload = importing.inspect([(name, WRITERS["xlsx"](sheet))], store)
    for i, plan in enumerate(upload.plans):
        layout = layouts.with_choices(plan.layout, plan.ledger, choices)
        upload = importing.with_plan(upload, i, layout=layout)
    report = importing.check(upload, store)
    assert report.importable, [line.text() for line in report.lines()]
    importing.commit(report, store, name, actor=ADMIN)
    return report


def node_ledger() -> Sheet:
    """A ledger with a node's months as one column each, and another node over 计划 | 实际."""
    return Sheet(
        "Sheet1",
        [
            ["临江市2026年1-3月重点项目挂图作战表"] + [None] * 8,
            ["项目名称", "建设地点", "总投资(万元)", "2026年计划投资(万元)", "1-3月完成投资(万元)",
             "主体完工计划完成时间", "主体完工实际完成时间", "设备安装", None],
            [None] * 7 + ["计划", "实际"],
            ["东港大桥", "城东区", 1000, 400, 100, "2026年2月", "2026年3月", "2026.06", None],
            ["城西医院", "城西区", 800, 300, 50, "2026-01", None, None, None],
        ],
        merges=[(1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 2, 3), (1, 4, 2, 4), (1, 5, 2, 5),
                (1, 6, 2, 6), (1, 7, 1, 8)],
    )  # fmt: skip


def test_node_columns_are_recognised_with_their_node():
    for path, field, node in (
        (["主体完工计划完成时间"], V.NODE_PLANNED, "主体完工"),
        (["设备安装节点实际完成时间"], V.NODE_ACTUAL, "设备安装"),
        (["设备安装", "计划"], V.NODE_PLANNED, "设备安装"),
        (["节点计划", "竣工投产", "实际完成时间"], V.NODE_ACTUAL, "竣工投产"),
    ):
        assert (V.field_for(path), V.column_node(path)) == (field, node)
    # The project's own months keep their fields.
    assert V.field_for(["计划开工时间"]) is V.PLANNED_START
    assert V.field_for(["竣工时间", "实际"]) is V.ACTUAL_END


def test_a_ledgers_node_columns_become_the_milestone_plan(store):
    imported(store, "挂图作战.xlsx", node_ledger(), **{"项目级别": "市重点", "项目阶段": "在建",
                                                       "行业领域": "基础设施"})  # fmt: skip
    nodes = store.current_tables()[0][S.MILESTONES]
    bridge, hospital = generated_code("城东区", "东港大桥"), generated_code("城西区", "城西医院")
    assert sorted(map(tuple, nodes[list(S.MILESTONE_COLUMNS)].to_numpy().tolist())) == sorted([
        (bridge, "主体完工", "2026-02", "2026-03"),
        (bridge, "设备安装", "2026-06", ""),
        (hospital, "主体完工", "2026-01", ""),
    ])  # fmt: skip


def test_a_supervised_ledger_problem_closes_and_reopens_with_the_ledger(store):
    """March names the bridge's problem; it is 交办 on the page; April's ledger no longer
    names it (已办结 in April); May names it again (办理中, its closure gone, its 交办 kept)."""
    imported(store, "3月.xlsx", monthly_ledger(3))
    pid = store.current_tables()[0][S.PROBLEMS].iloc[0][S.PROBLEM_ID]
    report = edits.check_problem_edits(
        store, store.version(),
        pd.DataFrame([{S.PROBLEM_ID: pid, S.ASSIGNED_ON: "2026-03-20", S.DEADLINE: "2026-05-31",
                       S.HANDLING_STATE: "办理中", S.RESPONSIBLE_UNIT: "城东区人民政府"}]),
        today=dt.date(2026, 3, 25), actor=ADMIN,
    )  # fmt: skip
    edits.commit(report, store, kind=SUPERVISION, actor=ADMIN)

    def row():
        return store.current_tables()[0][S.PROBLEMS].set_index(S.PROBLEM_ID).loc[pid]

    april = monthly_ledger(4)
    for r in april.rows:
        if r[1] == "东港大桥":
            r[12] = ""
    imported(store, "4月.xlsx", april)
    assert (row()[S.RESOLVED], row()[S.HANDLING_STATE]) == ("2026-04", "已办结")
    assert row()[S.DEADLINE] == "2026-05-31"  # the other 督办 fields stay
    imported(store, "5月.xlsx", monthly_ledger(5))
    r = row()
    assert (r[S.RESOLVED], r[S.HANDLING_STATE], r[S.CLOSED_ON]) == ("", "办理中", "")
    assert (r[S.ASSIGNED_ON], r[S.RESPONSIBLE_UNIT]) == ("2026-03-20", "城东区人民政府")
