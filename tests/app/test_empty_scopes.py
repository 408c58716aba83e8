"""No filter breaks a page: every page of the app (core.output.pages), for every county × sector
pair of the demo without projects — at the opening level and at 全部 — says so in Chinese and
never shows an error; in 汇报模式 every screen does.

One AppTest per page (its filters changed run after run), one per scope in 汇报模式: the data
are read once per test, every further run is a rerun of the page."""

from __future__ import annotations

import re

import pytest
from app_kit import APP, unescaped
from streamlit.testing.v1 import AppTest

from core.figures.scope import ALL, DEFAULT_LEVEL, Scope
from core.output import pages
from core.store.portfolio import DEMO_DIR, load_folder

# The pages a viewer reaches (the admin pages show accounts and the audit trail, nothing of the
# filters, and are not routed for a viewer).
PAGES = [p.key for p in pages.for_everyone()]
# Pages that draw nothing from the project filters: those not presented (the agenda editor,
# whose views carry their own filters, and data management). They must not break; they have no
# scope to be empty.
SCOPE_FREE = {p.key for p in pages.for_everyone() if not p.presented}
# 汇报模式 screens of the city's statistics, the same whatever the filters.
CITY_SCREENS = {"固定资产投资增速", "科技创新与绿色发展", "营商环境与对外开放", "民生保障"}
NOTICE = re.compile(r"(当前筛选条件下|当前范围内).*没有")


def _empty_scopes() -> list[tuple[str, str, str]]:
    demo = load_folder(DEMO_DIR)
    out = []
    for level in (DEFAULT_LEVEL, ALL):
        for county in demo.counties:
            for sector in demo.sectors:
                scope = Scope(demo.latest_period, (county,), (sector,),
                              level=None if level == ALL else level)  # fmt: skip
                if not scope.mask(demo.projects).any():
                    out.append((county, sector, level))
    return out


EMPTY = _empty_scopes()


def test_the_sweep_covers_the_reported_pairs_and_every_page():
    for pair in [("城东区", "生态环保"), ("城北区", "城市更新"), ("云溪市", "社会民生")]:
        assert (*pair, DEFAULT_LEVEL) in EMPTY
    assert any(level == ALL for *_, level in EMPTY)
    assert {"overview", "growth", "indicators", "briefing", "agenda", "data"} <= set(PAGES)


def _problems(at: AppTest) -> list[str]:
    return [str(e.value) for e in at.exception] + [unescaped(e.value) for e in at.error]


def _notices(at: AppTest) -> list[str]:
    return [unescaped(i.value) for i in at.main.info if NOTICE.search(unescaped(i.value))]


@pytest.mark.parametrize("page", PAGES)
def test_every_empty_scope_gets_a_notice_not_an_error(page):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page != "overview":
        at.switch_page(pages.get(page).script).run()
    assert not _problems(at)
    failures = []
    for county, sector, level in EMPTY:
        at.multiselect(key="county").set_value([county])
        at.multiselect(key="sector").set_value([sector])
        at.selectbox(key="level").set_value(level)
        at.run()
        where = f"{page}: {county} · {sector} · {level}"
        body = unescaped("\n".join(m.value for m in at.markdown))
        if pages.get(page).scoped and f"范围:{county} · {sector}" not in body:
            failures.append(f"{where}: the scope sentence does not name the filters")
        if _problems(at):
            failures.append(f"{where}: {_problems(at)}")
        if page not in SCOPE_FREE and not _notices(at):
            failures.append(f"{where}: no notice that the filters match nothing")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("county", "sector", "level"), EMPTY)
def test_every_presenting_screen_of_an_empty_scope(county, sector, level):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(county=[county], sector=[sector], level=level, present="1")
    at.run()
    failures, screens = [], 0
    while True:
        bar = next(unescaped(c.value) for c in at.caption if "屏 · " in c.value)
        screen = bar.split("|")[0].split(" · ")[2].strip()
        screens += 1
        if _problems(at):
            failures.append(f"{bar}: {_problems(at)}")
        if screen not in CITY_SCREENS and not _notices(at):
            failures.append(f"{bar}: no notice that the filters match nothing")
        following = at.button(key="present_next")
        if following.disabled:
            break
        following.click().run()
    assert screens == int(re.search(r"第\d+/(\d+)屏", bar).group(1)) > 20
    assert not failures, "\n".join(failures)
