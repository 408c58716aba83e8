"""The app in a real browser: every page draws without an error box, its scope sentence and its
charts or map; URL state opens a filtered view; a sidebar filter changes the figures and the URL;
a bad URL value gives a visible notice. Screenshots for a human look go to artifacts/screenshots.

Needs Debian's Chromium at /usr/bin/chromium (and fonts-noto-cjk for readable screenshots).
Without it the tests are skipped, unless BRIEFING_REQUIRE_BROWSER=1 makes that a failure.
"""

from __future__ import annotations

import re

import pytest
from browser_kit import (
    ALERT,
    CHART,
    MAP,
    RUN_TIMEOUT,
    SCREENSHOTS,
    SIDEBAR,
    STATUS_WIDGET,
    Server,
    assert_no_exception,
    full_page_screenshot,
    metric_value,
    open_page,
    scope_sentence,
    wait_for_run,
)

from core.output import pages

pytestmark = pytest.mark.browser

DEFAULT_SCOPE = "范围:全市"
DEFAULT_COUNT = "106个"  # 项目数 on the default view: the annual report's 106 provincial projects

# name (for screenshots), URL path, the page's h1, what it must draw: the pages of the filters
PAGES = [(p.key, p.path, p.heading, p.draws) for p in pages.presented()]


# --- Tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "path", "title", "draws"), PAGES, ids=[name for name, *_ in PAGES]
)
def test_page_renders(
    page, server: Server, name: str, path: str, title: str, draws: str | None
) -> None:
    from playwright.sync_api import expect

    open_page(page, path, title)
    assert_no_exception(page, server)
    expect(page.get_by_text(DEFAULT_SCOPE).first).to_be_visible()
    if draws == "chart":
        expect(page.locator(CHART).first).to_be_attached()
    elif draws == "map":
        expect(page.locator(MAP).first).to_be_attached()
    # Late errors (a chart spec the frontend rejects) show only after drawing.
    expect(page.locator(STATUS_WIDGET)).to_be_hidden(timeout=RUN_TIMEOUT)
    assert_no_exception(page, server)

    for width, height in ((1920, 1080), (1366, 768)):
        full_page_screenshot(page, name, width, height)
        assert_no_exception(page, server)


def test_url_opens_filtered_view(page, server: Server) -> None:
    from playwright.sync_api import expect

    open_page(page, "/?county=城东区&sector=产业项目", "重大项目运行总览")
    assert_no_exception(page, server)
    sentence = scope_sentence(page)
    expect(sentence).to_contain_text("城东区")
    expect(sentence).to_contain_text("产业项目")
    value = metric_value(page, "项目数")
    expect(value).to_be_visible()
    assert value.inner_text().strip() != DEFAULT_COUNT


def test_sidebar_filter_changes_figures_and_url(page, server: Server) -> None:
    from playwright.sync_api import expect

    open_page(page, "/", "重大项目运行总览")
    value = metric_value(page, "项目数")
    expect(value).to_have_text(DEFAULT_COUNT)
    assert "county=" not in page.url

    sidebar = page.locator(SIDEBAR)
    expect(sidebar.get_by_role("combobox", name="项目级别")).to_be_visible()

    county = sidebar.locator("[data-testid='stMultiSelect']").filter(has_text="区县").first
    county.locator("input").first.click()
    page.get_by_role("option", name="城东区", exact=True).click()
    page.keyboard.press("Escape")

    expect(value).not_to_have_text(DEFAULT_COUNT, timeout=RUN_TIMEOUT)
    wait_for_run(page, "重大项目运行总览")
    assert_no_exception(page, server)
    expect(metric_value(page, "项目数")).not_to_have_text(DEFAULT_COUNT)
    expect(scope_sentence(page)).to_contain_text("城东区")
    expect(page).to_have_url(re.compile(r"[?&]county="))


def test_bad_url_value_gives_notice(page, server: Server) -> None:
    from playwright.sync_api import expect

    open_page(page, "/?county=不存在区", "重大项目运行总览")
    assert_no_exception(page, server)
    notice = page.locator(ALERT).filter(has_text="不存在区").first
    expect(notice).to_be_visible()
    expect(scope_sentence(page)).to_contain_text(DEFAULT_SCOPE)
    expect(metric_value(page, "项目数")).to_have_text(DEFAULT_COUNT)


def test_chart_png_download(page, server: Server) -> None:
    """The 下载图表 menu hands out a 2× PNG named with the chart, the scope and the period."""
    from PIL import Image

    open_page(page, "/growth?county=城东区", "投资增长")
    assert_no_exception(page, server)
    page.get_by_role("button", name="下载图表").first.click()
    with page.expect_download(timeout=RUN_TIMEOUT) as info:
        page.get_by_role("button", name=re.compile("PNG图片")).first.click()
    download = info.value
    assert download.suggested_filename == "累计完成投资与年度计划_城东区_2026年2月.png"
    out = SCREENSHOTS.parent / "downloads" / download.suggested_filename
    out.parent.mkdir(parents=True, exist_ok=True)
    download.save_as(str(out))
    with Image.open(out) as img:
        assert img.format == "PNG"
        assert img.size[0] >= 2 * 760  # twice the chart's width, for slides


def test_no_request_leaves_the_machine(page, server: Server) -> None:
    """Meeting rooms are often offline: every page, the map included, asks only this server
    (no fonts, icons, tiles, map styles or statistics from the internet)."""
    from urllib.parse import urlparse

    outside = []

    def check(request) -> None:
        url = urlparse(request.url)
        if url.scheme in ("data", "blob", "about") or url.hostname in ("127.0.0.1", "localhost"):
            return
        outside.append(request.url)

    page.on("request", check)
    for _name, path, title, _draws in PAGES:
        open_page(page, path, title)
        page.wait_for_timeout(1500)  # the map fetches its style after it is drawn
    assert outside == []
