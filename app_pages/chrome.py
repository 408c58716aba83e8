"""Page chrome: the heading with the scope sentence, the notices of an empty scope or a missing
table, who may edit, the CSS that hides Streamlit's English, and errors shown by their id."""

from __future__ import annotations

import logging
import os
import uuid

import streamlit as st

from app_pages.escape import plain
from app_pages.filters import scope, shown_portfolio, url_notices
from app_pages.source import DATA_DIR_SETTING, store
from core.figures.scope import Scope
from core.ingest import edits
from core.policy import roles
from core.policy.roles import Actor
from core.store import datasource
from core.store.portfolio import Portfolio
from core.store.versions import StoreError

# --- Page furniture --------------------------------------------------------------------------


def header(title: str) -> Scope:
    """The page title and the scope sentence that heads every page; returns the scope."""
    s = scope()
    st.title(title)
    url_notices()
    st.markdown(f"**{plain(s.sentence())}**")
    p = shown_portfolio()
    if p is not None and not p.has_returns:
        st.info(p.period_note(), icon=":material/event_busy:")  # no text from data
    return s


def stop_without_returns(p: Portfolio, what: str) -> None:
    """A page that measures returns, on a data set of the project list alone: what is missing
    and how to add it, and the page's run ends."""
    if p.has_returns:
        return
    st.info(
        f"尚未导入月度进度,{what}需要各项目的月度进度(1-N月完成投资)才能计算。"
        "可在“数据管理”页上传月度进度表或本办台账,导入后本页即显示。",
        icon=":material/upload_file:",
    )
    st.page_link("app_pages/data.py", label="前往数据管理", icon=":material/database:")
    st.stop()


def missing_table(table: str) -> None:
    """A table the data set lacks altogether (an office that imported only its ledger): what is
    missing and how to add it."""
    st.info(
        f"尚未导入“{table}”表。可在“数据管理”页下载填报模板,填写其中的“{table}”工作表后上传;"
        "只上传这一张表即可,已导入的其他数据保持不变。",
        icon=":material/upload_file:",
    )
    st.page_link("app_pages/data.py", label="前往数据管理", icon=":material/database:")


def editable_version(p: Portfolio, what: str, actor: Actor, action: str) -> str | None:
    """The store version the page's data were drawn from, which an edit on the page hands to
    core.ingest.edits; None, with the reason on the page, when the data shown cannot be edited:
    an actor whose role may not (core.policy.roles decides; core refuses again), a data folder
    (read-only), or the demo, which an admin's button brings into the store to be tried."""
    if not roles.may(actor, action):
        st.caption(
            f"登录后可{what}(需要有此权限的账户)。"
            if not actor.signed_in
            else plain(f"{actor.label()}无权{what}。")
        )
        return None
    if os.environ.get(DATA_DIR_SETTING):
        st.caption(f"当前数据来自数据文件夹(只读),不能在此{what}。")
        return None
    seen = datasource.store_version(p.version)
    if seen is None:
        if not roles.may(actor, roles.IMPORT_ANY):
            st.info(
                f"当前显示的是示例数据,{what}需要管理员先导入本办的数据。", icon=":material/info:"
            )
            return None
        st.info(
            f"当前显示的是示例数据,{what}需要先导入数据。可在“数据管理”页导入本办的数据,"
            "或把示例数据导入数据库后试用(此后各页面显示数据库中的示例数据,修改记入导入历史)。",
            icon=":material/info:",
        )
        if st.button("把示例数据导入数据库以试用", icon=":material/science:", key="trial_demo"):
            try:
                edits.import_demo(store(), actor=actor)
            except (edits.NothingToEdit, StoreError, roles.Refused) as refused:
                st.error(plain(getattr(refused, "message", str(refused))), icon=":material/block:")
                return None
            st.rerun()
        return None
    return seen


def empty_notice(what: str = "项目") -> None:
    st.info(
        f"当前筛选条件下没有{what}。请在左侧调整区县、行业领域、级别或阶段。",
        icon=":material/filter_alt_off:",
    )


def stop_when_scope_is_empty(p: Portfolio, scope: Scope) -> None:
    """The filters leave no project: say so and end the page's run. Asked once per scope for
    every session (every page asks it on every run)."""
    if not p.memo(("scope_has_projects", scope), lambda: bool(scope.mask(p.projects).any())):
        empty_notice()
        st.stop()


