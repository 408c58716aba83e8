"""汇报模式: each page cut into screens that fit a 1920×1080 projector (and, scaled, a 1366×768
or 1280×720 one), stepped through with buttons (and ← → on the keyboard), with the meeting's
agenda when one is opened by link; long tables and the 简报 in parts that step the same way.

Not a page: app.py calls `begin()` before the sidebar, `bar()` after it; pages ask `shows()`
which of their parts belong to the screen on view.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app_pages import common
from core.base.formatting import MISSING
from core.figures.scope import ALL
from core.output import pages
from core.output.agenda import PROJECT_PAGE, Agenda, Agendas, View
from core.store.portfolio import Portfolio

AGENDA_PARAM = "agenda"  # ?agenda=3月调度会 opens that agenda in 汇报模式
PROJECT_CODE_PARAM = "code"  # /project?code=…: the project whose file the page shows
_AGENDA_KEY = "_agenda"  # the agenda being presented (its name)
_STEP_KEY = "_present_step"
_GOTO_KEY = "_present_goto"  # a page to switch to on the next run
_CODE_KEY = "_present_code"  # the project of a 项目档案 view to open on the next run
_PART_KEY = "_present_part"  # (step, part): the part of a long table on view at that step
_PARTS_KEY = "_present_parts"  # step → how many parts its table had when last drawn
_BAR_KEY = "_present_bar"  # (step, last step?, parts) the bar's buttons were drawn for
_SOLO_KEY = "_present_solo"  # the project whose file is presented by itself (not an agenda's)

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
.present-table { width: 100%; border-collapse: collapse; font-size: 31px; line-height: 1.3;
  table-layout: auto; }
.present-table th { text-align: left; font-weight: 700; background: #eef2f7;
  border-bottom: 2px solid #9aa5b4; padding: 0.25rem 0.6rem; }
.present-table td { padding: 0.25rem 0.6rem; border-bottom: 1px solid #d5dbe3;
  vertical-align: top; overflow-wrap: anywhere; word-break: break-word; }
.present-table td.num { text-align: right; white-space: nowrap; }
.present-table tr:nth-child(even) td { background: #f7f9fb; }
.present-part { font-size: 24px; color: #555; margin-top: 0.3rem; }
.present-prose h3 { font-size: 34px !important; font-weight: 700; margin: 0.5rem 0 0.2rem 0;
  padding: 0 !important; line-height: 1.4 !important; }
.present-prose p { font-size: 31px; line-height: 1.6; margin: 0 0 0.5rem 0;
  text-indent: 2em; }
.present-prose p.more { text-indent: 0; }
</style>
"""
# The screens are laid out for 1920×1080 and drawn at the window's scale: a 1366×768 or a
# 1280×720 projector shows the same screen, whole, at 0.71 or 0.66 times the size (type sized
# so that a table's is still at least 20 px there). CSS zoom on the app, --present-zoom the
# largest of _ZOOMS at which 1920×1080 fits the window: the app's full-window boxes are made
# 1/zoom as tall, and a chart or table, which Streamlit sizes to the width it measures on
# screen (already zoomed), is given 1/zoom of its column so that it fills it.
DESIGN_WIDTH, DESIGN_HEIGHT = 1920, 1080
_ZOOMS = [z / 100 for z in range(40, 100)] + [z / 100 for z in range(100, 201, 5)]


def _zoom_css() -> str:
    rules = [
        f"@media (min-width: {math.ceil(DESIGN_WIDTH * z)}px) and "
        f"(min-height: {math.ceil(DESIGN_HEIGHT * z)}px) {{ .stApp {{ --present-zoom: {z}; }} }}"
        for z in _ZOOMS  # ascending: the largest that fits the window is the last to match
    ]
    rules += [
        ".stApp { zoom: var(--present-zoom, 1); }",
        ".stApp [data-testid='stAppViewContainer'], .stApp [data-testid='stMain'] {"
        " height: calc(100vh / var(--present-zoom, 1)) !important;"
        " max-height: calc(100vh / var(--present-zoom, 1)) !important; }",
        "[data-testid='stVegaLiteChart'], [data-testid='stDataFrame'] {"
        " width: calc(100% / var(--present-zoom, 1)) !important; max-width: none !important; }",
        "[data-testid='stMain'] { overflow-x: hidden; }",
    ]
    return "<style>\n" + "\n".join(rules) + "\n</style>"


ZOOM_CSS = _zoom_css()


