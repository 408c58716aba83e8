"""Edits made on a page are batches: a 督办 edit and a 红黑榜 exemption are checked like a
return, written as one history entry, undone by roll-back, and refused when the data they were
drawn from moved; on SQLite and PostgreSQL."""

import datetime as dt
import json

import pandas as pd
import pytest

from core.base import schema as S
from core.figures import supervision as V
from core.figures.scope import Scope
from core.ingest import edits as E
from core.store import datasource
from core.store.portfolio import DEMO_DIR, read_csv
from core.store.versions import EXEMPTION, SUPERVISION, Store, VersionMoved
from tests.access_kit import ADMIN
from tests.conftest import FIXTURES

TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def store(url):
    s = Store(url)
    tables = {t: read_csv(FIXTURES / "mini" / f"{t}.csv") for t in S.TABLES}
    geo = (FIXTURES / "mini" / S.BOUNDARIES_FILE).read_text(encoding="utf-8")
    s.import_batch(tables, files=["mini"], boundaries=json.loads(geo), actor=ADMIN)
    yield s
    s.close()


def closed_share(store: Store) -> float:
    p = datasource.load(store)
    return V.figures(V.problems_as_of(p, Scope(p.latest_period, level=None), TODAY)).rate


def edit(pid: str, **columns) -> pd.DataFrame:
    return pd.DataFrame([{S.PROBLEM_ID: pid, "_row": 1, **columns}])


def test_a_supervision_edit_is_a_batch_that_roll_back_undoes(store):
    """P1 (open since 2024-12) is 交办 and closed from the page: 办结率 goes from 2/2 … to 3/3;
    with a note dated today."""
    seen = store.version()
    before = store.current_tables()[0][S.PROBLEMS]
    report = E.check_problem_edits(
        store, seen,
        edit("P1", **{S.ASSIGNED_ON: dt.date(2025, 1, 3), S.DEADLINE: dt.date(2025, 2, 28),
                      S.HANDLING_STATE: "已办结", S.CLOSED_ON: dt.date(2025, 2, 20),
                      E.NEW_NOTE: "已完成组卷报批"}),
        today=TODAY, actor=ADMIN,
    )  # fmt: skip
    assert report.findings == []
    batch = E.commit(report, store, kind=SUPERVISION, note="2月督办", actor=ADMIN)
    assert (batch.kind, batch.files) == (SUPERVISION, ())
    assert batch.note == "修改1个问题的督办信息(P1);2月督办"
    assert batch.changes[S.PROBLEMS] == (1, 1)
    row = store.current_tables()[0][S.PROBLEMS].set_index(S.PROBLEM_ID).loc["P1"]
    assert (row[S.HANDLING_STATE], row[S.CLOSED_ON], row[S.RESOLVED]) == (
        "已办结",
        "2025-02-20",
        "2025-02",
    )
    assert row[S.HANDLING_NOTES] == "2026-03-02 已完成组卷报批"
    assert closed_share(store) == 1.0  # P2, P3 were resolved already; now P1 too
    store.rollback(batch.id - 1, "改错了", actor=ADMIN)
    pd.testing.assert_frame_equal(store.current_tables()[0][S.PROBLEMS], before)


def test_an_inconsistent_edit_is_refused_and_changes_nothing(store):
    seen = store.version()
    report = E.check_problem_edits(
        store, seen, edit("P1", **{S.HANDLING_STATE: "已销号", "_row": 4}), actor=ADMIN
    )
    assert [line.text() for line in report.lines()] == [
        "【错误】第4行“交办日期”列:办理状态为“已销号”的问题须填写交办日期",
        "【错误】第4行“办结日期”列:办理状态为“已销号”的问题须填写办结日期",
        "【错误】第4行“销号日期”列:办理状态为“已销号”的问题须填写销号日期",
    ]
    with pytest.raises(ValueError, match="修改存在错误,未保存"):
        E.commit(report, store, kind=SUPERVISION, actor=ADMIN)
    assert store.version() == seen


def test_an_edit_drawn_from_moved_data_is_refused(store):
    seen = store.version()
    first = E.check_problem_edits(
        store, seen, edit("P1", **{S.DEADLINE: "2025-03-31"}), actor=ADMIN
    )
    second = E.check_problem_edits(
        store, seen, edit("P1", **{S.DEADLINE: "2025-04-30"}), actor=ADMIN
    )
    E.commit(first, store, kind=SUPERVISION, actor=ADMIN)
    with pytest.raises(VersionMoved, match="本次修改未保存:请按最新数据重新修改") as refused:
        E.commit(second, store, kind=SUPERVISION, actor=ADMIN)
    assert "在您打开本页之后" in str(refused.value) and "本次修改的" in str(refused.value)
    row = store.current_tables()[0][S.PROBLEMS].set_index(S.PROBLEM_ID).loc["P1"]
    assert row[S.DEADLINE] == "2025-03-31"


