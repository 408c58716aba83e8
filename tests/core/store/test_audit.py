"""The audit trail, on SQLite and on PostgreSQL: every kind of write leaves its entry in the same
transaction (a refused or failed one none), the trail is only appended to, and a restore from
an older backup keeps the accounts and the trail of the database it restores into."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from core.access import users as users_module
from core.access.users import Users
from core.base.periods import Period
from core.ingest import importing
from core.ingest.layouts import Layout, Layouts
from core.output import agenda as A
from core.policy.roles import Refused, Role
from core.store import audit, recovery
from core.store.versions import Store
from tests.access_kit import ADMIN, PASSWORD, account
from tests.store_kit import DATABASES, database

MINI = Path(__file__).parents[2] / "fixtures" / "mini"


@pytest.fixture(params=DATABASES)
def url(request, tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFING_BACKUP_DIR", str(tmp_path / "backups"))
    yield from database(request.param, tmp_path)


def test_every_write_is_in_the_trail(url):
    store = Store(url)
    report = importing.check(importing.read_paths(sorted(MINI.iterdir())), store)
    importing.commit(report, store, "小样本", actor=ADMIN)
    jia = account(store, "jia", Role.REPORTER, ("甲区",))
    importing.withdraw(store, ["C-003"], Period(2025, 2), "项目终止", actor=ADMIN)
    store.rollback(1, "撤销调出", actor=ADMIN)
    Layouts(store).save(Layout("月报", "sig", {}, {}, {}), actor=ADMIN)
    Layouts(store).rename("月报", "甲区月报", actor=ADMIN)
    Layouts(store).delete("甲区月报", actor=ADMIN)
    A.Agendas(store).save(A.Agenda("调度会", (A.View("overview"),)), actor=ADMIN)
    A.Agendas(store).delete("调度会", actor=ADMIN)
    Users(store).set_role(ADMIN, "jia", Role.VIEWER)
    with pytest.raises(Refused):
        store.rollback(2, actor=jia)  # refused: no entry
    recovery.backup(url, actor=ADMIN)
    found = [(e.action, e.target, e.user) for e in audit.entries(store)][::-1]
    assert found == [
        (audit.IMPORT, "第1批", ADMIN.user),
        (audit.USER_ADDED, "jia", ADMIN.user),
        (audit.SIGN_IN, "jia", "jia"),
        (audit.WITHDRAW, "第2批", ADMIN.user),
        (audit.ROLLBACK, "第3批", ADMIN.user),
        (audit.LAYOUT_SAVED, "月报", ADMIN.user),
        (audit.LAYOUT_RENAMED, "月报", ADMIN.user),
        (audit.LAYOUT_DELETED, "甲区月报", ADMIN.user),
        (audit.AGENDA_SAVED, "调度会", ADMIN.user),
        (audit.AGENDA_DELETED, "调度会", ADMIN.user),
        (audit.USER_CHANGED, "jia", ADMIN.user),
        (audit.BACKUP, recovery.list_backups()[0].path.name, ADMIN.user),
    ]
    first = audit.entries(store, audit.Filter(action=audit.IMPORT))[0]
    assert "小样本" in first.detail and "项目清单.csv" in first.detail
    assert first.origin == "pytest" and first.role == "管理员"
    store.close()


def test_a_restore_keeps_the_accounts_and_the_trail(url):
    store = Store(url)
    report = importing.check(importing.read_paths(sorted(MINI.iterdir())), store)
    importing.commit(report, store, "小样本", actor=ADMIN)
    old = recovery.backup(url, actor=ADMIN)  # before the account below existed
    Users(store).add(ADMIN, "keeper", Role.ADMIN, password=PASSWORD)
    Users(store).add(ADMIN, "later", Role.ADMIN, password=PASSWORD)
    Users(store).disable(ADMIN, "later")
    before = [(e.id, e.action) for e in audit.entries(store)]
    recovery.restore(old, url, actor=ADMIN)
    store = Store(url)
    assert Users(store).get("later").disabled  # the old backup brings back nothing
    after = [(e.id, e.action) for e in audit.entries(store)]
    assert after[1:] == before and after[0][1] == audit.RESTORE
    audit.record(store, ADMIN, audit.BACKUP, "next")  # ids go on after the kept ones
    assert audit.entries(store)[0].id == after[0][0] + 1
    store.close()


def test_nothing_offers_to_change_the_trail():
    """The modules that write the trail have no update or delete of it."""
    for module in (audit, users_module, recovery, importing):
        source = inspect.getsource(module)
        assert "AUDIT.update" not in source and "update(AUDIT)" not in source
        assert "delete(AUDIT)" not in source
