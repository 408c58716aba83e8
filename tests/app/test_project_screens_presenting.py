"""项目档案 in 汇报模式 (AppTest): the file is cut into screens (core.output.pages.
PROJECT_SCREENS) that → and ← step through like every other page's — 概况 with the card and
this year's figures, the curve, the latest month's site photos two to a screen, the problems,
the nodes, the funding, the alerts and the recorded changes — by itself and in an agenda."""

from __future__ import annotations

import io
from pathlib import Path

import streamlit as st
from app_kit import open_app, unescaped
from PIL import Image
from streamlit.testing.v1 import AppTest

from core.ingest import importing
from core.output import agenda as A
from core.output import pages
from core.store import photos
from core.store.versions import Store
from tests.access_kit import ADMIN

MINI = Path(__file__).parents[1] / "fixtures" / "mini"


def _picture(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    return out.getvalue()


def _store(tmp_path, monkeypatch) -> str:
    """The mini fixture imported, three photos of A-001 for 2025-02, two for 2025-01."""
    url = f"sqlite:///{tmp_path}/store.sqlite"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    store = Store(url)
    importing.commit(importing.check(importing.read_paths(sorted(MINI.iterdir())), store),
                     store, "小样本", actor=ADMIN)  # fmt: skip
    photos.add(store, ADMIN, "A-001", "2025-01", [("旧.jpg", _picture((9, 9, 9)))] * 2)
    photos.add(store, ADMIN, "A-001", "2025-02",
               [(f"{i}.jpg", _picture((40 * i, 2, 3))) for i in range(3)])  # fmt: skip
    store.close()
    st.cache_data.clear()
    st.cache_resource.clear()
    return url


def _where(at: AppTest) -> str:
    return unescaped(at.caption[0].value).split("  |  ")[0]


def _title(at: AppTest) -> str:
    return unescaped(at.subheader[0].value)


def _html(at: AppTest) -> str:
    return "\n".join(str(h.proto.body) for h in at.get("html"))


def _next(at: AppTest) -> AppTest:
    at.button(key="present_next").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _previous(at: AppTest) -> AppTest:
    at.button(key="present_prev").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_file_steps_screen_by_screen(tmp_path, monkeypatch):
    _store(tmp_path, monkeypatch)
    at = open_app("project", code="A-001", period="2025-02", present="1")
    assert len(pages.PROJECT_SCREENS) == 8
    # 概况: the card and this year's figures, as the mini fixture works them out by hand:
    # plan 1200万, 1-2月 100+200 = 300万 (25.0%, 序时 2/12 = 16.7%: +8.3), 2024's 50+50.
    assert _where(at) == "第1/8屏 · 项目档案 · A-001 · 概况"
    assert _title(at) == "甲区芯片封装项目 · 概况"
    assert not any(e.label == "查找其他项目" for e in at.expander)  # no search on the projector
    assert "**建设单位**:甲公司" in [x.value for x in at.markdown]
    shown = [(m.label, m.value) for m in at.metric]
    assert shown == [
        ("年度计划投资", "0.12亿元"), ("1-2月累计完成", "0.03亿元"), ("完成率", "25.0%"),
        ("状态", "正常"), ("总投资", "1.00亿元"), ("开工至上年底累计完成", "0.01亿元"),
        ("开工至今累计完成", "0.04亿元"), ("占总投资", "4.0%"),
    ]  # fmt: skip
    assert at.metric[2].delta == "+8.3个百分点"
    assert not at.dataframe  # nothing that scrolls inside

    _next(at)  # 本年进度: the curve alone
    assert _where(at) == "第2/8屏 · 项目档案 · A-001 · 本年进度"
    assert len(at.get("vega_lite_chart")) == 1 and not at.metric

    _next(at)  # 形象进度: February's three photos (not January's), two to a part
    assert _where(at) == "第3/8屏 · 项目档案 · A-001 · 形象进度"
    assert "**2025年2月形象进度**:主体封顶" in [x.value for x in at.markdown]
    body = _html(at)
    assert body.count("<img ") == 2 and "data:image/jpeg;base64," in body
    assert "2025年2月现场照片 第1/3张" in body and "2025年2月现场照片 第2/3张" in body
    assert "第1/2页(按 → 翻页)" in body and "2025年1月" not in body
    _next(at)  # → on the same screen: the third photo
    assert _where(at) == "第3/8屏 · 项目档案 · A-001 · 形象进度"
    body = _html(at)
    assert body.count("<img ") == 1 and "2025年2月现场照片 第3/3张" in body and "第2/2页" in body

    _next(at)  # 问题与督办
    assert _title(at) == "甲区芯片封装项目 · 问题与督办"
    assert "<th>问题描述</th>" in _html(at)
    _previous(at)  # ← comes back to the photos' last part
    assert "2025年2月现场照片 第3/3张" in _html(at)
    _next(at)

    _next(at)  # 节点计划: the Gantt chart
    assert _where(at).endswith("· 节点计划") and len(at.get("vega_lite_chart")) == 1
    _next(at)  # 资金来源: 专项债券 1000万
    assert _where(at).endswith("· 资金来源")
    assert "<td>专项债券</td><td class='num'>0.10亿元</td>" in _html(at)
    assert "合计0.10亿元" in [c.value for c in at.caption]
    _next(at)  # 当前预警
    assert _where(at).endswith("· 当前预警")
    assert [x.value for x in at.success] == ["截至报告期没有预警。"]
    _next(at)  # 变更记录: the import and the two uploads, newest first
    assert _where(at) == "第8/8屏 · 项目档案 · A-001 · 变更记录"
    body = _html(at)
    assert body.index("新增现场照片3张") < body.index("新增现场照片2张") < body.index("第1批")
    assert at.button(key="present_next").disabled  # the file's last screen
    _previous(at)
    assert _where(at).endswith("· 当前预警")


def test_an_agenda_steps_through_the_files_screens(tmp_path, monkeypatch):
    url = _store(tmp_path, monkeypatch)
    meeting = A.Agenda("项目调度", (A.View("overview"), A.View.of_project("A-001")))
    A.Agendas(Store(url)).save(meeting, actor=ADMIN)
    at = open_app("overview", agenda="项目调度", period="2025-02")
    for _ in range(3):  # 总览's three screens
        _next(at)
    at.switch_page("app_pages/project.py").run()  # what follow() does in the browser
    assert _where(at) == "项目调度 · 第4/11屏 · 项目档案 · A-001 · 概况"
    assert _title(at) == "甲区芯片封装项目 · 概况"
    _next(at)
    assert _where(at) == "项目调度 · 第5/11屏 · 项目档案 · A-001 · 本年进度"


def test_photos_a_roll_back_hides_are_not_on_the_projector(tmp_path, monkeypatch):
    url = _store(tmp_path, monkeypatch)
    store = Store(url)
    store.rollback(2, "二月照片传错了", actor=ADMIN)  # entry 4: January's photos only
    store.close()
    st.cache_data.clear()
    st.cache_resource.clear()
    at = open_app("project", code="A-001", period="2025-02", present="1")
    _next(_next(at))
    assert _where(at) == "第3/8屏 · 项目档案 · A-001 · 形象进度"
    assert "**2025年1月形象进度**:主体施工" in [x.value for x in at.markdown]
    body = _html(at)
    assert body.count("<img ") == 2 and "2025年1月现场照片 第2/2张" in body
    assert "2025年2月现场照片" not in body and "第1/1页" in body
