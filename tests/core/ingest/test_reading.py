"""Reading returns as counties send them: workbooks with titles, unit lines, merged cells,
synonyms and totals, CSV files in GBK or UTF-8, and files that cannot be read at all."""

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from core.base import schema as S
from core.base.values import parse_amount, parse_month
from core.ingest.reading import (
    HEADER_SYNONYMS,
    RawTable,
    SourceProblem,
    TotalRow,
    canonical_column,
    read_files,
    table_for_sheet,
)

DEMO = Path(__file__).resolve().parents[3] / "data" / "demo"


def xlsx(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_one(name: str, content: bytes) -> RawTable:
    tables, problems = read_files([(name, content)])
    assert problems == []
    assert len(tables) == 1
    return tables[0]


# --- a county's workbook ------------------------------------------------------------------

PROJECT_HEADER = [
    "序号", "项目编码", "名称", "县(市、区)", "项目类别", "级别", "阶段", "性质",
    "项目总投资", "计划开工时间", "计划竣工时间", "建设规模及主要内容",
]  # fmt: skip


def county_workbook() -> bytes:
    wb = Workbook()
    notes = wb.active
    notes.title = "填表说明"  # instructions name columns too, but are never data
    notes.append(["工作表", "列名", "必填"])
    notes.append(["项目清单", "项目代码", "必填"])
    notes.append(["项目清单", "项目名称", "必填"])

    ws = wb.create_sheet("项目清单")
    ws["A1"] = "临湖县2025年重大项目清单"
    ws.merge_cells("A1:L1")  # a title merged across the width
    ws["A2"] = "填报单位:临湖县发展和改革局"
    ws["K2"] = "单位：亿元"  # full-width colon
    ws.append(PROJECT_HEADER)  # row 3
    rows = [
        # row 4-6: one county merged over three projects
        [1, "2401-990121-01-01-000001", "ＡＢＣ新材料项目（一期）", "临湖县", "产业项目",
         "省重点", "在建", "新建", "1,234.5", dt.datetime(2025, 3, 1), "2027年6月", "厂房"],
        [2, "2401-990121-01-01-000002", "临湖大道\u3000改造工程", None, "基础设施",
         "市重点", "在建", "续建", 15, 45717, "2026.06", ""],
        [3, "2401-990121-01-01-000003", "城东污水厂", None, "生态环保",
         "市重点", "前期", "新建", "0.8亿", "2025-07", 46388, None],
        ["小计", None, None, None, None, None, None, None, 1250.3, None, None, None],  # row 7
        [None] * 12,  # row 8: empty
        [4, "2401-990122-01-01-000004", "青山县学校", "青山县", "社会民生",
         "市重点", "在建", "新建", "2.5", dt.date(2024, 9, 1), "2026年8月", None],  # row 9
        ["合 计", None, None, None, None, None, None, None, "1,252.8", None, None, None],  # 10
        ["注:金额单位为亿元", None, None, None, None, None, None, None, None, None, None, None],
    ]  # fmt: skip
    for row in rows:
        ws.append(row)
    ws.merge_cells("D4:D6")  # 所在区县 merged vertically over three projects
    ws.merge_cells("A7:C7")  # the 小计 label spans three cells

    monthly = wb.create_sheet("月度进度")
    monthly["A1"] = "2025年3月项目进度"
    monthly.merge_cells("A1:D1")
    monthly["A2"], monthly["B2"], monthly["C2"] = "项目代码", "年月", "投资完成情况"
    monthly.merge_cells("A2:A3")  # a two-row header: 项目代码 and 年月 span both rows,
    monthly.merge_cells("B2:B3")
    monthly.merge_cells("C2:D2")  # a group label over two sub-headers
    monthly["C3"], monthly["D3"] = "本月完成投资（万元）", "形象进度"
    monthly.append(["2401-990121-01-01-000001", dt.datetime(2025, 3, 1), 120.5, "主体施工"])
    monthly.append(["2401-990121-01-01-000002", "2025年3月", "80", None])

    hidden = wb.create_sheet("下拉选项")
    hidden.append(["行业领域", "项目阶段"])  # would look like a 项目清单 header
    hidden.append(["产业项目", "在建"])
    hidden.sheet_state = "hidden"

    wb.create_sheet("Sheet3")  # empty sheets are left alone
    return xlsx(wb)


@pytest.fixture(scope="module")
def county():
    tables, problems = read_files([("临湖县.xlsx", county_workbook())])
    assert problems == []
    return {t.table: t for t in tables}


def test_workbook_sheets_become_tables_and_instructions_are_ignored(county):
    assert list(county) == [S.PROJECTS, S.MONTHLY]
    assert county[S.PROJECTS].file == "临湖县.xlsx"
    assert county[S.PROJECTS].sheet == "项目清单"


def test_header_below_title_rows_with_synonyms(county):
    projects = county[S.PROJECTS]
    assert projects.header_row == 3
    assert list(projects.frame.columns) == [
        S.CODE, S.NAME, S.COUNTY, S.SECTOR, S.LEVEL, S.STAGE, S.NATURE,
        S.TOTAL_INVESTMENT, S.PLANNED_START, S.PLANNED_END,
    ]  # fmt: skip
    assert projects.unknown_columns == ["建设规模及主要内容"]  # 序号 is dropped silently
    assert projects.missing_columns == []  # every required column is there
    assert projects.duplicate_columns == []


def test_unit_line_sets_the_multiplier(county):
    projects = county[S.PROJECTS]
    assert projects.multiplier == 10000.0
    assert projects.column_multipliers == {}
    amounts = [
        parse_amount(v, projects.multiplier_for(S.TOTAL_INVESTMENT))
        for v in projects.frame[S.TOTAL_INVESTMENT]
    ]
    assert amounts == [12345000.0, 150000.0, 8000.0, 25000.0]  # "0.8亿" keeps its own unit


def test_rows_keep_excel_numbers_and_totals_are_set_aside(county):
    projects = county[S.PROJECTS]
    assert projects.rows == [4, 5, 6, 9]
    assert [(t.row, t.label) for t in projects.totals] == [(7, "小计"), (10, "合 计")]
    subtotal = projects.totals[0]
    assert subtotal.values[S.TOTAL_INVESTMENT] == "1250.3"
    assert subtotal.values[S.CODE] == "小计"  # the merged label covers 项目代码 too
    assert projects.totals[1].values[S.TOTAL_INVESTMENT] == "1,252.8"
    assert projects.notes == [(11, "注:金额单位为亿元")]


def test_vertically_merged_cells_fill_every_row(county):
    assert list(county[S.PROJECTS].frame[S.COUNTY]) == ["临湖县", "临湖县", "临湖县", "青山县"]


def test_text_is_normalised_and_numbers_and_dates_keep_their_type(county):
    frame = county[S.PROJECTS].frame
    assert list(frame[S.NAME]) == [
        "ABC新材料项目(一期)",
        "临湖大道 改造工程",
        "城东污水厂",
        "青山县学校",
    ]
    assert list(frame[S.TOTAL_INVESTMENT]) == ["1,234.5", 15, "0.8亿", "2.5"]
    starts = list(frame[S.PLANNED_START])
    # calamine gives a date cell without a time of day as a date
    assert starts == [dt.date(2025, 3, 1), 45717, "2025-07", dt.date(2024, 9, 1)]
    assert [parse_month(v) for v in starts] == ["2025-03", "2025-03", "2025-07", "2024-09"]
    ends = [parse_month(v) for v in frame[S.PLANNED_END]]
    assert ends == ["2027-06", "2026-06", "2027-01", "2026-08"]  # 46388 is 2027-01-01
    assert frame.dtypes.unique().tolist() == [object]


def test_two_row_header_with_a_group_label(county):
    monthly = county[S.MONTHLY]
    assert monthly.header_row == 2
    assert list(monthly.frame.columns) == [S.CODE, S.MONTH, S.MONTH_COMPLETED, S.PROGRESS_TEXT]
    assert monthly.rows == [4, 5]
    assert monthly.unknown_columns == []
    assert monthly.column_multipliers == {}  # "(万元)" in a header is the default
    assert list(monthly.frame[S.PROGRESS_TEXT]) == ["主体施工", ""]
    assert [parse_month(v) for v in monthly.frame[S.MONTH]] == ["2025-03", "2025-03"]


def test_a_header_unit_other_than_wan_wins_over_the_sheet_unit():
    wb = Workbook()
    ws = wb.active
    ws.title = "项目清单"
    ws.append(["(单位:万元)"])
    ws.append(["项目代码", "项目名称", "总投资（亿元）", "拟争取补助资金"])
    ws.append(["A1", "甲项目", 1.5, 300])
    table = read_one("x.xlsx", xlsx(wb))
    assert table.multiplier == 1.0
    assert table.column_multipliers == {S.TOTAL_INVESTMENT: 10000.0}
    assert table.multiplier_for(S.TOTAL_INVESTMENT) == 10000.0
    assert table.multiplier_for(S.SUBSIDY_SOUGHT) == 1.0
    assert table.missing_columns == [S.COUNTY, S.SECTOR, S.LEVEL, S.STAGE]


def test_the_templates_wan_header_follows_the_sheet_unit():
    # 单位:亿元 above the template's own header 总投资（万元）: the unit line is the statement.
    content = "单位:亿元\n项目代码,项目名称,总投资（万元）,项目总投资\nA1,甲项目,1.5,2\n".encode()
    table = read_one("项目清单.csv", content)
    assert table.multiplier == 10000.0
    assert table.column_multipliers == {}
    assert table.multiplier_for(S.TOTAL_INVESTMENT) == 10000.0
    assert table.frame[S.TOTAL_INVESTMENT].tolist() == ["1.5"]
    assert table.duplicate_columns == ["项目总投资"]


@pytest.mark.parametrize(
    ("line", "multiplier"),
    [
        ("单位:万元", 1.0),
        ("单位：亿元", 10000.0),
        ("(单位:万元)", 1.0),
        ("金额单位:万元", 1.0),
        ("金额单位：元", 0.0001),
        ("2025年重大项目表(单位:亿元)", 10000.0),  # in the title itself
        ("填报单位:临湖县", 1.0),  # not a unit
    ],
)
def test_unit_lines(line, multiplier):
    content = f"{line}\n项目代码,年度,年度计划投资\nA1,2025,12\n".encode()
    assert read_one("年度计划.csv", content).multiplier == multiplier


def test_sheet_named_by_file_when_alone():
    wb = Workbook()
    wb.active.append(["项目代码", "年度", "计划投资"])
    wb.active.append(["A1", 2025, 100])
    table = read_one("年度计划.xlsx", xlsx(wb))
    assert (table.table, table.sheet, table.rows) == (S.PLANS, "Sheet", [2])


def test_sheet_without_a_table_name_is_known_by_its_columns():
    wb = Workbook()
    ws = wb.active
    ws.title = "附表3"
    ws.append(["项目代码", "资金来源", "金额", "落实时间"])
    ws.append(["A1", "专项债券", "500", "2025.03"])
    table = read_one("资金.xlsx", xlsx(wb))
    assert table.table == S.FUNDING
    assert list(table.frame.columns) == list(S.FUNDING_COLUMNS)


def test_other_tables_columns_stay_out_of_the_frame():
    content = "项目代码,项目名称,年月,本月完成投资\nA1,甲项目,2025-03,10\n".encode()
    table = read_one("月度进度.csv", content)
    assert list(table.frame.columns) == [S.CODE, S.MONTH, S.MONTH_COMPLETED]
    assert table.unknown_columns == ["项目名称"]


def test_duplicate_columns_keep_the_first():
    content = "项目代码,年度,年度计划投资,计划投资\nA1,2025,10,20\n".encode()
    table = read_one("年度计划.csv", content)
    assert table.frame[S.ANNUAL_PLAN].tolist() == ["10"]
    assert table.duplicate_columns == ["计划投资"]


def test_template_rows_with_only_a_serial_number_are_skipped():
    wb = Workbook()
    ws = wb.active
    ws.title = "年度计划"
    ws.append(["序号", "项目代码", "年度", "年度计划投资(万元)"])
    ws.append([1, "A1", 2025, 10])
    for n in range(2, 6):
        ws.append([n, None, None, None])
    table = read_one("x.xlsx", xlsx(wb))
    assert table.rows == [2]


def test_section_headings_and_repeated_headers_are_notes():
    content = (
        "序号,项目代码,年度,年度计划投资(万元)\n"
        "一、产业项目,,,\n"
        "1,A1,2025,10\n"
        "序号,项目代码,年度,年度计划投资(万元)\n"
        "2,A2,2025,20\n"
        "填表人:张三,,联系电话:123,\n"
    ).encode()
    table = read_one("年度计划.csv", content)
    assert table.rows == [3, 5]
    assert table.notes == [(2, "一、产业项目"), (4, "序号"), (6, "填表人:张三")]


def test_total_found_in_the_name_column():
    content = "项目代码,项目名称,总投资\n,全市合计,300\nA1,甲,100\n".encode()
    table = read_files([("x.csv", content)])[0][0]
    assert table.table == S.PROJECTS
    assert table.totals == [TotalRow(2, "全市合计", {S.CODE: "", S.NAME: "全市合计",
                                                     S.TOTAL_INVESTMENT: "300"})]  # fmt: skip
    assert table.rows == [3]


# --- CSV ---------------------------------------------------------------------------------

PROBLEMS_CSV = (
    "临湖县存在问题清单\n"
    "问题编号,项目代码,问题类型,问题描述,提出年月,解决年月,责任单位\n"
    'WT001,A1,用地,"林地占用\n审批待批复",2025年3月,,市自然资源和规划局\n'
    "WT002,A2,资金,资本金未到位,２０２５．０４,2025-05,市财政局\n"
    "\n"
    "WT003,A3,征迁,“拆迁”进度慢,2025/05,,\n"
)


def test_gbk_and_utf8_bom_csv_read_the_same():
    gbk = read_one("存在问题.csv", PROBLEMS_CSV.encode("gbk"))
    bom = read_one("存在问题.csv", PROBLEMS_CSV.encode("utf-8-sig"))
    plain = read_one("存在问题.csv", PROBLEMS_CSV.encode("utf-8"))
    for table in (gbk, bom, plain):
        assert table.frame.equals(gbk.frame)
        assert table.rows == [3, 5, 7]  # record 1 spans lines 3-4; line 6 is empty
        assert table.header_row == 2
        assert table.sheet is None
    assert gbk.frame[S.PROBLEM_TEXT].tolist() == [
        "林地占用 审批待批复",
        "资本金未到位",
        "“拆迁”进度慢",
    ]
    assert gbk.frame[S.RAISED].tolist() == ["2025年3月", "2025.04", "2025/05"]
    assert gbk.frame[S.RESOLVED].tolist() == ["", "2025-05", ""]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiters(delimiter):
    header = (S.CODE, S.YEAR, S.ANNUAL_PLAN)
    text = "\n".join(delimiter.join(r) for r in [header, ("A1", "2025", "1,234.5")])
    if delimiter == ",":
        text = text.replace("1,234.5", '"1,234.5"')
    table = read_one("年度计划.csv", text.encode())
    assert table.frame.to_dict("list") == {
        S.CODE: ["A1"],
        S.YEAR: ["2025"],
        S.ANNUAL_PLAN: ["1,234.5"],
    }


def test_utf16_csv_as_excel_saves_unicode_text():
    text = "项目代码\t年度\t年度计划投资(万元)\r\nA1\t2025\t10\r\n"
    table = read_one("年度计划.csv", text.encode("utf-16"))
    assert table.rows == [2]
    assert table.frame[S.CODE].tolist() == ["A1"]


@pytest.mark.parametrize("path", sorted(DEMO.glob("*.csv")), ids=lambda p: p.stem)
def test_demo_csv_files_map_to_their_tables(path):
    table = read_one(path.name, path.read_bytes())
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert table.table == path.stem
    # the demo leaves out the optional columns it does not use
    assert list(table.frame.columns) == [c for c in S.COLUMNS[path.stem] if c in lines[0]]
    assert (table.missing_columns, table.unknown_columns, table.totals) == ([], [], [])
    assert len(table.frame) == len(lines) - 1
    assert table.rows == list(range(2, len(lines) + 1))
    assert table.multiplier == 1.0


def test_the_blank_template_reads_as_six_empty_tables():
    workbook = pytest.importorskip("core.ingest.workbook")
    tables, problems = read_files([("模板.xlsx", workbook.template_bytes())])
    assert problems == []
    assert [t.table for t in tables] == list(S.TABLES)
    for table in tables:
        assert list(table.frame.columns) == list(S.COLUMNS[table.table])
        assert len(table.frame) == 0 and table.rows == []


def test_a_large_csv_reads_quickly():
    import time

    header = ",".join(S.MONTHLY_COLUMNS)
    body = "\n".join(f"2401-990121-01-01-{i:06d},2025-03,{i}.5,主体施工" for i in range(100_000))
    start = time.perf_counter()
    table = read_one("月度进度.csv", f"{header}\n{body}\n".encode())
    assert time.perf_counter() - start < 5
    assert len(table.frame) == 100_000 and table.rows[-1] == 100_001


# --- files that cannot be read ----------------------------------------------------------


def only_problem(name: str, content: bytes) -> SourceProblem:
    tables, problems = read_files([(name, content)])
    assert tables == []
    assert len(problems) == 1
    assert problems[0].file == name
    return problems[0]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "说明.pdf",
            "项目代码,年度\nA1,2025\n".encode(),
            "文件“说明.pdf”不是Excel工作簿(.xlsx、.xls、.ods等)或CSV文件",
        ),
        ("项目清单.xlsx", b"", "文件“项目清单.xlsx”是空文件"),
        ("项目清单.csv", b"", "文件“项目清单.csv”是空文件"),
        ("项目清单.csv", b" \r\n", "文件“项目清单.csv”是空文件"),
        ("项目清单.csv", b",,,\r\n,,\r\n", "文件“项目清单.csv”中没有任何数据"),
        (
            "项目清单.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "无法作为Excel工作簿读取",
        ),
        (
            "项目清单.et",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "无法作为WPS表格(.et)读取",
        ),
        ("项目清单.xlsx", b"not a workbook at all", "不是有效的Excel工作簿"),
        ("项目清单.csv", b"\x00\x01\x02abc", "不是文本格式的CSV文件"),
    ],
)
def test_unreadable_files(name, content, message):
    assert message in only_problem(name, content).message


