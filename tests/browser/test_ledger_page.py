"""An office's own .xls ledger through 数据管理 in a real browser: uploaded, the mapping step
settled (the month the template left blank, the level of the whole file), checked, imported, and
its figures on the overview. Screenshots of the mapping step at 1920×1080 and 1366×768 go to
artifacts/screenshots/ledger_*.png for a human look."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from browser_kit import (
    ALERT,
    RUN_TIMEOUT,
    Server,
    assert_no_exception,
    full_page_screenshot,
    metric_value,
    open_page,
    open_signed_in,
    wait_for_run,
)

from core.base import settings

sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "ingest"))
from ledgers import WRITERS, pairs_ledger

pytestmark = pytest.mark.browser
MAIN = "[data-testid='stMain']"


@pytest.fixture(scope="module", autouse=True)
def own_settings(tmp_path_factory):
    """The import adds the ledger's sectors to the settings: a file of this module's own."""
    path = tmp_path_factory.mktemp("ledger_settings") / "settings.toml"
    shutil.copy(settings.DEFAULTS, path)
    before = os.environ.get(settings.SETTINGS_SETTING)
    os.environ[settings.SETTINGS_SETTING] = str(path)
    yield path
    if before is None:
        os.environ.pop(settings.SETTINGS_SETTING, None)
    else:
        os.environ[settings.SETTINGS_SETTING] = before


def choose(page, label: str, option: str) -> None:
    """Pick an option of a select box of the page (not the sidebar's) by its label."""
    box = (
        page.locator(MAIN)
        .locator("[data-testid='stSelectbox']")
        .filter(has=page.locator("[data-testid='stWidgetLabel']").get_by_text(label, exact=True))
    )
    field = box.locator("input").first
    field.click()
    field.fill(option)  # typing filters the options; Enter takes the first one
    page.keyboard.press("Enter")
    wait_for_run(page, "数据管理")


def test_an_xls_ledger_through_the_page(page, server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    ledger = tmp_path / "龙海片区重点项目月报.xls"
    ledger.write_bytes(WRITERS["xls"](pairs_ledger()))
    open_signed_in(page, server, "/data", "数据管理")
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(str(ledger))
    expect(page.get_by_text("台账映射").first).to_be_visible(timeout=RUN_TIMEOUT)
    wait_for_run(page, "数据管理")
    assert_no_exception(page, server)
    # One question only: the level. The period comes from the data (the last month with
    # amounts), and the step says where it was read.
    question = page.locator(ALERT).filter(has_text="还需确认").first
    expect(question).to_contain_text("还需确认(1项)")
    expect(question).to_contain_text("项目级别")
    expect(page.get_by_text("表头中填有金额的最后一个月份“3月”").first).to_be_visible()
    confirm = page.get_by_role("button", name=re.compile("确认映射,检查数据$"))
    expect(confirm).to_be_disabled()

    choose(page, "项目级别", "市重点")
    expect(page.locator(ALERT).filter(has_text="还需确认")).to_have_count(0)
    expect(page.get_by_text("预览(前5个项目").first).to_be_visible()
    full_page_screenshot(page, "ledger_1_mapping")
    full_page_screenshot(page, "ledger_1_mapping", width=1366, height=768)

    confirm.click()
    summary = page.locator(ALERT).filter(has_text=re.compile("发现.*个错误")).first
    expect(summary).to_have_text(re.compile(r"发现0个错误、1个警告"), timeout=RUN_TIMEOUT)
    wait_for_run(page, "数据管理")
    assert_no_exception(page, server)
    expect(page.locator(ALERT).filter(has_text="将加入本办的类别列表").first).to_contain_text(
        "交通、农业、工业"
    )
    full_page_screenshot(page, "ledger_2_checked")

    page.get_by_role("button", name=re.compile("确认导入$")).click()
    done = page.locator(ALERT).filter(has_text="导入完成").first
    expect(done).to_be_visible(timeout=RUN_TIMEOUT)
    wait_for_run(page, "数据管理")
    assert_no_exception(page, server)

    open_page(page, "/", "重大项目运行总览")
    assert_no_exception(page, server)
    expect(metric_value(page, "项目数")).to_have_text("3个")
    expect(metric_value(page, "1-3月完成投资(亿元)")).to_have_text("0.4")
    full_page_screenshot(page, "ledger_3_overview")
