"""Chart and table files: Chinese glyphs in the PNG, names, titles, and the .xlsx layout."""

import io

import altair as alt
import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image, ImageChops

from core.base.periods import Period
from core.figures import measures as M
from core.figures.scope import Scope
from core.output import charts, export

SCOPE = Scope(Period(2026, 2), counties=("城东区",))


def _titled(title: str) -> charts.ChartOut:
    data = pd.DataFrame({"区县": ["甲", "乙"], "值": [1, 2]})
    chart = alt.Chart(data).mark_bar().encode(x="区县:N", y="值:Q")
    return charts._finish("t", title, SCOPE, chart, data, width=200, height=100)


def _ink(img: Image.Image) -> int:
    """Dark pixels: glyph strokes."""
    return sum(1 for v in img.convert("L").getdata() if v < 128)


def test_png_draws_chinese_glyphs_not_boxes():
    # Missing glyphs all draw as the same empty box, so two different Chinese titles of one
    # length would give identical images. Real glyphs differ, and have more strokes than boxes.
    a = Image.open(io.BytesIO(export.png(_titled("项目进度统计"))))
    b = Image.open(io.BytesIO(export.png(_titled("投资增长分析"))))
    assert a.size == b.size
    title_strip = (0, 0, a.size[0], 90)
    diff = ImageChops.difference(a.convert("L").crop(title_strip), b.convert("L").crop(title_strip))
    assert sum(1 for v in diff.getdata() if v > 64) > 300
    assert _ink(a.crop(title_strip)) > 300


def test_png_is_twice_the_chart_size():
    img = Image.open(io.BytesIO(export.png(_titled("投资增长"))))
    one = Image.open(io.BytesIO(export.png(_titled("投资增长"), scale=1)))
    assert img.size == (one.size[0] * 2, one.size[1] * 2)


def test_svg_carries_title_and_the_csv_reads_as_a_table():
    c = _titled("投资增长")
    assert "投资增长" in export.svg(c)
    text = export.csv(c).decode("utf-8-sig")
    assert text.splitlines()[0] == "区县,值"  # the header first: the title is in the file name
    assert export.csv(c).startswith(b"\xef\xbb\xbf")  # Excel needs the BOM for Chinese
    read = pd.read_csv(io.BytesIO(export.csv(c)), encoding="utf-8-sig")
    assert list(read.columns) == ["区县", "值"] and len(read) == len(c.data)


def test_file_name_has_title_scope_and_period():
    assert _titled("投资增长").file_stem() == "投资增长_城东区_2026年2月"
    assert _titled("a/b:c").file_stem() == "a_b_c_城东区_2026年2月"


def test_chart_receives_only_aggregates(demo):
    scope = Scope(demo.latest_period)
    ranking = M.county_ranking(demo, scope)
    c = charts.county_ranking(ranking, scope, 2 / 12)
    assert len(c.data) == len(ranking) <= 12
    assert list(c.data.columns) == ["名次", "区县", "完成率(%)", "偏差(个百分点)", "状态"]
    spec = c.chart.to_dict()
    assert spec["title"]["subtitle"] == ["范围:全市 · 全部行业领域 · 省重点", "截至2026年2月底"]


@pytest.mark.parametrize("period", [Period(2026, 2), Period(2025, 12)])
def test_progress_xlsx_layout(demo, period):
    scope = Scope(period, counties=("城东区",))
    table = M.progress_table(demo, scope)
    wb = load_workbook(io.BytesIO(export.progress_xlsx(table, scope)))
    ws = wb["项目进度"]
    assert ws["A1"].value == f"重大项目推进情况表({period.as_of})"
    assert ws["A2"].value.startswith(scope.sentence())
    header = [c.value for c in ws[3]]
    assert header[:5] == ["序号", "项目代码", "项目名称", "建设单位", "所在区县"]
    assert f"{period.ytd_label}完成投资(万元)" in header
    assert ws.max_row == 3 + len(table)
    done_col = header.index(f"{period.ytd_label}完成投资(万元)") + 1
    total = sum(ws.cell(row=r, column=done_col).value or 0 for r in range(4, ws.max_row + 1))
    assert total == pytest.approx(table[M.DONE].sum(), abs=0.01 * len(table))


def test_progress_csv_is_utf8_sig(demo):
    scope = Scope(demo.latest_period)
    data = export.progress_csv(M.progress_table(demo, scope), scope)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0].startswith("序号,项目代码,项目名称")


def test_a_curve_of_zeros_gets_a_readable_axis():
    """A ledger of blank amounts: the cumulative chart's axis runs 0–1, not one tick 0.000000."""
    from core.base.periods import Period
    from core.figures import measures as M
    from core.figures.scope import Scope
    from core.output import charts

    zeros = pd.DataFrame({M.MONTH_NO: [1, 2, 3], M.SERIES: [M.THIS_YEAR] * 3, M.VALUE: [0.0] * 3})
    spec = charts.cumulative(zeros, Scope(Period(2010, 3))).chart.to_dict()
    assert spec["layer"][0]["encoding"]["y"]["scale"] == {"domain": [0, 1]}


def _same_picture(a: bytes, b: bytes) -> int:
    """Pixels that differ clearly between two renderings of one size."""
    x, y = Image.open(io.BytesIO(a)).convert("L"), Image.open(io.BytesIO(b)).convert("L")
    assert x.size == y.size
    return sum(1 for v in ImageChops.difference(x, y).getdata() if v > 96)


def test_svg_needs_no_font_to_show_chinese():
    # A viewer without Chinese fonts draws <text> as boxes and ignores @font-face (Word,
    # PowerPoint, Inkscape): the text is glyph outlines, with no font named anywhere.
    svg_text = export.svg(_titled("投资增长"))
    for needs_a_font in ("<text", "<tspan", "font-family", "@font-face", "font-size"):
        assert needs_a_font not in svg_text
    assert 'aria-label="投资增长"' in svg_text  # the words stay, for search and screen readers
    assert 'aria-label="范围:城东区 · 全部行业领域 · 省重点 截至2026年2月底"' in svg_text


def test_svg_outlines_draw_what_the_font_drew():
    # The outlines stand where vl-convert's own text rendering puts its glyphs: anchors
    # (start, middle, end), rotated axis labels, the two-line subtitle, bold titles.
    import vl_convert as vlc

    spec = export._spec(_titled("投资增长分析"))
    with_text = vlc.vegalite_to_svg(spec)
    assert "<text" in with_text  # drawn with the registered font
    drawn = vlc.svg_to_png(with_text)
    outlined = vlc.svg_to_png(export.outlined(with_text))
    assert _same_picture(drawn, outlined) < 300  # antialiasing at the edges of strokes
    assert _ink(Image.open(io.BytesIO(outlined))) > 3000


def test_svg_of_a_page_chart_has_only_outlines(demo):
    scope = Scope(demo.latest_period)
    c = charts.county_ranking(M.county_ranking(demo, scope), scope, 2 / 12)
    svg_text = export.svg(c)
    assert "<text" not in svg_text and "font-family" not in svg_text
    assert f'aria-label="{c.data["区县"].iloc[0]}"' in svg_text  # an axis label, outlined
