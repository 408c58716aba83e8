"""The meeting as a 16:9 slide deck (.pptx, python-pptx): a title slide with the period, then
for each view one slide per 汇报模式 screen of its page — its page title and screen, the scope
sentence as subtitle, its KPI figures as editable text, its charts as PNG drawn for their
place on the slide, a table where the screen shows one — and, as speaker notes, the
briefing's paragraphs for that view's scope.

Projected, nothing is under MIN_PT (14 pt): text boxes are sized from an estimate of their
wrapped text (`text_height`), and what does not fit a slide goes on to the next, 「（续）」.

Fonts are named as in the Word briefing (黑体 for titles and figures, 仿宋 for notes and
tables' body); East Asian text needs the `a:ea` typeface on every run, set here.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field, replace

import pandas as pd
import vl_convert as vlc
from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from core.base import schema as S
from core.base import settings
from core.base.cells import document_text
from core.base.formatting import pct, schedule_phrase, signed_points, yi_two_decimals
from core.base.periods import Convention, Period
from core.figures import alerts as A
from core.figures import briefing as B
from core.figures import indicators as I
from core.figures import measures as M
from core.figures import milestones as N
from core.figures import overview as O
from core.figures import progress as PV
from core.figures import project as P
from core.figures import ranking as R
from core.figures import status
from core.figures import supervision as V
from core.figures.scope import Scope
from core.output import charts, export, pages, project_file
from core.output.agenda import Agenda, View
from core.output.document import BODY_FONT, HEADING_FONT
from core.store import datasource, photos
from core.store.portfolio import Portfolio
from core.store.versions import Store

SLIDE_WIDTH, SLIDE_HEIGHT = (
    Emu(12192000),
    Emu(6858000),
)  # 16:9, as PowerPoint's own (13.333 × 7.5 in)
MARGIN = Inches(0.45)
INK = RGBColor(0x11, 0x11, 0x11)
GREY = RGBColor(0x55, 0x55, 0x55)
BLUE = RGBColor(0x1F, 0x4E, 0x9C)
MAX_KPIS = 8  # two rows of four on a slide with a chart or a table
MAX_KPIS_ALONE = 16  # four rows of four on a slide of figures only; more go on a (续) slide
TABLE_ROWS = 8  # projects in the notes of the 挂图作战 slide
GANTT_ROWS = 8  # projects on the 挂图作战 slide's chart: room for a line each at MIN_PT
CONTINUED = "（续）"  # the title's mark on a slide that continues the one before
MAX_CONTINUED = 20  # slides of one screen at most (a 简报 of the city takes two)

# Projected, nothing on a slide is smaller than MIN_PT points: the slide's text boxes, and each
# chart, drawn at the size of its place on the slide in CSS pixels (one pixel a point, the
# picture placed at exactly that size) with every font at least MIN_PT pixels.
MIN_PT = 14
BODY_PT = 16  # running text on a slide (the 简报, a page's sentences)
CHART_DPI = 216  # the charts' pixels per inch: three per point, sharp on any projector
LINE_SPACING = 1.45  # a CJK face's line: ascent + descent of Noto Sans CJK, 黑体 or 仿宋
INSET = Inches(0.1)  # python-pptx's default left/right inset of a text box
INSET_Y = Inches(0.05)


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str = ""  # the change, or what the figure is compared with


@dataclass
class SlideContent:
    title: str  # 总览 · 城东区
    subtitle: str  # the scope sentence
    figures: list[Figure] = field(default_factory=list)
    charts: list[charts.ChartOut] = field(default_factory=list)
    table: pd.DataFrame | None = None
    notes: str = ""
    table_widths: tuple[float, ...] | None = None  # relative column widths; None: a project list
    screen: str = ""  # the 汇报模式 screen the slide shows (core.output.pages)
    body: str = ""  # sentences shown on the slide, beside the charts or below the figures
    table_unit: str = "条"  # what the table's rows count, for 「第1–8条,共70条」
    footnote: str = ""  # set when laid out: which of the table's rows the slide shows
    # Site photos (JPEG, caption), PHOTOS_PER_SLIDE to a slide, each sized to its half
    photos: list[tuple[bytes, str]] = field(default_factory=list)


def _cards(cards: list[O.Card]) -> list[Figure]:
    """The cards with their change as the page says it: 「同比+3.1%」."""
    return [Figure(c.label, c.value, f"{c.description or ''}{c.delta}" if c.delta else "")
            for c in cards]  # fmt: skip


def _indicator_cards(cards: list[I.Card]) -> list[Figure]:
    return [Figure(c.label, c.value, c.change or "") for c in cards]


def _paragraphs(*texts: str | None) -> str:
    return "\n".join(t for t in texts if t)


def _title(view: View) -> str:
    place = "、".join(view.counties) if view.counties else "全市"
    sectors = "、".join(view.sectors)
    return " · ".join(x for x in (view.page_title, place, sectors) if x)


def _overview(p: Portfolio, scope: Scope, conv: Convention) -> list[SlideContent]:
    this, last = M.year_figures_with_last_year(p, scope, conv)
    now = M.funding_by_channel(p, scope)
    before = M.funding_by_channel(p, scope, scope.period.same_period_last_year())
    cards = [
        *O.kpi_cards(this, last, conv, M.no_base_reason(p, scope.period)),
        O.funding_card(
            sum(now.values()), sum(before.values()), M.no_funding_base_reason(p, scope.period)
        ),
    ]
    stages = O.pipeline_cards(M.pipeline(p, scope))
    first = SlideContent("", scope.sentence(), _cards(cards), screen="年度投资")
    # As the screen: the year's sentence, then 项目储备与推进 a stage a line.
    first.body = "\n".join([O.construction_sentence(this, scope) or "", "项目储备与推进:",
                            *(f"{c.label}{c.value},总投资{c.delta}" for c in stages)])  # fmt: skip
    first.notes = B.construction_paragraph(p, scope, conv) or ""
    second = SlideContent("", scope.sentence(), screen="区县排名与行业构成")
    if this.count:
        ranking = M.county_ranking(p, scope.citywide(), conv)
        second.charts.append(charts.county_ranking(ranking, scope, this.schedule))
        second.charts.append(charts.sector_composition(M.sector_breakdown(p, scope, conv), scope))
    else:
        second.body = "当前范围内本年没有安排年度计划投资的项目,无法计算完成率和区县排名。"
    third = SlideContent("", scope.sentence(), screen="资金来源")
    funding = M.funding_by_source(p, scope)
    if len(funding):
        third.charts.append(charts.funding_by_source(funding, scope))
    else:
        third.body = "当前范围内截至报告期没有已落实资金的记录。"
    third.notes = O.funding_sentence(now, scope) or ""
    return [first, second, third]


def _progress(p: Portfolio, scope: Scope, conv: Convention) -> list[SlideContent]:
    table = M.progress_table(p, scope, conv)
    counts = table[M.STATUS].value_counts()
    figures = [Figure("范围内项目", f"{len(table)}个")]
    figures += [Figure(s, f"{int(counts.get(s, 0))}个") for s in status.STATUSES]
    behind = B.furthest_behind(p, scope, conv, len(table))
    listed = pd.DataFrame(
        {
            "项目名称": behind[S.NAME],
            "区县": behind[S.COUNTY],
            "状态": behind[M.STATUS],
            "完成率": behind[M.RATE].map(pct),
            "与序时进度之差": behind[M.GAP].map(signed_points),
            "年度计划": behind[M.PLAN].map(yi_two_decimals),
            "累计完成": behind[M.DONE].map(yi_two_decimals),
        }
    )
    notes = _paragraphs(status.rule(), B.breakdown_paragraph(p, scope, conv))
    first = SlideContent("", scope.sentence(), figures, table=listed, notes=notes,
                         screen="项目清单", table_unit="个项目")  # fmt: skip
    second = SlideContent("", scope.sentence(), screen="单个项目")
    planned = behind.loc[behind[M.PLAN] > 0]
    if planned.empty:
        second.body = "范围内的项目本年都没有年度计划投资,无法绘制进度曲线。"
        return [first, second]
    code = planned.iloc[0][S.CODE]  # as 汇报模式 shows it: the project furthest behind
    row = table.loc[table[S.CODE] == code].iloc[0]
    name = row[S.NAME]
    second.charts.append(charts.project_curve(M.project_curve(p, code, scope.period), scope, name))
    shown = ("项目代码", "所在区县", "建设单位", "年度计划投资", "累计完成投资", "完成率", "状态",
             "形象进度", "存在问题")  # fmt: skip
    second.body = "\n".join(f"{k}:{v}" for k, v in PV.detail_rows(row) if k in shown)
    return [first, second]


def _growth(p: Portfolio, scope: Scope, conv: Convention) -> list[SlideContent]:
    first = SlideContent("", scope.sentence(), screen="累计完成投资")
    series = M.cumulative_by_month(p, scope)
    if series[M.VALUE].sum():
        first.charts.append(charts.cumulative(series, scope))
    else:
        first.body = "当前范围内本年和上年都没有完成投资的数据。"
    codes = p.projects.loc[M.in_scope(p, scope), S.CODE]
    first.notes = M.coverage_note(p, codes, scope.period.year) or ""
    cards = I.fai_cards(p.indicators, scope.period)
    second = SlideContent("", scope.sentence(), _indicator_cards(cards),
                          screen="固定资产投资增速")  # fmt: skip
    rows = I.fai_rows(p.indicators, scope.period)
    rows = rows.loc[rows[S.INDICATOR] != S.FAI_RANK]
    if cards and len(rows):
        second.charts.append(charts.fai_growth(rows, scope))
    elif not cards:
        second.body = "指标表中没有本年的固定资产投资增速数据。"
    second.notes = B.fai_paragraph(p, scope) or ""
    third = SlideContent("", scope.sentence(), screen="区县与行业对比")
    ranking = M.county_ranking(p, scope.citywide(), conv)
    sched = M.year_figures(p, scope.citywide(), conv).schedule  # monthly plans: the city's
    if len(ranking):
        third.charts.append(charts.comparison(ranking, S.COUNTY, scope, sched, "county_rates",
                                              "各区县完成率", highlight=scope.counties))  # fmt: skip
        sectors = M.sector_breakdown(p, scope, conv)
        if len(sectors):
            third.charts.append(charts.comparison(sectors, S.SECTOR, scope, sched,
                                                  "sector_rates", "各行业领域完成率"))  # fmt: skip
    else:
        third.body = "当前范围内本年没有安排年度计划投资的项目。"
    return [first, second, third]


def _map(p: Portfolio, scope: Scope, conv: Convention) -> list[SlideContent]:
    from core.output import maps

    ranking = M.county_ranking(p, scope, conv)
    this = M.year_figures(p, scope, conv)
    figures = [Figure("完成率", pct(this.rate)), Figure("序时进度", pct(this.schedule))]
    out = SlideContent("", scope.sentence(), figures, screen="项目地图")
    out.charts.append(maps.county_map_chart(p.boundaries, ranking, scope))
    out.notes = B.breakdown_paragraph(p, scope, conv) or ""
    return [out]


def _factors(p: Portfolio, scope: Scope, conv: Convention) -> list[SlideContent]:
    problems = M.problems_at(p, scope)
    open_ = M.open_problems(p, scope)
    figures = [
        Figure("登记问题", f"{len(problems)}个"),
        Figure("未解决", f"{len(open_)}个"),
        Figure("已解决", f"{len(problems) - len(open_)}个"),
    ]
    first = SlideContent("", scope.sentence(), figures, screen="存在问题")
    if len(problems):
        by_type = M.problem_counts(p, scope, S.PROBLEM_TYPE)
        first.charts.append(charts.problems(by_type, S.PROBLEM_TYPE, scope, "problems_by_type",
                                            "存在问题按类型"))  # fmt: skip
        by_county = M.problem_counts(p, scope.citywide(), S.COUNTY)
        order = {c: i for i, c in enumerate(p.counties)}
        by_county = by_county.sort_values(S.COUNTY, key=lambda s: s.map(order), kind="mergesort")
        first.charts.append(charts.problems(by_county, S.COUNTY, scope, "problems_by_county",
                                            "存在问题按区县", highlight=scope.counties))  # fmt: skip
    first.notes = B.problems_paragraph(p, scope) or ""
    second = SlideContent("", scope.sentence(), screen="未解决问题清单", table_unit="个问题")
    if len(open_):
        second.table = pd.DataFrame(
            {"项目名称": open_[S.NAME], "区县": open_[S.COUNTY], "问题类型": open_[S.PROBLEM_TYPE],
             "存在问题": open_[S.PROBLEM_TEXT], "已等待(月)": open_["已等待(月)"],
             "责任单位": open_[S.RESPONSIBLE_UNIT]}
        )  # fmt: skip
        second.table_widths = (2.6, 0.9, 1.0, 3.6, 1.0, 1.8)
    else:
        second.body = (
            "截至报告期,范围内登记的问题均已解决。" if len(problems)
            else "当前范围内截至报告期没有登记存在问题。"
        )  # fmt: skip
    third = SlideContent("", scope.sentence(), screen="资金保障")
    funding = M.funding_by_source(p, scope)
    if len(funding):
        third.charts.append(charts.funding_by_source(funding, scope))
        third.charts.append(charts.funding_by_county(M.funding_by_county(p, scope.citywide()),
                                                     scope, p.counties, scope.counties))  # fmt: skip
    else:
        third.body = "当前范围内截至报告期没有已落实资金的记录。"
    third.notes = B.funding_paragraph(p, scope) or ""
    return [first, second, third]


# 经济指标's screens in 汇报模式, as app_pages/indicators.py cuts them: two groups a screen, the
# long 民生保障 alone; a group not named here joins the last screen.
INDICATOR_SCREEN_OF = {"固定资产投资": 0, "产业转型": 0, "科技创新": 1, "绿色发展": 1,
                       "营商环境": 2, "对外开放": 2}  # fmt: skip


def _indicators(p: Portfolio, scope: Scope, conv: Convention) -> list[SlideContent]:
    now = M.industry_figures(p, scope)
    before = M.industry_figures(p, scope, scope.period.same_period_last_year())
    cards = I.industry_cards(now, before, scope.period.year) if now.count else []
    cards += I.fai_cards(p.indicators, scope.period)
    annual = I.annual_cards(p.indicators, scope.period)
    screens = pages.get("indicators").screens
    out = [SlideContent("", scope.sentence(), screen=s) for s in screens]
    out[0].figures = _indicator_cards(cards)
    out[0].notes = B.fai_paragraph(p, scope) or ""
    for group in S.INDICATOR_GROUPS:
        mine = [c for c in annual if c.group == group]
        at = out[min(INDICATOR_SCREEN_OF.get(group, len(out) - 1), len(out) - 1)]
        at.figures += _indicator_cards(mine)
        at.notes = _paragraphs(at.notes, *(f"{c.group}:{c.label}{c.value}"
                                           f"{(',' + c.change) if c.change else ''}"
                                           for c in mine))  # fmt: skip
    for slide in out:
        if not slide.figures:
            slide.body = "指标表中没有报告期之前的年度指标。"
    return out


def _briefing(p: Portfolio, scope: Scope, conv: Convention) -> list[SlideContent]:
    text = B.write(p, scope, conv)
    out = SlideContent("", scope.sentence(), screen="简报")
    out.body = "\n".join(f"{s.heading}\n{s.text}" for s in text.sections)
    out.notes = out.body
    return [out]


def _alerts(p: Portfolio, scope: Scope, conv: Convention) -> list[SlideContent]:
    frame = A.alerts(p, scope, conv)
    red = int((frame[A.LEVEL] == A.RED).sum())
    counts = A.counts_by_rule(frame)
    figures = [Figure("预警总数", f"{len(frame)}条"), Figure("红色预警", f"{red}条"),
               Figure("黄色预警", f"{len(frame) - red}条")]  # fmt: skip
    first = SlideContent("", scope.sentence(), figures, screen="预警概况")
    first.body = "按预警规则:\n" + "\n".join(
        f"{r[A.RULE]}:{r['合计']}条" for r in counts.to_dict("records") if r["合计"]
    )
    citywide = A.alerts(p, scope.citywide(), conv)
    if len(citywide):
        first.charts.append(charts.alerts_by_county(A.counts_by_county(citywide, p.counties),
                                                    scope, p.counties, scope.counties))  # fmt: skip
    first.notes = _paragraphs(B.alerts_paragraph(p, scope, conv), *A.rule_sentences().values())
    second = SlideContent("", scope.sentence(), screen="预警清单", table_unit="条")
    if len(frame):
        second.table = pd.DataFrame(
            {"级别": frame[A.LEVEL], "预警规则": frame[A.RULE], "区县": frame[S.COUNTY],
             "项目名称": frame[S.NAME], "预警原因": frame[A.REASON]}
        )  # fmt: skip
        second.table_widths = (0.8, 1.4, 0.9, 2.8, 5.0)
    else:
        second.body = f"{scope.period.as_of},当前范围内未发现预警。"
    return [first, second]


def _ranking(p: Portfolio, scope: Scope, conv: Convention) -> list[SlideContent]:
    rule = R.Rule.from_settings()
    frame = R.ranking(p, scope, rule, conv)
    first = SlideContent("", scope.sentence(), screen="红黑榜")
    second = SlideContent("", scope.sentence(), screen="名次变化")
    if frame.empty:
        first.body = second.body = f"没有可排名的{rule.unit_word}。"
        return [first, second]
    lines = []
    for which in (R.RED_LIST, R.BLACK_LIST):
        on = frame.loc[frame[R.LIST] == which]
        lines.append(which)
        lines += [f"第{r[R.PLACE]}名 {r[R.UNIT]}:{R.value_text(pd.Series(r), rule)}"
                  for r in on.to_dict("records")] or [R.list_sentence(frame, which, rule)]  # fmt: skip
    first.body = "\n".join(lines)
    title = f"{rule.unit_word}红黑榜({R.MEASURE_NAMES[rule.measure]})"
    first.charts.append(charts.unit_ranking(frame, scope, title, R.MEASURE_NAMES[rule.measure]))
    first.notes = _paragraphs(rule.sentence(conv), R.list_sentence(frame, R.RED_LIST, rule),
                              R.list_sentence(frame, R.BLACK_LIST, rule),
                              R.exemption_sentence(frame))  # fmt: skip
    history = R.history(p, scope, rule, conv)
    second.charts.append(charts.rank_history(history, scope, f"各{rule.unit_word}名次变化"))
    return [first, second]


def _supervision(p: Portfolio, scope: Scope, conv: Convention) -> list[SlideContent]:
    frame = V.problems_as_of(p, scope)
    f = V.figures(frame)
    figures = [Figure("已交办", f"{f.assigned}个"), Figure("已办结", f"{f.closed}个"),
               Figure("办结率", pct(f.rate)), Figure("超期未办结", f"{f.overdue}个")]  # fmt: skip
    first = SlideContent("", scope.sentence(), figures, screen="督办统计", table_unit="个单位")
    if f.assigned:
        stats = V.statistics(frame, S.RESPONSIBLE_UNIT)
        first.table = pd.DataFrame(
            {"责任单位": stats[S.RESPONSIBLE_UNIT], "已交办": stats[V.ASSIGNED],
             "已办结": stats[V.CLOSED], "办结率": stats[V.RATE].map(pct),
             "超期未办结": stats[V.OVERDUE]}
        )  # fmt: skip
        first.table_widths = (3.0, 1.2, 1.2, 1.2, 1.4)
    first.notes = B.supervision_paragraph(p, scope) or ""
    second = SlideContent("", scope.sentence(), screen="问题清单", table_unit="个问题")
    open_ = frame.loc[frame[V.OPEN]].sort_values([V.OVERDUE_DAYS, V.WAITED], ascending=False)
    if len(open_):
        second.table = pd.DataFrame(
            {"项目名称": open_[S.NAME], "问题类型": open_[S.PROBLEM_TYPE],
             "责任单位": open_[S.RESPONSIBLE_UNIT], "办结时限": open_[S.DEADLINE],
             "超期": open_[V.OVERDUE_DAYS].map(lambda d: f"{d}天" if d else "—")}
        )  # fmt: skip
        second.table_widths = (3.4, 1.4, 2.4, 1.4, 1.0)
    else:
        second.body = "当前范围内没有未办结的问题。"
    return [first, second]


def _milestones(p: Portfolio, scope: Scope, conv: Convention) -> list[SlideContent]:
    listing = N.projects_with_nodes(p, scope)
    figures = [Figure("有节点计划的项目", f"{len(listing)}个"),
               Figure("逾期未完成节点", f"{int(listing['逾期节点'].sum())}个")]  # fmt: skip
    first = SlideContent("", scope.sentence(), figures, screen="区县项目节点")
    second = SlideContent("", scope.sentence(), screen="单个项目")
    if listing.empty:
        first.body = second.body = "当前范围内的项目没有节点计划。"
        return [first, second]
    # As 汇报模式 shows it: the chosen county, else the one with the most overdue nodes.
    counties = charts.present_in_order(p.counties, listing[S.COUNTY])
    late = listing.groupby(S.COUNTY)["逾期节点"].sum()
    county = (scope.counties[0] if len(scope.counties) == 1
              else max(counties, key=lambda c: (late.get(c, 0), -counties.index(c))))  # fmt: skip
    mine = replace(scope, counties=(county,))
    first.charts.append(charts.gantt_county(N.county_nodes(p, mine, GANTT_ROWS), mine))
    worst = listing.loc[listing["逾期节点"] > 0].head(TABLE_ROWS)
    first.notes = "逾期节点最多的项目:" + "、".join(
        f"{n}({k}个)" for n, k in zip(worst[S.NAME], worst["逾期节点"], strict=True)
    )
    code, name = listing.iloc[0][S.CODE], listing.iloc[0][S.NAME]
    nodes = N.project_nodes(p, code, scope.period)
    second.charts.append(charts.gantt_project(nodes, scope, name))

    def month(m: str) -> str:
        return Period.parse(m).label if m else "—"

    second.body = "\n".join(
        f"{r[S.NODE]}:计划{month(r[S.NODE_PLANNED])},实际{month(r[S.NODE_ACTUAL])},{r[N.STATE]}"
        for r in nodes.to_dict("records")
    )
    return [first, second]


# The slides of each page whose registry entry says `slide=True` (core.output.pages; a test
# checks that they agree): one a 汇报模式 screen, in the screens' order; another presented
# page gets a slide with its scope sentence only.
_BUILDERS = {
    "overview": _overview,
    "progress": _progress,
    "growth": _growth,
    "map": _map,
    "factors": _factors,
    "indicators": _indicators,
    "briefing": _briefing,
    "alerts": _alerts,
    "ranking": _ranking,
    "supervision": _supervision,
    "milestones": _milestones,
}


def _project(p: Portfolio, code: str, period: Period, conv: Convention) -> SlideContent:
    """One project's file (项目档案): this year's figures as KPI boxes, its card as a table of
    text, and as notes the sentences of its Word file, its latest 形象进度, problems and alerts."""
    f = P.project_file(p, code, period, conv)
    if f is None:
        return SlideContent("", period.as_of, notes=f"当前数据中没有项目代码为“{code}”的项目。")
    figures = [
        Figure("年度计划投资", yi_two_decimals(f.plan) if f.has_plan else "无年度计划"),
        Figure(f"{period.ytd_label}累计完成", yi_two_decimals(f.done)),
        Figure("完成率", pct(f.rate), schedule_phrase(f.gap) if f.has_plan else ""),
        Figure("状态", f.status),
    ]  # fmt: skip
    items = [(label, value or "—") for label, value in f.card]
    if len(items) % 2:
        items.append(("", ""))
    card = pd.DataFrame(
        [(*items[i], *items[i + 1]) for i in range(0, len(items), 2)],
        columns=["项目", "内容", "项目 ", "内容 "],
    )
    notes = [project_file.year_sentence(f), project_file.years_sentence(f)]
    if f.coverage:
        notes.append(f.coverage)
    said = f.progress.loc[f.progress[S.PROGRESS_TEXT].fillna("").astype(str).str.strip() != ""]
    if len(said):
        last = said.iloc[-1]
        notes.append(f"形象进度({last[P.MONTH_LABEL]}):{str(last[S.PROGRESS_TEXT]).strip()}")
    if len(f.problems):
        notes.append(f"登记问题{len(f.problems)}个。")
    if len(f.alerts):
        notes.append(f"当前预警{len(f.alerts)}条:" + ";".join(f.alerts[A.REASON].astype(str)))
    subtitle = f"项目代码{f.code} · {f.county} · 数据{period.as_of}"
    return SlideContent("", subtitle, figures, table=card, notes="\n".join(notes),
                        table_widths=(1.2, 3.0, 1.2, 3.0))  # fmt: skip


PHOTOS_PER_SLIDE = 2


def _project_photos(
    p: Portfolio, code: str, period: Period, store: Store | None
) -> SlideContent | None:
    """The slide of a project's site photos: the shown photos (never those a roll-back hides)
    of its latest month with photos up to the period, each captioned with the month, its
    number and the month's 形象进度; None without a store or photos."""
    if store is None or datasource.store_version(p.version) is None:
        return None
    found = photos.latest(store, code, period.key)
    if found is None:
        return None
    month = P.month_label(found.month)
    monthly = p.monthly.loc[(p.monthly[S.CODE] == code) & (p.monthly[S.MONTH] == found.month)]
    said = ""
    if len(monthly) and S.PROGRESS_TEXT in monthly:
        said = str(monthly.iloc[-1][S.PROGRESS_TEXT] or "").strip()
        said = "" if said.lower() in ("nan", "none") else said
    n = len(found.pictures)
    pictures = [
        (picture, f"{month}现场照片 第{i}/{n}张" + (f":{said}" if said else ""))
        for i, picture in enumerate(found.pictures, start=1)
    ]
    return SlideContent("", f"项目代码{code} · {month}形象进度照片", photos=pictures,
                        screen="现场照片", notes=said)  # fmt: skip


