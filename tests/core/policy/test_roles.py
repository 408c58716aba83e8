"""Each role × each action, at the core level, against a real store holding the mini data set
(甲区: A-001, B-002; 乙县: C-003, D-004, E-005): allowed actions change the store, refused ones
raise roles.Refused (or end in a finding that blocks the import) and change nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from core.access.users import Users
from core.base.periods import Period
from core.ingest import edits, importing, workbook
from core.ingest.layouts import Layout, Layouts
from core.output import agenda as A
from core.policy import roles
from core.policy.roles import ANONYMOUS, Actor, Refused, Role
from core.store import audit, datasource, recovery
from core.store.versions import EXEMPTION, SUPERVISION, Store
from tests.access_kit import ADMIN, account

MINI = Path(__file__).parents[2] / "fixtures" / "mini"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> tuple[Path, dict[str, Actor]]:
    """The mini data set imported once, with an account of each role (copied per test)."""
    path = tmp_path_factory.mktemp("roles") / "seeded.sqlite"
    s = Store(f"sqlite:///{path}")
    report = importing.check(importing.read_paths(sorted(MINI.iterdir())), s)
    importing.commit(report, s, "小样本", actor=ADMIN)
    people = {
        "匿名": ANONYMOUS,
        "查看": account(s, "viewer", Role.VIEWER),
        "区县填报": account(s, "jia", Role.REPORTER, ("甲区",)),
        "管理员": account(s, "boss", Role.ADMIN),
    }
    s.close()
    return path, people


@pytest.fixture
def store(seeded, tmp_path, monkeypatch) -> Store:
    monkeypatch.setenv("BRIEFING_BACKUP_DIR", str(tmp_path / "backups"))
    copy = tmp_path / "roles.sqlite"
    shutil.copy(seeded[0], copy)
    s = Store(f"sqlite:///{copy}")
    yield s
    s.close()


@pytest.fixture
def people(seeded) -> dict[str, Actor]:
    return seeded[1]


def _project_csv(code: str, name: str, county: str) -> bytes:
    header, row = (MINI / "项目清单.csv").read_text(encoding="utf-8").splitlines()[:2]
    fields = row.split(",")
    fields[0], fields[1], fields[2] = code, name, county
    return f"{header}\n{','.join(fields)}\n".encode()


def view(store, actor):
    return datasource.portfolio(datasource.current(store)).projects  # reading needs no role


def download(store, actor):
    return workbook.data_bytes(datasource.current(store).tables)  # downloads need no role


def upload_own_county(store, actor):
    report = importing.check([("项目清单.csv", _project_csv("A-001", "甲区改名", "甲区"))], store,
                             actor=actor)  # fmt: skip
    return importing.commit(report, store, actor=actor)


def upload_other_county(store, actor):
    report = importing.check([("项目清单.csv", _project_csv("C-003", "乙县改名", "乙县"))], store,
                             actor=actor)  # fmt: skip
    return importing.commit(report, store, actor=actor)


def import_boundaries(store, actor):
    report = importing.check([("b.geojson", (MINI / "区县边界.geojson").read_bytes())], store,
                             actor=actor)  # fmt: skip
    return importing.commit(report, store, actor=actor)


def roll_back(store, actor):
    return store.rollback(1, actor=actor)


def withdraw(store, actor):
    return importing.withdraw(store, ["A-001"], Period(2026, 2), actor=actor)


def _supervise(store, actor, problem):
    edited = pd.DataFrame([{"问题编号": problem, "责任单位": "督办测试单位", "_row": 1}])
    report = edits.check_problem_edits(store, store.version(), edited, actor=actor)
    return edits.commit(report, store, kind=SUPERVISION, actor=actor)


def supervise_own_county(store, actor):
    return _supervise(store, actor, "P1")  # B-002, 甲区


def supervise_other_county(store, actor):
    return _supervise(store, actor, "P2")  # C-003, 乙县


def grant_exemption(store, actor):
    report = edits.check_exemption(store, store.version(), "所在区县", "甲区", "2025-02", "灾害",
                                   actor=actor)  # fmt: skip
    return edits.commit(report, store, kind=EXEMPTION, actor=actor)


def revoke_exemption(store, actor):
    return edits.revoke_exemption(store, store.version(), "所在区县", "乙县", "2025-02",
                                  actor=actor)  # fmt: skip


def manage_users(store, actor):
    return Users(store).add(actor, "new-person", Role.VIEWER, password="long enough pw")


def rename_layout(store, actor):
    return Layouts(store).rename("甲", "乙", actor=actor)


def save_agenda(store, actor):
    return A.Agendas(store).save(A.Agenda("调度会", (A.View("overview"),)), actor=actor)


def back_up(store, actor):
    return recovery.backup(store.url, actor=actor)


def restore(store, actor):
    return recovery.restore(recovery.list_backups()[0].path, store.url, actor=actor)


# What an action needs in place first, done by an admin before anything is counted.
PREPARE = {
    "改台账格式": lambda s: Layouts(s).save(Layout("甲", "sig", {}, {}, {}), actor=ADMIN),
    "恢复": lambda s: recovery.backup(s.url, actor=ADMIN),
}


ACTIONS = {
    "查看": view,
    "下载": download,
    "上传本区县": upload_own_county,
    "上传其他区县": upload_other_county,
    "上传区县边界": import_boundaries,
    "回滚": roll_back,
    "调出": withdraw,
    "督办本区县": supervise_own_county,
    "督办其他区县": supervise_other_county,
    "登记豁免": grant_exemption,
    "撤销豁免": revoke_exemption,
    "管理用户": manage_users,
    "改台账格式": rename_layout,
    "保存议程": save_agenda,
    "备份": back_up,
    "恢复": restore,
}
#                     匿名   查看   区县填报 管理员
ALLOWED = {
    "查看": (True, True, True, True),
    "下载": (True, True, True, True),
    "上传本区县": (False, False, True, True),
    "上传其他区县": (False, False, False, True),
    "上传区县边界": (False, False, False, True),
    "回滚": (False, False, False, True),
    "调出": (False, False, False, True),
    "督办本区县": (False, False, True, True),
    "督办其他区县": (False, False, False, True),
    "登记豁免": (False, False, False, True),
    "撤销豁免": (False, False, False, True),
    "管理用户": (False, False, False, True),
    "改台账格式": (False, False, False, True),
    "保存议程": (False, False, False, True),
    "备份": (False, False, False, True),
    "恢复": (False, False, False, True),
}
ROLES = ("匿名", "查看", "区县填报", "管理员")


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("who", ROLES)
def test_role_table(store, people, who, action):
    actor = people[who]
    PREPARE.get(action, lambda s: None)(store)
    allowed = ALLOWED[action][ROLES.index(who)]
    before = store.version()
    trail = len(audit.entries(store))
    if allowed:
        ACTIONS[action](store, actor)
        return
    with pytest.raises((Refused, ValueError)) as refused:
        ACTIONS[action](store, actor)
    text = getattr(refused.value, "message", str(refused.value))
    assert "无权" in text or "不能" in text or "其他区县" in text or "错误" in text, text
    assert store.version() == before  # nothing written
    assert len(audit.entries(store)) == trail  # nor recorded as done


def test_a_reporter_import_of_another_county_names_the_rows(store, people):
    jia = people["区县填报"]
    content = _project_csv("C-003", "乙县改名", "乙县") + "A-001,甲区新名,甲区".encode()
    report = importing.check([("项目清单.csv", content)], store, actor=jia)
    assert not report.importable
    lines = [line.text() for line in report.lines()]
    assert any("第2行" in t and "乙县" in t and "不是本账户的区县(甲区)" in t for t in lines), lines
    assert report.checked_for == ("甲区",)


def test_a_reporter_may_not_move_a_project_into_its_county(store, people):
    """C-003 is 乙县's: a row giving it 甲区 changes a row of another county."""
    jia = people["区县填报"]
    report = importing.check([("项目清单.csv", _project_csv("C-003", "挪过来", "甲区"))], store,
                             actor=jia)  # fmt: skip
    assert not report.importable
    assert any("这个项目属于乙县" in line.text() for line in report.lines())


