"""What every page shares: the cached data, the sidebar filters, headings and chart downloads.

Pages call `portfolio()`, `scope()` and `convention()` and never draw filters themselves.
"""

from __future__ import annotations

import copy
import logging
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from core.base import cells
from core.base import schema as S
from core.base.formatting import MISSING
from core.base.periods import Convention, Period
from core.figures.indicators import Card as IndicatorCard
from core.figures.overview import Card
from core.figures.scope import ALL, Scope, default_level
from core.ingest import edits
from core.output import charts, export
from core.output.charts import ChartOut
from core.policy import roles
from core.policy.roles import Actor
from core.store import datasource
from core.store.portfolio import Portfolio, load_folder
from core.store.versions import DATABASE_URL_SETTING, Store, StoreError, database_url

DATA_DIR_SETTING = "BRIEFING_DATA_DIR"  # a folder of the six CSV tables and the GeoJSON
_SCOPE_KEY = "_scope"
_NOTICES_KEY = "_url_notices"
_SEEN_KEY = "_seen_version"  # the data version this session's pages last showed


def _secret_database_url() -> str | None:
    """BRIEFING_DATABASE_URL from the environment wins; else the app's secrets file."""
    if os.environ.get(DATABASE_URL_SETTING):
        return None
    try:
        return st.secrets.get(DATABASE_URL_SETTING)
    except (FileNotFoundError, KeyError, StreamlitSecretNotFoundError):
        return None


@st.cache_resource
def _store(url: str) -> Store:
    return Store(url)


def database_url_in_use() -> str:
    return database_url(_secret_database_url())


def store() -> Store:
    return _store(database_url_in_use())


def _folder_stamp(folder: Path) -> tuple:
    """Names, sizes and times of the data files: cheap to read on every rerun, and any edit
    to a file changes it, so the cache below reloads exactly when the data change."""
    return tuple(
        (p.name, p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.glob("*"))
        if p.is_file()
    )


# cache_resource, not cache_data: a Portfolio never changes, and 100,000 projects with their
# returns would be copied on every rerun by cache_data. Its own memo then serves every session.
@st.cache_resource(show_spinner="正在读取项目数据…", max_entries=4)
def _load_folder(folder: str, stamp: tuple) -> Portfolio:
    # The folder's name, never its path: the server's layout is nobody's business on screen.
    return load_folder(Path(folder), source=f"数据文件夹“{Path(folder).name}”")


@st.cache_resource(show_spinner="正在读取项目数据…", max_entries=2)
def _load_current(url: str, version: str) -> Portfolio:
    return datasource.load(_store(url))


def portfolio() -> Portfolio:
    """The data in use: a configured folder, else the latest import, else the demo."""
    folder = os.environ.get(DATA_DIR_SETTING)
    if folder:
        return _load_folder(folder, _folder_stamp(Path(folder)))
    s = store()
    return _load_current(s.url, s.version() or "demo")


def data_change_notice(p: Portfolio) -> None:
    """When the data changed since this session's last page, say so once, above the page."""
    seen = st.session_state.get(_SEEN_KEY)
    st.session_state[_SEEN_KEY] = p.version
    if seen is None or seen == p.version or os.environ.get(DATA_DIR_SETTING):
        return
    notice = datasource.change_notice(seen, store().current())
    if notice:
        st.info(notice, icon=":material/update:")  # ids and times only, no text from data


def scope() -> Scope:
    return st.session_state[_SCOPE_KEY]


def convention() -> Convention:
    return Convention(st.session_state.get(SCHEDULE_PARAM, Convention.MONTHS.value))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^])")
# GitHub-style autolinks (http://…, www.…, a@b.c) are found in the text after every escape has
# been read, so no escape stops them: an invisible word joiner (U+2060) after the scheme or www
# and before an @ does, and the text still reads the same.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|www)(?=[:.])|(?=@)")
WORD_JOINER = "\u2060"


