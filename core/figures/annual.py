"""年度工作报告: the annual work report of a 重大办 in the shape of the report the product grew
from (docs: the seed report) — 一、重大项目运行情况 with its four parts (有效投资, 产业转型,
改革开放, 民生福祉), each 一是/二是… clause written from the data and left out when its data are
missing (the numbering closes up).

The project clauses use the same sentences as the monthly 简报 for the report's period (by
default the last December with returns); the others state the year's indicator rows: value,
change on the year before with the word its sign and unit call for, and the target where one
is given. As in the seed report, a part's first clause follows its heading ((一)…。一是…) and
each further clause (二是, 三是 …) is a paragraph of its own.

Every clause speaks of the report's year: the stages of the projects (储备, 申报) are known only
as they are today, so a report of a past year says plainly which list it counts. The report
closes with 二、下一步工作打算, written from the data as of the period: the counties and sectors
behind 序时进度, the open problems by type, the overdue milestones, and the next year's plan
where one is known. Amounts take one form throughout (1200亿元, 2890.7亿元: a whole number
without its ".0"), as the indicators state theirs.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd

from core.base import schema as S
from core.base import settings
from core.base.formatting import fixed, points, yi
from core.base.periods import Convention, Period
from core.figures import briefing as B
from core.figures import indicators as I
from core.figures import measures as M
from core.figures import milestones as N
from core.figures import overview as O
from core.figures.briefing import Briefing, Section
from core.figures.scope import Scope
from core.store.portfolio import Portfolio

_ORDINALS = "一二三四五六七八九十"
TOP_NAMED = 5  # how many lagging counties or sectors the closing part names
# An amount with a zero decimal: 1200.0亿元 → 1200亿元 (the indicators' form).
_ZERO_DECIMAL = re.compile(r"(?<![\d.])(\d+)\.0(?=亿|万)")
# 民生保障 falls into the report's four parts by these words, in this order (养老/医疗保险 are
# social security, not health); the rest is social security.
WELFARE_PARTS = (
    ("完善社会保障体系", ("就业", "失业", "保险", "参保", "住房", "租赁", "养老")),
    ("推进教育事业发展", ("教育", "学校", "学位")),
    ("加强医疗卫生服务", ("医疗", "医院", "卫生", "床位")),
    ("丰富文化生活", ("文化",)),
)


def report_period(p: Portfolio, year: int | None = None) -> Period:
    """The period an annual report speaks of: December of `year` (by default the latest year
    with a December return), or the latest month of that year when December has none yet."""
    periods = p.periods()
    if year is None:
        decembers = [x for x in periods if x.month == 12]
        return decembers[0] if decembers else p.latest_period
    mine = [x for x in periods if x.year == year]
    if not mine:
        raise ValueError(f"{year}年没有月度进度数据,无法生成年度工作报告")
    return max(mine)


def report_years(p: Portfolio) -> list[int]:
    """Years with returns, newest first: the choices of the report's year."""
    return sorted({x.year for x in p.periods()}, reverse=True)


def _indicator_clause(row: dict, before: float | None) -> str:
    name, unit, value = row[S.INDICATOR], row[S.UNIT], row[S.VALUE]
    text = f"{name}{I.with_unit(value, unit)}"
    change, _ = I.change_text(name, unit, value, before)
    if change:
        text += f",比上年{change}"
    target = row[S.TARGET]
    if not pd.isna(target):
        goal = I.with_unit(target, unit)
        if name in I.LOWER_IS_BETTER:
            text += f",控制在{goal}的目标以内" if value <= target else f",高于{goal}的目标"
        else:
            text += f",完成{goal}的目标" if value >= target else f",低于{goal}的目标"
    return text


def indicator_sentence(
    rows: pd.DataFrame, previous: pd.Series, year: int | None = None
) -> str | None:
    """全市研发投入150亿元,比上年增长12.0%;研发投入占GDP比重3.5%,比上年提高0.2个百分点。 —
    opened by the year ("2025年,全市…") when the figures are an earlier year's than the report's."""
    clauses = [_indicator_clause(r, previous.get(r[S.INDICATOR])) for r in rows.to_dict("records")]
    if not clauses:
        return None
    return (f"{year}年," if year else "") + "全市" + ";".join(clauses) + "。"


