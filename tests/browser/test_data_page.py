"""数据管理 in a real browser, as a new user meets it.

The first visit shows the demo; a workbook with two mistakes is refused with both named by row;
the same data as counties really send them (title rows, 单位 line, amounts as "12,345.6" and
"15.014567亿", months as "2025年3月", a 合计 row) import cleanly and give the demo's figures; a one-row
月度进度 return changes 1-2月完成投资 by the expected amount; a roll-back brings the first batch
back. Screenshots of the page go to artifacts/screenshots/data_*.png for a human look.

The app runs against its own fresh SQLite file (BRIEFING_DATABASE_URL), never the repo's data/.
Needs Debian's Chromium at /usr/bin/chromium, else the test is skipped, unless
BRIEFING_REQUIRE_BROWSER=1 makes that a failure.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
from browser_kit import (
    ALERT,
    RUN_TIMEOUT,
    SIDEBAR,
    Server,
    assert_no_exception,
    full_page_screenshot,
    metric_value,
    open_page,
    open_signed_in,
    wait_for_run,
)

from core.base import schema as S
from core.ingest import workbook
from core.store import datasource
from core.store.versions import Store

pytestmark = pytest.mark.browser

UPLOADER = "[data-testid='stFileUploader']"
FILE_CHIP_DELETE = "[data-testid='stFileChipDeleteBtn'] button"
DATAFRAME = "[data-testid='stDataFrame']"

# --- what the page and the demo say ------------------------------------------------------

DATA_TITLE = "数据管理"
OVERVIEW_TITLE = "重大项目运行总览"
NO_IMPORT_YET = "尚未导入数据"
DEMO_SIDEBAR_NOTE = "当前显示示例数据"
DEMO_COUNT = "106个"  # 项目数: provincial projects with a 2026 plan
DEMO_DONE = "172.6"  # 1-2月完成投资(亿元)
DONE_LABEL = "1-2月完成投资(亿元)"
PERIOD_MONTHS = ("2026-01", "2026-02")  # the demo's latest period is 2026-02
# Two mistakes, two errors: the 合计 row of 年度计划 is not checked against a column with a
# refused cell (the -5), which would only repeat the mistake as a warning.
BAD_SUMMARY = "发现2个错误、0个警告。请改正错误后重新上传。"
GOOD_SUMMARY = "检查通过,没有发现问题。"
NOTE = "测试导入"
ADDED = 100_000  # 万元 = 10亿元, the one-row 月度进度 return's amount
TITLE_ROWS = 2  # rows inserted above the header of 项目清单


# --- The files a user would upload, built with the project's own code ---------------------


@dataclass(frozen=True)
class Demo:
    tables: dict[str, pd.DataFrame]
    boundaries: dict


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The demo tables, as the app shows them before the first import (an empty store)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo_store')}/empty.sqlite"
    current = datasource.current(Store(url))
    assert current.is_demo
    return Demo(current.tables, current.boundaries)


@dataclass(frozen=True)
class Upload:
    good: Path  # the demo, laid out the way counties send returns
    bad: Path  # the same with a county typo and a negative amount
    geojson: Path
    monthly: Path  # one 月度进度 row for `code` in 2026-02
    bad_county_row: int  # Excel row of the typo in 项目清单
    bad_plan_row: int  # Excel row of the negative 年度计划投资
    code: str
    expected_done: str  # 1-2月完成投资(亿元) after the 月度进度 return


def _columns(ws, row: int) -> dict[str, int]:
    return {c.value: c.column for c in ws[row] if c.value}


def _messy_workbook(demo: Demo, *, typo_at: int | None, negative_at: int | None) -> bytes:
    """The demo as a county would send it: title and unit rows above the header, amounts as
    text with thousands separators or in 亿, months as 2025年3月, a 合计 row. The same data."""
    from openpyxl import load_workbook

    projects, plans = demo.tables[S.PROJECTS], demo.tables[S.PLANS]
    wb = load_workbook(io.BytesIO(workbook.data_bytes(demo.tables)))

    ws = wb[S.PROJECTS]
    width = ws.max_column
    ws.insert_rows(1, TITLE_ROWS)
    ws.cell(1, 1, "2026年重大项目清单")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, "单位:万元")
    header = TITLE_ROWS + 1
    cols = _columns(ws, header)
    total_col = cols[S.TOTAL_INVESTMENT]
    for k in (0, 1, 2):  # 150145.67 → "150,145.67"
        ws.cell(header + 1 + k, total_col, f"{Decimal(projects.at[k, S.TOTAL_INVESTMENT]):,}")
    # 150145.67 万元 → "15.014567亿": the same amount, in 亿 written into the cell
    ws.cell(header + 1 + 3, total_col, f"{Decimal(projects.at[3, S.TOTAL_INVESTMENT]) / 10000:f}亿")
    if typo_at is not None:
        ws.cell(header + 1 + typo_at, cols[S.COUNTY], "城东")

    ms = wb[S.MONTHLY]
    month_col = _columns(ms, 1)[S.MONTH]
    changed = 0
    for r in range(2, ms.max_row + 1):
        if ms.cell(r, month_col).value == "2025-03":
            ms.cell(r, month_col).value = "2025年3月"
            changed += 1
    assert changed > 10

    ps = wb[S.PLANS]
    plan_cols = _columns(ps, 1)
    if negative_at is not None:
        ps.cell(2 + negative_at, plan_cols[S.ANNUAL_PLAN], "-5")
    total = sum(Decimal(v) for v in plans[S.ANNUAL_PLAN])  # the data's own sum
    row = [None] * ps.max_column
    row[plan_cols[S.CODE] - 1] = "合计"
    row[plan_cols[S.ANNUAL_PLAN] - 1] = float(total)
    ps.append(row)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _yi(wan: Decimal) -> str:
    return str((wan / 10000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _annual_codes(demo: Demo) -> set[str]:
    """The overview's default population: provincial projects with a 2026 plan above zero."""
    projects, plans = demo.tables[S.PROJECTS], demo.tables[S.PLANS]
    plan = (
        plans.loc[plans[S.YEAR] == "2026"]
        .assign(v=lambda d: d[S.ANNUAL_PLAN].astype(float))
        .groupby(S.CODE)["v"]
        .sum()
    )
    provincial = projects.loc[projects[S.LEVEL] == S.LEVEL_PROVINCIAL, S.CODE]
    return set(provincial[provincial.map(plan).fillna(0) > 0])