def plain(text: str) -> str:
    """Text from data made inert for anything streamlit renders as Markdown (st.markdown,
    captions, alerts, and the labels and help of metrics, widgets and expanders): every markup
    character escaped, and no link, image or colour made of it."""
    text = _AUTOLINK.sub(lambda m: (m.group(1) or "") + WORD_JOINER, str(text))
    return _MD_SPECIAL.sub(r"\\\1", text)


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


def _check_url(p: Portfolio) -> list[str]:
    """Values in the URL that do not exist: streamlit drops them; we say so."""
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
            Convention.MONTHS.label,
        ),
    }
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


def _toggled() -> None:
    set_presenting(bool(st.session_state[_PRESENT_TOGGLE]))


def _default_index(key: str, index: int) -> int | None:
    """A widget's default, left out when an agenda has set its value (Streamlit warns of both)."""
    return None if key in st.session_state else index


def _bound_choice(label: str, options: list, key: str, default: int, help: str | None = None):
    """A sidebar selectbox whose value lives in the URL under `key`."""
    if key in st.session_state and st.session_state[key] not in options:
        # The data changed under the session (an import, a roll-back): back to the default.
        del st.session_state[key]
    return st.sidebar.selectbox(
        label, options, index=_default_index(key, default), key=key, bind="query-params", help=help
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
        st.session_state["schedule"] = _schedule_from_url() or Convention.MONTHS.value
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
            [c.value for c in Convention],
            key="schedule",
            format_func=lambda v: Convention(v).label,
        )
    _keep_in_url(SCHEDULE_PARAM, None if convention() is Convention.MONTHS else convention().value)
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


# --- Page furniture --------------------------------------------------------------------------


def header(title: str) -> Scope:
    """The page title and the scope sentence that heads every page; returns the scope."""
    s = scope()
    st.title(title)
    url_notices()
    st.markdown(f"**{plain(s.sentence())}**")
    return s


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
    """The filters leave no project: say so and end the page's run."""
    if not scope.mask(p.projects).any():
        empty_notice()
        st.stop()


def card(col, c: Card) -> None:
    """A KPI card from core's texts."""
    col.metric(
        plain(c.label),  # a label is Markdown to streamlit: nothing from data may render
        c.value,
        c.delta,
        delta_color=c.delta_color,
        help=plain(c.help) if c.help else None,
        border=True,
        delta_arrow=c.delta_arrow,
        delta_description=c.description if c.delta else None,
    )


def indicator_card(col, c: IndicatorCard) -> None:
    # Indicator changes are phrases ("下降4.0%"), so the colour follows the news, not a sign.
    color = {1: "normal", -1: "inverse"}.get(c.change_sign, "off")
    col.metric(
        plain(c.label),  # an indicator's name and unit come from the data
        c.value,
        c.change,
        help=plain(c.target) if c.target else None,
        border=True,
        delta_color=color,
        delta_arrow="off",
    )


def indicator_cards(cards: list[IndicatorCard], per_row: int = 4) -> None:
    for start in range(0, len(cards), per_row):
        cols = st.columns(per_row)
        for col, c in zip(cols, cards[start : start + per_row], strict=False):
            indicator_card(col, c)


PRESENT_CHART_HEIGHT = 700  # px, 汇报模式: a chart with the page's title bar fits 1080


class _Unvalidated:
    """A chart whose spec is made without checking it against the Vega-Lite schema (a third of
    a chart's cost on a filter change): the same dict; exports and the tests validate."""

    def __init__(self, chart) -> None:
        self.chart = chart

    def to_dict(self) -> dict:
        return self.chart.to_dict(validate=False)


def screen_spec(chart) -> dict:
    """An altair chart as the Vega-Lite spec st.altair_chart sends (its data as Arrow datasets):
    streamlit's own conversion, so that a spec kept in a cache draws exactly as the chart."""
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    return _convert_altair_to_vega_lite_spec(_Unvalidated(chart))


