"""Server script time of every page through AppTest, in a process of its own.

The benchmark runs `python -m bench.apptest_pages DATABASE_URL COUNTY` and reads the JSON object
printed on the last line of stdout: for each page, the wall time of its first run (fresh
AppTest, streamlit caches cleared, so it includes loading the data) and of the rerun after a
filter change (one county chosen in the sidebar), the number of elements its default view sends
and what they are (bench.composition: its own floor page is made of as many), and the process's
peak memory.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable

import streamlit as st
from streamlit.testing.v1 import AppTest

from bench import composition
from bench.pages import APP, PAGES, Page
from bench.proc import peak_mb
from core.store.versions import DATABASE_URL_SETTING

RUN_TIMEOUT = 600  # seconds: a first run at 100,000 projects loads the whole store


def _timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _problem(at: AppTest) -> str | None:
    if at.exception:
        return "; ".join(str(e.value)[:200] for e in at.exception)
    return None


PROJECT_PAGE = "/project"  # 项目档案: opened on a project (?code=), as its links open it


def a_project(url: str, county: str) -> str | None:
    """The code of the filter county's first current project, asked of the store directly."""
    import sqlalchemy as sa

    from core.base import schema as S
    from core.store.tables import _DATA

    table = _DATA[S.PROJECTS]
    column = table.c[S.STORE_COLUMNS[S.CODE]]
    where = (table.c[S.STORE_COLUMNS[S.COUNTY]] == county) & table.c.valid_to.is_(None)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(column).where(where).limit(1)).scalar()
    finally:
        engine.dispose()


def measure(page: Page, county: str, code: str | None = None) -> dict:
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT)
    if code:
        at.query_params["code"] = code
    at.switch_page(page.script)  # before the first run: the page opened by its own link
    result: dict = {"first_s": _timed(at.run), "rerun_s": None, "error": _problem(at)}
    if result["error"]:
        return result
    # Elements sent for the default view, blocks included (the two areas themselves are not),
    # and of which charts, map, dataframes and cards: the page's own floor is made of as many.
    made_of = composition.of_tree(at.main, at.sidebar)
    result["elements"] = made_of.elements
    result["composition"] = made_of.to_json()
    result["rerun_s"] = _timed(lambda: at.multiselect(key="county").select(county).run())
    result["error"] = _problem(at)
    scope = "\n".join(m.value for m in at.markdown).replace("\\", "")
    if not result["error"] and page.has_scope and county not in scope:
        result["error"] = f"the scope sentence does not name {county} after the filter change"
    return result


def main() -> None:
    url, county = sys.argv[1:3]
    os.environ[DATABASE_URL_SETTING] = url  # read by the app on every run
    # Warm-up, not measured: the imports of the app's modules, paid once by a server too.
    AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT).run()
    pages = {}
    for page in PAGES:
        try:
            code = a_project(url, county) if page.path == PROJECT_PAGE else None
            pages[page.path] = measure(page, county, code)
        except Exception as exc:  # a page that fails is reported, the others still run
            pages[page.path] = {"first_s": None, "rerun_s": None, "error": repr(exc)[:300]}
    print(json.dumps({"pages": pages, "peak_mb": peak_mb()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
