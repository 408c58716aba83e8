"""The briefing as an office document: Word (.docx) with charts and a table, and PDF via LibreOffice.

Every Word document of the product is laid out here in the form of GB/T 9704 (党政机关公文格式):
A4 with its margins, 三号仿宋 body text, the page number centred in the footer as `— 1 —` (a
PAGE field), the language zh-CN (so that a viewer picks the Simplified Chinese faces), prose in
full-width punctuation (full_width), and the sender (落款) and date at the end. The monthly 简报
opens with its 报头: 重大项目工作简报 in red, 第N期 (numbered per year in the office's database,
core.store.numbers), the office and the date above a red rule.

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
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from core.base import schema as S
from core.base import settings
from core.base.cells import document_text
from core.base.formatting import WAN_PER_YI, amount_decimals, fixed, pct, signed_points
from core.base.periods import Convention, Period
from core.figures import briefing as B
from core.figures import measures as M
from core.figures import project as P
from core.figures.scope import Scope
from core.output import charts, export
from core.store import numbers
from core.store.portfolio import Portfolio
from core.store.versions import Store

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
# A part's heading of the second level, on a line of its own: (一)开展有效投资提升行动
SUBHEADING_RE = re.compile(r"^[(（][一二三四五六七八九十]+[)）][^。，,;；]*$")
SUBHEADING_FONT = "楷体"  # GB/T 9704: the second level in 楷体
# A paragraph that opens with its part's heading, as the annual report's (一)…。一是…
LEAD_RE = re.compile(r"^([(（][一二三四五六七八九十]+[)）][^。]*。)(.+)$")
MASTHEAD = "重大项目工作简报"
MASTHEAD_FONT = "宋体"  # the red masthead (报头); 小标宋 where the office has it
MASTHEAD_SIZE = Pt(36)  # 小初
RED = RGBColor(0xE6, 0x00, 0x12)
RED_HEX = "E60012"
FOOTER_FONT = "宋体"
FOOTER_SIZE = Pt(14)  # 四号: the page number of GB/T 9704
LANGUAGE = "zh-CN"
FONTCONFIG = Path(__file__).with_name("fontconfig.conf")

_FULL = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）"}
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_CODE_PARENS = re.compile(r"(?<=[A-Za-z0-9])\([A-Za-z0-9_.\-]*\)")


def full_width(text: str) -> str:
    """Prose in the full-width punctuation of Chinese text: , ; : ( ) → ， ； ： （ ）. Figures and
    what is ASCII inside a code stay as they are: the thousands' comma of 1,234.5, the colon of
    12:30 or of a code (ZB:12), and a code's parentheses (A(1))."""
    kept = {m.start() for m in _CODE_PARENS.finditer(text)}
    kept |= {m.end() - 1 for m in _CODE_PARENS.finditer(text)}
    out = []
    for i, ch in enumerate(text):
        wide = _FULL.get(ch)
        if wide is None or i in kept:
            out.append(ch)
            continue
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if ch == "," and before.isdigit() and after.isdigit():
            out.append(ch)  # 1,234.5
        elif ch in ":;" and _ASCII_WORD.match(before) and _ASCII_WORD.match(after):
            out.append(ch)  # 12:30, a code's separator
        else:
            out.append(wide)
    return "".join(out)


def font(run, face: str, size: Pt, bold: bool = False) -> None:
    run.font.name = face
    run.font.size = size
    run.font.bold = bold
    # python-docx sets only the Latin font; Chinese text needs the eastAsia slot too.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), face)


def paragraph(doc, text: str, face: str, size: Pt, *, bold=False, center=False, indent=True):
    """A paragraph of prose (in full-width punctuation) at the document's line spacing."""
    p = doc.add_paragraph()
    run = p.add_run(full_width(document_text(text)))
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


HEADING, SUBHEADING, PROSE = "heading", "subheading", "prose"


