"""The deck's slides of a project's file (core.output.deck): a project with site photos gets a
slide of its latest month's photos, sized to the slide with a caption; photos a roll-back hides
never appear."""

from __future__ import annotations

import io

from PIL import Image
from pptx import Presentation
from pptx.util import Emu

from core.base.periods import Convention, Period
from core.output import deck
from core.output.agenda import Agenda, View
from core.store import datasource, photos
from tests.access_kit import ADMIN
from tests.core.store.test_photo_history import _store, jpeg_with_gps

MARCH = Period(2026, 3)


def _portfolio(store):
    return datasource.portfolio(datasource.current(store))


def _pictures(data: bytes) -> list[tuple[object, tuple[int, int, int]]]:
    """Every picture of the deck: (its shape, the colour of its centre pixel)."""
    out = []
    for slide in Presentation(io.BytesIO(data)).slides:
        for shape in slide.shapes:
            if shape.shape_type == 13:  # a picture
                with Image.open(io.BytesIO(shape.image.blob)) as img:
                    rgb = img.convert("RGB").getpixel((img.width // 2, img.height // 2))
                out.append((shape, rgb))
    return out


def _near(a, b) -> bool:
    return all(abs(x - y) <= 6 for x, y in zip(a, b, strict=True))


def test_the_latest_months_photos_get_a_slide_and_rolled_back_ones_never(url):
    store = _store(url)
    photos.add(store, ADMIN, "A-1", "2026-02", [("二月.jpg", jpeg_with_gps((200, 30, 30)))])
    march = [
        ("三月a.jpg", jpeg_with_gps((30, 200, 30))),
        ("三月b.jpg", jpeg_with_gps((30, 30, 200))),
    ]
    photos.add(store, ADMIN, "A-1", "2026-03", march)
    view = View.of_project("A-1")

    out = deck.slides(_portfolio(store), view, MARCH, Convention.MONTHS, store)
    assert [c.title for c in out] == ["项目档案 · 甲项目", "项目档案 · 甲项目:现场照片"]
    assert out[1].subtitle == "项目代码A-1 · 2026年3月形象进度照片"
    assert [caption for _, caption in out[1].photos] == [
        "2026年3月现场照片 第1/2张",
        "2026年3月现场照片 第2/2张",
    ]
    # Without a store (a data folder) there is no photo slide.
    assert len(deck.slides(_portfolio(store), view, MARCH, Convention.MONTHS)) == 1

    data = deck.pptx_bytes(
        _portfolio(store), Agenda("会", (view,)), MARCH, Convention.MONTHS, store
    )
    shown = _pictures(data)
    assert len(shown) == 2  # March's two, side by side; February's is not the latest month
    assert _near(shown[0][1], (30, 200, 30)) and _near(shown[1][1], (30, 30, 200))
    for shape, _ in shown:  # 800×600 kept 4:3, within the slide
        assert abs(shape.width / shape.height - 4 / 3) < 0.01
        assert shape.left >= 0 and shape.left + shape.width <= deck.SLIDE_WIDTH
        assert shape.top + shape.height <= deck.SLIDE_HEIGHT - Emu(12700 * 30)

    store.rollback(2, "三月照片传错了", actor=ADMIN)  # March's upload hidden
    out = deck.slides(_portfolio(store), view, MARCH, Convention.MONTHS, store)
    assert [caption for _, caption in out[1].photos] == ["2026年2月现场照片 第1/1张"]
    data = deck.pptx_bytes(
        _portfolio(store), Agenda("会", (view,)), MARCH, Convention.MONTHS, store
    )
    shown = _pictures(data)
    assert len(shown) == 1 and _near(shown[0][1], (200, 30, 30))

    store.rollback(1, actor=ADMIN)  # before any photo: no photo slide
    assert len(deck.slides(_portfolio(store), view, MARCH, Convention.MONTHS, store)) == 1
