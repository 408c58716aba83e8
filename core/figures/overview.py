"""The overview's words: KPI card texts and the sentences under the charts."""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.base import schema as S
from core.base.formatting import (
    growth_phrase,
    is_missing,
    pct,
    points,
    schedule_phrase,
    signed_points,
    yi,
)
from core.base.periods import Convention, Period
from core.figures.measures import IndustryFigures, StageFigures, YearFigures, growth
from core.figures.scope import Scope


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    delta: str | None = None  # "+56.8%", "-8个": streamlit reads the direction from the sign
    delta_color: str = "normal"  # streamlit: normal (a rise is good), inverse, off
    help: str | None = None
    delta_arrow: str = "auto"  # "off" where the delta is a phrase, not a signed change
    description: str | None = "同比"  # shown after the delta: the same period last year


def _growth_delta(now: float, before: float) -> str | None:
    g = growth(now, before)
    if is_missing(g):
        return None
    return growth_phrase(g).replace("增长", "+").replace("下降", "-")


def _points_delta(now: float, before: float) -> str | None:
    if is_missing(now) or is_missing(before):
        return None
    return signed_points(now - before)


def _delta_sign_color(delta: str | None) -> str:
    return "off" if not delta or delta.startswith(("持平", "0.0")) else "normal"


def level_noun(scope: Scope) -> str:
    """省重点项目 / 省重点产业项目 / 重大项目 — what the figures count."""
    sector = scope.sectors[0].removesuffix("项目") if len(scope.sectors) == 1 else ""
    return f"{scope.level or '重大'}{sector}项目"


def kpi_cards(
    this: YearFigures,
    last: YearFigures,
    convention: Convention,
    no_base: str | None = None,
) -> list[Card]:
    """The year's cards; `no_base` (measures.no_base_reason) drops every change and says why."""
    ytd = this.period.ytd_label
    sched_delta = schedule_phrase(this.gap).replace("序时进度", "") if this.plan else None
    sched_color = "off"
    if this.plan and points(this.gap) > 0:
        sched_color = "normal"
    elif this.plan and points(this.gap) < 0:
        sched_color = "inverse"  # a "落后…" text without a minus sign: inverse makes it red
    last_gap = f"上年同期{schedule_phrase(last.gap)}。" if last.plan else ""
    cards = [
        Card(
            "项目数",
            f"{this.count}个",
            _count_delta(this.count, last.count),
            help="本年安排了年度计划投资的项目个数。",
        ),
        Card(
            "总投资(亿元)",
            yi(this.total_investment, unit=False),
            _growth_delta(this.total_investment, last.total_investment),
            help="上述项目的计划总投资。",
        ),
        Card(
            "年度计划投资(亿元)",
            yi(this.plan, unit=False),
            _growth_delta(this.plan, last.plan),
            help=f"{this.period.year}年计划完成投资。",
        ),
        Card(
            f"{ytd}完成投资(亿元)",
            yi(this.done, unit=False),
            _growth_delta(this.done, last.done),
            help=f"{this.period.year}年{ytd}完成投资之和。",
        ),
        Card(
            "完成率",
            pct(this.rate),
            _points_delta(this.rate, last.rate),
            help="累计完成投资占年度计划投资的比例。",
        ),
        Card(
            f"序时进度({convention.short})",
            pct(this.schedule),
            sched_delta,
            sched_color,
            help=f"序时进度口径:{convention.label}。{last_gap}",
            delta_arrow="off",
            description=None,
        ),
        Card(
            "开工率",
            pct(this.start_rate),
            _points_delta(this.start_rate, last.start_rate),
            help=f"本年计划开工{this.starts_planned}个,已开工{this.starts_done}个"
            + (
                f"(其中{this.starts_inferred}个未填实际开工年月,按在建阶段或本年已完成投资认定)。"
                if this.starts_inferred
                else "。"
            ),
        ),
    ]
    if no_base:
        cards = [
            c if c.description is None else replace(c, delta=None, help=f"{c.help}{no_base}")
            for c in cards
        ]
    return [_settled(c) for c in cards]


def _settled(c: Card) -> Card:
    """Colour from the sign; no arrow beside 持平 (an arrow says up or down)."""
    if c.delta_color == "normal":
        c = replace(c, delta_color=_delta_sign_color(c.delta))
    if c.delta and c.delta.startswith("持平"):
        c = replace(c, delta_arrow="off")
    return c


