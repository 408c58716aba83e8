"""The meeting room through AppTest: what a projector would show wrong, 汇报模式 screen by
screen, and an agenda opened by link and stepped through without touching the sidebar."""

import pytest
from app_kit import as_admin, metrics, open_app, unescaped
from streamlit.testing.v1 import AppTest

from core.output import agenda as A
from core.store.versions import Store
from tests.access_kit import ADMIN


def on_screen(at: AppTest) -> str:
    """The presenter's bar: 第4/25屏 · 要素保障 · 未解决问题清单."""
    return next(c.value for c in at.caption if "屏 · " in c.value).split("|")[0]


def charts_drawn(at: AppTest) -> int:
    return len(at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart"))


@pytest.mark.parametrize(
    ("value", "label"),
    [("days", "序时进度(按日)"), ("months", "序时进度(按月)"),
     ("按日计算(已过天数÷全年天数)", "序时进度(按日)")],  # an older link's label still works
)  # fmt: skip
def test_schedule_link_uses_the_documented_keys(value, label):
    at = open_app(schedule=value)
    assert label in [unescaped(m.label) for m in metrics(at)]
    assert not at.warning  # no "不存在" notice for a documented value


def test_choosing_a_schedule_writes_its_key_into_the_link():
    at = open_app()
    at.radio(key="schedule").set_value("days").run()
    assert at.query_params["schedule"] in ("days", ["days"])
    at.radio(key="schedule").set_value("months").run()
    assert "schedule" not in at.query_params


def test_link_notices_are_under_the_title_not_in_the_sidebar():
    at = open_app(county=["不存在区"])
    assert any("不存在区" in w.value for w in at.main.warning)
    assert not any("不存在区" in w.value for w in at.sidebar.warning)


def test_multiselects_offer_no_english_select_all():
    at = open_app()
    for key in ("county", "sector"):
        assert at.multiselect(key=key).proto.select_all == 0  # streamlit's default is 1000


def test_progress_table_dashes_for_missing_figures_and_main_columns_first():
    at = open_app("progress")
    df = at.dataframe[0]
    assert df.proto.placeholder == "—"
    import json

    config = json.loads(df.proto.columns)
    assert not any(c.get("pinned") for c in config.values())
    order = list(df.proto.column_order)
    assert order == ["项目名称", "区县", "状态", "完成率", "偏差(个百分点)", "年度计划(亿元)",
                     "累计完成(亿元)", "档案"]  # fmt: skip  # the project's file last


def test_project_detail_speaks_one_unit():
    at = open_app("progress")
    detail = "\n".join(m.value for m in at.markdown if "**" in m.value and ":" in m.value)
    assert "亿元" in detail and "万元" not in detail


def test_past_period_labels_stages_and_drops_changes_without_a_base():
    at = open_app(period="2025-01")
    assert "项目储备与推进(当前状态)" in [h.value for h in at.subheader]
    funding = next(m for m in metrics(at) if unescaped(m.label) == "已落实资金(亿元)")
    assert funding.delta in (None, "")
    assert "不计算同比" in funding.help


@pytest.mark.parametrize(
    ("page", "screens", "charts_on_each"),
    [
        ("overview", 3, [0, 2, 1]),
        ("growth", 3, [1, 1, 2]),
        ("factors", 3, [2, 0, 2]),
    ],
)
def test_present_mode_shows_one_screen_at_a_time(page, screens, charts_on_each):
    at = open_app(page, present="1")
    seen = []
    for i in range(screens):
        seen.append(charts_drawn(at))
        assert at.button(key="present_next").disabled is False
        if i < screens - 1:
            shown = on_screen(at)
            for _ in range(20):  # a long table's parts first, then the next screen
                at.button(key="present_next").click().run()
                assert not at.exception
                if on_screen(at) != shown:
                    break
    assert seen == charts_on_each
    # The presenter's bar names the screen; the sidebar's switch is on.
    assert at.toggle(key="present_toggle").value is True


def test_present_mode_off_draws_everything():
    at = open_app("overview")
    assert charts_drawn(at) == 3
    assert not [b for b in at.button if b.key == "present_next"]


def test_agenda_link_steps_through_its_views(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/meeting.sqlite"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    A.Agendas(Store(url)).save(
        A.Agenda("3月调度会", (A.View("overview", counties=("青山县",)),
                             A.View("progress", sectors=("产业项目",)))), actor=ADMIN
    )  # fmt: skip
    at = open_app(agenda="3月调度会")
    assert at.toggle(key="present_toggle").value is True
    assert "范围:青山县" in "\n".join(m.value for m in at.markdown).replace("\\", "")
    for _ in range(3):  # the overview's three screens
        at.button(key="present_next").click().run()
        assert not at.exception
    body = "\n".join(m.value for m in at.markdown).replace("\\", "")
    assert "范围:全市 · 产业项目" in body
    assert at.multiselect(key="county").value == []
    assert at.multiselect(key="sector").value == ["产业项目"]


def test_unknown_agenda_link_says_so():
    at = open_app(agenda="没有的会")
    assert any("会议议程“没有的会”不存在" in w.value for w in at.warning)
    assert at.toggle(key="present_toggle").value is False


def test_agenda_page_offers_the_example_and_saves(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/page.sqlite"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    at = open_app("agenda")
    assert at.text_input[0].value == "2月调度会"
    assert not [b for b in at.button if b.label in ("保存议程", "删除议程")]  # anonymous
    assert any("需要以管理员账户登录" in c.value for c in at.caption)
    as_admin(at, url)
    save = next(b for b in at.button if b.label == "保存议程")
    save.click().run()
    assert not at.exception
    saved = A.Agendas(Store(url)).get("2月调度会")
    assert saved is not None and saved.views[0] == A.View("overview")
    assert len(saved.views) == 6  # 全市, three counties behind, 产业项目进度, 要素保障