def slides(
    p: Portfolio, view: View, period: Period, conv: Convention, store: Store | None = None
) -> list[SlideContent]:
    """What one view's slides hold, one a 汇报模式 screen of its page, from the same measures
    and charts as the page (before a long slide is continued on the next: `_laid_out`). A
    project's file with photos in `store` has a slide of its latest month's photos too."""
    if view.is_project:  # one project's file: no filters
        out = [_project(p, view.code, period, conv)]
        shown = _project_photos(p, view.code, period, store)
        if shown is not None:
            out.append(shown)
        found = P.find(p, view.code)
        title = " · ".join([view.page_title, *([found[S.NAME]] if found is not None else [])])
        for c in out:
            c.title = title + (f":{c.screen}" if c.screen else "")
        return out
    scope = view.scope(period)
    if not scope.mask(p.projects).any():
        return [SlideContent(_title(view), scope.sentence(), notes="当前筛选范围内没有项目。")]
    build = _BUILDERS.get(view.page)
    out = build(p, scope, conv) if build else [SlideContent("", scope.sentence())]
    for c in out:
        c.title = _title(view) + (f":{c.screen}" if c.screen and c.screen != view.page_title
                                  else "")  # fmt: skip
    return out


def content(p: Portfolio, view: View, period: Period, conv: Convention) -> SlideContent:
    """The first of one view's slides."""
    return slides(p, view, period, conv)[0]