def _welfare_part(name: str) -> str:
    for part, words in WELFARE_PARTS:
        if any(w in name for w in words):
            return part
    return WELFARE_PARTS[0][0]


def one_form(text: str) -> str:
    """Amounts in one form: 1200.0亿元 → 1200亿元, 2890.7亿元 unchanged; rates are untouched."""
    return _ZERO_DECIMAL.sub(r"\1", text)


def pipeline_clause(p: Portfolio, scope: Scope) -> str | None:
    """The reserve and the submitted list in the report's time frame: as of today for the year
    in progress; for a past year, said plainly to be today's list (stages keep no history)."""
    sentence = O.pipeline_sentence(M.pipeline(p, scope), scope)
    if not sentence:
        return None
    latest = p.latest_period
    if latest is None or scope.period >= latest:
        return sentence
    body = sentence.removeprefix("目前,")
    return f"按{latest.label}的项目库统计({scope.period.year}年末的储备和申报清单未留存),{body}"


def _lagging(frame: pd.DataFrame, key: str) -> list[str]:
    behind = frame.assign(_p=frame[M.GAP].map(points))
    behind = behind.loc[behind["_p"] < 0].sort_values("_p", kind="mergesort")
    return [f"{r[key]}(落后{fixed(-r['_p'])}个百分点)" for r in behind.to_dict("records")]


def _named(names: list[str], noun: str) -> str:
    """城西区(落后6.2个百分点)、城北区(…) or, beyond TOP_NAMED, …等8个区县."""
    if len(names) <= TOP_NAMED:
        return "、".join(names)
    return "、".join(names[:TOP_NAMED]) + f"等{len(names)}个{noun}"


def next_steps(p: Portfolio, scope: Scope, conv: Convention) -> list[tuple[str, str]]:
    """下一步工作打算 from the data as of the report's period: (what, text) for each clause
    whose data are there — the lagging counties and sectors, the open problems by type, the
    overdue milestones, the next year's plan."""
    period = scope.period
    out = []
    counties = _lagging(M.county_ranking(p, scope, conv), S.COUNTY) if scope.is_whole_city else []
    sectors = _lagging(M.sector_breakdown(p, scope, conv), S.SECTOR)
    if counties or sectors:
        where = []
        if counties:
            where.append(f"{_named(counties, '区县')}完成率落后于序时进度")
        if sectors:
            where.append(f"{_named(sectors, '行业领域')}完成率落后于序时进度")
        out.append(("抓好滞后地区和领域",
                    f"{period.as_of}," + ";".join(where)
                    + "。将对滞后区县和领域逐一分析原因,加强调度,督促加快投资进度。"))  # fmt: skip
    open_ = M.open_problems(p, scope)
    if len(open_):
        counts = open_[S.PROBLEM_TYPE].value_counts()
        order = [t for t in settings.current().problem_types if t in counts.index] + sorted(
            set(counts.index) - set(settings.current().problem_types)
        )
        by_type = "、".join(f"{t}问题{int(counts[t])}个" for t in order)
        out.append(("推动问题化解",
                    f"{period.as_of},{scope.place}尚有{len(open_)}个项目问题未解决,其中{by_type}。"
                    "将逐项明确责任单位和办结时限,实行督办销号管理。"))  # fmt: skip
    nodes = N.projects_with_nodes(p, scope)
    late = int(nodes["逾期节点"].sum()) if len(nodes) else 0
    if late:
        projects = int((nodes["逾期节点"] > 0).sum())
        out.append(("紧盯节点计划",
                    f"{period.as_of},{projects}个项目的{late}个节点逾期未完成。"
                    "将按节点计划挂图作战,倒排工期,确保逾期节点尽快完成。"))  # fmt: skip
    following = period.year + 1
    plan = M.aligned_plan(p, following)[M.in_scope(p, scope)]
    if np.any(plan > 0):
        count = int((plan > 0).sum())
        out.append(("谋划下年度项目",
                    f"{following}年{scope.place}已安排年度计划投资的{O.level_noun(scope)}{count}个,"
                    f"年度计划投资{yi(float(plan.sum()))}。将提前做好开工准备,"
                    "力争项目早开工、早见效。"))  # fmt: skip
    return out


