"""The sidebar's filters, bound to the URL: the scope and the 序时进度 rule every page reads
(`scope()`, `convention()`), 汇报模式's switch, and the notices of a link whose values do not
exist."""

from __future__ import annotations

import streamlit as st

from app_pages.escape import plain
from core.base import schema as S
from core.base.periods import Convention, Period
from core.figures import measures as M
from core.figures.scope import ALL, Scope, default_level
from core.output import pages as registry
from core.store.portfolio import Portfolio

_SCOPE_KEY = "_scope"
_NOTICES_KEY = "_url_notices"


def scope() -> Scope:
    return st.session_state[_SCOPE_KEY]


def convention() -> Convention:
    """The 序时进度 rule in force. Every page that shows 序时进度 asks for it right below its
    heading (chrome.header): under the projects' monthly plans, the first call after the
    heading also states, as a caption, how many of the scope's projects have no plan and take
    [schedule] plan_fallback (measures.schedule_notice)."""
    conv = Convention(st.session_state.get(SCHEDULE_PARAM, Convention.default().value))
    if st.session_state.get(_SCHEDULE_NOTICE_DUE):
        st.session_state[_SCHEDULE_NOTICE_DUE] = False
        p = st.session_state.get(_PORTFOLIO_KEY)
        notice = None if p is None else M.schedule_notice(p, scope(), conv)
        if notice:
            st.caption(plain(notice))
    return conv


# Set by url_notices (under a page's heading), cleared by the sidebar on every run: whether
# the fallback notice of convention() is still to be shown on this run of the page.
_SCHEDULE_NOTICE_DUE = "_schedule_notice_due"
_PORTFOLIO_KEY = "_portfolio_shown"  # the data set the sidebar drew its filters for


def shown_portfolio():
    """The data set the sidebar drew this run's filters for (None before the sidebar)."""
    return st.session_state.get(_PORTFOLIO_KEY)


# --- Sidebar -------------------------------------------------------------------------------


# URL keys of the settings that are not bound widgets: a bound radio would write its Chinese
# label into the link ("按日计算(已过天数÷全年天数)") and ignore the documented key.
SCHEDULE_PARAM = "schedule"
PRESENT_PARAM = "present"  # ?present=1: 汇报模式
_TRUE = ("1", "true", "yes", "是")


def _schedule_from_url() -> str | None:
    """The convention a link asks for: its key (months/days), or the label an older link wrote."""
    value = st.query_params.get(SCHEDULE_PARAM)
    for c in Convention:
        if value in (c.value, c.label):
            return c.value
    return None


def offered(p: Portfolio) -> list[Convention]:
    """The 序时进度 rules the sidebar offers: by monthly plans only when the data have them."""
    return Convention.offered(M.has_month_plans(p))


def _check_url(p: Portfolio) -> list[str]:
    """Values in the URL that do not exist: streamlit drops them; we say so."""
    q = st.query_params
    notices = []
    if Convention.PLANS not in offered(p) and q.get(SCHEDULE_PARAM) in (
        Convention.PLANS.value,
        Convention.PLANS.label,
    ):
        notices.append(
            f"当前数据没有项目月度计划,不能{Convention.PLANS.short}计算序时进度,"
            f"已改用{Convention.default().label}。"
        )
        return notices + _check_url_values(p, skip_schedule=True)
    return notices + _check_url_values(p)


def _check_url_values(p: Portfolio, *, skip_schedule: bool = False) -> list[str]:
    q = st.query_params
    notices = []
    choices = {
        "period": ("报告期", [x.key for x in p.periods()], "最新报告期"),
        "county": ("区县", p.counties, "全市"),
        "sector": ("行业领域", p.sectors, "全部行业领域"),
        "level": ("项目级别", [ALL, *p.levels], default_level(p.is_demo) or "全部级别"),
        "stage": ("项目阶段", [ALL, *S.STAGES], "全部阶段"),
        SCHEDULE_PARAM: (
            "序时进度口径",
            [x for c in Convention for x in (c.value, c.label)],
            Convention.default().label,
        ),
    }
    if skip_schedule:
        del choices[SCHEDULE_PARAM]
    for key, (label, allowed, default) in choices.items():
        for value in q.get_all(key):
            if value and value not in allowed:
                notices.append(f"链接中的{label}“{value}”不存在,已改用{default}。")
    return notices


