"""What a user sees when the store is damaged, read-only, killed half-way, or changes under an
open page: a Chinese message and a way back, never an error box."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from app_kit import as_admin, metrics, sign_in
from streamlit.testing.v1 import AppTest

from core.access.users import Users
from core.base import schema as S
from core.ingest import importing
from core.output import pages
from core.policy.roles import Role
from core.store import datasource
from core.store.versions import Store
from tests.access_kit import ADMIN, PASSWORD
from tests.store_kit import kill_inside

APP = str(Path(__file__).parents[2] / "app.py")
MINI = Path(__file__).parents[1] / "fixtures" / "mini"
PAGES = [p.key for p in pages.presented()]  # the pages of the filters (core.output.pages)


@pytest.fixture
def url(tmp_path, monkeypatch) -> str:
    """A store holding the mini data set (entry 1), used by the app in this test."""
    url = f"sqlite:///{tmp_path}/store.sqlite"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("BRIEFING_BACKUP_DIR", str(tmp_path / "backups"))
    store = Store(url)
    report = importing.check(importing.read_paths(sorted(MINI.iterdir())), store)
    importing.commit(report, store, "小样本", actor=ADMIN)
    Users(store).add(ADMIN, "office-admin", Role.ADMIN, password=PASSWORD)  # as_admin signs in
    store.close()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield url
    st.cache_resource.clear()


def open_app(page: str = "overview", admin: bool = False) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if admin:
        as_admin(at)
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at: AppTest) -> str:
    """Every text the page shows in boxes, headings and captions."""
    parts = [*at.error, *at.warning, *at.info, *at.success, *at.title, *at.caption]
    return "\n".join(str(p.value) for p in parts).replace("\\", "")


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def another_import(url: str, name: str = "他人改名") -> None:
    """Someone else's import: project A-001 renamed."""
    store = Store(url)
    projects = store.current_tables()[0][S.PROJECTS]
    store.import_batch(
        {S.PROJECTS: projects.iloc[[0]].assign(**{S.NAME: name})}, files=["x"], actor=ADMIN
    )
    store.close()


def damage(path: Path) -> None:
    with open(path, "r+b") as f:
        f.write(b"this is not a database file at all" * 4)


def test_a_damaged_store_is_reported_everywhere_and_restored_from_a_backup(url, tmp_path):
    from core.store import recovery

    recovery.backup(url, actor=ADMIN)
    at = open_app("data", admin=True)  # an admin signed in before the damage
    damage(tmp_path / "store.sqlite")
    st.cache_resource.clear()  # no pooled connection that read the file before the damage
    for page in PAGES:
        viewer = open_app(page)
        assert "无法读取数据" in shown(viewer) and "请联系管理员" in shown(viewer), page
        assert "store.sqlite" not in shown(viewer) and "已损坏" not in shown(viewer), page
    at.run()
    assert "数据库文件已损坏" in shown(at)
    assert "导入历史" not in [s.value for s in at.subheader]  # the page stops at the panel
    at.checkbox(key="restore_sure").check().run()
    button(at, "从备份恢复").click().run()
    assert not at.exception
    assert "已从" in shown(at) and "当时为第1批" in shown(at)
    assert at.dataframe[1].value["备注"].tolist() == ["小样本"]
    assert "第1批数据" in shown(at) or any("第1批数据" in m.value for m in at.markdown)
    assert (tmp_path / "store.sqlite.damaged-").parent.exists()
    assert list(tmp_path.glob("store.sqlite.damaged-*"))  # the damaged file was kept aside


def test_a_damaged_store_without_backup_can_start_afresh(url, tmp_path):
    at = open_app("data", admin=True)
    damage(tmp_path / "store.sqlite")
    at.run()
    assert "还没有备份" in shown(at)
    button(at, "另存损坏的文件并重新开始").click().run()
    assert not at.exception
    assert "损坏的文件已另存为" in shown(at)
    assert "尚未导入数据" in shown(at)  # the store begins afresh; pages show the demo
    at = open_app()
    assert "无法读取数据" not in shown(at)


def test_a_damaged_snapshot_is_rebuilt(url):
    first = open_app()
    figures = [(m.label, m.value) for m in metrics(first)]
    snapshots = list(Path(os.environ["BRIEFING_CACHE_DIR"]).glob("*/*.parquet"))
    assert snapshots
    for path in snapshots:
        path.write_bytes(b"PAR1 damaged")
    st.cache_resource.clear()
    again = open_app()
    assert [(m.label, m.value) for m in metrics(again)] == figures
    assert figures
    assert datasource.check_snapshot(Store(url)) is None  # rebuilt and readable


