"""What Streamlit would say in English on a click, and the meeting room's smaller faults:
a period select that cannot be cleared, a table header's column menu, pages with no screens in
汇报模式, the agenda's link as people read it."""

import pytest
from app_kit import as_admin, open_app, unescaped

from app_pages import chrome
from core.output import agenda as A
from core.store.versions import Store
from tests.access_kit import ADMIN


def test_period_select_cannot_be_cleared():
    # Cleared, a select shows Streamlit's "Choose an option" while the page stays on its period.
    at = open_app()
    at.run()  # from the second run on, the value lives in the session and `index` is None
    for key in ("period", "level", "stage"):
        select = at.selectbox(key=key)
        assert select.proto.required, key  # the browser offers no clear button
        assert select.proto.placeholder.startswith("请选择"), key
        assert select.value is not None
    assert at.selectbox(key="period").value == "2026-02"


def test_column_menu_and_required_marker_are_hidden():
    # The ⋮ menu of a table header ("Sort ascending" … "Hide column") and "(required)".
    assert (
        '[data-testid="stDataFrameColumnMenu"] { display: none !important; }' in chrome.CHROME_CSS
    )
    assert (
        '[data-testid="stWidgetLabelRequired"] { display: none !important; }' in chrome.CHROME_CSS
    )


@pytest.mark.parametrize(("page", "title"), [("agenda", "会议议程"), ("data", "数据管理")])
def test_pages_without_screens_end_present_mode(page, title):
    # /agenda?present=1 showed the presenter's bar with no screen (「| 截至…」) and both
    # buttons disabled.
    at = open_app(page, present="1")
    assert not at.exception
    assert at.toggle(key="present_toggle").value is False
    assert not [b for b in at.button if b.key in ("present_prev", "present_next")]
    assert any(f"“{title}”页不在汇报模式中放映" in unescaped(i.value) for i in at.info)
    assert "present" not in at.query_params
    at.run()  # said once
    assert not any("不在汇报模式中放映" in unescaped(i.value) for i in at.info)


def test_agenda_link_reads_as_typed(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/link.sqlite"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    A.Agendas(Store(url)).save(A.Agenda("3月调度会 A&B", (A.View("overview"),)), actor=ADMIN)
    at = open_app("agenda")
    as_admin(at, url)
    at.selectbox(key="agenda_choice").select("3月调度会 A&B").run()
    links = [c.value for c in at.code if "?agenda=" in c.value]
    assert links and links[0].endswith("/?agenda=3月调度会%20A%26B")  # only what would break it
