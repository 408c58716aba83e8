"""Backups, restore, the store check and the problems of a database, on SQLite and PostgreSQL:
each problem is a StoreError with the Chinese message the user reads."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from core.base import schema as S
from core.ingest import importing
from core.store import audit, recovery
from core.store.versions import CORRUPT, READ_ONLY, UNREACHABLE, Store, StoreError
from tests.access_kit import ADMIN
from tests.store_kit import cli

MINI = Path(__file__).parents[2] / "fixtures" / "mini"


@pytest.fixture(autouse=True)
def folders(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFING_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))


def seeded(url: str) -> Store:
    store = Store(url)
    report = importing.check(importing.read_paths(sorted(MINI.iterdir())), store)
    importing.commit(report, store, "小样本", actor=ADMIN)
    return store


def rename(store: Store, name: str) -> None:
    projects = store.current_tables()[0][S.PROJECTS]
    store.import_batch(
        {S.PROJECTS: projects.iloc[[0]].assign(**{S.NAME: name})}, files=["x"], actor=ADMIN
    )


def everything(store: Store):
    history = store.history()
    return history, {b.id: store.tables_as_of(b.id) for b in history}


def assert_same(actual, expected) -> None:
    assert actual[0] == expected[0]
    for entry_id, (tables, boundaries) in expected[1].items():
        got_tables, got_boundaries = actual[1][entry_id]
        assert got_boundaries == boundaries
        for name in S.TABLES:
            pd.testing.assert_frame_equal(got_tables[name], tables[name])


def test_backup_and_restore_bring_back_data_and_history(url):
    store = seeded(url)
    rename(store, "备份时的名称")
    saved = everything(store)
    path = recovery.backup(url, actor=ADMIN)
    assert path.parent == recovery.backups_folder() and path.suffix == ".sqlite"
    rename(store, "备份后的修改")
    store.rollback(1, actor=ADMIN)
    restored = recovery.restore(path, url, actor=ADMIN)
    assert restored == saved[0][0]
    assert_same(everything(Store(url)), saved)
    [listed] = recovery.list_backups()
    assert listed.path == path and listed.current == saved[0][0]
    assert listed.label().endswith(f"当时为第2批(导入于{restored.created_at:%Y-%m-%d %H:%M})")
    store.close()


def test_a_backup_of_a_sqlite_store_restores_into_either_database(url, tmp_path):
    """The backup is one format: a SQLite store's backup restores into PostgreSQL too."""
    other = f"sqlite:///{tmp_path}/other.sqlite"
    seeded(other)
    saved = everything(Store(other))
    recovery.restore(recovery.backup(other, actor=ADMIN), url, actor=ADMIN)
    assert_same(everything(Store(url)), saved)


def test_a_damaged_backup_is_refused_and_changes_nothing(url, tmp_path):
    store = seeded(url)
    before = everything(store)
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a backup" * 100)
    with pytest.raises(ValueError, match=re.escape("备份文件“bad.sqlite”已损坏或不是本程序的备份")):
        recovery.restore(bad, url, actor=ADMIN)
    with pytest.raises(ValueError, match="找不到备份文件"):
        recovery.restore(tmp_path / "missing.sqlite", url, actor=ADMIN)
    assert_same(everything(store), before)


def test_check_store_says_all_is_well(url):
    seeded(url).close()
    ok, lines = recovery.check(url)
    assert ok, lines
    assert lines[1] == "✓ 数据库可以打开,结构为最新版本。"
    assert any(line.startswith("✓ 当前为第1批数据") for line in lines)
    assert lines[-1].startswith("备份:") and "还没有备份" in lines[-1]


def test_check_store_does_not_claim_a_snapshot_it_could_not_write(url, tmp_path, monkeypatch):
    seeded(url).close()
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the snapshot folder should be")  # mkdir fails: OSError
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(blocked / "cache"))
    ok, lines = recovery.check(url)
    assert not ok
    assert not any("快照" in line and line.startswith("✓") for line in lines), lines
    assert any(line.startswith("✗ 快照文件未能写入快照文件夹“cache”") for line in lines), lines


def test_check_store_finds_rows_that_do_not_match_the_entry(url):
    store = seeded(url)
    with store._engine.begin() as conn:  # damage: one current plan row lost behind its back
        conn.execute(sa.text("DELETE FROM annual_plans WHERE row_no = 0"))
    ok, lines = recovery.check(url)
    assert not ok
    assert "✗ 当前数据的行数与第1批的记录不一致,请从备份恢复或回滚到上一批。" in lines


def test_the_commands(tmp_path):
    url = f"sqlite:///{tmp_path}/s.sqlite"
    seeded(url).close()
    code, out, _ = cli("--database", url, "backup")
    assert code == 0 and out.startswith("已备份到 ")
    path = Path(out.split(" ", 1)[1].strip())
    (tmp_path / "s.sqlite").write_bytes(b"damaged" * 1000)
    code, out, err = cli("--database", url, "history")
    assert code == 1 and err.startswith("错误:数据库文件已损坏,无法读取(")
    code, out, _ = cli("--database", url, "check-store")
    assert code == 1 and "✗ 数据库文件已损坏" in out and "最新为" in out
    code, out, _ = cli("--database", url, "restore", str(path))
    assert code == 0 and out.startswith("已恢复:当前为第1批数据(导入于")
    code, out, _ = cli("--database", url, "check-store")
    assert code == 0, out
    assert list(tmp_path.glob("s.sqlite.damaged-*"))


