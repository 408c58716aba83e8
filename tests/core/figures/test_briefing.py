"""The written briefing: the report's figures, additivity over counties, wording by sign, and
the Word/PDF documents."""

import io
import re
import shutil
import subprocess

import pandas as pd
import pytest
from docx import Document

from core.base import schema as S
from core.base.periods import Convention, Period
from core.figures import briefing
from core.figures import overview as O
from core.figures.measures import YearFigures
from core.figures.scope import Scope
from core.output import document

CONSTRUCTION = re.compile(r"(\S+?)(\d+)个省重点项目累计完成投资([\d.]+)亿元")


def test_demo_briefing_states_the_report(demo):
    text = briefing.write(demo, Scope(demo.latest_period)).text()
    for phrase in (
        "储备省重点项目103个,计划总投资2890.7亿元,其中新引进项目56个,总投资1136.0亿元",
        "已申报省重点项目104个,计划总投资3016.2亿元,拟争取省级补助资金69.6亿元",
        "截至2月底,全市106个省重点项目累计完成投资172.6亿元,占年度计划的14.3%,落后序时进度2.4个百分点。",
        "全市已落实各类项目资金1200.0亿元,其中专项债券资金300.0亿元,银行贷款700.0亿元,其他融资渠道200.0亿元。",
        "实施产业项目80个,总投资1200.0亿元,其中高新技术产业项目40个,总投资600.0亿元,占比50.0%",
        "全市固定资产投资同比增长7.0%,增速与全年目标持平,总量居全省第4位,较上年同期前移3位",
        "其中房地产开发投资、工业投资、基础设施投资分别增长10.1%、9.1%、5.1%",
    ):
        assert phrase in text
    assert "分区县看,10个区县中" in text


def test_county_briefings_add_up_to_the_city(demo):
    city = CONSTRUCTION.search(briefing.write(demo, Scope(demo.latest_period)).text())
    count, done = 0, 0.0
    for county in demo.counties:
        text = briefing.write(demo, Scope(demo.latest_period, counties=(county,))).text()
        m = CONSTRUCTION.search(text)
        assert m.group(1).endswith(county)
        count += int(m.group(2))
        done += float(m.group(3))
        assert "分区县看" not in text  # a county is broken down by sector, if at all
    assert count == int(city.group(2)) == 106
    assert done == pytest.approx(float(city.group(3)), abs=0.05 * len(demo.counties))


def _figures(done: float, plan: float, month: int = 2) -> YearFigures:
    return YearFigures(Period(2026, month), month / 12, 3, 10_000, plan, done, 0, 0)


@pytest.mark.parametrize(
    ("figures", "ending"),
    [
        (_figures(1_726_000, 12_070_000), "占年度计划的14.3%,落后序时进度2.4个百分点。"),
        (_figures(2_500_000, 10_000_000), "占年度计划的25.0%,超序时进度8.3个百分点。"),
        (_figures(5_000_000, 10_000_000, 6), "占年度计划的50.0%,与序时进度持平。"),
        (_figures(9_720_000, 10_000_000, 10), "占年度计划的97.2%,超序时进度13.9个百分点。"),
    ],
    ids=["behind", "ahead", "on-schedule", "late-year"],
)
def test_construction_wording_follows_the_sign(figures, ending):
    sentence = O.construction_sentence(figures, Scope(figures.period))
    assert sentence.endswith(ending)


def _with_fai(p, total: float, target: float | None, cats: dict[str, float]):
    rows = [(S.FAI_GROUP, S.FAI_TOTAL, "2025-02", total, "%", target)]
    rows += [(S.FAI_GROUP, c, "2025-02", v, "%", None) for c, v in cats.items()]
    return p.with_tables(indicators=pd.DataFrame(rows, columns=list(S.INDICATOR_COLUMNS)))


@pytest.mark.parametrize(
    ("total", "target", "cats", "expected"),
    [
        (7.0, 7.0, {"工业投资增速": 9.1}, "同比增长7.0%,增速与全年目标持平;其中工业投资增长9.1%。"),
        (-3.2, 6.0, {}, "同比下降3.2%,增速低于全年目标9.2个百分点。"),
        (8.0, 6.5, {}, "同比增长8.0%,增速高于全年目标1.5个百分点。"),
        (5.0, None, {"房地产开发投资增速": -10.1, "工业投资增速": 9.1},
         "同比增长5.0%;其中房地产开发投资下降10.1%,工业投资增长9.1%。"),
    ],
    ids=["on-target", "negative", "above-target", "mixed-categories"],
)  # fmt: skip
def test_fai_wording_follows_the_sign(mini, total, target, cats, expected):
    p = _with_fai(mini, total, target, cats)
    text = briefing.fai_paragraph(p, Scope(Period(2025, 2)))
    assert text.startswith("2025年1-2月,全市固定资产投资")
    assert text.endswith(expected)