@dataclass(frozen=True)
class Step:
    view: View
    screen: int  # index into the view's page's screens (core.output.pages)


def _agenda() -> Agenda | None:
    name = st.session_state.get(_AGENDA_KEY)
    return Agendas(common.store()).get(name) if name else None


def steps() -> list[Step]:
    """The screens of the meeting: the agenda's views, or every page at the sidebar's filters
    — or, on a project's file presented by itself, that file's screens."""
    screens = pages.screens()  # each presented page's screens, in order
    agenda = _agenda()
    if agenda:  # a project's file (项目档案) steps through its own screens
        views = [v for v in agenda.views if v.page in screens or (v.is_project and v.code)]
    elif st.session_state.get(_SOLO_KEY):
        views = [View.of_project(st.session_state[_SOLO_KEY])]
    else:
        views = [View.of(page, common.scope()) for page in screens]
    return [
        Step(v, i)
        for v in views
        for i in range(len(pages.PROJECT_SCREENS if v.is_project else screens.get(v.page, ("",))))
    ]


def _apply(view: View) -> None:
    """Set the sidebar's filters to a view's (before the widgets are drawn in this run); a
    project's file keeps the filters and opens the view's project."""
    if view.is_project:
        st.session_state[_CODE_KEY] = view.code
        return
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
    st.session_state[_PART_KEY] = (index, 0)
    target = all_steps[index].view
    if st.session_state.get(_AGENDA_KEY):
        _apply(target)
    st.session_state[_GOTO_KEY] = target.page


def _part(index: int) -> int:
    """The part of step `index`'s table on view (-1: its last)."""
    step, part = st.session_state.get(_PART_KEY, (-1, 0))
    return part if step == index else 0


def _parts(index: int) -> int:
    return st.session_state.get(_PARTS_KEY, {}).get(index, 1)


def _next(index: int) -> None:
    """→: the next part of a long table, else the next screen."""
    part = _part(index)
    parts = _parts(index)
    part = parts - 1 if part < 0 else part
    if part + 1 < parts:
        st.session_state[_PART_KEY] = (index, part + 1)
        return
    _go(index + 1)


def _previous(index: int) -> None:
    """←: the previous part of a long table, else the previous screen (at its last part)."""
    part = _part(index)
    part = _parts(index) - 1 if part < 0 else part
    if part > 0:
        st.session_state[_PART_KEY] = (index, part - 1)
        return
    _go(index - 1)
    st.session_state[_PART_KEY] = (st.session_state.get(_STEP_KEY, 0), -1)


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
    code = st.session_state.pop(_CODE_KEY, None) if goto == PROJECT_PAGE else None
    if goto and goto == current_page and code:  # from one project's file to another's
        st.query_params[PROJECT_CODE_PARAM] = code
    elif goto and goto != current_page:
        # Only the unbound parameters are handed over: switch_page cannot clear those bound to
        # the sidebar's widgets, which write themselves into the new page's URL.
        keep = (common.PRESENT_PARAM, common.SCHEDULE_PARAM, AGENDA_PARAM)
        params = {k: st.query_params.get_all(k) for k in keep if k in st.query_params}
        if code:
            params[PROJECT_CODE_PARAM] = [code]
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
    st.html(PROJECTOR_CSS + ZOOM_CSS)
    solo = ""  # a project's file presented by itself steps through its own screens
    if page == PROJECT_PAGE and not st.session_state.get(_AGENDA_KEY):
        solo = (st.query_params.get(PROJECT_CODE_PARAM) or "").strip()
    if solo != st.session_state.get(_SOLO_KEY, ""):
        st.session_state[_SOLO_KEY] = solo
        if solo:  # from its first screen
            st.session_state[_STEP_KEY] = 0
            st.session_state[_PART_KEY] = (0, 0)
    all_steps = steps()
    index = _current_index(all_steps, page)
    part, parts = _part(index), _parts(index)  # the parts its table had in the last run
    part = parts - 1 if part < 0 else part
    st.session_state.setdefault(_PARTS_KEY, {})[index] = 1  # counted again as the page draws
    st.session_state[_BAR_KEY] = (index, index == len(all_steps) - 1, parts)
    agenda = st.session_state.get(_AGENDA_KEY)
    scope = common.scope()
    stamp = f"{scope.period.as_of} · 数据:{p.source}"
    if index >= 0:
        step = all_steps[index]
        shown = pages.get(step.view.page)
        screen = (
            f"{step.view.code} · {pages.PROJECT_SCREENS[step.screen]}"
            if step.view.is_project
            else shown.screens[step.screen]
        )
        where = f"第{index + 1}/{len(all_steps)}屏 · {shown.title} · {screen}"
    else:
        where = pages.by_key()[page].title if page in pages.by_key() else ""
    if agenda:
        where = f"{agenda} · {where}"
    left, prev, nxt, stop = st.columns([6, 1, 1, 1], vertical_alignment="center")
    left.caption(common.plain(f"{where}  |  {stamp}"))
    prev.button("上一屏", icon=":material/chevron_left:", on_click=_previous, args=(index,),
                disabled=index <= 0 and part <= 0, shortcut="Left", width="stretch", key="present_prev")  # fmt: skip
    nxt.button("下一屏", icon=":material/chevron_right:", on_click=_next, args=(index,),
               disabled=index < 0 or (index >= len(all_steps) - 1 and part + 1 >= parts), shortcut="Right",
               width="stretch", key="present_next", type="primary")  # fmt: skip
    stop.button("退出汇报", icon=":material/close:", on_click=_stop, width="stretch",
                key="present_stop")  # fmt: skip


