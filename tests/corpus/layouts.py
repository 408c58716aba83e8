"""A corpus of office ledgers (台账, 月报表) in the shapes real offices use, each with the truth a
person would work out by hand: how many projects, the sums of the amount columns in 万元, the
split by county and sector, and every project name in file order.

Every layout is described by a `Layout` (its columns, header spellings, sections, totals, units,
format) and rendered by one engine from projects generated with a `random.Random` seeded by the
layout's name, so the corpus is the same on every machine and adding a layout changes no other.
Amounts are kept as integers of 0.01 万元 until written, so every total row in a file is exactly
the sum of its rows and the truth is exactly the sum of the values written."""

from __future__ import annotations

import datetime
import random
import zlib
from dataclasses import dataclass

from tests.corpus.writers import Sheet, csv_bytes, xls, xlsx

# --- what a case is ----------------------------------------------------------------------------


@dataclass
class Truth:
    projects: int  # number of rows that are projects
    total_investment: float | None  # 万元, sum over projects (None if the file has no such column)
    annual_plan: float | None  # 万元, sum of this year's plan
    year_to_date: float | None  # 万元, sum of 1-N月完成投资 (or of the month amounts Jan..N)
    month_amount: float | None  # 万元, sum of the N月 (this month's) amounts if the file has them
    by_county: dict[str, dict]  # county -> {"projects", "annual_plan", "year_to_date"}; {} if none
    by_sector: dict[str, dict]  # the same per sector; {} if the file has no sector
    names: list[str]  # every project name in file order (as written, stripped)


@dataclass
class Case:
    name: str  # short ascii id
    filename: str  # as an office would name the file, with extension
    content: bytes
    period: str  # "YYYY-MM": the period the data is for
    truth: Truth
    shape: str  # one line: what is special about this layout


# --- vocabulary --------------------------------------------------------------------------------

COUNTIES = ["城东区", "城西区", "高新区", "经开区", "临江县", "青山县", "白云县", "石门县",
            "安平市", "龙湖区", "北湖新区", "南溪县"]  # fmt: skip

NAMES = {
    "工业": ["{c}年产{k}万吨锂电池正极材料项目", "{c}智能装备产业园({p}期)",
             "{c}新能源汽车零部件生产基地", "{c}高端纸业技改项目", "{c}半导体封装测试基地",
             "{c}生物医药产业园标准厂房", "{c}食品精深加工产业园", "{c}光伏组件智能制造项目",
             "{c}绿色建材产业园", "{c}电子信息产业园{p}期", "{c}年产{k}万台电机生产线"],
    "交通": ["G{r}国道{c}段改建工程", "{c}至高铁站快速通道", "{c}城区环城路建设工程",
             "{c}港区{k}号泊位工程", "S{r}省道{c}段提级改造", "{c}公交枢纽站",
             "{c}通用机场", "{c}大桥新建工程", "{c}城市快速路({p}期)"],
    "能源": ["{c}{k}0MW渔光互补光伏电站", "{c}220kV输变电工程", "{c}风电场项目",
             "{c}天然气门站及配套管网", "{c}抽水蓄能电站前期工程", "{c}储能电站项目"],
    "水利": ["{c}水库除险加固工程", "{c}灌区续建配套与节水改造", "{c}中小河流治理工程",
             "{c}城乡供水一体化工程", "{c}防洪排涝提升工程"],
    "城建": ["{c}老旧小区改造({y}年)", "{c}污水处理厂提标改造", "{c}城市地下综合管廊",
             "{c}海绵城市建设项目", "{c}棚户区改造安置房", "{c}城市更新片区",
             "{c}雨污分流改造工程"],
    "社会事业": ["{c}第一人民医院综合楼", "{c}实验中学迁建工程", "{c}中医院门急诊楼",
                 "{c}体育中心", "{c}职业技术学校新校区", "{c}养老服务中心", "{c}妇幼保健院迁建",
                 "{c}第二小学扩建工程", "{c}疾控中心实验楼"],
    "农业农村": ["{c}高标准农田建设项目", "{c}现代农业产业园", "{c}冷链物流中心",
                 "{c}乡村振兴示范片", "{c}生猪养殖基地"],
    "文化旅游": ["{c}古镇旅游综合开发", "{c}湿地公园", "{c}博物馆新馆", "{c}全域旅游集散中心",
                 "{c}文化艺术中心"],
    "现代服务业": ["{c}电商物流园", "{c}总部经济大楼", "{c}商贸综合体", "{c}数据中心",
                   "{c}保税物流中心"],
    "生态环保": ["{c}生活垃圾焚烧发电项目", "{c}矿山生态修复工程", "{c}流域水环境综合治理",
                 "{c}固废处置中心"],
}  # fmt: skip
SECTORS = list(NAMES)

# Real names are like these: a total word inside a name (联合计量 holds 合计, 小计量 holds 小计,
# 泰其中药材 holds 其中), quotes, a leading digit, parentheses. Every one of them is a project.
TRICKY = {"{c}区域联合计量检测中心建设项目": "社会事业", "{c}供水管网小计量区(DMA)改造工程": "城建",
          "泰其中药材加工产业园({c})": "农业农村", "“{c}茶乡”农文旅融合示范项目": "文化旅游",
          "5G基站及配套设施建设工程({c}片区)": "现代服务业", "3D打印材料产业化项目({c})": "工业",
          "年产200万套智能家电生产项目(一期)": "工业", "{c}“十四五”重点水源工程": "水利"}  # fmt: skip

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐"
GIVEN = ["伟", "芳", "建国", "海燕", "志强", "丽", "军", "晓东", "秀英", "明", "国平", "卫东",
         "红梅", "小林", "文斌", "雪"]  # fmt: skip
OWNERS = {
    "工业": ["产业投资有限公司", "科技股份有限公司", "新材料有限公司"],
    "交通": ["交通投资有限公司", "交通运输局"],
    "能源": ["能源发展有限公司", "新能源有限公司"],
    "水利": ["水利局", "水务集团"],
    "城建": ["城投集团", "住建局"],
    "社会事业": ["教育局", "卫生健康局", "体育局", "民政局"],
    "农业农村": ["农业农村局", "农业发展有限公司"],
    "文化旅游": ["文旅集团", "文化和旅游局"],
    "现代服务业": ["商务局", "物流有限公司", "城投集团"],
    "生态环保": ["生态环境局", "环保科技有限公司"],
}
PROGRESS = {
    "在建": ["主体施工", "桩基施工", "主体结构封顶", "设备安装调试", "完成总工程量的45%",
             "路基施工完成60%", "装饰装修", "钢结构吊装"],
    "新开工": ["已开工,场地平整", "基础开挖", "临时设施搭建", "桩基进场"],
    "预备": ["可研编制", "土地报批", "环评审批中", "初步设计"],
}  # fmt: skip
PROBLEMS = ["用地指标未落实", "征迁未完成", "资金缺口较大", "环评未批复", "", "", ""]
CN = "一二三四五六七八九十"


def cn_number(i: int) -> str:
    """1 -> 一, 12 -> 十二, 20 -> 二十."""
    if i <= 10:
        return CN[i - 1]
    tens, ones = divmod(i, 10)
    return (CN[tens - 1] if tens > 1 else "") + "十" + (CN[ones - 1] if ones else "")


def short(county: str) -> str:
    for suffix in ("新区", "区", "县", "市"):
        if county.endswith(suffix) and len(county) > len(suffix) + 1:
            return county[: -len(suffix)]
    return county


# --- layout description ------------------------------------------------------------------------

AMOUNTS = {"total", "prior", "plan", "ytd", "month", "next_plan", "since_start", "target"}


def is_amount(key: str) -> bool:
    return key in AMOUNTS or (key[0] in "md" and key[1:2].isdigit())


@dataclass(frozen=True)
class Col:
    key: str  # what the column holds (see `project_value`)
    head: tuple[str, ...]  # header text from the top header row down; shorter paths merge down


def C(key: str, *head: str) -> Col:
    return Col(key, head)


@dataclass(frozen=True)
class Sec:
    """A level of section rows. `label` is (serial cell, name cell) as templates with {cn} (一),
    {i} (1), {v} (the value), {n} (projects in the section); (None, None) writes no label row.
    `sums`: the label row carries the section's sums. `sub`: a subtotal row (same templates;
    (None, None) is a subtotal without any word), after the section or, with `sub_before`,
    before it."""

    key: str  # county | sector | stage | level
    label: tuple[str | None, str | None] = (None, None)
    sums: bool = False
    merge: bool = True  # merge the serial and name cells of the label (Excel files)
    sub: tuple[str | None, str | None] | None = None
    sub_before: bool = False
    blank_after: bool = False
    repeat_header: bool = False  # the header rows again under the section's label


