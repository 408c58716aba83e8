"""Recognising ledgers as offices keep them, in .xlsx, .xls and .ods: the header block flattened
into column paths, the period, section rows and totals, and the two real 南平 templates."""

from pathlib import Path

import pytest
from ledgers import WRITERS, Sheet, monthly_ledger, pairs_ledger

from core.base.periods import Period
from core.ingest import ledger, reading, sheets
from core.ingest import vocabulary as V

REALWORLD = Path(__file__).resolve().parents[4] / "shared" / "realworld"
NANPING_MONTHLY = REALWORLD / "南平_重点项目月报表(在建、筹建).xls"
NANPING_SUMMARY = REALWORLD / "南平_年度目标及形象进度完成情况汇总表.xls"
needs_realworld = pytest.mark.skipif(
    not NANPING_MONTHLY.exists(),
    reason="../shared/realworld is absent (a user's clone of the product has no shared folder)",
)


def recognised(fmt: str, sheet) -> ledger.LedgerSheet:
    name = f"台账.{fmt}"
    found = sheets.workbook_sheets(name, WRITERS[fmt](sheet))
    assert isinstance(found, list) and len(found) == 1
    result = reading.read_sheet(found[0].grid, name, found[0].name, None)
    assert isinstance(result, ledger.LedgerSheet)
    return result


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_monthly_ledger_with_a_three_row_header(fmt):
    led = recognised(fmt, monthly_ledger())
    assert led.period == Period(2026, 3)
    # The data speak first: the header's year-to-date words, which the title confirms.
    assert led.period_source == "表头“2026年实际完成情况/1-3月完成投资(万元)”"
    assert led.header_rows[0] == 3
    assert led.multiplier == 1.0
    fields = {c.label: c.field for c in led.columns}
    assert fields == {
        "序号": V.IGNORE,
        "项目名称": V.NAME,
        "建设地点": V.COUNTY,
        "总投资(万元)": V.TOTAL,
        "开工至上年底累计完成投资": V.PRIOR,
        "2026年计划投资(万元)": V.PLAN,
        "2026年实际完成情况/1-3月完成投资(万元)": V.YTD,
        "2026年实际完成情况/完成投资占年计划%": V.IGNORE,
        "2026年实际完成情况/1-3月形象进度": V.PROGRESS,
        "项目业主单位/业主名称": V.OWNER,
        "项目业主单位/负责人": V.OWNER_PERSON,
        "挂点领导": V.LEADER,
        "需要协调解决的问题": V.PROBLEM,
    }
    headings = [(s.level, s.label, s.count) for s in led.sections if not s.total]
    assert headings == [(1, "城东区", 3), (2, "在建", 2), (2, "预备", 1), (1, "城西区", 2),
                        (2, "在建", 2)]  # fmt: skip
    totals = [(s.label, s.count, s.part) for s in led.sections if s.total]
    assert totals == [("合计", 5, False), ("在建重点项目", 4, True), ("预备重点项目", 1, True)]
    assert [r.row for r in led.records] == [11, 12, 15, 18, 19]  # the blank row 13 skipped
    assert [r.cells[1] for r in led.records] == ["东港大桥", "城东 污水厂", "城东学校", "城西医院",
                                                 "城西公园"]  # fmt: skip
    school = led.records[2]
    assert [led.sections[i].label for i in school.sections.values()] == ["城东区", "预备"]
    assert led.notes == [(20, "注:本表由各区县发改局填报")]


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_per_month_pairs_county_totals_and_sector_rows(fmt):
    led = recognised(fmt, pairs_ledger())
    # No month in the title: the data say it, the last month with amounts (1-3月 filled).
    assert led.period == Period(2026, 3)
    assert led.period_source == "表头中填有金额的最后一个月份“3月”"
    per_month = [(c.label, c.field, c.month) for c in led.columns if c.field and c.field.per_month]
    assert per_month == [
        ("1月/当月完成投资额(亿元)", V.MONTH_N_AMOUNT, 1), ("1月/形象进度", V.MONTH_N_PROGRESS, 1),
        ("2月/当月完成投资额(亿元)", V.MONTH_N_AMOUNT, 2), ("2月/形象进度", V.MONTH_N_PROGRESS, 2),
        ("3月/当月完成投资额(亿元)", V.MONTH_N_AMOUNT, 3), ("3月/形象进度", V.MONTH_N_PROGRESS, 3),
    ]  # fmt: skip
    units = {c.label: c.unit for c in led.columns if c.unit}
    assert units == {"总投资(亿元)": 10000.0, "年度计划投资(亿元)": 10000.0,
                     **{f"{m}月/当月完成投资额(亿元)": 10000.0 for m in (1, 2, 3)}}  # fmt: skip
    headings = [(s.level, s.label) for s in led.sections]
    assert headings == [(0, "龙海市"), (1, "工业"), (1, "交通"), (0, "漳浦县"), (1, "农业")]
    assert [(led.sections[r.sections[0]].label, led.sections[r.sections[1]].label)
            for r in led.records] == [("龙海市", "工业"), ("龙海市", "交通"), ("漳浦县", "农业")]  # fmt: skip