def _record_parts(count: int) -> int:
    """Note that the screen on view has `count` parts (two tables on a screen: the longer's);
    returns the step's index. The bar above was drawn with the count of the previous run: on
    the meeting's last screen, where → is disabled after its last part, a count that changes
    that draws the bar again."""
    index = st.session_state.get(_STEP_KEY, 0)
    known = st.session_state.setdefault(_PARTS_KEY, {})
    known[index] = max(known.get(index, 1), count)
    drawn_for = st.session_state.get(_BAR_KEY)
    if drawn_for and drawn_for[0] == index and drawn_for[1] and known[index] > drawn_for[2]:
        st.session_state[_BAR_KEY] = (index, drawn_for[1], known[index])
        st.rerun()
    return index


def part_on_view(count: int) -> int:
    """For a screen the page cuts into `count` parts itself (→ steps through them): which part
    is on view."""
    index = _record_parts(max(1, count))
    part = _part(index)
    return max(1, count) - 1 if part < 0 or part >= count else part


# --- Tables on a projector ---------------------------------------------------------------
TABLE_FONT = 31  # px at 1920×1080: 20.5 px on a 1280×720 screen (zoom 0.66)
_TABLE_WIDTH = 1840  # px: the main block's width at 1920
TABLE_LINES = 11  # lines of table text below a screen's title, scope and caption


def _text_width(text: str) -> float:
    """A text's width in em: a Chinese character is one, a digit or Latin letter about half."""
    return sum(1.0 if ord(c) > 0x2E80 else 0.56 for c in text)


def _row_lines(cells: list[str], widths: list[float]) -> int:
    lines = 1
    for text, width in zip(cells, widths, strict=True):
        per_line = max(1.0, width * _TABLE_WIDTH / TABLE_FONT - 1.2)  # less the cell's padding
        lines = max(lines, math.ceil(_text_width(text) / per_line))
    return lines


def table_parts(
    frame: pd.DataFrame, widths: list[float], lines: int, share: float = 1.0
) -> list[tuple[int, int]]:
    """The rows of each screen of a long table, as [start, end) pairs: as many rows as fit
    `lines` lines of projector type (a long text wraps onto more lines), at least one; the
    table `share` of the screen's width wide, its columns `widths` of it."""
    widths = [w * share for w in widths]
    texts = frame.astype(str).to_numpy().tolist()
    parts, start, used = [], 0, 0
    for i, row in enumerate(texts):
        need = _row_lines(row, widths)
        if i > start and used + need > lines:
            parts.append((start, i))
            start, used = i, 0
        used += need
    parts.append((start, len(texts)))
    return parts


