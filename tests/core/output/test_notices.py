"""The office's Word documents of the monthly cycle open with python-docx and hold what they
say: the 红黑榜 通报 (its rule, table, lists, exemption, signature), a unit's 督办单, and the
annual report signed without the monthly appendix. Their 公文 form: test_official_form."""

import datetime as dt
import io

from docx import Document
from docx.oxml.ns import qn

from core.base import settings
from core.base.periods import Convention
from core.figures import annual, briefing
from core.figures import ranking as R
from core.figures import supervision as V
from core.figures.scope import Scope
from core.output import document, notices

SIGNED = dt.date(2026, 3, 5)


def opened(data: bytes):
    doc = Document(io.BytesIO(data))
    return doc, [p.text for p in doc.paragraphs]


def cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_the_ranking_notice(demo):
    scope = Scope(demo.latest_period)
    rule = R.Rule.from_settings()
    doc, lines = opened(notices.ranking_notice(demo, scope, rule, signed=SIGNED))
    assert lines[0] == "关于2026年2月省重点项目推进情况红黑榜的通报"
    assert lines[1] == "各区县、市直有关单位："
    assert document.full_width(rule.sentence(Convention.MONTHS)) in lines[2]
    [table] = doc.tables
    rows = cells(table)
    assert rows[0] == ["名次", "区县", "项目数", "年度计划(亿元)", "累计完成(亿元)", "完成率",
                       "与序时进度之差(个百分点)", "较上月", "榜单", "豁免"]  # fmt: skip
    assert len(rows) == 11  # ten counties
    assert rows[1][:2] == ["1", "高新区"] and rows[1][8] == "红榜"
    assert rows[10][1] == "青山县" and rows[10][8:] == ["—", "是"]  # last, but excused
    assert sum(int(r[2]) for r in rows[1:]) == 106  # every provincial project under way
    red = next(line for line in lines if line.startswith("红榜："))
    assert red.startswith("红榜：高新区（完成率19.7%，超序时进度3.0个百分点）")
    black = next(line for line in lines if line.startswith("黑榜："))
    assert "城南区" in black and "青山县" not in black and black.endswith("落实整改措施。")
    assert any(line.startswith("本月豁免：青山县：") for line in lines)
    assert lines[-2:] == [settings.current().office, "2026年3月5日"]


def test_a_notice_by_parks(demo):
    rule = R.Rule(R.GAP, 1, 1, "所属园区")
    doc, lines = opened(
        notices.ranking_notice(demo, Scope(demo.latest_period), rule, signed=SIGNED)
    )
    assert lines[1] == "各园区、市直有关单位："
    assert cells(doc.tables[0])[0][1] == "园区"
    assert any("云溪工业园区：园区主导企业破产重整" in line for line in lines)


def test_a_units_supervision_sheet(demo):
    scope = Scope(demo.latest_period)
    frame = V.problems_as_of(demo, scope, SIGNED)
    unit = V.units_with_open(frame)[0]
    mine = V.open_for_unit(frame, unit)
    doc, lines = opened(notices.supervision_sheet(demo, scope, unit, SIGNED))
    assert lines[:3] == ["重大项目问题督办单", "督办〔2026〕　号", f"{unit}："]  # no database
    overdue = int((mine[V.OVERDUE_DAYS] > 0).sum())
    assert lines[3].startswith(f"截至2026年2月底，你单位负责协调解决的重大项目问题中，尚有{len(mine)}个未办结，"
                               f"其中{overdue}个已超过办结时限。")  # fmt: skip
    rows = cells(doc.tables[0])
    assert len(rows) == len(mine) + 1
    assert rows[1][1] == mine["项目名称"].iloc[0] and rows[1][7].endswith(
        "天"
    )  # most overdue first
    at = lines.index(settings.current().office)
    assert lines[at + 1] == "2026年3月5日"
    # The table fits the type area and its header repeats on every page it runs onto.
    widths = [c.width.cm for c in doc.tables[0].rows[0].cells]
    assert sum(widths) <= 15.6 + 1e-6 and min(widths[2:4]) >= 1.1
    header = doc.tables[0].rows[0]._tr.trPr.find(qn("w:tblHeader"))
    assert header is not None and header.get(qn("w:val")) == "true"


def test_a_unit_without_open_problems_is_told_so(demo):
    doc, lines = opened(
        notices.supervision_sheet(demo, Scope(demo.latest_period), "无此单位", SIGNED)
    )
    assert lines[3] == "截至2026年2月底，你单位负责协调解决的重大项目问题均已办结。"
    assert not any(line.startswith("反馈时限") for line in lines)
    assert doc.tables == []


def test_the_annual_report_is_signed_without_the_monthly_appendix(demo):
    scope = Scope(demo.latest_period)
    text = annual.write(demo, scope).text()
    data = document.docx_bytes(demo, scope, Convention.MONTHS, text, annual=True, day=SIGNED)
    doc, lines = opened(data)
    assert lines[0] == "2025年重大项目运行工作情况报告"
    assert "一、重大项目运行情况" in lines
    assert doc.tables == [] and not doc.inline_shapes
    assert lines[-2:] == [settings.current().office, "2026年3月5日"]


def test_the_monthly_briefing_keeps_its_appendix(demo):
    scope = Scope(demo.latest_period)
    text = briefing.write(demo, scope).text()
    doc, lines = opened(document.docx_bytes(demo, scope, Convention.MONTHS, text))
    assert len(doc.tables) == 1 and len(doc.inline_shapes) == 3
    assert "七、问题督办" in lines
