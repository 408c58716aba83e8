"""What the AppTest modules share: opening the app at a page and a URL state.

Imported by name (`from app_kit import …`): tests/app is on sys.path when pytest runs its
modules, as the folder is not a package."""

from __future__ import annotations

import re
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


def sign_in(at: AppTest, user: str, password: str) -> AppTest:
    """Sign in through the sidebar's form (or the page's, when viewing needs a sign-in)."""
    at.text_input(key="sign_in_user").input(user)
    at.text_input(key="sign_in_password").input(password)
    next(b for b in at.button if b.label == "登录").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def as_admin(at: AppTest, url: str | None = None) -> AppTest:
    """The app signed in as an admin of the store it uses (the account made if need be)."""
    from core.access.users import Users
    from core.policy.roles import Role
    from core.store.versions import Store
    from tests.access_kit import ADMIN, PASSWORD

    store = Store(url)
    try:
        users = Users(store)
        if users.get("office-admin") is None:
            users.add(ADMIN, "office-admin", Role.ADMIN, password=PASSWORD)
    finally:
        store.close()
    return sign_in(at, "office-admin", PASSWORD)


def unescaped(text: str) -> str:
    """A label or message as the screen shows it: the app escapes every Markdown character of
    text that may come from data (app_pages.common.plain), AppTest reports the escaped form."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


class Shown:
    """A KPI card as a test reads it: label, value, change and explanation."""

    def __init__(self, label: str, value: str, delta: str | None, help: str | None) -> None:
        self.label, self.value, self.delta, self.help = label, value, delta, help


def metrics(at: AppTest) -> list[Shown]:
    """The KPI cards a page shows, in order: its st.metric elements, then the cards drawn as
    one HTML block each row (core.output.cards.cards_html: the overview's)."""
    import html

    out = [Shown(m.label, m.value, m.proto.delta or None, m.proto.help or None) for m in at.metric]
    for block in at.get("html"):
        for card in block.proto.body.split('<div class="kpi" ')[1:]:
            label, value = re.search(r'data-label="([^"]*)" data-value="([^"]*)"', card).groups()
            help_ = re.search(r'class="kpi-help" title="([^"]*)"', card)
            delta = re.search(r'data-testid="stMetricDelta">(?:[↑↓] )?(.*?)(?: <span|</div>)', card)
            out.append(Shown(html.unescape(label), html.unescape(value),
                             html.unescape(delta.group(1)) if delta else None,
                             html.unescape(help_.group(1)) if help_ else None))  # fmt: skip
    return out