def table(
    frame: pd.DataFrame,
    *,
    widths: list[float] | None = None,
    numeric: tuple[str, ...] = (),
    lines: int = TABLE_LINES,
    what: str = "条",
    formats: dict[str, str] | None = None,
    share: float = 1.0,
) -> None:
    """A table on a projector: HTML in projector type, every text escaped, long text wrapped,
    no inner scroll bar; a long table continues on the next screens (→ steps through them),
    「第1–9条,共70条」 under it. Outside 汇报模式, the page draws its own st.dataframe."""
    frame = frame.copy()
    for c, f in (formats or {}).items():  # numbers as text: "{:.1f}%"; a missing one as —
        frame[c] = frame[c].map(lambda v, f=f: MISSING if pd.isna(v) else f.format(v))
    for c in frame.columns:  # a label column (a list of one) as its text
        frame[c] = frame[c].map(lambda v: "、".join(map(str, v)) if isinstance(v, list) else v)
    frame = frame.astype(object).where(frame.notna(), MISSING).astype(str)
    cols = list(frame.columns)
    if widths is None:
        longest = [
            max([_text_width(c), *(_text_width(v) for v in frame[c])], default=1) for c in cols
        ]
        capped = [min(max(w, 2.0), 24.0) for w in longest]
        widths = [w / sum(capped) for w in capped]
    parts = table_parts(frame, widths, lines, share)
    index = _record_parts(len(parts))
    part = _part(index)
    part = len(parts) - 1 if part < 0 or part >= len(parts) else part
    start, end = parts[part]
    head = "".join(f"<col style='width:{w * 100:.1f}%'>" for w in widths)
    head += "<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in cols) + "</tr>"
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'>{html.escape(v)}</td>"
            if c in numeric
            else f"<td>{html.escape(v)}</td>"
            for c, v in zip(cols, row, strict=True)
        )
        + "</tr>"
        for row in frame.iloc[start:end].itertuples(index=False)
    )
    counter = f"第{start + 1}–{end}{what},共{len(frame)}{what}"
    if len(parts) > 1:
        counter += (
            f"(第{part + 1}/{len(parts)}页,"
            + ("按 → 翻页" if part + 1 < len(parts) else "已是最后一页")
            + ")"
        )
    st.html(
        f"<table class='present-table' style='table-layout:fixed'>{head}{body}</table>"
        f"<div class='present-part'>{html.escape(counter)}</div>"
    )


PROSE_LINES = 16  # lines of 31 px text (a heading counts as two) on a screen below its title


def prose_parts(
    blocks: list[tuple[str, str]], lines: int = PROSE_LINES
) -> list[list[tuple[str, str]]]:
    """Headings ("h") and paragraphs ("p") cut into screens of at most `lines` lines each; a
    paragraph longer than a screen is cut at a sentence end (。;) and continued ("c", not
    indented) on the next.
    A heading is never left at the bottom of a screen without its text."""
    per_line = _TABLE_WIDTH / TABLE_FONT - 2  # characters of a line, less the indent
    pieces: list[tuple[str, str, int]] = []
    blocks = [(k, line) for k, t in blocks for line in t.split("\n") if line.strip()]
    for kind, text in blocks:
        if kind == "h":
            pieces.append((kind, text, 2))
            continue
        sentences = [x for x in re.split(r"(?<=[。;;])", text) if x]
        chunk, run = "", kind
        for sentence in sentences:  # a paragraph in runs that fit a screen ("c": continued)
            if chunk and math.ceil(_text_width(chunk + sentence) / per_line) > lines - 2:
                pieces.append((run, chunk, math.ceil(_text_width(chunk) / per_line)))
                chunk, run = "", "c"
            chunk += sentence
        if chunk:
            pieces.append((run, chunk, max(1, math.ceil(_text_width(chunk) / per_line))))
    screens: list[list[tuple[str, str]]] = [[]]
    used = 0
    for i, (kind, text, need) in enumerate(pieces):
        follows = pieces[i + 1][2] if kind == "h" and i + 1 < len(pieces) else 0
        if screens[-1] and used + need + min(follows, 2) > lines:
            screens.append([])
            used = 0
        if kind == "c" and screens[-1]:  # the rest of a paragraph on the same screen: one
            last_kind, last_text = screens[-1][-1]
            screens[-1][-1] = (last_kind, last_text + text)
        else:
            screens[-1].append((kind, text))
        used += need
    return screens


def prose(blocks: list[tuple[str, str]]) -> None:
    """A document on a projector: headings and paragraphs in projector type, screen by screen
    (→ steps on), every text escaped; no edit box, no downloads."""
    parts = prose_parts(blocks)
    index = _record_parts(len(parts))
    part = _part(index)
    part = len(parts) - 1 if part < 0 or part >= len(parts) else part
    body = "".join(
        f"<h3>{html.escape(text)}</h3>"
        if kind == "h"
        else f"<p class='{'more' if kind == 'c' else ''}'>{html.escape(text)}</p>"
        for kind, text in parts[part]
    )
    counter = f"第{part + 1}/{len(parts)}页" + ("(按 → 翻页)" if part + 1 < len(parts) else "")
    st.html(
        f"<div class='present-prose'>{body}</div>"
        f"<div class='present-part'>{html.escape(counter)}</div>"
    )
