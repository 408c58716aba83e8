"""The briefing as an office document: Word (.docx) with charts and a table, and PDF via LibreOffice.

Body text is set in 仿宋 (FangSong, present on office PCs); where it is missing, as on a
server converting to PDF, fontconfig maps it to Noto Serif CJK SC (SIL Open Font License),
and 黑体 to Noto Sans CJK SC.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from core.base import schema as S
from core.base import settings
from core.base.formatting import WAN_PER_YI, pct, signed_points
from core.base.periods import Convention, schedule_share
from core.figures import briefing as B
from core.figures import measures as M
from core.figures.scope import Scope
from core.output import charts, export
from core.store.portfolio import Portfolio

BODY_FONT = "仿宋"  # the face of Chinese government documents (GB/T 9704: 3号仿宋)
HEADING_FONT = "黑体"
TITLE_FONT = "黑体"
BODY_SIZE = Pt(16)  # 三号
TABLE_SIZE = Pt(10.5)  # 五号: a table's type
# A4 and the margins of GB/T 9704 (党政机关公文格式): 天头37mm, 订口28mm, the type area 156mm wide.
PAGE_WIDTH_CM, PAGE_HEIGHT_CM = 21.0, 29.7
MARGINS_CM = {"top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}
# Column widths of the table of projects behind schedule: they add up to the 15.6cm type area,
# and no figure column wraps (the unit sits in the header, not in every cell).
TABLE_WIDTHS_CM = (1.0, 5.2, 1.6, 1.9, 1.9, 1.8, 2.2)
HEADING_RE = re.compile(r"^[一二三四五六七八九十]+、")
FONTCONFIG = Path(__file__).with_name("fontconfig.conf")


def font(run, face: str, size: Pt, bold: bool = False) -> None:
    run.font.name = face
    run.font.size = size
    run.font.bold = bold
    # python-docx sets only the Latin font; Chinese text needs the eastAsia slot too.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), face)


def paragraph(doc, text: str, face: str, size: Pt, *, bold=False, center=False, indent=True):
    p = doc.add_paragraph()
    run = p.add_run(text)
    font(run, face, size, bold)
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_after = Pt(0)
    if bold or face == HEADING_FONT:
        fmt.keep_with_next = True  # a heading never ends a page alone
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        fmt.first_line_indent = Pt(size.pt * 2)  # two characters, as Chinese paragraphs start
    return p


def parse(text: str) -> tuple[str, str, list[tuple[bool, str]]]:
    """The (possibly edited) briefing text → title, scope line, [(is_heading, line)]."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = lines[0] if lines else ""
    scope = lines[1] if len(lines) > 1 and lines[1].startswith("范围") else ""
    body = lines[2:] if scope else lines[1:]
    return title, scope, [(bool(HEADING_RE.match(line)), line) for line in body]


def key_charts(p: Portfolio, scope: Scope, convention: Convention) -> list[charts.ChartOut]:
    """The overview's and the growth page's key charts, for the document."""
    out = []
    if M.year_figures(p, scope, convention).count:
        sched = schedule_share(scope.period, convention)
        ranking = M.county_ranking(p, scope.citywide(), convention)
        out.append(charts.county_ranking(ranking, scope, sched))
        out.append(charts.sector_composition(M.sector_breakdown(p, scope, convention), scope))
        out.append(charts.cumulative(M.cumulative_by_month(p, scope), scope))
    return out


def behind_table(frame: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "序号": range(1, len(frame) + 1),
            "项目名称": frame[S.NAME],
            "区县": frame[S.COUNTY],
            # Two decimals: a project's amounts are often under 1亿元, and one decimal would
            # print 0.1 for most of them.
            "年度计划(亿元)": (frame[M.PLAN] / WAN_PER_YI).map("{:.2f}".format),
            f"{scope.period.ytd_label}完成(亿元)": (frame[M.DONE] / WAN_PER_YI).map(
                "{:.2f}".format
            ),
            "完成率": frame[M.RATE].map(pct),
            "与序时进度之差(个百分点)": frame[M.GAP]
            .map(signed_points)
            .str.removesuffix("个百分点"),
        }
    )


