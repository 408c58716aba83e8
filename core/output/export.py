"""Files for slides and spreadsheets: chart PNG/SVG/CSV and the progress table as .xlsx.

PNG and SVG are drawn server-side by vl-convert with Noto Sans CJK SC (SIL Open Font License
1.1), whose file ships with the product (core/output/fonts: the file of Debian's fonts-noto-cjk,
unchanged, with its licence), so Chinese comes out as glyphs, not boxes, on a machine with no
Chinese fonts at all: the PNG as pixels, the SVG as the glyphs' outlines (fontTools reads them).
"""

from __future__ import annotations

import html
import io
import re
from functools import cache
from pathlib import Path

import pandas as pd
import vl_convert as vlc

from core.base import cells
from core.base import schema as S
from core.figures import measures as M
from core.figures.scope import Scope
from core.output.charts import ChartOut

PNG_SCALE = 2  # slides are projected large: twice the screen resolution stays sharp


FONTS = Path(__file__).with_name("fonts")  # NotoSansCJK-Regular.ttc and LICENSE-OFL.txt


@cache
def font_directory() -> Path:
    """Folder of the shipped CJK font, registered once with vl-convert."""
    vlc.register_font_directory(str(FONTS))
    return FONTS


def _spec(chart: ChartOut) -> dict:
    font_directory()
    return clean_spec(chart.for_export().to_dict())


def clean_spec(value):  # a spec, or any part of one
    """The spec with control characters taken out of every text (titles, labels, the data):
    vl-convert aborts the whole process (a Rust panic) on a text holding \\x07 or \\x1b, as a
    name stored before the import removed them may (core.base.cells). Every PNG and SVG
    of a chart goes through here (the deck's too)."""
    if isinstance(value, str):
        return cells.without_controls(value)
    if isinstance(value, dict):
        return {clean_spec(k): clean_spec(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_spec(v) for v in value]
    return value


def png(chart: ChartOut, scale: float = PNG_SCALE) -> bytes:
    return vlc.vegalite_to_png(_spec(chart), scale=scale)


def svg(chart: ChartOut) -> str:
    """The chart as SVG whose text is drawn as outlines of the shipped font: it shows Chinese
    on a machine with no Chinese font, in a browser, Word, PowerPoint or Inkscape alike (an
    embedded @font-face is ignored by several of them). Each former text keeps its words as
    the outline group's aria-label, for search and screen readers."""
    return outlined(vlc.vegalite_to_svg(_spec(chart)))


# --- Text as outlines -------------------------------------------------------------------------

_SVG_NS = "http://www.w3.org/2000/svg"
_FAMILY = "Noto Sans CJK SC"  # the face of the shipped collection the charts are drawn with
_BOLD_STROKE = 0.04  # a stroke of this many ems in the text's colour: bold from the regular face
_TEXT = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.DOTALL)
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
_TSPAN = re.compile(r"<tspan\b([^>]*)>(.*?)</tspan>", re.DOTALL)
# Attributes of a <text> that its outline group keeps as they are (its place and paint).
_KEPT = ("transform", "fill", "opacity", "fill-opacity", "class", "clip-path")


@cache
def _face():
    """The SC face of the shipped collection: (cmap, glyph set, units per em)."""
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(FONTS / "NotoSansCJK-Regular.ttc"), lazy=True)
    font = next(f for f in collection.fonts if f["name"].getDebugName(1) == _FAMILY)
    return font.getBestCmap(), font.getGlyphSet(), font["head"].unitsPerEm


def _number(value: str | None) -> float:
    return float(re.sub(r"[a-z%]+$", "", value)) if value else 0.0


def _line_path(text: str, size: float, anchor: str, x: float, y: float) -> str:
    """One line of text as SVG path data, its baseline at y, placed by its anchor at x."""
    from fontTools.pens.svgPathPen import SVGPathPen
    from fontTools.pens.transformPen import TransformPen

    cmap, glyphs, units = _face()
    scale = size / units
    names = [cmap.get(ord(c), ".notdef") for c in text]
    width = sum(glyphs[n].width for n in names) * scale
    left = x - {"middle": width / 2, "end": width}.get(anchor, 0.0)
    pen = SVGPathPen(glyphs, ntos=lambda v: f"{v:.2f}".rstrip("0").rstrip("."))
    advance = 0.0
    for name in names:
        glyph = glyphs[name]
        glyph.draw(TransformPen(pen, (scale, 0, 0, -scale, left + advance, y)))
        advance += glyph.width * scale
    return pen.getCommands()


