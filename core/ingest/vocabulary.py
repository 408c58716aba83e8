"""The words of real returns, in one table: what a header, a section row or a problem text says.

Recognition is driven by these tables, not by special cases in code. A header text is reduced to
its key (half-width, no spaces or line breaks, lower case) and matched against each field's
patterns; a section row's label against the words for counties, stages, levels and sectors; a
problem text against the keywords of each problem type. To teach the product a new spelling,
add it here (and a test case beside the others).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from core.base import schema as S
from core.base.values import normalize_text

# --- header keys ---------------------------------------------------------------------------

_MARKS = str.maketrans("", "", "*※△▲")  # "项目名称*" marks a required column
_DASHES = re.compile(r"(?<=\d)[~～至到—–－](?=\d|月)")


def header_key(text: object) -> str:
    """A header text reduced for comparison: NFKC, no whitespace, no marks, lower case,
    "1～3月" and "1至3月" as "1-3月"."""
    text = unicodedata.normalize("NFKC", normalize_text(text))
    text = "".join(text.split()).translate(_MARKS).lower()
    return _DASHES.sub("-", text)


UNIT_IN_HEADER = re.compile(r"\((亿元|万元|元|亿|万)\)$")  # 总投资(万元), after NFKC
UNIT_TO_WAN = {"亿元": 10000.0, "亿": 10000.0, "万元": 1.0, "万": 1.0, "元": 0.0001}
UNIT_LINE = re.compile(r"单位[:为]?(亿元|万元|元|亿|万)")  # 单位:万元, 计量单位:亿元


def header_unit(text: object) -> float | None:
    """The unit a header cell states (总投资(亿元) → 10000), or None when it states none."""
    match = UNIT_IN_HEADER.search(header_key(text))
    return UNIT_TO_WAN[match.group(1)] if match else None


# --- headers read against the period ------------------------------------------------------

_YEAR_IN_HEADER = re.compile(r"(?<!\d)(\d{4})(?=年)")
_THIS_MONTH = re.compile(r"^(?<![\d-])(\d{1,2})(?=月(?:份)?(?:实际)?完成)")


def against_period(key: str, year: int | None, month: int | None = None) -> str:
    """A header key read against the period, so that one word names one figure whatever year
    the file is of: the period's year is 本年, the year before 上年, a later year 次年 and an
    earlier one 往年 ("2026年计划投资" → "本年计划投资", "至2025年底累计" → "至上年底累计",
    "2027年计划" → "次年计划"); "7月完成投资" in a July ledger is 本月. Without a year the key
    is returned as it is."""
    if year is None:
        return key

    def word(match: re.Match) -> str:
        y = int(match.group(1))
        return {year: "本年", year - 1: "上年"}.get(y, "次年" if y > year else "往年")

    key = _YEAR_IN_HEADER.sub(word, key).replace("本年年", "本年").replace("上年年", "上年")
    key = key.replace("次年年", "次年").replace("往年年", "往年")
    if month is not None:
        key = _THIS_MONTH.sub(lambda m: "本" if int(m.group(1)) == month else m.group(1), key)
    return key


# --- the template's columns ----------------------------------------------------------------

# Other names of the template's columns, as county workbooks write them (one sheet per table).
TEMPLATE_SYNONYMS: dict[str, tuple[str, ...]] = {
    S.CODE: ("项目编码", "项目统一代码", "统一代码", "代码", "项目编号", "投资项目统一代码"),
    S.NAME: ("名称",),
    S.COUNTY: ("区县", "县(市、区)", "县(市,区)", "县市区", "县区", "建设地点", "所属区县"),
    S.SECTOR: ("项目类别", "行业", "领域", "行业分类", "所属行业", "项目类型"),
    S.LEVEL: ("级别",),
    S.STAGE: ("阶段", "项目状态"),
    S.NATURE: ("性质",),
    S.NEWLY_ATTRACTED: ("是否新引进", "是否新引进项目"),
    S.HIGH_TECH: ("是否高新技术", "是否高新技术项目", "高新技术项目"),
    S.OWNER: ("项目法人", "业主单位", "项目单位"),
    S.LEADER: ("联系领导", "包抓领导"),
    S.TOTAL_INVESTMENT: ("总投资", "项目总投资", "计划总投资"),
    S.PLANNED_START: ("计划开工时间", "开工时间"),
    S.ACTUAL_START: ("实际开工时间",),
    S.PLANNED_END: ("计划竣工时间", "竣工时间"),
    S.LON: ("lon", "lng", "longitude"),
    S.LAT: ("lat", "latitude"),
    S.SUBSIDY_SOUGHT: ("拟争取补助资金", "申请补助资金", "补助资金"),
    S.YEAR: ("年份", "计划年度"),
    S.ANNUAL_PLAN: ("年度计划投资", "年计划投资", "本年计划投资", "计划投资"),
    S.MONTH: ("月份", "统计月份", "填报月份"),
    S.MONTH_COMPLETED: ("本月完成投资", "当月完成投资"),
    S.MONTH_CUMULATIVE: (
        "累计完成投资",
        "本年累计完成投资",
        "自年初累计完成投资",
        "年初至今完成投资",
    ),
    S.PROGRESS_TEXT: ("工程形象进度", "进展情况"),
    S.FUNDING_AMOUNT: ("落实金额", "金额"),
    S.FUNDING_MONTH: ("落实时间",),
    S.PROBLEM_TYPE: ("问题类别",),
    S.PROBLEM_TEXT: ("问题内容", "存在问题", "主要问题"),
    S.RAISED: ("提出时间",),
    S.RESOLVED: ("解决时间",),
    S.RESPONSIBLE_UNIT: ("牵头单位", "责任部门"),
    S.ASSIGNED_ON: ("交办时间",),
    S.DEADLINE: ("办结期限", "完成时限", "时限要求"),
    S.HANDLING_STATE: ("督办状态", "问题状态"),
    S.HANDLING_NOTES: ("办理进展", "反馈情况", "办理结果"),
    S.CLOSED_ON: ("办结时间",),
    S.CLEARED_ON: ("销号时间",),
    S.PARK: ("园区", "功能区", "所属功能区", "所在园区"),
    S.NODE: ("节点", "项目节点", "里程碑"),
    S.NODE_PLANNED: ("计划时间", "计划完成时间", "计划年月"),
    S.NODE_ACTUAL: ("实际时间", "实际完成时间", "实际年月"),
    S.EXEMPT_REASON: ("原因", "豁免理由"),
    S.INDICATOR: ("指标名称",),
    S.TARGET: ("目标",),
}

# --- the fields a ledger column can feed ---------------------------------------------------


@dataclass(frozen=True)
class Field:
    key: str  # what the mapping step shows and a saved layout stores
    column: str | None  # the store's column it fills, if one
    amount: bool = False  # an amount in 万元 (a unit in the header converts it)
    per_month: bool = False  # the month comes from the column's header (8月/当月完成投资)
    single: bool = True  # only one column may feed it
    per_node: bool = False  # a milestone's month: the node is named by the header (主体完工)


IGNORE = Field("不导入", None, single=False)
CODE = Field("项目代码", S.CODE)
NAME = Field("项目名称", S.NAME)
COUNTY = Field("所在区县", S.COUNTY)
SECTOR = Field("行业领域", S.SECTOR)
LEVEL = Field("项目级别", S.LEVEL)
STAGE = Field("项目阶段", S.STAGE)
NATURE = Field("建设性质", S.NATURE)
OWNER = Field("建设单位", S.OWNER)
OWNER_PERSON = Field("项目负责人", S.OWNER_PERSON)
OWNER_WITH_PERSON = Field("建设单位及负责人", None)  # "某公司 张三": split in two
LEADER = Field("责任领导", S.LEADER)  # 挂点领导, 包抓领导
CONTENT = Field("建设内容", S.CONTENT)
YEARS = Field("建设起止年限", S.YEARS_TEXT)  # also gives the planned start and end
TOTAL = Field("总投资", S.TOTAL_INVESTMENT, amount=True)
PRIOR = Field("开工至上年底累计完成投资", S.PRIOR_CUMULATIVE, amount=True)
PLAN = Field("年度计划投资", S.ANNUAL_PLAN, amount=True)
YTD = Field("本年累计完成投资(1-N月)", S.MONTH_CUMULATIVE, amount=True)
MONTH_AMOUNT = Field("本月完成投资", S.MONTH_COMPLETED, amount=True)
MONTH_N_AMOUNT = Field("分月完成投资(月份见表头)", S.MONTH_COMPLETED, amount=True,
                       per_month=True, single=False)  # fmt: skip
MONTH_N_PROGRESS = Field("分月形象进度(月份见表头)", S.PROGRESS_TEXT, per_month=True, single=False)
TEN_DAY = Field("旬完成投资(合计为当月)", S.MONTH_COMPLETED, amount=True, single=False)
# Each project's monthly plan, what 序时进度 "plans" measures against (core.store.month_plans):
# a month's own planned amount (3月计划) or the planned sum from January (1-3月计划), the month
# named by the header. Kept beside the data, not in a table of the template.
MONTH_N_PLAN = Field("分月计划投资(月份见表头)", None, amount=True, per_month=True, single=False)
MONTH_N_PLAN_TO_DATE = Field("1-N月累计计划投资(月份见表头)", None, amount=True, per_month=True,
                             single=False)  # fmt: skip
PLAN_FIELDS = (MONTH_N_PLAN, MONTH_N_PLAN_TO_DATE)
PROGRESS = Field("形象进度", S.PROGRESS_TEXT)
PROBLEM = Field("存在问题", S.PROBLEM_TEXT)
PLANNED_START = Field("计划开工年月", S.PLANNED_START)
ACTUAL_START = Field("实际开工年月", S.ACTUAL_START)
PLANNED_END = Field("计划竣工年月", S.PLANNED_END)
ACTUAL_END = Field("实际竣工年月", S.ACTUAL_END)
LON = Field("经度", S.LON)
LAT = Field("纬度", S.LAT)
NEWLY_ATTRACTED = Field("新引进", S.NEWLY_ATTRACTED)
HIGH_TECH = Field("高新技术", S.HIGH_TECH)
SUBSIDY = Field("拟争取补助资金", S.SUBSIDY_SOUGHT, amount=True)
# 挂图作战 columns of a ledger: a node's planned and actual months (节点计划).
NODE_PLANNED = Field("节点计划完成时间(节点见表头)", S.NODE_PLANNED, single=False, per_node=True)
NODE_ACTUAL = Field("节点实际完成时间(节点见表头)", S.NODE_ACTUAL, single=False, per_node=True)

FIELDS: tuple[Field, ...] = (
    NAME, CODE, COUNTY, SECTOR, LEVEL, STAGE, NATURE, OWNER, OWNER_PERSON, OWNER_WITH_PERSON,
    LEADER, CONTENT, YEARS, TOTAL, PRIOR, PLAN, YTD, MONTH_AMOUNT, MONTH_N_AMOUNT,
    MONTH_N_PROGRESS, TEN_DAY, MONTH_N_PLAN, MONTH_N_PLAN_TO_DATE, PROGRESS, PROBLEM, PLANNED_START, ACTUAL_START, PLANNED_END,
    ACTUAL_END, LON, LAT, NEWLY_ATTRACTED, HIGH_TECH, SUBSIDY, NODE_PLANNED, NODE_ACTUAL, IGNORE,
)  # fmt: skip
BY_KEY = {f.key: f for f in FIELDS}

# Header words of each field: regular expressions matched in full against a header key (the
# leaf of a multi-row header, else the whole path joined). First match in this order wins, so
# the specific patterns stand before the general ones. "N" below is any month number.
_M = r"(?:\d{1,2}|n)?"  # a month number, or the blank a template leaves ("1-  月")
_NODE = r"(?P<node>[^/]{2,10}?)(?:节点)?"  # 主体完工, 设备安装节点
_UNIT = r"(?:\((?:亿元|万元|元|亿|万)\))?"
_PLANNED = r"(?:计划|投资计划|计划投资|计划完成投资|计划完成|计划投资额|计划完成额)"
HEADER_WORDS: tuple[tuple[Field, str], ...] = (
    (IGNORE, r"序号|序|编号|no\.?|排序"),
    (CODE, r"(?:项目)?(?:统一)?(?:代码|编码)|投资项目统一代码|项目编号"),
    (NAME, r"(?:建设)?(?:项目)?名称|项目|项目名|建设项目"),
    (
        COUNTY,
        r"(?:所在|所属)?(?:区县|县区|县\(市、?区\)|县市区|县\(市,区\)|县\(区\))|"
        r"(?:分部门或)?分?县\(市、?区\)(?:项目)?",
    ),
    (
        SECTOR,
        r"(?:所属)?(?:行业|领域|行业领域|行业分类|项目类别|项目类型|类别|产业类别|行业类别|项目分类|"
        r"产业分类|分类)",
    ),
    (LEVEL, r"(?:项目)?级别|省级或市级重点项目|重点项目级别|省市重点"),
    (STAGE, r"(?:项目)?(?:阶段|状态)|项目进展阶段"),
    (NATURE, r"(?:建设|项目)?性质"),
    (
        OWNER_WITH_PERSON,
        r"(?:项目)?(?:业主|建设|责任|法人)[^/]{0,12}(?:及|和|、)(?:其)?(?:负责人|责任人)",
    ),
    (OWNER, r"(?:项目)?(?:建设单位|业主单位|业主|项目法人|法人单位|项目单位|业主名称)"),
    (OWNER_PERSON, r"(?:项目)?(?:负责人|责任人|法人代表)"),
    (
        IGNORE,
        r"联系人|联系电话|电话|手机|备注|说明|分级管理项目.*|完成投资占年计划%?|"
        r"完成(?:年度)?投资计划%?|占年度?计划(?:比例)?%?|完成率%?|.*%|.*\(%\)|"
        r"后\S{1,3}个月.*|次年.*|往年.*|上年(?!.*底)(?!.*累计).*|"
        r"(?:自|从)?开工(?:以来|至今)?累计.*|.*力争.*|.*目标.*|.*大干.*|.*比例.*|.*进度比.*|"
        r"全年预计.*|预计.*",
    ),
    (
        LEADER,
        r"(?:(?:[省市县区镇乡]级?)/?)*(?:项目)?(?:挂点|包抓|联系|责任|分管|挂钩)(?:市|县)?领导",
    ),
    (CONTENT, r"(?:主要)?建设(?:内容|规模)(?:及|和|与)?(?:规模|内容)?|建设规模及主要内容"),
    (YEARS, r"建设(?:起止)?(?:年限|期限|工期)|起止年限|建设起止时间"),
    (
        PRIOR,
        rf"(?:开工至|截至|截止|至|自开工至)?上(?:一)?年(?:度)?(?:年)?底(?:止)?(?:累计)?(?:完成)?"
        rf"(?:投资)?(?:额)?{_UNIT}|"
        rf"开工至上(?:一)?年(?:度)?底?累计完成投资{_UNIT}|以前年度累计完成投资{_UNIT}|"
        rf"(?:开工至|截至|至)?上(?:一)?年(?:度)?累计(?:完成)?(?:投资)?{_UNIT}",
    ),
    # 1-3月计划 (the planned sum from January), 3月计划 / 3月 over 计划 (a month's own plan).
    (MONTH_N_PLAN_TO_DATE, rf"(?:本年)?1-\d{{1,2}}月(?:份)?(?:累计)?{_PLANNED}{_UNIT}"),
    (MONTH_N_PLAN, rf"(?:本年)?\d{{1,2}}月(?:份)?/?{_PLANNED}{_UNIT}"),
    (
        PLAN,
        rf"(?:\d{{4}}年|本年)?(?:度)?(?:年度)?(?:计划投资|投资计划|年计划投资|计划完成投资)"
        rf"(?:额)?{_UNIT}|本年(?:度)?计划{_UNIT}|年度计划{_UNIT}",
    ),
    (
        YTD,
        rf"(?:本年)?1-{_M}月(?:份)?(?:累计)?(?:实际)?完成(?:投资)?(?:额)?{_UNIT}|"
        rf"(?:本年|今年|自年初|年初至今)?累计(?:实际)?完成(?:投资)?(?:额)?{_UNIT}|"
        rf"(?:本年|今年)(?:1-{_M}月)?累计(?:完成)?(?:投资)?(?:额)?{_UNIT}|"
        rf"本年(?:实际)?完成(?:投资)?(?:额)?(?:累计)?{_UNIT}|"
        rf"(?:本年)?1-{_M}月(?:累计)?{_UNIT}|本年累计{_UNIT}",
    ),
    (MONTH_N_AMOUNT, rf"\d{{1,2}}月/(?:当月|本月)?完成(?:投资)?(?:额)?{_UNIT}"),
    (MONTH_N_PROGRESS, r"\d{1,2}月/(?:工程)?形象进度"),
    (TEN_DAY, rf"(?:上|中|下)旬(?:完成)?(?:投资)?(?:额)?{_UNIT}"),
    (
        MONTH_AMOUNT,
        rf"(?:本月|当月|月)(?:份)?(?:实际)?完成(?:投资)?(?:额)?{_UNIT}(?:/?(?:累计|小计|合计))?",
    ),
    # "6月完成投资" in a July ledger: another month's own amount (this month's is 本月 above).
    (
        MONTH_N_AMOUNT,
        rf"\d{{1,2}}月(?:份)?(?:当月|本月)?(?:实际)?完成(?:投资)?(?:额)?{_UNIT}"
        rf"(?:/?(?:累计|小计|合计))?",
    ),
    (
        PROGRESS,
        r"(?:本年)?1-?\d{0,2}月(?:份)?(?:实际)?(?:工程)?形象进度|"
        r"(?:本年|本月|年底|月底|本年底|\d{1,2}月底?|截至\S{0,6})?(?:工程|实际)?形象进度(?:/.{0,8})?|"
        r"进展情况|"
        r"(?:工程)?进度情况",
    ),
    (
        PROBLEM,
        r"(?:需要|需)?(?:省|市|省、市|省市)?(?:协调)?(?:解决)?(?:的)?(?:主要)?问题|"
        r"存在(?:的)?(?:主要)?问题(?:及建议)?|困难和问题|问题",
    ),
    (PLANNED_START, r"(?:拟|计划)开工(?:时间|年月|日期)"),
    (ACTUAL_START, r"(?:今年|实际|已)开工(?:时间|年月|日期)"),
    (PLANNED_END, r"(?:拟|计划)竣工(?:时间|年月|日期)|(?:拟|计划)完工(?:时间|年月)"),
    (ACTUAL_END, r"(?:今年|实际)竣工(?:时间|年月|日期)|(?:实际)?竣工投产(?:时间|年月)"),
    (TOTAL, rf"(?:项目|计划)?总投资{_UNIT}|投资总额{_UNIT}"),
    (LON, r"经度|lon|lng|longitude"),
    (LAT, r"纬度|lat|latitude"),
    (NEWLY_ATTRACTED, r"(?:是否)?新引进(?:项目)?"),
    (HIGH_TECH, r"(?:是否)?高新技术(?:项目)?"),
    (SUBSIDY, rf"(?:拟争取|申请)?(?:省级)?补助资金{_UNIT}"),
    # Last: a node's months, "主体完工计划完成时间" / "设备安装实际完成时间".
    (NODE_PLANNED, _NODE + r"(?:计划完成|计划)(?:时间|年月|日期)"),
    (NODE_ACTUAL, _NODE + r"(?:实际完成|实际)(?:时间|年月|日期)"),
)
# Words that name a field only loosely: a column with a word above wins over one with these.
WEAK_HEADER_WORDS: tuple[tuple[Field, str], ...] = (
    (COUNTY, r"建设地点|建设地址|地点|属地|所在地|地区|项目地址"),
    (OWNER, r"(?:项目)?(?:责任单位|主管部门|牵头单位)"),
)
_COMPILED = tuple((f, re.compile(p)) for f, p in HEADER_WORDS)
_WEAK = tuple((f, re.compile(p)) for f, p in WEAK_HEADER_WORDS)
# A group that names a milestone (节点): the words of construction stages.
_NODE_GROUP = r".*(?:节点|完工|投产|封顶|安装|验收|通车|交付|开工|竣工|主体|调试|试运行|试生产).*"
# A group over the months of a plan: 2026年月度计划, 分月投资计划, 逐月计划(万元).
_PLAN_GROUP = r".*(?:月度|分月|逐月|按月)(?:投资)?计划.*"
# Sub-headers whose meaning depends on the group above them: (group pattern, leaf pattern).
GROUP_WORDS: tuple[tuple[str, str, Field], ...] = (
    (r".*(?:业主|建设|法人).*", r"(?:业主|单位)?名称|单位", OWNER),
    (r".*(?:业主|建设|法人).*", r"负责人|责任人|法人代表", OWNER_PERSON),
    (r".*(?:开工|建设)(?:时间|年月).*", r"计划|拟", PLANNED_START),
    (r".*(?:开工|建设)(?:时间|年月).*", r"实际|今年", ACTUAL_START),
    (r".*竣工(?:时间|年月).*", r"计划|拟", PLANNED_END),
    (r".*竣工(?:时间|年月).*", r"实际|今年", ACTUAL_END),
    (r".*起止.*|.*建设年限.*", r"开工|起|开始", PLANNED_START),
    (r".*起止.*|.*建设年限.*", r"竣工|止|完工", PLANNED_END),
    # 主体完工 | 计划 · 实际: a node over its months (the 开工/竣工 times above come first).
    (_NODE_GROUP, r"计划(?:完成)?(?:时间|年月|日期)?", NODE_PLANNED),
    (_NODE_GROUP, r"实际(?:完成)?(?:时间|年月|日期)?", NODE_ACTUAL),
    # 月度计划 over 1月 … 12月 (each month's own plan) or 1-3月 … (the sums from January).
    (_PLAN_GROUP, r"1-\d{1,2}月(?:份)?(?:累计)?", MONTH_N_PLAN_TO_DATE),
    (_PLAN_GROUP, r"\d{1,2}月(?:份)?", MONTH_N_PLAN),
)
_GROUP_COMPILED = tuple((re.compile(g), re.compile(leaf), f) for g, leaf, f in GROUP_WORDS)
# A month in a group label: "8月" over 当月完成投资额 | 形象进度.
_MONTH_GROUP = re.compile(r"(?:\d{4}年)?(\d{1,2})月(?:份)?")


def field_for(path: list[str]) -> Field | None:
    """The field a column's header path feeds, or None when no word of the table matches.

    The lowest header row speaks first (a sub-header under a group label), read with its
    group where the group decides (业主单位 over 名称 | 负责人); then the whole path joined."""
    keys = [header_key(p) for p in path if header_key(p)]
    if not keys:
        return None
    leaf = keys[-1]
    groups = keys[:-1]
    for group in reversed(groups):
        for g, pattern, f in _GROUP_COMPILED:
            if g.fullmatch(group) and pattern.fullmatch(leaf):
                return f
        month = _MONTH_GROUP.fullmatch(group)
        if month:  # a per-month pair: read the leaf as "8月/当月完成投资"
            found = _match(f"{month.group(1)}月/{leaf}")
            if found:
                return found
    for candidate in (leaf, "".join(keys[-2:]), "".join(keys[-3:]), "".join(keys), "/".join(keys)):
        found = _match(candidate)
        if found:
            return found
    return None


def _match(key: str) -> Field | None:
    for f, pattern in (*_COMPILED, *_WEAK):
        if pattern.fullmatch(key):
            return f
    return None


def is_weak(path: list[str], f: Field) -> bool:
    """Whether the column names its field only loosely (建设地点 for 所在区县)."""
    keys = [header_key(p) for p in path if header_key(p)]
    return (
        bool(keys)
        and any(g is f and p.fullmatch(keys[-1]) for g, p in _WEAK)
        and not any(g is f and p.fullmatch(keys[-1]) for g, p in _COMPILED)
    )


_NODE_LEAF = re.compile(
    r"^(?P<node>.+?)(?:节点)?(?:计划完成|实际完成|计划|实际)(?:时间|年月|日期)?$"
)
_NODE_WORDS = re.compile(r"节点|计划|时间|年月|日期|完成时间|/")


def column_node(path: list[str]) -> str:
    """The milestone a node column is about: "主体完工" of "主体完工计划完成时间", or of the
    group "主体完工" over "计划"; the header as written when it names none."""
    texts = [normalize_text(t) for t in path if normalize_text(t)]
    if not texts:
        return ""
    match = _NODE_LEAF.match(header_key(texts[-1]))
    if match:
        return match.group("node")
    for group in reversed(texts[:-1]):
        node = _NODE_WORDS.sub("", header_key(group))
        if node:
            return node
    return texts[-1]


_LEADING_MONTH = re.compile(r"^(?:\d{4}年)?(\d{1,2})月(?:份)?(?=(?:当月|本月)?(?:实际)?完成)")
# A plan's month: 3 of "3月计划" and of "1-3月累计计划" (the sum from January to March).
_PLAN_MONTH = re.compile(
    r"^(?:\d{4}年|本年)?(?:1-)?(\d{1,2})月(?:份)?(?=/?(?:累计)?(?:计划|投资计划)|(?:累计)?$)"
)


def column_month(path: list[str]) -> int | None:
    """The month a per-month column stands for ("8月/当月完成投资额" → 8, "6月完成投资" → 6)."""
    for text in path:
        key = header_key(text)
        match = _MONTH_GROUP.fullmatch(key) or _LEADING_MONTH.match(key) or _PLAN_MONTH.match(key)
        if match and 1 <= int(match.group(1)) <= 12:
            return int(match.group(1))
    return None


# --- periods in titles and headers ------------------------------------------------------------

# 南平市2010年1-3月…, 2026年3月份…, 2026年1-3月, 1～3月: one year and the month a return reaches.
PERIOD_WORDS = (
    re.compile(r"(\d{4})年(?:度)?1-(\d{1,2})月"),
    re.compile(r"(\d{4})年1月(?:份)?[-—–~至到]+(\d{1,2})月"),
    # A date with its day is when a file was sent, not the month it reports on.
    re.compile(r"(\d{4})年(\d{1,2})月(?:份)?(?!\d{1,2}日)"),
    re.compile(r"(\d{4})[.-](\d{1,2})(?:月)?(?![.-]?\d)"),
)
YEAR_WORD = re.compile(r"(\d{4})年")
MONTH_WORD = re.compile(r"1-(\d{1,2})月|^(\d{1,2})月(?:份)?(?:/|$)")
# Blanks a template leaves for the month or year: <yyyy>年1-<M>月, 1-  月, ____年.
PLACEHOLDER = re.compile(r"<[a-z]+>|1-月|_{2,}|x+年|×+月|[(]\s*[)]月")

# --- rows that are no project: footnotes and totals ------------------------------------------

# Notes under (or above) a table, in every reader: 注:…, 说明:…, 填报单位:…, 填表人:… .
FOOTNOTE = re.compile(
    r"^(?:(?:注|说明|备注|附注)\d*[:、.]|填表人|填报人|审核人|制表人|单位负责人|负责人[:]|联系人|"
    r"联系电话|填报日期|制表日期|填报时间|填报单位|报送单位|审核|制表|统计人|分管领导[:])"
)
# A total's label: 合计, 小计:, 全市合计, 龙海市合计14个, 合计(100项), 总计 131个 — the whole cell,
# so that a project named "智慧城市小计量中心" is no total.
TOTAL_LABEL = re.compile(
    r"^[(\[]?(?P<place>[^\d()\[\]]{0,14}?)(?:总合计|合计|小计|总计|共计)[)\]]?[:]?"
    r"(?:\(?(?:共)?(?:\d+|…+)?(?:项|个)(?:目)?\)?)?$"
)
# A cell that only counts (the name cell of "合计 | 13个"): 13个, (100项), 共37个.
COUNT_ONLY = re.compile(r"^\(?(?:共)?\d+(?:项|个)(?:目|项目)?\)?$")


def is_total_text(text: str) -> bool:
    return bool(TOTAL_LABEL.match(header_key(text)))


# --- section rows --------------------------------------------------------------------------

CHINESE_NUMERALS = "一二三四五六七八九十"
# 一、市本级(48项) · (一)在建(11项) · 一 工业 (the numeral alone in the 序号 column)
SECTION_NUMBERED = (
    (1, re.compile(rf"^[{CHINESE_NUMERALS}]+[、.,]?\s*(?P<label>.*)$")),
    (2, re.compile(rf"^\([{CHINESE_NUMERALS}]+\)\s*(?P<label>.*)$")),
)
COUNT_SUFFIX = re.compile(r"\(?\s*(?:共)?(?P<n>\d+|…+|\.+)?\s*(?:项|个)(?:目)?\s*\)?$")
OF_WHICH = re.compile(r"^其中[:,、]?")  # 其中:在建重点项目(90项) — a part of the total above

# What a section label means. Stage words map to the product's stages; "预备" and "筹建" are
# the preparatory projects of Fujian's lists (前期).
STAGE_WORDS = {
    "在建": S.STAGE_CONSTRUCTION, "续建": S.STAGE_CONSTRUCTION, "新开工": S.STAGE_CONSTRUCTION,
    "建设": S.STAGE_CONSTRUCTION, "预备": S.STAGE_PREPARATION, "筹建": S.STAGE_PREPARATION,
    "前期": S.STAGE_PREPARATION, "预备项目": S.STAGE_PREPARATION, "谋划": S.STAGE_RESERVE,
    "储备": S.STAGE_RESERVE, "竣工": S.STAGE_COMPLETED, "竣工投产": S.STAGE_COMPLETED,
    "建成投产": S.STAGE_COMPLETED, "申报": S.STAGE_SUBMITTED,
}  # fmt: skip
NATURE_WORDS = {"新建": "新建", "新开工": "新建", "续建": "续建"}
LEVEL_WORDS = {"省重点": "省重点", "省级": "省重点", "省级重点": "省重点", "市重点": "市重点",
               "市级": "市重点", "市级重点": "市重点", "县重点": "县重点", "县级": "县重点"}  # fmt: skip
# Units that stand beside counties in a city's lists.
COUNTY_LIKE = re.compile(
    r".{1,10}(?:区|县|市|旗)|市本级|市直|市直属|本级|.{1,12}(?:开发区|高新区|新区|园区|管委会|试验区)"
)
# Sectors as offices name them; the office's own list (settings) is consulted first.
SECTOR_WORDS = (
    "产业项目", "工业", "农业", "交通", "能源", "水利", "城建", "城市建设", "城市更新", "社会事业",
    "社会民生", "民生", "基础设施", "生态环保", "环保", "服务业", "现代服务业", "旅游", "文旅",
    "教育", "卫生", "医疗", "科技", "物流", "商贸", "房地产", "市政", "信息化", "新基建",
)  # fmt: skip
STAGE, COUNTY_MEANING, SECTOR_MEANING, LEVEL_MEANING, NATURE_MEANING = (
    "项目阶段", "所在区县", "行业领域", "项目级别", "建设性质",
)  # fmt: skip
NO_MEANING = "不使用"
SECTION_MEANINGS = (COUNTY_MEANING, SECTOR_MEANING, STAGE, LEVEL_MEANING, NATURE_MEANING,
                    NO_MEANING)  # fmt: skip
MEANING_COLUMN = {COUNTY_MEANING: S.COUNTY, SECTOR_MEANING: S.SECTOR, STAGE: S.STAGE,
                  LEVEL_MEANING: S.LEVEL, NATURE_MEANING: S.NATURE}  # fmt: skip


def section_value(label: str, meaning: str) -> str:
    """The value a section label gives its rows under a meaning ("预备" as stage → 前期)."""
    key = header_key(label).removesuffix("重点项目").removesuffix("项目") or header_key(label)
    if meaning == STAGE:
        return STAGE_WORDS.get(key, label)
    if meaning == NATURE_MEANING:
        return NATURE_WORDS.get(key, label)
    if meaning == LEVEL_MEANING:
        return LEVEL_WORDS.get(key, label)
    return label


def label_meaning(
    label: str, sectors: tuple[str, ...], counties: tuple[str, ...] = ()
) -> str | None:
    """What a section label most likely names, or None when no table knows it."""
    key = header_key(label)
    bare = key.removesuffix("重点项目").removesuffix("项目") or key
    if bare in LEVEL_WORDS:
        return LEVEL_MEANING
    if bare in STAGE_WORDS:
        return STAGE
    if bare in NATURE_WORDS:
        return NATURE_MEANING
    if key in counties or bare in counties:
        return COUNTY_MEANING
    if bare in sectors or key in sectors or bare in SECTOR_WORDS:
        return SECTOR_MEANING
    if COUNTY_LIKE.fullmatch(bare):
        return COUNTY_MEANING
    return None


# --- problems --------------------------------------------------------------------------------

# Keywords that type a problem text; the first type whose word appears wins, else 其他. Types the
# office adds in its settings are matched by their own name.
PROBLEM_KEYWORDS = {
    "用地": ("用地", "土地", "林地", "指标", "供地", "规划调整", "农转用", "占补平衡", "基本农田"),
    "征迁": ("征迁", "征地", "拆迁", "搬迁", "征收", "清表", "迁改", "杆线"),
    "环评": ("环评", "环境影响", "环保", "排污", "水保", "水土保持"),
    "能耗": ("能耗", "能评", "节能", "用能", "碳排放"),
    "资金": ("资金", "融资", "贷款", "专项债", "拨付", "到位", "资本金", "补助"),
    "审批": ("审批", "立项", "核准", "备案", "许可", "施工图", "招标", "报建", "手续", "可研", "批复"),
}  # fmt: skip
OTHER_PROBLEM = "其他"


def problem_type(text: str, types: tuple[str, ...]) -> str:
    """The type of a problem text among the office's types, by keywords; 其他 when none."""
    for kind in types:
        for word in (kind, *PROBLEM_KEYWORDS.get(kind, ())):
            if word in text:
                return kind
    return OTHER_PROBLEM


# --- owners ----------------------------------------------------------------------------------

# "福建武邵高速公路发展有限公司      李介立", "某公司/张三", "某公司(张三)": unit and person.
OWNER_AND_PERSON = re.compile(
    r"^(?P<unit>.+?)(?:\s+|[/、,;]|\()(?P<person>[\u4e00-\u9fa5·]{2,4})(?:\))?$"
)


def split_owner(text: str) -> tuple[str, str]:
    """(unit, person) of a cell that names both; (text, "") when no person can be told apart."""
    match = OWNER_AND_PERSON.match(normalize_text(text))
    if not match:
        return normalize_text(text), ""
    return match.group("unit").strip(), match.group("person")
