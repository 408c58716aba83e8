"""重大项目运行监测: the entry point — page set-up, who is at the screen, the shared sidebar, and
the page router."""

import streamlit as st

from app_pages import common, opening, presentation, recovery, search_box, signin
from core.base import settings
from core.output import pages as registry
from core.policy import roles
from core.store.versions import StoreError

st.set_page_config(
    page_title="重大项目运行监测",
    # A local picture: a :material/…: page icon is fetched from Google's font server.
    page_icon="app_pages/assets/favicon.png",
    layout="wide",
    initial_sidebar_state="auto",
)


def _routed(actor: roles.Actor) -> list:
    """The registry's pages this actor may see (core.output.pages), as the router's st.Page:
    the router does not know a page for anyone else, and each page asks core again
    (roles.require) before it shows anything."""
    return [
        st.Page(p.script, title=p.title, icon=p.icon, url_path=p.url_path or None,
                default=p.default, visibility="hidden" if p.hidden else "visible")
        for p in registry.PAGES
        if roles.may(actor, p.action)
    ]  # fmt: skip


def main() -> None:
    actor = signin.current()
    pages = _routed(actor)
    try:
        data = common.portfolio()
    except StoreError as problem:  # a damaged or unreachable store: 数据管理 offers the fixes
        navigation = st.navigation(pages, expanded=True)
        common.style()
        signin.gate(actor)
        signin.sidebar(actor)  # an admin signs in here to restore a backup (数据管理)
        if navigation.url_path != "data":
            recovery.unavailable(problem)
            st.stop()
        recovery.unavailable_here(problem)
        navigation.run()
        st.stop()
    recovery.loaded()
    # The page reads the same data set without asking the store again, and the settings (with
    # the categories the data's load put in force) read once: formatting asks at every figure.
    with common.this_run(data), settings.held():
        _page(data, actor, pages)


def _page(data, actor: roles.Actor, pages: list) -> None:
    # Every county's opening view computed in the background as soon as a data version is
    # loaded, by whichever page (or the start-up health check) loads it: a meeting opens on a
    # server that has its views ready (app_pages.opening).
    opening.start(data)
    presentation.begin(data)  # ?agenda=NAME: set the first view's filters before the sidebar
    # Every page listed: a collapsed menu would end in Streamlit's English "View 3 more".
    navigation = st.navigation(
        pages, position="hidden" if common.presenting() else "sidebar", expanded=True
    )
    page = presentation.page_key(navigation.url_path)
    presentation.follow(page)
    common.style()
    signin.gate(actor)  # viewing that needs a sign-in stops here with the form
    common.page_not_found([pg.url_path for pg in pages])
    common.sidebar(data)
    search_box.sidebar(data)  # 查找项目 on every page
    if not common.presenting():
        signin.sidebar(actor)
    common.data_change_notice(data)
    if common.presenting():
        presentation.bar(data, page)
    navigation.run()


try:
    settings.current()  # the settings file checked whole: each wrong key named, in Chinese
    with opening.running():  # the background warming waits for the end of this run
        main()
except settings.SettingsError as wrong:
    st.error(
        common.plain(f"设置文件有误,请管理员改正后刷新页面:\n{wrong}"), icon=":material/error:"
    )
except Exception as exc:  # st.stop and st.rerun are not Exceptions: they pass
    common.report_error(exc)
