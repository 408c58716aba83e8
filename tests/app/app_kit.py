"""What the AppTest modules share: opening the app at a page and a URL state.

Imported by name (`from app_kit import …`): tests/app is on sys.path when pytest runs its
modules, as the folder is not a package."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).parents[2] / "app.py")


def open_app(page: str = "overview", **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at
