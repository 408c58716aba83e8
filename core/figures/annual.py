"""年度工作报告: the annual work report of a 重大办 in the shape of the report the product grew
from (docs: the seed report) — 一、重大项目运行情况 with its four parts (有效投资, 产业转型,
改革开放, 民生福祉), each 一是/二是… clause written from the data and left out when its data are
missing (the numbering closes up).

The project clauses use the same sentences as the monthly 简报 for the report's period (by
default the last December with returns); the others state the year's indicator rows: value,
change on the year before with the word its sign and unit call for, and the target where one
is given.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from core.base import schema as S
from core.base import settings
from core.base.periods import Convention, Period
from core.figures import briefing as B
from core.figures import indicators as I
from core.figures.briefing import Briefing, Section
from core.figures.scope import Scope
from core.store.portfolio import Portfolio

_ORDINALS = "一二三四五六七八九十"
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
            ("争取省级重点支持", B.pipeline_paragraph(p, scope)),
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
    parts = []
    for heading, items in _items(p, scope, convention):
        present = [(name, text) for name, text in items if text]
        if present:
            body = "".join(
                f"{_ORDINALS[i]}是{name}。{text}" for i, (name, text) in enumerate(present)
            )
            parts.append((heading, body))
    sections = [Section("", opening)]
    for i, (heading, body) in enumerate(parts):
        first = "一、重大项目运行情况" if i == 0 else ""
        sections.append(Section(first, f"({_ORDINALS[i]}){heading}。{body}"))
    return Briefing(title, scope.sentence(), tuple(sections))
