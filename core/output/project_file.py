"""项目档案: one project's file as a Word document — its card, this year's figures and curve,
the 形象进度 month by month, its problems with their 督办 and its nodes.

Set as the office's other documents (core.output.document: A4, GB/T 9704 margins, 仿宋 body,
黑体 headings and tables); the curve is the page's chart as a PNG drawn by vl-convert.
"""

from __future__ import annotations

import io

import pandas as pd
from docx.shared import Cm, Pt

from core.base import schema as S
from core.base.formatting import MISSING, pct, signed_points, yi_two_decimals
from core.figures import milestones as N
from core.figures import supervision as V
from core.figures.project import AMOUNT, COVERED, MONTH_LABEL, ProjectFile, month_label
from core.figures.scope import Scope
from core.output import export, project_charts
from core.output.document import (
    BODY_FONT,
    BODY_SIZE,
    HEADING_FONT,
    TITLE_FONT,
    add_table,
    document_bytes,
    new_document,
    paragraph,
)

TITLE_SIZE = Pt(22)  # 二号
TYPE_WIDTH_CM = 15.6  # the type area of GB/T 9704
CHART_WIDTH_CM = 15.0
SMALL = Pt(10.5)
PHOTO_WIDTH_CM = 7.5  # two photos to a row of the type area


def file_name(f: ProjectFile) -> str:
    stem = f"项目档案_{f.name}_{f.period.label}"
    return "".join("_" if c in '\\/:*?"<>|' else c for c in stem) + ".docx"


def _text(value) -> str:
    text = "" if value is None else str(value).strip()
    return text if text and text.lower() not in ("nan", "none") else MISSING


def _card_table(f: ProjectFile) -> pd.DataFrame:
    """The card in two label/value pairs per row."""
    items = list(f.card)
    if len(items) % 2:
        items.append(("", ""))
    half = [items[i : i + 2] for i in range(0, len(items), 2)]
    return pd.DataFrame(
        [(a[0], a[1], b[0], b[1]) for a, b in half], columns=["项目", "内容", "项目 ", "内容 "]
    )


def year_sentence(f: ProjectFile) -> str:
    """This year's figures in one sentence, as a briefing states them."""
    year = f.period.year
    if not f.has_plan:
        return f"{year}年没有年度计划投资;截至{f.period.label}底本年累计完成投资{yi_two_decimals(f.done)}。"
    return (
        f"{year}年计划投资{yi_two_decimals(f.plan)},{f.period.ytd_label}累计完成投资"
        f"{yi_two_decimals(f.done)},完成率{pct(f.rate)},序时进度{pct(f.schedule)},"
        f"偏差{signed_points(f.gap)},状态:{f.status}。"
    )


def years_sentence(f: ProjectFile) -> str:
    if f.prior_cumulative != f.prior_cumulative:  # NaN: no figure
        return f"开工至上年底累计完成投资:{MISSING}({f.prior_source})。"
    return (
        f"总投资{yi_two_decimals(f.total_investment)},开工至上年底累计完成投资"
        f"{yi_two_decimals(f.prior_cumulative)}({f.prior_source}),开工至今累计完成"
        f"{yi_two_decimals(f.since_start)},占总投资{pct(f.share_of_total)}。"
    )


def progress_table(f: ProjectFile) -> pd.DataFrame:
    """形象进度 month by month, oldest first, with the month's amount (万元)."""
    pr = f.progress
    return pd.DataFrame(
        {
            "月份": pr[MONTH_LABEL] + pr[COVERED].map(lambda c: f"({c})" if c else ""),
            "本月完成(万元)": pr[AMOUNT].map(lambda v: f"{v:,.2f}"),
            "形象进度": pr[S.PROGRESS_TEXT].map(_text),
        }
    )


def problems_table(f: ProjectFile) -> pd.DataFrame:
    pr = f.problems
    return pd.DataFrame(
        {
            "问题": pr[S.PROBLEM_TYPE] + ":" + pr[S.PROBLEM_TEXT],
            "提出": pr[S.RAISED].map(month_label),
            "责任单位": pr[S.RESPONSIBLE_UNIT].map(_text),
            "办结时限": pr[S.DEADLINE].map(_text),
            "状态": pr[V.STATE] + pr[V.OVERDUE_DAYS].map(lambda d: f"(超期{d}天)" if d else ""),
            "办理情况": pr[S.HANDLING_NOTES].map(V.latest_note).map(_text),
        }
    )


def nodes_table(f: ProjectFile) -> pd.DataFrame:
    n = f.nodes
    return pd.DataFrame(
        {
            "节点": n[S.NODE],
            "计划完成": n[S.NODE_PLANNED].map(month_label),
            "实际完成": n[S.NODE_ACTUAL].map(month_label),
            "状态": n[N.STATE],
        }
    )


def _heading(doc, text: str) -> None:
    paragraph(doc, text, HEADING_FONT, BODY_SIZE, indent=False)


def _table(doc, frame: pd.DataFrame, widths: tuple[float, ...]) -> None:
    scale = TYPE_WIDTH_CM / sum(widths)
    add_table(doc, frame, tuple(w * scale for w in widths), SMALL)


def docx_bytes(
    f: ProjectFile,
    scope: Scope,
    *,
    with_chart: bool = True,
    photos: list[tuple[str, bytes]] | tuple = (),
) -> bytes:
    """The project's file (项目档案) as a .docx; `photos` are (month, JPEG) of the site, put
    under the 形象进度 two to a row."""
    doc = new_document()
    paragraph(doc, f"{f.name}项目档案", TITLE_FONT, TITLE_SIZE, bold=True, center=True)
    paragraph(doc, f"项目代码{f.code} · {f.period.as_of}", BODY_FONT, SMALL, center=True)

    _heading(doc, "一、项目基本情况")
    _table(doc, _card_table(f), (2.2, 5.6, 2.2, 5.6))

    _heading(doc, "二、本年度投资完成情况")
    paragraph(doc, year_sentence(f), BODY_FONT, BODY_SIZE)
    paragraph(doc, years_sentence(f), BODY_FONT, BODY_SIZE)
    if f.coverage:
        paragraph(doc, f.coverage, BODY_FONT, BODY_SIZE)
    if with_chart and len(f.curve):
        picture = export.png(project_charts.curve(f, scope))
        doc.add_picture(io.BytesIO(picture), width=Cm(CHART_WIDTH_CM))

    _heading(doc, "三、形象进度")
    if f.progress.empty:
        paragraph(doc, "截至报告期没有月度报送。", BODY_FONT, BODY_SIZE)
    else:
        _table(doc, progress_table(f), (2.6, 2.6, 10.4))
    if photos:
        paragraph(doc, f"现场照片({photos[0][0]})", BODY_FONT, BODY_SIZE, indent=False)
        p = doc.add_paragraph()
        for _, picture in photos:
            p.add_run().add_picture(io.BytesIO(picture), width=Cm(PHOTO_WIDTH_CM))
            p.add_run(" ")

    _heading(doc, "四、存在问题及督办情况")
    if f.problems.empty:
        paragraph(doc, "截至报告期没有存在问题。", BODY_FONT, BODY_SIZE)
    else:
        _table(doc, problems_table(f), (4.4, 1.8, 2.6, 2.2, 2.0, 3.6))

    _heading(doc, "五、节点计划")
    if f.nodes.empty:
        paragraph(doc, "没有节点计划。", BODY_FONT, BODY_SIZE)
    else:
        _table(doc, nodes_table(f), (5.0, 3.4, 3.4, 3.8))
    return document_bytes(doc)