@dataclass(frozen=True)
class Total:
    label: tuple[str | None, str | None]  # (serial cell, name cell); (None, None): no word at all
    top: bool = True
    merge: bool = True


@dataclass(frozen=True)
class Partial:
    """`其中` rows under the grand total: one row per value of `key` with its sums."""

    key: str
    first: str  # e.g. "其中:{v}重点项目({n}项)"
    rest: str  # e.g. "      {v}重点项目({n}项)"


@dataclass
class Layout:
    name: str
    filename: str
    shape: str
    cols: list[Col]
    year: int = 2026
    month: int = 7
    n: int = 12
    counties: int = 5
    sectors: int = 5
    stages: tuple[str, ...] = ("在建", "新开工", "预备")
    unit: str = "万元"  # 万元 | 亿元 | 元: the unit the file's amounts are written in
    decimals: int = 2  # decimals of the amounts in that unit
    encoding: str = "utf-8-sig"  # for .csv
    title: tuple[str, ...] = ()
    unit_line: str | None = None
    unit_right: bool = False
    header_gap: str | None = None  # "merged": a blank row covered by the header's merges;
    # "plain": a blank row between the header and the data
    sections: tuple[Sec, ...] = ()
    total: Total | None = None
    partials: Partial | None = None
    serial: str = "seq"  # seq | restart (per top section) | bullet ("3●" for 省重点) | text
    footer: tuple[str, ...] = ()
    amount_text: bool = False  # amounts as text with thousands separators ("54,583.00")
    zero: object = 0  # how a zero amount is written: 0, "", "-", "/"
    pct: str = "num"  # num: 45.2 | text: "45.2%" | ratio: 0.452
    blank: str = ""  # empty text cells: "" or " " (a space, as some templates have)
    merge_runs: tuple[str, ...] = ()  # columns whose equal neighbours are merged vertically
    tricky: int = 0  # how many names from TRICKY
    extra: tuple[str, ...] = ()  # summary_first | notes_first | empty_after
    sheet: str = "Sheet1"
    phone_number: bool = False  # 联系电话 stored as numbers

    @property
    def fmt(self) -> str:
        return self.filename.rsplit(".", 1)[1]


# --- projects ----------------------------------------------------------------------------------


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _split(rng: random.Random, amount: int, parts: int, grain: int) -> list[int]:
    """`amount` (a multiple of `grain`) as `parts` non-negative multiples of `grain`."""
    steps = amount // grain
    cuts = sorted(rng.randint(0, steps) for _ in range(parts - 1))
    bounds = [0, *cuts, steps]
    return [(bounds[i + 1] - bounds[i]) * grain for i in range(parts)]


def _grain(lay: Layout) -> int:
    """The smallest amount step in 0.01 万元 that the file's unit and decimals can state."""
    if lay.unit == "亿元":
        return 10 ** (6 - lay.decimals)
    if lay.unit == "元":
        return 1
    return 10 ** (2 - lay.decimals)


def make_projects(lay: Layout, rng: random.Random) -> tuple[list[dict], list[str], list[str]]:
    counties = rng.sample(COUNTIES, lay.counties)
    sectors = rng.sample(SECTORS, lay.sectors)
    g = _grain(lay)
    m = lay.month

    def q(x: float) -> int:
        return int(x) // g * g

    assigned = [counties[i % len(counties)] for i in range(min(lay.n, len(counties)))]
    assigned += [rng.choice(counties) for _ in range(lay.n - len(assigned))]
    rng.shuffle(assigned)
    tricky = set(rng.sample(range(lay.n), lay.tricky))
    tricky_names = rng.sample(sorted(TRICKY), lay.tricky)
    names: set[str] = set()
    projects = []
    for i, county in enumerate(assigned):
        sector = sectors[i % len(sectors)] if i < len(sectors) else rng.choice(sectors)
        stage = rng.choices(lay.stages, weights=[6, 3, 2, 1][: len(lay.stages)])[0]
        c = short(county)
        tricky_name = tricky_names.pop() if i in tricky else None
        if tricky_name and TRICKY[tricky_name] in sectors:
            sector = TRICKY[tricky_name]
        for attempt in range(50):
            template = tricky_name if attempt == 0 and tricky_name else rng.choice(NAMES[sector])
            name = template.format(
                c=c,
                k=rng.choice([3, 5, 10, 20, 30]),
                p=rng.choice("一二三"),
                r=rng.randint(104, 360),
                y=lay.year,
            )
            if attempt > 10:
                name = f"{name}({cn_number(attempt - 9)}期)"
            if name not in names:
                break
        names.add(name)
        total = q(rng.randint(300_000, 30_000_000))
        total = max(total, 100 * g)
        prior = q(total * rng.uniform(0.1, 0.5)) if stage in ("在建", "续建", "竣工") else 0
        plan = max(q((total - prior) * rng.uniform(0.15, 0.6)), g)
        if stage in ("预备", "前期"):
            ytd = 0 if rng.random() < 0.6 else q(plan * rng.uniform(0.0, 0.1))
        else:
            ytd = q(plan * rng.uniform(0.15, min(1.0, m / 12 * 1.4)))
        months = _split(rng, ytd, m, g)
        thirds = _split(rng, months[-1], 3, g)
        next_plan = q((total - prior - plan) * rng.uniform(0.3, 0.8))
        level = "省重点" if rng.random() < 0.35 else "市重点"
        y0 = lay.year - (rng.randint(1, 3) if prior else 0)
        y1 = y0 + rng.randint(1, 4)
        start_month = rng.randint(1, lay.month if y0 == lay.year else 12)
        p = {
            "name": name,
            "county": county,
            "sector": sector,
            "stage": stage,
            "level": level,
            "nature": {"在建": "续建", "新开工": "新开工", "预备": "预备"}.get(stage, stage),
            "status": {"在建": "在建", "新开工": "新开工", "预备": "前期"}.get(stage, stage),
            "content": f"用地{rng.randint(20, 900)}亩,总建筑面积{rng.randint(1, 60) / 2}万平方米,"
            f"建设{name[len(c) :] if name.startswith(c) else name}及配套设施",
            "years": rng.choice(
                [
                    f"{y0}-{y1}",
                    f"{y0}.{start_month:02d}-{y1}.12",
                    f"{y0}年-{y1}年",
                    f"{y0}-",
                    f"{y0 % 100:02d}.{start_month}-{y1 % 100:02d}.3",
                ]
            ),
            "start": f"{y0}年{start_month}月",
            "start_date": datetime.date(y0, start_month, 1),
            "duty": f"{county}人民政府",
            "end": f"{y1}年{rng.randint(1, 12)}月",
            "owner": f"{c}{rng.choice(OWNERS[sector])}",
            "person": _person(rng),
            "contact": _person(rng),
            "phone": f"13{rng.randint(100000000, 999999999)}",
            "owner_person": "",
            "leader": f"{rng.choice(SURNAMES)}副{rng.choice(['市长', '区长', '县长'])}",
            "progress": rng.choice(PROGRESS.get(stage, PROGRESS["在建"])),
            "problem": rng.choice(PROBLEMS),
            "nodes": f"{m + 1}月完成主体封顶;{min(m + 3, 12)}月设备安装;12月试运行",
            "note": rng.choice(["", "", "省重点", "新引进", "专项债项目"]),
            "code": f"{y0}-{rng.randint(330100, 330199)}-{rng.randint(10, 99)}-01-"
            f"{rng.randint(100000, 999999)}",
            "total": total,
            "prior": prior,
            "plan": plan,
            "ytd": ytd,
            "month": months[-1],
            "next_plan": next_plan,
            "since_start": prior + ytd,
            "target": q(max(plan - ytd, 0) * rng.uniform(0.5, 1.0)),
        }
        p["owner_person"] = f"{p['owner']}    {p['person']}"
        for k in range(1, 13):
            p[f"m{k}"] = months[k - 1] if k <= m else None
            p[f"p{k}"] = rng.choice(PROGRESS.get(stage, PROGRESS["在建"])) if k <= m else ""
        for j in range(3):
            p[f"d{m}_{j + 1}"] = thirds[j]
        projects.append(p)
    return projects, counties, sectors


# --- rendering ---------------------------------------------------------------------------------