# What Streamlit draws in English and lets a page hide: element hover toolbars ("Show data",
# "Download as PNG", "Fullscreen"; every chart has our own 下载图表 menu), its dialogs (the
# app has none of its own: only the English "Page not found" of a mistyped path, which
# page_not_found() says in Chinese instead) and the file
# uploader's English instructions and button (the 数据管理 page states the limits in Chinese).
# A table header's column menu (its ⋮: "Sort ascending", "Format", "Autosize", "Pin column",
# "Hide column") has no setting and items that vary with the column, so no CSS can say them in
# Chinese: the menu is hidden (a click on a header still sorts by it). The main block's top
# padding (6rem) and the title's own (1.25rem) left a 100–130 px blank band above every title:
# the header bar they made room for is 3.75rem high and transparent. The sidebar's selects,
# which cannot be cleared (`required`), would carry an English "(required)" after their label.
CHROME_CSS = """
<style>
[data-testid="stElementToolbar"] { display: none !important; }
[data-testid="stDataFrameColumnMenu"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: 3rem; }
[data-testid="stMain"] h1 { padding-top: 0.25rem !important; }
[data-testid="stWidgetLabelRequired"] { display: none !important; }  /* "(required)" */
[data-testid="stDialog"] { display: none !important; }  /* English "Page not found"; see app.py */
[data-testid="stFileUploaderDropzoneInstructions"] { display: none !important; }
[data-testid="stSkipToContent"] { font-size: 0 !important; }
[data-testid="stSkipToContent"]::after { content: "跳到正文"; font-size: 1rem; }
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"],
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] * {
  font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"]::after {
  content: "选择文件"; font-size: 1rem; }
</style>
"""
# A phone (a link opened from a chat, 390×844 or 360×800): Streamlit stacks every row of
# columns, one KPI card a screen; two cards a row instead, with their type made to fit half
# the width. Titles sized for a phone; tables and charts stay inside the width (a table scrolls
# inside itself); 汇报模式, made for a projector, is not offered.
PHONE_CSS = """
<style>
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-left: 0.9rem !important;
    padding-right: 0.9rem !important; padding-top: 2.5rem !important; }
  [data-testid="stMain"] h1 { font-size: 1.75rem !important; line-height: 1.3 !important; }
  [data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 1.25rem !important; }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) {
    flex-wrap: wrap !important; gap: 0.5rem !important; }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"])
    > [data-testid="stColumn"] { flex: 1 1 calc(50% - 0.5rem) !important;
    min-width: calc(50% - 0.5rem) !important; max-width: calc(50% - 0.25rem) !important; }
  [data-testid="stMetric"] { padding: 0.5rem 0.6rem !important; }
  [data-testid="stMetricValue"], [data-testid="stMetricValue"] > div,
  [data-testid="stMetricValue"] p { font-size: 1.5rem !important; }
  [data-testid="stMetricLabel"] p { font-size: 0.85rem !important; }
  [data-testid="stMetricDelta"], [data-testid="stMetricDelta"] p { font-size: 0.8rem !important; }
  [data-testid="stDataFrame"], [data-testid="stVegaLiteChart"], [data-testid="stDeckGlJsonChart"],
  [data-testid="stCode"], [data-testid="stTable"] { max-width: 100% !important;
    overflow-x: auto; }
  [data-testid="stMain"] { overflow-x: hidden; }
  .st-key-present_toggle { display: none !important; }
}
</style>
"""
# The document's language: Chinese text read as English is mis-hyphenated, mis-read by screen
# readers and offered for translation. Streamlit's page template says lang="en".
LANG_SCRIPT = "<script>document.documentElement.lang = 'zh-CN';</script>"


# The hidden column menu, opened by its ⋮, would still hold the page's scrolling until the next
# click: it is closed as soon as it opens (an Escape, as its own keyboard handling expects).
COLUMN_MENU_SCRIPT = """<script>
if (!window.zhNoColumnMenu) {
  window.zhNoColumnMenu = new MutationObserver(() => {
    const menu = document.querySelector('[data-testid="stDataFrameColumnMenu"]');
    if (menu) menu.dispatchEvent(new KeyboardEvent("keydown", {key: "Escape", bubbles: true}));
  });
  window.zhNoColumnMenu.observe(document.body, {childList: true, subtree: true});
}
</script>"""


def style() -> None:
    """The CSS and the scripts every page gets (app.py, once per run)."""
    st.html(CHROME_CSS + PHONE_CSS)
    st.html(LANG_SCRIPT + COLUMN_MENU_SCRIPT, unsafe_allow_javascript=True)


# --- Errors ---------------------------------------------------------------------------------

_log = logging.getLogger("briefing")


def report_error(exc: BaseException) -> None:
    """An error the page did not expect: logged on the server with an id, and only the id
    reaches the screen (no exception text, path or database address)."""
    error_id = uuid.uuid4().hex[:8].upper()
    _log.error("error %s", error_id, exc_info=exc)
    st.error(
        f"页面出现错误(错误编号{error_id}),操作未完成。请刷新页面重试;"
        "如反复出现,请把错误编号告诉管理员,由管理员在服务器日志中查找原因。",
        icon=":material/error:",
    )


def settings_value(key: str):
    """A value of the settings' [access] section, as a number to show (12, not 12.0)."""
    from core.base import settings

    value = settings.current().section("access")[key]
    return f"{value:g}" if isinstance(value, float) else value
