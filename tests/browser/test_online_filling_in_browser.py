"""在线填报 in the browser: a county reporter signs in with its password, opens the form, enters
two projects' figures (one as the month's amount, one as the year to date), saves a draft, comes
back in a new session and finds it, submits it, and 报送情况 shows the county reported.

The data are tests/fixtures/mini (latest period 2025-02), so 甲区 owes 2025年3月 for A-001
(1-2月 100 + 200 = 300 万元 so far) and B-002 (300 + 300 = 600 万元); 乙县 owes it for C-003.
"""

from __future__ import annotations

import json
import re

from browser_kit import (
    RUN_TIMEOUT,
    SIDEBAR,
    account,
    assert_no_exception,
    open_page,
    sign_in,
    wait_for_run,
)
from playwright.sync_api import expect

from core.base import schema as S
from core.store import drafts
from core.store.portfolio import read_csv
from core.store.versions import Store
from tests.access_kit import ADMIN
from tests.conftest import FIXTURES

REPORTER = "甲区填报员"
GRID = "[data-testid='stDataFrame']"
# The form's columns as shown (app_pages/filling.py): 项目名称 first, then plan, year to date so
# far, last month's words, and the columns entered.
NAME, AMOUNT, TO_DATE, DERIVED, WORDS = 0, 4, 5, 6, 7


def _store_with_mini(server) -> None:
    store = Store(server.database_url)
    try:
        tables = {t: read_csv(FIXTURES / "mini" / f"{t}.csv") for t in S.TABLES}
        geo = json.loads((FIXTURES / "mini" / S.BOUNDARIES_FILE).read_text(encoding="utf-8"))
        store.import_batch(tables, files=["mini"], boundaries=geo, actor=ADMIN)
    finally:
        store.close()


def _go(page, title: str) -> None:
    page.locator(SIDEBAR).locator("a").filter(has_text=title).first.click()
    wait_for_run(page, title)


def _cells(page) -> list[list[str]]:
    """The form's cells as the grid's accessible table states them, row by row."""
    grid = page.locator(GRID).first
    expect(grid.locator("td[role='gridcell']").first).to_be_attached(timeout=RUN_TIMEOUT)
    return grid.evaluate(
        "g => [...g.querySelectorAll(\"tbody tr[role='row']\")].map("
        "r => [...r.querySelectorAll('td')].map(c => c.textContent))"
    )


def _enter(page, row: int, column: int, text: str) -> None:
    """Type into a cell as a person does: select the row's first cell, move right, open the
    cell's editor, type, Enter."""
    grid = page.locator(GRID).first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 40, box["y"] + 35 + 35 * row + 17)
    page.wait_for_timeout(200)
    target = grid.locator(f"td#glide-cell-{column}-{row}")  # the click selected column 0
    for _ in range(column):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(100)
    expect(target).to_have_attribute("aria-selected", "true", timeout=RUN_TIMEOUT)
    page.keyboard.press("Enter")  # opens the cell's editor
    editor = page.locator("#portal textarea, #portal input").first
    expect(editor).to_be_visible(timeout=RUN_TIMEOUT)
    editor.fill(text)
    page.keyboard.press("Enter")
    wait_for_run(page, "在线填报")


def _draft_rows(server) -> list[dict]:
    store = Store(server.database_url)
    try:
        draft = drafts.get(store, "甲区", "2025-03", actor=ADMIN)
    finally:
        store.close()
    return [] if draft is None else draft.rows


def test_a_reporter_fills_the_month_online_and_the_office_sees_it(page, server):
    _store_with_mini(server)
    password = account(server, REPORTER, "区县填报", ("甲区",))
    open_page(page, "/")
    sign_in(page, server, REPORTER, password)
    _go(page, "在线填报")
    assert_no_exception(page, server)
    expect(page.get_by_text("甲区共2个项目应报送2025年3月月度进度")).to_be_visible(
        timeout=RUN_TIMEOUT
    )
    cells = _cells(page)
    assert [r[:4] for r in cells] == [["甲区芯片封装项目", "1200", "300", "主体封顶"],
                                      ["甲区快速路工程", "6000", "600", "征迁"]]  # fmt: skip

    _enter(page, 0, AMOUNT, "80")  # March's own amount
    _enter(page, 1, TO_DATE, "700")  # B-002: 1-3月, so March is 100
    _enter(page, 0, WORDS, "主体封顶完成")
    page.get_by_role("button", name="保存草稿").click()
    wait_for_run(page, "在线填报")
    expect(page.get_by_text(re.compile("草稿已保存"))).to_be_visible(timeout=RUN_TIMEOUT)
    saved = _draft_rows(server)
    assert [(r[S.CODE], r[S.MONTH_COMPLETED], r[S.MONTH_CUMULATIVE]) for r in saved] == [
        ("A-001", 80, None),
        ("B-002", None, 700),
    ]
    assert saved[0][S.PROGRESS_TEXT] == "主体封顶完成"

    # Another day: a new session, signed in again; the draft is where it was left.
    open_page(page, "/")
    sign_in(page, server, REPORTER, password)
    _go(page, "在线填报")
    expect(page.get_by_text(re.compile(f"已载入{REPORTER}于.*保存的草稿"))).to_be_visible(
        timeout=RUN_TIMEOUT
    )
    cells = _cells(page)
    assert (cells[0][AMOUNT], cells[0][WORDS], cells[1][TO_DATE]) == ("80", "主体封顶完成", "700")
    assert (cells[0][DERIVED], cells[1][DERIVED]) == ("本年累计380", "本月100")

    page.get_by_role("button", name="提交").click()
    wait_for_run(page, "在线填报")
    done = page.get_by_text(re.compile("已提交为第2批:在线填报:甲区2025年3月月度进度2个项目"))
    expect(done).to_be_visible(timeout=RUN_TIMEOUT)
    assert_no_exception(page, server)

    # The office, in its own session: 报送情况 opens on 2025年3月 with 甲区 reported.
    open_page(page, "/collection", "报送情况")
    assert_no_exception(page, server)
    expect(page.get_by_text(re.compile("2025年3月月度进度:1/2个区县已报送"))).to_be_visible(
        timeout=RUN_TIMEOUT
    )
    rows = {r[0]: r for r in _cells(page)}
    assert rows["甲区"][1:5] == ["2", "2", "0", "已报送"]
    assert rows["甲区"][8] == REPORTER
    assert rows["乙县"][4] == "未报送"
