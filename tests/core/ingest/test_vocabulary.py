"""The words of real returns: header paths to fields, section labels to meanings, problem texts
to types, owners and persons, 建设起止年限, and layout signatures that ignore the period."""

import pytest

from core.base.values import parse_years
from core.ingest import vocabulary as V
from core.ingest.findings import Line
from core.ingest.ledger import period_free


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (["项目名称"], V.NAME),
        (["项目\n名称"], V.NAME),
        (["序号"], V.IGNORE),
        (["总投资               (万元)"], V.TOTAL),
        (["项目\n总投资"], V.TOTAL),
        (["总投资（亿元）"], V.TOTAL),
        (["开工至上一年度底累计完成投资"], V.PRIOR),
        (["2010年  计划投资(万元)"], V.PLAN),
        (["年度计划投资"], V.PLAN),
        (["2010年实际完成情况", "1-3月实际完成投资(万元)"], V.YTD),
        (["2009年完成情况", "1-  月累计完成投资"], V.YTD),
        (["1～  月 完成投资 (万元)"], V.YTD),
        (["2009年完成情况", "月完成\n投资"], V.MONTH_AMOUNT),
        (["当月完成投资"], V.MONTH_AMOUNT),
        (["8月", "当月完成投资额"], V.MONTH_N_AMOUNT),
        (["8月", "形象进度"], V.MONTH_N_PROGRESS),
        (["上旬完成投资"], V.TEN_DAY),
        (["2010年实际完成情况", "完成投资占年计划%"], V.IGNORE),
        (["2009年完成情况", "完成年度投资计划%"], V.IGNORE),
        (["2010年实际完成情况", "1-3月实际形象进度"], V.PROGRESS),
        (["2009年完成情况", "1-  月工程形象进度"], V.PROGRESS),
        (["建设单位                 及责任人"], V.OWNER_WITH_PERSON),
        (["业主、法人（责任）单位及负责人"], V.OWNER_WITH_PERSON),
        (["项目业主单位", "业主名称"], V.OWNER),
        (["项目业主单位", "负责人"], V.OWNER_PERSON),
        (["项目业主单位", "联系人"], V.IGNORE),
        (["项目业主单位", "电话"], V.IGNORE),
        (["挂点领导"], V.LEADER),
        (["项目挂\n点领导"], V.LEADER),
        (["建设内容\n及规模"], V.CONTENT),
        (["建设\n年限"], V.YEARS),
        (["建设起止年限"], V.YEARS),
        (["拟开工时间"], V.PLANNED_START),
        (["今年开工时间"], V.ACTUAL_START),
        (["拟竣工时间"], V.PLANNED_END),
        (["今年竣工时间"], V.ACTUAL_END),
        (["省级或市级重点项目"], V.LEVEL),
        (["分部门或分县（市、区）项目"], V.COUNTY),
        (["县(市、区)"], V.COUNTY),
        (["建设地点"], V.COUNTY),
        (["需要省、市协调解决问题"], V.PROBLEM),
        (["需要协调解决的问题"], V.PROBLEM),
        (["存在问题"], V.PROBLEM),
        (["项目类别"], V.SECTOR),
        (["建设性质"], V.NATURE),
        (["项目代码"], V.CODE),
        (["分级管理项目（考核类、跟踪服务类）"], V.IGNORE),
        (["开工累计完成投资"], V.IGNORE),  # since the start, this year included: not ours
        (["备注"], V.IGNORE),
    ],
)
def test_header_paths_feed_fields(path, field):
    assert V.field_for(path) is field


def test_a_loose_word_loses_to_a_strong_one():
    assert V.is_weak(["建设地点"], V.COUNTY)
    assert not V.is_weak(["县(市、区)"], V.COUNTY)


