"""Recovery that can be reached from the browser (issue 24 item 12), in headless Chromium
against the real server: a store in a read-only folder (a read-only bind mount, so that even
root cannot write it) shows its data with a notice that changes cannot be saved; a truncated
store shows the sign-in form, and its admin signs in (the accounts read from the newest
backup), restores that backup on 数据管理 and the pages show the data again."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser_kit import (
    ALERT,
    RUN_TIMEOUT,
    SIDEBAR,
    Server,
    app_server,
    free_port,
    open_page,
    sign_in,
    started,
    wait_for_run,
)

from core.access.users import Users
from core.ingest import importing
from core.policy.roles import Role
from core.store import recovery
from core.store.versions import Store
from tests.access_kit import ADMIN, PASSWORD

MINI = Path(__file__).parents[1] / "fixtures" / "mini"
BATCH = "第1批数据"  # the sidebar names the data in use


def _store_with_data(folder: Path) -> str:
    """A SQLite store holding the mini data set (entry 1) and the admin account."""
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder}/store.sqlite"
    store = Store(url)
    try:
        report = importing.check(importing.read_paths(sorted(MINI.iterdir())), store)
        importing.commit(report, store, "小样本", actor=ADMIN)
        Users(store).add(ADMIN, "office-admin", Role.ADMIN, password=PASSWORD)
    finally:
        store.close()
    return url


def _can_mount_read_only(scratch: Path) -> str | None:
    """Why a read-only bind mount cannot be made here (None when it can)."""
    if shutil.which("unshare") is None:
        return "unshare is not installed"
    (scratch / "src").mkdir(parents=True, exist_ok=True)
    (scratch / "mnt").mkdir(exist_ok=True)
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c",
         f"mount --bind {scratch / 'src'} {scratch / 'mnt'} && "
         f"mount -o remount,bind,ro {scratch / 'mnt'} && ! touch {scratch / 'mnt'}/x"],
        capture_output=True, text=True,
    )  # fmt: skip
    return None if probe.returncode == 0 else f"no read-only bind mount: {probe.stderr.strip()}"


def test_a_store_in_a_read_only_folder_shows_its_data(chromium, page, tmp_path):
    from playwright.sync_api import expect

    problem = _can_mount_read_only(tmp_path / "probe")
    if problem:
        if os.environ.get("BRIEFING_REQUIRE_BROWSER") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    _store_with_data(tmp_path / "db")
    mount = tmp_path / "readonly"
    mount.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "BRIEFING_DATABASE_URL": f"sqlite:///{mount}/store.sqlite",
           "BRIEFING_CACHE_DIR": str(tmp_path / "cache"),
           "BRIEFING_BACKUP_DIR": str(tmp_path / "backups")}  # fmt: skip
    env.pop("BRIEFING_DATA_DIR", None)
    serve = (f"mount --bind {tmp_path / 'db'} {mount} && mount -o remount,bind,ro {mount} && "
             f"exec {sys.executable} -m streamlit run app.py --server.headless true "
             f"--server.address 127.0.0.1 --server.port {port} "
             "--browser.gatherUsageStats false --server.fileWatcherType none")  # fmt: skip
    log = tmp_path / "server.log"
    with started(["unshare", "-m", "sh", "-c", serve], url, log, env, "/_stcore/health"):
        for path in ("/", "/progress", "/data"):
            page.goto(f"{url}{path}", wait_until="domcontentloaded")
            wait_for_run(page)
            expect(page.locator("h1").filter(has_text="无法读取数据")).to_have_count(0)
            expect(page.locator(SIDEBAR)).to_contain_text(BATCH)
            expect(page.locator(ALERT).filter(has_text="数据只能查看").first).to_be_visible()
        # 数据管理 says why nothing can be imported, in Chinese.
        expect(page.locator(ALERT).filter(has_text="只读").first).to_be_visible()
        assert "Traceback" not in log.read_text(errors="replace")
    # The store was not changed by the visits.
    assert [b.id for b in Store(f"sqlite:///{tmp_path}/db/store.sqlite").history()] == [1]


def test_a_truncated_store_is_restored_by_its_admin_from_the_browser(
    chromium, page, tmp_path, monkeypatch
):
    from playwright.sync_api import expect

    backups = tmp_path / "backups"
    monkeypatch.setenv("BRIEFING_BACKUP_DIR", str(backups))
    url = _store_with_data(tmp_path / "db")
    made = recovery.backup(url, actor=ADMIN)
    path = tmp_path / "db" / "store.sqlite"
    with open(path, "r+b") as f:  # truncated: the accounts cannot be read from it any more
        f.truncate(path.stat().st_size // 3)
    (tmp_path / "app").mkdir()
    with app_server(tmp_path / "app", env={"BRIEFING_DATABASE_URL": url,
                                           "BRIEFING_BACKUP_DIR": str(backups)}) as running:  # fmt: skip
        server = Server(running.url, url, running.log)
        open_page(page, running.url + "/", "无法读取数据")
        # A wrong password and a viewer's account are refused; the admin signs in.
        sidebar = page.locator(SIDEBAR)
        sidebar.locator("[data-testid='stExpander'] summary").filter(has_text="登录").click()
        sidebar.get_by_label("账户", exact=True).fill("office-admin")
        sidebar.get_by_label("密码", exact=True).fill("not the password")
        sidebar.locator("[data-testid='stFormSubmitButton'] button").click()
        expect(page.locator(ALERT).filter(has_text="账户或密码不正确").first).to_be_visible(
            timeout=RUN_TIMEOUT
        )
        sign_in(page, server, "office-admin", PASSWORD)
        expect(sidebar.get_by_text(re.compile("^已登录"))).to_contain_text("管理员")
        page.get_by_role("link", name="前往“数据管理”处理").click()
        wait_for_run(page, "数据管理")
        expect(page.locator(ALERT).filter(has_text="数据库文件已损坏").first).to_be_visible()
        page.get_by_text("确认用这份备份替换数据库中的全部数据").click()
        restore = page.get_by_role("button", name="从备份恢复")
        expect(restore).to_be_enabled(timeout=RUN_TIMEOUT)  # once the tick's rerun is done
        restore.click()
        # The success line (已从…恢复), not the damage notice, which also says 可从备份恢复.
        expect(page.get_by_text(re.compile("^已从.*恢复。$")).first).to_be_visible(
            timeout=RUN_TIMEOUT
        )
        open_page(page, running.url + "/")
        expect(page.locator("h1").filter(has_text="无法读取数据")).to_have_count(0)
        expect(page.locator(SIDEBAR)).to_contain_text(BATCH)
    store = Store(url)
    try:
        assert [b.id for b in store.history()] == [1]
        assert Users(store).get("office-admin") is not None
    finally:
        store.close()
    assert made.exists()
