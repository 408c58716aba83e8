"""Text from the data made inert for everything Streamlit renders as Markdown."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^])")
# GitHub-style autolinks (http://…, www.…, a@b.c) are found in the text after every escape has
# been read, so no escape stops them: an invisible word joiner (U+2060) after the scheme or www
# and before an @ does, and the text still reads the same.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|www)(?=[:.])|(?=@)")
WORD_JOINER = "\u2060"


def plain(text: str) -> str:
    """Text from data made inert for anything streamlit renders as Markdown (st.markdown,
    captions, alerts, and the labels and help of metrics, widgets and expanders): every markup
    character escaped, and no link, image or colour made of it."""
    text = _AUTOLINK.sub(lambda m: (m.group(1) or "") + WORD_JOINER, str(text))
    return _MD_SPECIAL.sub(r"\\\1", text)