def scoped_chart(
    p: Portfolio,
    key: tuple,
    build: Callable[[], ChartOut],
    present_height: int = PRESENT_CHART_HEIGHT,
) -> None:
    """Show the chart `build()` makes with its three downloads (PNG at 2×, SVG, CSV of exactly
    what is drawn); in 汇报模式 with projector-sized type and no download menu. The chart and
    its spec are made once per data version and `key` (the chart's name and everything its
    figures depend on: scope, convention …) and shared by every session of the process: a
    scope that another session has just drawn costs no altair work."""
    c = p.memo(("chart", *key), build)
    if presenting():
        spec = p.memo(
            ("chart_spec", *key, "projector", present_height),
            lambda: charts.projector_spec(c, present_height),
        )
        st.vega_lite_chart(spec=copy.deepcopy(spec), width="stretch", key=f"chart_{c.key}")
        return
    spec = p.memo(("chart_spec", *key, "screen"), lambda: screen_spec(c.chart))
    # A copy: streamlit moves the datasets out of the spec it is given.
    st.vega_lite_chart(spec=copy.deepcopy(spec), theme=None, width="stretch", key=f"chart_{c.key}")
    _downloads(c)


def static_chart(p: Portfolio, key: tuple, build: Callable) -> None:
    """An altair chart without downloads (a legend), its spec made once per data version and
    `key` for every session."""
    spec = p.memo(("static_chart", *key), lambda: screen_spec(build()))
    st.vega_lite_chart(spec=copy.deepcopy(spec), theme=None)


@st.fragment
def _downloads(c: ChartOut) -> None:
    """The chart's 下载图表 menu. Its three buttons are made only once the menu is opened (a
    rerun of this fragment alone): a page of four charts otherwise registers twelve downloads
    with the server and sends twelve buttons to the browser on every rerun."""
    menu = st.popover(
        "下载图表", icon=":material/download:", key=f"downloads_{c.key}", on_change="rerun"
    )
    if not menu.open:
        return
    stem = c.file_stem()
    downloads = (
        ("PNG图片(2倍清晰度,适合幻灯片)", lambda: export.png(c), "png", "image/png", "image"),
        ("SVG矢量图", lambda: export.svg(c), "svg", "image/svg+xml", "draw"),
        ("图表数据CSV", lambda: export.csv(c), "csv", "text/csv", "table"),
    )
    with menu:
        for label, data, ext, mime, icon in downloads:
            st.download_button(label, data=data, file_name=f"{stem}.{ext}", mime=mime,
                               on_click="ignore", key=f"{ext}_{c.key}", icon=f":material/{icon}:")  # fmt: skip


def download_csv(label: str, frame, file_stem: str, **kwargs) -> None:
    """A download of a table as CSV that Excel opens with its Chinese (UTF-8 with a BOM), every
    cell inert (core.base.cells: a name like =HYPERLINK(…) stays text)."""
    st.download_button(
        label,
        data=lambda: cells.csv_bytes(frame),
        file_name=f"{file_stem}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        **kwargs,
    )


def dataframe(data, **kwargs):
    """st.dataframe as every page uses it: no index, a dash for a missing value (never "None")."""
    return st.dataframe(data, hide_index=True, placeholder=MISSING, **kwargs)


def table_height() -> int:
    """A long table's height in pixels: in 汇报模式 it must leave room on one screen."""
    return 420 if presenting() else 560


# What Streamlit draws in English and lets a page hide: element hover toolbars ("Show data",
# "Download as PNG", "Fullscreen"; every chart has our own 下载图表 menu), its dialogs (the
# app has none of its own: only the English "Page not found" of a mistyped path, which
# page_not_found() says in Chinese instead) and the file
# uploader's English instructions and button (the 数据管理 page states the limits in Chinese).
CHROME_CSS = """
<style>
[data-testid="stElementToolbar"] { display: none !important; }
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
# The document's language: Chinese text read as English is mis-hyphenated, mis-read by screen
# readers and offered for translation. Streamlit's page template says lang="en".
LANG_SCRIPT = "<script>document.documentElement.lang = 'zh-CN';</script>"


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
        add_notice(f"链接中的页面“{path}”不存在,已打开总览。")


def style() -> None:
    """The CSS and the language attribute every page gets (app.py, once per run)."""
    st.html(CHROME_CSS)
    st.html(LANG_SCRIPT, unsafe_allow_javascript=True)


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
