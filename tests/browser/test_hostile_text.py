"""No text from the data renders as Markdown, in Chromium: an indicator named like an image,
bold and coloured names, a URL in a batch note and in 形象进度 — each shown as the text it is,
nothing fetched, no link made. A local server stands for the outside host and counts requests."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from browser_kit import (
    METRIC_LABEL,
    SIDEBAR,
    Server,
    assert_no_exception,
    free_port,
    full_page_screenshot,
    open_page,
)

from core.base import schema as S
from core.ingest import importing
from core.store.portfolio import read_csv
from core.store.versions import Store
from tests.access_kit import ADMIN

MINI = Path(__file__).parents[1] / "fixtures" / "mini"


@pytest.fixture(scope="module")
def outside() -> Iterator[tuple[str, list[str]]]:
    """A stand-in for the host a hostile name points to: every request it gets is kept."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    port = free_port()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def hostile(server: Server, outside) -> dict[str, str]:
    host, _ = outside
    texts = {
        "image": f"![p]({host}/p.png)",
        "bold": "**粗体**指标",
        "colour": ":red[红色]指标",
        "progress": f"详见 {host}/progress **粗** :red[红]",
        "note": f"见 {host}/note",
    }
    indicators = read_csv(MINI / "指标.csv")
    extra = pd.DataFrame(
        [["科技创新", texts[k], "2024", "1", "亿元", ""] for k in ("image", "bold", "colour")],
        columns=indicators.columns,
    )
    monthly = read_csv(MINI / "月度进度.csv")
    monthly[S.PROGRESS_TEXT] = texts["progress"]
    files = [(f"{t}.csv", read_csv(MINI / f"{t}.csv").to_csv(index=False).encode())
             for t in S.TABLES if t not in (S.INDICATORS, S.MONTHLY)]  # fmt: skip
    files += [("指标.csv", pd.concat([indicators, extra]).to_csv(index=False).encode()),
              ("月度进度.csv", monthly.to_csv(index=False).encode()),
              ("b.geojson", (MINI / "区县边界.geojson").read_bytes())]  # fmt: skip
    store = Store(server.database_url)
    report = importing.check(files, store)
    assert report.importable, report.summary()
    importing.commit(report, store, texts["note"], actor=ADMIN)
    store.close()
    return texts


def shown_text(text: str) -> str:
    """What a person reads: the invisible word joiners that stop autolinks left out."""
    return text.replace("\u2060", "")


def no_markup_from(page, host: str) -> None:
    assert page.locator(f"img[src^='{host}']").count() == 0
    assert page.locator(f"a[href^='{host}']").count() == 0


@pytest.mark.parametrize("path,title", [("/indicators", "经济指标"), ("/progress", "项目推进情况"),
                                        ("/data", "数据管理"), ("/", None)])  # fmt: skip
def test_data_text_shows_as_text(page, server: Server, outside, hostile, path, title):
    from playwright.sync_api import expect

    host, seen = outside
    open_page(page, path, title)
    assert_no_exception(page, server)
    no_markup_from(page, host)
    if path == "/indicators":
        labels = page.locator(METRIC_LABEL)
        expect(labels.first).to_be_visible()
        shown = [shown_text(t) for t in labels.all_inner_texts()]
        for key in ("image", "bold", "colour"):
            assert any(hostile[key] in t for t in shown), (hostile[key], shown)
        assert labels.locator("strong, img, a").count() == 0
        full_page_screenshot(page, "hostile_indicators")
    if path == "/progress":
        main = shown_text(page.locator("[data-testid='stMain']").inner_text())
        assert hostile["progress"] in main
    if path == "/":
        assert hostile["note"] in shown_text(page.locator(SIDEBAR).inner_text())
    page.wait_for_timeout(1000)
    assert seen == [], seen
