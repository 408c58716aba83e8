"""The meeting room in a real browser: no English, None or nan on any page at 1920×1080 and
1366×768 (default, filtered and first period); in 汇报模式 no screen scrolls and the KPI type is
projector-sized; every filter survives a copied link; an agenda link steps through its views.
Screenshots of every page in both modes go to artifacts/screenshots."""

from __future__ import annotations

import re

import pytest
from browser_kit import (
    METRIC_VALUE,
    RUN_TIMEOUT,
    SCREENSHOTS,
    SIDEBAR,
    Server,
    assert_no_exception,
    full_page_screenshot,
    open_page,
    scope_sentence,
    wait_for_run,
)

from core.output import pages
from tests.access_kit import ADMIN

pytestmark = pytest.mark.browser

PAGES = [(p.key, p.path, p.heading) for p in pages.for_everyone()]  # core.output.pages
VARIANTS = {
    "default": "",
    "filtered": "county=城东区&sector=产业项目",
    "first": "period=2024-01",
}
# Words a leader must never see: Python's missing values, and the English that Streamlit draws
# unless the product hides, configures or replaces it.
FORBIDDEN = re.compile(
    r"\b(None|nan|NaN|NaT|undefined|null|Select all|Upload|Browse files|Drag and drop|per file|"
    r"Page not found|Show data|Download as PNG|Fullscreen|Print|Record screen|"
    r"Made with Streamlit|Deploy|Rerun|Clear cache|Settings|Skip to main content)\b"
)
# The text a person sees: text nodes of rendered, on-page elements, without the icon font's
# ligature names ("dashboard" draws an icon, not a word).
VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || !node.textContent.trim()) continue;
    if (el.closest('[data-testid="stIconMaterial"], script, style, noscript')) continue;
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    if (parseFloat(getComputedStyle(el).fontSize) < 1) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2 || r.right < 0 || r.bottom < 0) continue;
    out.push(node.textContent.trim());
  }
  return out.join("\\n");
}"""
MAIN_SCROLL = """() => { const m = document.querySelector("[data-testid='stMain']");
  return [m.scrollHeight, m.clientHeight]; }"""


def visible_words(page) -> list[str]:
    return sorted(set(FORBIDDEN.findall(page.evaluate(VISIBLE_TEXT))))


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize(("name", "path", "title"), PAGES, ids=[p[0] for p in PAGES])
def test_no_english_nor_missing_values_on_screen(page, server: Server, name, path, title, variant):
    query = VARIANTS[variant]
    open_page(page, f"{path}?{query}" if query else path, title)
    assert_no_exception(page, server)
    page.wait_for_timeout(800)  # charts and tables finish drawing
    # Set by the page's script, which may run a moment after the page's text is drawn.
    page.wait_for_function("() => document.documentElement.lang === 'zh-CN'", timeout=15_000)
    for width, height in ((1920, 1080), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(600)
        assert visible_words(page) == [], f"{path}?{query} at {width}×{height}"
        if variant != "default":  # the default views are shot by test_browser
            full_page_screenshot(page, f"{name}_{variant}", width, height)


def test_mistyped_path_gives_a_chinese_notice_not_an_english_dialog(page, server: Server):
    from playwright.sync_api import expect

    open_page(page, "/nosuchpage", "重大项目运行总览")
    expect(page.get_by_text("链接中的页面“nosuchpage”不存在,已打开总览。")).to_be_visible()
    # The page's style may reach the browser a moment after the dialog: it must then hide it.
    expect(page.locator("[data-testid='stDialog']")).to_be_hidden()
    assert visible_words(page) == []


def test_a_link_to_a_page_that_needs_a_sign_in_says_so(page, server: Server):
    """A reporter's 在线填报 link opened before signing in: named, and the sign-in asked for —
    not called a page that does not exist."""
    from playwright.sync_api import expect

    open_page(page, "/filling", "重大项目运行总览")
    expect(
        page.get_by_text("“在线填报”页需要以有相应权限的账户登录后才能打开,已打开总览。")
    ).to_be_visible()
    expect(page.get_by_text("不存在")).to_have_count(0)


PROJECTOR_SIZES = ((1920, 1080), (1366, 768), (1280, 720))
# What a screen is measured for: the page's overflow, every visible button (or a part of its
# label) cut short, the smallest table type as drawn (CSS zoom included), the KPI values' type.
SCREEN_MEASURES = """() => {
  const m = document.querySelector("[data-testid='stMain']");
  const cut = [...document.querySelectorAll("[data-testid='stMain'] button")]
    .filter(b => b.checkVisibility())
    .flatMap(b => [b, ...b.querySelectorAll('*')])
    .filter(e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.innerText);
  const cells = [...document.querySelectorAll('.present-table th, .present-table td')];
  const drawn = e => parseFloat(getComputedStyle(e).fontSize) * (e.currentCSSZoom || 1);
  const inner = [...document.querySelectorAll("[data-testid='stMain'] *")].filter(e => {
    const s = getComputedStyle(e);
    return e.closest('.present-table, .present-prose') && /(auto|scroll)/.test(s.overflowY)
      && e.scrollHeight > e.clientHeight + 1; }).length;
  return {over: m.scrollHeight - m.clientHeight, wide: document.scrollingElement.scrollWidth,
          cut, inner, table: cells.length ? Math.min(...cells.map(drawn)) : null,
          frames: document.querySelectorAll("[data-testid='stDataFrame']").length};
}"""
# The screen on view: the bar's 第i/n屏 and a long table's or text's 第…页.
SCREEN_STATE = """() => [...document.querySelectorAll("[data-testid='stCaptionContainer']")]
  .map(e => e.innerText).find(t => /第\\d+\\/\\d+屏/.test(t)).split('|')[0]
  + [...document.querySelectorAll('.present-part')].map(e => e.innerText).join(' ')"""


def measure_screen(page, state: str, number: int) -> None:
    """The screen on view fits each projector whole, with its table type at least 20 px."""
    for width, height in PROJECTOR_SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(500)
        m = page.evaluate(SCREEN_MEASURES)
        where = f"{state} at {width}×{height}"
        assert m["over"] <= 1, f"{where} scrolls by {m['over']} px"
        assert m["wide"] <= width, f"{where} scrolls sideways"
        assert m["cut"] == [], f"{where}: labels cut short {m['cut']}"
        assert m["inner"] == 0, f"{where}: a table scrolls inside itself"
        assert m["frames"] == 0, f"{where}: a small-print table (st.dataframe) on a projector"
        if m["table"] is not None:
            assert m["table"] >= 20, f"{where}: table type {m['table']:.1f} px"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"present_{number:02d}_{width}x{height}.png"))
    page.set_viewport_size({"width": 1920, "height": 1080})


def test_present_mode_every_screen_fits_every_projector(page, server: Server):
    """Walks a county's whole meeting with the → key, a long table's parts included: each
    screen fits 1920×1080, 1366×768 and 1280×720 without scrolling, with whole button labels,
    tables in type of at least 20 px without a scroll bar of their own; KPI values at least
    56 px at 1920; nothing English shows."""
    from playwright.sync_api import expect

    open_page(page, "/?present=1&county=青山县", "重大项目运行总览")
    counter = re.compile(r"第(\d+)/(\d+)屏")
    bar = page.locator("[data-testid='stCaptionContainer']").filter(has_text=counter).first
    total = int(counter.search(bar.inner_text()).group(2))
    assert total >= 15
    # the page's style collapses the sidebar once the run has drawn it (slow on a busy machine)
    expect(page.locator(SIDEBAR)).to_be_hidden(timeout=RUN_TIMEOUT)
    seen, parts = [], 0
    while True:
        page.wait_for_timeout(500)  # charts and tables finish drawing
        state = page.evaluate(SCREEN_STATE)
        assert state not in seen, f"→ did not step on from {state}"
        seen.append(state)
        parts += "页" in state
        assert_no_exception(page, server)
        sizes = page.locator(METRIC_VALUE).evaluate_all(
            "els => els.map(e => parseFloat(getComputedStyle(e.querySelector('p') || e).fontSize))"
        )
        assert all(s >= 56 for s in sizes), (state, sizes)
        assert visible_words(page) == [], state
        measure_screen(page, state, len(seen))
        if page.get_by_role("button", name=re.compile("下一屏")).is_disabled():
            break
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)
        wait_for_run(page)
        page.wait_for_function(f"() => ({SCREEN_STATE})() !== {state!r}", timeout=RUN_TIMEOUT)
        # The bar names the next screen early in its run: wait for the run to end too, or
        # the screen is measured while the previous one's elements are still drawn.
        wait_for_run(page)
    assert f"第{total}/{total}屏" in seen[-1]
    screens = {counter.search(s).group(0) for s in seen}
    assert len(screens) == total, sorted(screens)  # every screen, none skipped
    assert parts >= 3  # the long tables and the 简报 went by in parts


def test_a_long_table_continues_on_the_next_screen(page, server: Server):
    """The city's 349 projects on 项目进度: nine a screen in projector type, 下一屏 shows the
    next nine, 上一屏 the first again."""
    from playwright.sync_api import expect

    open_page(page, "/progress?present=1", "项目推进情况")
    part = page.locator(".present-part")
    expect(part).to_have_text("第1–9个,共349个(第1/40页,按 → 翻页)")
    assert page.locator(".present-table tr").count() == 10  # the heading's row and nine
    first = page.locator(".present-table td").first.inner_text()
    page.get_by_role("button", name=re.compile("下一屏")).click()  # or →, as the walk above
    wait_for_run(page)
    expect(part).to_contain_text("第10–18个,共349个(第2/40页", timeout=RUN_TIMEOUT)
    assert page.locator(".present-table td").first.inner_text() != first
    page.get_by_role("button", name=re.compile("上一屏")).click()
    wait_for_run(page)
    expect(part).to_contain_text("第1–9个,共349个(第1/40页", timeout=RUN_TIMEOUT)
    assert page.locator(".present-table td").first.inner_text() == first


# filter → how to choose it in the sidebar, the URL it writes, what the reopened page shows
ROUND_TRIPS = {
    "period": ("combobox", "报告期", "2025-12", "period=2025-12", "截至2025年12月底"),
    "county": ("multiselect", "区县", "青山县", "county=", "范围:青山县"),
    "sector": ("multiselect", "行业领域", "生态环保", "sector=", "生态环保"),
    "level": ("combobox", "项目级别", "市重点", "level=", "市重点"),
    "stage": ("combobox", "项目阶段", "在建", "stage=", "在建"),
    "schedule": ("radio", "口径设置", "按日计算(已过天数÷全年天数)", "schedule=days", None),
}


@pytest.mark.parametrize("name", list(ROUND_TRIPS))
def test_a_copied_link_reopens_the_chosen_filter(browser, server: Server, name):
    """Choose in the sidebar → copy the link → open it in a fresh browser: the same view."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    kind, label, value, in_url, shown = ROUND_TRIPS[name]
    first = browser.new_context(base_url=server.url, viewport={"width": 1920, "height": 1080})
    page = first.new_page()
    open_page(page, "/", "重大项目运行总览")
    sidebar = page.locator(SIDEBAR)
    if kind == "combobox":
        option = page.get_by_role("option", name=value, exact=True)
        for _ in range(3):  # a rerun that ends as the list opens closes it again: reopen it
            wait_for_run(page)
            sidebar.get_by_role("combobox", name=label).click()
            try:
                option.wait_for(timeout=5000)
                break
            except PlaywrightTimeout:
                page.keyboard.press("Escape")
        option.click()
    elif kind == "multiselect":
        box = sidebar.locator("[data-testid='stMultiSelect']").filter(has_text=label).first
        box.locator("input").first.click()
        page.get_by_role("option", name=value, exact=True).click()
        page.keyboard.press("Escape")
    else:
        sidebar.get_by_text(label).click()
        sidebar.get_by_text(value, exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(in_url).replace("\\=", "=")), timeout=RUN_TIMEOUT)
    wait_for_run(page, "重大项目运行总览")
    link = page.url
    first.close()

    second = browser.new_context(viewport={"width": 1920, "height": 1080})
    again = second.new_page()
    try:
        open_page(again, link, "重大项目运行总览")
        assert_no_exception(again, server)
        assert not again.get_by_text("不存在").count(), "the link's value was not recognised"
        if shown:
            expect(scope_sentence(again)).to_contain_text(shown)
        else:
            expect(again.get_by_text("序时进度(按日)")).to_be_visible()
    finally:
        second.close()


