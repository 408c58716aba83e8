"""The annual work report (年度工作报告) in the seed report's shape, every clause computed: on the
demo it states each indicator figure of DOMAIN.md with its change; a clause without data is left
out and the numbering closes up. And the monthly 简报's 预警 and 督办 paragraphs."""

import datetime as dt
import re

import pytest
from docx import Document

from core.base import schema as S
from core.base.periods import Convention, Period
from core.figures import annual
from core.figures import briefing as B
from core.figures import measures as M
from core.figures import milestones as N
from core.figures.scope import Scope
from tests.store_kit import cli

# DOMAIN.md's indicators as the report states them: value with its unit, change on 2024.
STATED = [
    "研发投入150亿元,比上年增长12.0%",
    "研发投入占GDP比重3.5%,比上年提高0.2个百分点",
    "新增高新技术企业120家,比上年增长14.3%",
    "高新技术企业总数600家,比上年增长25.0%",
    "高新技术产业增加值占规上工业增加值比重45.0%,比上年提高3.0个百分点",
    "清洁能源装机容量1000万千瓦,比上年增长22.0%",
    "清洁能源装机占比60.0%,比上年提高10.0个百分点",
    "单位GDP能耗0.384吨标准煤/万元,比上年下降4.0%",
    "新设市场主体10万家,比上年增长15.0%",
    "新设市场主体注册资本1200亿元,比上年增长14.3%",
    "减税降费100亿元,比上年增长8.7%",
    "实际利用外资15亿美元,比上年增长10.0%",
    "新签对外投资项目30个,比上年增长15.4%",
    "对外投资协议额20亿美元,比上年增长14.3%",
    "城镇新增就业10万人,比上年增长4.2%",
    "城镇调查失业率3.9%,比上年降低0.2个百分点,控制在4.0%的目标以内",
    "城乡居民基本养老保险参保率95.0%,比上年提高0.8个百分点",
    "基本医疗保险参保率98.0%,比上年提高0.4个百分点",
    "保障性住房开工1万套,比上年增长17.6%",
    "发放租赁补贴1万户,比上年增长11.1%",
    "教育经费支出200亿元,比上年增长10.0%",
    "新建改扩建学校50所,比上年增长19.0%",
    "新增学位2万个,比上年增长11.1%",
    "医疗卫生支出150亿元,比上年增长12.0%",
    "新建改扩建医院10所,比上年增长25.0%",
    "文化事业经费支出50亿元,比上年增长10.0%",
    "新建改扩建文化场馆10个,比上年增长11.1%",
    "举办文化活动1000场次,比上年增长11.1%",
    "文化活动参与群众100万人次,比上年增长17.6%",
]


def fresh(p, **tables):
    """The data set with other tables, and none of the results computed for the original."""
    return p.with_tables(**tables)


@pytest.fixture(scope="module")
def report(demo):
    return annual.write(demo, Scope(demo.latest_period))


def test_the_year_end_by_default(demo, report):
    assert annual.report_period(demo) == Period(2025, 12)
    assert report.title == "2025年重大项目运行工作情况报告"
    assert report.scope_sentence == "范围:全市 · 全部行业领域 · 省重点 · 截至2025年12月底"


@pytest.mark.parametrize("clause", STATED)
def test_each_indicator_of_domain_md_with_its_change(report, clause):
    assert clause in report.text()


def test_the_shape_of_the_seed_report(report):
    text = report.text()
    assert text.splitlines()[2].startswith("2025年,示例市重大项目建设办公室")
    assert "一、重大项目运行情况" in text.splitlines()
    # Each part opens with its heading and 一是; 二是, 三是 … are paragraphs of their own.
    texts = [s.text for s in report.sections[1:]]
    parts = [t[:3] for t in texts if t.startswith("(")]
    assert parts == ["(一)", "(二)", "(三)", "(四)"]
    assert [t[:2] for t in texts[:4]] == ["(一", "二是", "三是", "(二"]
    assert texts[0].startswith("(一)开展有效投资提升行动。一是争取省级重点支持。")
    # The stages are today's: a report of a past year says so plainly, in its own words.
    assert (
        "按2026年2月的项目库统计(2025年末的储备和申报清单未留存),全市储备省重点项目103个"
        in texts[0]
    )
    assert "(当前状态)" not in report.text()
    assert texts[1].startswith("二是加快项目建设。2025年1-12月,全市固定资产投资同比增长")
    assert "截至12月底,全市110个省重点项目累计完成投资" in texts[1]
    assert texts[2].startswith("三是强化项目要素保障。全市已落实各类项目资金")
    welfare = texts[texts.index(next(t for t in texts if t.startswith("(四)"))) :]
    assert welfare[0].startswith("(四)提升民生福祉。一是完善社会保障体系")
    assert "基本医疗保险参保率" in welfare[0]  # social security, not health
    assert welfare[2].startswith("三是加强医疗卫生服务") and "医疗卫生支出" in welfare[2]


