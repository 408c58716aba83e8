"""项目档案's photos follow the history (AppTest): an upload shown, hidden after a roll-back to
before it (the history says 隐藏现场照片), shown again when the upload is applied again; the
file as uploaded offered to an admin only."""

from __future__ import annotations

import io
from pathlib import Path

import streamlit as st
from app_kit import as_admin, open_app, unescaped
from PIL import Image
from streamlit.testing.v1 import AppTest

from core.ingest import importing
from core.store import photos
from core.store.versions import Store
from tests.access_kit import ADMIN

MINI = Path(__file__).parents[1] / "fixtures" / "mini"
ORIGINALS = "下载原始照片文件(仅管理员)"


def _picture(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    return out.getvalue()


def _images(at: AppTest) -> int:
    return sum(len(x.proto.imgs) for x in at.get("image"))


def _history(at: AppTest):
    return next(t.value for t in at.dataframe if "修改内容" in t.value.columns)


def _said(at: AppTest) -> str:
    return unescaped("\n".join(str(x.value) for x in [*at.markdown, *at.caption]))


def _fresh(url: str, **query) -> AppTest:
    st.cache_data.clear()
    st.cache_resource.clear()
    return open_app("project", **query)


def test_a_roll_back_hides_the_photos_and_applying_again_shows_them(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/store.sqlite"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    store = Store(url)
    importing.commit(importing.check(importing.read_paths(sorted(MINI.iterdir())), store),
                     store, "小样本", actor=ADMIN)  # fmt: skip
    photos.add(store, ADMIN, "A-001", "2025-02",
               [("一.jpg", _picture((1, 2, 3))), ("二.jpg", _picture((4, 5, 6)))])  # fmt: skip
    store.close()

    at = _fresh(url, code="A-001", period="2025-02")
    assert _images(at) == 2 and "2025年2月**(2张)" in _said(at)
    assert not any(e.label == ORIGINALS for e in at.expander)  # not signed in: no originals
    assert _history(at)["修改内容"].iloc[0] == "新增现场照片2张"

    store = Store(url)
    store.rollback(1, "照片传错了", actor=ADMIN)  # entry 3: the import, without the photos
    store.close()
    at = _fresh(url, code="A-001", period="2025-02")
    assert not at.exception
    assert _images(at) == 0 and "截至报告期还没有上传现场照片。" in _said(at)
    history = _history(at)
    assert list(history["批次"])[:2] == ["第3批", "第2批"]
    assert list(history["修改内容"])[:2] == ["隐藏现场照片2张", "新增现场照片2张"]

    store = Store(url)
    store.rollback(2, actor=ADMIN)  # entry 4: the upload applied again
    store.close()
    at = _fresh(url, code="A-001", period="2025-02")
    assert _images(at) == 2
    assert _history(at)["修改内容"].iloc[0] == "新增现场照片2张"
    as_admin(at, url)
    assert any(e.label == ORIGINALS for e in at.expander)
    names = at.selectbox(key="photo_original").options
    assert [unescaped(n) for n in names] == [
        "2025年2月 · 二.jpg(第2批上传)",
        "2025年2月 · 一.jpg(第2批上传)",
    ]
    assert any(b.label == "下载原始文件" for b in at.get("download_button"))
    st.cache_resource.clear()
