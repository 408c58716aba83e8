"""Every Word document of the product in 公文 form (GB/T 9704), opened with python-docx: the
简报's 报头 (重大项目工作简报, 第N期 from the office's database, the office, the date, a red rule),
the 落款 and date at the end, `— N —` page numbers as a PAGE field in every footer, the
督办单's number, 反馈时限 and 签收 lines, the scope as a sentence (no `·` line), full-width
punctuation in the prose, the language zh-CN; and the numbering kept per kind and year."""

import datetime as dt
import io
import re

import pytest
from docx import Document
from docx.oxml.ns import qn

from core.base import settings
from core.base.periods import Convention
from core.figures import annual, briefing
from core.figures import ranking as R
from core.figures import supervision as V
from core.figures.scope import Scope
from core.output import document, notices
from core.store import numbers
from core.store.versions import Store

DAY = dt.date(2026, 3, 5)
HALF_WIDTH = re.compile(r"[,;:()]")


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'numbers.sqlite'}")
    yield s
    s.close()


def opened(data: bytes):
    doc = Document(io.BytesIO(data))
    return doc, [p.text for p in doc.paragraphs]


def monthly(demo, store, scope=None, day=DAY):
    scope = scope or Scope(demo.latest_period)
    text = briefing.write(demo, scope).text()
    return document.docx_bytes(demo, scope, Convention.MONTHS, text, store=store, day=day)


def yearly(demo, store):
    scope = Scope(annual.report_period(demo))
    text = annual.write(demo, Scope(demo.latest_period)).text()
    return document.docx_bytes(demo, scope, Convention.MONTHS, text, annual=True, store=store,
                               day=DAY)  # fmt: skip


def sheet(demo, store):
    scope = Scope(demo.latest_period)
    unit = V.units_with_open(V.problems_as_of(demo, scope, DAY))[0]
    return notices.supervision_sheet(demo, scope, unit, DAY, store=store)


def notice(demo, _store):
    return notices.ranking_notice(demo, Scope(demo.latest_period), R.Rule.from_settings(),
                                  signed=DAY)  # fmt: skip


EVERY = {"简报": monthly, "年度工作报告": yearly, "督办单": sheet, "通报": notice}


# --- full-width punctuation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prose", "expected"),
    [
        ("截至2月底,全市;其中:用地(3个)", "截至2月底，全市；其中：用地（3个）"),
        ("累计完成1,234.5亿元,占12.3%", "累计完成1,234.5亿元，占12.3%"),  # figures unchanged
        ("会议时间10:30,项目代码ZB-1a2b(3)", "会议时间10:30，项目代码ZB-1a2b(3)"),  # codes
        ("研发投入占GDP比重(%):3.5", "研发投入占GDP比重（%）：3.5"),
        ("已是全角，不变。", "已是全角，不变。"),
    ],
)
def test_full_width_converts_prose_and_keeps_figures_and_codes(prose, expected):
    assert document.full_width(prose) == expected


# --- every document ---------------------------------------------------------------------------


def _footer_has_page_field(section) -> bool:
    footer = section.footer._element
    instructions = [t.text.strip() for t in footer.iter(qn("w:instrText"))]
    text = "".join(t.text or "" for t in footer.iter(qn("w:t")))
    return instructions == ["PAGE"] and text.startswith("— ") and text.endswith(" —")


@pytest.mark.parametrize("kind", list(EVERY))
def test_every_document_in_official_form(demo, store, kind):
    doc, lines = opened(EVERY[kind](demo, store))
    # Page numbers: a PAGE field between dashes, centred in the footer of every section.
    assert doc.sections and all(_footer_has_page_field(s) for s in doc.sections)
    assert all(s.footer.paragraphs[0].alignment == 1 for s in doc.sections)  # centred
    # The language zh-CN in the document's defaults and its styles.
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(
        qn("w:rPrDefault") + "/" + qn("w:rPr") + "/" + qn("w:lang")
    )
    assert defaults.get(qn("w:eastAsia")) == "zh-CN"
    normal = doc.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert normal.get(qn("w:eastAsia")) == "zh-CN" and normal.get(qn("w:val")) == "zh-CN"
    # The prose: no screen scope line, no half-width comma, semicolon, colon or parenthesis.
    prose = [line for line in lines if line]
    assert not [line for line in prose if "·" in line or line.startswith("范围")]
    assert not [line for line in prose if HALF_WIDTH.search(re.sub(r"\d,\d|\d:\d", "", line))]
    # Signed by the office and dated at the end of the text (before an appendix).
    office = settings.current().office
    at = lines.index(office)
    assert lines[at + 1] == "2026年3月5日"


