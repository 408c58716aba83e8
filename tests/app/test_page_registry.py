"""The page registry (core.output.pages) is the one list of pages: every entry has its file and
is routed with its heading, every page file is an entry, and the router, 汇报模式, agendas, the
deck, the benchmark and the tests' lists are made from it. Adding a page is an entry and a file
(README "Adding a page"): a throwaway page added that way is routed, presented and offered to
agendas and the deck."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pytest
from app_kit import APP, as_admin, unescaped
from streamlit.testing.v1 import AppTest

from core.base.periods import Period
from core.figures.scope import Scope
from core.output import agenda, deck, pages
from core.policy import roles

ROOT = Path(APP).parent
FOLDER = ROOT / pages.APP_PAGES


def _imported_modules() -> set[str]:
    """The modules of app_pages that app.py or a page imports: helpers, not pages."""
    names = set()
    for file in [Path(APP), *FOLDER.rglob("*.py")]:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == pages.APP_PAGES:
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app_pages."):
                names.add(node.module.split(".")[1])
    return names


def test_every_entry_has_its_file_and_every_page_file_an_entry():
    keys = [p.key for p in pages.PAGES]
    assert len(keys) == len(set(keys)), "a page key twice"
    assert [p.key for p in pages.PAGES if p.default] == ["overview"]
    for p in pages.PAGES:
        source = (ROOT / p.script).read_text(encoding="utf-8")
        assert f'"{p.heading}"' in source, f"{p.script} does not head itself {p.heading}"
        assert p.icon.startswith(":material/") and p.icon.endswith(":")
        assert len(set(p.screens)) == len(p.screens)
        assert p.action in roles.ACTIONS
        assert p.draws in (None, pages.CHART, pages.MAP)
        assert not p.slide or p.presented, f"{p.key}: a slide needs a presented page"
    files = {f.stem for f in FOLDER.glob("*.py") if f.stem != "__init__"}
    assert files - _imported_modules() == set(keys), "a page file without an entry, or helpers"


def test_the_lists_are_made_from_the_registry():
    import test_empty_scopes
    import test_pages
    import test_store_pages

    from app_pages import presentation
    from bench import pages as bench_pages

    presented = [p.key for p in pages.presented()]
    assert list(pages.screens()) == list(pages.titles()) == presented
    assert set(deck._BUILDERS) == {p.key for p in pages.PAGES if p.slide}
    assert [v.page for v in deck.every_page(Scope(Period(2026, 2))).views] == presented
    assert [b.path for b in bench_pages.PAGES] == [p.path for p in pages.for_everyone()]
    assert [b.title for b in bench_pages.PAGES] == [p.heading for p in pages.for_everyone()]
    assert test_pages.PAGES == test_store_pages.PAGES == presented
    assert [p.key for p in pages.for_everyone()] == test_empty_scopes.PAGES
    assert not hasattr(presentation, "SCREENS") and not hasattr(agenda, "PAGES")


def _page_words(page: pages.Page) -> set[str]:
    return {f'"/{page.key}"', f'"{page.script}"', f'"{page.title}"', f'"{page.heading}"'}


def test_no_other_file_lists_the_pages():
    """A list of the pages written out anywhere but the registry is a copy that drifts: no
    module names more than a few pages by their paths, files, titles or headings."""
    words = set().union(*map(_page_words, pages.PAGES))
    copies = {}
    for folder in ("app_pages", "core", "bench", "tests"):
        for file in (ROOT / folder).rglob("*.py"):
            text = file.read_text(encoding="utf-8")
            named = {w for w in words if w in text}
            if file != ROOT / "core" / "output" / "pages.py" and len(named) > 6:
                copies[str(file.relative_to(ROOT))] = sorted(named)
    assert not copies, f"page lists outside core/output/pages.py: {copies}"


def test_every_entry_is_routed_with_its_heading():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    as_admin(at)  # the admin's pages are routed for an admin only
    for p in pages.PAGES:
        at.switch_page(p.script).run()
        assert not at.exception, (p.key, [e.value for e in at.exception])
        assert unescaped(at.title[0].value) == p.heading, p.key


# --- The recipe: a page is an entry and a file ------------------------------------------------

PROBE = pages.Page("probe", "试验页", ":material/science:", "试验页面", ("第一屏", "第二屏"))
PROBE_SOURCE = '''"""A throwaway page of tests/app/test_page_registry.py."""

import streamlit as st

from app_pages import common

scope = common.header("试验页面")
st.write("试验内容")
'''


@pytest.fixture
def probe(monkeypatch):
    """The recipe followed: PROBE in the registry, after 简报, and its file in app_pages/."""
    at = next(i for i, p in enumerate(pages.PAGES) if p.key == "briefing") + 1
    monkeypatch.setattr(pages, "PAGES", (*pages.PAGES[:at], PROBE, *pages.PAGES[at:]))
    file = ROOT / PROBE.script
    file.write_text(PROBE_SOURCE, encoding="utf-8")
    yield PROBE
    file.unlink()


def test_a_page_added_by_the_recipe_is_routed_presented_and_offered(probe):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(probe.script).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "试验页面"
    assert "范围:全市" in unescaped("\n".join(m.value for m in at.markdown))

    at.toggle(key="present_toggle").set_value(True).run()  # 汇报模式 on the probe's screen
    bar = next(unescaped(c.value) for c in at.caption if "屏 · " in c.value)
    assert "试验页 · 第一屏" in bar
    at.button(key="present_next").click().run()
    bar = next(unescaped(c.value) for c in at.caption if "屏 · " in c.value)
    assert "试验页 · 第二屏" in bar

    view = agenda.View("probe")
    assert view.page_title == "试验页"
    assert agenda.check(agenda.Agenda("试验会", (view,)), [], []) == []
    every = deck.every_page(Scope(Period(2026, 2)))
    assert [v.page for v in every.views][-1] == "probe"
    assert deck.content(_demo(), view, Period(2026, 2), _months()).subtitle.startswith("范围:")
    assert replace(probe, slide=True).presented  # a slide of its own: a builder in deck.py


def _demo():
    from core.store.portfolio import DEMO_DIR, load_folder

    return load_folder(DEMO_DIR)


def _months():
    from core.base.periods import Convention

    return Convention.MONTHS