def _count_delta(now: int, before: int) -> str | None:
    if not before and not now:
        return None
    d = now - before
    return "持平" if d == 0 else f"{'+' if d > 0 else ''}{d}个"


def funding_card(now: float, before: float, no_base: str | None = None) -> Card:
    """`no_base` (measures.no_funding_base_reason) drops the change and says why."""
    help_text = "截至报告期末已落实的各类项目资金。"
    return _settled(
        Card(
            "已落实资金(亿元)",
            yi(now, unit=False),
            None if no_base else _growth_delta(now, before),
            help=help_text + (no_base or ""),
        )
    )


def pipeline_cards(stages: list[StageFigures]) -> list[Card]:
    cards = []
    for s in stages:
        extra = []
        if s.new_count:
            extra.append(f"其中新引进{s.new_count}个,总投资{yi(s.new_total)}")
        if s.subsidy_sought:
            extra.append(f"拟争取补助资金{yi(s.subsidy_sought)}")
        cards.append(
            Card(
                f"{s.stage}项目",
                f"{s.count}个",
                yi(s.total_investment),
                "off",
                ";".join(extra) or None,
                delta_arrow="off",
                description=None,
            )
        )
    return cards


def stages_as_of(scope: Scope, latest: Period) -> str | None:
    """The label of the stage figures when a past period is chosen, else None.

    A project's stage (储备, 申报, 在建 …) is kept as it stands now, not month by month, so at a
    past period the stage figures are today's and must say so."""
    if scope.period >= latest:
        return None
    return f"项目阶段为当前状态(截至{latest.label}),不随所选报告期({scope.period.label})回溯"


def pipeline_sentence(
    stages: list[StageFigures], scope: Scope, latest: Period | None = None
) -> str | None:
    """目前,全市储备省重点项目103个,计划总投资2890.7亿元,其中新引进项目56个…

    At a past period (`latest` after it) the sentence opens with the date it speaks of."""
    by = {s.stage: s for s in stages}
    noun = level_noun(scope)
    clauses = []
    r = by.get(S.STAGE_RESERVE)
    if r and r.count:
        c = f"储备{noun}{r.count}个,计划总投资{yi(r.total_investment)}"
        if r.new_count:
            c += f",其中新引进项目{r.new_count}个,总投资{yi(r.new_total)}"
        clauses.append(c)
    s = by.get(S.STAGE_SUBMITTED)
    if s and s.count:
        c = f"已申报{noun}{s.count}个,计划总投资{yi(s.total_investment)}"
        if s.subsidy_sought:
            c += f",拟争取省级补助资金{yi(s.subsidy_sought)}"
        clauses.append(c)
    if not clauses:
        return None
    now = "目前" if latest is None or scope.period >= latest else f"截至{latest.label}(当前状态)"
    return f"{now},{scope.place}" + ";".join(clauses) + "。"


def construction_sentence(this: YearFigures, scope: Scope) -> str | None:
    """截至2月底,全市106个省重点项目累计完成投资172.6亿元,占年度计划的14.3%,落后序时进度2.4个百分点。"""
    if not this.count:
        return None
    return (
        f"截至{this.period.month}月底,{scope.place}{this.count}个{level_noun(scope)}"
        f"累计完成投资{yi(this.done)},占年度计划的{pct(this.rate)},"
        f"{schedule_phrase(this.gap)}。"
    )


def industry_sentence(f: IndustryFigures) -> str:
    text = f"其中产业项目{f.count}个,总投资{yi(f.total_investment)}"
    if f.high_tech_count:
        text += (
            f";高新技术产业项目{f.high_tech_count}个,总投资{yi(f.high_tech_total)},"
            f"占产业项目总投资的{pct(f.high_tech_share)}"
        )
    return text + "。"


def funding_sentence(channels: dict[str, float], scope: Scope) -> str | None:
    """全市已落实各类项目资金1200.0亿元,其中专项债券资金300.0亿元,银行贷款700.0亿元,…"""
    total = sum(channels.values())
    if total <= 0:
        return None
    names = {"专项债券": "专项债券资金", "银行贷款": "银行贷款", "其他融资渠道": "其他融资渠道"}
    parts = [f"{names.get(k, k)}{yi(v)}" for k, v in channels.items() if v > 0]
    return f"{scope.place}已落实各类项目资金{yi(total)},其中" + ",".join(parts) + "。"
