"""Data access for the pages: the store in use and the data set loaded from it (cached once per
data version for every session), and the notice when the data changed under a session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from core.store import datasource, recovery
from core.store.portfolio import Portfolio, load_folder
from core.store.versions import DATABASE_URL_SETTING, Store, database_url

DATA_DIR_SETTING = "BRIEFING_DATA_DIR"  # a folder of the six CSV tables and the GeoJSON
_SEEN_KEY = "_seen_version"  # the data version this session's pages last showed


def _secret_database_url() -> str | None:
    """BRIEFING_DATABASE_URL from the environment wins; else the app's secrets file."""
    if os.environ.get(DATABASE_URL_SETTING):
        return None
    try:
        return st.secrets.get(DATABASE_URL_SETTING)
    except (FileNotFoundError, KeyError, StreamlitSecretNotFoundError):
        return None


@st.cache_resource
def _store(url: str) -> Store:
    return Store(url)


def database_url_in_use() -> str:
    """The store's URL; a SQLite file this process may not write is opened read-only
    (core.store.recovery.readable_url): its data are shown, every change refused."""
    return recovery.readable_url(database_url(_secret_database_url()))


def store() -> Store:
    return _store(database_url_in_use())


def _folder_stamp(folder: Path) -> tuple:
    """Names, sizes and times of the data files: cheap to read on every rerun, and any edit
    to a file changes it, so the cache below reloads exactly when the data change."""
    return tuple(
        (p.name, p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.glob("*"))
        if p.is_file()
    )


# cache_resource, not cache_data: a Portfolio never changes, and 100,000 projects with their
# returns would be copied on every rerun by cache_data. Its own memo then serves every session.
@st.cache_resource(show_spinner="正在读取项目数据…", max_entries=4)
def _load_folder(folder: str, stamp: tuple) -> Portfolio:
    # The folder's name, never its path: the server's layout is nobody's business on screen.
    return load_folder(Path(folder), source=f"数据文件夹“{Path(folder).name}”")


@st.cache_resource(show_spinner="正在读取项目数据…", max_entries=2)
def _load_current(url: str, version: str) -> Portfolio:
    return datasource.load(_store(url))


# The data set app.py loaded for this script run (this_run()): the page it runs reads it again
# without asking the store for its version a second time. Not set in a fragment's rerun.
_this_run: ContextVar[Portfolio | None] = ContextVar("portfolio_this_run", default=None)


@contextmanager
def this_run(p: Portfolio) -> Iterator[None]:
    """Within the block (the rest of app.py's run, the page included) portfolio() is `p`."""
    token = _this_run.set(p)
    try:
        yield
    finally:
        _this_run.reset(token)  # the script thread runs the session's next run too


def portfolio() -> Portfolio:
    """The data in use: a configured folder, else the latest import, else the demo."""
    known = _this_run.get()
    if known is not None:
        return known
    folder = os.environ.get(DATA_DIR_SETTING)
    if folder:
        return _load_folder(folder, _folder_stamp(Path(folder)))
    s = store()
    return _load_current(s.url, s.version() or "demo")


def data_change_notice(p: Portfolio) -> None:
    """When the data changed since this session's last page, say so once, above the page."""
    seen = st.session_state.get(_SEEN_KEY)
    st.session_state[_SEEN_KEY] = p.version
    if seen is None or seen == p.version or os.environ.get(DATA_DIR_SETTING):
        return
    notice = datasource.change_notice(seen, store().current())
    if notice:
        st.info(notice, icon=":material/update:")  # ids and times only, no text from data