class Renderer:
    def __init__(self, lay: Layout, projects: list[dict], order: dict[str, list[str]]):
        self.lay = lay
        self.projects = projects
        self.order = order
        self.cols = lay.cols
        self.width = len(lay.cols)
        self.keys = [c.key for c in lay.cols]
        self.s = self.keys.index("serial") if "serial" in self.keys else None
        self.nm = self.keys.index("name")
        self.rows: list[list] = []
        self.merges: list[tuple[int, int, int, int]] = []
        self.project_rows: list[int] = []
        self.serial = 0

    # amounts as written
    def amount(self, units: int | None):
        lay = self.lay
        if units is None:
            return None
        if units == 0 and lay.zero != 0:
            return lay.zero
        if lay.unit == "亿元":
            value = round(units / 1_000_000, lay.decimals)
        elif lay.unit == "元":
            value = units * 100
        else:
            value = round(units / 100, lay.decimals)
            if lay.decimals == 0:
                value = int(value)
        if lay.amount_text:
            return f"{value:,.{lay.decimals if lay.unit != '元' else 0}f}"
        return value

    def pct(self, ytd: int, plan: int):
        if not plan:
            return None
        r = ytd / plan
        if self.lay.pct == "text":
            return f"{r * 100:.1f}%"
        if self.lay.pct == "ratio":
            return round(r, 4)
        return round(r * 100, 1)

    def blank_row(self) -> list:
        return [None] * self.width

    def add(self, row: list) -> int:
        self.rows.append(row)
        return len(self.rows) - 1

    def full_line(self, text: str, right: bool = False) -> None:
        row = self.blank_row()
        if right:
            row[-1] = text
            self.add(row)
            return
        row[0] = text
        r = self.add(row)
        self.merges.append((r, 0, r, self.width - 1))

    def header(self) -> None:
        """Build the header rows (and their merges, relative to the header's first row)."""
        lay = self.lay
        depth = max(len(c.head) for c in self.cols)
        span = depth + (1 if lay.header_gap == "merged" else 0)
        merges: list[tuple[int, int, int, int]] = []
        grid = [self.blank_row() for _ in range(span)]
        for j, col in enumerate(self.cols):
            h = col.head
            for k in range(len(h) - 1):
                first = j == 0 or self.cols[j - 1].head[: k + 1] != h[: k + 1]
                if not first:
                    continue
                grid[k][j] = h[k]
                end = j
                while (
                    end + 1 < self.width
                    and len(self.cols[end + 1].head) > k + 1
                    and self.cols[end + 1].head[: k + 1] == h[: k + 1]
                ):
                    end += 1
                if end > j:
                    merges.append((k, j, k, end))
            grid[len(h) - 1][j] = h[-1]
            if len(h) < span:
                merges.append((len(h) - 1, j, span - 1, j))
        self.header_block = (grid, merges)

    def emit_header(self) -> None:
        grid, merges = self.header_block
        offset = len(self.rows)
        self.rows.extend([list(r) for r in grid])
        self.merges.extend([(a + offset, b, c + offset, d) for a, b, c, d in merges])
        if self.lay.header_gap == "plain":
            self.add(self.blank_row())

    def sums(self, ps: list[dict]) -> dict:
        m = self.lay.month
        out = {}
        for key in self.keys:
            if not is_amount(key):
                continue
            if key[0] == "m" and key[1:].isdigit() and int(key[1:]) > m:
                out[key] = None
                continue
            out[key] = sum(p[key] for p in ps)
        return out

    def label(self, texts: tuple[str | None, str | None], ps: list[dict], sums: bool, merge: bool):
        serial, name = texts
        row = self.blank_row()
        if sums:
            values = self.sums(ps)
            for key, units in values.items():
                row[self.keys.index(key)] = self.amount(units)
            if "pct" in self.keys:
                row[self.keys.index("pct")] = self.pct(values["ytd"], values["plan"])
        if self.s is None and serial is not None:
            name = serial + (name or "")
            serial = None
        if serial is not None:
            row[self.s] = serial
        if name is not None:
            row[self.nm] = name
        self.fill_blanks(row)
        r = self.add(row)
        adjacent = self.s is not None and self.nm == self.s + 1
        if merge and serial is not None and name is None and adjacent:
            self.merges.append((r, self.s, r, self.nm))

    def fill_blanks(self, row: list) -> None:
        if not self.lay.blank:
            return
        for j, key in enumerate(self.keys):
            future = key[0] == "p" and key[1:].isdigit() and int(key[1:]) > self.lay.month
            text = not is_amount(key) and key not in ("serial", "name")
            if row[j] is None and text and not future:
                row[j] = self.lay.blank

    def project(self, p: dict) -> None:
        lay = self.lay
        self.serial += 1
        row = self.blank_row()
        for j, key in enumerate(self.keys):
            if key == "serial":
                if lay.serial == "bullet" and p["level"] == "省重点":
                    row[j] = f"{self.serial}●"
                elif lay.serial == "text":
                    row[j] = str(self.serial)
                else:
                    row[j] = self.serial
            elif is_amount(key):
                row[j] = self.amount(p[key])
            elif key == "pct":
                row[j] = self.pct(p["ytd"], p["plan"])
            elif key == "phone" and lay.phone_number:
                row[j] = int(p["phone"])
            else:
                row[j] = p[key] or None
        self.fill_blanks(row)
        self.project_rows.append(self.add(row))

    def fields(self, template: str | None, i: int, v: str, n: int) -> str | None:
        if template is None:
            return None
        return template.format(cn=cn_number(i), i=i, v=v, n=n)

    def section(self, ps: list[dict], depth: int) -> None:
        lay = self.lay
        if depth == len(lay.sections):
            for p in ps:
                self.project(p)
            return
        sec = lay.sections[depth]
        values = [v for v in self.order[sec.key] if any(p[sec.key] == v for p in ps)]
        for i, v in enumerate(values, start=1):
            group = [p for p in ps if p[sec.key] == v]
            n = len(group)
            labels = tuple(self.fields(t, i, v, n) for t in sec.label)
            subs = tuple(self.fields(t, i, v, n) for t in sec.sub) if sec.sub else None
            if subs and sec.sub_before:
                self.label(subs, group, True, sec.merge)
            if labels != (None, None):
                self.label(labels, group, sec.sums, sec.merge)
            if sec.repeat_header:
                self.emit_header()
            if lay.serial == "restart" and depth == 0:
                self.serial = 0
            self.section(group, depth + 1)
            if subs and not sec.sub_before:
                self.label(subs, group, True, sec.merge)
            if sec.blank_after:
                self.add(self.blank_row())

    def grand_total(self) -> None:
        lay = self.lay
        n = len(self.projects)
        texts = tuple(None if t is None else t.format(n=n) for t in lay.total.label)
        self.label(texts, self.projects, True, lay.total.merge)
        part = lay.partials
        if part is None:
            return
        values = [v for v in self.order[part.key] if any(p[part.key] == v for p in self.projects)]
        for i, v in enumerate(values):
            group = [p for p in self.projects if p[part.key] == v]
            text = (part.first if i == 0 else part.rest).format(v=v, n=len(group))
            self.label((text, None), group, True, True)

    def merge_runs(self) -> None:
        for key in self.lay.merge_runs:
            j = self.keys.index(key)
            runs: list[list[int]] = []
            for r in self.project_rows:
                if runs and runs[-1][-1] == r - 1 and self.rows[r][j] == self.rows[runs[-1][0]][j]:
                    runs[-1].append(r)
                else:
                    runs.append([r])
            for run in runs:
                if len(run) > 1:
                    self.merges.append((run[0], j, run[-1], j))
                    for r in run[1:]:
                        self.rows[r][j] = None

    def render(self) -> Sheet:
        lay = self.lay
        for line in lay.title:
            self.full_line(line)
        if lay.unit_line:
            self.full_line(lay.unit_line, right=lay.unit_right)
        self.header()
        if not any(sec.repeat_header for sec in lay.sections):
            self.emit_header()
        if lay.total and lay.total.top:
            self.grand_total()
        self.section(self.projects, 0)
        if lay.total and not lay.total.top:
            self.grand_total()
        for line in lay.footer:
            self.full_line(line)
        self.merge_runs()
        return Sheet(lay.sheet, self.rows, self.merges)