def test_truncated_workbook():
    content = county_workbook()
    problem = only_problem("临湖县.xlsx", content[: len(content) // 2])
    assert problem.message.startswith("文件“临湖县.xlsx”无法作为Excel工作簿读取")
    assert "另存为Excel工作簿(.xlsx)再上传" in problem.message
    assert problem.sheet is None


def test_workbook_without_data():
    wb = Workbook()
    wb.create_sheet("填表说明").append(["项目代码", "项目名称"])  # instructions do not count
    problem = only_problem("空.xlsx", xlsx(wb))
    assert problem.message == "文件“空.xlsx”中没有任何数据"


def test_sheet_without_a_header_is_a_problem_and_other_sheets_still_read():
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表为临湖县报送数据"])
    wb.create_sheet("年度计划").append(list(S.PLAN_COLUMNS))
    wb.create_sheet("指标").append(["甲", "乙"])
    tables, problems = read_files([("a.xlsx", xlsx(wb)), ("b.docx", b"PK\x03\x04")])
    assert [t.table for t in tables] == [S.PLANS]
    assert [(p.file, p.sheet) for p in problems] == [
        ("a.xlsx", "说明"),
        ("a.xlsx", "指标"),
        ("b.docx", None),
    ]
    # beside a sheet that was read, one without any header is only noted; one named after a
    # table stays an error
    assert problems[0].skipped and "没有找到项目名称等列" in problems[0].message
    assert not problems[1].skipped
    assert problems[1].message.startswith("文件“a.xlsx”工作表“指标”的前20行中找不到“指标”的表头")


# --- column names and table choice ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("项目代码", S.CODE),
        ("项目编码", S.CODE),
        ("项目统一代码", S.CODE),
        ("统一代码", S.CODE),
        ("代码", S.CODE),
        ("名称", S.NAME),
        ("区县", S.COUNTY),
        ("县(市、区)", S.COUNTY),
        ("县（市、区）", S.COUNTY),
        ("县市区", S.COUNTY),
        ("建设地点", S.COUNTY),
        ("所属区县", S.COUNTY),
        ("项目类别", S.SECTOR),
        ("行业", S.SECTOR),
        ("领域", S.SECTOR),
        ("行业分类", S.SECTOR),
        ("级别", S.LEVEL),
        ("阶段", S.STAGE),
        ("项目状态", S.STAGE),
        ("性质", S.NATURE),
        ("项目法人", S.OWNER),
        ("业主单位", S.OWNER),
        ("项目单位", S.OWNER),
        ("联系领导", S.LEADER),
        ("包抓领导", S.LEADER),
        ("总投资", S.TOTAL_INVESTMENT),
        ("总投资(万元)", S.TOTAL_INVESTMENT),
        ("总投资（万元）", S.TOTAL_INVESTMENT),
        ("总投资\n（万元）", S.TOTAL_INVESTMENT),
        ("项目总投资", S.TOTAL_INVESTMENT),
        ("计划总投资(亿元)", S.TOTAL_INVESTMENT),
        ("计划开工时间", S.PLANNED_START),
        ("开工时间", S.PLANNED_START),
        ("实际开工时间", S.ACTUAL_START),
        ("计划竣工时间", S.PLANNED_END),
        ("竣工时间", S.PLANNED_END),
        ("年度计划投资", S.ANNUAL_PLAN),
        ("年计划投资", S.ANNUAL_PLAN),
        ("本年计划投资（万元）", S.ANNUAL_PLAN),
        ("计划投资", S.ANNUAL_PLAN),
        ("本月完成投资", S.MONTH_COMPLETED),
        ("当月完成投资", S.MONTH_COMPLETED),
        ("落实金额", S.FUNDING_AMOUNT),
        ("金额", S.FUNDING_AMOUNT),
        ("拟争取补助资金", S.SUBSIDY_SOUGHT),
        ("申请补助资金", S.SUBSIDY_SOUGHT),
        ("补助资金", S.SUBSIDY_SOUGHT),
        ("项目 名称", S.NAME),
        ("项目名称*", S.NAME),
        ("ＬＮＧ", S.LON),
        ("序号", None),
        ("建设规模及主要内容", None),
        ("截至上年底累计完成投资", None),
        ("单位:万元", None),
        ("", None),
        (None, None),
    ],
)
def test_canonical_column(text, column):
    assert canonical_column(text) == column