def test_a_problem_can_be_reopened_from_the_page(store):
    """P2 was resolved in 2025-02 by a 办结日期: clearing it re-opens P2, month and all."""
    closed = E.check_problem_edits(
        store, store.version(),
        edit("P2", **{S.ASSIGNED_ON: "2025-01-06", S.HANDLING_STATE: "已办结",
                      S.CLOSED_ON: "2025-02-11"}), actor=ADMIN,
    )  # fmt: skip
    E.commit(closed, store, kind=SUPERVISION, actor=ADMIN)
    report = E.check_problem_edits(
        store,
        store.version(),
        edit("P2", **{S.HANDLING_STATE: "办理中", S.CLOSED_ON: None}),
        actor=ADMIN,
    )
    assert report.findings == []
    E.commit(report, store, kind=SUPERVISION, actor=ADMIN)
    row = store.current_tables()[0][S.PROBLEMS].set_index(S.PROBLEM_ID).loc["P2"]
    assert (row[S.HANDLING_STATE], row[S.CLOSED_ON], row[S.RESOLVED]) == ("办理中", "", "")


@pytest.mark.parametrize(
    ("seen", "rows", "message"),
    [
        ("", edit("P1", **{S.DEADLINE: "2025-03-31"}), "当前显示的是示例数据"),
        (None, edit("P1"), "没有修改任何内容"),
        (None, edit("P9", **{S.DEADLINE: "2025-03-31"}), "没有这些问题编号:P9"),
    ],
)
def test_what_cannot_be_edited(store, seen, rows, message):
    with pytest.raises(E.NothingToEdit, match=message):
        E.check_problem_edits(store, store.version() if seen is None else seen, rows, actor=ADMIN)


def test_an_exemption_is_granted_revoked_and_restored_by_roll_back(store):
    report = E.check_exemption(
        store, store.version(), "所在区县", "甲区", "2025-02", "道路封闭施工", actor=ADMIN
    )
    assert report.findings == []
    granted = E.commit(report, store, kind=EXEMPTION, actor=ADMIN)
    assert granted.note == "甲区2025-02不列入黑榜:道路封闭施工"
    exemptions = datasource.load(store).exemptions
    assert sorted(exemptions[S.UNIT_NAME]) == ["乙县", "甲区"]
    revoked = E.revoke_exemption(
        store, store.version(), "所在区县", "乙县", "2025-02", "误报", actor=ADMIN
    )
    assert (revoked.kind, revoked.changes) == (EXEMPTION, {S.EXEMPTIONS: (0, 1)})
    assert revoked.row_counts[S.EXEMPTIONS] == 1
    assert datasource.load(store).exemptions[S.UNIT_NAME].tolist() == ["甲区"]
    store.rollback(granted.id, actor=ADMIN)
    assert sorted(datasource.load(store).exemptions[S.UNIT_NAME]) == ["乙县", "甲区"]


def test_an_exemption_is_checked_like_a_return(store):
    report = E.check_exemption(store, store.version(), "乡镇", "甲区", "2025-02", "", actor=ADMIN)
    assert [line.text() for line in report.lines()] == [
        "【错误】第1行“豁免原因”列:不能为空",
        "【错误】第1行“单位类别”列(值:“乡镇”):应为以下之一:所在区县、所属园区",
    ]
    with pytest.raises(E.NothingToEdit, match="没有丙县"):
        E.revoke_exemption(store, store.version(), "所在区县", "丙县", "2025-02", actor=ADMIN)


def test_a_revocation_drawn_from_moved_data_is_refused(store):
    seen = store.version()
    E.revoke_exemption(store, seen, "所在区县", "乙县", "2025-02", actor=ADMIN)
    report = E.check_exemption(
        store, store.version(), "所在区县", "乙县", "2025-02", "重新批准", actor=ADMIN
    )
    E.commit(report, store, kind=EXEMPTION, actor=ADMIN)
    with pytest.raises(VersionMoved):
        E.revoke_exemption(store, seen, "所在区县", "乙县", "2025-02", actor=ADMIN)


def test_the_demo_is_brought_into_an_empty_store_only(url):
    s = Store(url)
    batch = E.import_demo(s, actor=ADMIN)
    assert batch.files == tuple(E.DEMO_FILES)
    assert batch.row_counts[S.MILESTONES] == len(read_csv(DEMO_DIR / f"{S.MILESTONES}.csv"))
    with pytest.raises(E.NothingToEdit, match="已有导入的数据"):
        E.import_demo(s, actor=ADMIN)
    s.close()