def parse(text: str) -> tuple[str, str, list[tuple[str, str]]]:
    """The (possibly edited) briefing text → title, scope line, [(kind, line)]: each line a
    heading (一、…), a heading of the second level ((一)… without a full stop) or prose."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = lines[0] if lines else ""
    scope = lines[1] if len(lines) > 1 and lines[1].startswith("范围") else ""
    body = lines[2:] if scope else lines[1:]

    def kind(line: str) -> str:
        if HEADING_RE.match(line):
            return HEADING
        return SUBHEADING if SUBHEADING_RE.match(line) else PROSE

    return title, scope, [(kind(line), line) for line in body]


def key_charts(p: Portfolio, scope: Scope, convention: Convention) -> list[charts.ChartOut]:
    """The overview's and the growth page's key charts, for the document."""
    out = []
    if M.year_figures(p, scope, convention).count:
        # The city's 序时进度 (under monthly plans, its projects' planned ÷ annual plans).
        sched = M.year_figures(p, scope.citywide(), convention).schedule
        ranking = M.county_ranking(p, scope.citywide(), convention)
        out.append(charts.county_ranking(ranking, scope, sched))
        out.append(charts.sector_composition(M.sector_breakdown(p, scope, convention), scope))
        out.append(charts.cumulative(M.cumulative_by_month(p, scope), scope))
    return out


def _project_yi(value: float) -> str:
    return fixed(value, max(2, amount_decimals()))


def behind_table(frame: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "序号": range(1, len(frame) + 1),
            "项目名称": frame[S.NAME],
            "区县": frame[S.COUNTY],
            # At least two decimals: a project's amounts are often under 1亿元, and one
            # decimal would print 0.1 for most of them.
            "年度计划(亿元)": (frame[M.PLAN] / WAN_PER_YI).map(_project_yi),
            f"{scope.period.ytd_label}完成(亿元)": (frame[M.DONE] / WAN_PER_YI).map(_project_yi),
            "完成率": frame[M.RATE].map(pct),
            "与序时进度之差(个百分点)": frame[M.GAP]
            .map(signed_points)
            .str.removesuffix("个百分点"),
        }
    )


def _language(element) -> None:
    """w:lang on a run-properties element: zh-CN for Chinese text (and for Latin text)."""
    lang = element.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        element.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)


def set_language(doc) -> None:
    """The document's language zh-CN, in its defaults and on every style with run properties,
    so that Word and LibreOffice pick the Simplified Chinese faces (not the Japanese ones)."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        r_pr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if r_pr is not None:
            _language(r_pr)
    for style in doc.styles:
        if style.type == 1 or style.name == "Normal":  # paragraph styles
            _language(style.element.get_or_add_rPr())


def _field(paragraph, instruction: str, shown: str, face: str, size: Pt) -> None:
    """A field (PAGE …) in a paragraph, showing `shown` until the viewer updates it."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, shown),
                       ("end", None)):  # fmt: skip
        run = paragraph.add_run()
        font(run, face, size)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
        elif text == instruction:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._element.append(instr)
        else:
            run.text = text


def page_numbers(doc) -> None:
    """`— 1 —` centred in the footer of every page (GB/T 9704: 四号宋体 figures between dashes)."""
    for section in doc.sections:
        footer = section.footer
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        p.text = ""
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        font(p.add_run("— "), FOOTER_FONT, FOOTER_SIZE)
        _field(p, "PAGE", "1", FOOTER_FONT, FOOTER_SIZE)
        font(p.add_run(" —"), FOOTER_FONT, FOOTER_SIZE)


def new_document():
    """An empty A4 document with the margins of GB/T 9704, 仿宋 as its body face, the language
    zh-CN and page numbers in the footer."""
    doc = Document()
    for section in doc.sections:
        section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
        section.top_margin, section.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
        section.left_margin, section.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
        section.footer_distance = Cm(2.2)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    set_language(doc)
    page_numbers(doc)
    return doc


def rule_line(p, color: str = RED_HEX, size_eighths: int = 12) -> None:
    """A rule under paragraph `p` (a bottom border), red by default: the 报头's line."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("val", "single"), ("sz", str(size_eighths)), ("space", "4"),
                        ("color", color)):  # fmt: skip
        bottom.set(qn(f"w:{name}"), value)
    borders.append(bottom)
    p._p.get_or_add_pPr().append(borders)


def date_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def masthead(doc, number: int | None, office: str, day: dt.date) -> None:
    """The 简报's 报头: 重大项目工作简报 in red, 第N期, then the office on the left and the date on
    the right above a red rule (GB/T 9704's 版头)."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(MASTHEAD)
    font(run, MASTHEAD_FONT, MASTHEAD_SIZE, bold=True)
    run.font.color.rgb = RED
    p.paragraph_format.space_before = Pt(24)
    p.paragraph_format.space_after = Pt(12)
    paragraph(doc, f"第{number}期" if number else "第　期", BODY_FONT, BODY_SIZE, center=True)
    line = doc.add_paragraph()
    line.paragraph_format.tab_stops.add_tab_stop(Cm(15.6), WD_TAB_ALIGNMENT.RIGHT)
    line.paragraph_format.space_before = Pt(6)
    line.paragraph_format.space_after = Pt(18)
    font(line.add_run(f"{document_text(office)}\t{date_text(day)}"), BODY_FONT, BODY_SIZE)
    rule_line(line)


def add_table(doc, frame: pd.DataFrame, widths_cm: tuple[float, ...], size: Pt = TABLE_SIZE):
    """A grid table of `frame` (its header in 黑体), the columns at these widths."""
    t = doc.add_table(rows=1, cols=len(frame.columns))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for cell, name in zip(t.rows[0].cells, frame.columns, strict=True):
        cell.text = ""
        font(cell.paragraphs[0].add_run(document_text(name)), HEADING_FONT, size, bold=True)
    # The header row repeats at the top of every page a long table runs onto.
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    t.rows[0]._tr.get_or_add_trPr().append(header)
    for row in frame.itertuples(index=False):
        added = t.add_row()
        added._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row is never cut
        cells = added.cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            font(cell.paragraphs[0].add_run(document_text(value)), BODY_FONT, size)
    # Word reads the cells' widths, LibreOffice the grid's: set both.
    for column, width in zip(t.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in t.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    return t


def project_link(code: str, period: Period) -> str | None:
    """The address of a project's page (项目档案) at `period` for a document's reader: the
    app's address (`[app] base_url`) and the page's path; None when the office has not set an
    http(s) address, so a document handed out beyond its network has no dead links."""
    base = str(settings.current().section("app").get("base_url", "")).strip().rstrip("/")
    if not base.lower().startswith(("http://", "https://")):
        return None
    return base + P.page_url(code, period)


def link_cell(cell, url: str) -> None:
    """The cell's text as a hyperlink to `url` (its run kept: font and size as the table's),
    underlined in the link blue of Word's own Hyperlink style."""
    para = cell.paragraphs[0]
    r_id = para.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    for run in list(para.runs):
        run.font.underline = True
        run.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
        link.append(run._r)  # moved from the paragraph into the link
    para._p.append(link)


