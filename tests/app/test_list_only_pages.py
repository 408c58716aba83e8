"""A store holding only the project list with its plans and nodes (no 月度进度): every page of
the registry (core.output.pages) opens without an error, says how the period was settled, and
the pages that measure returns say that they are missing."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from app_kit import APP, as_admin, unescaped
from streamlit.testing.v1 import AppTest

from core.access.users import Users
from core.ingest import importing
from core.output import pages
from core.policy.roles import Role
from core.store.versions import Store
from tests.access_kit import ADMIN, PASSWORD

MINI = Path(__file__).parents[1] / "fixtures" / "mini"
LIST_ONLY = ("项目清单.csv", "年度计划.csv", "节点计划.csv", "区县边界.geojson")
# A status or a rate of a project without returns would be a wrong figure: these pages stop.
NEEDS_RETURNS = {"overview", "progress", "map", "growth", "alerts", "ranking", "briefing"}
PERIOD_NOTE = "尚无月度进度,报告期按"
MISSING = "尚未导入月度进度,"


@pytest.fixture
def url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path}/store.sqlite"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("BRIEFING_BACKUP_DIR", str(tmp_path / "backups"))
    store = Store(url)
    report = importing.check(importing.read_paths([MINI / n for n in LIST_ONLY]), store)
    importing.commit(report, store, "项目清单", actor=ADMIN)
    Users(store).add(ADMIN, "office-admin", Role.ADMIN, password=PASSWORD)
    store.close()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield url
    st.cache_resource.clear()


def _infos(at: AppTest) -> list[str]:
    return [unescaped(i.value) for i in at.main.info]


@pytest.mark.parametrize("page", [p.key for p in pages.PAGES])
def test_every_page_opens_on_a_list_without_returns(url, page):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    as_admin(at, url)
    if page != "overview":
        at.switch_page(pages.get(page).script).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    infos = _infos(at)
    if pages.get(page).scoped:
        assert any(i.startswith(PERIOD_NOTE) for i in infos), infos
    needs = any(i.startswith(MISSING) for i in infos)
    assert needs == (page in NEEDS_RETURNS), infos
    if page in NEEDS_RETURNS:
        assert not at.main.subheader  # nothing measured from returns that do not exist
    shown = [*at.main.markdown, *at.main.caption, *at.main.info, *at.main.warning, *at.metric]
    text = "\n".join(unescaped(str(e.value)) for e in shown)
    for english in ("None", "nan", "Traceback"):
        assert english not in text, text