def test_agenda_link_steps_through_pages_without_the_sidebar(page, server: Server):
    from playwright.sync_api import expect

    from core.output import agenda as A
    from core.store.versions import Store

    A.Agendas(Store(server.database_url)).save(
        A.Agenda("3月调度会", (A.View("overview", counties=("青山县",)),
                             A.View("progress", sectors=("产业项目",)))), actor=ADMIN
    )  # fmt: skip
    open_page(page, "/?agenda=3月调度会", "重大项目运行总览")
    expect(scope_sentence(page)).to_contain_text("范围:青山县")
    for _ in range(3):
        page.get_by_role("button", name=re.compile("下一屏")).click()
        wait_for_run(page)
    wait_for_run(page, "项目推进情况")
    expect(page).to_have_url(re.compile(r"/progress\?"))
    expect(scope_sentence(page)).to_contain_text("范围:全市 · 产业项目")
    full_page_screenshot(page, "agenda_progress", 1920, 1080)


def test_an_agenda_steps_to_a_projects_file(page, server: Server):
    """An agenda that holds a project (项目档案) steps from 总览 to that project's file, then on
    to 项目进度, in 汇报模式 all the way."""
    from playwright.sync_api import expect

    from core.output import agenda as A
    from core.store.portfolio import DEMO_DIR, load_folder
    from core.store.versions import Store

    project = load_folder(DEMO_DIR).projects.iloc[1]  # the demo data the empty store shows
    code, name = project["项目代码"], project["项目名称"]
    A.Agendas(Store(server.database_url)).save(
        A.Agenda("项目调度会", (A.View("overview", counties=("青山县",)), A.View.of_project(code),
                              A.View("progress"))), actor=ADMIN
    )  # fmt: skip
    open_page(page, "/?agenda=项目调度会", "重大项目运行总览")
    next_screen = page.get_by_role("button", name=re.compile("下一屏"))
    for _ in range(3):  # 总览's three screens
        next_screen.click()
        wait_for_run(page)
    wait_for_run(page, "项目档案")
    expect(page).to_have_url(re.compile(rf"/project\?.*code={re.escape(code)}"))
    expect(page.get_by_text(f"{name} · 概况", exact=True).first).to_be_visible()
    bar = page.locator("[data-testid='stCaptionContainer']").filter(has_text="项目调度会").first
    expect(bar).to_contain_text(f"第4/13屏 · 项目档案 · {code} · 概况")
    expect(page.locator(SIDEBAR)).to_be_hidden()  # still 汇报模式
    assert_no_exception(page, server)
    for _ in range(20):  # the file's eight screens (a long 形象进度 in parts), then 项目进度
        next_screen.click()
        wait_for_run(page)
        if "/progress?" in page.url:
            break
    wait_for_run(page, "项目推进情况")
    expect(page).to_have_url(re.compile(r"/progress\?"))
    expect(bar).to_contain_text("第12/13屏 · 项目进度 · 项目清单")
    page.get_by_role("button", name=re.compile("上一屏")).click()
    wait_for_run(page, "项目档案")
    expect(page).to_have_url(re.compile(rf"code={re.escape(code)}"))
    expect(bar).to_contain_text(f"第11/13屏 · 项目档案 · {code} · 变更记录")