def _items(
    p: Portfolio, scope: Scope, conv: Convention
) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The report's parts, each with its 一是/二是 items and their text (None: left out)."""
    year = I.annual_year(p.indicators, scope.period)
    rows = p.indicators.loc[p.indicators[S.PERIOD] == str(year)] if year else p.indicators.iloc[:0]
    previous = (
        p.indicators.loc[p.indicators[S.PERIOD] == str(year - 1)].set_index(S.INDICATOR)[S.VALUE]
        if year
        else pd.Series(dtype=float)
    )

    def group(name: str, keep=lambda r: True) -> str | None:
        mine = rows.loc[rows[S.INDICATOR_GROUP] == name]
        chosen = mine.loc[mine[S.INDICATOR].map(keep)] if len(mine) else mine
        return indicator_sentence(chosen, previous, None if year == scope.period.year else year)

    def joined(*texts: str | None) -> str | None:
        return "".join(t for t in texts if t) or None

    welfare = [(part, group("民生保障", lambda n, part=part: _welfare_part(n) == part))
               for part, _ in WELFARE_PARTS]  # fmt: skip
    return [
        ("开展有效投资提升行动", [
            ("争取省级重点支持", pipeline_clause(p, scope)),
            ("加快项目建设", joined(B.fai_paragraph(p, scope), B.construction_sentences(p, scope, conv))),
            ("强化项目要素保障", B.funding_paragraph(p, scope)),
        ]),
        ("推动产业转型升级", [
            ("优化产业结构", joined(B.industry_paragraph(p, scope), group("产业转型"))),
            ("加强科技创新", group("科技创新")),
            ("促进绿色发展", group("绿色发展")),
        ]),
        ("深化改革开放", [("优化营商环境", group("营商环境")), ("扩大对外开放", group("对外开放"))]),
        ("提升民生福祉", welfare),
    ]  # fmt: skip


def write(
    p: Portfolio, scope: Scope, convention: Convention = Convention.MONTHS, year: int | None = None
) -> Briefing:
    """The annual report for the scope's filters as of report_period(p, year)."""
    period = report_period(p, year)
    scope = replace(scope, period=period)
    title = f"{period.year}年重大项目运行工作情况报告"
    if period.month != 12:
        title += f"(截至{period.month}月底)"
    office = settings.current().office
    opening = f"{period.year}年,{office}围绕重大项目建设主要任务,全面推进各项重点工作。现将工作情况报告如下:"
    if not scope.mask(p.projects).any():
        return Briefing(
            title, scope.sentence(), (Section("", f"{scope.place}当前筛选范围内没有项目。"),)
        )
    sections = [Section("", opening)]
    numbered = 0
    for heading, items in _items(p, scope, convention):
        present = [(name, text) for name, text in items if text]
        for i, (name, text) in enumerate(present):
            clause = f"{_ORDINALS[i]}是{name}。{one_form(text)}"
            if i == 0:  # the part's heading and its first clause: one paragraph
                first = "一、重大项目运行情况" if numbered == 0 else ""
                sections.append(Section(first, f"({_ORDINALS[numbered]}){heading}。{clause}"))
                numbered += 1
            else:
                sections.append(Section("", clause))
    steps = next_steps(p, scope, convention)
    for i, (name, text) in enumerate(steps):
        heading = "二、下一步工作打算" if i == 0 else ""
        sections.append(Section(heading, f"{_ORDINALS[i]}是{name}。{one_form(text)}"))
    return Briefing(title, scope.sentence(), tuple(sections))
