"""Deterministic generator of the demo city 示例市: boundaries, projects and indicators.

`python -m core demo data/demo` rewrites the committed demo files. At scale 1 the rows are
built so that the product, computing from them, states the figures of the annual report as of
the demo's latest period (DEMO_PERIOD): 106 provincial projects under construction with
172.6 亿元 completed = 14.3% of a 1207.0 亿元 annual plan, and so on (see docs in README).
Larger scales (for the benchmark) keep the same distributions and multiply the counts.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core.base import schema as S
from core.base.periods import Period

DEMO_PERIOD = Period(2026, 2)
FIRST_MONTH = Period(2024, 1)  # monthly returns start here
SEED = 20260228
# The demo's category lists: the defaults of data/settings.toml (a test checks they agree).
SECTORS = ("产业项目", "基础设施", "社会民生", "生态环保", "城市更新", "现代服务业")
SECTOR_INDUSTRY = "产业项目"
LEVEL_CITY = "市重点"
PROBLEM_TYPES = ("用地", "环评", "能耗", "资金", "征迁", "审批")

# (name, adcode, column, row) on a 5×2 grid; the four 城X区 and 高新区 are the urban core.
COUNTIES = (
    ("临湖县", 990121, 0, 1),
    ("城北区", 990104, 1, 1),
    ("高新区", 990171, 2, 1),
    ("江北区", 990105, 3, 1),
    ("云溪市", 990181, 4, 1),
    ("青山县", 990122, 0, 0),
    ("城西区", 990103, 1, 0),
    ("城南区", 990106, 2, 0),
    ("城东区", 990102, 3, 0),
    ("白石县", 990123, 4, 0),
)
_X = (118.60, 118.95, 119.15, 119.33, 119.52, 119.90)  # column edges (lon)
_Y = (31.30, 31.62, 31.95)  # row edges (lat)
_VERTEX_JITTER = 0.03
_EDGE_NOISE = 0.012
_POINT_MARGIN = 0.06  # points keep this far from a cell's grid edges, beyond any jitter

# Completion pace by county (×14.3%): spreads the 红黑榜 so there is a top and a bottom.
_COUNTY_PACE = dict(
    zip(
        [c[0] for c in COUNTIES],
        (0.66, 1.28, 1.42, 1.06, 0.84, 0.58, 1.22, 0.97, 1.34, 0.90),
        strict=True,
    )
)

# Report figures in 万元 (1 亿 = 10,000 万), provincial projects, as of DEMO_PERIOD.
RESERVE_TOTAL = 28_907_000.0  # 储备 103个 2890.7亿元
RESERVE_NEW_TOTAL = 11_360_000.0  # of them 新引进 56个 1136亿元
SUBMITTED_TOTAL = 30_162_000.0  # 申报 104个 3016.2亿元
SUBMITTED_SUBSIDY = 696_000.0  # 拟争取省级补助资金 69.6亿元
CONSTRUCTION_PLAN = 12_070_000.0  # 在建 106个, annual plan 1207.0亿元
CONSTRUCTION_DONE = 1_726_000.0  # 1-2月完成 172.6亿元 → 14.3%
INDUSTRY_TOTAL_HIGH_TECH = 6_000_000.0  # 高新技术 40个 600亿元
INDUSTRY_TOTAL_OTHER = 6_000_000.0  # the other 40 产业项目, 1200亿元 in all
FUNDING_PROVINCIAL = {  # 1200亿元 = 专项债券300 + 银行贷款700 + 其他融资渠道200
    "专项债券": 3_000_000.0,
    "银行贷款": 7_000_000.0,
    "政策性开发性金融工具": 800_000.0,
    "企业自筹": 700_000.0,
    "其他": 500_000.0,
}
FUNDING_CITY = {
    "专项债券": 600_000.0,
    "银行贷款": 1_400_000.0,
    "政策性开发性金融工具": 150_000.0,
    "企业自筹": 300_000.0,
    "其他": 100_000.0,
}

# Seasonal shape of a year's completed investment (Spring Festival lull, year-end push).
_SEASON = np.array([0.05, 0.04, 0.08, 0.08, 0.09, 0.09, 0.09, 0.09, 0.09, 0.10, 0.10, 0.10])

_PROGRESS_STEPS = (
    "完成场地平整",
    "桩基施工",
    "基础施工",
    "主体结构施工",
    "主体结构封顶",
    "设备安装",
    "装饰装修",
    "设备调试",
    "试生产",
)
_PROBLEM_UNITS = {
    "用地": "市自然资源和规划局",
    "环评": "市生态环境局",
    "能耗": "市发展和改革委员会",
    "资金": "市财政局",
    "征迁": "{county}人民政府",
    "审批": "市行政审批服务局",
}
_PROBLEM_TEXTS = {
    "用地": ("建设用地指标尚未落实", "土地组卷报批未完成", "林地占用审批待批复"),
    "环评": ("环评报告待审批", "排污总量指标未落实"),
    "能耗": ("能评审查待通过", "能耗指标缺口较大"),
    "资金": ("项目资本金未到位", "银行贷款审批未完成", "专项债券资金未拨付"),
    "征迁": ("涉及农户征迁未完成", "管线迁改进度滞后", "坟墓迁移未完成"),
    "审批": ("施工许可未办理", "规划许可待审批", "可研报告待批复"),
}
_PHASES = "〇一二三四五六七八九十"  # 二期 … 十期; later phases are numbered in digits
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘"
_GIVEN = "建国伟军华明强平志红文海斌涛浩宇丽敏静磊洋勇杰峰鹏辉刚健新春晓东"
_TITLES = ("副区长", "副县长", "副市长", "局长", "主任")

_NAMES = {
    "产业项目": (
        "年产{n}万吨{m}项目",
        "{m}智能制造基地项目",
        "{m}产业园建设项目",
        "{m}生产线技术改造项目",
        "{m}研发及产业化项目",
    ),
    "基础设施": (
        "{p}至{q}快速路工程",
        "{p}综合交通枢纽工程",
        "{p}220千伏输变电工程",
        "{p}污水处理厂扩建工程",
        "{p}港区码头工程",
        "城市轨道交通{n}号线工程",
    ),
    "社会民生": (
        "{p}人民医院新院区建设项目",
        "{p}中学新建工程",
        "{p}保障性租赁住房项目",
        "{p}养老服务中心项目",
    ),
    "生态环保": ("{p}河道综合治理工程", "{p}湿地保护修复项目", "{p}垃圾焚烧发电项目"),
    "城市更新": ("{p}老旧小区改造项目", "{p}城中村改造项目", "{p}历史文化街区更新项目"),
    "现代服务业": ("{p}现代物流园项目", "{p}总部经济大楼项目", "{p}文旅综合体项目"),
}
_PRODUCTS = (
    "新能源汽车零部件",
    "锂电池正极材料",
    "光伏组件",
    "集成电路封装测试",
    "生物医药",
    "高端装备",
    "新型显示面板",
    "工业机器人",
    "氢燃料电池",
    "特种钢材",
    "精细化工",
    "智能家电",
    "医疗器械",
    "电子信息材料",
    "储能电池",
)
_PLACES = (
    "滨江",
    "望湖",
    "青云",
    "金桥",
    "东湖",
    "西山",
    "南浦",
    "北塘",
    "凤凰",
    "龙泉",
    "白鹭",
    "梧桐",
    "翠屏",
    "石门",
    "长乐",
    "新港",
    "溪口",
    "柳湾",
    "桃源",
    "松岭",
)
_OWNERS = (
    "示例市城市建设投资集团有限公司",
    "示例市交通投资集团有限公司",
    "示例市产业投资发展有限公司",
    "{county}国有资产投资经营有限公司",
    "{county}城市发展有限公司",
)


@dataclass
class DemoData:
    boundaries: dict
    tables: dict[str, pd.DataFrame]


# --- Boundaries ----------------------------------------------------------------


def _vertex(rng_seed: int, i: int, j: int) -> tuple[float, float]:
    """Grid vertex (i, j), jittered inside the grid but fixed on the city's outer edge."""
    r = np.random.default_rng([rng_seed, i, j])
    x, y = _X[i], _Y[j]
    if 0 < i < len(_X) - 1:
        x += r.uniform(-_VERTEX_JITTER, _VERTEX_JITTER)
    if 0 < j < len(_Y) - 1:
        y += r.uniform(-_VERTEX_JITTER, _VERTEX_JITTER)
    return x, y


