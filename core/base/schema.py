"""The data model: table names, Chinese column headers, units and allowed values.

Every file a user supplies, and every DataFrame core passes around, uses these headers.
Amounts are kept in 万元 as the spreadsheets are; briefings convert to 亿元 when they speak.
"""

from __future__ import annotations

# One table per file (CSV) or per sheet (workbook); the file stem equals the table name.
PROJECTS = "项目清单"
PLANS = "年度计划"
MONTHLY = "月度进度"
FUNDING = "资金来源"
PROBLEMS = "存在问题"
INDICATORS = "指标"
MILESTONES = "节点计划"  # 挂图作战: each project's named nodes with planned and actual months
EXEMPTIONS = "红黑榜豁免"  # a ranking unit excused from the 黑榜 for a month, with the reason
TABLES = (PROJECTS, PLANS, MONTHLY, FUNDING, PROBLEMS, INDICATORS, MILESTONES, EXEMPTIONS)
# Tables a data set may lack altogether (a folder without the file, a first import without the
# sheet): they are then empty, and the pages that need them say how to add them.
OPTIONAL_TABLES = (MILESTONES, EXEMPTIONS)
BOUNDARIES_FILE = "区县边界.geojson"

# --- 项目清单 columns --------------------------------------------------------------
CODE = "项目代码"  # e.g. 2401-990102-04-01-123456 (national investment project code)
NAME = "项目名称"
COUNTY = "所在区县"
SECTOR = "行业领域"
LEVEL = "项目级别"
STAGE = "项目阶段"
NATURE = "建设性质"
NEWLY_ATTRACTED = "新引进"
HIGH_TECH = "高新技术"
OWNER = "建设单位"
LEADER = "责任领导"
TOTAL_INVESTMENT = "总投资(万元)"
PLANNED_START = "计划开工年月"
ACTUAL_START = "实际开工年月"
PLANNED_END = "计划竣工年月"
LON = "经度"
LAT = "纬度"
SUBSIDY_SOUGHT = "拟争取补助资金(万元)"
# What a ledger (台账) carries besides the template's columns; all optional.
CONTENT = "建设内容"  # 建设内容及规模
YEARS_TEXT = "建设起止年限"  # as written: "2009-2012", "2009.03-2011.12"
OWNER_PERSON = "项目负责人"  # the owner unit's responsible person
ACTUAL_END = "实际竣工年月"
# A project withdrawn from the list (调出) counts until the month before this one.
WITHDRAWN = "调出年月"
# A grouping besides the county that a city may rank (园区, 功能区, 开发区): the 红黑榜's units.
PARK = "所属园区"

PROJECT_COLUMNS = (
    CODE,
    NAME,
    COUNTY,
    SECTOR,
    LEVEL,
    STAGE,
    NATURE,
    NEWLY_ATTRACTED,
    HIGH_TECH,
    OWNER,
    LEADER,
    TOTAL_INVESTMENT,
    PLANNED_START,
    ACTUAL_START,
    PLANNED_END,
    LON,
    LAT,
    SUBSIDY_SOUGHT,
    CONTENT,
    YEARS_TEXT,
    OWNER_PERSON,
    ACTUAL_END,
    WITHDRAWN,
    PARK,
)

# --- 年度计划 ---------------------------------------------------------------------
YEAR = "年度"
ANNUAL_PLAN = "年度计划投资(万元)"
PRIOR_CUMULATIVE = "开工至上年底累计完成投资(万元)"  # as a ledger states it for the year
PLAN_COLUMNS = (CODE, YEAR, ANNUAL_PLAN, PRIOR_CUMULATIVE)

# --- 月度进度: one row per project and month, the month's own completed amount ----------
MONTH = "年月"  # "2026-02"
MONTH_COMPLETED = "本月完成投资(万元)"
PROGRESS_TEXT = "形象进度"
# The first month an amount covers when it is more than the month's own: the first ledger of a
# year states 1-N月 only, and is kept as one amount from January to N, never split invented.
COVERS_FROM = "起始年月"
MONTHLY_COLUMNS = (CODE, MONTH, MONTH_COMPLETED, PROGRESS_TEXT, COVERS_FROM)
# Returns often state the year-to-date figure (1-N月完成投资) instead of the month's own: a sheet
# may carry this column in place of 本月完成投资, and the month's amount is the difference.
MONTH_CUMULATIVE = "本年累计完成投资(万元)"

# --- 资金来源: funding secured, one row per project, source and month secured --------------
FUNDING_SOURCE = "资金来源"
FUNDING_AMOUNT = "落实金额(万元)"
FUNDING_MONTH = "落实年月"
FUNDING_COLUMNS = (CODE, FUNDING_SOURCE, FUNDING_AMOUNT, FUNDING_MONTH)

