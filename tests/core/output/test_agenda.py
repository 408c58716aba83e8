"""Meeting agendas in the store's database: save, replace, list, delete, and their checks."""

import pytest

from core.base.periods import Period
from core.figures.scope import Scope
from core.output import agenda as A
from core.store.versions import Store
from tests.access_kit import ADMIN


@pytest.fixture
def agendas(tmp_path):
    return A.Agendas(Store(f"sqlite:///{tmp_path}/a.sqlite"))


MEETING = A.Agenda(
    "3月调度会",
    (
        A.View("overview"),
        A.View("overview", counties=("青山县",)),
        A.View("progress", sectors=("产业项目",), level=None),
        A.View("factors", stage="在建"),
    ),
)


def test_saved_agenda_comes_back_in_order(agendas):
    agendas.save(MEETING, actor=ADMIN)
    back = agendas.get("3月调度会")
    assert back == MEETING
    assert [v.page for v in back.views] == ["overview", "overview", "progress", "factors"]
    assert back.views[2].level is None and back.views[3].stage == "在建"
    assert back.updated_at is not None


def test_saving_under_a_name_replaces_and_lists_latest_first(agendas):
    agendas.save(MEETING, actor=ADMIN)
    agendas.save(A.Agenda("4月调度会", (A.View("map"),)), actor=ADMIN)
    agendas.save(A.Agenda("3月调度会", (A.View("growth"),)), actor=ADMIN)
    assert agendas.get("3月调度会").views == (A.View("growth"),)
    assert agendas.names()[0] == "3月调度会"
    assert sorted(agendas.names()) == ["3月调度会", "4月调度会"]
    assert agendas.delete("4月调度会", actor=ADMIN) and not agendas.delete("4月调度会", actor=ADMIN)
    assert agendas.get("4月调度会") is None


def test_agendas_live_in_their_own_table_beside_the_imports(tmp_path):
    import sqlalchemy as sa

    store = Store(f"sqlite:///{tmp_path}/s.sqlite")
    A.Agendas(store).save(MEETING, actor=ADMIN)
    tables = set(sa.inspect(sa.create_engine(store.url)).get_table_names())
    assert "agendas" in tables and "batches" in tables
    assert store.current() is None  # saving an agenda is no import


@pytest.mark.parametrize(
    ("agenda", "problem"),
    [
        (A.Agenda("", (A.View("overview"),)), "请填写议程名称"),
        (A.Agenda("x" * 41, (A.View("overview"),)), "不超过40个字"),
        (A.Agenda("会", ()), "至少添加一项"),
        (A.Agenda("会", (A.View("nowhere"),)), "第1项的页面“nowhere”不存在"),
        (
            A.Agenda("会", (A.View("map"), A.View("map", counties=("火星县",)))),
            "第2项的筛选“火星县”",
        ),
    ],
)
def test_check_says_what_is_wrong_in_chinese(agenda, problem):
    problems = A.check(agenda, ["青山县"], ["产业项目"])
    assert any(problem in p for p in problems), problems


def test_view_scope_and_label():
    v = A.View("progress", counties=("城东区",), sectors=("产业项目",))
    assert v.scope(Period(2026, 2)) == Scope(Period(2026, 2), ("城东区",), ("产业项目",))
    assert v.label() == "项目进度(城东区 · 产业项目 · 省重点)"
    assert A.View.from_dict(v.to_dict()) == v


def test_example_meeting():
    ex = A.example(["青山县", "临湖县", "云溪市"], "产业项目")
    assert [v.page for v in ex.views] == ["overview"] * 4 + ["progress", "factors"]
    assert [v.counties for v in ex.views[1:4]] == [("青山县",), ("临湖县",), ("云溪市",)]
    assert ex.views[4].sectors == ("产业项目",)