@pytest.mark.parametrize(
    ("label", "meaning"),
    [
        ("市本级", V.COUNTY_MEANING),
        ("延平区", V.COUNTY_MEANING),
        ("龙海市", V.COUNTY_MEANING),
        ("高新技术开发区", V.COUNTY_MEANING),
        ("在建", V.STAGE),
        ("预备", V.STAGE),
        ("在建重点项目", V.STAGE),
        ("筹建", V.STAGE),
        ("交通", V.SECTOR_MEANING),
        ("工业", V.SECTOR_MEANING),
        ("社会事业", V.SECTOR_MEANING),
        ("省重点", V.LEVEL_MEANING),
        ("续建", V.STAGE),
        ("其他项目", None),
    ],
)
def test_section_labels_say_what_they_mean(label, meaning):
    assert V.label_meaning(label, ("产业项目", "基础设施")) == meaning


@pytest.mark.parametrize(
    ("label", "meaning", "value"),
    [
        ("预备", V.STAGE, "前期"),
        ("筹建", V.STAGE, "前期"),
        ("在建重点项目", V.STAGE, "在建"),
        ("省级", V.LEVEL_MEANING, "省重点"),
        ("新开工", V.NATURE_MEANING, "新建"),
        ("交通", V.SECTOR_MEANING, "交通"),
    ],
)
def test_section_values(label, meaning, value):
    assert V.section_value(label, meaning) == value


TYPES = ("用地", "环评", "能耗", "资金", "征迁", "审批")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("用地指标未落实", "用地"),
        ("征地拆迁未完成", "征迁"),
        ("杆线迁改滞后", "征迁"),
        ("环评批复未取得", "环评"),
        ("能评未通过", "能耗"),
        ("贷款未到位", "资金"),
        ("施工图审查未完成", "审批"),
        ("天气影响施工", "其他"),
    ],
)
def test_problem_types_by_keywords(text, kind):
    assert V.problem_type(text, TYPES) == kind


@pytest.mark.parametrize(
    ("text", "unit", "person"),
    [
        ("福建武邵高速公路发展有限公司                          李介立", "福建武邵高速公路发展有限公司",
         "李介立"),
        ("政和县医院 汤文赋", "政和县医院", "汤文赋"),
        ("市交投集团/张三", "市交投集团", "张三"),
        ("市交投集团(欧阳明)", "市交投集团", "欧阳明"),
        ("市交投集团", "市交投集团", ""),
    ],
)  # fmt: skip
def test_owner_and_person_are_told_apart(text, unit, person):
    assert V.split_owner(text) == (unit, person)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2009-2012", "2009-12", "2012-12"),  # a year alone: its December, the latest it allows
        ("2009.03-2011.12", "2009-03", "2011-12"),
        ("2010-", "2010-12", ""),
        ("09.10-11.3", "2009-10", "2011-03"),
        ("2009年3月-2011年12月", "2009-03", "2011-12"),
        ("2009至2011年", "2009-12", "2011-12"),
        ("2026", "2026-12", ""),
        ("待定", "", ""),
    ],
)
def test_construction_years(text, start, end):
    assert parse_years(text) == (start, end)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "2010年实际完成情况/1-3月实际完成投资(万元)",
            "2011年实际完成情况/1-8月实际完成投资(万元)",
        ),
        ("<yyyy>年1-<m>月", "2010年1-3月"),
        ("1-月累计完成投资", "1-7月累计完成投资"),
        ("8月/当月完成投资额", "9月/当月完成投资额"),
    ],
)
def test_signatures_ignore_the_period(a, b):
    assert period_free(V.header_key(a)) == period_free(V.header_key(b))


@pytest.mark.parametrize(
    ("rows", "text"),
    [
        ((5,), "第5行"),
        ((5, 6, 7), "第5–7行(共3行)"),
        ((3, 7, 9), "第3、7、9行(共3行)"),
        (tuple(range(5, 47)), "第5–46行(共42行)"),
        ((1, 3, 5, 7, 9, 11, 13), "第1、3、5、7、9等行(共7行)"),
    ],
)
def test_rows_of_a_line(rows, text):
    line = Line("错误", "a.xlsx", None, "所在区县", "边界文件中没有这个区县", rows, ("甲",))
    assert line.rows_text() == text
