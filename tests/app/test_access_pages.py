"""Who may do what, through the app (AppTest): each role × each action on 数据管理 and the admin
pages, a county reporter's import, an admin's roll-back in the trail, the sign-in form, the idle
time-out, viewing that needs a sign-in, and an unexpected error shown by its id only."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import pytest
import streamlit as st
from app_kit import sign_in
from streamlit.testing.v1 import AppTest

from core.access.users import Users
from core.base import settings
from core.ingest import importing
from core.policy.roles import Role
from core.store import audit
from core.store.versions import Store
from tests.access_kit import ADMIN, PASSWORD

APP = str(Path(__file__).parents[2] / "app.py")
MINI = Path(__file__).parents[1] / "fixtures" / "mini"
ACCOUNTS = {"查看": ("viewer", Role.VIEWER, ()), "区县填报": ("jia", Role.REPORTER, ("甲区",)),
            "管理员": ("boss", Role.ADMIN, ())}  # fmt: skip


@pytest.fixture
def url(tmp_path, monkeypatch) -> str:
    """The mini data set imported (entry 1), an account of each role, the office's settings."""
    url = f"sqlite:///{tmp_path}/access.sqlite"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("BRIEFING_BACKUP_DIR", str(tmp_path / "backups"))
    own = tmp_path / "settings.toml"
    shutil.copy(settings.DEFAULTS, own)
    monkeypatch.setenv(settings.SETTINGS_SETTING, str(own))
    store = Store(url)
    importing.commit(importing.check(importing.read_paths(sorted(MINI.iterdir())), store), store,
                     "小样本", actor=ADMIN)  # fmt: skip
    projects = store.current_tables()[0]["项目清单"]
    store.import_batch({"项目清单": projects.iloc[[2]].assign(项目名称="乙县更名")},
                       files=["更正.csv"], actor=ADMIN)  # fmt: skip
    for name, role, counties in ACCOUNTS.values():
        Users(store).add(ADMIN, name, role, password=PASSWORD, counties=counties)
    store.close()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield url
    st.cache_resource.clear()


def set_access(tmp_path: Path, **values) -> None:
    own = tmp_path / "settings.toml"
    text = own.read_text(encoding="utf-8")
    for key, value in values.items():
        text = "\n".join(
            f"{key} = {value!r}".replace("'", '"') if line.startswith(f"{key} =") else line
            for line in text.splitlines()
        )
    own.write_text(text + "\n", encoding="utf-8")


def open_as(who: str, page: str = "data") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if who != "匿名":
        sign_in(at, ACCOUNTS[who][0], PASSWORD)
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def labels(at: AppTest) -> set[str]:
    return {b.label for b in at.button} | {d.label for d in at.get("download_button")}


def can(at: AppTest, action: str) -> bool:
    """Whether the page offers the control of an action."""
    if action == "查看":
        return at.title[0].value == "数据管理" and bool(at.dataframe)
    if action == "下载":
        return {"下载填报模板(.xlsx)", "下载当前数据(.xlsx,可修改后再导入)"} <= labels(at)
    if action == "上传":
        return bool(at.get("file_uploader"))
    if action == "回滚":
        return "回滚" in labels(at)
    if action == "调出":
        return "调出" in labels(at)
    if action == "备份与恢复":
        return "立即备份" in labels(at)
    raise AssertionError(action)


#                                匿名   查看   区县填报 管理员
EXPECTED = {
    "查看": (True, True, True, True),
    "下载": (True, True, True, True),
    "上传": (False, False, True, True),
    "回滚": (False, False, False, True),
    "调出": (False, False, False, True),
    "备份与恢复": (False, False, False, True),
}
ROLES = ("匿名", "查看", "区县填报", "管理员")


@pytest.mark.parametrize("who", ROLES)
def test_each_role_sees_the_controls_it_may_use(url, who):
    at = open_as(who)
    shown = {action: can(at, action) for action in EXPECTED}
    assert shown == {action: row[ROLES.index(who)] for action, row in EXPECTED.items()}
    # The admin pages: in the navigation, and reachable by their path, for an admin only.
    for page, title in (("users", "用户管理"), ("audit", "操作记录")):
        if who != "管理员":  # the router does not know the page: no way to run it
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(f"app_pages/{page}.py")
            continue
        at.switch_page(f"app_pages/{page}.py").run()
        assert at.title[0].value == title and not at.error


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, content, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def projects_csv(*rows: tuple[str, str, str]) -> bytes:
    header, row = (MINI / "项目清单.csv").read_text(encoding="utf-8").splitlines()[:2]
    lines = [header]
    for code, name, county in rows:
        fields = row.split(",")
        fields[0], fields[1], fields[2] = code, name, county
        lines.append(",".join(fields))
    return ("\n".join(lines) + "\n").encode()


def test_a_county_reporter_imports_only_its_county(url):
    at = open_as("区县填报")
    assert any("只能导入甲区的项目数据" in i.value for i in at.info)
    upload(
        at,
        "项目清单.csv",
        projects_csv(("A-001", "甲区改名", "甲区"), ("C-003", "乙县改名", "乙县")),
    )
    report = at.dataframe[-1].value
    assert "确认导入" not in labels(at)
    refused = report.loc[report["说明"].str.contains("不是本账户的区县")]
    assert refused[["行", "值"]].values.tolist() == [["第3行", "乙县"]]
    at = open_as("区县填报")
    upload(at, "项目清单.csv", projects_csv(("A-001", "甲区改名", "甲区")))
    next(b for b in at.button if b.label == "确认导入").click().run()
    assert any("导入完成" in s.value for s in at.success)
    history = at.dataframe[1].value  # its own batches only
    assert history["批次"].tolist() == [3] and history["操作人"].tolist() == ["jia(区县填报)"]
    assert Store(url).current().user == "jia"