def _keep_in_url(key: str, value: str | None) -> None:
    """Write an unbound setting into the URL on every run (page switches drop it)."""
    if value is None:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != value:
        st.query_params[key] = value


_PRESENT_KEY = "_presenting"  # the truth: a widget's own state is dropped on a page switch
_PRESENT_TOGGLE = "present_toggle"


def presenting() -> bool:
    """汇报模式 is on (the sidebar switch, or ?present=1 in the link)."""
    if _PRESENT_KEY not in st.session_state:
        st.session_state[_PRESENT_KEY] = st.query_params.get(PRESENT_PARAM, "") in _TRUE
    return bool(st.session_state[_PRESENT_KEY])


def set_presenting(on: bool) -> None:
    st.session_state[_PRESENT_KEY] = on


_LEFT_KEY = "_left_presenting"  # the page that ended 汇报模式, for a notice on its next run


def not_presented(title: str) -> None:
    """On a page with no screens in 汇报模式 (会议议程, 数据管理), opened with ?present=1 or
    switched to while presenting: 汇报模式 ends (its bar would have no screen to show and no step
    to take) and the page says so once, in its normal layout."""
    if presenting():
        set_presenting(False)
        st.session_state[_LEFT_KEY] = title
        st.rerun()
    left = st.session_state.pop(_LEFT_KEY, None)
    if left:
        st.info(
            plain(f"“{left}”页不在汇报模式中放映,已退出汇报模式。"),
            icon=":material/slideshow:",
        )


def _toggled() -> None:
    set_presenting(bool(st.session_state[_PRESENT_TOGGLE]))


def _default_index(key: str, index: int) -> int | None:
    """A widget's default, left out when an agenda has set its value (Streamlit warns of both)."""
    return None if key in st.session_state else index


def _bound_choice(label: str, options: list, key: str, default: int, help: str | None = None):
    """A sidebar selectbox whose value lives in the URL under `key`. It cannot be cleared
    (`required`): a cleared select would show Streamlit's English "Choose an option" while the
    page stays on the old value; the placeholder is Chinese should it ever be empty."""
    if key in st.session_state and st.session_state[key] not in options:
        # The data changed under the session (an import, a roll-back): back to the default.
        del st.session_state[key]
    return st.sidebar.selectbox(
        label,
        options,
        index=_default_index(key, default),
        key=key,
        bind="query-params",
        help=help,
        required=True,
        placeholder=f"请选择{label}",
    )


_OPENING_KEY = "_opening_level"  # the level the data shown last opened on
_LEVEL_ASKED = "_level_in_link"  # whether the link that opened the session named a level


def _follow_opening_level(opening: str | None) -> None:
    """When the data change the level they open on (the demo's 省重点, an office's own data on
    every level) and the session still shows the old opening level, not asked for by its link,
    it takes the new one: an import in this session opens on the imported projects, not on an
    empty 省重点."""
    previous = st.session_state.get(_OPENING_KEY, opening)
    chosen = st.session_state.get(_LEVEL_ASKED, False)  # a level the link asked for stays
    if previous != opening and not chosen and st.session_state.get("level") == (previous or ALL):
        del st.session_state["level"]
    st.session_state[_OPENING_KEY] = opening