# --- problems of the database itself -------------------------------------------------------


def test_a_damaged_sqlite_file(tmp_path):
    path = tmp_path / "s.sqlite"
    seeded(f"sqlite:///{path}").close()
    with open(path, "r+b") as f:
        f.write(b"garbage" * 20)
    with pytest.raises(StoreError) as raised:
        Store(f"sqlite:///{path}")
    assert raised.value.kind == CORRUPT
    assert raised.value.message.startswith(f"数据库文件已损坏,无法读取({path})。可从备份恢复")
    health = recovery.health(f"sqlite:///{path}")
    assert not health.usable and health.can_set_aside
    aside = recovery.set_aside(f"sqlite:///{path}", actor=ADMIN)
    assert aside.exists() and aside != path
    fresh = Store(f"sqlite:///{path}")
    assert fresh.current() is None  # begins afresh, with the setting aside in its trail
    [entry] = audit.entries(fresh)
    assert (entry.action, entry.target, entry.user) == (audit.SET_ASIDE, aside.name, ADMIN.user)


def read_only_url(url: str, tmp_path: Path) -> str:
    if url.startswith("sqlite"):
        return f"sqlite:///file:{tmp_path}/s.sqlite?mode=ro&uri=true"
    return (
        sa.make_url(url)
        .update_query_dict({"options": "-c default_transaction_read_only=on"})
        .render_as_string(hide_password=False)
    )


def test_a_read_only_database_reads_and_refuses_writes(url, tmp_path):
    store = seeded(url)
    rename(store, "第二批")
    store.close()
    read_only = Store(read_only_url(url, tmp_path))
    assert not read_only.writable()
    assert read_only.current().id == 2
    assert read_only.current_tables()[0][S.PROJECTS].iloc[-1][S.NAME] == "第二批"
    for write in (
        lambda: read_only.rollback(1, actor=ADMIN),
        lambda: read_only.import_batch({}, files=[], actor=ADMIN),
    ):
        with pytest.raises(StoreError) as raised:
            write()
        assert raised.value.kind == READ_ONLY
        assert raised.value.message.startswith("数据库是只读的(")
    health = recovery.health(read_only.url)
    assert health.usable and not health.writable
    assert health.message().startswith("数据库是只读的(")
    assert [b.id for b in Store(url).history()] == [2, 1]


def test_a_server_that_does_not_answer():
    url = "postgresql+psycopg://briefing:briefing@127.0.0.1:1/none"
    with pytest.raises(StoreError) as raised:
        Store(url)
    assert raised.value.kind == UNREACHABLE
    assert raised.value.message == (
        "无法打开数据库(127.0.0.1:1/none)。请确认数据库服务器已启动、地址和账户正确,"
        "或数据库文件所在的文件夹存在且可以访问。"
    )
    assert "briefing@" not in raised.value.message  # no account name or password shown


def test_export_of_the_data_as_of_a_batch(tmp_path):
    url = f"sqlite:///{tmp_path}/s.sqlite"
    store = seeded(url)
    first_name = store.current_tables()[0][S.PROJECTS][S.NAME].iloc[0]
    rename(store, "第二批的名称")
    for batch, expected in ((1, first_name), (None, "第二批的名称")):
        out = tmp_path / f"导出{batch}.xlsx"
        code, said, _ = cli(
            "--database", url, "export", str(out), *(["--batch", "1"] if batch else [])
        )
        assert code == 0 and said.startswith(str(out))
        assert ("第1批之后的数据" in said) == (batch == 1)
        names = pd.read_excel(out, sheet_name=S.PROJECTS, dtype=str)[S.NAME].tolist()
        assert expected in names and len(names) == 5
    code, _, err = cli("--database", url, "export", str(tmp_path / "x.xlsx"), "--batch", "9")
    assert (code, err) == (1, "错误:历史记录中没有第9批数据\n")


class _PgError(Exception):
    sqlstate = "53100"  # disk_full, as psycopg reports it


@pytest.mark.parametrize(
    ("exc", "url"),
    [
        (sa.exc.OperationalError("INSERT", {}, Exception("database or disk is full")),
         "sqlite:////srv/briefing.sqlite"),
        (sa.exc.OperationalError("INSERT", {}, _PgError("could not extend file")),
         "postgresql://u@db/briefing"),
        (OSError(28, "No space left on device"), "sqlite:////srv/briefing.sqlite"),
    ],
)  # fmt: skip
def test_a_full_disk_is_said_as_such(exc, url):
    from core.store.versions import DISK_FULL, problem

    said = problem(exc, url)
    assert said.kind == DISK_FULL
    assert (
        said.message.startswith("数据库所在的磁盘空间已满") and "数据库操作失败" not in said.message
    )
    assert said.public.startswith("服务器磁盘空间已满") and "srv" not in said.public