def _edge(rng_seed: int, a: tuple[int, int], b: tuple[int, int]) -> list[tuple[float, float]]:
    """Points from vertex a to b with a wavy course; both neighbours share the same course."""
    key = (a, b) if a <= b else (b, a)
    r = np.random.default_rng([rng_seed, *key[0], *key[1], 7])
    p, q = np.array(_vertex(rng_seed, *key[0])), np.array(_vertex(rng_seed, *key[1]))
    normal = np.array([-(q - p)[1], (q - p)[0]])
    normal /= np.linalg.norm(normal)
    steps = 8
    pts = [
        p + (q - p) * k / steps + normal * r.uniform(-_EDGE_NOISE, _EDGE_NOISE)
        for k in range(1, steps)
    ]
    course = [tuple(p), *[tuple(x) for x in pts], tuple(q)]
    return course if (a, b) == key else course[::-1]


def demo_boundaries(seed: int = SEED) -> dict:
    features = []
    for name, adcode, i, j in COUNTIES:
        corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1), (i, j)]
        ring: list[tuple[float, float]] = []
        for a, b in itertools.pairwise(corners):
            ring.extend(_edge(seed, a, b)[:-1])
        ring.append(ring[0])
        coords = [[round(x, 6), round(y, 6)] for x, y in ring]
        cx = round((_X[i] + _X[i + 1]) / 2, 6)
        cy = round((_Y[j] + _Y[j + 1]) / 2, 6)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "adcode": adcode,
                    "name": name,
                    "center": [cx, cy],
                    "centroid": [cx, cy],
                    "level": "district",
                    "parent": {"adcode": 990100},
                },
                "geometry": {"type": "MultiPolygon", "coordinates": [[coords]]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


# --- Projects ------------------------------------------------------------------


def _scaled_exact(raw: np.ndarray, total: float) -> np.ndarray:
    """Scale `raw` to sum to `total` exactly at 2 decimals (the residual goes to the largest)."""
    out = np.round(raw / raw.sum() * total, 2)
    out[int(np.argmax(out))] += round(total - out.sum(), 2)
    return np.round(out, 2)


def _months_between(a: Period, b: Period) -> int:
    return (b.year - a.year) * 12 + b.month - a.month + 1


class _Builder:
    def __init__(self, seed: int, scale: int, first_month: Period = FIRST_MONTH):
        self.rng = np.random.default_rng(seed)
        self.scale = scale
        self.first = first_month  # the first month with returns
        self.serial = 0
        self.rows: list[dict] = []
        self.county_names = [c[0] for c in COUNTIES]
        self.adcodes = {c[0]: c[1] for c in COUNTIES}
        self.cells = {c[0]: (c[2], c[3]) for c in COUNTIES}
        self.names_used: dict[str, int] = {}  # full project name → how many carry it so far

    def n(self, count: int) -> int:
        return count * self.scale

    def _name(self, sector: str) -> tuple[str, str]:
        """A project name and the product it makes (the owner company is named after it)."""
        r = self.rng
        template = str(r.choice(_NAMES[sector]))
        product = str(r.choice(_PRODUCTS))
        return template.format(
            n=int(r.integers(2, 60)) if "年产" in template else int(r.integers(1, 9)),
            m=product,
            p=str(r.choice(_PLACES)),
            q=str(r.choice(_PLACES)),
        ), product

    def _unique(self, name: str) -> str:
        """The name, or a later phase of it (二期, 三期 …) when the county already has it: a
        leader asking about "the" 污水处理厂扩建工程 of a county must get one project. No random
        draw is taken, so every other value of the demo stays as it was."""
        seen = self.names_used.get(name, 0)
        self.names_used[name] = seen + 1
        if not seen:
            return name
        phase = seen + 1
        numeral = _PHASES[phase] if phase < len(_PHASES) else str(phase)
        return f"{name.removesuffix('项目').removesuffix('工程')}{numeral}期" + (
            "工程" if name.endswith("工程") else "项目"
        )

    def _person(self) -> str:
        r = self.rng
        given = "".join(r.choice(list(_GIVEN), size=int(r.integers(1, 3))))
        return f"{r.choice(list(_SURNAMES))}{given}({r.choice(_TITLES)})"

    def _point(self, county: str) -> tuple[float, float]:
        i, j = self.cells[county]
        m = _POINT_MARGIN
        lon = self.rng.uniform(_X[i] + m, _X[i + 1] - m)
        lat = self.rng.uniform(_Y[j] + m * 0.8, _Y[j + 1] - m * 0.8)
        return round(float(lon), 6), round(float(lat), 6)

    def add(
        self,
        *,
        level: str,
        stage: str,
        sector: str,
        total: float,
        start: Period,
        end: Period,
        actual_start: Period | None,
        new: bool = False,
        high_tech: bool = False,
        subsidy: float | None = None,
        county: str | None = None,
    ) -> dict:
        r = self.rng
        county = county or str(r.choice(self.county_names))
        self.serial += 1
        lon, lat = self._point(county)
        name, product = self._name(sector)
        code = (
            f"{start.year % 100:02d}{start.month:02d}-{self.adcodes[county]}-"
            f"{SECTORS.index(sector) + 1:02d}-{1 if level == S.LEVEL_PROVINCIAL else 2:02d}-"
            f"{self.serial:06d}"
        )
        row = {
            S.CODE: code,
            S.NAME: self._unique(f"{county}{name}"),
            S.COUNTY: county,
            S.SECTOR: sector,
            S.LEVEL: level,
            S.STAGE: stage,
            S.NATURE: "续建" if actual_start and actual_start.year < DEMO_PERIOD.year else "新建",
            S.NEWLY_ATTRACTED: S.YES if new else S.NO,
            S.HIGH_TECH: S.YES if high_tech else S.NO,
            S.OWNER: str(r.choice(_OWNERS)).format(county=county)
            if sector != "产业项目"
            else f"示例市{product}有限公司",
            S.LEADER: self._person(),
            S.TOTAL_INVESTMENT: round(float(total), 2),
            S.PLANNED_START: start.key,
            S.ACTUAL_START: actual_start.key if actual_start else "",
            S.PLANNED_END: end.key,
            S.LON: lon,
            S.LAT: lat,
            S.SUBSIDY_SOUGHT: subsidy if subsidy is not None else "",
        }
        self.rows.append(row)
        return row

    def lognormal(self, size: int, mean_yi: float, sigma: float = 0.7) -> np.ndarray:
        """Totals in 万元 around `mean_yi` 亿元: a few big projects and many mid-sized ones."""
        x = self.rng.lognormal(0, sigma, size)
        return x / x.mean() * mean_yi * 10_000

    def month(self, first: Period, last: Period) -> Period:
        span = _months_between(first, last)
        return first.shift(int(self.rng.integers(0, span)))


def _project_rows(b: _Builder) -> tuple[pd.DataFrame, dict[str, float], dict[str, float]]:
    """All projects, with each 在建 project's pace against the year and its plan share."""
    r = b.rng
    P = S.LEVEL_PROVINCIAL
    C = LEVEL_CITY
    others = [s for s in SECTORS if s != SECTOR_INDUSTRY]
    pace: dict[str, float] = {}
    plan_share: dict[str, float] = {}

    def construction(
        level: str, sectors: list[str], totals: np.ndarray, shares: tuple, high_tech: list[bool]
    ) -> None:
        for sector, total, ht in zip(sectors, totals, high_tech, strict=True):
            # An eighth of the sites broke ground this year (新开工); the rest continue.
            if r.random() < 0.125:
                actual = b.month(Period(2026, 1), DEMO_PERIOD)
                start = actual.shift(int(r.integers(-1, 2)))
            else:
                actual = b.month(Period(2022, 3), Period(2025, 10))
                start = actual.shift(int(r.integers(-3, 1)))
            end = b.month(Period(2026, 10), Period(2029, 6))
            row = b.add(
                level=level,
                stage=S.STAGE_CONSTRUCTION,
                sector=sector,
                total=total,
                start=start,
                end=end,
                actual_start=actual,
                high_tech=ht,
                new=bool(r.random() < 0.2),
            )
            plan_share[row[S.CODE]] = float(r.uniform(*shares))
            pace[row[S.CODE]] = _COUNTY_PACE[row[S.COUNTY]] * float(r.lognormal(0, 0.25))

    # Provincial, under construction: 80 产业项目 (40 高新技术) and 26 in other sectors.
    ht_totals = _scaled_exact(b.lognormal(b.n(40), 15.0), INDUSTRY_TOTAL_HIGH_TECH * b.scale)
    ot_totals = _scaled_exact(b.lognormal(b.n(40), 15.0), INDUSTRY_TOTAL_OTHER * b.scale)
    construction(
        P,
        [SECTOR_INDUSTRY] * b.n(80),
        np.concatenate([ht_totals, ot_totals]),
        (0.30, 0.45),
        [True] * b.n(40) + [False] * b.n(40),
    )
    other_sectors = [others[k % len(others)] for k in range(b.n(26))]
    construction(
        P, other_sectors, np.round(b.lognormal(b.n(26), 120.0), 2), (0.15, 0.30), [False] * b.n(26)
    )
    # City, under construction: a smaller, more mixed list.
    city_sectors = [str(s) for s in r.choice(SECTORS, size=b.n(70))]
    construction(
        C,
        city_sectors,
        np.round(b.lognormal(b.n(70), 8.0), 2),
        (0.25, 0.45),
        [bool(s == SECTOR_INDUSTRY and r.random() < 0.4) for s in city_sectors],
    )

    # Reserve pool (储备) and submissions (申报): provincial figures fixed by the report.
    def pool(
        level: str,
        stage: str,
        totals: np.ndarray,
        new: list[bool],
        subsidy=None,
    ) -> None:
        for k, total in enumerate(totals):
            start = b.month(Period(2027, 1), Period(2028, 12))
            b.add(
                level=level,
                stage=stage,
                sector=str(r.choice(SECTORS, p=_MIX)),
                total=total,
                start=start,
                end=start.shift(int(r.integers(24, 60))),
                actual_start=None,
                new=new[k],
                subsidy=None if subsidy is None else float(subsidy[k]),
            )

    pool(
        P,
        S.STAGE_RESERVE,
        np.concatenate(
            [
                _scaled_exact(b.lognormal(b.n(56), 20.3), RESERVE_NEW_TOTAL * b.scale),
                _scaled_exact(
                    b.lognormal(b.n(47), 37.3), (RESERVE_TOTAL - RESERVE_NEW_TOTAL) * b.scale
                ),
            ]
        ),
        [True] * b.n(56) + [False] * b.n(47),
    )
    sub_totals = _scaled_exact(b.lognormal(b.n(104), 29.0), SUBMITTED_TOTAL * b.scale)
    subsidy = _scaled_exact(
        sub_totals * r.uniform(0.01, 0.04, b.n(104)), SUBMITTED_SUBSIDY * b.scale
    )
    pool(
        P,
        S.STAGE_SUBMITTED,
        sub_totals,
        [bool(x) for x in r.random(b.n(104)) < 0.3],
        subsidy=subsidy,
    )
    pool(
        C,
        S.STAGE_RESERVE,
        np.round(b.lognormal(b.n(12), 6.0), 2),
        [bool(x) for x in r.random(b.n(12)) < 0.4],
    )

    # Preparatory (前期): most are due to break ground this year, which makes 开工率 mean something.
    for level, count in ((P, 14), (C, 16)):
        totals = b.lognormal(b.n(count), 25.0 if level == P else 6.0)
        for total in totals:
            start = (
                b.month(Period(2026, 1), Period(2026, 12))
                if r.random() < 0.75
                else b.month(Period(2027, 1), Period(2027, 6))
            )
            b.add(
                level=level,
                stage=S.STAGE_PREPARATION,
                sector=str(r.choice(SECTORS, p=_MIX)),
                total=float(round(total, 2)),
                start=start,
                end=start.shift(int(r.integers(24, 48))),
                actual_start=None,
                new=bool(r.random() < 0.3),
            )

    # Completed (竣工) during 2024–2025: they carry last year's plans and returns.
    for level, count in ((P, 22), (C, 18)):
        totals = b.lognormal(b.n(count), 20.0 if level == P else 5.0)
        for total in totals:
            actual = b.month(Period(2021, 6), Period(2024, 6))
            b.add(
                level=level,
                stage=S.STAGE_COMPLETED,
                sector=str(r.choice(SECTORS, p=_MIX)),
                total=float(round(total, 2)),
                start=actual,
                end=b.month(Period(2024, 6), Period(2025, 12)),
                actual_start=actual,
                high_tech=bool(r.random() < 0.2),
            )
    projects = pd.DataFrame(b.rows, columns=list(S.PROJECT_COLUMNS))
    return projects, pace, plan_share


_MIX = np.array([0.45, 0.2, 0.1, 0.08, 0.09, 0.08])  # sector mix of pools, 产业项目 first


def _plans_and_returns(
    b: _Builder, projects: pd.DataFrame, pace: dict[str, float], plan_share: dict[str, float]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    r = b.rng
    plans: list[tuple[str, int, float]] = []
    months: list[tuple[str, str, float, str]] = []
    year = DEMO_PERIOD.year

    active = projects[projects[S.STAGE].isin([S.STAGE_CONSTRUCTION, S.STAGE_COMPLETED])]
    current_plan = {}
    for row in active.to_dict("records"):
        code, total = row[S.CODE], float(row[S.TOTAL_INVESTMENT])
        start, end = Period.parse(row[S.ACTUAL_START]), Period.parse(row[S.PLANNED_END])
        first = max(start, b.first)
        last_before = min(end, Period(year - 1, 12))
        done_before = 0.0
        if code in plan_share:
            current_plan[code] = total * plan_share[code]
            before_share = min(
                0.5,
                _months_between(start, Period(year - 1, 12)) / max(_months_between(start, end), 1),
            )
        else:  # completed: the whole total falls in the years it ran
            before_share = 1.0
        span = _months_between(first, last_before) if first <= last_before else 0
        for y in range(b.first.year, year):
            ms = [p for p in (Period(y, m) for m in range(1, 13)) if first <= p <= last_before]
            if not ms:
                continue
            plan_y = round(total * before_share * len(ms) / span, 2)
            plans.append((code, y, plan_y))
            weights = _SEASON[[p.month - 1 for p in ms]]
            # A finished project completed its plan at most: its returns never pass its total.
            done = plan_y * float(
                np.clip(r.normal(1.0, 0.06), 0.8, 1.0 if code not in plan_share else 1.15)
            )
            for p, w in zip(ms, weights / weights.sum(), strict=True):
                months.append((code, p.key, round(done * w, 2), ""))
            done_before += done
    # This year: annual plans and January–period returns of the projects under construction.
    construction = projects[projects[S.STAGE] == S.STAGE_CONSTRUCTION]
    for level in (S.LEVEL_PROVINCIAL, LEVEL_CITY):
        codes = construction.loc[construction[S.LEVEL] == level, S.CODE].tolist()
        raw = np.array([current_plan[c] for c in codes])
        if level == S.LEVEL_PROVINCIAL:
            plan = _scaled_exact(raw, CONSTRUCTION_PLAN * b.scale)
            ytd_raw = plan * np.array([pace[c] for c in codes])
            ytd = _scaled_exact(ytd_raw, CONSTRUCTION_DONE * b.scale)
        else:
            plan = np.round(raw, 2)
            ytd = np.round(plan * 0.15 * np.array([pace[c] for c in codes]), 2)
        for code, p_amount, done in zip(codes, plan, ytd, strict=True):
            plans.append((code, year, float(p_amount)))
            start = Period.parse(
                construction.loc[construction[S.CODE] == code, S.ACTUAL_START].iloc[0]
            )
            ms = [p for p in DEMO_PERIOD.months_of_year() if p >= start] or [DEMO_PERIOD]
            split = np.full(len(ms), 1 / len(ms)) if len(ms) == 1 else np.array([0.45, 0.55])
            amounts = np.round(done * split, 2)
            amounts[-1] = round(done - amounts[:-1].sum(), 2)
            for p, a in zip(ms, amounts, strict=True):
                months.append((code, p.key, float(a), ""))
    monthly = pd.DataFrame(months, columns=[S.CODE, S.MONTH, S.MONTH_COMPLETED, S.PROGRESS_TEXT])
    plans_df = pd.DataFrame(plans, columns=[S.CODE, S.YEAR, S.ANNUAL_PLAN])
    monthly[S.PROGRESS_TEXT] = _progress_texts(monthly, projects)
    return plans_df, monthly


def _progress_texts(monthly: pd.DataFrame, projects: pd.DataFrame) -> list[str]:
    """形象进度 per return: a step further along the longer a site has been at work."""
    start = projects.set_index(S.CODE)[S.ACTUAL_START]
    end = projects.set_index(S.CODE)[S.PLANNED_END]
    texts = []
    for code, month in zip(monthly[S.CODE], monthly[S.MONTH], strict=True):
        s, e, m = Period.parse(start[code]), Period.parse(end[code]), Period.parse(month)
        share = _months_between(s, m) / max(_months_between(s, e), 1)
        step = min(int(share * len(_PROGRESS_STEPS)), len(_PROGRESS_STEPS) - 1)
        texts.append(_PROGRESS_STEPS[step])
    return texts


def _funding(b: _Builder, projects: pd.DataFrame) -> pd.DataFrame:
    r = b.rng
    rows = []
    funded = projects[projects[S.STAGE].isin([S.STAGE_CONSTRUCTION, S.STAGE_COMPLETED])]
    for level, amounts in ((S.LEVEL_PROVINCIAL, FUNDING_PROVINCIAL), (LEVEL_CITY, FUNDING_CITY)):
        pool = funded[funded[S.LEVEL] == level]
        for source, total in amounts.items():
            take = pool.sample(
                frac=0.5 if source in ("专项债券", "银行贷款") else 0.2,
                random_state=int(r.integers(0, 2**31)),
            )
            split = _scaled_exact(
                take[S.TOTAL_INVESTMENT].to_numpy() * r.uniform(0.5, 1.5, len(take)),
                total * b.scale,
            )
            for code, amount in zip(take[S.CODE], split, strict=True):
                month = b.month(b.first, DEMO_PERIOD)
                rows.append((code, source, float(amount), month.key))
    return pd.DataFrame(rows, columns=list(S.FUNDING_COLUMNS))


def _problems(b: _Builder, projects: pd.DataFrame) -> pd.DataFrame:
    r = b.rng
    rows = []
    pool = projects[projects[S.STAGE].isin([S.STAGE_CONSTRUCTION, S.STAGE_PREPARATION])]
    take = pool.sample(n=min(len(pool), b.n(110)), random_state=int(r.integers(0, 2**31)))
    for k, row in enumerate(take.to_dict("records"), start=1):
        code, county = row[S.CODE], row[S.COUNTY]
        kind = str(r.choice(PROBLEM_TYPES, p=[0.28, 0.12, 0.1, 0.18, 0.17, 0.15]))
        raised = b.month(Period(2025, 1), DEMO_PERIOD)
        resolved = ""
        if raised < DEMO_PERIOD and r.random() < 0.5:
            resolved = b.month(raised.shift(1), DEMO_PERIOD).key
        rows.append(
            (
                f"WT{k:05d}",
                code,
                kind,
                str(r.choice(_PROBLEM_TEXTS[kind])),
                raised.key,
                resolved,
                _PROBLEM_UNITS[kind].format(county=county),
            )
        )
    return pd.DataFrame(rows, columns=list(S.PROBLEM_COLUMNS[:7]))


# --- Indicators ------------------------------------------------------------------

# (group, indicator, unit, value last year, value this year, target this year or None)
_ANNUAL = (
    ("科技创新", "研发投入", "亿元", 133.93, 150, None),
    ("科技创新", "研发投入占GDP比重", "%", 3.3, 3.5, None),
    ("科技创新", "新增高新技术企业", "家", 105, 120, None),
    ("科技创新", "高新技术企业总数", "家", 480, 600, None),
    ("科技创新", "高新技术产业增加值占规上工业增加值比重", "%", 42.0, 45, None),
    ("绿色发展", "清洁能源装机容量", "万千瓦", 820, 1000, None),
    ("绿色发展", "清洁能源装机占比", "%", 50, 60, None),
    ("绿色发展", "单位GDP能耗", "吨标准煤/万元", 0.4, 0.384, None),
    ("营商环境", "新设市场主体", "万家", 8.6957, 10, None),
    ("营商环境", "新设市场主体注册资本", "亿元", 1050, 1200, None),
    ("营商环境", "减税降费", "亿元", 92, 100, None),
    ("对外开放", "实际利用外资", "亿美元", 13.6364, 15, None),
    ("对外开放", "新签对外投资项目", "个", 26, 30, None),
    ("对外开放", "对外投资协议额", "亿美元", 17.5, 20, None),
    ("民生保障", "城镇新增就业", "万人", 9.6, 10, None),
    ("民生保障", "城镇调查失业率", "%", 4.1, 3.9, 4.0),
    ("民生保障", "城乡居民基本养老保险参保率", "%", 94.2, 95, None),
    ("民生保障", "基本医疗保险参保率", "%", 97.6, 98, None),
    ("民生保障", "保障性住房开工", "万套", 0.85, 1, None),
    ("民生保障", "发放租赁补贴", "万户", 0.9, 1, None),
    ("民生保障", "教育经费支出", "亿元", 181.8182, 200, None),
    ("民生保障", "新建改扩建学校", "所", 42, 50, None),
    ("民生保障", "新增学位", "万个", 1.8, 2, None),
    ("民生保障", "医疗卫生支出", "亿元", 133.9286, 150, None),
    ("民生保障", "新建改扩建医院", "所", 8, 10, None),
    ("民生保障", "文化事业经费支出", "亿元", 45.4545, 50, None),
    ("民生保障", "新建改扩建文化场馆", "个", 9, 10, None),
    ("民生保障", "举办文化活动", "场次", 900, 1000, None),
    ("民生保障", "文化活动参与群众", "万人次", 85, 100, None),
)


def _indicators(b: _Builder) -> pd.DataFrame:
    r = np.random.default_rng(SEED + 1)  # independent of the project draw, so scale leaves it
    rows = []
    last, this = DEMO_PERIOD.year - 2, DEMO_PERIOD.year - 1  # full years with published stats
    for group, name, unit, v0, v1, target in _ANNUAL:
        rows.append((group, name, str(last), v0, unit, None))
        rows.append((group, name, str(this), v1, unit, target))
    # Monthly cumulative FAI growth (published from 1-2月 on), ending at the report's values.
    end = {
        S.FAI_TOTAL: 7.0,
        "房地产开发投资增速": 10.1,
        "工业投资增速": 9.1,
        "基础设施投资增速": 5.1,
    }
    targets = {this: 6.5, DEMO_PERIOD.year: 7.0}
    months = [Period(this, m) for m in range(2, 13)] + [
        Period(DEMO_PERIOD.year, m) for m in range(2, DEMO_PERIOD.month + 1)
    ]
    for name, final in end.items():
        walk = final + np.cumsum(r.normal(0, 0.6, len(months)))[::-1] - r.normal(0, 0.6)
        walk[-1] = final
        for p, v in zip(months, walk, strict=True):
            target = targets[p.year] if name == S.FAI_TOTAL else None
            rows.append((S.FAI_GROUP, name, p.key, round(float(v), 1), "%", target))
    ranks = np.clip(np.round(np.linspace(7, 4, len(months)) + r.normal(0, 0.5, len(months))), 1, 11)
    ranks[0], ranks[-1] = 7, 4
    ranks[months.index(DEMO_PERIOD.same_period_last_year())] = 7  # up 3 places on last year
    for p, v in zip(months, ranks, strict=True):
        rows.append((S.FAI_GROUP, S.FAI_RANK, p.key, int(v), "位", None))
    return pd.DataFrame(rows, columns=list(S.INDICATOR_COLUMNS))


# --- The monthly cycle: 督办, 节点计划, 园区, 红黑榜豁免 -------------------------------------------
# Drawn from their own random stream after everything above, so that every figure of the
# annual report stays exactly as it was.

CYCLE_SEED = SEED + 2
# The industrial parks of some counties: their 产业项目 belong to them (a 红黑榜 by 园区).
PARKS = {
    "高新区": "示例市高新技术产业开发区",
    "临湖县": "临湖经济开发区",
    "江北区": "江北临港产业园",
    "云溪市": "云溪工业园区",
    "城北区": "城北智能制造产业园",
}
# Days an office gives a responsible unit, by problem type (land and demolition take longest).
DEADLINE_DAYS = {"用地": 90, "环评": 60, "能耗": 60, "资金": 45, "征迁": 90, "审批": 30}
_HANDLING_STEPS = {
    "用地": ("已召开用地保障协调会,明确报批时间表", "已完成土地组卷并报省自然资源厅",
             "省自然资源厅已受理,正在审查"),
    "环评": ("已督促建设单位补充环评材料", "环评报告已通过专家技术评审", "已报送审批,等待批复"),
    "能耗": ("已会同发改部门开展节能审查预审", "已申请调剂能耗指标", "调剂方案已上报待批"),
    "资金": ("已对接合作银行,完成授信调查", "项目资本金已部分到位", "贷款已进入银行审批"),
    "征迁": ("已成立征迁工作专班", "已完成入户调查和评估", "已与大部分权利人签订补偿协议"),
    "审批": ("已开通审批绿色通道", "申报材料已补齐,进入并联审查", "已出具审查意见,正在修改完善"),
}  # fmt: skip
_CLOSING_NOTE = "问题已解决,申请办结"
# Nodes of the milestone plan (挂图作战) by sector; the first is 开工, the last the completion.
_NODES = {
    "产业项目": ("开工", "主体完工", "设备安装", "竣工投产"),
    "基础设施": ("开工", "主体完工", "竣工通车"),
}
_OTHER_NODES = ("开工", "主体完工", "竣工验收")
_NODE_SHARES = {3: (0.0, 0.6, 1.0), 4: (0.0, 0.55, 0.8, 1.0)}  # where each node falls in the span
# Excused from the 黑榜 of a month: the slowest county and a park, with the reasons an office
# records.
EXEMPTIONS = (
    ("所在区县", "青山县", "2026-02", "1-2月持续低温雨雪冰冻天气,室外工程停工,经市政府同意本月不列入黑榜"),
    ("所在区县", "临湖县", "2026-01", "1月县域遭遇寒潮停电,经市政府同意本月不列入黑榜"),
    ("所属园区", "云溪工业园区", "2026-02", "园区主导企业破产重整,经市政府同意本月不列入黑榜"),
)  # fmt: skip
UNREPORTED = (
    3  # provincial projects whose February return is missing (their amount came in January)
)
LATE_ENDS = ("2025-10", "2025-12", "2026-01")  # provincial sites still at work past their end


def _day(r: np.random.Generator, month: Period) -> dt.date:
    return dt.date(month.year, month.month, int(r.integers(1, 29)))


def _workflow(r: np.random.Generator, problems: pd.DataFrame) -> pd.DataFrame:
    """督办 of each problem: 交办 in the month it was raised (the latest month's not all yet), a
    deadline by type, dated feedback, 办结 in the month it was resolved, 销号 some days later."""
    end = dt.date(DEMO_PERIOD.year, DEMO_PERIOD.month, 28)
    rows = []
    for p in problems.to_dict("records"):
        raised = Period.parse(p[S.RAISED])
        if raised == DEMO_PERIOD and r.random() < 0.4:
            rows.append(dict(p, **{S.HANDLING_STATE: S.STATE_WAITING}))
            continue
        assigned = _day(r, raised)
        deadline = assigned + dt.timedelta(days=DEADLINE_DAYS[p[S.PROBLEM_TYPE]])
        closed = None
        if p[S.RESOLVED]:
            resolved = Period.parse(p[S.RESOLVED])
            closed = max(_day(r, resolved), assigned + dt.timedelta(days=1))
        last = closed or end
        steps = _HANDLING_STEPS[p[S.PROBLEM_TYPE]]
        count = min(len(steps), max(1, (last - assigned).days // 25))
        dates = sorted(assigned + dt.timedelta(days=int(d))
                       for d in r.integers(1, max(2, (last - assigned).days), count))  # fmt: skip
        notes = [f"{d.isoformat()} {t}" for d, t in zip(dates, steps, strict=False)]
        state = S.STATE_HANDLING
        cleared = None
        if closed:
            notes.append(f"{closed.isoformat()} {_CLOSING_NOTE}")
            state = S.STATE_CLOSED
            after = closed + dt.timedelta(days=int(r.integers(3, 20)))
            if after <= end and r.random() < 0.7:
                state, cleared = S.STATE_CLEARED, after
        rows.append(
            dict(
                p,
                **{
                    S.ASSIGNED_ON: assigned.isoformat(),
                    S.DEADLINE: deadline.isoformat(),
                    S.HANDLING_STATE: state,
                    S.HANDLING_NOTES: ";".join(notes),
                    S.CLOSED_ON: closed.isoformat() if closed else "",
                    S.CLEARED_ON: cleared.isoformat() if cleared else "",
                },
            )
        )
    return pd.DataFrame(rows, columns=list(S.PROBLEM_COLUMNS)).fillna("")


def _milestones(r: np.random.Generator, projects: pd.DataFrame) -> pd.DataFrame:
    """The nodes of every project at work or in preparation: planned across its span, reached
    (a month or two late at times) more often in the quicker counties; the last, completion,
    not yet (those projects are not 竣工)."""
    rows = []
    active = projects[projects[S.STAGE].isin([S.STAGE_CONSTRUCTION, S.STAGE_PREPARATION])]
    for p in active.to_dict("records"):
        nodes = _NODES.get(p[S.SECTOR], _OTHER_NODES)
        start, end = Period.parse(p[S.PLANNED_START]), Period.parse(p[S.PLANNED_END])
        span = _months_between(start, end) - 1
        reach = min(0.95, 0.35 + 0.45 * _COUNTY_PACE[p[S.COUNTY]])
        for node, share in zip(nodes, _NODE_SHARES[len(nodes)], strict=True):
            planned = start.shift(round(span * share))
            actual = ""
            if node == nodes[0]:
                actual = p[S.ACTUAL_START]
            elif node != nodes[-1] and planned <= DEMO_PERIOD and r.random() < reach:
                late = planned.shift(int(r.integers(0, 3)))
                actual = late.key if late <= DEMO_PERIOD else ""
            rows.append((p[S.CODE], node, planned.key, actual))
    return pd.DataFrame(rows, columns=list(S.MILESTONE_COLUMNS))


def _without_february(r: np.random.Generator, projects: pd.DataFrame,
                      monthly: pd.DataFrame) -> pd.DataFrame:  # fmt: skip
    """A few provincial projects have not returned February: their year-to-date figure at
    February stays what it was, as the whole amount came in January."""
    both = monthly[monthly[S.MONTH].isin(["2026-01", DEMO_PERIOD.key])].groupby(S.CODE).size()
    provincial = set(projects.loc[projects[S.LEVEL] == S.LEVEL_PROVINCIAL, S.CODE])
    pool = sorted(c for c in both[both == 2].index if c in provincial)
    chosen = set(r.choice(pool, size=UNREPORTED, replace=False).tolist())
    monthly = monthly.copy()
    for code in chosen:
        mine = monthly[S.CODE] == code
        jan = mine & (monthly[S.MONTH] == "2026-01")
        feb = mine & (monthly[S.MONTH] == DEMO_PERIOD.key)
        total = round(float(monthly.loc[jan | feb, S.MONTH_COMPLETED].sum()), 2)
        monthly.loc[jan, S.MONTH_COMPLETED] = total
        monthly = monthly.loc[~feb]
    return monthly.reset_index(drop=True)


def _monthly_cycle(tables: dict[str, pd.DataFrame]) -> None:
    """What the monthly cycle needs of the demo, added to its tables in place."""
    r = np.random.default_rng(CYCLE_SEED)
    projects = tables[S.PROJECTS]
    industry = projects[S.SECTOR] == SECTOR_INDUSTRY
    projects[S.PARK] = np.where(industry, projects[S.COUNTY].map(PARKS).fillna(""), "")
    completed = projects[S.STAGE] == S.STAGE_COMPLETED
    projects[S.ACTUAL_END] = np.where(completed, projects[S.PLANNED_END], "")
    old_sites = projects.loc[(projects[S.STAGE] == S.STAGE_CONSTRUCTION)
                             & (projects[S.LEVEL] == S.LEVEL_PROVINCIAL)
                             & (projects[S.ACTUAL_START] < "2024-01")].index  # fmt: skip
    late = r.choice(old_sites, size=len(LATE_ENDS), replace=False)
    projects.loc[late, S.PLANNED_END] = list(LATE_ENDS)
    tables[S.PROBLEMS] = _workflow(r, tables[S.PROBLEMS])
    tables[S.MILESTONES] = _milestones(r, projects)
    tables[S.MONTHLY] = _without_february(r, projects, tables[S.MONTHLY])
    tables[S.EXEMPTIONS] = pd.DataFrame(list(EXEMPTIONS), columns=list(S.EXEMPTION_COLUMNS))


# --- Entry points ----------------------------------------------------------------


def generate(scale: int = 1, seed: int = SEED, first_month: Period = FIRST_MONTH) -> DemoData:
    """The demo at `scale` × its project counts; `first_month` moves the start of the returns
    earlier (the benchmark asks for 36 months). Only scale 1 from 2024-01 is the committed demo."""
    b = _Builder(seed, scale, first_month)
    projects, pace, plan_share = _project_rows(b)
    plans, monthly = _plans_and_returns(b, projects, pace, plan_share)
    tables = {
        S.PROJECTS: projects,
        S.PLANS: plans,
        S.MONTHLY: monthly,
        S.FUNDING: _funding(b, projects),
        S.PROBLEMS: _problems(b, projects),
        S.INDICATORS: _indicators(b),
    }
    _monthly_cycle(tables)
    return DemoData(demo_boundaries(seed), tables)


def write(data: DemoData, out_dir: Path) -> list[Path]:
    """CSV files (UTF-8 with BOM, so Excel shows the Chinese) and the GeoJSON."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in data.tables.items():
        path = out_dir / f"{name}.csv"
        # Optional columns the demo does not use are left out, as a county's file may.
        unused = [c for c in S.OPTIONAL[name]
                  if c in df.columns and (df[c].isna().all() or (df[c] == "").all())]  # fmt: skip
        df.drop(columns=unused).to_csv(path, index=False, encoding="utf-8-sig")
        written.append(path)
    path = out_dir / S.BOUNDARIES_FILE
    path.write_text(json.dumps(data.boundaries, ensure_ascii=False), encoding="utf-8")
    written.append(path)
    return written
