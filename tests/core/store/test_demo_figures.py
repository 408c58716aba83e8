"""The demo, computed from its rows at its latest period, states every figure of DOMAIN.md."""

import filecmp

import pytest

from core.base import schema as S
from core.base.formatting import pct, yi
from core.base.periods import Period
from core.figures import indicators as I
from core.figures import measures as M
from core.figures import overview as O
from core.figures.scope import Scope
from core.store import demo as demo_module
from core.store.portfolio import DEMO_DIR


@pytest.fixture(scope="module")
def scope(demo):
    assert demo.latest_period == Period(2026, 2) == demo_module.DEMO_PERIOD
    return Scope(demo.latest_period)  # the app's default view: provincial projects, whole city


def test_reserve_and_submitted(demo, scope):
    s = {x.stage: x for x in M.pipeline(demo, scope)}
    assert (s["储备"].count, yi(s["储备"].total_investment)) == (103, "2890.7亿元")
    assert (s["储备"].new_count, yi(s["储备"].new_total)) == (56, "1136.0亿元")
    assert (s["申报"].count, yi(s["申报"].total_investment)) == (104, "3016.2亿元")
    assert yi(s["申报"].subsidy_sought) == "69.6亿元"
    assert O.pipeline_sentence(list(s.values()), scope) == (
        "目前,全市储备省重点项目103个,计划总投资2890.7亿元,其中新引进项目56个,总投资1136.0亿元;"
        "已申报省重点项目104个,计划总投资3016.2亿元,拟争取省级补助资金69.6亿元。"
    )


def test_under_construction(demo, scope):
    f = M.year_figures(demo, scope)
    assert (f.count, yi(f.done), pct(f.rate), yi(f.plan)) == (
        106,
        "172.6亿元",
        "14.3%",
        "1207.0亿元",
    )
    # 14.30% against 2/12 = 16.67%: computed, not copied from the report's "超1.3".
    assert O.construction_sentence(f, scope) == (
        "截至2月底,全市106个省重点项目累计完成投资172.6亿元,占年度计划的14.3%,落后序时进度2.4个百分点。"
    )


def test_funding(demo, scope):
    channels = M.funding_by_channel(demo, scope)
    assert {k: yi(v) for k, v in channels.items()} == {
        "专项债券": "300.0亿元", "银行贷款": "700.0亿元", "其他融资渠道": "200.0亿元",
    }  # fmt: skip
    assert yi(sum(channels.values())) == "1200.0亿元"


def test_industrial_transformation(demo, scope):
    f = M.industry_figures(demo, scope)
    assert (f.count, yi(f.total_investment)) == (80, "1200.0亿元")
    assert (f.high_tech_count, yi(f.high_tech_total), pct(f.high_tech_share)) == (
        40,
        "600.0亿元",
        "50.0%",
    )


def test_fixed_asset_investment(demo, scope):
    cards = {c.name: c for c in I.fai_cards(demo.indicators, scope.period)}
    assert cards["固定资产投资"].value == "增长7.0%"
    assert cards["固定资产投资"].target == "全年目标7.0%"
    assert cards["全省排名"].value == "全省第4位"
    assert cards["全省排名"].change == "较上年同期前移3位"
    assert cards["房地产开发投资"].value == "增长10.1%"
    assert cards["工业投资"].value == "增长9.1%"
    assert cards["基础设施投资"].value == "增长5.1%"