def test_a_summary_sheet_beside_a_ledger_is_noted_not_refused():
    content = WRITERS["xlsx"](monthly_ledger(), _summary())
    read = reading.read_upload([("台账.xlsx", content)])
    assert len(read.ledgers) == 1 and read.tables == []
    assert [(p.sheet, p.skipped) for p in read.problems] == [("汇总", True)]
    assert "未导入" in read.problems[0].message


def _summary():
    return Sheet("汇总", [["2026年全市在建重点项目汇总表(1-3月)"],
                          ["", "项目个数(项)", "总投资(万元)", "年度计划投资(万元)"],
                          ["合计", 5, 3000, 1100]])  # fmt: skip


def test_a_template_sheet_stays_a_template_table():
    """A project list with 项目代码 and nothing only a ledger has is the template's 项目清单."""
    text = "项目代码,项目名称,所在区县,行业领域,项目级别,项目阶段,总投资(万元)\nA1,甲,城东区,产业项目,省重点,在建,10\n"
    read = reading.read_upload([("清单.csv", text.encode())])
    assert [t.table for t in read.tables] == ["项目清单"] and read.ledgers == []


def test_a_project_list_without_codes_is_a_ledger():
    text = "序号,项目名称,所在区县,总投资(万元)\n1,甲,城东区,10\n"
    read = reading.read_upload([("清单.csv", text.encode())])
    assert read.tables == [] and len(read.ledgers) == 1


@needs_realworld
def test_the_real_monthly_template_of_nanping():
    read = reading.read_upload([(NANPING_MONTHLY.name, NANPING_MONTHLY.read_bytes())])
    assert [led.sheet for led in read.ledgers] == ["分级管理", "分行业"]
    assert [(p.sheet, p.skipped) for p in read.problems] == [("分级管理（在建）", True),
                                                            ("分行业（在建）", True)]  # fmt: skip
    graded, by_sector = read.ledgers
    assert graded.period == Period(2010, 3)  # from the title
    assert by_sector.period == Period(2010, 3)  # its title has <yyyy>年1-<M>月: from the header
    assert graded.signature == by_sector.signature  # two views of the same list
    assert graded.header_rows == (2, 4)  # a three-row header whose last row is blank
    fields = [c.field.key if c.field else None for c in graded.columns]
    assert fields == ["不导入", "项目名称", "总投资", "开工至上年底累计完成投资", "年度计划投资",
                      "本年累计完成投资(1-N月)", "不导入", "形象进度", "建设单位及负责人", "责任领导"]  # fmt: skip
    assert graded.columns[5].label == "2010年实际完成情况/1-3月实际完成投资(万元)"
    assert [(s.level, s.label, s.count, s.part) for s in graded.sections] == [
        (-1, "合计", 100, False), (-1, "在建重点项目", 90, True), (-1, "预备重点项目", 10, True),
        (1, "市本级", 48, False), (2, "在建", 11, False),
    ]  # fmt: skip
    assert [r.cells[1] for r in graded.records] == ["武夷山至邵武高速公路", "顺昌环城路建设工程"]
    assert [s.label for s in by_sector.sections if s.level == 1] == ["交通"]


@needs_realworld
def test_the_real_summary_template_of_nanping():
    read = reading.read_upload([(NANPING_SUMMARY.name, NANPING_SUMMARY.read_bytes())])
    (led,) = read.ledgers
    assert led.period is None and led.year == 2009  # "1-  月": the month was left blank
    assert "月份留空" in led.period_source
    by_letter = {c.letter: c for c in led.columns}
    assert by_letter["J"].field is V.YTD and by_letter["I"].field is V.MONTH_AMOUNT
    assert by_letter["C"].field is None and "同为所在区县" in by_letter["C"].conflict
    assert by_letter["S"].field is V.COUNTY  # 分部门或分县(市、区)项目 beats 建设地点
    # 开工累计完成投资: since the start, this year included — no figure of ours; left out.
    assert by_letter["G"].field is V.IGNORE
    assert [(s.level, s.label, s.count) for s in led.sections] == [(-1, "合计", 12), (1, "交通", 5)]