def sidebar(p: Portfolio) -> Scope:
    """Draw the shared filters (bound to the URL) and store the resulting scope."""
    if _NOTICES_KEY not in st.session_state:
        st.session_state[_LEVEL_ASKED] = "level" in st.query_params
        st.session_state[_NOTICES_KEY] = _check_url(p)
        st.session_state["schedule"] = _schedule_from_url() or Convention.default().value
    rules = offered(p)
    if st.session_state.get("schedule") not in [c.value for c in rules]:
        # by monthly plans, and the data no longer have any (a roll-back): the office's rule
        st.session_state["schedule"] = Convention.default().value
    st.session_state[_PRESENT_TOGGLE] = presenting()
    sb = st.sidebar
    sb.toggle(
        "汇报模式",
        key=_PRESENT_TOGGLE,
        on_change=_toggled,
        help="投影汇报用:收起侧栏,放大字号,每屏一个视图,用“上一屏/下一屏”或键盘←→翻页",
    )
    sb.markdown("**筛选条件**")
    periods = [x.key for x in p.periods()]
    period = _bound_choice(
        "报告期",
        periods,
        "period",
        periods.index(p.latest_period.key),
        "报告期末的累计数据;默认最新一期",
    )
    counties = sb.multiselect(
        "区县",
        p.counties,
        key="county",
        bind="query-params",
        placeholder="全市(可多选)",
        select_all=False,  # an English "Select all" entry otherwise; no choice means 全市
    )
    sectors = sb.multiselect(
        "行业领域",
        p.sectors,
        key="sector",
        bind="query-params",
        placeholder="全部行业领域(可多选)",
        select_all=False,
    )
    levels = [ALL, *p.levels]
    opening = default_level(p.is_demo)
    _follow_opening_level(opening)
    level = _bound_choice("项目级别", levels, "level", levels.index(opening or ALL))
    stages = [ALL, *S.STAGES]
    stage = _bound_choice("项目阶段", stages, "stage", 0, "项目清单中的当前阶段")
    with sb.expander("口径设置"):
        st.radio(
            "序时进度",
            [c.value for c in rules],
            key="schedule",
            format_func=lambda v: Convention(v).label,
        )
    _keep_in_url(
        SCHEDULE_PARAM, None if convention() is Convention.default() else convention().value
    )
    _keep_in_url(PRESENT_PARAM, "1" if presenting() else None)
    result = Scope(
        period=Period.parse(period),
        counties=tuple(counties),
        sectors=tuple(sectors),
        level=None if level == ALL else level,
        stage=None if stage == ALL else stage,
        opening_level=opening,
    )
    st.session_state[_SCOPE_KEY] = result
    st.session_state[_PORTFOLIO_KEY] = p
    st.session_state[_SCHEDULE_NOTICE_DUE] = False
    sb.caption(plain(f"数据:{p.source}"))
    if p.is_demo:
        sb.caption("当前显示示例数据,数字均为虚构。")
    return result


_MORE_NOTICES_KEY = "_more_url_notices"


def add_notice(text: str) -> None:
    """One more link notice (e.g. an agenda the link names that does not exist)."""
    st.session_state.setdefault(_MORE_NOTICES_KEY, []).append(text)


def url_notices() -> None:
    """The link-fallback notices, under the page title where they are seen at any height."""
    notices = st.session_state.get(_NOTICES_KEY, []) + st.session_state.get(_MORE_NOTICES_KEY, [])
    for notice in notices:
        st.warning(plain(notice), icon=":material/link_off:")
    st.session_state[_SCHEDULE_NOTICE_DUE] = True


def page_not_found(known_paths: list[str]) -> None:
    """On a session's first run, a notice when the link's path names no page (Streamlit then
    runs 总览 and says so in an English dialog, which CHROME_CSS hides)."""
    if "_path_checked" in st.session_state:
        return
    st.session_state["_path_checked"] = True
    url = str(st.context.url or "")
    path = url.split("://", 1)[-1].split("/", 1)[1] if "/" in url.split("://", 1)[-1] else ""
    path = path.strip("/")
    if path and path not in known_paths:
        # A page of the product this actor may not open is named, not called missing.
        page = next((pg for pg in registry.PAGES if pg.url_path == path), None)
        if page is not None:  # a page of the product that needs a sign-in or another role
            add_notice(f"“{page.title}”页需要以有相应权限的账户登录后才能打开,已打开总览。")
        else:
            add_notice(f"链接中的页面“{path}”不存在,已打开总览。")