@pytest.mark.parametrize(
    ("name", "value", "change"),
    [
        ("研发投入", "150", "增长12.0%"),
        ("研发投入占GDP比重", "3.5%", "提高0.2个百分点"),
        ("新增高新技术企业", "120家", "增长14.3%"),
        ("高新技术企业总数", "600家", "增长25.0%"),
        ("高新技术产业增加值占规上工业增加值比重", "45.0%", "提高3.0个百分点"),
        ("清洁能源装机容量", "1000", "增长22.0%"),
        ("清洁能源装机占比", "60.0%", "提高10.0个百分点"),
        ("单位GDP能耗", "0.384", "下降4.0%"),
        ("新设市场主体", "10", "增长15.0%"),
        ("新设市场主体注册资本", "1200", "增长14.3%"),
        ("减税降费", "100", "增长8.7%"),
        ("实际利用外资", "15", "增长10.0%"),
        ("新签对外投资项目", "30个", "增长15.4%"),
        ("对外投资协议额", "20", "增长14.3%"),
        ("城镇新增就业", "10", "增长4.2%"),
        ("城镇调查失业率", "3.9%", "降低0.2个百分点"),
        ("城乡居民基本养老保险参保率", "95.0%", "提高0.8个百分点"),
        ("基本医疗保险参保率", "98.0%", "提高0.4个百分点"),
        ("保障性住房开工", "1", "增长17.6%"),
        ("发放租赁补贴", "1", "增长11.1%"),
        ("教育经费支出", "200", "增长10.0%"),
        ("新建改扩建学校", "50所", "增长19.0%"),
        ("新增学位", "2", "增长11.1%"),
        ("医疗卫生支出", "150", "增长12.0%"),
        ("新建改扩建医院", "10所", "增长25.0%"),
        ("文化事业经费支出", "50", "增长10.0%"),
        ("新建改扩建文化场馆", "10个", "增长11.1%"),
        ("举办文化活动", "1000", "增长11.1%"),
        ("文化活动参与群众", "100", "增长17.6%"),
    ],
)
def test_annual_indicators(demo, scope, name, value, change):
    cards = {c.name: c for c in I.annual_cards(demo.indicators, scope.period)}
    assert cards[name].when == "2025年"
    assert (cards[name].value, cards[name].change) == (value, change)


def test_unemployment_is_within_its_ceiling(demo, scope):
    card = {c.name: c for c in I.annual_cards(demo.indicators, scope.period)}["城镇调查失业率"]
    assert card.target == "目标4.0%" and card.change_sign == 1  # a fall is good news


def test_counties_add_up_to_the_city(demo, scope):
    city = M.year_figures(demo, scope)
    ranking = M.county_ranking(demo, scope)
    assert ranking[M.COUNT].sum() == city.count
    assert ranking[M.DONE].sum() == pytest.approx(city.done)
    for county in demo.counties:
        one = M.year_figures(demo, Scope(scope.period, counties=(county,)))
        assert one.count == int(ranking.loc[ranking["所在区县"] == county, M.COUNT].sum())


def test_the_monthly_cycle(demo, scope):
    """README "The demo": 65 alerts (36 red) — 70 before one event under two rules became one
    alert (two late starts and three late completions whose 开工/竣工 node is overdue too) —
    the 红榜 and 黑榜, and 办结率 41.0%."""
    from core.figures import alerts as A
    from core.figures import ranking as R
    from core.figures import supervision as V

    frame = A.alerts(demo, scope)
    assert (len(frame), int((frame[A.LEVEL] == A.RED).sum())) == (65, 36)
    assert frame[A.REASON].str.contains("节点计划").sum() == 14 + 5  # 14 nodes, 5 folded in
    ranking = R.ranking(demo, scope, R.Rule.from_settings())
    on = {w: ranking.loc[ranking[R.LIST] == w, R.UNIT].tolist() for w in (R.RED_LIST, R.BLACK_LIST)}
    assert on == {
        R.RED_LIST: ["高新区", "城东区", "城西区"],
        R.BLACK_LIST: ["城南区", "云溪市", "临湖县"],
    }
    assert ranking.attrs[R.UNREPORTED] == []  # every county reported
    assert pct(V.figures(V.problems_as_of(demo, scope)).rate) == "41.0%"


def test_generator_reproduces_the_committed_files(tmp_path):
    demo_module.write(demo_module.generate(), tmp_path)
    names = [p.name for p in DEMO_DIR.iterdir()]
    _same, mismatch, errors = filecmp.cmpfiles(DEMO_DIR, tmp_path, names, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_project_names_are_unique_within_a_county(demo):
    """A leader asking about a county's 污水处理厂扩建工程 must get one project, not two."""
    projects = demo.projects
    repeated = projects.loc[projects.duplicated([S.COUNTY, S.NAME], keep=False), S.NAME]
    assert repeated.tolist() == []
