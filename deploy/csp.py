"""`python deploy/csp.py`: the Content-Security-Policy nginx sends with the app's pages.

Everything is served by the app itself ('self'): scripts, styles, fonts, the WebSocket. Three
inline scripts run: Streamlit's page template sets `window.prerenderReady`, and the app sets
the document's language and closes the tables' English column menu (app_pages.chrome:
LANG_SCRIPT, COLUMN_MENU_SCRIPT); each is allowed by its SHA-256 digest,
read here from the installed streamlit and from the app, so an upgrade of either keeps the policy
right when the deployment is started again. The browser test (tests/browser/test_deploy.py)
fails on any report of a blocked resource.
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from pathlib import Path

import streamlit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app_pages.chrome import COLUMN_MENU_SCRIPT, LANG_SCRIPT  # noqa: E402

_INLINE = re.compile(r"<script>(.*?)</script>", re.S)


def inline_scripts() -> list[str]:
    """The bodies of the inline scripts: Streamlit's template's, then the app's."""
    template = Path(streamlit.__file__).parent / "static" / "index.html"
    found = _INLINE.findall(template.read_text(encoding="utf-8"))
    return [*found, *_INLINE.findall(LANG_SCRIPT + COLUMN_MENU_SCRIPT)]


def digest(script: str) -> str:
    value = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return f"'sha256-{value}'"


def policy() -> str:
    scripts = " ".join(digest(s) for s in inline_scripts())
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'wasm-unsafe-eval' {scripts}",
            # Streamlit and its components set style attributes and <style> elements at run time.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


if __name__ == "__main__":
    print(policy())
