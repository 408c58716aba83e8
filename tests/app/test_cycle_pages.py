"""The monthly cycle's pages through AppTest: 预警, 红黑榜, 问题督办 and 挂图作战 state core's
figures at the demo's latest period; a problem's status updated on the page is a batch that
moves 办结率 and that roll-back undoes; an exemption takes a county off the 黑榜; the 简报 page
writes the annual report."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import streamlit as st
from app_kit import as_admin, open_app
from streamlit.testing.v1 import AppTest

from core.figures import alerts as A
from core.figures import milestones as N
from core.figures import ranking as R
from core.figures import supervision as V
from core.figures.scope import Scope
from core.store.portfolio import DEMO_DIR, load_folder
from core.store.versions import SUPERVISION, Store
from tests.access_kit import ADMIN


@pytest.fixture(scope="module")
def demo():
    return load_folder(DEMO_DIR)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def said(at: AppTest) -> str:
    parts = [*at.markdown, *at.caption, *at.info, *at.success, *at.error, *at.warning]
    return "\n".join(str(p.value) for p in parts).replace("\\", "")


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def charts_drawn(at: AppTest) -> int:
    return len(at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart"))


# --- read only, on the demo ------------------------------------------------------------------


def test_alerts_page_states_what_core_computes(demo):
    at = open_app("alerts")
    frame = A.alerts(demo, Scope(demo.latest_period))
    red = int((frame[A.LEVEL] == A.RED).sum())
    assert metrics(at) == {
        "预警总数": f"{len(frame)}条",
        "红色预警": f"{red}条",
        "黄色预警": f"{len(frame) - red}条",
        "涉及项目": f"{frame['项目代码'].nunique()}个",
    }
    rules = at.dataframe[0].value
    assert rules["预警规则"].tolist() == list(A.rule_names())
    assert rules["规则"].iloc[0] == A.rule_sentences()[A.SERIOUS]
    assert len(at.dataframe[1].value) == len(frame)
    assert charts_drawn(at) == 1
    at.multiselect(key="alerts_levels").select(A.RED).run()
    assert len(at.dataframe[1].value) == red
    assert said(at).count(f"共{red}条(从{len(frame)}条中筛出)") == 1


def test_a_rule_added_to_the_registry_is_counted_on_the_page(demo, monkeypatch):
    """An 8th rule is one registry entry: the page's counts, its table of rules and its filter
    take it without a change of the page."""

    def first_two(p, scope, conv, day):
        codes = p.projects.loc[scope.mask(p.projects), "项目代码"].head(2).tolist()
        return A._Found(codes, [A.RED, A.YELLOW], ["试验原因"] * 2)

    before = A.alerts(demo, Scope(demo.latest_period))
    rule = A.AlertRule(
        "试验预警", ("alerts.node_late_red_months",), lambda: "试验规则。", first_two
    )
    monkeypatch.setattr(A, "REGISTRY", [*A.REGISTRY, rule])
    at = open_app("alerts")
    red = int((before[A.LEVEL] == A.RED).sum())
    assert metrics(at)["预警总数"] == f"{len(before) + 2}条"
    assert metrics(at)["红色预警"] == f"{red + 1}条"
    rules = at.dataframe[0].value
    assert rules["预警规则"].tolist() == [*A.RULES, "试验预警"]
    assert rules.iloc[-1][["红色", "黄色", "合计"]].tolist() == [1, 1, 2]
    assert rules["规则"].iloc[-1] == "试验规则。"
    assert "试验预警" in at.multiselect(key="alerts_rules").options


def test_a_rule_whose_threshold_the_settings_lack_is_named_on_the_page(monkeypatch):
    rule = A.AlertRule("试验预警", ("alerts.trial_red_months",), lambda: "试验规则。",
                       lambda *_: A._Found([], [], []))  # fmt: skip
    monkeypatch.setattr(A, "REGISTRY", [*A.REGISTRY, rule])
    at = open_app("alerts")
    assert [e.value for e in at.error] == [
        "设置文件缺少[alerts]的trial_red_months(试验预警预警的阈值)"
    ]
    assert not at.metric


def test_ranking_in_january_compares_with_december(demo):
    at = open_app("ranking", period="2026-01")
    text = said(at)
    assert "较上年12月" in text and "1月的名次变化与2025年12月的排名比较" in text
    assert "较上月" not in text and "暂无名次变化" not in text
    wide = at.dataframe[1].value  # the places month by month
    assert "2025年12月" in wide.columns and "1月" in wide.columns


def test_ranking_page_states_the_lists_and_the_exemption(demo):
    at = open_app("ranking")
    text = said(at)
    frame = R.ranking(demo, Scope(demo.latest_period), R.Rule.from_settings())
    for unit in frame.loc[frame[R.LIST] != "", R.UNIT]:
        assert unit in text
    assert "本月豁免:青山县:1-2月持续低温雨雪冰冻天气" in text
    assert R.Rule.from_settings().sentence(R.Convention.MONTHS) in text
    assert len(at.dataframe[0].value) == 10
    assert charts_drawn(at) == 2  # the ranking and the places month by month
    # Nobody signed in: no exemption can be taken, and the page says why (core refuses too).
    assert "登录后可登记豁免" in text
    assert not [b for b in at.button if b.label in ("登记豁免", "把示例数据导入数据库以试用")]


def test_a_viewer_sees_the_problems_but_cannot_edit_them(demo):
    at = open_app("supervision")
    assert "登录后可修改督办信息" in said(at)
    assert not [b for b in at.button if b.label == "保存修改"]


def test_ranking_by_park(demo):
    at = open_app("ranking")
    at.button_group[0].set_value("所属园区").run()
    assert not at.exception
    assert "云溪工业园区:园区主导企业破产重整" in said(at)


def test_supervision_page_states_its_figures(demo):
    at = open_app("supervision")
    f = V.figures(V.problems_as_of(demo, Scope(demo.latest_period)))
    m = metrics(at)
    assert (m["已交办"], m["已办结"], m["办结率"], m["超期未办结"]) == (
        f"{f.assigned}个", f"{f.closed}个", "41.0%", f"{f.overdue}个",
    )  # fmt: skip
    editor = at.data_editor[0]
    assert len(editor.value) == f.handling + f.waiting  # the open ones first
    assert any(d.label == "下载督办单(Word)" for d in at.get("download_button"))


def test_milestones_page_draws_a_county_and_a_project(demo):
    at = open_app("milestones")
    listing = N.projects_with_nodes(demo, Scope(demo.latest_period))
    assert metrics(at)["有节点计划的项目"] == f"{len(listing)}个"
    assert metrics(at)["逾期未完成节点"] == f"{int(listing['逾期节点'].sum())}个"
    assert charts_drawn(at) == 2
    at.selectbox(key="milestones_county").set_value("城东区").run()
    assert not at.exception
    spec = json.loads((at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart"))[0].proto.spec)
    assert spec["title"]["text"] == "城东区项目节点计划"


def test_briefing_page_writes_the_annual_report():
    at = open_app("briefing")
    at.button_group[0].set_value("年度工作报告").run()
    text = at.text_area[0].value
    assert text.startswith(
        "2025年重大项目运行工作情况报告\n范围:全市 · 全部行业领域 · 省重点 · 截至2025年12月底"
    )
    assert "(二)推动产业转型升级。" in text and "研发投入150亿元,比上年增长12.0%" in text
    at.selectbox(key="brief_year").set_value(2026).run()
    assert at.text_area[0].value.startswith("2026年重大项目运行工作情况报告(截至2月底)")


@pytest.mark.parametrize(
    ("page", "charts_on_each"),
    [("alerts", [1, 0]), ("ranking", [1, 1]), ("supervision", [0, 0]), ("milestones", [1, 1])],
)
def test_present_mode_cuts_the_new_pages_into_screens(page, charts_on_each):
    at = open_app(page, present="1")
    seen = [charts_drawn(at)]
    at.button(key="present_next").click().run()
    assert not at.exception
    seen.append(charts_drawn(at))
    assert seen == charts_on_each
    assert not at.data_editor  # nothing to edit on a projector


# --- writes, on a store of their own -----------------------------------------------------------


@pytest.fixture
def own_store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/cycle.sqlite"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    st.cache_resource.clear()
    yield url
    st.cache_resource.clear()


def test_a_status_updated_on_the_page_moves_the_closure_rate_and_rolls_back(own_store, demo):
    at = as_admin(open_app("supervision", level="省重点"), own_store)
    button(at, "把示例数据导入数据库以试用").click().run()
    assert not at.exception
    assert metrics(at)["办结率"] == "41.0%"  # 25 of 61
    editor = at.data_editor[0]
    first = editor.value.iloc[0]
    at.session_state[editor.key] = {
        "edited_rows": {
            0: {"办理状态": "已办结", "办结日期": "2026-02-20", "新增办理情况": "已完成"}
        },
        "added_rows": [],
        "deleted_rows": [],
    }
    at.text_input(key="supervision_note").input("2月调度会").run()
    button(at, "保存修改").click().run()
    assert not at.exception
    assert "已保存为第2批" in said(at)
    assert metrics(at)["办结率"] == "42.6%"  # 26 of 61
    store = Store(own_store)
    entry = store.current()
    assert (entry.kind, entry.note) == (
        SUPERVISION,
        f"修改1个问题的督办信息({first['问题编号']});2月调度会",
    )
    row = store.current_tables()[0]["存在问题"].set_index("问题编号").loc[first["问题编号"]]
    assert row["办理情况"].endswith(f"{dt.date.today().isoformat()} 已完成")
    store.rollback(1, "撤回", actor=ADMIN)
    store.close()
    at.run()
    assert metrics(at)["办结率"] == "41.0%"


def test_an_inconsistent_edit_is_shown_and_not_saved(own_store):
    at = as_admin(open_app("supervision", level="省重点"), own_store)
    button(at, "把示例数据导入数据库以试用").click().run()
    editor = at.data_editor[0]
    at.session_state[editor.key] = {"edited_rows": {2: {"办理状态": "已销号"}},
                                    "added_rows": [], "deleted_rows": []}  # fmt: skip
    at.run()
    button(at, "保存修改").click().run()
    assert not at.exception
    assert "修改存在错误,未保存" in said(at)
    assert "第3行“销号日期”列:办理状态为“已销号”的问题须填写销号日期" in said(at)
    assert Store(own_store).current().id == 1


def test_an_exemption_granted_on_the_page_takes_a_county_off_the_black_list(own_store):
    at = as_admin(open_app("ranking", level="省重点"), own_store)
    button(at, "把示例数据导入数据库以试用").click().run()
    black = [m for m in said(at).splitlines() if m.startswith("第9名 临湖县")]
    assert black  # 临湖县 is on the 黑榜 in February
    at.selectbox(key="exempt_unit_0").set_value("临湖县").run()
    at.text_input(key="exempt_reason_0").input("遭遇特大暴雨,经市政府同意不列入黑榜").run()
    button(at, "登记豁免").click().run()
    assert not at.exception
    text = said(at)
    assert "已登记:临湖县2026-02不列入黑榜:遭遇特大暴雨,经市政府同意不列入黑榜(第2批)" in text
    assert "临湖县:遭遇特大暴雨" in text  # shown with the ranking
    assert not [m for m in text.splitlines() if m.startswith("第9名 临湖县")]
    # The next worst units that missed 序时进度 take its place: 江北区 and 城北区, tied 5th.
    assert "第5名 江北区" in text and "第5名 城北区" in text


def test_the_project_picker_lists_what_the_search_finds(tmp_path, monkeypatch):
    """挂图作战 on a data set with more projects than the picker lists: the most overdue ones,
    a caption with how many were found, and a search that narrows the list."""
    from core.store import demo as D

    folder = tmp_path / "data"
    D.write(D.generate(scale=3), folder)
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(folder))
    st.cache_resource.clear()
    try:
        at = open_app("milestones", level="全部")
        picker = at.selectbox(key="milestones_project")
        assert len(picker.options) == 200
        assert any(c.value.startswith("找到") and "列出逾期节点最多的200个" in c.value
                   for c in at.caption)  # fmt: skip
        name = picker.options[0]
        word = name.split("(")[0]
        at.text_input(key="milestones_query").input(word).run()
        assert not at.exception
        options = at.selectbox(key="milestones_project").options
        assert 1 <= len(options) < 200 and all(word in o for o in options)
    finally:
        st.cache_resource.clear()
