"""The exchange workbook: the blank template with its 填表说明, and the current data as a workbook
that imports back unchanged."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.base import cells, settings
from core.base import schema as S

INSTRUCTIONS = "填表说明"
MAX_TEMPLATE_ROWS = 5000  # dropdown lists cover this many rows of each sheet

# What each column holds: (format or unit, allowed values, note).
_MONTH = ("年月", "如2026-02,也可写2026年2月、2026.02", "")
_AMOUNT = ("万元", "数字,如1234.5;也可写“1,234.5”“1.2亿”", "")
_DATE = ("日期", "如2026-03-15,也可写2026年3月15日、2026.03.15")


def _doc() -> dict[str, tuple[str, str, str]]:
    """Each column's (format or unit, allowed values, note); lists from the office's settings."""
    own = settings.current()
    return {
        S.CODE: ("文本", "每个项目唯一,建议用投资项目统一代码", "其他各表用它对应到项目"),
        S.NAME: ("文本", "", ""),
        S.COUNTY: (
            "文本",
            "区县边界文件中的名称(或6位行政区划代码)",
            "边界文件中没有的区县只显示为点位",
        ),
        S.SECTOR: ("文本", "、".join(own.sectors), ""),
        S.LEVEL: ("文本", "、".join(own.levels), ""),
        S.STAGE: ("文本", "、".join(S.STAGES), "申报=已申报下一年度省重点项目"),
        S.NATURE: ("文本", "、".join(S.NATURES), ""),
        S.NEWLY_ATTRACTED: ("是/否", "是、否", "新引进项目"),
        S.HIGH_TECH: ("是/否", "是、否", "高新技术产业项目"),
        S.OWNER: ("文本", "", "建设单位或项目法人"),
        S.LEADER: ("文本", "", "如“王某(副区长)”"),
        S.TOTAL_INVESTMENT: _AMOUNT,
        S.PLANNED_START: _MONTH,
        S.ACTUAL_START: (*_MONTH[:2], "尚未开工的留空"),
        S.PLANNED_END: _MONTH,
        S.LON: ("度", "如119.234567", "GCJ-02坐标(高德、腾讯地图),与边界文件一致"),
        S.LAT: ("度", "如31.456789", "GCJ-02坐标"),
        S.SUBSIDY_SOUGHT: (*_AMOUNT[:2], "申报项目拟争取的省级补助资金"),
        S.YEAR: ("年份", "如2026", ""),
        S.ANNUAL_PLAN: (*_AMOUNT[:2], "该年度计划完成投资"),
        S.MONTH: _MONTH,
        S.MONTH_COMPLETED: (*_AMOUNT[:2], "当月完成额,不是累计数"),
        S.PROGRESS_TEXT: ("文本", "", "如“主体结构封顶”"),
        S.FUNDING_SOURCE: ("文本", "、".join(own.funding_sources), ""),
        S.FUNDING_AMOUNT: _AMOUNT,
        S.FUNDING_MONTH: (*_MONTH[:2], "资金落实的月份"),
        S.PROBLEM_ID: ("文本", "每个问题唯一", ""),
        S.PROBLEM_TYPE: ("文本", "、".join(own.problem_types), ""),
        S.PROBLEM_TEXT: ("文本", "", ""),
        S.RAISED: _MONTH,
        S.RESOLVED: (*_MONTH[:2], "未解决的留空"),
        S.RESPONSIBLE_UNIT: ("文本", "", "负责协调解决的单位"),
        S.INDICATOR_GROUP: ("文本", "、".join(S.INDICATOR_GROUPS), ""),
        S.INDICATOR: ("文本", f"如{S.FAI_TOTAL}、{'、'.join(S.FAI_CATEGORIES)}、{S.FAI_RANK}", ""),
        S.PERIOD: ("年份或年月", "年度数据填2025,月度累计数据填2026-02", ""),
        S.VALUE: ("数字", "", "增速填百分数的数值,如7.0"),
        S.UNIT: ("文本", "如%、亿元、家、位", "%的变化按个百分点计算"),
        S.TARGET: ("数字", "", "如全年目标增速"),
        S.CONTENT: ("文本", "", "建设内容及规模"),
        S.YEARS_TEXT: ("文本", "如2025-2027、2025.03-2027.12", "按原文保存"),
        S.OWNER_PERSON: ("文本", "", "建设单位的项目负责人"),
        S.ACTUAL_END: (*_MONTH[:2], "尚未竣工的留空"),
        S.WITHDRAWN: (*_MONTH[:2], "调出重点项目清单的月份,从该月起不再统计;未调出的留空"),
        S.PRIOR_CUMULATIVE: (*_AMOUNT[:2], "开工至上年底累计完成投资"),
        S.PARK: ("文本", "", "园区、功能区或开发区;红黑榜可按园区排名"),
        S.ASSIGNED_ON: (*_DATE, "交办给责任单位的日期;未交办的留空"),
        S.DEADLINE: (*_DATE, "要求办结的日期,超过即为超期"),
        S.HANDLING_STATE: (
            "文本",
            "、".join(S.HANDLING_STATES),
            "办理中须有交办日期,已办结须有办结日期,已销号另须有销号日期",
        ),
        S.HANDLING_NOTES: (
            "文本",
            "如“2026-01-15 已组卷上报;2026-02-10 省厅已受理”",
            "每条以日期开头,多条用分号隔开",
        ),
        S.CLOSED_ON: (*_DATE, "责任单位办结的日期;解决年月为空时取其所在月份"),
        S.CLEARED_ON: (*_DATE, "重大办核实后销号的日期"),
        S.NODE: ("文本", "如开工、主体完工、设备安装、竣工投产", "每个项目的节点名称不重复"),
        S.NODE_PLANNED: (*_MONTH[:2], "计划完成该节点的月份"),
        S.NODE_ACTUAL: (*_MONTH[:2], "实际完成的月份;尚未完成的留空"),
        S.UNIT_KIND: ("文本", "、".join(S.UNIT_KINDS), "豁免的是区县还是园区"),
        S.UNIT_NAME: ("文本", "区县或园区的名称", "与项目清单中的写法一致"),
        S.EXEMPT_REASON: ("文本", "", "如“受台风灾害影响停工”"),
        S.COVERS_FROM: (
            *_MONTH[:2],
            "完成投资涵盖多个月时的起始月份(如1-3月合计填2026-01);只含当月的留空",
        ),
    }


_TABLE_NOTES = {
    S.PROJECTS: "每个项目一行。",
    S.PLANS: "每个项目每年一行。",
    S.MONTHLY: "每个项目每月一行,填当月完成投资。",
    S.FUNDING: "每个项目每个资金来源、每个落实月份一行。",
    S.PROBLEMS: "每个问题一行,解决后填写解决年月;督办的问题另填交办、时限、办理状态和办理情况。",
    S.INDICATORS: "全市统计指标,每个指标每个期间一行。",
    S.MILESTONES: "选填:每个项目每个节点一行(挂图作战),填计划和实际完成年月。",
    S.EXEMPTIONS: "选填:经批准不列入黑榜的区县(或园区)及月份,每个单位每月一行,写明原因。",
}
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")


def instructions() -> pd.DataFrame:
    rows = []
    doc = _doc()
    for table in S.TABLES:
        for column in S.COLUMNS[table]:
            fmt, allowed, note = doc[column]
            required = "选填" if column in S.OPTIONAL[table] else "必填"
            rows.append((table, column, required, fmt, allowed, note))
    return pd.DataFrame(rows, columns=["工作表", "列名", "必填", "单位/格式", "填写要求", "说明"])


def _instructions_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet(INSTRUCTIONS)
    for j, width in enumerate((12, 24, 8, 12, 46, 36), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width  # before the first row
    title = WriteOnlyCell(ws, "重大项目数据填报模板 · 填表说明")
    title.font = Font(size=16, bold=True)
    ws.append([title])
    lines = [
        "1. 本工作簿每张表一个工作表,工作表名称不要修改;各表第一行为列名,从第二行起每行一条记录。",
        "2. 金额单位为万元;年月写作2026-02(也可写2026年2月、2026.02)。",
        "3. 标为“必填”的列不能为空;选填列可以留空。上方可以保留标题行和“单位:万元”行,合计、小计行会被跳过并核对。",
        "4. 除项目清单外,其他各表通过“项目代码”对应到项目;同一项目代码的行再次导入时会更新原有数据。",
        "5. 区县边界另以GeoJSON文件上传(DataV GeoAtlas格式),首次导入时必须提供。",
        "",
        *(f"· {t}:{n}" for t, n in _TABLE_NOTES.items()),
    ]
    for line in lines:  # rows 2 … len(lines) + 1
        ws.append([line or None])
    ws.append([])  # the table starts at row len(lines) + 3
    table = instructions()
    header = []
    for name in table.columns:
        cell = WriteOnlyCell(ws, name)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        header.append(cell)
    ws.append(header)
    wrap = Alignment(wrap_text=True)
    for row in table.itertuples(index=False):
        out = []
        for value in row:
            cell = WriteOnlyCell(ws, cells.xlsx_value(value))
            cell.alignment = wrap
            cells.as_text(cell)  # the office's own list entries are text, whatever they start with
            out.append(cell)
        ws.append(out)


CHUNK_ROWS = 20_000  # rows of a table turned into cell values at a time


def _table_sheet(wb: Workbook, table: str, data: pd.DataFrame | None) -> None:
    """A table's sheet, streamed: the header, the dropdowns, then `data`'s rows as they are
    made, so the memory is a chunk's, not a cell object for each of a million rows."""
    ws = wb.create_sheet(table)
    columns = list(S.COLUMNS[table])
    rows = 0 if data is None else len(data)
    # A write-only sheet states no size; this one is known, so it is written (<dimension>),
    # as Excel does: readers that trust it (openpyxl's read-only mode) see every row.
    ref = f"A1:{get_column_letter(len(columns))}{1 + rows}"
    ws.calculate_dimension = lambda: ref
    for j, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(12, len(column) * 2 + 2)
    ws.freeze_panes = "A2"
    own = settings.current()
    choices = {
        S.SECTOR: own.sectors,
        S.LEVEL: own.levels,
        S.STAGE: S.STAGES,
        S.NATURE: S.NATURES,
        S.NEWLY_ATTRACTED: (S.YES, S.NO),
        S.HIGH_TECH: (S.YES, S.NO),
        S.FUNDING_SOURCE: own.funding_sources,
        S.PROBLEM_TYPE: own.problem_types,
        S.HANDLING_STATE: S.HANDLING_STATES,
        S.UNIT_KIND: S.UNIT_KINDS,
    }
    last = max(MAX_TEMPLATE_ROWS, 1 + rows)
    for j, column in enumerate(columns, start=1):
        if column in choices:
            listed = [cells.without_controls(str(c)) for c in choices[column]]
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(listed) + '"',
                allow_blank=True,
                showErrorMessage=True,
                error=f"请从下拉列表中选择:{'、'.join(listed)}",
            )
            letter = get_column_letter(j)
            dv.add(f"{letter}2:{letter}{last}")
            ws.data_validations.append(dv)  # a write-only sheet has no add_data_validation
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, column)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL if column in S.OPTIONAL[table] else REQUIRED_FILL
        header.append(cell)
    ws.append(header)
    if data is None:
        return
    frame = data[columns]
    for first in range(0, rows, CHUNK_ROWS):
        # The values as text, "nan" as empty, a chunk at a time (the same cell by cell as the
        # whole frame at once: astype(str) works value by value).
        chunk = frame.iloc[first : first + CHUNK_ROWS].astype(str).replace("nan", "")
        for row in chunk.itertuples(index=False):
            values = [cells.xlsx_value(_cell(v)) for v in row]
            if any(cells.formula_like(v) for v in values):  # text that looks like a formula
                values = [_text_cell(ws, v) if cells.formula_like(v) else v for v in values]
            ws.append(values)


def _text_cell(ws, value: str) -> WriteOnlyCell:
    """A write-only cell holding `value` as text, never a formula (core.base.cells.as_text)."""
    cell = WriteOnlyCell(ws, value)
    cells.as_text(cell)
    return cell


def _cell(value):
    """Numbers stay numbers in the workbook (Excel sums them); everything else is text, and
    text that looks like a formula stays text (core.base.cells)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value)
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    if text.startswith("0") and len(text) > 1 and not text.startswith("0."):
        return text  # a code such as 0012 keeps its zeros
    return int(number) if number.is_integer() and "." not in text else number


def template_bytes() -> bytes:
    wb = Workbook(write_only=True)
    _instructions_sheet(wb)
    for table in S.TABLES:
        _table_sheet(wb, table, None)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def data_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """The data as a workbook in the template's layout: it imports back as it is.

    Written in openpyxl's write-only mode, a chunk of rows at a time: built whole, the largest
    data set the import accepts (100,000 projects, a million monthly rows) took gigabytes."""
    wb = Workbook(write_only=True)
    _instructions_sheet(wb)
    for table in S.TABLES:
        _table_sheet(wb, table, tables[table])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
