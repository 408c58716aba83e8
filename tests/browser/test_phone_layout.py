"""The leader's phone: a link opened on a phone (390×844, and 360×800) reads without sideways
scrolling on every page, the KPI cards two a row, tables that scroll inside themselves, and no
汇报模式 switch (made for a projector). Screenshots go to artifacts/screenshots."""

from __future__ import annotations

import pytest
from browser_kit import (
    METRIC,
    SCREENSHOTS,
    SIDEBAR,
    Server,
    assert_no_exception,
    open_page,
)

from core.output import pages

pytestmark = pytest.mark.browser

PAGES = [(p.key, p.path, p.heading) for p in pages.for_everyone()]  # core.output.pages
# The page's own width, and each element wider than the window that is not inside a box that
# scrolls (a table's, a chart's) — what would make the page itself scroll sideways.
WIDTHS = """() => {
  const m = document.querySelector("[data-testid='stMain']");
  const clipped = e => { for (let a = e.parentElement; a && a !== m; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (/(auto|scroll|hidden|clip)/.test(s.overflowX)) return true; } return false; };
  const wide = [...m.querySelectorAll('*')].filter(e => e.checkVisibility()
      && e.getBoundingClientRect().right > innerWidth + 1 && !clipped(e))
    .map(e => e.getAttribute('data-testid') || e.tagName);
  return {page: document.scrollingElement.scrollWidth, main: m.scrollWidth, wide};
}"""


# A phone's browser as it names itself (Chrome on Android): pages narrow their tables on it.
PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/126.0.0.0 Mobile Safari/537.36")  # fmt: skip


@pytest.fixture
def phone(browser, server: Server, request: pytest.FixtureRequest):
    """A phone's browser: 390×844, touch, twice the pixels."""
    width, height = getattr(request, "param", (390, 844))
    context = browser.new_context(
        base_url=server.url,
        viewport={"width": width, "height": height},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=PHONE_AGENT,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def fold_sidebar(page) -> None:
    """The sidebar opens over the page on a phone: fold it with its « button, as a thumb would."""
    fold = page.locator("[data-testid='stSidebarCollapseButton'] button").first
    if fold.is_visible():
        fold.click()
        page.wait_for_timeout(600)  # the sidebar slides away


@pytest.mark.parametrize(("name", "path", "title"), PAGES, ids=[p[0] for p in PAGES])
def test_no_page_scrolls_sideways_on_a_phone(phone, server: Server, name, path, title):
    open_page(phone, path, title)
    assert_no_exception(phone, server)
    fold_sidebar(phone)
    phone.wait_for_timeout(800)  # charts and tables finish drawing at the phone's width
    widths = phone.evaluate(WIDTHS)
    assert widths["page"] <= 390, widths
    assert widths["main"] <= 390, widths
    assert widths["wide"] == [], widths
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / f"phone_{name}_390x844.png"))


@pytest.mark.parametrize("phone", [(390, 844), (360, 800)], indirect=True, ids=["390", "360"])
def test_cards_two_a_row_and_no_presenting_on_a_phone(phone, server: Server):
    open_page(phone, "/progress", "项目推进情况")
    fold_sidebar(phone)
    phone.locator(METRIC).nth(4).wait_for()
    boxes = phone.locator(METRIC).evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [Math.round(r.left), Math.round(r.top), Math.round(r.width)]; })"
    )
    assert len(boxes) == 5  # 范围内项目 and the four statuses
    width = phone.viewport_size["width"]
    (l0, t0, w0), (l1, t1, w1), (l2, t2, _) = boxes[:3]
    assert t0 == t1 and l1 > l0, boxes  # the first two side by side
    assert t2 > t0 and l2 == l0, boxes  # the third begins the next row
    assert w0 < width / 2 and w1 < width / 2 and l1 + w1 <= width, boxes
    value_size = phone.locator("[data-testid='stMetricValue']").first.evaluate(
        "e => parseFloat(getComputedStyle(e.querySelector('p') || e).fontSize)"
    )
    assert 20 <= value_size <= 28  # readable, and 「349个」 fits half the width
    # 汇报模式 is for a projector: its switch is not offered on a phone
    phone.locator("[data-testid='stSidebarCollapsedControl'] button, "
                  "[data-testid='stExpandSidebarButton']").first.click()  # fmt: skip
    phone.wait_for_timeout(600)
    assert phone.locator(SIDEBAR).get_by_text("筛选条件").is_visible()
    assert not phone.locator(SIDEBAR).get_by_text("汇报模式").is_visible()
    widths = phone.evaluate(WIDTHS)
    assert widths["page"] <= width, widths


def test_tables_show_their_key_columns_on_a_phone(phone, server: Server):
    """项目进度 on a phone: the name, 完成率 and 状态 (and the link to the project's file, where
    the rest is a tap away), not the nine columns of a screen."""
    open_page(phone, "/progress", "项目推进情况")
    fold_sidebar(phone)
    grid = phone.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    phone.wait_for_timeout(800)
    headers = grid.locator("[role='columnheader']").all_inner_texts()
    names = [h.strip() for h in headers if h.strip()]
    assert names == ["项目名称", "完成率", "状态", "档案"] or names[:3] == [
        "项目名称",
        "完成率",
        "状态",
    ], names
    assert "区县" not in names and "年度计划(亿元)" not in names and "计划(亿元)" not in names, (
        names
    )