def test_a_reporter_monthly_rows_of_another_county_are_refused(store, people):
    jia = people["区县填报"]
    monthly = "项目代码,年月,本月完成投资(万元)\nA-001,2026-02,10\nD-004,2026-02,20\n".encode()
    report = importing.check([("月度进度.csv", monthly)], store, actor=jia)
    [line] = [x for x in report.lines() if "不是本账户的区县" in x.text()]
    assert line.rows == (3,) and line.values == ("D-004",)


def test_the_store_refuses_what_the_check_would_have_named(store, people):
    """The last gate: a report checked for an admin, committed by a reporter, is refused; so is
    a reporter's row of another county handed to the store directly."""
    jia = people["区县填报"]
    report = importing.check([("项目清单.csv", _project_csv("C-003", "乙县改名", "乙县"))], store)
    assert report.importable  # checked for an admin
    with pytest.raises(Refused, match="不是按您的区县做的"):
        importing.commit(report, store, actor=jia)
    rows = importing.uploaded_rows(report)
    with pytest.raises(Refused, match="属于其他区县"):
        store.import_batch(rows, files=["x.csv"], actor=jia)
    assert store.current().id == 1


def test_a_reporter_import_records_who(store, people):
    jia = people["区县填报"]
    batch = upload_own_county(store, jia)
    assert (batch.user, batch.role) == ("jia", "区县填报")
    assert store.history()[0].user == "jia"
    [entry] = audit.entries(store, audit.Filter(action=audit.IMPORT, user="jia"))
    assert entry.target == f"第{batch.id}批" and "项目清单.csv" in entry.detail


def test_who_sees_which_batches(store, people):
    everyone = people
    upload_own_county(store, everyone["区县填报"])
    history = store.history()
    seen = {who: [b.id for b in history if roles.sees_batch(a, b.user)]
            for who, a in everyone.items()}  # fmt: skip
    assert seen == {"匿名": [], "查看": [], "管理员": [2, 1], "区县填报": [2]}


def test_an_unknown_action_is_an_error_not_a_silent_no():
    with pytest.raises(ValueError, match="unknown action"):
        roles.may(ADMIN, "督办")


def test_every_role_is_in_the_table():
    assert set(roles.PERMISSIONS) == set(Role)
    assert pd.Series(ALLOWED).map(len).eq(4).all()
