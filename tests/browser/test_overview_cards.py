"""The overview's KPI cards drawn as one HTML element each row (issue 25, item 2): every card's
label and whole value readable at 1920, 1366 and 390 px, four cards a row on a screen and two on
a phone; the explanations as a title; and the map drawn from the deck JSON written once."""

from __future__ import annotations

import pytest
from browser_kit import (
    MAP,
    RUN_TIMEOUT,
    Server,
    assert_no_exception,
    full_page_screenshot,
    metric_value,
    open_page,
)

CARD = ".kpi-row .kpi"
LABELS = ("项目数", "总投资(亿元)", "年度计划投资(亿元)", "1-2月完成投资(亿元)", "完成率",
          "序时进度(按月)", "开工率", "已落实资金(亿元)")  # fmt: skip

# Per card: its box, the value's box and whether the value's text fits in it.
BOXES = """() => [...document.querySelectorAll('.kpi-row .kpi')].map(card => {
  const r = card.getBoundingClientRect();
  const v = card.querySelector('.kpi-value');
  return {left: r.left, right: r.right, top: Math.round(r.top), width: r.width,
          fits: v.scrollWidth <= v.clientWidth + 1, text: v.innerText};
})"""


@pytest.mark.parametrize(("width", "height", "per_row"),
                         [(1920, 1080, 4), (1366, 768, 4), (390, 844, 2)])  # fmt: skip
def test_cards_readable_at_each_width(page, server: Server, width, height, per_row) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": width, "height": height})
    open_page(page, "/", "重大项目运行总览")
    assert_no_exception(page, server)
    expect(metric_value(page, LABELS[0])).to_be_visible(timeout=RUN_TIMEOUT)
    for label in LABELS:
        expect(metric_value(page, label)).to_be_visible()
    expect(metric_value(page, "项目数")).to_have_text("106个")
    assert page.locator(CARD).count() == 8 + 5  # the year's cards and the stages'
    boxes = page.evaluate(BOXES)[:8]
    assert all(b["fits"] for b in boxes), boxes  # no value cut off
    assert all(b["right"] <= width + 0.5 and b["width"] >= 120 for b in boxes), boxes
    rows = sorted({b["top"] for b in boxes})
    assert len(rows) == 8 // per_row, boxes  # four a row on a screen, two on a phone
    help_ = page.locator(".kpi-help").first
    assert "安排了年度计划投资的项目个数" in help_.get_attribute("title")
    full_page_screenshot(page, "overview_cards", width, height)


def test_the_map_draws(page, server: Server) -> None:
    from playwright.sync_api import expect

    open_page(page, "/map", "项目地图")
    assert_no_exception(page, server)
    expect(page.locator(MAP).first).to_be_attached(timeout=RUN_TIMEOUT)
    page.wait_for_timeout(1500)
    assert_no_exception(page, server)
    full_page_screenshot(page, "map_deck_written_once", 1366, 768)