def test_an_admin_rolls_back_and_the_trail_shows_who_did_what(url):
    at = open_as("区县填报")
    upload(at, "项目清单.csv", projects_csv(("A-001", "甲区改名", "甲区")))
    next(b for b in at.button if b.label == "确认导入").click().run()
    at = open_as("管理员")
    at.text_input(key="rollback_note_0").input("甲区数据有误")
    at.checkbox(key="rollback_sure_0").check().run()
    next(b for b in at.button if b.label == "回滚").click().run()
    assert any("回滚完成" in s.value for s in at.success)
    at.switch_page("app_pages/audit.py").run()
    trail = at.dataframe[0].value
    done = trail[["账户", "角色", "操作", "对象"]].values.tolist()
    assert done[:4] == [["boss", "管理员", "回滚", "第4批"], ["boss", "管理员", "登录", "boss"],
                        ["jia", "区县填报", "导入", "第3批"], ["jia", "区县填报", "登录", "jia"]]  # fmt: skip
    assert "恢复第2批的数据;原因:甲区数据有误" in trail["详情"].tolist()
    at.selectbox(key="audit_action").select(audit.IMPORT).run()
    assert set(at.dataframe[0].value["操作"]) == {audit.IMPORT}
    assert [d.label for d in at.get("download_button")] == ["下载操作记录(CSV)"]
    assert not [b for b in at.button if "删除" in b.label or "修改" in b.label]


def test_the_admin_page_manages_accounts(url):
    at = open_as("管理员", "users")
    form = {t.label: t for t in at.text_input}
    form["账户名"].input("yi")
    form["初始密码"].input("初始密码不少于十个字符")
    next(s for s in at.selectbox if s.label == "角色").select("区县填报")
    next(m for m in at.multiselect if m.label == "区县(区县填报账户)").select("乙县")
    next(b for b in at.button if b.label == "添加").click().run()
    assert any("已添加账户“yi”" in s.value for s in at.success), [e.value for e in at.error]
    user = Users(Store(url)).get("yi")
    assert (user.role, user.counties, user.has_password) == (Role.REPORTER, ("乙县",), True)
    at.selectbox(key="user_chosen_1").select("yi").run()
    next(b for b in at.button if b.label == "停用账户").click().run()
    assert Users(Store(url)).get("yi").disabled
    wrong = open_as("匿名", "overview")
    sign_in(wrong, "yi", "初始密码不少于十个字符")
    assert any("已停用" in w.value for w in wrong.warning)


def test_a_wrong_password_and_signing_out(url):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    sign_in(at, "boss", "not the password")
    assert any("账户或密码不正确" in w.value for w in at.warning)
    assert not any("已登录" in c.value for c in at.sidebar.caption)
    sign_in(at, "boss", PASSWORD)
    assert any("已登录" in c.value.replace("\\", "") for c in at.sidebar.caption)
    next(b for b in at.button if b.label == "退出登录").click().run()
    assert not any("已登录" in c.value for c in at.sidebar.caption)
    actions = [e.action for e in audit.entries(Store(url))][:3]
    assert actions == [audit.SIGN_OUT, audit.SIGN_IN, audit.SIGN_IN_FAILED]


def test_a_session_ends_after_the_idle_time(url, tmp_path):
    set_access(tmp_path, idle_minutes=0.1)  # 6 s: longer than a run of the page on a busy machine
    at = open_as("管理员")
    assert can(at, "回滚")
    time.sleep(6.5)
    at.run()
    assert not can(at, "回滚")
    assert any("已自动退出登录" in w.value for w in at.warning)
    assert audit.entries(Store(url))[0].action == audit.IDLE_SIGN_OUT


def test_viewing_that_needs_a_sign_in(url, tmp_path):
    set_access(tmp_path, viewing="sign-in")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert at.title[0].value == "请登录" and not at.metric and not at.dataframe
    at.switch_page("app_pages/progress.py").run()
    assert at.title[0].value == "请登录" and not at.dataframe
    sign_in(at, "viewer", PASSWORD)
    assert at.title[0].value != "请登录" and at.dataframe


def test_an_unexpected_error_shows_only_its_id(url, caplog, monkeypatch):
    from app_pages import common

    def broken():  # a fault of the app's own (a wrong settings file is named instead)
        raise RuntimeError("nonsense in settings")

    monkeypatch.setattr(common, "portfolio", broken)
    at = AppTest.from_file(APP, default_timeout=60)
    with caplog.at_level(logging.ERROR, logger="briefing"):
        at.run()
    [error] = at.error
    assert "错误编号" in error.value
    assert "nonsense" not in error.value and "settings" not in error.value
    error_id = error.value.split("错误编号")[1][:8]
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_resumed_session_without_its_cookie_cannot_act_through_a_callback(url, monkeypatch):
    """Widget callbacks run before app.py's sign-in check: a connection that resumed a
    signed-in session without its sign-in cookie (a replayed session id) is signed out there
    too, so 保存议程 saves nothing."""
    from app_pages import signin
    from core.output import agenda as A

    at = open_as("管理员", "agenda")
    save = next(b for b in at.button if b.label == "保存议程")
    monkeypatch.setattr(signin, "_bound", lambda: False)  # the next run: another connection
    save.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert A.Agendas(Store(url)).names() == []  # nothing saved by the replayed request
    shown = [str(e.value) for e in [*at.warning, *at.error, *at.info, *at.sidebar.caption]]
    assert not any("已登录" in t for t in shown), shown