def _outline(match: re.Match) -> str:
    attributes = dict(_ATTRIBUTE.findall(match.group(1)))
    size = _number(attributes.get("font-size")) or 11.0
    anchor = attributes.get("text-anchor", "start")
    x, y = _number(attributes.get("x")), _number(attributes.get("y"))
    x, y = x + _number(attributes.get("dx")), y + _number(attributes.get("dy"))
    body = match.group(2)
    lines = []
    if "<tspan" in body:
        for tspan in _TSPAN.finditer(body):
            own = dict(_ATTRIBUTE.findall(tspan.group(1)))
            x = _number(own["x"]) if "x" in own else x
            y += _number(own.get("dy"))
            lines.append((html.unescape(tspan.group(2)), x, y))
    else:
        lines.append((html.unescape(body), x, y))
    d = " ".join(_line_path(words, size, anchor, lx, ly) for words, lx, ly in lines if words)
    kept = " ".join(f'{k}="{attributes[k]}"' for k in _KEPT if k in attributes)
    label = html.escape(" ".join(words for words, _, _ in lines), quote=True)
    bold = attributes.get("font-weight") in ("bold", "bolder", "600", "700", "800", "900")
    stroke = (
        f' stroke="{attributes.get("fill", "#000")}" stroke-width="{size * _BOLD_STROKE:.2f}"'
        ' stroke-linejoin="round"'
        if bold
        else ""
    )
    return f'<g {kept} role="img" aria-label="{label}"><path d="{d}"{stroke}/></g>'


def outlined(svg_text: str) -> str:
    """An SVG (vl-convert's, of one chart) with every <text> replaced by the glyph outlines of
    the shipped font: no font is needed to show it."""
    return _TEXT.sub(_outline, svg_text)


def csv(chart: ChartOut) -> bytes:
    """The chart's data as a table whose first line is its header, so that Excel and
    pandas.read_csv read it as it is; the title and scope are in the file's name
    (ChartOut.file_stem)."""
    return cells.csv_bytes(chart.data)


# --- The progress table ----------------------------------------------------------------


def progress_sheet(table: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """The table in the column layout of a published project list (DOMAIN.md), in 万元."""
    ytd = f"{scope.period.ytd_label}完成投资(万元)"
    out = pd.DataFrame(
        {
            "序号": range(1, len(table) + 1),
            "项目代码": table[S.CODE],
            "项目名称": table[S.NAME],
            "建设单位": table[S.OWNER],
            "所在区县": table[S.COUNTY],
            "行业领域": table[S.SECTOR],
            "项目级别": table[S.LEVEL],
            "项目阶段": table[S.STAGE],
            "建设性质": table[S.NATURE],
            "建设起止年限": table[S.PLANNED_START].str.replace("-", ".", regex=False)
            + "—"
            + table[S.PLANNED_END].str.replace("-", ".", regex=False),
            "总投资(万元)": table[S.TOTAL_INVESTMENT].round(2),
            f"{scope.period.year}年计划投资(万元)": table[M.PLAN].round(2),
            ytd: table[M.DONE].round(2),
            "完成率(%)": (table[M.RATE] * 100).round(1),
            "偏差(个百分点)": (table[M.GAP] * 100).round(1),
            "状态": table[M.STATUS],
            "形象进度": table[S.PROGRESS_TEXT],
            "存在问题": table[M.OPEN_PROBLEMS],
            "责任单位": table[S.RESPONSIBLE_UNIT],
            "责任领导": table[S.LEADER],
        }
    )
    return out


def progress_csv(table: pd.DataFrame, scope: Scope) -> bytes:
    return cells.csv_bytes(progress_sheet(table, scope))


def progress_xlsx(table: pd.DataFrame, scope: Scope) -> bytes:
    """An .xlsx with a title row, the scope row, then the header and one row per project.

    Written in openpyxl's write-only mode: each row goes to the file as it is made, so the
    memory is the table's, not a cell object for each of 100,000 projects × 21 columns (about
    a kilobyte each) — the export of the largest list the import accepts stays small."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = cells.xlsx_frame(progress_sheet(table, scope))  # stored text openpyxl refuses
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("项目进度")
    widths = {"项目名称": 36, "建设单位": 28, "形象进度": 14, "存在问题": 40, "责任单位": 24}
    for i, col in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(col, 14)
    ws.freeze_panes = "D4"
    title = WriteOnlyCell(ws, f"重大项目推进情况表({scope.period.as_of})")
    title.font = Font(size=16, bold=True)
    ws.append([title])
    ws.merged_cells.add(f"A1:{get_column_letter(len(sheet.columns))}1")
    line = WriteOnlyCell(ws, cells.xlsx_value(scope.sentence() + " · 单位:万元"))
    cells.as_text(line)  # the scope names counties and sectors from the data
    ws.append([line])
    header_fill = PatternFill("solid", fgColor="DCE6F1")
    header = []
    for name in sheet.columns:
        cell = WriteOnlyCell(ws, name)
        cell.font, cell.fill = Font(bold=True), header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    ws.append(header)
    for row in sheet.itertuples(index=False):
        values = [None if not isinstance(v, str) and pd.isna(v) else v for v in row]
        if any(cells.formula_like(v) for v in values):  # names that look like formulas
            values = [_text_cell(ws, v) if cells.formula_like(v) else v for v in values]
        ws.append(values)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _text_cell(ws, value: str):
    """A write-only cell holding `value` as text, never a formula (core.base.cells.as_text)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value)
    cells.as_text(cell)
    return cell
