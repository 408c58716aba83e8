"""No county writes another's rows by any key (issue 24): 存在问题 is keyed by 问题编号 alone, so
a row that names a county's own project may still replace another county's problem. The check
names it, and the store refuses it inside its write lock; on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest

from core.base import schema as S
from core.ingest import importing
from core.policy.roles import Refused, Role
from core.store.portfolio import DEMO_DIR
from core.store.versions import SUPERVISION, Store
from tests.access_kit import ADMIN, account
from tests.store_kit import DATABASES, database

WEST_PROBLEM = "WT00020"  # 城西区's open problem of the issue
WEST_PROJECT = "2210-990103-01-01-000021"  # its project, in 城西区
EAST_PROJECT = "2209-990102-05-01-000089"  # a project of 城东区
EAST_PROBLEM = "WT00009"  # a problem of that project


@pytest.fixture(params=DATABASES)
def store(request, tmp_path):
    for url in database(request.param, tmp_path):
        s = Store(url)
        files = [(p.name, p.read_bytes()) for p in sorted(DEMO_DIR.iterdir()) if p.is_file()]
        report = importing.check(files, s)
        assert report.importable, report.summary()
        importing.commit(report, s, "示例数据", actor=ADMIN)
        yield s
        s.close()


def _problems(store: Store) -> pd.DataFrame:
    tables, _ = store.tables_as_of(None)
    return tables[S.PROBLEMS].set_index(S.PROBLEM_ID)


def _problem_csv(problem: str, project: str, state: str = "已销号") -> bytes:
    header = ",".join(S.COLUMNS[S.PROBLEMS])
    values = {S.PROBLEM_ID: problem, S.CODE: project, S.PROBLEM_TYPE: "用地",
              S.PROBLEM_TEXT: "用地报批", S.RAISED: "2026-01", S.RESOLVED: "2026-02",
              S.RESPONSIBLE_UNIT: "市自然资源和规划局", S.ASSIGNED_ON: "2026-01-05",
              S.DEADLINE: "2026-03-31", S.HANDLING_STATE: state, S.CLOSED_ON: "2026-02-10",
              S.CLEARED_ON: "2026-02-20"}  # fmt: skip
    row = ",".join(values.get(c, "") for c in S.COLUMNS[S.PROBLEMS])
    return f"{header}\n{row}\n".encode()


def test_a_reporter_cannot_take_over_another_countys_problem(store):
    east = account(store, "城东填报", Role.REPORTER, ("城东区",))
    before = _problems(store).loc[WEST_PROBLEM]
    assert before[S.CODE] == WEST_PROJECT
    version = store.version()

    # The check names the row: the problem id is 城西区's, whatever project the row gives.
    content = _problem_csv(WEST_PROBLEM, EAST_PROJECT)
    report = importing.check([("存在问题.csv", content)], store, actor=east)
    assert not report.importable
    texts = [line.text() for line in report.lines()]
    assert any("第2行" in t and WEST_PROBLEM in t and "库中已有的这条记录属于城西区的项目"
               f"(项目代码{WEST_PROJECT}),不是本账户的区县(城东区),不能修改" in t
               for t in texts), texts  # fmt: skip

    # The store refuses the same rows handed to it directly, inside its write lock.
    rows = {
        S.PROBLEMS: pd.read_csv(pd.io.common.BytesIO(content), dtype=str, keep_default_na=False)
    }
    for kind in ("导入", SUPERVISION):
        with pytest.raises(Refused, match=f"1条记录在库中属于其他区县的项目\\({WEST_PROBLEM}\\)"):
            store.import_batch(rows, files=["存在问题.csv"], kind=kind, actor=east)
    assert store.version() == version
    pd.testing.assert_series_equal(_problems(store).loc[WEST_PROBLEM], before)


def test_a_reporter_still_updates_and_adds_its_own_problems(store):
    east = account(store, "城东填报", Role.REPORTER, ("城东区",))
    files = [("存在问题.csv", _problem_csv(EAST_PROBLEM, EAST_PROJECT) +
              _problem_csv("WT-NEW-1", EAST_PROJECT).split(b"\n", 1)[1])]  # fmt: skip
    report = importing.check(files, store, actor=east)
    assert report.importable, [line.text() for line in report.lines()]
    importing.commit(report, store, actor=east)
    problems = _problems(store)
    assert problems.loc[EAST_PROBLEM, S.HANDLING_STATE] == "已销号"
    assert problems.loc["WT-NEW-1", S.CODE] == EAST_PROJECT


def test_an_admin_may_move_a_problem_between_counties(store):
    rows = {S.PROBLEMS: pd.read_csv(pd.io.common.BytesIO(_problem_csv(WEST_PROBLEM, EAST_PROJECT)),
                                    dtype=str, keep_default_na=False)}  # fmt: skip
    store.import_batch(rows, files=["存在问题.csv"], actor=ADMIN)
    assert _problems(store).loc[WEST_PROBLEM, S.CODE] == EAST_PROJECT
