"""How many Streamlit elements each page sends for its default view (the demo, no filter): the
browser lays out and draws every one on every rerun, so a page that grows fails here and says
by how much (issue 25, item 2: the overview's thirteen cards became two elements). A page that
sends fewer passes; lower its row then, so that the gain is kept.

Counted through AppTest: every node of the page's tree (main area and sidebar), blocks such as
columns and containers included, as each is a delta the browser receives."""

from __future__ import annotations

import pytest
from app_kit import APP
from streamlit.testing.v1 import AppTest

from core.output import pages

# Page → elements sent for its default view, measured when this table was written.
COUNTS = {
    "overview": 43,  # 69 with the cards as st.metric elements in columns
    "progress": 60,
    "growth": 41,
    "map": 28,
    "factors": 51,
    "alerts": 53,
    "ranking": 44,
    "supervision": 55,
    "milestones": 45,
    "indicators": 36,
    "briefing": 36,
    "agenda": 38,
    "collection": 52,
    "data": 32,
    "project": 23,
}


def count(node) -> int:
    """The node and everything under it."""
    children = getattr(node, "children", None) or {}
    return 1 + sum(count(child) for child in children.values())


def sent(script: str) -> int:
    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page(script)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return count(at.main) + count(at.sidebar) - 2  # the two areas themselves are not sent


def test_every_viewer_page_has_a_row():
    assert set(COUNTS) == {p.key for p in pages.for_everyone()}


@pytest.mark.parametrize("page", pages.for_everyone(), ids=lambda p: p.key)
def test_elements_sent_for_the_default_view(page):
    n = sent(page.script)
    assert n <= COUNTS[page.key], (
        f"{page.key}: {n} elements for its default view, {COUNTS[page.key]} in the table"
    )
    assert n >= 5  # the heading, the scope and the sidebar's filters at least: a page drawn