def test_a_part_without_data_is_left_out_and_the_numbering_closes_up(demo):
    """Without 科技创新 and 营商环境 rows: 推动产业转型升级 keeps 一是优化产业结构、二是促进绿色发展;
    深化改革开放 keeps 扩大对外开放 as 一是."""
    rows = demo.indicators
    thinner = fresh(
        demo, indicators=rows.loc[~rows[S.INDICATOR_GROUP].isin(["科技创新", "营商环境"])].copy()
    )
    text = annual.write(thinner, Scope(demo.latest_period)).text()
    assert "加强科技创新" not in text and "优化营商环境" not in text
    assert "二是促进绿色发展。全市清洁能源装机容量" in text
    assert "(三)深化改革开放。一是扩大对外开放。" in text


def test_without_any_indicator_only_the_project_parts_remain(demo):
    empty = fresh(demo, indicators=demo.indicators.iloc[:0].copy())
    report = annual.write(empty, Scope(demo.latest_period))
    parts = [s.text[:16] for s in report.sections[1:] if s.text.startswith("(")]
    assert parts == ["(一)开展有效投资提升行动。一是", "(二)推动产业转型升级。一是优化"]
    assert "二是加快项目建设。截至12月底" in report.text()  # no FAI rows: that clause is gone


def test_a_year_in_progress_names_the_year_of_its_statistics(demo):
    report = annual.write(demo, Scope(demo.latest_period), year=2026)
    assert report.title == "2026年重大项目运行工作情况报告(截至2月底)"
    assert "二是加强科技创新。2025年,全市研发投入150亿元" in report.text()
    assert "全市106个省重点项目累计完成投资172.6亿元" in report.text()
    assert annual.report_years(demo) == [2026, 2025, 2024]


def test_a_county_report_speaks_of_the_county(demo):
    text = annual.write(demo, Scope(demo.latest_period, counties=("城东区",))).text()
    assert "城东区已落实各类项目资金" in text and "全市106个" not in text


def test_a_target_missed_is_said_so():
    row = {S.INDICATOR: "研发投入", S.UNIT: "亿元", S.VALUE: 140.0, S.TARGET: 150.0}
    assert (
        annual._indicator_clause(row, 125.0) == "研发投入140亿元,比上年增长12.0%,低于150亿元的目标"
    )
    row = {S.INDICATOR: "城镇调查失业率", S.UNIT: "%", S.VALUE: 4.2, S.TARGET: 4.0}
    assert annual._indicator_clause(row, None) == "城镇调查失业率4.2%,高于4.0%的目标"


# --- the monthly 简报's new paragraphs -------------------------------------------------------

LATE = dt.date(2026, 11, 27)


def test_the_monthly_briefing_states_alerts_and_supervision(demo):
    report = B.write(demo, Scope(demo.latest_period), today=LATE)
    headings = [s.heading for s in report.sections]
    assert headings[-2:] == ["六、预警情况", "七、问题督办"]
    alerts, supervision = report.sections[-2].text, report.sections[-1].text
    assert alerts.startswith("截至2026年2月底,按预警规则全市共有预警")
    assert "严重滞后13条" in alerts and "红色预警较多的区县是" in alerts
    assert supervision.startswith(
        "截至2026年2月底,全市累计交办问题61个,已办结25个(其中已销号12个),办结率41.0%"
    )


def test_an_office_without_supervision_gets_no_supervision_paragraph(demo):
    problems = demo.problems.assign(**{c: "" for c in (S.ASSIGNED_ON, S.HANDLING_STATE, S.CLOSED_ON,
                                                        S.CLEARED_ON, S.DEADLINE)})  # fmt: skip
    plain = fresh(demo, problems=problems)
    assert B.supervision_paragraph(plain, Scope(demo.latest_period), LATE) is None