@pytest.mark.parametrize("column", [c for columns in S.COLUMNS.values() for c in columns])
def test_every_canonical_name_matches_itself(column):
    assert canonical_column(column) == column
    assert HEADER_SYNONYMS[column] == column


@pytest.mark.parametrize(
    ("name", "columns", "table"),
    [
        ("项目清单", [S.CODE], S.PROJECTS),  # the name decides
        (" 年度计划 ", [], S.PLANS),
        ("月度进度(1)", [], S.MONTHLY),
        ("资金来源", [S.CODE, S.YEAR, S.ANNUAL_PLAN], S.FUNDING),
        ("Sheet1", [S.CODE, S.NAME, S.COUNTY], S.PROJECTS),
        ("Sheet1", [S.CODE, S.YEAR, S.ANNUAL_PLAN], S.PLANS),
        ("Sheet1", [S.CODE, S.MONTH, S.MONTH_COMPLETED], S.MONTHLY),
        ("Sheet1", [S.CODE, S.FUNDING_SOURCE, S.FUNDING_AMOUNT], S.FUNDING),
        ("Sheet1", [S.PROBLEM_ID, S.CODE, S.PROBLEM_TYPE], S.PROBLEMS),
        ("Sheet1", [S.INDICATOR, S.PERIOD, S.VALUE], S.INDICATORS),
        ("Sheet1", [S.CODE], None),  # 项目代码 alone is in five tables
        ("Sheet1", [], None),
    ],
)
def test_table_for_sheet(name, columns, table):
    assert table_for_sheet(name, columns) == table
