"""The store's problems on screen (core.store.recovery): the notice every page shows when the
data cannot be read, and the block at the top of 数据管理 with backups and the fixes."""

from __future__ import annotations

import streamlit as st

from app_pages import common, signin
from core.policy import roles
from core.store import recovery
from core.store.versions import StoreError

_PROBLEM_KEY = "_store_problem"  # set by app.py when the data could not be loaded this run
_DONE_KEY = "_recovery_done"
_HEALTH_KEY = "_store_health"


def unavailable(problem: StoreError) -> None:
    """Any page but 数据管理 when the data cannot be read: what is wrong, and where to fix it."""
    st.title("无法读取数据")
    st.error(_said(problem), icon=":material/error:")
    st.page_link("app_pages/data.py", label="前往“数据管理”处理", icon=":material/database:")


def unavailable_here(problem: StoreError) -> None:
    """数据管理 itself: its panel shows the problem with the fixes."""
    st.session_state[_PROBLEM_KEY] = problem


def loaded() -> None:
    """The data were read this run: no problem to remember. A store opened read-only (its
    folder cannot be written) is said so above every page."""
    st.session_state.pop(_PROBLEM_KEY, None)
    if recovery.opened_read_only(common.database_url_in_use()):
        st.warning(
            "数据库所在的文件夹目前不可写入:数据只能查看,导入、回滚、登录等任何更改都无法保存。"
            "请管理员恢复该文件夹的写入权限。",
            icon=":material/lock:",
        )


def panel() -> bool:
    """数据管理's first block: the store's problem, with the fixes when it cannot be used.
    Returns True when the store cannot be used at all, and the rest of the page must not run;
    a read-only store is shown with a warning and the page goes on."""
    health = st.session_state[_HEALTH_KEY] = recovery.health(common.database_url_in_use())
    problem = health.problem or st.session_state.get(_PROBLEM_KEY)
    if _DONE_KEY in st.session_state:
        st.success(st.session_state.pop(_DONE_KEY), icon=":material/check_circle:")
    if problem is not None:
        st.error(_said(problem), icon=":material/error:")
        if roles.may(signin.actor(), roles.RESTORE):
            _fixes(health, problem)
        return True
    if not health.writable:
        st.warning(_said(recovery.read_only(health.url)), icon=":material/lock:")
    return False


def _said(problem: StoreError) -> str:
    """The problem as this person may read it: where the database is, only for an admin."""
    return problem.message if roles.may(signin.actor(), roles.RESTORE) else problem.public


def backups_section() -> None:
    """数据管理's last block: backups, and restoring one, while all is well."""
    st.subheader("备份与恢复")
    _fixes(st.session_state[_HEALTH_KEY], None)  # as panel() found it in this run


def _fixes(health: recovery.Health, problem: StoreError | None) -> None:
    with st.expander("数据库备份与恢复", expanded=problem is not None, icon=":material/backup:"):
        if problem is None and st.button("立即备份", icon=":material/backup:"):
            _act(lambda: f"已备份为{_backup().name}。")
        if health.backups:
            choice = st.selectbox(
                "备份",
                range(len(health.backups)),
                format_func=lambda i: health.backups[i].label(),
                key="restore_choice",
            )
            sure = st.checkbox(
                "确认用这份备份替换数据库中的全部数据(包括导入历史)", key="restore_sure"
            )
            if st.button(
                "从备份恢复", icon=":material/settings_backup_restore:", disabled=not sure
            ):
                chosen = health.backups[choice]
                _act(lambda: _restored(chosen))
        else:
            st.caption(f"备份文件夹“{recovery.backups_folder().name}”中还没有备份。")
        if health.can_set_aside:
            st.caption("没有可用的备份时:把损坏的文件另存一旁,数据库重新开始(先显示示例数据)。")
            if st.button("另存损坏的文件并重新开始", icon=":material/restart_alt:"):
                _act(lambda: f"损坏的文件已另存为{_set_aside().name}。")


def _backup():
    return recovery.backup(common.database_url_in_use(), actor=signin.actor())


def _set_aside():
    return recovery.set_aside(common.database_url_in_use(), actor=signin.actor())


def _restored(chosen: recovery.Backup) -> str:
    recovery.restore(chosen.path, common.database_url_in_use(), actor=signin.actor())
    return f"已从{chosen.label()}恢复。"


def _act(action) -> None:
    """Run a fix; on success forget every cached store and data set and show the page anew."""
    try:
        done = action()
    except (StoreError, ValueError, roles.Refused) as exc:
        st.error(common.plain(getattr(exc, "message", str(exc))), icon=":material/error:")
        return
    except OSError as exc:  # a folder that cannot be written: the path stays in the log
        common.report_error(exc)
        return
    st.cache_resource.clear()
    st.session_state.pop(_PROBLEM_KEY, None)
    st.session_state[_DONE_KEY] = done
    st.rerun()
