"""The snapshot of an import, a withdrawal or an edit derived from the snapshot before it and the
rows the entry wrote and closed (core.store.datasource) is the snapshot rebuilt from the whole
store: every table, matrix, month and the boundaries, file for file — after a first import, a
second one that changes rows (a year-to-date restatement among them), a roll-back and the
entries after it, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from core.base import schema as S
from core.base.periods import Period
from core.ingest import edits, importing
from core.store import datasource
from core.store.versions import Store
from tests.access_kit import ADMIN
from tests.store_kit import DATABASES, database

MINI = Path(__file__).parents[2] / "fixtures" / "mini"
PROJECT_HEAD = (
    "项目代码,项目名称,所在区县,行业领域,项目级别,项目阶段,建设性质,新引进,高新技术,建设单位,"
    "责任领导,总投资(万元),计划开工年月,实际开工年月,计划竣工年月,经度,纬度,拟争取补助资金(万元)\n"
)


def _csv(name: str, text: str) -> tuple[str, bytes]:
    return (f"{name}.csv", text.encode("utf-8-sig"))


# Each step after the first import, and what it changes.
# fmt: off
STEPS = [
    # A changed total, a new project, a changed and a new plan, returns changed and added:
    # A-001's 2025-03 states 1-3月 (a restatement: its own amount is 600 less 100 and 200).
    ("import", [
        _csv(S.PROJECTS, PROJECT_HEAD
             + "A-001,甲区芯片封装项目,甲区,产业项目,省重点,在建,续建,否,是,甲公司,张三(副区长),"
               "12000,2024-01,2024-01,2026-12,120.5,30.5,\n"
             + "F-006,甲区新材料项目,甲区,产业项目,市重点,在建,新建,是,否,己公司,,9000,"
               "2025-01,2025-02,2027-06,120.55,30.55,\n"),
        _csv(S.PLANS, "项目代码,年度,年度计划投资(万元)\nA-001,2025,1500\nF-006,2025,800\n"),
        _csv(S.MONTHLY, "项目代码,年月,本月完成投资(万元),形象进度,起始年月\n"
                        "A-001,2025-03,600,主体施工,2025-01\nB-002,2025-02,350,征迁完成,\n"
                        "F-006,2025-02,80,开工,\n"),
    ]),
    # A-001's 2025-02 changed: the 1-3月 statement above now has 600 less 100 and 210 of its own.
    ("import", [
        _csv(S.MONTHLY, "项目代码,年月,本月完成投资(万元),形象进度\n"
                        "A-001,2025-02,210,主体封顶\nC-003,2025-03,120,设备调试\n"),
    ]),
    ("rollback", 2),  # the first import's data again: its snapshot serves
    # After the roll-back: the same change again, and a new month (the months and year-to-date
    # grow by a column).
    ("import", [
        _csv(S.MONTHLY, "项目代码,年月,本月完成投资(万元),形象进度\n"
                        "A-001,2025-02,210,主体封顶\nC-003,2025-04,120,设备调试\n"),
    ]),
    ("withdraw", ["E-005"]),  # the project list alone
    ("revoke", ("所在区县", "乙县", "2025-02")),  # a row closed, none written
    ("import", [  # a problem, a milestone and its funding
        _csv(S.PROBLEMS, "问题编号,项目代码,问题类型,问题描述,提出年月,解决年月,责任单位\n"
                         "P1,B-002,用地,用地指标未落实,2024-12,2025-03,市自然资源和规划局\n"),
        _csv(S.MILESTONES, "项目代码,节点名称,计划完成年月,实际完成年月\nB-002,开工,2025-01,2025-01\n"),
        _csv(S.FUNDING, "项目代码,资金来源,落实金额(万元),落实年月\nC-003,专项债券,500,2025-03\n"),
    ]),
]
# fmt: on


@pytest.fixture(params=DATABASES)
def url(request, tmp_path):
    yield from database(request.param, tmp_path)


def _do(store: Store, step) -> None:
    kind, what = step
    if kind == "import":
        report = importing.check(what, store)
        assert report.importable, report.summary()
        importing.commit(report, store, "测试", actor=ADMIN)
    elif kind == "rollback":
        store.rollback(what, actor=ADMIN)
        datasource.load(store)
    elif kind == "withdraw":
        importing.withdraw(store, what, Period(2025, 3), actor=ADMIN)
    else:
        edits.revoke_exemption(store, store.version(), *what, actor=ADMIN)


def _files(folder: Path) -> dict[str, object]:
    out: dict[str, object] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".parquet":
            out[path.name] = pd.read_parquet(path)
        elif path.name == "done":  # the version of the entry that wrote it: a mark, not data
            out[path.name] = True
        else:
            out[path.name] = path.read_text(encoding="utf-8")
    return out


def _rebuilt(store: Store, monkeypatch, tmp_path: Path, n: int) -> dict[str, object]:
    """The current entry's snapshot written from the whole store, in a folder of its own."""
    monkeypatch.setenv(datasource.SNAPSHOTS_SETTING, str(tmp_path / f"rebuilt-{n}"))
    datasource.load(store)
    (folder,) = datasource.snapshots().iterdir()
    return _files(folder)


def test_a_derived_snapshot_is_the_rebuilt_one(url, tmp_path, monkeypatch):
    kept = tmp_path / "kept"
    monkeypatch.setenv(datasource.SNAPSHOTS_SETTING, str(kept))
    store = Store(url)
    _do(store, ("import", importing.read_paths(sorted(MINI.iterdir()))))
    whole_reads = []
    real_current = datasource.current
    monkeypatch.setattr(datasource, "current", lambda s: whole_reads.append(1) or real_current(s))
    for n, step in enumerate(STEPS):
        monkeypatch.setenv(datasource.SNAPSHOTS_SETTING, str(kept))
        whole_reads.clear()
        _do(store, step)
        batch = store.current()
        assert not whole_reads, f"step {n} ({step[0]}) read the whole store"
        derived = _files(datasource._snapshot_dir(store, batch))
        rebuilt = _rebuilt(store, monkeypatch, tmp_path, n)
        assert derived.keys() == rebuilt.keys()
        for name, mine in derived.items():
            if isinstance(mine, pd.DataFrame):
                pd.testing.assert_frame_equal(mine, rebuilt[name], check_exact=True, obj=name)
            else:
                assert mine == rebuilt[name], name
    monkeypatch.setenv(datasource.SNAPSHOTS_SETTING, str(kept))
    p = datasource.load(store)
    monthly = p.monthly.set_index([S.CODE, S.MONTH])
    assert monthly.loc[("A-001", "2025-02"), S.MONTH_COMPLETED] == 210.0
    assert monthly.loc[("A-001", "2025-03"), S.MONTH_COMPLETED] == 600.0 - 100.0 - 210.0
    # 2025-03 and 2025-04 have one return each, fewer than half of 2025-02's four.
    assert p.latest_period == Period(2025, 2)
    assert json.loads((datasource._snapshot_dir(store, store.current()) / "meta.json").read_text())
    store.close()
