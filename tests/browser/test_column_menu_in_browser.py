"""Streamlit's English on a click, in a real browser: a table header's ⋮ column menu, a cleared
period select, and the blank band above a page's title."""

from browser_kit import Server, assert_no_exception, open_page, wait_for_run

MAIN_SCROLL = "() => document.querySelector('[data-testid=stMain]').scrollTop"


def test_column_menu_period_select_and_title_band(page, server: Server):
    page.set_viewport_size({"width": 1366, "height": 768})
    open_page(page, "/progress", "项目推进情况")
    assert_no_exception(page, server)
    assert page.locator("h1").first.bounding_box()["y"] < 90  # was 100–130 px of blank

    # The period select: no clear button (a cleared one says "Choose an option"), no
    # "(required)" after its label.
    period = page.locator("[data-testid='stSelectbox']").filter(has_text="报告期")
    period.hover()
    assert not period.locator("[aria-label*='Clear'], [title*='Clear']").count()
    assert not page.get_by_text("(required)").filter(visible=True).count()
    period.click()
    page.keyboard.press("Backspace")
    page.keyboard.press("Escape")
    wait_for_run(page)
    assert not page.get_by_text("Choose an option").count()

    # Every spot along a table's header: a click sorts, the ⋮ opens no English menu, and the
    # page still scrolls afterwards (an open menu, even unseen, holds the wheel).
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    for dx in range(int(box["width"]) - 180, int(box["width"]) - 20, 4):
        page.mouse.move(box["x"] + dx, box["y"] + 18)
        page.mouse.click(box["x"] + dx, box["y"] + 18)
        assert not page.get_by_text("Sort ascending").filter(visible=True).count()
    page.wait_for_timeout(300)
    assert not page.locator("[data-testid='stDataFrameColumnMenu']").count()
    before = page.evaluate(MAIN_SCROLL)
    page.mouse.move(box["x"] + 200, box["y"] - 30)
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(500)
    assert page.evaluate(MAIN_SCROLL) > before
