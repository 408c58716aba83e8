"""The meeting as a 16:9 slide deck (.pptx, python-pptx): a title slide with the period, then
one slide per view — its page title, the scope sentence as subtitle, its KPI figures as
editable text, its charts as 2× PNG, a table where the page shows one — and, as speaker
notes, the briefing's paragraphs for that view's scope.

Fonts are named as in the Word briefing (黑体 for titles and figures, 仿宋 for notes and
tables' body); East Asian text needs the `a:ea` typeface on every run, set here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pandas as pd
from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from core.base import schema as S
from core.base import settings
from core.base.formatting import pct, schedule_phrase, signed_points, yi_two_decimals
from core.base.periods import Convention, Period, schedule_share
from core.figures import alerts as A
from core.figures import briefing as B
from core.figures import indicators as I
from core.figures import measures as M
from core.figures import milestones as N
from core.figures import overview as O
from core.figures import project as P
from core.figures import ranking as R
from core.figures import status
from core.figures import supervision as V
from core.figures.scope import Scope
from core.output import charts, export, pages, project_file
from core.output.agenda import Agenda, View
from core.output.document import BODY_FONT, HEADING_FONT
from core.store.portfolio import Portfolio

SLIDE_WIDTH, SLIDE_HEIGHT = (
    Emu(12192000),
    Emu(6858000),
)  # 16:9, as PowerPoint's own (13.333 × 7.5 in)
MARGIN = Inches(0.45)
INK = RGBColor(0x11, 0x11, 0x11)
GREY = RGBColor(0x55, 0x55, 0x55)
BLUE = RGBColor(0x1F, 0x4E, 0x9C)
MAX_KPIS = 8  # two rows of four on a slide; the rest of a page's cards go to the notes
TABLE_ROWS = 8  # projects furthest behind, on the 项目进度 slide


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


def _cards(cards: list[O.Card]) -> list[Figure]:
    return [Figure(c.label, c.value, c.delta or "") for c in cards]


def _indicator_cards(cards: list[I.Card]) -> list[Figure]:
    return [Figure(c.label, c.value, c.change or "") for c in cards]


def _paragraphs(*texts: str | None) -> str:
    return "\n".join(t for t in texts if t)


def _title(view: View) -> str:
    place = "、".join(view.counties) if view.counties else "全市"
    sectors = "、".join(view.sectors)
    return " · ".join(x for x in (view.page_title, place, sectors) if x)


def _overview(p: Portfolio, scope: Scope, conv: Convention) -> SlideContent:
    this, last = M.year_figures_with_last_year(p, scope, conv)
    now = M.funding_by_channel(p, scope)
    before = M.funding_by_channel(p, scope, scope.period.same_period_last_year())
    cards = [
        *O.kpi_cards(this, last, conv, M.no_base_reason(p, scope.period)),
        O.funding_card(
            sum(now.values()), sum(before.values()), M.no_funding_base_reason(p, scope.period)
        ),
    ]
    out = SlideContent("", scope.sentence(), _cards(cards))
    if this.count:
        ranking = M.county_ranking(p, scope.citywide(), conv)
        out.charts.append(charts.county_ranking(ranking, scope, this.schedule))
        out.charts.append(charts.sector_composition(M.sector_breakdown(p, scope, conv), scope))
    out.notes = B.construction_paragraph(p, scope, conv) or ""
    return out


def _progress(p: Portfolio, scope: Scope, conv: Convention) -> SlideContent:
    table = M.progress_table(p, scope, conv)
    counts = table[M.STATUS].value_counts()
    figures = [Figure("范围内项目", f"{len(table)}个")]
    figures += [Figure(s, f"{int(counts.get(s, 0))}个") for s in status.STATUSES]
    behind = B.furthest_behind(p, scope, conv, TABLE_ROWS)
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
    return SlideContent("", scope.sentence(), figures, table=listed, notes=notes)


def _growth(p: Portfolio, scope: Scope, conv: Convention) -> SlideContent:
    out = SlideContent(
        "", scope.sentence(), _indicator_cards(I.fai_cards(p.indicators, scope.period))
    )
    series = M.cumulative_by_month(p, scope)
    if series[M.VALUE].sum():
        out.charts.append(charts.cumulative(series, scope))
    ranking = M.county_ranking(p, scope.citywide(), conv)
    if len(ranking):
        sched = schedule_share(scope.period, conv)
        out.charts.append(charts.comparison(ranking, S.COUNTY, scope, sched, "county_rates",
                                            "各区县完成率", highlight=scope.counties))  # fmt: skip
    out.notes = B.fai_paragraph(p, scope) or ""
    return out


def _map(p: Portfolio, scope: Scope, conv: Convention) -> SlideContent:
    from core.output import maps

    ranking = M.county_ranking(p, scope, conv)
    this = M.year_figures(p, scope, conv)
    figures = [Figure("完成率", pct(this.rate)), Figure("序时进度", pct(this.schedule))]
    out = SlideContent("", scope.sentence(), figures)
    out.charts.append(maps.county_map_chart(p.boundaries, ranking, scope))
    out.notes = B.breakdown_paragraph(p, scope, conv) or ""
    return out


def _factors(p: Portfolio, scope: Scope, conv: Convention) -> SlideContent:
    problems = M.problems_at(p, scope)
    open_ = M.open_problems(p, scope)
    figures = [
        Figure("登记问题", f"{len(problems)}个"),
        Figure("未解决", f"{len(open_)}个"),
        Figure("已解决", f"{len(problems) - len(open_)}个"),
    ]
    out = SlideContent("", scope.sentence(), figures)
    if len(problems):
        by_type = M.problem_counts(p, scope, S.PROBLEM_TYPE)
        out.charts.append(charts.problems(by_type, S.PROBLEM_TYPE, scope, "problems_by_type",
                                          "存在问题按类型"))  # fmt: skip
    funding = M.funding_by_source(p, scope)
    if len(funding):
        out.charts.append(charts.funding_by_source(funding, scope))
    out.notes = _paragraphs(B.problems_paragraph(p, scope), B.funding_paragraph(p, scope))
    return out


def _indicators(p: Portfolio, scope: Scope, conv: Convention) -> SlideContent:
    now = M.industry_figures(p, scope)
    before = M.industry_figures(p, scope, scope.period.same_period_last_year())
    cards = I.industry_cards(now, before, scope.period.year) if now.count else []
    cards += I.fai_cards(p.indicators, scope.period)
    annual = I.annual_cards(p.indicators, scope.period)
    out = SlideContent("", scope.sentence(), _indicator_cards(cards))
    rest = [f"{c.group}:{c.label}{c.value}{(',' + c.change) if c.change else ''}" for c in annual]
    out.notes = _paragraphs(B.fai_paragraph(p, scope), *rest)
    return out


def _briefing(p: Portfolio, scope: Scope, conv: Convention) -> SlideContent:
    text = B.write(p, scope, conv)
    out = SlideContent("", scope.sentence())
    out.notes = "\n".join(f"{s.heading}\n{s.text}" for s in text.sections)
    return out


def _alerts(p: Portfolio, scope: Scope, conv: Convention) -> SlideContent:
    frame = A.alerts(p, scope, conv)
    red = int((frame[A.LEVEL] == A.RED).sum())
    counts = A.counts_by_rule(frame)
    figures = [Figure("预警总数", f"{len(frame)}条"), Figure("红色预警", f"{red}条"),
               Figure("黄色预警", f"{len(frame) - red}条")]  # fmt: skip
    figures += [Figure(r[A.RULE], f"{r['合计']}条") for r in counts.to_dict("records") if r["合计"]]
    out = SlideContent("", scope.sentence(), figures[:MAX_KPIS])
    citywide = A.alerts(p, scope.citywide(), conv)
    if len(citywide):
        out.charts.append(charts.alerts_by_county(A.counts_by_county(citywide, p.counties), scope,
                                                  p.counties, scope.counties))  # fmt: skip
    out.notes = _paragraphs(B.alerts_paragraph(p, scope, conv), *A.rule_sentences().values())
    return out


def _ranking(p: Portfolio, scope: Scope, conv: Convention) -> SlideContent:
    rule = R.Rule.from_settings()
    frame = R.ranking(p, scope, rule, conv)
    out = SlideContent("", scope.sentence())
    if frame.empty:
        out.notes = f"没有可排名的{rule.unit_word}。"
        return out
    for which in (R.RED_LIST, R.BLACK_LIST):
        on = frame.loc[frame[R.LIST] == which]
        out.figures.append(Figure(which, "、".join(on[R.UNIT]) or "无"))
    title = f"{rule.unit_word}红黑榜({R.MEASURE_NAMES[rule.measure]})"
    out.charts.append(charts.unit_ranking(frame, scope, title, R.MEASURE_NAMES[rule.measure]))
    out.notes = _paragraphs(rule.sentence(conv), R.list_sentence(frame, R.RED_LIST, rule),
                            R.list_sentence(frame, R.BLACK_LIST, rule), R.exemption_sentence(frame))  # fmt: skip
    return out


def _supervision(p: Portfolio, scope: Scope, conv: Convention) -> SlideContent:
    frame = V.problems_as_of(p, scope)
    f = V.figures(frame)
    figures = [Figure("已交办", f"{f.assigned}个"), Figure("已办结", f"{f.closed}个"),
               Figure("办结率", pct(f.rate)), Figure("超期未办结", f"{f.overdue}个")]  # fmt: skip
    out = SlideContent("", scope.sentence(), figures)
    if f.assigned:
        stats = V.statistics(frame, S.RESPONSIBLE_UNIT).head(TABLE_ROWS)
        out.table = pd.DataFrame(
            {"责任单位": stats[S.RESPONSIBLE_UNIT], "已交办": stats[V.ASSIGNED],
             "已办结": stats[V.CLOSED], "办结率": stats[V.RATE].map(pct),
             "超期未办结": stats[V.OVERDUE]}
        )  # fmt: skip
    out.notes = B.supervision_paragraph(p, scope) or ""
    return out


def _milestones(p: Portfolio, scope: Scope, conv: Convention) -> SlideContent:
    listing = N.projects_with_nodes(p, scope)
    figures = [Figure("有节点计划的项目", f"{len(listing)}个"),
               Figure("逾期未完成节点", f"{int(listing['逾期节点'].sum())}个")]  # fmt: skip
    out = SlideContent("", scope.sentence(), figures)
    if len(listing):
        out.charts.append(charts.gantt_county(N.county_nodes(p, scope, TABLE_ROWS * 2), scope))
        late = listing.loc[listing["逾期节点"] > 0].head(TABLE_ROWS)
        out.notes = "逾期节点最多的项目:" + "、".join(
            f"{n}({k}个)" for n, k in zip(late[S.NAME], late["逾期节点"], strict=True)
        )
    return out


# The slide of each page whose registry entry says `slide=True` (core.output.pages; a test
# checks that they agree); another presented page gets a slide with its scope sentence only.
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


def content(p: Portfolio, view: View, period: Period, conv: Convention) -> SlideContent:
    """What one view's slide holds, from the same measures and charts as its page."""
    if view.is_project:  # one project's file: no filters
        out = _project(p, view.code, period, conv)
        found = P.find(p, view.code)
        out.title = " · ".join([view.page_title, *([found[S.NAME]] if found is not None else [])])
        return out
    scope = view.scope(period)
    if not scope.mask(p.projects).any():
        return SlideContent(_title(view), scope.sentence(), notes="当前筛选范围内没有项目。")
    build = _BUILDERS.get(view.page)
    out = build(p, scope, conv) if build else SlideContent("", scope.sentence())
    out.title = _title(view)
    return out


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
        para.runs[0].text = text
    return box