# --- 存在问题 ---------------------------------------------------------------------
PROBLEM_ID = "问题编号"
PROBLEM_TYPE = "问题类型"
PROBLEM_TEXT = "问题描述"
RAISED = "提出年月"
RESOLVED = "解决年月"  # empty while the problem is open
RESPONSIBLE_UNIT = "责任单位"
# 督办: a problem followed to closure. Dates are YYYY-MM-DD: days to closure and days overdue
# are what an office counts. 解决年月 stays the month the problem stopped being open; a 办结日期
# gives it when it is empty.
ASSIGNED_ON = "交办日期"
DEADLINE = "办结时限"
HANDLING_STATE = "办理状态"  # one of HANDLING_STATES; empty in returns that do not follow it
HANDLING_NOTES = "办理情况"  # dated entries: "2026-01-15 已组卷上报;2026-02-10 省厅已受理"
CLOSED_ON = "办结日期"
CLEARED_ON = "销号日期"
PROBLEM_COLUMNS = (
    PROBLEM_ID,
    CODE,
    PROBLEM_TYPE,
    PROBLEM_TEXT,
    RAISED,
    RESOLVED,
    RESPONSIBLE_UNIT,
    ASSIGNED_ON,
    DEADLINE,
    HANDLING_STATE,
    HANDLING_NOTES,
    CLOSED_ON,
    CLEARED_ON,
)
STATE_WAITING = "待交办"
STATE_HANDLING = "办理中"
STATE_CLOSED = "已办结"
STATE_CLEARED = "已销号"  # the office has checked the closure and struck the problem off
HANDLING_STATES = (STATE_WAITING, STATE_HANDLING, STATE_CLOSED, STATE_CLEARED)

# --- 指标: city indicators in long form ----------------------------------------------
INDICATOR_GROUP = "分组"
INDICATOR = "指标"
PERIOD = "期间"  # "2025" for a year, "2026-02" for a monthly cumulative figure
VALUE = "数值"
UNIT = "单位"
TARGET = "目标值"
INDICATOR_COLUMNS = (INDICATOR_GROUP, INDICATOR, PERIOD, VALUE, UNIT, TARGET)

# --- 节点计划: one row per project and node (开工, 主体完工, 设备安装, 竣工投产, or any name) ---
NODE = "节点名称"
NODE_PLANNED = "计划完成年月"
NODE_ACTUAL = "实际完成年月"  # empty until the node is reached
MILESTONE_COLUMNS = (CODE, NODE, NODE_PLANNED, NODE_ACTUAL)

# --- 红黑榜豁免: a unit excused from the 黑榜 in one month -----------------------------------
UNIT_KIND = "单位类别"  # the project column that groups the units: 所在区县 or 所属园区
UNIT_NAME = "单位名称"
EXEMPT_REASON = "豁免原因"
EXEMPTION_COLUMNS = (UNIT_KIND, UNIT_NAME, MONTH, EXEMPT_REASON)
# The project columns whose values a 红黑榜 may rank, in the order they are offered.
UNIT_KINDS = (COUNTY, PARK)

COLUMNS = {
    PROJECTS: PROJECT_COLUMNS,
    PLANS: PLAN_COLUMNS,
    MONTHLY: MONTHLY_COLUMNS,
    FUNDING: FUNDING_COLUMNS,
    PROBLEMS: PROBLEM_COLUMNS,
    INDICATORS: INDICATOR_COLUMNS,
    MILESTONES: MILESTONE_COLUMNS,
    EXEMPTIONS: EXEMPTION_COLUMNS,
}
# Rows with the same key replace each other: a county's return updates its own rows and leaves
# the other counties' rows as they were. The store merges an import by these keys.
KEYS = {
    PROJECTS: (CODE,),
    PLANS: (CODE, YEAR),
    MONTHLY: (CODE, MONTH),
    FUNDING: (CODE, FUNDING_SOURCE, FUNDING_MONTH),
    PROBLEMS: (PROBLEM_ID,),
    INDICATORS: (INDICATOR, PERIOD),
    MILESTONES: (CODE, NODE),
    EXEMPTIONS: (UNIT_KIND, UNIT_NAME, MONTH),
}