def link_projects(table, codes: pd.Series, period: Period, column: int = 1) -> int:
    """Each data row's `column` (the project's name) linked to its page; how many were linked
    (none without `[app] base_url`)."""
    linked = 0
    for row, code in zip(table.rows[1:], codes, strict=True):
        url = project_link(str(code), period)
        if url:
            link_cell(row.cells[column], url)
            linked += 1
    return linked


def signature(doc, office: str, day: dt.date) -> None:
    """The sender (落款) and the date at the foot, right-aligned, as an office document is signed."""
    for text in (office, date_text(day)):
        p = paragraph(doc, text, BODY_FONT, BODY_SIZE, indent=False)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(BODY_SIZE.pt * 2)  # 右空二字
    doc.paragraphs[-2].paragraph_format.space_before = Pt(28)


def page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def document_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def issue_number(store: Store | None, scope: Scope, day: dt.date) -> int | None:
    """The 简报's 第N期 of the year `day` falls in, from the office's database; the same scope and
    period downloaded again keep theirs. None without a database or one that cannot be written:
    the 报头 then leaves the number blank."""
    if store is None:
        return None
    return numbers.try_take(store.engine, numbers.BRIEFING, day.year, scope.sentence())


def docx_bytes(
    p: Portfolio,
    scope: Scope,
    convention: Convention,
    text: str,
    *,
    annual: bool = False,
    store: Store | None = None,
    day: dt.date | None = None,
) -> bytes:
    """A Word document of `text` (the generated or edited briefing) in 公文 form, dated `day`
    (today by default) and signed by the office (its name from the settings file).

    The monthly 简报 opens with its 报头 (第N期 from `store`, see issue_number) and ends with
    an appendix on a page of its own: the key charts with captions and the projects furthest
    behind schedule. The `annual` report has no 报头 and no appendix. The scope, a `范围:… · …`
    line on the screen, is a sentence of the text."""
    day = day or dt.date.today()
    office = settings.current().office
    title, scope_line, body = parse(text)
    doc = new_document()
    if not annual:
        masthead(doc, issue_number(store, scope, day), office, day)
    paragraph(doc, title, TITLE_FONT, Pt(22), bold=True, center=True)
    doc.paragraphs[-1].paragraph_format.space_after = Pt(14)
    if scope_line:
        paragraph(doc, B.scope_prose(scope, "本报告" if annual else "本期简报"), BODY_FONT,
                  BODY_SIZE)  # fmt: skip
    for kind, line in body:
        if kind == HEADING:
            paragraph(doc, line, HEADING_FONT, BODY_SIZE, indent=True)
        elif kind == SUBHEADING:
            paragraph(doc, line, SUBHEADING_FONT, BODY_SIZE, indent=True)
        elif lead := LEAD_RE.match(line):  # the heading in 楷体, the text after it in 仿宋
            para = paragraph(doc, lead.group(1), SUBHEADING_FONT, BODY_SIZE)
            font(para.add_run(full_width(document_text(lead.group(2)))), BODY_FONT, BODY_SIZE)
        else:
            paragraph(doc, line, BODY_FONT, BODY_SIZE)
    signature(doc, office, day)

    figures = [] if annual else key_charts(p, scope, convention)
    behind = [] if annual else B.furthest_behind(p, scope, convention)
    if figures or len(behind):
        page_break(doc)
    if figures:
        paragraph(doc, "附图", HEADING_FONT, BODY_SIZE, indent=False)
    for i, c in enumerate(figures, start=1):
        # The picture without its title: the caption below says it once.
        doc.add_picture(io.BytesIO(export.png(c.untitled())), width=Cm(14))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        doc.paragraphs[-1].paragraph_format.keep_with_next = True  # the caption stays below
        paragraph(doc, f"图{i} {c.title}", BODY_FONT, Pt(12), center=True)

    if len(behind):
        paragraph(doc, "附表 落后序时进度最多的项目", HEADING_FONT, BODY_SIZE, indent=False)
        table = add_table(doc, behind_table(behind, scope), TABLE_WIDTHS_CM)
        link_projects(table, behind[S.CODE], scope.period)  # to each one's 项目档案
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
