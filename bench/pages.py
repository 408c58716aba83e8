"""The app's pages as the benchmark visits them: every page a viewer reaches, from the app's
page registry (core.output.pages)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.output import pages as registry

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"


@dataclass(frozen=True)
class Page:
    script: str  # for AppTest.switch_page, relative to app.py
    path: str  # URL path
    title: str  # the page's h1
    draws: str | None  # "chart", "map" or None: what must be on screen before it counts as drawn
    has_scope: bool = True  # heads its content with the scope sentence (范围:…)


def of(page: registry.Page) -> Page:
    return Page(page.script, page.path, page.heading, page.draws, page.scoped)


PAGES = tuple(of(p) for p in registry.for_everyone())