def test_the_briefing_masthead(demo, store):
    doc, lines = opened(monthly(demo, store))
    office = settings.current().office
    assert lines[:4] == ["重大项目工作简报", "第1期", f"{office}\t2026年3月5日",
                         "重大项目运行情况简报（2026年2月）"]  # fmt: skip
    head = doc.paragraphs[0].runs[0]
    assert head.font.color.rgb == document.RED and head.font.size.pt >= 26
    rule = doc.paragraphs[2]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == document.RED_HEX and rule.get(qn("w:val")) == "single"
    # The scope is a sentence of the text.
    assert lines[4] == "本期简报统计范围为全市各行业领域的省重点项目，数据截至2026年2月底。"
    # The 落款 ends the text; the appendix follows on a page of its own.
    at = lines.index(office)
    assert lines[at + 1] == "2026年3月5日" and lines[at + 3] == "附图"
    assert "七、问题督办" in lines[:at]


def test_the_briefing_numbers_count_per_year_and_survive_a_new_store(demo, store, tmp_path):
    city, east = Scope(demo.latest_period), Scope(demo.latest_period, counties=("城东区",))
    assert opened(monthly(demo, store, city))[1][1] == "第1期"
    assert opened(monthly(demo, store, east))[1][1] == "第2期"
    assert opened(monthly(demo, store, city))[1][1] == "第1期"  # downloaded again: the same
    later = dt.date(2027, 1, 8)
    assert opened(monthly(demo, store, east, later))[1][1] == "第1期"  # a new year starts at 1
    again = Store(store.url)  # another process on the same database
    try:
        west = Scope(demo.latest_period, counties=("城西区",))
        assert opened(monthly(demo, again, west))[1][1] == "第3期"
        assert numbers.issued(again.engine, numbers.BRIEFING, 2026)[-1][0] == 3
    finally:
        again.close()


def test_numbers_by_kind_and_year(store):
    take = numbers.take
    assert [take(store.engine, numbers.BRIEFING, 2026, s) for s in "abca"] == [1, 2, 3, 1]
    assert take(store.engine, numbers.SUPERVISION, 2026, "a") == 1  # its own count
    assert take(store.engine, numbers.BRIEFING, 2025, "z") == 1
    assert numbers.issued(store.engine, numbers.BRIEFING, 2026) == [(1, "a"), (2, "b"), (3, "c")]


def test_without_a_database_the_number_is_left_blank(demo):
    lines = opened(monthly(demo, None))[1]
    assert lines[1] == "第　期"


def test_the_supervision_sheet_number_deadline_and_receipt(demo, store):
    lines = opened(sheet(demo, store))[1]
    assert lines[:2] == ["重大项目问题督办单", "督办〔2026〕1号"]
    assert "并于2026年3月20日前将办理情况书面反馈" in lines[3]
    assert "反馈时限：2026年3月20日前" in lines
    assert lines[-3].startswith("签收人：")
    assert lines[-2].startswith("签收日期：") and lines[-1] == "联系电话："
    assert any(line.startswith("签收单位：") for line in lines)
    # Another unit takes the next number; the same unit again keeps its own.
    scope = Scope(demo.latest_period)
    units = V.units_with_open(V.problems_as_of(demo, scope, DAY))
    other = opened(notices.supervision_sheet(demo, scope, units[1], DAY, store=store))[1]
    assert other[1] == "督办〔2026〕2号"
    assert opened(sheet(demo, store))[1][1] == "督办〔2026〕1号"


def test_the_annual_report_document(demo, store):
    doc, lines = opened(yearly(demo, store))
    assert lines[0] == "2025年重大项目运行工作情况报告"  # no masthead: a report, not a 简报
    assert lines[1] == "本报告统计范围为全市各行业领域的省重点项目，数据截至2025年12月底。"
    first = next(p for p in doc.paragraphs if p.text.startswith("（一）"))
    assert first.runs[0].text == "（一）开展有效投资提升行动。"  # its heading in 楷体
    assert first.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == document.SUBHEADING_FONT
    assert lines.index("一、重大项目运行情况") < lines.index("二、下一步工作打算")
    assert not doc.inline_shapes and not doc.tables


def test_the_command_line_numbers_the_briefing_from_its_database(tmp_path):
    from tests.store_kit import cli

    out = [tmp_path / "a.docx", tmp_path / "b.docx"]
    for target in out:
        code, _, err = cli("brief", "--format", "docx", "--out", str(target))
        assert code == 0, err
    first, again = (Document(str(t)).paragraphs[1].text for t in out)
    assert re.fullmatch(r"第\d+期", first) and again == first  # the same scope and month