def new_document():
    """An empty A4 document with the margins of GB/T 9704 and 仿宋 as its body face."""
    doc = Document()
    for section in doc.sections:
        section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
        section.top_margin, section.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
        section.left_margin, section.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    return doc


def add_table(doc, frame: pd.DataFrame, widths_cm: tuple[float, ...], size: Pt = TABLE_SIZE):
    """A grid table of `frame` (its header in 黑体), the columns at these widths."""
    t = doc.add_table(rows=1, cols=len(frame.columns))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for cell, name in zip(t.rows[0].cells, frame.columns, strict=True):
        cell.text = ""
        font(cell.paragraphs[0].add_run(str(name)), HEADING_FONT, size, bold=True)
    # The header row repeats at the top of every page a long table runs onto.
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    t.rows[0]._tr.get_or_add_trPr().append(header)
    for row in frame.itertuples(index=False):
        cells = t.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            font(cell.paragraphs[0].add_run(str(value)), BODY_FONT, size)
    # Word reads the cells' widths, LibreOffice the grid's: set both.
    for column, width in zip(t.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in t.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    return t


def signature(doc, office: str, day: dt.date) -> None:
    """The sender and the date at the foot, right-aligned, as an office document is signed."""
    for text in (office, f"{day.year}年{day.month}月{day.day}日"):
        p = paragraph(doc, text, BODY_FONT, BODY_SIZE, indent=False)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.paragraphs[-2].paragraph_format.space_before = Pt(28)


def document_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def docx_bytes(
    p: Portfolio,
    scope: Scope,
    convention: Convention,
    text: str,
    *,
    appendix: bool = True,
    signed: dt.date | None = None,
) -> bytes:
    """A Word document of `text` (the generated or edited briefing) with, as `appendix`, the
    key charts with captions and the projects furthest behind schedule; `signed`: the office's
    name and that date at the foot (the annual report)."""
    title, scope_line, body = parse(text)
    doc = new_document()
    paragraph(doc, title, TITLE_FONT, Pt(22), bold=True, center=True)
    if scope_line:
        paragraph(doc, scope_line, BODY_FONT, Pt(14), center=True)
    for is_heading, line in body:
        if is_heading:
            paragraph(doc, line, HEADING_FONT, BODY_SIZE, indent=True)
        else:
            paragraph(doc, line, BODY_FONT, BODY_SIZE)

    if signed is not None:
        signature(doc, settings.current().office, signed)
    figures = key_charts(p, scope, convention) if appendix else []
    if figures:
        paragraph(doc, "附图", HEADING_FONT, BODY_SIZE, indent=False)
    for i, c in enumerate(figures, start=1):
        # The picture without its title: the caption below says it once.
        doc.add_picture(io.BytesIO(export.png(c.untitled())), width=Cm(14))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        doc.paragraphs[-1].paragraph_format.keep_with_next = True  # the caption stays below
        paragraph(doc, f"图{i} {c.title}", BODY_FONT, Pt(12), center=True)

    behind = B.furthest_behind(p, scope, convention) if appendix else []
    if len(behind):
        paragraph(doc, "附表 落后序时进度最多的项目", HEADING_FONT, BODY_SIZE, indent=False)
        add_table(doc, behind_table(behind, scope), TABLE_WIDTHS_CM)
    return document_bytes(doc)


def office_binary() -> str | None:
    """LibreOffice, if installed: PDF export is offered only then."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_bytes(docx: bytes, timeout: int = 120) -> bytes:
    """Convert a .docx to PDF with LibreOffice (headless), mapping 仿宋/黑体 to free fonts."""
    binary = office_binary()
    if not binary:
        raise RuntimeError("未安装LibreOffice,无法生成PDF")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "briefing.docx"
        src.write_bytes(docx)
        env = dict(os.environ, FONTCONFIG_FILE=str(FONTCONFIG), HOME=tmp)
        subprocess.run(
            [
                binary,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
            env=env,
        )
        return (Path(tmp) / "briefing.pdf").read_bytes()
