"""The check of a small return reads only the rows of the projects it names, with what it needs
of the rest (the project list, each project's returns, each table's rows) from the snapshot of
the data seen: its findings, its preview of what changes and the rows it would write are those
of the check against the whole store, case for case."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from core.base import schema as S
from core.ingest import importing
from core.policy.roles import Actor, Role
from core.store import datasource
from core.store.versions import Store
from tests.access_kit import ADMIN
from tests.store_kit import DATABASES, database

MINI = Path(__file__).parents[2] / "fixtures" / "mini"
HEAD = (
    "项目代码,项目名称,所在区县,行业领域,项目级别,项目阶段,建设性质,新引进,高新技术,建设单位,"
    "责任领导,总投资(万元),计划开工年月,实际开工年月,计划竣工年月,经度,纬度,拟争取补助资金(万元)\n"
)
NEW = "G-007,乙县储能项目,乙县,产业项目,市重点,在建,新建,是,否,庚公司,,6000,2025-01,2025-02,2026-12,121.52,30.45,\n"
REPORTER = Actor("乙县填报", Role.REPORTER, counties=("乙县",))


def _csv(name: str, text: str) -> tuple[str, bytes]:
    return (f"{name}.csv", text.encode("utf-8-sig"))


# (what the return is, its files, who checks it). The store holds the mini data set with
# A-001's total cut to 300 万元, below its 400 of returns: every check of projects or returns
# names it, though most returns do not name A-001.
CASES = [
    ("a new project and its first return",
     [_csv(S.PROJECTS, HEAD + NEW), _csv(S.MONTHLY, "项目代码,年月,本月完成投资(万元),形象进度\n"
                                                   "G-007,2025-02,60,开工\n")], ADMIN),
    ("a changed return and one for a new month",
     [_csv(S.MONTHLY, "项目代码,年月,本月完成投资(万元),形象进度\n"
                      "B-002,2025-02,320,征迁\nC-003,2025-03,90,调试\n")], ADMIN),
    ("year-to-date figures below the one on record",
     [_csv(S.MONTHLY, "项目代码,年月,本年累计完成投资(万元),形象进度\n"
                      "B-002,2025-03,500,路基\nC-003,2025-03,150,调试\n")], ADMIN),
    ("a return of an unknown project and a duplicate",
     [_csv(S.MONTHLY, "项目代码,年月,本月完成投资(万元),形象进度\n"
                      "Z-999,2025-02,10,无\nC-003,2025-02,100,设备安装\nC-003,2025-02,100,设备安装\n")],
     ADMIN),
    ("a total below the project's returns", [_csv(S.PROJECTS, HEAD + (
        "B-002,甲区快速路工程,甲区,基础设施,省重点,在建,新建,否,否,乙公司,李四(副区长),500,"
        "2025-01,2025-01,2027-12,120.6,30.6,\n"))], ADMIN),
    ("an older month than the latest stored",
     [_csv(S.MONTHLY, "项目代码,年月,本月完成投资(万元),形象进度\nC-003,2025-01,40,设备进场\n")],
     ADMIN),
    ("the same rows again",
     [_csv(S.MONTHLY, "项目代码,年月,本月完成投资(万元),形象进度\nC-003,2025-02,100,设备安装\n")],
     ADMIN),
    ("a problem resolved and a plan changed",
     [_csv(S.PROBLEMS, "问题编号,项目代码,问题类型,问题描述,提出年月,解决年月,责任单位\n"
                       "P1,B-002,用地,用地指标未落实,2024-12,2025-02,市自然资源和规划局\n"),
      _csv(S.PLANS, "项目代码,年度,年度计划投资(万元)\nA-001,2025,1300\n")], ADMIN),
    ("a county reporter's rows of another county",
     [_csv(S.MONTHLY, "项目代码,年月,本月完成投资(万元),形象进度\n"
                      "A-001,2025-03,10,主体施工\nC-003,2025-03,20,调试\n"),
      _csv(S.PROBLEMS, "问题编号,项目代码,问题类型,问题描述,提出年月,解决年月,责任单位\n"
                       "P1,C-003,用地,用地指标未落实,2024-12,,市自然资源和规划局\n")], REPORTER),
    ("a county reporter's own return",
     [_csv(S.PROJECTS, HEAD + NEW), _csv(S.MONTHLY, "项目代码,年月,本月完成投资(万元),形象进度\n"
                                                   "G-007,2025-02,60,开工\n")], REPORTER),
]  # fmt: skip


@pytest.fixture(scope="module", params=DATABASES)
def store(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("by_key")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(datasource.SNAPSHOTS_SETTING, str(folder / "snapshots"))
        urls = database(request.param, folder)
        s = Store(next(urls))
        for files in (importing.read_paths(sorted(MINI.iterdir())),
                      [_csv(S.PROJECTS, HEAD + "A-001,甲区芯片封装项目,甲区,产业项目,省重点,在建,"
                            "续建,否,是,甲公司,张三(副区长),300,2024-01,2024-01,2026-12,120.5,30.5,\n")]):  # fmt: skip
            report = importing.check(files, s)
            importing.commit(report, s, "", actor=ADMIN)
        yield s, mp
        s.close()
        next(urls, None)  # a PostgreSQL database is dropped


def _seen(report) -> dict:
    changes = report.changes
    return {
        "findings": [f.text() for f in report.findings],
        "omitted": report.omitted,
        "importable": report.importable,
        "unchanged": report.unchanged,
        "summary": None if changes is None else changes.summary(),
        "changes": None if changes is None else {
            name: getattr(changes, name).astype(str).reset_index(drop=True).to_dict("split")
            for name in ("new_projects", "missing", "changed", "amounts")
        },
        "rows": {t: f.astype(str).reset_index(drop=True).to_dict("split")
                 for t, f in importing.uploaded_rows(report).items()} if report.tables else None,
    }  # fmt: skip


@pytest.mark.parametrize(("what", "files", "actor"), CASES, ids=[c[0] for c in CASES])
def test_a_check_by_key_finds_what_the_whole_store_check_finds(store, what, files, actor):
    s, mp = store
    reads = []
    real = importing._part_of_store
    mp.setattr(importing, "_part_of_store", lambda *a: reads.append(real(*a)) or reads[-1])
    by_key = importing.check(files, s, actor=actor)
    assert reads and reads[0] is not None, "the check read the whole store"
    mp.setattr(importing, "_part_of_store", lambda *a: None)
    whole = importing.check(files, s, actor=actor)
    mp.setattr(importing, "_part_of_store", real)
    assert _seen(by_key) == _seen(whole)


def test_the_cases_find_what_they_are_about(store):
    """The cases are not all alike: the findings that each one is about are there."""
    s, _ = store
    found = {what: " ".join(f.text() for f in importing.check(files, s, actor=actor).findings)
             for what, files, actor in CASES}  # fmt: skip
    assert (
        "项目A-001各月完成投资合计400万元,超过总投资" in found["a new project and its first return"]
    )
    assert "累计完成投资比" in found["year-to-date figures below the one on record"]
    assert "项目清单中没有这个项目代码" in found["a return of an unknown project and a duplicate"]
    assert "重复" in found["a return of an unknown project and a duplicate"]
    assert "项目B-002各月完成投资合计" in found["a total below the project's returns"]
    assert "完全相同" in found["the same rows again"]
    assert "不是本账户的区县" in found["a county reporter's rows of another county"]
    report = importing.check(CASES[5][1], s)
    assert report.changes.latest_stored == "2025-02"
    assert pd.notna(report.changes.month)
