"""项目档案 in 汇报模式 in a real browser (issues 21, 22): each of the file's screens — its
site photos' parts included — fits a 1366×768 projector (and 1920×1080, 1280×720) without
scrolling, with whole button labels and tables in type of at least 20 px. The store holds the
demo data and three photos of one project (a landscape and a portrait picture among them).
Screenshots go to artifacts/screenshots (project_present_NN_W×H.png)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from browser_kit import (
    RUN_TIMEOUT,
    SCREENSHOTS,
    SIDEBAR,
    Server,
    app_server,
    assert_no_exception,
    open_page,
    wait_for_run,
)
from PIL import Image
from test_meeting_room import PROJECTOR_SIZES, SCREEN_MEASURES, SCREEN_STATE, visible_words

from core.base import schema as S
from core.ingest import importing
from core.output import pages
from core.store import photos
from core.store.portfolio import DEMO_DIR, load_folder
from core.store.versions import Store
from tests.access_kit import ADMIN

pytestmark = pytest.mark.browser


def _photo(width: int, height: int, colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG")
    return out.getvalue()


def _busiest() -> tuple[str, str]:
    """The demo project with the most problems (then nodes): the fullest file; its period."""
    p = load_folder(DEMO_DIR)
    problems = p.problems[S.CODE].value_counts()
    nodes = p.milestones[S.CODE].value_counts()
    codes = sorted(set(problems.index) & set(nodes.index),
                   key=lambda c: (-problems[c], -nodes[c], c))  # fmt: skip
    return codes[0], p.latest_period.key


@pytest.fixture(scope="module")
def server(chromium, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app on its own store, the demo data imported and three photos of one project's
    latest month uploaded before it starts."""
    folder = tmp_path_factory.mktemp("project_screens")
    store = Store(f"sqlite:///{folder}/browser.sqlite")
    files = importing.read_paths(sorted(DEMO_DIR.iterdir()))
    importing.commit(importing.check(files, store), store, "示例数据", actor=ADMIN)
    code, month = _busiest()
    shots = [("横.jpg", _photo(1600, 900, (70, 120, 180))),
             ("竖.jpg", _photo(900, 1600, (180, 120, 70))),
             ("方.jpg", _photo(1000, 1000, (90, 160, 90)))]  # fmt: skip
    photos.add(store, ADMIN, code, month, shots)
    store.close()
    with app_server(folder) as running:
        yield running


def test_every_screen_of_a_projects_file_fits_the_projector(page, server: Server):
    from playwright.sync_api import expect

    code, _ = _busiest()
    open_page(page, f"/project?code={code}&present=1", "项目档案")
    expect(page.locator(SIDEBAR)).to_be_hidden(timeout=RUN_TIMEOUT)
    total = len(pages.PROJECT_SCREENS)
    seen, overflow = [], {}
    while True:
        page.wait_for_timeout(600)  # charts, tables and photos finish drawing
        page.locator("img").evaluate_all("els => Promise.all(els.map(e => e.decode?.()))")
        state = page.evaluate(SCREEN_STATE)
        assert state not in seen, f"→ did not step on from {state}"
        seen.append(state)
        assert_no_exception(page, server)
        assert visible_words(page) == [], state
        for width, height in PROJECTOR_SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(500)
            m = page.evaluate(SCREEN_MEASURES)
            where = f"{state} at {width}×{height}"
            overflow[(len(seen), width)] = m["over"]
            assert m["over"] <= 1, f"{where} scrolls by {m['over']} px"
            assert m["wide"] <= width, f"{where} scrolls sideways"
            assert m["cut"] == [], f"{where}: labels cut short {m['cut']}"
            assert m["inner"] == 0 and m["frames"] == 0, where
            if m["table"] is not None:
                assert m["table"] >= 20, f"{where}: table type {m['table']:.1f} px"
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOTS / f"project_present_{len(seen):02d}_{width}x{height}.png"
            page.screenshot(path=str(shot))
        page.set_viewport_size({"width": 1920, "height": 1080})
        if page.get_by_role("button", name=re.compile("下一屏")).is_disabled():
            break
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)
        wait_for_run(page)
        page.wait_for_function(f"() => ({SCREEN_STATE})() !== {state!r}", timeout=RUN_TIMEOUT)
        wait_for_run(page)
    assert f"第{total}/{total}屏" in seen[-1]
    assert len({re.search(r"第\d+/\d+屏", s).group(0) for s in seen}) == total  # none skipped
    photo_parts = [s for s in seen if "形象进度" in s]
    assert len(photo_parts) == 2 and "第1/2页" in photo_parts[0]  # three photos, two a part
    print("overflow px by (screen, width):", overflow)