def _summary_sheet(lay: Layout, projects: list[dict], counties: list[str]) -> Sheet:
    """A county summary placed before the project list: rows that look like projects but are
    counties (项目个数 beside them), and a 合计 row."""
    head = ["序号", "县(市、区)", "项目个数", "总投资(万元)", "年度计划投资(万元)",
            f"1-{lay.month}月完成投资(万元)", "完成率(%)"]  # fmt: skip
    rows: list[list] = [[f"{lay.year}年1-{lay.month}月重点项目分县(市、区)汇总表"] + [None] * 6,
                        head]  # fmt: skip
    totals = [0, 0, 0, 0]
    i = 0
    for county in counties:
        ps = [p for p in projects if p["county"] == county]
        if not ps:
            continue
        i += 1
        t, plan, ytd = (sum(p[k] for p in ps) for k in ("total", "plan", "ytd"))
        rows.append([i, county, len(ps), t / 100, plan / 100, ytd / 100,
                     round(ytd / plan * 100, 1)])  # fmt: skip
        totals = [totals[0] + len(ps), totals[1] + t, totals[2] + plan, totals[3] + ytd]
    rows.append(["合计", None, totals[0], totals[1] / 100, totals[2] / 100, totals[3] / 100,
                 round(totals[3] / totals[2] * 100, 1)])  # fmt: skip
    return Sheet("汇总", rows, [(0, 0, 0, 6), (len(rows) - 1, 0, len(rows) - 1, 1)])


def _notes_sheet(lay: Layout) -> Sheet:
    lines = ["填报说明",
             "1、本表金额单位为万元,保留两位小数;",
             f"2、“1-{lay.month}月完成投资”指{lay.year}年1月1日至{lay.month}月底完成的投资额;",
             "3、项目性质填写新开工、续建、预备或竣工;",
             f"4、请各县(市、区)于{lay.month + 1 if lay.month < 12 else 1}月5日前报送。"]  # fmt: skip
    return Sheet("填报说明", [[line] for line in lines])


def build(lay: Layout) -> Case:
    rng = random.Random(zlib.crc32(lay.name.encode()))
    projects, counties, sectors = make_projects(lay, rng)
    order = {
        "county": counties,
        "sector": sectors,
        "stage": list(lay.stages),
        "level": ["省重点", "市重点"],
    }
    sort_keys = [s.key for s in lay.sections] + list(lay.merge_runs)
    projects.sort(key=lambda p: tuple(order[k].index(p[k]) for k in sort_keys))
    sheet = Renderer(lay, projects, order).render()

    sheets = [sheet]
    if "summary_first" in lay.extra:
        sheets.insert(0, _summary_sheet(lay, projects, counties))
    if "notes_first" in lay.extra:
        sheets.insert(0, _notes_sheet(lay))
    if "empty_after" in lay.extra:
        sheets += [Sheet("Sheet2", []), Sheet("Sheet3", [])]
    if lay.fmt == "csv":
        content = csv_bytes(sheet, lay.encoding)
    elif lay.fmt == "xls":
        content = xls(*sheets)
    else:
        content = xlsx(*sheets)
    return Case(
        name=lay.name,
        filename=lay.filename,
        content=content,
        period=f"{lay.year}-{lay.month:02d}",
        truth=truth(lay, projects),
        shape=lay.shape,
    )


def truth(lay: Layout, projects: list[dict]) -> Truth:
    keys = {c.key for c in lay.cols}
    months = {f"m{k}" for k in range(1, lay.month + 1)}
    section_keys = {s.key for s in lay.sections}

    def total(ps: list[dict], key: str) -> float | None:
        if key == "ytd" and "ytd" not in keys and months <= keys:
            return round(sum(p["ytd"] for p in ps) / 100, 2)
        if key == "month" and "month" not in keys and f"m{lay.month}" in keys:
            return round(sum(p["month"] for p in ps) / 100, 2)
        if key not in keys:
            return None
        return round(sum(p[key] for p in ps) / 100, 2)

    def split(key: str) -> dict[str, dict]:
        if key not in keys and key not in section_keys:
            return {}
        out: dict[str, dict] = {}
        for p in projects:
            out.setdefault(p[key], [])
            out[p[key]].append(p)
        return {
            v: {"projects": len(ps), "annual_plan": total(ps, "plan"),
                "year_to_date": total(ps, "ytd")}
            for v, ps in out.items()
        }  # fmt: skip

    return Truth(
        projects=len(projects),
        total_investment=total(projects, "total"),
        annual_plan=total(projects, "plan"),
        year_to_date=total(projects, "ytd"),
        month_amount=total(projects, "month"),
        by_county=split("county"),
        by_sector=split("sector"),
        names=[p["name"].strip() for p in projects],
    )


# --- the layouts -------------------------------------------------------------------------------

FOOTNOTE = ("注:1、项目性质指前期、续建、扩建或新开工;\n2、后五个月关键节点指开工、竣工的具体时间,"
            "国庆、年底的工程形象进度。")  # fmt: skip
SIGNED = "填报单位:(盖章)          填表人:          审核人:          联系电话:"


