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