def test_missing_data_leaves_clauses_out(mini):
    no_fai = mini.with_tables(indicators=mini.indicators.iloc[0:0])
    b = briefing.write(no_fai, Scope(Period(2024, 3), level=None))
    headings = [s.heading for s in b.sections]
    assert not any("固定资产投资" in h for h in headings)
    assert not any("要素保障" in h for h in headings)  # nothing secured before 2024-06
    assert "0.0亿元" not in b.text()
    assert [h[:2] for h in headings] == ["一、", "二、", "三、"][: len(headings)]


def test_no_projects_in_scope_is_one_sentence(demo):
    scope = Scope(demo.latest_period, counties=("城北区",), sectors=("城市更新",), stage="储备",
                  level="市重点")  # fmt: skip
    b = briefing.write(demo, scope)
    assert [s.text for s in b.sections] == ["城北区当前筛选范围内没有项目。"]


def test_docx_holds_text_charts_and_table(demo):
    scope = Scope(demo.latest_period, counties=("城东区",))
    text = briefing.write(demo, scope).text().replace("城东区10个", "城东区十个")  # an edit
    doc = Document(io.BytesIO(document.docx_bytes(demo, scope, Convention.MONTHS, text)))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "城东区十个省重点项目" in body
    assert body.startswith("重大项目工作简报\n第　期\n")  # the 报头; no database: no number
    assert "\n重大项目运行情况简报（2026年2月）\n" in body
    assert len(doc.inline_shapes) >= 2
    assert "图1 各区县完成率排名（按与序时进度之差）" in body
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.top_margin.cm, 1) == 3.7 and round(section.left_margin.cm, 1) == 2.8
    type_area = section.page_width.cm - section.left_margin.cm - section.right_margin.cm
    assert sum(document.TABLE_WIDTHS_CM) == pytest.approx(type_area, abs=0.01)
    cells = [c.text for row in doc.tables[0].rows[1:] for c in row.cells]
    assert not [c for c in cells if "个百分点" in c]  # the unit is in the header only
    amounts = [c.text for row in doc.tables[0].rows[1:] for c in row.cells[3:5]]
    assert all(re.fullmatch(r"\d+\.\d\d", a) for a in amounts)
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells][:3] == ["序号", "项目名称", "区县"]
    assert 2 <= len(table.rows) <= 11
    east_asia = doc.styles["Normal"].element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    assert east_asia == "仿宋"


@pytest.mark.skipif(not document.office_binary(), reason="LibreOffice (soffice) is not installed")
def test_pdf_renders_chinese(demo, tmp_path):
    scope = Scope(demo.latest_period)
    pdf = document.pdf_bytes(
        document.docx_bytes(demo, scope, Convention.MONTHS, briefing.write(demo, scope).text())
    )
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        assert "CJK" in fonts  # 仿宋 resolved to Noto Serif/Sans CJK, not a box-drawing fallback
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        assert "重大项目运行情况简报" in text


def test_missing_counties_are_said_in_the_first_paragraph(demo):
    """报送情况 in the 简报: the demo's three provincial projects without a February return."""
    from core.figures import collection as C

    scope = Scope(demo.latest_period)
    behind = C.collection(demo, scope).to_chase
    assert len(behind) == 3
    first = briefing.write(demo, scope).sections[0]
    assert first.heading == "一、重大项目推进情况"
    names = "、".join(f"{c}(1个项目未报送)" for c in behind[S.COUNTY])
    assert first.text.endswith(f"本期有3个区县未报齐:{names}。")
    assert "城北区(1个项目未报送)" in first.text
    # A county that sent all its returns: nothing said.
    complete = next(c for c in demo.counties if c not in set(behind[S.COUNTY]))
    text = briefing.write(demo, Scope(demo.latest_period, counties=(complete,))).text()
    assert "未报齐" not in text
