"""重大项目运行监测: the entry point — page set-up, who is at the screen, the shared sidebar, and
the page router."""

import streamlit as st

from app_pages import common, presentation, recovery, signin
from core.policy import roles
from core.store.versions import StoreError

st.set_page_config(
    page_title="重大项目运行监测",
    # A local picture: a :material/…: page icon is fetched from Google's font server.
    page_icon="app_pages/assets/favicon.png",
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGES = [
    st.Page("app_pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
    st.Page(
        "app_pages/progress.py", title="项目进度", icon=":material/checklist:", url_path="progress"
    ),
    st.Page(
        "app_pages/growth.py", title="投资增长", icon=":material/trending_up:", url_path="growth"
    ),
    st.Page("app_pages/map.py", title="项目地图", icon=":material/map:", url_path="map"),
    st.Page(
        "app_pages/factors.py", title="要素保障", icon=":material/construction:", url_path="factors"
    ),
    st.Page("app_pages/alerts.py", title="预警", icon=":material/warning:", url_path="alerts"),
    st.Page(
        "app_pages/ranking.py", title="红黑榜", icon=":material/leaderboard:", url_path="ranking"
    ),
    st.Page(
        "app_pages/supervision.py",
        title="问题督办",
        icon=":material/assignment_turned_in:",
        url_path="supervision",
    ),
    st.Page(
        "app_pages/milestones.py",
        title="挂图作战",
        icon=":material/view_timeline:",
        url_path="milestones",
    ),
    st.Page(
        "app_pages/indicators.py",
        title="经济指标",
        icon=":material/monitoring:",
        url_path="indicators",
    ),
    st.Page("app_pages/briefing.py", title="简报", icon=":material/article:", url_path="briefing"),
    st.Page(
        "app_pages/agenda.py", title="会议议程", icon=":material/event_note:", url_path="agenda"
    ),
    st.Page("app_pages/data.py", title="数据管理", icon=":material/database:", url_path="data"),
]
# Only for an admin: the router does not know these pages for anyone else, and each page asks
# core again (roles.require) before it shows anything.
ADMIN_PAGES = [
    st.Page("app_pages/users.py", title="用户管理", icon=":material/group:", url_path="users"),
    st.Page(
        "app_pages/audit.py", title="操作记录", icon=":material/history_edu:", url_path="audit"
    ),
]


def main() -> None:
    actor = signin.current()
    pages = PAGES + (ADMIN_PAGES if roles.may(actor, roles.USERS) else [])
    try:
        data = common.portfolio()
    except StoreError as problem:  # a damaged or unreachable store: 数据管理 offers the fixes
        navigation = st.navigation(pages, expanded=True)
        common.style()
        signin.gate(actor)
        if navigation.url_path != "data":
            recovery.unavailable(problem)
            st.stop()
        recovery.unavailable_here(problem)
        navigation.run()
        st.stop()
    recovery.loaded()
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
    if not common.presenting():
        signin.sidebar(actor)
    common.data_change_notice(data)
    if common.presenting():
        presentation.bar(data, page)
    navigation.run()


try:
    main()
except Exception as exc:  # st.stop and st.rerun are not Exceptions: they pass
    common.report_error(exc)
