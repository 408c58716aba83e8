"""The written briefing: the annual report's paragraphs, generated for any scope and period.

Every figure comes through core.figures.measures, the same functions the pages use. Words follow the
sign (超/落后, 增长/下降, 提高/降低, 前移/后移); a clause whose data is missing is left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.base import schema as S
from core.base import settings
from core.base.formatting import (
    fixed,
    growth_phrase,
    is_missing,
    join_names,
    pct,
    points,
    round_half_up,
    yi,
)
from core.base.periods import Convention
from core.figures import alerts as A
from core.figures import collection as C
from core.figures import indicators as I
from core.figures import measures as M
from core.figures import overview as O
from core.figures import supervision as V
from core.figures.scope import Scope
from core.store.portfolio import Portfolio

TOP_BEHIND = 3  # how many of the furthest-behind counties/sectors/projects a paragraph names
TOP_WAITING = 3


@dataclass(frozen=True)
class Section:
    heading: str  # 一、重大项目推进情况
    text: str


@dataclass(frozen=True)
class Briefing:
    title: str
    scope_sentence: str
    sections: tuple[Section, ...]

    def text(self) -> str:
        """Plain text: the title, the scope, then each heading (when it has one) and paragraph."""
        parts = [self.title, self.scope_sentence]
        for s in self.sections:
            parts += [s.heading, s.text] if s.heading else [s.text]
        return "\n".join(parts)


_NUMERALS = "一二三四五六七八九十"


def scope_prose(scope: Scope, subject: str = "本期简报") -> str:
    """The scope as a sentence of a document's text, where the screen shows its `范围:… · …`
    line: 本期简报统计范围为全市各行业领域的省重点项目,数据截至2026年2月底。"""
    sectors = f"{'、'.join(scope.sectors)}领域" if scope.sectors else "各行业领域"
    stage = f"处于{scope.stage}阶段的" if scope.stage else ""
    level = f"{scope.level}项目" if scope.level else "各级重大项目"
    return f"{subject}统计范围为{scope.place}{sectors}的{stage}{level},数据{scope.period.as_of}。"


def _change_words(now: float, before: float) -> str | None:
    """增长12.3% / 下降4.0% against last year, from two amounts; None without a base."""
    g = M.growth(now, before)
    return None if is_missing(g) else growth_phrase(g)


def _count_change(now: int, before: int) -> str:
    d = now - before
    return "持平" if d == 0 else f"{'增加' if d > 0 else '减少'}{abs(d)}个"


def construction_sentences(p: Portfolio, scope: Scope, convention: Convention) -> str | None:
    """The year's construction against 序时进度, with last year's same period, and the starts."""
    this, last = M.year_figures_with_last_year(p, scope, convention)
    sentence = O.construction_sentence(this, scope)
    if not sentence:
        return None
    if last.count and last.plan:
        change = _change_words(this.done, last.done)
        lead = f"上年同期{last.count}个项目完成投资{yi(last.done)},占年度计划的{pct(last.rate)};"
        compare = f"与上年同期相比,项目数{_count_change(this.count, last.count)}"
        if change:
            compare += f",完成投资{change}"
        d = points(this.rate - last.rate)
        if d:
            compare += f",完成率{'提高' if d > 0 else '降低'}{fixed(abs(d))}个百分点"
        sentence += lead + compare + "。"
    if this.starts_planned:
        sentence += (
            f"本年计划开工项目{this.starts_planned}个,已开工{this.starts_done}个"
            + (
                f"(其中{this.starts_inferred}个未填实际开工年月,按在建或已完成投资认定)"
                if this.starts_inferred
                else ""
            )
            + ","
            f"开工率{pct(this.start_rate)}。"
        )
    return sentence


def industry_paragraph(p: Portfolio, scope: Scope) -> str | None:
    """实施产业项目80个,总投资1200.0亿元,其中高新技术产业项目40个…; None outside them."""
    industry = M.industry_figures(p, scope)
    if not industry.count or (
        scope.sectors and not set(scope.sectors) & set(settings.current().industry_sectors)
    ):
        return None
    text = f"实施产业项目{industry.count}个,总投资{yi(industry.total_investment)}"
    if industry.high_tech_count:
        text += (
            f",其中高新技术产业项目{industry.high_tech_count}个,总投资"
            f"{yi(industry.high_tech_total)},占比{pct(industry.high_tech_share)}"
        )
    return text + "。"


def pipeline_paragraph(p: Portfolio, scope: Scope) -> str | None:
    return O.pipeline_sentence(M.pipeline(p, scope), scope, p.latest_period)


def construction_paragraph(p: Portfolio, scope: Scope, convention: Convention) -> str | None:
    parts = (
        pipeline_paragraph(p, scope),
        construction_sentences(p, scope, convention),
        industry_paragraph(p, scope),
    )
    return "".join(x for x in parts if x) or None


def collection_sentence(p: Portfolio, scope: Scope, today: dt.date | None = None) -> str | None:
    """本期有2个区县未报齐:城北区(3个项目未报送)、高新区(1个项目未报送)。
    None when every county owing returns for the period has sent them all (报送情况)."""
    behind = C.collection(p, scope, today=today).to_chase
    if behind.empty:
        return None
    names = "、".join(f"{r[S.COUNTY]}({int(r[C.MISSING])}个项目未报送)"
                     for r in behind.to_dict("records"))  # fmt: skip
    return f"本期有{len(behind)}个区县未报齐:{names}。"


def fai_paragraph(p: Portfolio, scope: Scope) -> str | None:
    """全市固定资产投资同比增长7.0%,增速与全年目标持平,总量居全省第4位,较上年同期前移3位;…"""
    rows = I.fai_rows(p.indicators, scope.period)
    this_year = rows.loc[rows[S.PERIOD].str.startswith(str(scope.period.year))]
    if this_year.empty:
        return None
    month = this_year[S.PERIOD].max()
    now = this_year.loc[this_year[S.PERIOD] == month].set_index(S.INDICATOR)
    if S.FAI_TOTAL not in now.index:
        return None
    label = f"{month[:4]}年1-{int(month[5:])}月" if int(month[5:]) > 1 else f"{month[:4]}年1月"
    total = now.loc[S.FAI_TOTAL]
    text = f"{label},全市固定资产投资同比{growth_phrase(total[S.VALUE] / 100)}"
    target = total[S.TARGET]
    if not is_missing(target):
        d = points((total[S.VALUE] - target) / 100)
        if d == 0:
            text += ",增速与全年目标持平"
        else:
            text += f",增速{'高于' if d > 0 else '低于'}全年目标{fixed(abs(d))}个百分点"
    if S.FAI_RANK in now.index:
        rank = int(now.loc[S.FAI_RANK, S.VALUE])
        text += f",总量居全省第{rank}位"
        last = rows.loc[
            (rows[S.PERIOD] == f"{int(month[:4]) - 1}{month[4:]}")
            & (rows[S.INDICATOR] == S.FAI_RANK)
        ]
        if len(last):
            change, _ = I.change_text(S.FAI_RANK, "位", rank, float(last[S.VALUE].iloc[0]))
            text += f",较上年同期{change}"
    cats = [(c, now.loc[c, S.VALUE]) for c in S.FAI_CATEGORIES if c in now.index]
    if cats:
        names = [c.replace("增速", "") for c, _ in cats]
        phrases = [growth_phrase(v / 100) for _, v in cats]
        if all(ph.startswith("增长") for ph in phrases):
            text += (
                f";其中{'、'.join(names)}分别增长"
                + "、".join(ph.removeprefix("增长") for ph in phrases)
                if len(cats) > 1
                else f";其中{names[0]}{phrases[0]}"
            )
        else:
            text += ";其中" + ",".join(f"{n}{ph}" for n, ph in zip(names, phrases, strict=True))
    return text + "。"


def funding_paragraph(p: Portfolio, scope: Scope) -> str | None:
    return O.funding_sentence(M.funding_by_channel(p, scope), scope)


def breakdown_paragraph(p: Portfolio, scope: Scope, convention: Convention) -> str | None:
    """By county for the whole city, otherwise by sector: who is ahead, who trails most."""
    by_county = scope.is_whole_city
    frame = (M.county_ranking if by_county else M.sector_breakdown)(p, scope, convention)
    if len(frame) < 2:
        return None
    key = S.COUNTY if by_county else S.SECTOR
    what = "区县" if by_county else "行业领域"
    shown = frame.assign(_p=frame[M.GAP].map(points))
    ahead = shown.loc[shown["_p"] >= 0, key].tolist()
    behind = shown.loc[shown["_p"] < 0].sort_values("_p")
    text = f"分{what}看,{len(frame)}个{what}"
    if ahead:
        text += f"中{len(ahead)}个达到或超过序时进度({join_names(ahead, 5)})"
    else:
        text += "均落后于序时进度"
    if len(behind):
        worst = [
            f"{r[key]}(完成率{pct(r[M.RATE])},落后{fixed(-r['_p'])}个百分点)"
            for r in behind.head(TOP_BEHIND).to_dict("records")
        ]
        text += f";落后最多的是{'、'.join(worst)}"
    return text + "。"


def problems_paragraph(p: Portfolio, scope: Scope) -> str | None:
    open_ = M.open_problems(p, scope)
    if open_.empty:
        raised = M.problems_at(p, scope)
        return f"{scope.period.as_of},登记的{len(raised)}个问题均已解决。" if len(raised) else None
    counts = open_[S.PROBLEM_TYPE].value_counts()
    order = [t for t in settings.current().problem_types if t in counts.index] + sorted(
        set(counts.index) - set(settings.current().problem_types)
    )
    by_type = "、".join(f"{t}{int(counts[t])}个" for t in order)
    text = f"{scope.period.as_of},尚有{len(open_)}个问题未解决,其中{by_type}。"
    waiting = [
        f"{r[S.NAME]}({r[S.PROBLEM_TYPE]}问题,"
        + (f"已等待{int(r['已等待(月)'])}个月" if int(r["已等待(月)"]) else "本月提出")
        + (f",责任单位{r[S.RESPONSIBLE_UNIT]}" if r[S.RESPONSIBLE_UNIT] else "")
        + ")"
        for r in open_.head(TOP_WAITING).to_dict("records")
    ]
    if waiting:
        text += "等待时间最长的是" + "、".join(waiting) + "。"
    return text


def alerts_paragraph(
    p: Portfolio, scope: Scope, convention: Convention, today: dt.date | None = None
) -> str:
    """截至2月底,按预警规则共有预警70条,其中红色36条、黄色34条;分规则看,…;红色预警最多的是…"""
    frame = A.alerts(p, scope, convention, today)
    if frame.empty:
        return f"{scope.period.as_of},按预警规则{scope.place}未发现预警。"
    red = int((frame[A.LEVEL] == A.RED).sum())
    text = (
        f"{scope.period.as_of},按预警规则{scope.place}共有预警{len(frame)}条,"
        f"其中红色预警{red}条、黄色预警{len(frame) - red}条"
    )
    counts = A.counts_by_rule(frame)
    rules = [f"{r[A.RULE]}{r['合计']}条" for r in counts.to_dict("records") if r["合计"]]
    text += ";分规则看," + "、".join(rules)
    reds = frame.loc[frame[A.LEVEL] == A.RED]
    if len(reds) and scope.is_whole_city:
        top = A.most_red_by_county(frame, TOP_BEHIND)  # ties with the last one named stay
        text += ";红色预警较多的区县是" + "、".join(f"{c}({n}条)" for c, n in top.items())
    return text + "。"


def supervision_paragraph(p: Portfolio, scope: Scope, today: dt.date | None = None) -> str | None:
    """截至2月底,累计交办问题61个,已办结25个(已销号12个),办结率41.0%,平均办结用时138.9天;…
    None when no problem was ever 交办 (an office that does not record 督办)."""
    frame = V.problems_as_of(p, scope, today)
    f = V.figures(frame)
    if not (frame[S.ASSIGNED_ON] != "").any():
        return None
    text = (
        f"{scope.period.as_of},{scope.place}累计交办问题{f.assigned}个,已办结{f.closed}个"
        + (f"(其中已销号{f.cleared}个)" if f.cleared else "")
        + f",办结率{pct(f.rate)}"
    )
    if f.timed:
        text += f",平均办结用时{round_half_up(f.mean_days, 1):g}天"
    text += f";在办{f.handling}个"
    if f.overdue:
        text += f",其中超过办结时限{f.overdue}个"
        late = frame.loc[frame[V.OVERDUE_DAYS] > 0, S.RESPONSIBLE_UNIT].value_counts()
        text += ",超期较多的责任单位是" + "、".join(
            f"{u}({n}个)" for u, n in late.head(TOP_WAITING).items()
        )
    if f.waiting:
        text += f";另有{f.waiting}个问题待交办"
    return text + "。"


def write(
    p: Portfolio,
    scope: Scope,
    convention: Convention = Convention.MONTHS,
    today: dt.date | None = None,
) -> Briefing:
    """The 简报 of the scope as of the period (and of `today`, for what is overdue): computed
    once per scope, rule and day for every session."""
    day = today or dt.date.today()
    return p.memo(("briefing", scope, convention, day), lambda: _write(p, scope, convention, day))


def _write(p: Portfolio, scope: Scope, convention: Convention, today: dt.date) -> Briefing:
    title = f"重大项目运行情况简报({scope.period.label})"
    if not scope.mask(p.projects).any():
        return Briefing(
            title, scope.sentence(), (Section("", f"{scope.place}当前筛选范围内没有项目。"),)
        )
    candidates = [
        ("重大项目推进情况", construction_paragraph(p, scope, convention)),
        ("固定资产投资", fai_paragraph(p, scope)),
        ("要素保障", funding_paragraph(p, scope)),
        (
            "分区县推进情况" if scope.is_whole_city else "分行业推进情况",
            breakdown_paragraph(p, scope, convention),
        ),
        ("存在问题", problems_paragraph(p, scope)),
        ("预警情况", alerts_paragraph(p, scope, convention, today)),
        ("问题督办", supervision_paragraph(p, scope, today)),
    ]
    sections = [(h, t) for h, t in candidates if t]
    missing = collection_sentence(p, scope, today)
    if missing and sections:  # the first paragraph says the month is incomplete
        sections[0] = (sections[0][0], sections[0][1] + missing)
    return Briefing(
        title,
        scope.sentence(),
        tuple(Section(f"{_NUMERALS[i]}、{h}", t) for i, (h, t) in enumerate(sections)),
    )


def furthest_behind(p: Portfolio, scope: Scope, convention: Convention, n: int = 10):
    """The projects furthest behind 序时进度 (with a plan this year), worst first."""
    table = M.annual_projects(M.projects_in_scope(p, scope, convention))
    return table.sort_values(M.GAP, kind="mergesort").head(n)