def _notes(slide, text: str) -> None:
    frame = slide.notes_slide.notes_text_frame
    frame.text = ""
    for i, line in enumerate(text.splitlines() or [""]):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = line
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


def _figures(slide, figures: list[Figure], top) -> int:
    """KPI boxes in rows of four; returns the height used."""
    shown = figures[:MAX_KPIS]
    per_row = 4
    gap = Inches(0.15)
    width = (SLIDE_WIDTH - 2 * MARGIN - gap * (per_row - 1)) // per_row
    height = Inches(1.05)
    for i, f in enumerate(shown):
        row, col = divmod(i, per_row)
        left = MARGIN + col * (width + gap)
        y = top + row * (height + gap)
        box = slide.shapes.add_shape(1, left, y, width, height)  # a rectangle
        box.fill.solid()
        box.fill.fore_color.rgb = RGBColor(0xF0, 0xF3, 0xF7)
        box.line.color.rgb = RGBColor(0xD0, 0xD6, 0xDE)
        box.shadow.inherit = False
        frame = box.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        lines = [(f.label, HEADING_FONT, 13, False, GREY), (f.value, HEADING_FONT, 26, True, INK)]
        if f.note:
            lines.append((f.note, BODY_FONT, 12, False, GREY))
        for j, (text, face, size, bold, color) in enumerate(lines):
            para = frame.paragraphs[0] if j == 0 else frame.add_paragraph()
            para.alignment = PP_ALIGN.LEFT
            run = para.add_run()
            run.text = text
            _font(run, face, size, bold=bold, color=color)
    rows = -(-len(shown) // per_row)
    return rows * (height + gap) if rows else 0


def _picture(slide, png: bytes, left, top, width, height) -> None:
    """The picture as large as fits the box, its proportions kept, centred."""
    with Image.open(io.BytesIO(png)) as img:
        w, h = img.size
    scale = min(width / w, height / h)
    pw, ph = int(w * scale), int(h * scale)
    slide.shapes.add_picture(
        io.BytesIO(png), left + (width - pw) // 2, top + (height - ph) // 2, Emu(pw), Emu(ph)
    )


def _table(slide, frame: pd.DataFrame, left, top, width, height, widths=None) -> None:
    rows, cols = len(frame) + 1, len(frame.columns)
    shape = slide.shapes.add_table(rows, cols, left, top, width, min(height, Inches(0.42) * rows))
    table = shape.table
    # Inches; the name takes the most.
    widths = list(widths or (3.6, 1.0, 1.1, 1.0, 1.6, 1.3, 1.3))
    total = sum(widths)
    for i, w in enumerate(widths[:cols]):
        table.columns[i].width = int(width * w / total)
    for j, name in enumerate(frame.columns):
        cell = table.cell(0, j)
        cell.text = ""
        _font(cell.text_frame.paragraphs[0].add_run(), HEADING_FONT, 13, bold=True,
              color=RGBColor(0xFF, 0xFF, 0xFF))  # fmt: skip
        cell.text_frame.paragraphs[0].runs[0].text = name
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = ""
            run = cell.text_frame.paragraphs[0].add_run()
            run.text = str(value)
            _font(run, BODY_FONT, 12)


def _content_slide(prs, c: SlideContent) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    width = SLIDE_WIDTH - 2 * MARGIN
    _text(slide, MARGIN, Inches(0.25), width, Inches(0.7), [(c.title, HEADING_FONT, 30, True, INK)])
    _text(
        slide, MARGIN, Inches(0.92), width, Inches(0.4), [(c.subtitle, BODY_FONT, 15, False, GREY)]
    )
    top = Inches(1.45)
    top += _figures(slide, c.figures, top)
    bottom = SLIDE_HEIGHT - Inches(0.3)
    room = bottom - top
    if c.table is not None and len(c.table):
        _table(slide, c.table, MARGIN, top + Inches(0.1), width, room - Inches(0.1),
               c.table_widths)  # fmt: skip
    elif c.charts:
        gap = Inches(0.2)
        each = (width - gap * (len(c.charts) - 1)) // len(c.charts)
        for i, chart in enumerate(c.charts):
            _picture(slide, export.png(chart), MARGIN + i * (each + gap), top, each, room)
    elif not c.figures and c.notes:
        lines = [(line, BODY_FONT, 16, False, INK) for line in c.notes.splitlines()]
        _text(slide, MARGIN, top, width, room, lines)
    _notes(slide, c.notes)


def pptx_bytes(p: Portfolio, agenda: Agenda, period: Period, conv: Convention) -> bytes:
    """The deck of `agenda` at `period`: a title slide, then one slide per view."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    _title_slide(prs, agenda, period, p.source)
    for view in agenda.views:
        _content_slide(prs, content(p, view, period, conv))
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
