"""汇报模式: each page cut into screens that fit a 1920×1080 projector, stepped through with
buttons (and ← → on the keyboard), with the meeting's agenda when one is opened by link.

Not a page: app.py calls `begin()` before the sidebar, `bar()` after it; pages ask `shows()`
which of their parts belong to the screen on view.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from app_pages import common
from core.figures.scope import ALL
from core.output import pages
from core.output.agenda import Agenda, Agendas, View
from core.store.portfolio import Portfolio

AGENDA_PARAM = "agenda"  # ?agenda=3月调度会 opens that agenda in 汇报模式
_AGENDA_KEY = "_agenda"  # the agenda being presented (its name)
_STEP_KEY = "_present_step"
_GOTO_KEY = "_present_goto"  # a page to switch to on the next run

# Type sized for the back of a meeting room; the sidebar and Streamlit's own chrome are hidden.
PROJECTOR_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stExpandSidebarButton"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 0.5rem 2.5rem 0.5rem 2.5rem !important;
  max-width: none !important; }
[data-testid="stMain"] h1 { font-size: 2.6rem !important; padding: 0.2rem 0 0.3rem 0 !important; }
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 1.9rem !important;
  line-height: 1.35 !important; }
[data-testid="stTextArea"] textarea { font-size: 22px !important; line-height: 1.5 !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li {
  font-size: 24px !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {
  font-size: 20px !important; }
[data-testid="stMetricValue"] { font-size: 56px !important; }
[data-testid="stMetricValue"] > div, [data-testid="stMetricValue"] p {
  font-size: 56px !important; line-height: 1.15 !important; }
[data-testid="stMetricLabel"] p { font-size: 22px !important; }
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] p { font-size: 21px !important; }
[data-testid="stMetric"] { padding: 0.55rem 0.9rem !important; }
[data-testid="stVerticalBlock"] { gap: 0.55rem !important; }
</style>
"""


@dataclass(frozen=True)
class Step:
    view: View
    screen: int  # index into the view's page's screens (core.output.pages)


def _agenda() -> Agenda | None:
    name = st.session_state.get(_AGENDA_KEY)
    return Agendas(common.store()).get(name) if name else None


def steps() -> list[Step]:
    """The screens of the meeting: the agenda's views, or every page at the sidebar's filters."""
    screens = pages.screens()  # each presented page's screens, in order
    agenda = _agenda()
    if agenda:
        views = [v for v in agenda.views if v.page in screens]
    else:
        views = [View.of(page, common.scope()) for page in screens]
    return [Step(v, i) for v in views for i in range(len(screens[v.page]))]


def _apply(view: View) -> None:
    """Set the sidebar's filters to a view's (before the widgets are drawn in this run)."""
    st.session_state["county"] = list(view.counties)
    st.session_state["sector"] = list(view.sectors)
    st.session_state["level"] = view.level or ALL
    st.session_state["stage"] = view.stage or ALL


def _go(index: int) -> None:
    """Callback of the buttons: show step `index`, switching page and filters as it says."""
    all_steps = steps()
    if not all_steps:
        return
    index = max(0, min(index, len(all_steps) - 1))
    st.session_state[_STEP_KEY] = index
    target = all_steps[index].view
    if st.session_state.get(_AGENDA_KEY):
        _apply(target)
    st.session_state[_GOTO_KEY] = target.page


def _stop() -> None:
    common.set_presenting(False)
    st.session_state[_AGENDA_KEY] = None


def begin(p: Portfolio) -> None:
    """On a session's first run, open the agenda a link names (?agenda=NAME) in 汇报模式."""
    if "_agenda_link_read" in st.session_state:
        return
    st.session_state["_agenda_link_read"] = True
    name = st.query_params.get(AGENDA_PARAM)
    if not name:
        return
    if not start(name):
        common.add_notice(f"链接中的会议议程“{name}”不存在,请在“会议议程”页查看已保存的议程。")


def start(agenda_name: str) -> bool:
    """Present a saved agenda from its first view (also the 开始汇报 button's callback);
    False when there is no such agenda."""
    agenda = Agendas(common.store()).get(agenda_name)
    if agenda is None or not agenda.views:
        return False
    st.session_state[_AGENDA_KEY] = agenda.name
    common.set_presenting(True)
    st.session_state[_STEP_KEY] = 0
    _apply(agenda.views[0])
    st.session_state[_GOTO_KEY] = agenda.views[0].page
    return True


def follow(current_page: str) -> None:
    """Switch to the page a button asked for (after st.navigation, before the page runs)."""
    goto = st.session_state.pop(_GOTO_KEY, None)
    if goto and goto != current_page:
        # Only the unbound parameters are handed over: switch_page cannot clear those bound to
        # the sidebar's widgets, which write themselves into the new page's URL.
        keep = (common.PRESENT_PARAM, common.SCHEDULE_PARAM, AGENDA_PARAM)
        params = {k: st.query_params.get_all(k) for k in keep if k in st.query_params}
        st.switch_page(pages.get(goto).script, query_params=params)


def page_key(url_path: str) -> str:
    """The registry's key of the page at `url_path` ("" is the default page's)."""
    return next((p.key for p in pages.PAGES if p.url_path == url_path), url_path)


def _current_index(all_steps: list[Step], page: str) -> int:
    """The step on view: the stored one if it is on this page, else this page's first."""
    index = st.session_state.get(_STEP_KEY, 0)
    if 0 <= index < len(all_steps) and all_steps[index].view.page == page:
        return index
    for i, s in enumerate(all_steps):
        if s.view.page == page:
            st.session_state[_STEP_KEY] = i
            return i
    return -1


def shows(page: str):
    """`shows(page)(i)`: whether screen i of the page is on view (always, outside 汇报模式)."""
    if not common.presenting():
        return lambda i: True
    all_steps = steps()
    index = _current_index(all_steps, page)
    screen = all_steps[index].screen if index >= 0 else 0
    return lambda i: i == screen


def bar(p: Portfolio, page: str) -> None:
    """The presenter's bar above the page: where we are, the stamp, previous/next, exit."""
    st.html(PROJECTOR_CSS)
    all_steps = steps()
    index = _current_index(all_steps, page)
    agenda = st.session_state.get(_AGENDA_KEY)
    scope = common.scope()
    stamp = f"{scope.period.as_of} · 数据:{p.source}"
    if index >= 0:
        step = all_steps[index]
        shown = pages.get(step.view.page)
        where = f"第{index + 1}/{len(all_steps)}屏 · {shown.title} · {shown.screens[step.screen]}"
    else:
        where = pages.by_key()[page].title if page in pages.by_key() else ""
    if agenda:
        where = f"{agenda} · {where}"
    left, prev, nxt, stop = st.columns([6, 1, 1, 1], vertical_alignment="center")
    left.caption(common.plain(f"{where}  |  {stamp}"))
    prev.button("上一屏", icon=":material/chevron_left:", on_click=_go, args=(index - 1,),
                disabled=index <= 0, shortcut="Left", width="stretch", key="present_prev")  # fmt: skip
    nxt.button("下一屏", icon=":material/chevron_right:", on_click=_go, args=(index + 1,),
               disabled=index < 0 or index >= len(all_steps) - 1, shortcut="Right",
               width="stretch", key="present_next", type="primary")  # fmt: skip
    stop.button("退出汇报", icon=":material/close:", on_click=_stop, width="stretch",
                key="present_stop")  # fmt: skip