@pytest.fixture(scope="module")
def upload(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Upload:
    from openpyxl import Workbook

    folder = tmp_path_factory.mktemp("uploads")
    projects, monthly = demo.tables[S.PROJECTS], demo.tables[S.MONTHLY]

    # The typo sits in a 城东区 project: "城东" is what a hurried clerk types.
    typo_at = int(projects.index[projects[S.COUNTY] == "城东区"][0])
    negative_at = 5
    good = folder / "重大项目数据_2026年2月.xlsx"
    good.write_bytes(_messy_workbook(demo, typo_at=None, negative_at=None))
    bad = folder / "重大项目数据_有错误.xlsx"
    bad.write_bytes(_messy_workbook(demo, typo_at=typo_at, negative_at=negative_at))
    geojson = folder / S.BOUNDARIES_FILE
    geojson.write_text(json.dumps(demo.boundaries, ensure_ascii=False), encoding="utf-8")

    # Figures of the default view, worked out from the demo tables.
    annual = _annual_codes(demo)
    assert len(annual) == int(DEMO_COUNT.removesuffix("个"))
    ytd = monthly.loc[monthly[S.MONTH].isin(PERIOD_MONTHS) & monthly[S.CODE].isin(annual)]
    done = sum(Decimal(v) for v in ytd[S.MONTH_COMPLETED])
    assert _yi(done) == DEMO_DONE, done

    # A provincial project under construction, in the default population, with a 2026-02 row;
    # the one with most room under its total investment, so that no warning is due.
    feb = monthly.loc[monthly[S.MONTH] == "2026-02"].set_index(S.CODE)[S.MONTH_COMPLETED]
    all_done = monthly.assign(v=monthly[S.MONTH_COMPLETED].astype(float)).groupby(S.CODE)["v"].sum()
    candidates = projects.loc[
        (projects[S.LEVEL] == S.LEVEL_PROVINCIAL)
        & (projects[S.STAGE] == S.STAGE_CONSTRUCTION)
        & projects[S.CODE].isin(annual)
        & projects[S.CODE].isin(feb.index)
    ]
    room = candidates[S.TOTAL_INVESTMENT].astype(float) - candidates[S.CODE].map(all_done)
    code = candidates.loc[room.idxmax(), S.CODE]
    assert room.max() > ADDED
    expected = done - Decimal(feb[code]) + ADDED  # the row replaces the project's 2026-02 figure
    assert _yi(expected) != DEMO_DONE

    wb = Workbook()
    ws = wb.active
    ws.title = S.MONTHLY
    ws.append(list(S.MONTHLY_COLUMNS))
    ws.append([code, "2026-02", ADDED, "主体结构施工"])
    monthly_file = folder / "月度进度_补报.xlsx"
    wb.save(monthly_file)

    return Upload(
        good=good,
        bad=bad,
        geojson=geojson,
        monthly=monthly_file,
        bad_county_row=TITLE_ROWS + 2 + typo_at,  # title rows, the header, then 1-based
        bad_plan_row=2 + negative_at,
        code=code,
        expected_done=_yi(expected),
    )


# --- Helpers -------------------------------------------------------------------------------


def upload_files(page, *paths: Path) -> None:
    page.locator(f"{UPLOADER} input[type=file]").set_input_files([str(p) for p in paths])


def summary_alert(page):
    """The alert that reports the check: 发现…个错误 / 检查通过…"""
    return page.locator(ALERT).filter(has_text=re.compile("发现.*个错误|检查通过")).first


def wait_for_check(page, server: Server, summary: str) -> None:
    from playwright.sync_api import expect

    expect(summary_alert(page)).to_be_visible(timeout=RUN_TIMEOUT)
    wait_for_run(page, DATA_TITLE)
    assert_no_exception(page, server)
    expect(summary_alert(page)).to_have_text(re.compile(rf"^\s*{re.escape(summary)}\s*$"))


def dataframe_with(page, column: str) -> pd.DataFrame:
    """The st.dataframe whose header has `column`, read from the grid's accessible table
    (the grid draws on a canvas; the table beside it holds the visible cells as text)."""
    from playwright.sync_api import expect

    grid = page.locator(DATAFRAME).filter(has=page.locator("th", has_text=column)).first
    expect(grid).to_be_visible()
    grid.scroll_into_view_if_needed()
    rows = grid.evaluate(
        """el => [...el.querySelectorAll('tr')].map(
            tr => [...tr.querySelectorAll('th, td')].map(c => c.innerText.trim()))"""
    )
    rows = [r for r in rows if r]
    return pd.DataFrame(rows[1:], columns=rows[0])


def button(page, label: str):
    """A button by its label (its accessible name may start with the icon's ligature)."""
    return page.get_by_role("button", name=re.compile(rf"{re.escape(label)}$"))


def click_and_wait_for_success(page, server: Server, label: str, success: str) -> str:
    from playwright.sync_api import expect

    button(page, label).click()
    done = page.locator(ALERT).filter(has_text=success).first
    expect(done).to_be_visible(timeout=RUN_TIMEOUT)
    wait_for_run(page, DATA_TITLE)
    assert_no_exception(page, server)
    return done.inner_text().strip()


def same_data(stored: dict[str, pd.DataFrame], demo: dict[str, pd.DataFrame]) -> None:
    """Every table the same: numbers compared as numbers ("3175" is "3175.0"), text as text."""
    for table in S.TABLES:
        a, b = stored[table], demo[table]
        assert a.shape == b.shape, (table, a.shape, b.shape)
        for column in S.COLUMNS[table]:
            x, y = a[column].astype(str), b[column].astype(str)
            xn, yn = pd.to_numeric(x, errors="coerce"), pd.to_numeric(y, errors="coerce")
            numeric = xn.notna().eq(x != "").all() and yn.notna().eq(y != "").all()
            if numeric:  # "3175" and "3175.0" are the same amount
                x, y = (n.round(6).map(lambda v: "" if pd.isna(v) else repr(v)) for n in (xn, yn))
            diff = x.ne(y)
            assert not diff.any(), (
                f"{table}.{column} differs from the demo in {int(diff.sum())} rows, e.g. "
                f"{x[diff].iloc[0]!r} for {y[diff].iloc[0]!r}"
            )


# --- The test ------------------------------------------------------------------------------


def test_import_check_history_rollback(page, server: Server, upload: Upload, demo: Demo) -> None:
    from playwright.sync_api import expect

    # 1. A new user: nothing imported, every page on the demo.
    open_page(page, "/data", DATA_TITLE)
    assert_no_exception(page, server)
    expect(page.locator(ALERT).filter(has_text=NO_IMPORT_YET).first).to_be_visible()
    expect(page.get_by_text("还没有导入记录").first).to_be_visible()
    open_page(page, "/", OVERVIEW_TITLE)
    assert_no_exception(page, server)
    expect(metric_value(page, "项目数")).to_have_text(DEMO_COUNT)
    expect(metric_value(page, DONE_LABEL)).to_have_text(DEMO_DONE)
    expect(page.locator(SIDEBAR)).to_contain_text(DEMO_SIDEBAR_NOTE)

    # 3. The workbook with a county typo and a negative amount, with the boundaries: refused,
    # each mistake named by its row.
    open_signed_in(page, server, "/data", DATA_TITLE)
    upload_files(page, upload.bad, upload.geojson)
    wait_for_check(page, server, BAD_SUMMARY)
    findings = dataframe_with(page, "说明")
    errors = findings.loc[findings["级别"] == "错误"]
    assert len(errors) == 2, findings.to_string()
    typo = errors.loc[errors["行"] == f"第{upload.bad_county_row}行"]
    assert len(typo) == 1, findings.to_string()
    assert typo.iloc[0][["工作表", "列", "值"]].tolist() == [S.PROJECTS, S.COUNTY, "城东"]
    assert "“城东区”" in typo.iloc[0]["说明"], typo.iloc[0]["说明"]
    negative = errors.loc[errors["行"] == f"第{upload.bad_plan_row}行"]
    assert len(negative) == 1, findings.to_string()
    assert negative.iloc[0][["工作表", "列", "值", "说明"]].tolist() == [
        S.PLANS,
        S.ANNUAL_PLAN,
        "-5",
        "金额不能为负数",
    ]
    assert (findings["级别"] == "警告").sum() == 0, findings.to_string()
    assert set(findings["文件"]) == {upload.bad.name}, findings.to_string()
    # The same findings as a CSV that opens in Excel.
    with page.expect_download(timeout=RUN_TIMEOUT) as info:
        button(page, "下载检查结果(.csv)").click()
    raw = Path(info.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the CSV needs a BOM for Excel"
    csv = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert csv["说明"].tolist() == findings["说明"].tolist()
    expect(button(page, "确认导入")).to_have_count(0)
    expect(page.get_by_label("本批次备注")).to_have_count(0)
    expect(page.locator(ALERT).filter(has_text=NO_IMPORT_YET).first).to_be_visible()
    full_page_screenshot(page, "data_1_check_errors")

    # 4. The files taken out again, then the corrected workbook: it imports as batch 1.
    delete = page.locator(FILE_CHIP_DELETE)
    expect(delete).to_have_count(2)
    while delete.count():
        delete.first.click()
        page.wait_for_timeout(300)
    expect(delete).to_have_count(0)
    expect(summary_alert(page)).to_have_count(0, timeout=RUN_TIMEOUT)
    wait_for_run(page, DATA_TITLE)

    upload_files(page, upload.good, upload.geojson)
    wait_for_check(page, server, GOOD_SUMMARY)
    rows = dict(zip(S.TABLES, (len(demo.tables[t]) for t in S.TABLES), strict=True))
    read = "、".join(f"{t}{n}行" for t, n in rows.items())  # the 合计 row is not a plan
    expect(page.get_by_text(f"本次读取:{read}。")).to_be_visible()
    note = page.get_by_label("本批次备注")
    note.fill(NOTE)
    note.press("Enter")
    wait_for_run(page, DATA_TITLE)
    message = click_and_wait_for_success(page, server, "确认导入", "导入完成")
    assert re.search(rf"导入完成:第1批数据\(导入于[\d: -]+,备注:{NOTE}\)", message), message
    expect(page.locator(ALERT).filter(has_text=NO_IMPORT_YET)).to_have_count(0)
    expect(page.locator(FILE_CHIP_DELETE)).to_have_count(0)  # the uploader starts afresh
    history = dataframe_with(page, "批次")
    assert history["批次"].tolist() == ["1"], history.to_string()
    first = history.iloc[0]
    assert [first["类型"], first["备注"], first["当前"]] == ["导入", NOTE, "是"], (
        history.to_string()
    )
    assert first["文件"] == f"{upload.good.name}、{upload.geojson.name}", first["文件"]
    # What the store holds is the demo, whatever the workbook's layout and formats.
    stored = Store(server.database_url).current_tables()
    assert stored is not None
    same_data(stored[0], demo.tables)
    full_page_screenshot(page, "data_2_imported")

    # 5. The overview now runs on the import, with the demo's figures.
    open_page(page, "/?level=省重点", OVERVIEW_TITLE)  # own data opens on every level
    assert_no_exception(page, server)
    expect(metric_value(page, "项目数")).to_have_text(DEMO_COUNT)
    expect(metric_value(page, DONE_LABEL)).to_have_text(DEMO_DONE)
    sidebar = page.locator(SIDEBAR)
    expect(sidebar).not_to_contain_text(DEMO_SIDEBAR_NOTE)
    expect(sidebar).to_contain_text("第1批数据")

    # 6. A one-row 月度进度 return replaces one project's 2026-02 figure.
    open_signed_in(page, server, "/data", DATA_TITLE)
    upload_files(page, upload.monthly)
    wait_for_check(page, server, GOOD_SUMMARY)
    expect(page.get_by_text(f"本次读取:{S.MONTHLY}1行。")).to_be_visible()
    message = click_and_wait_for_success(page, server, "确认导入", "导入完成")
    assert "第2批数据" in message, message
    open_page(page, "/?level=省重点", OVERVIEW_TITLE)  # own data opens on every level
    assert_no_exception(page, server)
    expect(metric_value(page, "项目数")).to_have_text(DEMO_COUNT)
    expect(metric_value(page, DONE_LABEL)).to_have_text(upload.expected_done)

    # 7. Back to batch 1.
    open_signed_in(page, server, "/data", DATA_TITLE)
    history = dataframe_with(page, "批次")
    assert history["批次"].tolist() == ["2", "1"], history.to_string()
    assert history["当前"].tolist() == ["是", ""], history.to_string()
    target = page.get_by_role("combobox", name="回滚到批次")
    target.click()
    target.fill("1")  # typing filters the options; Enter takes the first one
    page.keyboard.press("Enter")
    wait_for_run(page, DATA_TITLE)
    reason = page.get_by_label("回滚原因")
    reason.fill("补报数据有误")
    reason.press("Enter")
    wait_for_run(page, DATA_TITLE)
    expect(button(page, "回滚")).to_be_disabled()  # not before the user confirms
    page.get_by_text("确认把第1批数据恢复为当前数据").click()
    wait_for_run(page, DATA_TITLE)
    click_and_wait_for_success(page, server, "回滚", "第3批数据")
    done = page.locator(ALERT).filter(has_text="回滚完成").first
    expect(done).to_contain_text("当前为第3批数据")
    expect(done).to_contain_text("数据来自第1批")
    history = dataframe_with(page, "批次")
    assert history["批次"].tolist() == ["3", "2", "1"], history.to_string()
    latest = history.iloc[0]
    assert [latest["类型"], latest["备注"], latest["当前"]] == [
        "回滚(恢复第1批)",
        "补报数据有误",
        "是",
    ], history.to_string()
    full_page_screenshot(page, "data_3_rolled_back")
    open_page(page, "/?level=省重点", OVERVIEW_TITLE)  # own data opens on every level
    assert_no_exception(page, server)
    expect(metric_value(page, "项目数")).to_have_text(DEMO_COUNT)
    expect(metric_value(page, DONE_LABEL)).to_have_text(DEMO_DONE)