# The names of the tables and columns in the database: ASCII, because Chinese identifiers are
# awkward across databases. A new column needs its name here and a migration revision that adds
# it (README, "Adding a column to the store").
STORE_TABLES = {
    PROJECTS: "projects",
    PLANS: "annual_plans",
    MONTHLY: "monthly_progress",
    FUNDING: "funding",
    PROBLEMS: "problems",
    INDICATORS: "indicators",
    MILESTONES: "milestones",
    EXEMPTIONS: "exemptions",
}
STORE_COLUMNS = {
    CODE: "code",
    NAME: "name",
    COUNTY: "county",
    SECTOR: "sector",
    LEVEL: "level",
    STAGE: "stage",
    NATURE: "nature",
    NEWLY_ATTRACTED: "newly_attracted",
    HIGH_TECH: "high_tech",
    OWNER: "owner",
    LEADER: "leader",
    TOTAL_INVESTMENT: "total_investment",
    PLANNED_START: "planned_start",
    ACTUAL_START: "actual_start",
    PLANNED_END: "planned_end",
    LON: "lon",
    LAT: "lat",
    SUBSIDY_SOUGHT: "subsidy_sought",
    CONTENT: "content",
    YEARS_TEXT: "years_text",
    OWNER_PERSON: "owner_person",
    ACTUAL_END: "actual_end",
    WITHDRAWN: "withdrawn",
    PARK: "park",
    PRIOR_CUMULATIVE: "prior_cumulative",
    COVERS_FROM: "covers_from",
    YEAR: "year",
    ANNUAL_PLAN: "annual_plan",
    MONTH: "month",
    MONTH_COMPLETED: "month_completed",
    PROGRESS_TEXT: "progress_text",
    FUNDING_SOURCE: "funding_source",
    FUNDING_AMOUNT: "funding_amount",
    FUNDING_MONTH: "funding_month",
    PROBLEM_ID: "problem_id",
    PROBLEM_TYPE: "problem_type",
    PROBLEM_TEXT: "problem_text",
    RAISED: "raised",
    RESOLVED: "resolved",
    RESPONSIBLE_UNIT: "responsible_unit",
    ASSIGNED_ON: "assigned_on",
    DEADLINE: "deadline",
    HANDLING_STATE: "handling_state",
    HANDLING_NOTES: "handling_notes",
    CLOSED_ON: "closed_on",
    CLEARED_ON: "cleared_on",
    INDICATOR_GROUP: "indicator_group",
    INDICATOR: "indicator",
    PERIOD: "period",
    VALUE: "value",
    UNIT: "unit",
    TARGET: "target",
    NODE: "node",
    NODE_PLANNED: "node_planned",
    NODE_ACTUAL: "node_actual",
    UNIT_KIND: "unit_kind",
    UNIT_NAME: "unit_name",
    EXEMPT_REASON: "reason",
}

# Columns a sheet may carry in place of a schema column: alternative → the column it stands for.
ALTERNATIVES = {MONTHLY: {MONTH_CUMULATIVE: MONTH_COMPLETED}}
# Columns that may be left empty in a row; every other column must be filled.
OPTIONAL = {
    # What identifies and classifies a project, and its size, is required; the rest (建设性质 and
    # the planned months among them) is often missing from a ledger.
    PROJECTS: tuple(
        c
        for c in PROJECT_COLUMNS
        if c not in (CODE, NAME, COUNTY, SECTOR, LEVEL, STAGE, TOTAL_INVESTMENT)
    ),
    PLANS: (PRIOR_CUMULATIVE,),
    MONTHLY: (PROGRESS_TEXT, COVERS_FROM),
    FUNDING: (),
    # A problem is its id, project, type and month raised; the rest (督办 included) may be empty.
    PROBLEMS: tuple(
        c for c in PROBLEM_COLUMNS if c not in (PROBLEM_ID, CODE, PROBLEM_TYPE, RAISED)
    ),
    INDICATORS: (TARGET,),
    MILESTONES: (NODE_ACTUAL,),
    EXEMPTIONS: (),
}

# --- Allowed values --------------------------------------------------------------
# 项目级别, 行业领域, problem types and funding sources are the office's own lists: core.base.settings.
# The provincial list is named here because the report and the demo speak of it.
LEVEL_PROVINCIAL = "省重点"

STAGE_RESERVE = "储备"
STAGE_SUBMITTED = "申报"  # submitted for next year's provincial list
STAGE_PREPARATION = "前期"
STAGE_CONSTRUCTION = "在建"
STAGE_COMPLETED = "竣工"
STAGES = (STAGE_RESERVE, STAGE_SUBMITTED, STAGE_PREPARATION, STAGE_CONSTRUCTION, STAGE_COMPLETED)

NATURES = ("新建", "续建")
# 行业领域 of a project whose return says nothing of it: shown as such, never guessed.
UNCLASSIFIED = "未分类"
YES, NO = "是", "否"

# Indicator groups in the order the annual report presents them.
INDICATOR_GROUPS = (
    "固定资产投资",
    "产业转型",
    "科技创新",
    "绿色发展",
    "营商环境",
    "对外开放",
    "民生保障",
)
FAI_GROUP = "固定资产投资"
FAI_TOTAL = "固定资产投资增速"
FAI_CATEGORIES = ("房地产开发投资增速", "工业投资增速", "基础设施投资增速")
FAI_RANK = "固定资产投资总量全省排名"