def test_no_alert_is_said_in_a_sentence(demo):
    quiet = fresh(demo, milestones=demo.milestones.iloc[:0].copy())
    text = B.alerts_paragraph(
        quiet, Scope(Period(2024, 1), counties=("城东区",)), Convention.MONTHS, LATE
    )
    assert text == "截至2024年1月底,按预警规则城东区未发现预警。"


def test_the_command_line_writes_the_annual_report(tmp_path):
    code, out, _ = cli("brief", "--kind", "annual")
    assert code == 0
    assert out.splitlines()[:2] == ["2025年重大项目运行工作情况报告",
                                    "范围:全市 · 全部行业领域 · 省重点 · 截至2025年12月底"]  # fmt: skip
    target = tmp_path / "报告.docx"
    code, out, _ = cli("brief", "--kind", "annual", "--period", "2026-02", "--format", "docx",
                       "--out", str(target))  # fmt: skip
    assert code == 0
    lines = [p.text for p in Document(target).paragraphs]
    assert lines[0] == "2026年重大项目运行工作情况报告（截至2月底）"
    assert lines[-2] == "示例市重大项目建设办公室"
    assert "第" not in lines[0] and "重大项目工作简报" not in lines  # a report: no 报头


# --- the closing part, the time frame, one form for amounts -----------------------------------


def test_the_closing_part_is_written_from_the_data(demo, report):
    headings = [s.heading for s in report.sections if s.heading]
    assert headings == ["一、重大项目运行情况", "二、下一步工作打算"]
    at = next(i for i, s in enumerate(report.sections) if s.heading == "二、下一步工作打算")
    steps = [s.text for s in report.sections[at:]]
    assert [t.split("。")[0] for t in steps] == [
        "一是抓好滞后地区和领域", "二是推动问题化解", "三是紧盯节点计划", "四是谋划下年度项目",
    ]  # fmt: skip
    scope = Scope(annual.report_period(demo))
    # The counties behind 序时进度 at the year's end, worst first, with their gap.
    ranking = M.county_ranking(demo, scope)
    worst = ranking.sort_values(M.GAP).iloc[0]
    assert steps[0].startswith(f"一是抓好滞后地区和领域。截至2025年12月底,{worst[S.COUNTY]}(落后")
    # The open problems by type, as the problem list has them at the year's end.
    open_ = M.open_problems(demo, scope)
    assert f"全市尚有{len(open_)}个项目问题未解决,其中用地问题" in steps[1]
    # The overdue nodes as of the year's end.
    nodes = N.projects_with_nodes(demo, scope)
    late = int(nodes["逾期节点"].sum())
    assert f"{int((nodes['逾期节点'] > 0).sum())}个项目的{late}个节点逾期未完成" in steps[2]
    # The next year's plan: the 2026 plan of the provincial projects (1207.0亿元 in the README).
    assert steps[3].startswith("四是谋划下年度项目。2026年全市已安排年度计划投资的省重点项目106个,"
                               "年度计划投资1207亿元")  # fmt: skip


def test_a_year_in_progress_closes_without_an_unknown_plan(demo):
    text = annual.write(demo, Scope(demo.latest_period), year=2026).text()
    assert "二、下一步工作打算" in text and "一是抓好滞后地区和领域。截至2026年2月底" in text
    assert "谋划下年度项目" not in text  # no 2027 plan in the data


def test_every_clause_speaks_of_its_year(report):
    text = report.text()
    assert "(当前状态)" not in text and "截至2026" not in text
    # Today's list of stages is named as such, once.
    assert text.count("按2026年2月的项目库统计(2025年末的储备和申报清单未留存)") == 1


def test_one_form_for_amounts(demo):
    assert annual.one_form("1200.0亿元、2890.7亿元、增长10.0%、300.0万元、1.0万人") == (
        "1200亿元、2890.7亿元、增长10.0%、300万元、1万人"
    )
    text = annual.write(demo, Scope(demo.latest_period), year=2026).text()
    # The funds secured (from the rows) and the registered capital (an indicator), alike.
    assert "已落实各类项目资金1200亿元" in text and "注册资本1200亿元" in text
    assert not re.search(r"\d\.0(亿|万)", text)