def every_page(scope: Scope) -> Agenda:
    """The deck of every page at one set of filters (the CLI without --agenda)."""
    return Agenda("重大项目运行情况", tuple(View.of(page.key, scope) for page in pages.presented()))


# --- pptx ---------------------------------------------------------------------------------


def _font(run, face: str, size: float, *, bold: bool = False, color: RGBColor = INK) -> None:
    run.font.name = face
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = color
    rpr = run._r.get_or_add_rPr()
    for tag in ("a:ea", "a:cs"):  # East Asian and complex-script faces: Chinese needs a:ea
        el = rpr.find(qn(tag))
        if el is None:
            el = rpr.makeelement(qn(tag), {})
            rpr.append(el)
        el.set("typeface", face)


def _text(slide, left, top, width, height, lines, *, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP):
    """A text box of (text, face, size, bold, colour) lines."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    for i, (text, face, size, bold, color) in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = align
        _font(para.add_run(), face, size, bold=bold, color=color)
        para.runs[0].text = document_text(text)
    return box


def _notes(slide, text: str) -> None:
    frame = slide.notes_slide.notes_text_frame
    frame.text = ""
    for i, line in enumerate(text.splitlines() or [""]):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = document_text(line)
        _font(run, BODY_FONT, 14)


def _title_slide(prs, agenda: Agenda, period: Period, source: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    width = SLIDE_WIDTH - 2 * MARGIN
    _text(slide, MARGIN, Inches(2.2), width, Inches(1.2),
          [(agenda.name or "重大项目运行情况汇报", HEADING_FONT, 44, True, BLUE)],
          align=PP_ALIGN.CENTER)  # fmt: skip
    _text(slide, MARGIN, Inches(3.5), width, Inches(1.6),
          [(period.as_of, HEADING_FONT, 28, False, INK),
           (settings.current().office, BODY_FONT, 22, False, GREY),
           (f"数据:{source}", BODY_FONT, 16, False, GREY)],
          align=PP_ALIGN.CENTER)  # fmt: skip
    views = "\n".join(f"{i}. {v.label()}" for i, v in enumerate(agenda.views, start=1))
    _notes(slide, f"议程共{len(agenda.views)}项:\n{views}")


def text_width(text: str, size: float) -> float:
    """A line's width in points, estimated: a CJK character or full-width mark is a square of
    the type size, a Latin letter or digit a little over half of one."""
    return sum(size if ord(ch) >= 0x2E80 else 0.6 * size for ch in text)


def text_lines(text: str, size: float, width: float) -> int:
    """How many lines `text` wraps to in a box `width` points wide (its insets taken off)."""
    room = max(1.0, width - 2 * INSET.pt)
    return max(1, math.ceil(text_width(text, size) / room))


def text_height(lines: list[tuple[str, float]], width: float) -> float:
    """The height in points of a text box's (text, size) paragraphs, insets included."""
    return sum(text_lines(t, s, width) * s * LINE_SPACING for t, s in lines) + 2 * INSET_Y.pt