def test_half_written_snapshot_folders_are_cleaned(url):
    folder = Path(os.environ["BRIEFING_CACHE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    old, fresh = folder / ".tmp-killed", folder / ".tmp-writing"
    for d in (old, fresh):
        d.mkdir()
        (d / "projects.parquet").write_bytes(b"half")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    open_app()  # writes the snapshot, and cleans up after killed writers
    assert not old.exists()
    assert fresh.exists()  # another process may be writing it


def test_a_read_only_store_shows_its_data_and_refuses_writes_in_chinese(url, tmp_path, monkeypatch):
    another_import(url)
    at = open_app("data", admin=True)  # signed in while the database could still be written
    read_only = f"sqlite:///file:{tmp_path}/store.sqlite?mode=ro&uri=true"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", read_only)
    st.cache_resource.clear()
    viewer = open_app()
    assert any(m.label == "项目数" for m in metrics(viewer))
    sign_in(viewer, "office-admin", PASSWORD)  # a sign-in could not be counted: refused
    assert any("只读" in w.value for w in viewer.warning)
    at.run()
    assert "数据库是只读的" in shown(at)
    at.checkbox(key="rollback_sure_0").check().run()
    button(at, "回滚").click().run()
    assert not at.exception
    assert sum("数据库是只读的" in e.value for e in at.error) == 1
    assert len(Store(url).history()) == 2


def test_a_killed_import_leaves_the_page_as_before(url):
    kill_inside(url, "import", S.MONTHLY)
    at = open_app("data", admin=True)
    assert at.dataframe[1].value["批次"].tolist() == [1]
    assert any("第1批数据" in s.value.replace("\\", "") for s in at.success)


def test_a_rollback_form_refuses_to_act_on_data_that_moved(url):
    another_import(url, "第二批")
    at = open_app("data", admin=True)
    at.checkbox(key="rollback_sure_0").check().run()
    another_import(url, "第三批")  # someone else, while the form is open
    button(at, "回滚").click().run()
    assert not at.exception
    assert any("在您打开本页之后,数据已更新为第3批" in e.value for e in at.error)
    assert [b.id for b in Store(url).history()] == [3, 2, 1]


def test_a_viewer_is_told_when_the_data_change(url):
    at = open_app()
    assert not at.info
    another_import(url)
    at.run()
    batch = Store(url).current()
    assert [i.value for i in at.info] == [
        f"数据已于{batch.created_at.month}月{batch.created_at.day}日{batch.created_at:%H:%M}"
        "更新为第2批(导入),本页已按新数据显示。"
    ]
    at.run()
    assert not at.info  # said once


def test_an_edited_briefing_is_kept_until_the_user_chooses(url):
    at = open_app("briefing")
    generated = at.text_area[0].value
    at.text_area[0].set_value("我改过的简报").run()
    # New data that change the generated text: every plan of 2025 doubled.
    store = Store(url)
    plans = store.current_tables()[0][S.PLANS]
    doubled = plans.assign(**{S.ANNUAL_PLAN: (pd.to_numeric(plans[S.ANNUAL_PLAN]) * 2).astype(str)})
    store.import_batch({S.PLANS: doubled}, files=["plans.csv"], actor=ADMIN)
    at.run()
    assert at.text_area[0].value == "我改过的简报"
    assert any("数据已更新" in w.value for w in at.warning)
    button(at, "改用按新数据生成的文字").click().run()
    assert at.text_area[0].value not in ("我改过的简报", generated)
    assert not any("数据已更新" in w.value for w in at.warning)


def test_an_unedited_briefing_follows_the_data(url):
    at = open_app("briefing")
    before = at.text_area[0].value
    another_import(url)
    store = Store(url)
    plans = store.current_tables()[0][S.PLANS]
    store.import_batch(
        {S.PLANS: plans.assign(**{S.ANNUAL_PLAN: "1"})}, files=["p.csv"], actor=ADMIN
    )
    at.run()
    assert at.text_area[0].value != before
    assert not any("数据已更新" in w.value for w in at.warning)


def test_withdraw_picker_lists_what_the_search_finds(url, monkeypatch):
    """调出项目 offers the projects the search finds (never the whole list of a province) and
    withdraws the one chosen."""
    at = open_app("data", admin=True)
    picker = at.multiselect(key="withdraw_codes_0")
    projects = Store(url).current_tables()[0][S.PROJECTS]
    assert len(picker.options) == len(projects)  # five projects: all listed
    name = projects.iloc[1][S.NAME]
    at.text_input(key="withdraw_query_0").input(name).run()
    picker = at.multiselect(key="withdraw_codes_0")
    assert [o.split("(")[0] for o in picker.options] == [name]
    picker.set_value([projects.iloc[1][S.CODE]]).run()
    at.text_input(key="withdraw_note_0").input("项目终止").run()
    button(at, "调出").click().run()
    assert not at.exception
    assert "调出完成" in shown(at)
    after = Store(url).current_tables()[0][S.PROJECTS].set_index(S.CODE)[S.WITHDRAWN]
    assert after[projects.iloc[1][S.CODE]] != ""
    assert (after != "").sum() == 1


def test_an_import_in_the_session_opens_on_every_level(tmp_path, monkeypatch):
    """The demo opens on 省重点; the office's own data, imported while the page is open, open on
    every level in the same session (not on an empty 省重点). A level the viewer chose stays."""
    url = f"sqlite:///{tmp_path}/fresh.sqlite"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    st.cache_resource.clear()
    at = open_app()
    chosen = open_app()
    assert at.selectbox(key="level").value == "省重点"
    chosen.selectbox(key="level").set_value("市重点").run()
    store = Store(url)
    report = importing.check(importing.read_paths(sorted(MINI.iterdir())), store)
    importing.commit(report, store, "小样本", actor=ADMIN)
    store.close()
    at.run()
    chosen.run()
    assert not at.exception
    assert at.selectbox(key="level").value == "全部"
    assert chosen.selectbox(key="level").value == "市重点"
    st.cache_resource.clear()