def layouts() -> list[Layout]:
    Y, M = 2026, 7
    P = f"{Y}年1-{M}月"
    out: list[Layout] = []
    add = out.append

    add(Layout(
        "nanping_3row_county_stage_xls", f"示范市{P}重点项目月报表(在建、预备).xls",
        "3-row merged header with a blank row inside, 合计(N项) and 其中 rows on top, county "
        "sections 一、X区(N项) with stage subsections (一)在建(N项) carrying sums, serials 1●",
        [C("serial", "序号"), C("name", "项目名称"), C("total", "总投资               (万元)"),
         C("prior", "开工至上一年度底累计完成投资"), C("plan", f"{Y}年  计划投资(万元)"),
         C("ytd", f"{Y}年实际完成情况", f"1-{M}月实际完成投资(万元)"),
         C("pct", f"{Y}年实际完成情况", "完成投资占年计划%"),
         C("progress", f"{Y}年实际完成情况", f"1-{M}月实际形象进度"),
         C("owner_person", "建设单位                 及责任人"), C("leader", "挂点领导")],
        n=24, counties=4, stages=("在建", "预备"),
        title=(f"示范市{P}重点项目(在建、预备)计划分级管理完成情况一览表",),
        header_gap="merged",
        sections=(Sec("county", ("{cn}、{v}({n}项)", None), sums=True),
                  Sec("stage", ("（{cn}）{v}（{n}项）", None), sums=True)),
        total=Total(("合计（{n}项）", None)),
        partials=Partial("stage", "其中：{v}重点项目（{n}项）", "     {v}重点项目（{n}项）"),
        serial="bullet", sheet="分级管理",
    ))  # fmt: skip
    add(Layout(
        "county_total_sector_rows_pairs_yi_xls", f"示范市{Y}年重点项目月度进展表.xls",
        "amounts in 亿元 (4 decimals, unit in headers), county rows X区合计N个 with sector rows "
        "一 | 工业 beneath (both carry sums), per-month pairs 5-7月, serials restart per county",
        [C("serial", "序号"), C("name", "项目名称"), C("years", "建设起止年限"),
         C("total", "总投资(亿元)"), C("plan", "年度计划投资(亿元)"),
         C("ytd", f"{Y}年1-{M}月完成投资(亿元)"),
         *[c for k in (5, 6, 7) for c in (C(f"m{k}", f"{k}月", "当月完成投资额(亿元)"),
                                          C(f"p{k}", f"{k}月", "形象进度"))],
         C("problem", "存在问题")],
        n=14, counties=4, sectors=3, unit="亿元", decimals=4,
        title=(f"示范市{Y}年重点项目月度进展表",),
        sections=(Sec("county", ("{v}合计{n}个", None), sums=True),
                  Sec("sector", ("{cn}", "{v}"), sums=True, merge=False)),
        serial="restart", sheet="进展",
    ))  # fmt: skip
    add(Layout(
        "sector_count_sections_wide_xls", "示范市重点建设年度目标及形象进度完成情况汇总表.xls",
        "22 columns, title without period, unit line at the right, 合计N项 on top, sector "
        "sections 一、交通N项 with sums, 开工累计 (since start) beside 1-N月累计, 拟开工时间 as Excel "
        "serial numbers, two empty sheets",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "建设地点"),
         C("content", "建设内容\n及规模"), C("years", "建设\n年限"), C("total", "项目\n总投资"),
         C("since_start", "开工累计完成投资"), C("plan", "年度计划投资"),
         C("month", f"{Y}年完成情况", f"{M}月完成\n投资"),
         C("ytd", f"{Y}年完成情况", f"1-{M}月累计完成投资"),
         C("pct", f"{Y}年完成情况", "完成年度投资计划%"),
         C("progress", f"{Y}年完成情况", f"1-{M}月工程形象进度"),
         C("start_date", "拟开工时间"), C("end", "拟竣工时间"), C("level", "省级或市级重点项目"),
         C("owner_person", "业主、法人（责任）单位及负责人"),
         C("problem", "需要省、市协调解决问题"), C("leader", "项目挂\n点领导")],
        n=12, counties=5, sectors=4,
        title=("示范市重点建设年度目标及形象进度完成情况汇总表",),
        unit_line="计量单位:万元", unit_right=True,
        sections=(Sec("sector", ("{cn}、{v}{n}项", None), sums=True),),
        total=Total(("合计{n}项", None)), extra=("empty_after",),
    ))  # fmt: skip
    add(Layout(
        "battle_total_label_in_serial_xls", "示范市新增长区域发展战役项目.xls",
        "total 合计 | 13个 (word in 序号, count in the name column) under a 2-row header, "
        "至上年底累计, a 力争完成 target column, future-month pairs 8-12月 left blank, owner "
        "group with 电话, empty cells holding a space, footnote merged across",
        [C("serial", "序号"), C("name", "项目名称"), C("nature", "项目性质"),
         C("content", "建设内容及规模"), C("years", "建设起止时间"),
         C("total", "总投资\n（万元）"), C("prior", f"至{Y - 1}年底累计完成投资（万元）"),
         C("plan", f"{Y}年计划投资\n（万元）"), C("ytd", f"{Y}年1-{M}月完成投资（万元）"),
         C("nodes", "后五个月项目进度关键节点的安排"),
         C("target", "大干150天力争完成的投资额（万元）"),
         *[c for k in range(8, 13) for c in (C(f"m{k}", f"{k}月", "当月完成投资额（万元）"),
                                             C(f"p{k}", f"{k}月", "形象进度"))],
         C("owner", "项目业主单位", "业主名称"), C("person", "项目业主单位", "负责人"),
         C("contact", "项目业主单位", "联系人"), C("phone", "项目业主单位", "电话"),
         C("leader", "市挂钩领导")],
        n=13, title=("示范市新增长区域发展战役项目明细表",),
        total=Total(("合计", "{n}个"), merge=False), blank=" ", footer=(FOOTNOTE,),
        sheet="明细表",
    ))  # fmt: skip
    add(Layout(
        "flat_bom_csv_bottom_total", f"{P}重点项目完成情况.csv",
        "flat CSV (UTF-8 with BOM), one header row with year and months, county and sector "
        "columns, 合计 in the name column at the bottom",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "所在区县"),
         C("sector", "行业领域"), C("nature", "建设性质"), C("total", "总投资(万元)"),
         C("plan", f"{Y}年计划投资(万元)"), C("ytd", f"{P}完成投资(万元)"),
         C("pct", "完成率(%)"), C("progress", f"{P}形象进度"), C("owner", "建设单位"),
         C("note", "备注")],
        n=18, counties=6, total=Total((None, "合计"), top=False),
    ))  # fmt: skip
    add(Layout(
        "gbk_csv_paren_county_subtotals", f"示范市{P}重大项目推进情况表.csv",
        "GBK CSV with title and 单位:万元 lines, county sections (一)城东区, 小计 after each, "
        "总计 at the bottom, 截至上年底累计 and N月完成投资 columns, names holding 小计/合计/其中",
        [C("serial", "序号"), C("name", "项目名称"), C("sector", "项目类别"),
         C("total", "总投资"), C("prior", f"截至{Y - 1}年底累计"), C("plan", "年度计划投资"),
         C("ytd", f"1-{M}月完成投资"), C("month", f"{M}月完成投资"),
         C("progress", "形象进度"), C("problem", "存在问题")],
        n=15, counties=4, encoding="gbk", tricky=3,
        title=(f"示范市{P}重大项目推进情况表",), unit_line="单位:万元",
        sections=(Sec("county", ("({cn}){v}", None), sub=(None, "小计")),),
        total=Total(("总计", None), top=False),
    ))  # fmt: skip
    add(Layout(
        "period_in_filename_only_xlsx", f"重点项目台账-{Y}-{M:02d}.xlsx",
        "no title, headers without year or month (年度计划投资, 本年累计完成投资, 本月完成投资): "
        "the period is only in the file name; no totals; contact columns",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "县(市、区)"),
         C("sector", "行业"), C("total", "总投资"), C("plan", "年度计划投资"),
         C("ytd", "本年累计完成投资"), C("month", "本月完成投资"), C("progress", "形象进度"),
         C("contact", "联系人"), C("phone", "联系电话")],
        n=10, counties=4, sheet="台账",
    ))  # fmt: skip
    add(Layout(
        "wordless_subtotals_xlsx", f"示范市{P}重点项目进度表.xlsx",
        "county sections 一、城东区 each closed by a subtotal row with NO word (empty name, "
        "amounts = the section's sums), 合计 on top",
        [C("serial", "序号"), C("name", "项目名称"), C("total", "总投资(万元)"),
         C("plan", f"{Y}年计划投资(万元)"), C("ytd", f"1-{M}月实际完成投资(万元)"),
         C("progress", "形象进度"), C("owner", "建设单位")],
        n=16, counties=4, title=(f"示范市{P}重点项目进度表",),
        sections=(Sec("county", ("{cn}、{v}", None), sub=(None, None)),),
        total=Total(("合计", None)),
    ))  # fmt: skip
    add(Layout(
        "stage_sections_next_year_xls", f"示范市{Y}年重点项目投资计划执行情况.xls",
        "stage sections (一)在建(N项) / (二)新开工 / (三)预备 carrying sums, 总计 on top, a "
        f"{Y + 1}年计划投资 column that is NOT this year's plan, county from 建设地点",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "建设地点"),
         C("total", "总投资(万元)"), C("plan", f"{Y}年计划投资(万元)"),
         C("ytd", f"{P}完成投资(万元)"), C("next_plan", f"{Y + 1}年计划投资(万元)"),
         C("progress", f"{P}形象进度"), C("note", "备注")],
        n=20, counties=6,
        title=(f"示范市{Y}年重点项目投资计划执行情况(截至{M}月底)",),
        sections=(Sec("stage", ("({cn}){v}({n}项)", None), sums=True),),
        total=Total(("总计", None)),
    ))  # fmt: skip
    add(Layout(
        "yi_unit_line_flat_xlsx", f"示范市{P}省重点项目完成情况.xlsx",
        "amounts in 亿元 (2 decimals) stated only in a 单位:亿元 line, next-year plan column "
        f"{Y + 1}年计划, 合计(N项) at the bottom",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "所在区县"),
         C("sector", "所属行业"), C("total", "总投资"), C("prior", f"至{Y - 1}年底累计完成投资"),
         C("plan", f"{Y}年计划投资"), C("ytd", f"{P}完成投资"), C("next_plan", f"{Y + 1}年计划"),
         C("pct", "占年计划%")],
        n=18, counties=6, unit="亿元", decimals=2,
        title=(f"示范市{P}省重点项目完成情况",), unit_line="单位:亿元",
        total=Total(("合计({n}项)", None), top=False),
    ))  # fmt: skip
    add(Layout(
        "yuan_unit_in_headers_xlsx", f"示范市{P}政府投资重点项目表.xlsx",
        "amounts in 元 (unit in each header), 合计 on top, county column 区县",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "区县"),
         C("total", "总投资(元)"), C("plan", "年度计划投资(元)"), C("ytd", f"1-{M}月完成投资(元)"),
         C("progress", "形象进度")],
        n=9, counties=4, unit="元", decimals=0,
        title=(f"示范市{P}政府投资重点项目表",), total=Total(("合计", None)),
    ))  # fmt: skip
    add(Layout(
        "list_sector_county_sections_csv", f"示范市{Y}年重大建设项目清单({M}月更新).csv",
        "a list WITHOUT amounts (UTF-8, no BOM): 正式项目合计N项, sector rows 一 | 交通类N项 and "
        "county rows (一) | 城东区 (N项) in the data, header 项 目 名 称, status 在建/建成/新开工",
        [C("serial", "序号"), C("name", "项 目 名 称"), C("status", "备注")],
        n=30, counties=5, sectors=4, encoding="utf-8",
        title=(f"{Y}年示范市重大建设项目投资计划表(正式项目)",), unit_line="单位:万元",
        sections=(Sec("sector", ("{cn}", "{v}类{n}项"), merge=False),
                  Sec("county", ("({cn})", "{v} ({n}项)"), merge=False)),
        total=Total(("正式项目合计{n}项", None), merge=False),
    ))  # fmt: skip
    add(Layout(
        "names_only_csv", f"示范市{Y}年市级重大项目名单({Y}年{M}月).csv",
        "names only, one column 项目名称, quotes, parentheses and leading digits in names, the "
        "period in the file name",
        [C("name", "项目名称")], n=15, counties=5, encoding="utf-8", tricky=5,
    ))  # fmt: skip
    add(Layout(
        "list_county_sections_xlsx", f"示范市{Y}年第二批重点项目名单.xlsx",
        "a list without amounts: county sections 一、城东区(N项), 建设性质, long 建设规模及主要内容, "
        "period in the title as 截至N月",
        [C("serial", "序号"), C("name", "项目名称"), C("nature", "建设性质"),
         C("content", "建设规模及主要内容"), C("owner", "项目法人"), C("status", "推进状态")],
        n=14, counties=4,
        title=(f"示范市{Y}年第二批重点项目名单(截至{M}月31日)",),
        sections=(Sec("county", ("{cn}、{v}({n}项)", None)),),
    ))  # fmt: skip
    add(Layout(
        "group_header_plain_gap_xlsx", f"{P}重点项目投资进度.xlsx",
        "2-row header with 投资情况(万元) merged over 总投资 | 年度计划 | 1-N月完成, then a blank "
        "unmerged row before the data; 合计 on top",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "县(市、区)"),
         C("total", "投资情况(万元)", "总投资"), C("plan", "投资情况(万元)", f"{Y}年计划"),
         C("ytd", "投资情况(万元)", f"1-{M}月完成"), C("progress", "形象进度", f"{M}月底"),
         C("problem", "存在问题")],
        n=11, counties=5, title=(f"示范市{P}重点项目投资进度",), header_gap="plain",
        total=Total(("合计", None)),
    ))  # fmt: skip
    add(Layout(
        "month_pairs_whole_year_xlsx", f"示范市{Y}年重点项目月度进展台账.xlsx",
        "per-month pairs 1月..12月 (当月完成投资额 | 形象进度) filled up to May, no 1-N月 column: "
        "year to date is the sum of the months; 合计 at the bottom",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "所在区县"),
         C("total", "总投资(万元)"), C("plan", f"{Y}年计划投资(万元)"),
         *[c for k in range(1, 13) for c in (C(f"m{k}", f"{k}月", "当月完成投资额"),
                                             C(f"p{k}", f"{k}月", "形象进度"))]],
        month=5, n=10, counties=4, title=(f"示范市{Y}年重点项目月度进展台账",),
        total=Total(("合计", None), top=False),
    ))  # fmt: skip
    add(Layout(
        "ten_day_columns_xls", f"示范市重点项目{Y}年{M}月旬报表.xls",
        "ten-day columns (N月: 上旬 | 中旬 | 下旬 | 累计) where 累计 is the month's amount, "
        "beside 1-N月累计; 合计(N项) on top; sector column",
        [C("serial", "序号"), C("name", "项目名称"), C("sector", "行业类别"),
         C("total", "总投资(万元)"), C("plan", "年度计划(万元)"),
         C(f"d{M}_1", f"{M}月完成投资(万元)", "上旬"), C(f"d{M}_2", f"{M}月完成投资(万元)", "中旬"),
         C(f"d{M}_3", f"{M}月完成投资(万元)", "下旬"), C("month", f"{M}月完成投资(万元)", "累计"),
         C("ytd", f"1-{M}月累计完成投资(万元)"), C("progress", "形象进度")],
        n=12, sectors=5, title=(f"示范市重点项目{Y}年{M}月旬报表",),
        total=Total(("合计（{n}项）", None)),
    ))  # fmt: skip
    add(Layout(
        "year_end_2025_xlsx", "示范市2025年重点项目完成情况表.xlsx",
        "a year-end return (2025, 1-12月), with a 2026年计划投资 column (next year) beside "
        "2025年计划投资; 合计 on top",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "所在区县"),
         C("total", "总投资(万元)"), C("prior", "至2024年底累计完成投资(万元)"),
         C("plan", "2025年计划投资(万元)"), C("ytd", "2025年1-12月完成投资(万元)"),
         C("next_plan", "2026年计划投资(万元)"), C("pct", "完成率"), C("progress", "年底形象进度")],
        year=2025, month=12, n=16, counties=5, pct="text",
        title=("示范市2025年重点项目完成情况表",), total=Total(("合计", None)),
    ))  # fmt: skip
    add(Layout(
        "old_2010_sector_xls", "示范市2010年1-3月重点项目月报表(分行业).xls",
        "an old (2010, 1-3月) ledger: 3-row header with a blank row, 开工至上一年度底累计, sector "
        "sections 一、交通(N项) with sums, 合计(N项) on top, serials 1●",
        [C("serial", "序号"), C("name", "项目名称"), C("total", "总投资               (万元)"),
         C("prior", "开工至上一年度底累计完成投资"), C("plan", "2010年  计划投资(万元)"),
         C("ytd", "2010年实际完成情况", "1-3月实际完成投资(万元)"),
         C("pct", "2010年实际完成情况", "完成投资占年计划%"),
         C("progress", "2010年实际完成情况", "1-3月实际形象进度"),
         C("owner_person", "建设单位                 及责任人"), C("leader", "挂点领导")],
        year=2010, month=3, n=13, sectors=4, header_gap="merged",
        title=("示范市2010年1-3月重点项目(在建、预备)计划完成情况(分行业)一览表",),
        sections=(Sec("sector", ("{cn}、{v}（{n}项）", None), sums=True),),
        total=Total(("合计（{n}项）", None)), serial="bullet", sheet="分行业",
    ))  # fmt: skip
    add(Layout(
        "subtotal_before_projects_xlsx", f"示范市{P}重点项目完成情况.xlsx",
        "each county opens with its subtotal row (城东区小计 in the name column, above its "
        "projects, no section row), 合计 on top, county column too",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "县区"),
         C("total", "总投资(万元)"), C("plan", "年度计划投资(万元)"),
         C("ytd", f"1-{M}月完成投资(万元)"), C("month", "本月完成(万元)"),
         C("progress", "形象进度")],
        n=15, counties=4, title=(f"示范市{P}重点项目完成情况",),
        sections=(Sec("county", sub=(None, "{v}小计"), sub_before=True),),
        total=Total(("合计", None)),
    ))  # fmt: skip
    add(Layout(
        "partials_under_bottom_total_xls", f"示范市{P}重点项目完成情况.xls",
        "合计(N项) at the BOTTOM followed by 其中:省重点项目(N项) / 市重点项目(N项) partial-sum "
        "rows, 项目级别 column, sector column",
        [C("serial", "序号"), C("name", "项目名称"), C("level", "项目级别"),
         C("sector", "行业领域"), C("total", "总投资(万元)"), C("plan", f"{Y}年计划投资(万元)"),
         C("ytd", f"{P}完成投资(万元)"), C("pct", "完成投资占年计划%"),
         C("progress", f"{P}形象进度")],
        n=14, sectors=4, title=(f"示范市{P}重点项目完成情况",),
        total=Total(("合计({n}项)", None), top=False),
        partials=Partial("level", "其中:{v}项目({n}项)", "      {v}项目({n}项)"),
    ))  # fmt: skip
    add(Layout(
        "amounts_as_text_xlsx", f"示范市{P}重点项目进展.xlsx",
        "amounts stored as TEXT with thousands separators (\"54,583.00\"), zero written as -, "
        "headers with line breaks 总投资\\n(万元), 合  计 (spaced) at the bottom",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "所在县区"),
         C("total", "总投资\n(万元)"), C("plan", f"{Y}年计划投资\n(万元)"),
         C("ytd", f"1-{M}月完成投资\n(万元)"), C("progress", "形象进度")],
        n=12, counties=5, amount_text=True, zero="-",
        title=(f"示范市{P}重点项目进展",), total=Total(("合  计", None), top=False),
    ))  # fmt: skip
    add(Layout(
        "two_row_header_gbk_csv", f"{Y}年{M}月重点项目月报.csv",
        "GBK CSV of a sheet with a 2-row header (group label only over its first column), "
        "title, 计量单位:万元 at the right, sector sections with sums, 合计N项 on top, signature "
        "footer",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "县(市、区)"),
         C("total", "总投资"), C("plan", f"{Y}年", "计划投资"), C("ytd", f"{Y}年", f"1-{M}月完成"),
         C("month", f"{Y}年", f"{M}月完成"), C("progress", f"{Y}年", "形象进度")],
        n=15, counties=5, sectors=4, encoding="gbk",
        title=(f"示范市{Y}年{M}月重点项目月报",), unit_line="计量单位:万元", unit_right=True,
        sections=(Sec("sector", ("{cn}、{v}{n}项", None), sums=True),),
        total=Total(("合计{n}项", None)), footer=(SIGNED,),
    ))  # fmt: skip
    add(Layout(
        "bom_csv_sector_subtotals", f"示范市{P}重点项目分行业完成情况.csv",
        "UTF-8 BOM CSV, sector sections 一、交通(N项) without sums, 小计 after each, 总计 at "
        "the bottom, county column",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "所在区县"),
         C("total", "总投资(万元)"), C("prior", f"至{Y - 1}年底累计完成投资(万元)"),
         C("plan", f"{Y}年计划投资(万元)"), C("ytd", f"{P}完成投资(万元)"),
         C("progress", "形象进度"), C("note", "备注")],
        n=20, counties=6, sectors=4,
        sections=(Sec("sector", ("{cn}、{v}({n}项)", None), sub=(None, "小计")),),
        total=Total(("总计", None), top=False),
    ))  # fmt: skip
    add(Layout(
        "project_code_title_period_xlsx", f"示范市{Y}年{M}月重点项目进展表.xlsx",
        "项目代码 column, 项目法人, 开工时间 as dates, 8 counties in 所在地, headers without months (今年累计完成投资): "
        "the period is in the title as YYYY年M月; 合计 on top",
        [C("serial", "序号"), C("code", "项目代码"), C("name", "项目名称"),
         C("county", "所在地"), C("sector", "行业领域"), C("owner", "项目法人"),
         C("start_date", "开工时间"),
         C("total", "总投资(万元)"), C("plan", "年度计划投资(万元)"),
         C("ytd", "今年累计完成投资(万元)"), C("progress", "形象进度")],
        n=22, counties=8, title=(f"示范市{Y}年{M}月重点项目进展表",),
        total=Total(("合计", None)),
    ))  # fmt: skip
    add(Layout(
        "tricky_names_xlsx", f"示范市{P}重点项目台账.xlsx",
        "names containing 合计/小计/其中 inside (联合计量, 小计量, 泰其中药材), quotes and leading "
        "digits: all projects; county sections 一、X区; 合计 at the bottom",
        [C("serial", "序号"), C("name", "项目名称"), C("total", "总投资(万元)"),
         C("plan", "年度计划投资(万元)"), C("ytd", f"1-{M}月完成投资(万元)"),
         C("progress", f"1-{M}月形象进度")],
        n=14, counties=4, tricky=6, title=(f"示范市{P}重点项目台账",),
        sections=(Sec("county", ("{cn}、{v}", None)),), total=Total(("合计", None), top=False),
    ))  # fmt: skip
    add(Layout(
        "summary_sheet_first_xlsx", f"示范市{P}重点项目汇总及明细.xlsx",
        "two sheets: a county summary first (counties with 项目个数, 合计), then the project list "
        "with a county column and 合计 on top",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "县(市、区)"),
         C("total", "总投资(万元)"), C("plan", "年度计划投资(万元)"),
         C("ytd", f"1-{M}月完成投资(万元)"), C("progress", "形象进度")],
        n=20, counties=5, extra=("summary_first",), title=(f"示范市{P}重点项目明细表",),
        total=Total(("合计", None)), sheet="明细",
    ))  # fmt: skip
    add(Layout(
        "notes_sheet_first_xls", f"{Y}年{M}月重点项目报表.xls",
        "a 填报说明 sheet before the data and two empty sheets after; sector sections 一、X "
        "without counts; 合计 on top",
        [C("serial", "序号"), C("name", "项目名称"), C("total", "总投资(万元)"),
         C("plan", f"{Y}年度计划(万元)"), C("ytd", f"1-{M}月完成(万元)"),
         C("month", f"{M}月完成(万元)"), C("progress", "形象进度"), C("owner", "责任单位")],
        n=11, sectors=4, extra=("notes_first", "empty_after"),
        title=(f"示范市{Y}年1-{M}月重点项目推进情况",),
        sections=(Sec("sector", ("{cn}、{v}", None)),), total=Total(("合计", None)),
        sheet="报表",
    ))  # fmt: skip
    add(Layout(
        "submission_date_in_filename_xlsx", f"{Y}年{M + 1}月5日报送-重点项目进度.xlsx",
        f"the file name carries the submission date ({M + 1}月5日) but the data is for 1-{M}月 "
        "(title and headers); 合计 on top",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "县区"),
         C("total", "总投资(万元)"), C("plan", "年度计划投资(万元)"),
         C("ytd", f"1-{M}月完成投资(万元)"), C("month", f"{M}月完成投资(万元)"),
         C("progress", "形象进度")],
        n=10, counties=4, title=(f"示范市{P}重点项目进度",), total=Total(("合计", None)),
    ))  # fmt: skip
    add(Layout(
        "numeric_phone_contacts_xls", f"示范市{P}重点项目联系表.xls",
        "联系人 and 联系电话 with phone numbers stored as NUMBERS (not amounts), 备注, county and "
        "sector columns, 合计 at the bottom",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "县(市、区)"),
         C("sector", "行业"), C("total", "总投资(万元)"), C("plan", f"{Y}年计划投资(万元)"),
         C("ytd", f"{P}完成投资(万元)"), C("owner", "建设单位"), C("contact", "联系人"),
         C("phone", "联系电话"), C("note", "备注")],
        n=12, counties=5, sectors=4, phone_number=True,
        title=(f"示范市{P}重点项目进展及联系表",), total=Total(("合计", None), top=False),
    ))  # fmt: skip
    add(Layout(
        "restart_serials_plain_county_csv", f"{P}各县区重点项目.csv",
        "UTF-8 BOM CSV, county section rows holding just the county name in the name column, "
        "serials restarting at 1 in each county, 合计 at the bottom",
        [C("serial", "序号"), C("name", "项目名称"), C("total", "总投资(万元)"),
         C("plan", "年度计划投资(万元)"), C("ytd", f"{P}完成投资(万元)"),
         C("progress", "形象进度")],
        n=16, counties=5, sections=(Sec("county", (None, "{v}")),), serial="restart",
        title=(f"示范市{P}各县区重点项目完成情况",), total=Total(("合计", None), top=False),
    ))  # fmt: skip
    add(Layout(
        "wordless_grand_total_xls", f"示范市{P}重点项目.xls",
        "the only total is the last row, with no word at all (empty 序号 and name, amounts = the "
        "sums); sector column; no title",
        [C("serial", "序号"), C("name", "项目名称"), C("sector", "行业"),
         C("total", "总投资(万元)"), C("plan", "年度计划投资(万元)"),
         C("ytd", f"1-{M}月完成投资(万元)"), C("progress", "形象进度")],
        n=3, sectors=3, total=Total((None, None), top=False),
    ))  # fmt: skip
    add(Layout(
        "since_start_and_ratio_xlsx", f"示范市{P}重点项目完成情况统计.xlsx",
        "a 自开工累计完成投资 column (since start, not this year) beside 1-N月完成投资, 完成率 "
        "as a ratio (0.45), 本月完成, 总计 on top",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "所在区县"),
         C("total", "总投资"), C("since_start", "自开工累计完成投资"), C("plan", "年度计划投资"),
         C("ytd", f"1-{M}月完成投资"), C("month", "本月完成"), C("pct", "完成率")],
        n=13, counties=5, pct="ratio", title=(f"示范市{P}重点项目完成情况统计",),
        unit_line="单位:万元", total=Total(("总计", None)),
    ))  # fmt: skip
    add(Layout(
        "county_sector_two_level_subtotals_xlsx", f"示范市{P}重点项目分县分行业表.xlsx",
        "county sections 一、X区(N项) with sector subsections (一)工业, 小计 after each sector and "
        "X区合计 after each county, 全市合计 on top",
        [C("serial", "序号"), C("name", "项目名称"), C("total", "总投资(万元)"),
         C("plan", f"{Y}年计划投资(万元)"), C("ytd", f"1-{M}月完成投资(万元)"),
         C("month", f"{M}月完成投资(万元)"), C("progress", "形象进度")],
        n=24, counties=4, sectors=3, tricky=2,
        title=(f"示范市{P}重点项目分县分行业完成情况",),
        sections=(Sec("county", ("{cn}、{v}({n}项)", None), sub=(None, "{v}合计")),
                  Sec("sector", ("({cn}){v}", None), sub=(None, "小计"))),
        total=Total(("全市合计", None)),
    ))  # fmt: skip
    add(Layout(
        "unit_line_right_signature_xls", f"示范市{P}重点项目报表.xls",
        f"计量单位:万元 at the right above a 2-row header ({Y}年 merged over 计划 | 1-N月完成 | "
        "N月完成), 填报单位/填表人/审核人 footer merged across, 合计 on top",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "县(市、区)"),
         C("total", "总投资"), C("plan", f"{Y}年", "计划投资"), C("ytd", f"{Y}年", f"1-{M}月完成"),
         C("month", f"{Y}年", f"{M}月完成"), C("progress", "形象进度"), C("problem", "存在问题")],
        n=12, counties=5, title=(f"示范市{P}重点项目报表",), unit_line="计量单位:万元",
        unit_right=True, total=Total(("合计", None)), footer=(SIGNED, "注:本表由各县(市、区)发改局填报。"),
    ))  # fmt: skip
    add(Layout(
        "merged_county_cells_xlsx", f"示范市{P}重点项目完成情况(分县区).xlsx",
        "the county column is merged vertically over each county's projects (the value only in "
        "the first row of each run), 合计 at the bottom",
        [C("serial", "序号"), C("county", "县(市、区)"), C("name", "项目名称"),
         C("total", "总投资(万元)"), C("plan", "年度计划投资(万元)"),
         C("ytd", f"1-{M}月完成投资(万元)"), C("progress", "形象进度")],
        n=18, counties=5, merge_runs=("county",), title=(f"示范市{P}重点项目完成情况",),
        total=Total(("合计", None), top=False, merge=False),
    ))  # fmt: skip
    add(Layout(
        "merged_sector_cells_xls", f"示范市{P}重点项目完成情况(分行业).xls",
        "the sector column merged vertically over each sector's projects, county column, "
        "合计 on top",
        [C("serial", "序号"), C("sector", "行业"), C("name", "项目名称"), C("county", "所在区县"),
         C("total", "总投资(万元)"), C("plan", "年度计划投资(万元)"),
         C("ytd", f"1-{M}月完成投资(万元)"), C("month", f"{M}月完成投资(万元)")],
        n=15, counties=4, sectors=4, merge_runs=("sector",),
        title=(f"示范市{P}重点项目完成情况",), total=Total(("合计", None), merge=False),
    ))  # fmt: skip
    add(Layout(
        "fullwidth_tilde_gbk_csv", f"重点项目{M}月进度.csv",
        "GBK CSV without title: headers 年度计划, N月完成投资, 1～N月累计完成投资 (full-width "
        "tilde), N月形象进度, 建设项目名称; county from 建设地点; no totals",
        [C("serial", "序号"), C("name", "建设项目名称"), C("county", "建设地点"),
         C("plan", f"{Y}年度计划"), C("month", f"{M}月完成投资"),
         C("ytd", f"1～{M}月累计完成投资"), C("progress", f"{M}月形象进度")],
        n=10, counties=4, encoding="gbk",
    ))  # fmt: skip
    add(Layout(
        "two_blocks_repeated_header_xlsx", f"示范市{P}续建及新开工项目.xlsx",
        "two tables in one sheet: each block title (一、在建项目 / 二、新开工项目) is followed by "
        "its own header row, 小计 after each block, a blank row between, no grand total",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "县区"),
         C("total", "总投资(万元)"), C("plan", f"{Y}年计划投资(万元)"),
         C("ytd", f"1-{M}月完成投资(万元)"), C("progress", "形象进度")],
        n=16, counties=5, stages=("在建", "新开工"), title=(f"示范市{P}续建及新开工项目",),
        sections=(Sec("stage", ("{cn}、{v}项目", None), sub=(None, "小计"),
                      repeat_header=True, blank_after=True),),
        serial="restart",
    ))  # fmt: skip
    add(Layout(
        "big_ten_counties_3level_header_xlsx", f"示范市{P}市重点项目完成情况.xlsx",
        "40 projects in 10 counties, a true 3-level header (投资情况(万元) > 2026年 > 计划 | 1-N月), "
        "county sections 一、X区(N项) carrying sums, a next-year column, 合计(N项) on top",
        [C("serial", "序号"), C("name", "项目名称"), C("sector", "行业类别"),
         C("total", "投资情况(万元)", "总投资"), C("plan", "投资情况(万元)", f"{Y}年", "计划"),
         C("ytd", "投资情况(万元)", f"{Y}年", f"1-{M}月完成"),
         C("month", "投资情况(万元)", f"{Y}年", f"{M}月完成"),
         C("next_plan", "投资情况(万元)", f"{Y + 1}年计划"), C("progress", "形象进度")],
        n=40, counties=10, sectors=6, title=(f"示范市{P}市重点项目完成情况",),
        sections=(Sec("county", ("{cn}、{v}({n}项)", None), sums=True),),
        total=Total(("合计({n}项)", None)),
    ))  # fmt: skip
    add(Layout(
        "slash_zero_preparatory_xls", f"示范市{Y}年预备及在建项目{M}月报.xls",
        "zero amounts written as / (preparatory projects), 项目性质 新开工/续建/预备, stage "
        "sections with counts, 总计 | N个 (count in the name column) at the bottom, 至上年底累计",
        [C("serial", "序号"), C("name", "项目名称"), C("nature", "项目性质"),
         C("county", "所在区县"), C("total", "总投资(万元)"),
         C("prior", f"至{Y - 1}年底累计完成投资(万元)"), C("plan", f"{Y}年计划投资(万元)"),
         C("ytd", f"{P}完成投资(万元)"), C("month", f"{M}月完成投资(万元)")],
        n=14, counties=4, zero="/", title=(f"示范市{Y}年预备及在建项目{M}月报",),
        sections=(Sec("stage", ("{cn}、{v}项目({n}个)", None)),),
        total=Total(("总计", "{n}个"), top=False, merge=False),
    ))  # fmt: skip
    add(Layout(
        "spaced_name_header_integers_xlsx", f"示范市{P}重大项目清单.xlsx",
        "header 项 目 名 称 with spaces, amounts as whole 万元, a 县(市、区) column, "
        "stage given as a text column 项目状态, 2-row title (place; period), 总计 at the bottom",
        [C("serial", "序号"), C("name", "项 目 名 称"), C("county", "县(市、区)"),
         C("status", "项目状态"), C("total", "总投资(万元)"), C("plan", "年度计划(万元)"),
         C("ytd", f"1-{M}月完成(万元)"), C("contact", "联系人")],
        n=17, counties=7, decimals=0,
        title=("示范市重大项目清单", f"({Y}年1月—{M}月)"),
        total=Total(("总计", None), top=False),
    ))  # fmt: skip
    add(Layout(
        "sector_subtotal_before_csv_bom", f"示范市{P}重点项目分类表.csv",
        "UTF-8 BOM CSV, sector subtotal rows 交通合计 ABOVE each sector's projects (in the name "
        "column, no section row), 合计 on top, 2027年计划 next-year column",
        [C("serial", "序号"), C("name", "项目名称"), C("county", "所在区县"),
         C("total", "总投资(万元)"), C("plan", f"{Y}年计划投资(万元)"),
         C("ytd", f"{P}完成投资(万元)"), C("next_plan", f"{Y + 1}年计划投资(万元)")],
        n=14, counties=4, sectors=4,
        sections=(Sec("sector", sub=(None, "{v}合计"), sub_before=True),),
        total=Total(("合计", None)),
    ))  # fmt: skip
    add(Layout(
        "name_header_missing_xls", f"示范市{Y}年在谈项目加速签约目标责任制表.xls",
        "the name column has NO header (its header cell is empty, as in a real template), "
        "2-row header with 项目业主单位 over 业主名称 | 负责人, 合计 | N个 on top, only 总投资",
        [C("serial", "序号"), C("name", ""), C("nature", "项目性质"), C("total", "总投资\n（万元）"),
         C("owner", "项目业主单位", "业主名称"), C("person", "项目业主单位", "负责人"),
         C("duty", "市或县挂钩责任单位", "单位名称"), C("leader", "市或县挂钩领导")],
        n=6, counties=4, title=(f"示范市{Y}年{M}月重点开发区促进一批在谈项目加速签约目标责任制表",),
        total=Total(("合计", "{n}个"), merge=False), blank=" ",
    ))  # fmt: skip
    return out


def cases() -> list[Case]:
    return [build(lay) for lay in layouts()]


def layout(name: str) -> Layout:
    """The layout named `name` (to render a variant with `dataclasses.replace`)."""
    return next(lay for lay in layouts() if lay.name == name)