def _fitting(paragraphs: list[str], size: float, width, height) -> tuple[list[str], list[str]]:
    """The paragraphs that fit a box, and the rest (a paragraph cut at a sentence's end, or
    mid-sentence when one sentence is taller than the box)."""
    room = Emu(height).pt - 2 * INSET_Y.pt
    line = size * LINE_SPACING
    taken: list[str] = []
    for i, para in enumerate(paragraphs):
        need = text_lines(para, size, Emu(width).pt) * line
        if need <= room:
            taken.append(para)
            room -= need
            continue
        # As many whole lines as are left, at a sentence's end where one falls among them.
        chars_per_line = max(1, int((Emu(width).pt - 2 * INSET.pt) // size))
        keep = int(room // line) * chars_per_line
        cut = max(para.rfind(mark, 0, keep) for mark in "。；;")
        cut = cut + 1 if cut > 0 else keep
        if cut > 0:
            taken.append(para[:cut])
            return taken, [para[cut:], *paragraphs[i + 1 :]]
        return taken, paragraphs[i:]
    return taken, []


def _figure_lines(f: Figure) -> list[tuple[str, str, float, bool, RGBColor]]:
    lines = [(f.label, HEADING_FONT, MIN_PT, False, GREY), (f.value, HEADING_FONT, 24, True, INK)]
    if f.note:
        lines.append((f.note, BODY_FONT, MIN_PT, False, GREY))
    return lines


def _figures(slide, figures: list[Figure], top) -> int:
    """KPI boxes in rows of four (five of them in one row), each row as tall as its fullest
    box; returns the height used."""
    per_row = 5 if len(figures) == 5 else 4
    gap = Inches(0.15)
    width = (SLIDE_WIDTH - 2 * MARGIN - gap * (per_row - 1)) // per_row
    y = top
    for start in range(0, len(figures), per_row):
        row = figures[start : start + per_row]
        height = Emu(math.ceil(max(text_height([(t, s) for t, _, s, _, _ in _figure_lines(f)],
                                               Emu(width).pt) for f in row) * 12700) + 1270)  # fmt: skip
        height = max(height, Inches(1.05))
        for col, f in enumerate(row):
            box = slide.shapes.add_shape(1, MARGIN + col * (width + gap), y, width, height)
            box.fill.solid()
            box.fill.fore_color.rgb = RGBColor(0xF0, 0xF3, 0xF7)
            box.line.color.rgb = RGBColor(0xD0, 0xD6, 0xDE)
            box.shadow.inherit = False
            frame = box.text_frame
            frame.word_wrap = True
            frame.vertical_anchor = MSO_ANCHOR.MIDDLE
            for j, (text, face, size, bold, color) in enumerate(_figure_lines(f)):
                para = frame.paragraphs[0] if j == 0 else frame.add_paragraph()
                para.alignment = PP_ALIGN.LEFT
                run = para.add_run()
                run.text = document_text(text)
                _font(run, face, size, bold=bold, color=color)
        y += height + gap
    return y - top


_FONT_KEYS = ("fontSize", "labelFontSize", "titleFontSize", "subtitleFontSize")


def slide_spec(chart: charts.ChartOut, width_pt: float, height_pt: float) -> dict:
    """The chart's Vega-Lite spec drawn `width_pt` × `height_pt` CSS pixels in all (titles,
    legend and axes included), to be placed on the slide at one pixel a point, with every
    font at least MIN_PT pixels: text marks without a size of their own get MIN_PT, and
    every size is scaled by one factor, so the chart's hierarchy of type is kept."""
    export.font_directory()
    spec = chart.chart.to_dict()
    config = spec.setdefault("config", {})
    config.setdefault("text", {}).setdefault("fontSize", MIN_PT)  # vega's default is 11
    config.setdefault("mark", {}).setdefault("fontSize", MIN_PT)
    if chart.key == "county_map":  # 「青山县 5.4%」 on two lines, as the screen's map: a county
        config["text"]["lineBreak"] = " "  # is narrower than its label at MIN_PT on a slide
    sizes: list[float] = []

    def walk(node, factor: float | None):
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                if k in _FONT_KEYS and isinstance(v, int | float):
                    sizes.append(v)
                    out[k] = round(v * factor, 1) if factor else v
                else:
                    out[k] = walk(v, factor)
            return out
        if isinstance(node, list):
            return [walk(v, factor) for v in node]
        return node

    walk(spec, None)
    factor = max(1.0, MIN_PT / min(sizes)) if sizes else 1.0
    spec = walk(spec, factor)
    spec["width"], spec["height"] = int(width_pt), int(height_pt)
    spec["autosize"] = {"type": "fit", "contains": "padding"}
    spec.setdefault("config", {})["padding"] = 6
    return spec


def slide_png(chart: charts.ChartOut, width_pt: float, height_pt: float) -> tuple[bytes, float]:
    """The chart as a PNG of CHART_DPI for a box of `width_pt` × `height_pt` points, and the
    points it takes there per CSS pixel (1.0: its fonts are their size in points). A chart
    whose titles and axes alone overflow the box is drawn smaller until it fits, once."""
    scale = CHART_DPI / 72
    w, h = width_pt, height_pt
    for _ in range(3):
        png = vlc.vegalite_to_png(export.clean_spec(slide_spec(chart, w, h)), scale=scale)
        with Image.open(io.BytesIO(png)) as img:
            pw, ph = img.size[0] / scale, img.size[1] / scale  # CSS pixels
        if pw <= width_pt + 1 and ph <= height_pt + 1:
            return png, 1.0
        w, h = w * min(1.0, width_pt / pw), h * min(1.0, height_pt / ph)
    return png, min(width_pt / pw, height_pt / ph)


def _picture(slide, chart: charts.ChartOut, left, top, width, height) -> None:
    """The chart drawn for its box: at one pixel a point, centred in the box."""
    png, fit = slide_png(chart, Emu(width).pt, Emu(height).pt)
    with Image.open(io.BytesIO(png)) as img:
        w, h = img.size
    pw, ph = int(w / (CHART_DPI / 72) * 12700 * fit), int(h / (CHART_DPI / 72) * 12700 * fit)
    pic = slide.shapes.add_picture(
        io.BytesIO(png), left + (width - pw) // 2, top + (height - ph) // 2, Emu(pw), Emu(ph)
    )
    pic._element.nvPicPr.cNvPr.set("descr", document_text(chart.title))  # alt text


def _cell_lines(value, size: float, width) -> int:
    return max(text_lines(part, size, Emu(width).pt) for part in str(value).splitlines() or [""])


def _table(slide, frame: pd.DataFrame, left, top, width, height, widths=None) -> int:
    """As many of the table's rows as fit `height`, each as tall as its wrapped text; returns
    how many rows were drawn."""
    cols = len(frame.columns)
    # Inches; the name takes the most.
    widths = list(widths or (3.6, 1.0, 1.1, 1.0, 1.6, 1.3, 1.3))[:cols]
    total = sum(widths)
    col_widths = [int(width * w / total) for w in widths]
    line = MIN_PT * LINE_SPACING

    def row_height(values) -> float:  # points: python-pptx's cell margins are 0.05 in
        lines = max(_cell_lines(v, MIN_PT, w) for v, w in zip(values, col_widths, strict=True))
        return lines * line + 2 * 3.6

    used = row_height(frame.columns)
    heights = [used]
    for values in frame.itertuples(index=False):
        h = row_height(values)
        if used + h > Emu(height).pt:
            break
        heights.append(h)
        used += h
    shown = frame.head(len(heights) - 1)
    shape = slide.shapes.add_table(len(heights), cols, left, top, width, Emu(int(used * 12700)))
    table = shape.table
    for i, w in enumerate(col_widths):
        table.columns[i].width = w
    for i, h in enumerate(heights):
        table.rows[i].height = Emu(int(h * 12700))
    for j, name in enumerate(frame.columns):
        cell = table.cell(0, j)
        cell.text = ""
        _font(cell.text_frame.paragraphs[0].add_run(), HEADING_FONT, MIN_PT, bold=True,
              color=RGBColor(0xFF, 0xFF, 0xFF))  # fmt: skip
        cell.text_frame.paragraphs[0].runs[0].text = document_text(name)
    for i, row in enumerate(shown.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = ""
            run = cell.text_frame.paragraphs[0].add_run()
            run.text = document_text(value)
            _font(run, BODY_FONT, MIN_PT)
    return len(shown)


def _photos(slide, pictures: list[tuple[bytes, str]], top, bottom) -> None:
    """Photos side by side, each as large as its half of the slide allows (its shape kept),
    its caption below it in BODY_PT."""
    gap = Inches(0.3)
    width = (SLIDE_WIDTH - 2 * MARGIN - gap * (len(pictures) - 1)) // len(pictures)
    caption_h = max(
        Emu(int(text_height([(t, BODY_PT)], Emu(width).pt) * 12700)) for _, t in pictures
    )
    room = bottom - top - caption_h - Inches(0.1)
    for i, (picture, caption) in enumerate(pictures):
        with Image.open(io.BytesIO(picture)) as img:
            w, h = img.size
        scale = min(width / w, room / h)
        pw, ph = int(w * scale), int(h * scale)
        left = MARGIN + i * (width + gap)
        pic = slide.shapes.add_picture(
            io.BytesIO(picture), left + (width - pw) // 2, top, Emu(pw), Emu(ph)
        )
        pic._element.nvPicPr.cNvPr.set("descr", document_text(caption))
        _text(slide, left, top + ph + Inches(0.1), width, caption_h,
              [(caption, BODY_FONT, BODY_PT, False, INK)], align=PP_ALIGN.CENTER)  # fmt: skip


def _content_slide(prs, c: SlideContent) -> SlideContent | None:
    """One slide of `c`; what did not fit (figures, sentences) as the content of the next slide,
    titled 「（续）」, or None."""
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    width = SLIDE_WIDTH - 2 * MARGIN
    _text(
        slide, MARGIN, Inches(0.25), width, Inches(0.75), [(c.title, HEADING_FONT, 28, True, INK)]
    )
    _text(
        slide, MARGIN, Inches(0.95), width, Inches(0.45), [(c.subtitle, BODY_FONT, 15, False, GREY)]
    )
    _notes(slide, c.notes)
    rest = replace(c, title=c.title.removesuffix(CONTINUED) + CONTINUED, figures=[], charts=[],
                   table=None, body="", photos=[])  # fmt: skip
    if c.photos:
        rest.photos = c.photos[PHOTOS_PER_SLIDE:]
        _photos(slide, c.photos[:PHOTOS_PER_SLIDE], Inches(1.45), SLIDE_HEIGHT - Inches(0.3))
        return rest if rest.photos else None
    top = Inches(1.45)
    bottom = SLIDE_HEIGHT - Inches(0.3)
    alone = not (c.charts or (c.table is not None and len(c.table)))
    limit = MAX_KPIS_ALONE if alone and not c.body else MAX_KPIS
    figures, rest.figures = c.figures[:limit], c.figures[limit:]
    if figures:
        top += _figures(slide, figures, top)
    if rest.figures:  # the charts, table and sentences follow the last of the figures
        return replace(rest, charts=c.charts, table=c.table, body=c.body)
    room = bottom - top
    paragraphs = [t for t in c.body.splitlines() if t.strip()]
    if c.table is not None and len(c.table):
        foot = Inches(0.4)
        n = _table(slide, c.table, MARGIN, top + Inches(0.1), width, room - Inches(0.1) - foot,
                   c.table_widths)  # fmt: skip
        if n < len(c.table):
            note = f"第1–{n}{c.table_unit},共{len(c.table)}{c.table_unit}"
            _text(
                slide, MARGIN, bottom - foot, width, foot, [(note, BODY_FONT, MIN_PT, False, GREY)]
            )
    elif c.charts:
        gap = Inches(0.2)
        side = (width * 2) // 5 if paragraphs else 0  # the sentences beside the charts
        area = width - side - (gap if side else 0)
        each = (area - gap * (len(c.charts) - 1)) // len(c.charts)
        for i, chart in enumerate(c.charts):
            _picture(slide, chart, MARGIN + i * (each + gap), top, each, room)
        if side:
            shown, left = _fitting(paragraphs, BODY_PT, side, room)
            _text(slide, MARGIN + area + gap, top, side, room,
                  [(t, BODY_FONT, BODY_PT, False, INK) for t in shown])  # fmt: skip
            if left:
                rest.body = "\n".join(left)
                return rest
    elif paragraphs or (not c.figures and c.notes):
        paragraphs = paragraphs or [t for t in c.notes.splitlines() if t.strip()]
        shown, left = _fitting(paragraphs, BODY_PT, width, room)
        _text(slide, MARGIN, top, width, room, [(t, BODY_FONT, BODY_PT, False, INK) for t in shown])
        if left:
            rest.body = "\n".join(left)
            return rest
    return None


def pptx_bytes(
    p: Portfolio, agenda: Agenda, period: Period, conv: Convention, store: Store | None = None
) -> bytes:
    """The deck of `agenda` at `period`: a title slide, then the slides of each view, one a
    汇报模式 screen, each continued on the next 「（续）」 where it does not fit; a project's
    site photos from `store` where the data are the store's."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    _title_slide(prs, agenda, period, p.source)
    for view in agenda.views:
        for c in slides(p, view, period, conv, store):
            more: SlideContent | None = c
            for _ in range(MAX_CONTINUED):
                more = _content_slide(prs, more)
                if more is None:
                    break
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
