"""The truth, worked out by hand, of the real files in ../shared/realworld (outside the repository:
a user's clone has no such folder, so `real_cases()` is empty there).

The .xls files are 发改 reporting templates of 2009-2010 from a public CMS (南平, 漳州): their
figures are template zeros and ones, and most of their project rows were deleted before
publication, so each sheet lists one or two projects under a 合计 row that still announces 12, 13,
15 or 100 projects. What matters is the count: a reader must count the project rows and never a
合计, 其中, section or summary row. Every count is explained beside its case.

`period` is the period the data is for, where the sheet states it (title or headers); None where
it does not. Amounts are in 万元 as written (no sheet states another unit; one states none)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.corpus.layouts import Truth

# /work/main/tests/corpus/real.py -> parents[3] is /work, the folder holding main/ and shared/.
REALWORLD = Path(__file__).resolve().parents[3] / "shared" / "realworld"

NANPING_MONTHLY = "南平_重点项目月报表(在建、筹建).xls"
NANPING_TARGETS = "南平_年度目标及形象进度完成情况汇总表.xls"
BATTLE = ("templates/zzfet__战役项目.xls", "templates/zzfet.bak__战役项目.xls")
DUTY = ("templates/zzfet__项目目标责任制表.xls", "templates/zzfet.bak__项目目标责任制表.xls")
FORM = "templates/zzfet__在建、新开工项目台账.xls"
FUNDING = "templates/项目资金拼盘及到位汇总表.xls"
SHANGHAI = "lists/shanghai_2022_major_projects_PARTIAL.csv"
ZHONGXIAN = "lists/zhongxian_2019_chongqing_municipal_major_projects.csv"


@dataclass
class RealCase:
    path: str  # relative to REALWORLD
    sheet: str | None  # None for a CSV
    kind: str  # ledger | summary (no project rows) | form (one project) | funding | list
    period: str | None  # "YYYY-MM" where the sheet states it
    truth: Truth
    note: str  # how the count was made: which rows are projects, which are not

    @property
    def file(self) -> Path:
        return REALWORLD / self.path


def _truth(names: list[str], projects: int | None = None, **amounts) -> Truth:
    fields = {"total_investment": None, "annual_plan": None, "year_to_date": None,
              "month_amount": None, "by_county": {}, "by_sector": {}}  # fmt: skip
    fields.update(amounts)
    return Truth(projects=len(names) if projects is None else projects, names=names, **fields)


def _nanping_monthly() -> list[RealCase]:
    # Both detail sheets: title (row 0); a 3-row header (rows 1-3: 序号 | 项目名称 | 总投资 |
    # 开工至上一年度底累计 | 2010年计划投资 | "2010年实际完成情况" merged over 1-3月实际完成投资 |
    # 完成投资占年计划% | 1-3月实际形象进度, row 3 blank and covered by the merges); then
    # 合计（100项）, 其中：在建重点项目（90项）, "     预备重点项目（10项）", 一、<group>（48项）,
    # （一）在建（11项） — five rows with amounts (all 0) that are totals or sections; then two
    # projects, 序号 "1●" and 7. No 本月 column. The announced 100/90/48/11 do not match: the
    # template's other rows were deleted.
    names = ["武夷山至邵武高速公路", "顺昌环城路建设工程"]
    zeros = {"total_investment": 0.0, "annual_plan": 0.0, "year_to_date": 0.0}
    group = {"projects": 2, "annual_plan": 0.0, "year_to_date": 0.0}
    summary_note = (
        "a summary by group: title, a header (项目个数 | 总投资 | 开工至上一年度底累计 | 年度计划 "
        "| '1～  月完成投资' with the month left blank | 完成投资占年计划), and one 合计 row "
        "(0s). No project row: 0 projects."
    )
    return [
        RealCase(
            NANPING_MONTHLY, "分级管理", "ledger", "2010-03",
            _truth(names, **zeros, by_county={"市本级": group}),
            "2 projects (rows 9-10). Rows 4-8 are 合计/其中/预备 totals and the sections "
            "一、市本级（48项） and （一）在建（11项）. 分级管理 groups by management level: 市本级 "
            "(city level) stands where a county would, so both projects are 市本级's.",
        ),
        RealCase(NANPING_MONTHLY, "分级管理（在建）", "summary", "2010-03",
                 _truth([], **zeros), summary_note),
        RealCase(
            NANPING_MONTHLY, "分行业", "ledger", "2010-03",
            _truth(names, **zeros, by_sector={"交通": group}),
            "the same 2 projects under 一、交通（48项）. The title keeps the placeholder "
            "'<yyyy>年1-<M>月'; the headers say 2010年 and 1-3月, hence 2010-03.",
        ),
        RealCase(NANPING_MONTHLY, "分行业（在建）", "summary", "2010-03",
                 _truth([], **zeros), summary_note),
    ]  # fmt: skip


def _nanping_targets() -> list[RealCase]:
    # Title; a 2-row header of 22 columns (项目名称, 建设地点 (empty in every row), 项目总投资,
    # 开工累计完成投资 (since start: not this year's), 年度计划投资, "2009年完成情况" merged over
    # 月完成投资 | "1-  月累计完成投资" | 完成年度投资计划% | "1-  月工程形象进度" — the month left
    # blank); 合计12项 and 一、交通5项 carry 1s; then projects 序号 1 and 12, each with 1s.
    return [
        RealCase(
            NANPING_TARGETS, "Sheet1", "ledger", None,
            _truth(["南三龙铁路南平段", "武夷山东溪水库旅游综合开发项目"],
                   total_investment=2.0, annual_plan=2.0, year_to_date=2.0, month_amount=2.0,
                   by_sector={"交通": {"projects": 2, "annual_plan": 2.0, "year_to_date": 2.0}}),
            "2 projects (rows 5-6); row 3 合计12项 and row 4 一、交通5项 are a total and a section. "
            "The totals do not add up (合计 holds 1.0, its rows 2.0). No unit stated anywhere; "
            "the period has a year (2009) but the month is a blank to be typed: None. Sheet2 "
            "and Sheet3 are empty.",
        ),
    ]  # fmt: skip


def _battle(path: str) -> list[RealCase]:
    name = "★古雷腾龙芳烃（漳州）有限公司80万吨/年对二甲苯工程及整体公用配套工程"
    return [
        RealCase(
            path, "明细表", "ledger", "2010-07",
            _truth([name], total_investment=1378400.0, annual_plan=670000.0,
                   year_to_date=387534.0),
            "1 project (row 4). Row 3 is the total: '合计' in 序号, '13个' in the name column, "
            "its amounts (2378910, 305000, 1001453, 429239) are not its one row's. 至2009年底累计 "
            "is before this year; 大干150天力争完成的投资额 is a target; 全年完成投资额 (670000) "
            "repeats the plan; the per-month pairs are for 8-12月 (after the period, all 0), so "
            "there is no month amount. Empty cells hold a single space. The name starts with ★.",
        ),
        RealCase(
            path, "进度一览表", "ledger", None,
            _truth([name]),
            "1 project (row 6) under 合计（13项） (row 5, whose 上旬/中旬/下旬 figures are not the "
            "project's). Only ten-day (旬) columns 上旬|中旬|下旬|累计|形象进度 for 8-12月: no "
            "总投资, plan or year to date; no period stated.",
        ),
        RealCase(
            path, "汇总表", "summary", None,
            _truth([]),
            "a summary by area: 合计 then two area rows (1 古雷港经济开发区, 4 九龙生态经济区) with "
            "a 项目数 column; areas, not projects: 0 projects.",
        ),
    ]  # fmt: skip


def _duty(path: str) -> list[RealCase]:
    return [
        RealCase(
            path, "竣工投产", "ledger", "2010-07",
            _truth(["垃圾压缩设备和专用汽车生产项目"], total_investment=20000.0,
                   annual_plan=3000.0, year_to_date=2486.0),
            "1 project (row 4). Row 3 is '合计' | '15个' (its 至2009年底累计 147334 is not the "
            "row's 17177). Row 5 is a footnote merged across 17 of the 20 columns (注 1、2、).",
        ),
        RealCase(
            path, "加速开工", "ledger", "2010-07",
            _truth(["电子产品显示器项目"], total_investment=13000.0, annual_plan=2000.0,
                   year_to_date=1000.0),
            "1 project (row 4) under '合计' | '20个' (its 1-7月 11364 is not the row's 1000); "
            "footnote row 5. The project is 新开工 with 建设起止时间 2011.01-2012.12.",
        ),
        RealCase(
            path, "加速报批", "ledger", None,
            _truth(["LED照明导体项目"], total_investment=35000.0),
            "1 project (row 4) under '合计' | '11个'; only 总投资 among amounts; no period. The "
            "业主名称 cell holds a person's name.",
        ),
        RealCase(
            path, "加速签约", "ledger", None,
            _truth(["铨声音响电子产品项目"], total_investment=34000.0),
            "1 project (row 4) under '合计' | '18个'. The header has NO 项目名称: column B's "
            "header cell is empty although it holds the name.",
        ),
    ]  # fmt: skip


def _others() -> list[RealCase]:
    return [
        RealCase(
            FORM, "Sheet1", "form", "2010-07",
            _truth([], projects=1, total_investment=10.0, annual_plan=0.0, year_to_date=0.0),
            "a form for ONE project: label | value pairs (项目名称, 项目总投资额 10, "
            "2010年计划完成投资额 0, 1-7月已完成投资额 0), milestone dates as Excel serials, ten-day "
            "plan/actual rows for 8-12月 with 小计 columns, signatures. The name cell is blank "
            "(a space), hence no name.",
        ),
        RealCase(
            FUNDING, "Sheet1", "funding", None,
            _truth(["峰福铁路峰南段电气化改造工程"], total_investment=54583.0,
                   annual_plan=52583.0, year_to_date=48900.0),
            "1 project over two rows: row 4 (序号 1, the name, 项目总投资 '54,583.00' as text, "
            "资金来源 '合 计' — the project's own funding total, not a total of projects, "
            "年计划完成投资 52583, 年实际完成投资 48900) and row 5, a funding source (南昌铁路局) "
            "with no 序号 or name that repeats '54,583.00'. 单位：万元 in a merged line; the "
            "year is not stated, so 年实际完成投资 is the year's amount at an unknown date.",
        ),
        RealCase(
            SHANGHAI, None, "list", None,
            _truth(["上海光源二期(线站工程)", "上海硬X射线自由电子激光装置项目",
                    "高效低碳燃气轮机试验装置国家重大科技基础设施", "国家海底长期科学观测系统",
                    "张江复旦国际创新中心(微纳电子与量子科技融合创新大楼、生物与医学科技融合大楼、3号科研楼)",
                    "张江实验室研发大楼", "同济大学上海自主智能无人系统科学中心",
                    "李政道研究所(实验楼、基础实验设施)", "中航商用航空发动机公司产业基地建设项目",
                    "中国商用飞机公司民用飞机试飞中心",
                    "中国商用飞机公司总装制造中心浦东基地建设项目", "CR929宽体客机研发保障建设项目",
                    "民用飞机航电系统集成平台", "上海外高桥造船有限公司邮轮总装建造总体规划项目",
                    "中船长兴造船基地二期", "华域汽车技术研发中心",
                    "金发科技汽车材料全球创新研发中心及产业化项目",
                    "宁德时代未来能源技术研发及产业化基地项目", "中芯国际12英寸芯片项目",
                    "中芯国际临港12英寸晶圆代工生产线项目", "积塔半导体特色工艺生产线项目",
                    "超硅半导体300mm集成电路硅片全自动智能化生产线",
                    "上海超硅生产研发及配套设施建设项目",
                    "顺络电子高端电子元器件与精密陶瓷研发及先进制造配套基地",
                    "和辉光电第六代AMOLED生产线产能扩充项目",
                    "格科半导体12英寸CIS集成电路研发与产业化项目"]),
            "26 projects (序号 1-26) of 30 data rows: 正式项目合计173项 (a total, label in 序号), "
            "一 | 科技产业类67项, (一) | 科创中心 ( 8项), (二) | 先进制造业 (47项) are a total and "
            "sections (numeral in 序号, label in the name column). No amounts; 备注 holds the "
            "status (在建/建成/新开工). Categories are two-level, neither a county nor a plain "
            "sector, so by_sector is left empty. A 2022 annual list: no month.",
        ),
        RealCase(
            ZHONGXIAN, None, "list", None,
            _truth(["重庆市忠县“三峡橘乡”田园综合体建设试点项目", "忠县港区新生作业区一期工程",
                    "忠县新生疏港大道(G348果梁村至黄岭头段新改建工程)",
                    "忠县工业园区二期基础设施建设项目", "忠县至石宝沿江快速通道项目",
                    "忠县废旧物资回收再利用项目", "三峡港湾国际旅游度假区",
                    "上海极达空调设备有限公司专用空调生产项目", "高端装备制造产业园项目",
                    "3D光学玻璃及显示触控全贴合生产项目", "三一智能建筑产业基地项目",
                    "年产160万台一体机生产项目(一期)", "忠县银山片区岸线环境综合治理工程",
                    "忠县忠州中学校迁建工程暨县体育中心", "乌杨新区中学"]),
            "15 projects: one column 项目名称, one name a row, no serial, no total, no amounts. "
            "Names with quotes, parentheses and a leading digit (3D…). 2019: no month.",
        ),
    ]  # fmt: skip


def real_cases() -> list[RealCase]:
    """Every real file's truth; [] where ../shared/realworld is absent."""
    if not REALWORLD.is_dir():
        return []
    out = _nanping_monthly() + _nanping_targets()
    for path in BATTLE:
        out += _battle(path)
    for path in DUTY:
        out += _duty(path)
    return out + _others()
