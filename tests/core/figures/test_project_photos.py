"""Site photos of a project's return (core.store.photos): checked by content, GPS and camera
EXIF removed, re-encoded, limits stated and kept, a reporter bound to its own counties, and the
photos in a backup and after its restore."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from PIL import Image

from core.base import schema as S
from core.policy import roles
from core.policy.roles import Role
from core.store import photos, recovery
from core.store.versions import Store
from tests.access_kit import ADMIN, account


def jpeg_with_gps(size=(3000, 2000)) -> bytes:
    img = Image.new("RGB", size, (120, 160, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif[0x8825] = {1: "N", 2: (31.0, 52.0, 10.0), 3: "E", 4: (118.0, 41.0, 5.0)}  # GPS
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, comment=b"GPS 31.87N 118.68E")  # a comment (COM) too
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


def test_gps_and_camera_exif_are_removed_and_the_photo_sized_for_the_screen():
    data = jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the phone's position
    p = photos.prepare(data, "现场.jpg")
    img = Image.open(io.BytesIO(p.image))
    assert img.format == "JPEG"
    assert not img.getexif() and "exif" not in img.info
    assert "comment" not in img.info and b"GPS 31.87N" not in p.image  # no text carried over
    assert (p.width, p.height) == (1920, 1280) == img.size


def test_a_photo_is_checked_by_its_content_not_its_name():
    assert photos.prepare(png(), "其实是PNG.jpg").width == 400  # a PNG named .jpg: a PNG
    with pytest.raises(photos.PhotoRefused, match="无法识别为图片"):
        photos.prepare("不是图片".encode() * 100, "假照片.jpg")
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(photos.PhotoRefused, match="不是JPEG或PNG"):
        photos.prepare(gif.getvalue(), "动图.png")
    with pytest.raises(photos.PhotoRefused, match="已损坏"):
        photos.prepare(jpeg_with_gps()[:2000], "半张.jpg")


def test_limits_over_size_and_an_image_bomb():
    with pytest.raises(photos.PhotoRefused, match="超过15MB"):
        photos.prepare(b"\xff\xd8" + b"0" * photos.MAX_BYTES, "大.jpg")
    bomb = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(bomb, "PNG")  # 400 million pixels in a small file
    assert len(bomb.getvalue()) < 2**20
    with pytest.raises(photos.PhotoRefused, match="超过50百万像素的限制"):
        photos.prepare(bomb.getvalue(), "炸弹.png")
    smaller = io.BytesIO()  # under Pillow's own bomb limit, over ours: refused before decoding
    Image.new("1", (10_000, 8_000)).save(smaller, "PNG")
    with pytest.raises(photos.PhotoRefused, match="10000×8000像素"):
        photos.prepare(smaller.getvalue(), "大图.png")
    assert "每个项目每月最多12张" in photos.limits_sentence()


@pytest.mark.skipif("HEIF" in photos.FORMATS, reason="pillow-heif installed: HEIC is read")
def test_heic_is_refused_in_chinese_without_its_reader():
    fake_heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    with pytest.raises(photos.PhotoRefused):
        photos.prepare(fake_heic, "IMG_0001.HEIC")
    assert "HEIC" not in photos.limits_sentence()


def _store_with_projects(url: str) -> Store:
    store = Store(url)
    projects = pd.DataFrame(
        {S.CODE: ["A-1", "B-2"], S.NAME: ["甲项目", "乙项目"], S.COUNTY: ["甲区", "乙区"],
         S.SECTOR: "产业项目", S.LEVEL: "省重点", S.STAGE: "在建", S.TOTAL_INVESTMENT: "100"}
    )  # fmt: skip
    monthly = pd.DataFrame({S.CODE: ["A-1"], S.MONTH: ["2026-02"], S.MONTH_COMPLETED: ["1"]})
    plans = pd.DataFrame({S.CODE: ["A-1"], S.YEAR: ["2026"], S.ANNUAL_PLAN: ["10"]})
    store.import_batch(
        {S.PROJECTS: projects, S.MONTHLY: monthly, S.PLANS: plans}, files=["x"], actor=ADMIN
    )
    return store


def test_who_may_upload_and_how_many(url):
    store = _store_with_projects(url)
    reporter = account(store, "甲区填报员", Role.REPORTER, counties=("甲区",))
    viewer = account(store, "查看者", Role.VIEWER)
    assert photos.add(store, reporter, "A-1", "2026-02", [("a.jpg", jpeg_with_gps())]) == 1
    with pytest.raises(roles.Refused, match="该项目属于乙区"):
        photos.add(store, reporter, "B-2", "2026-02", [("b.jpg", png())])
    with pytest.raises(roles.Refused):
        photos.add(store, viewer, "A-1", "2026-02", [("c.jpg", png())])
    assert photos.add(store, ADMIN, "B-2", "2026-02", [("b.jpg", png())]) == 1
    with pytest.raises(photos.PhotoRefused, match="没有项目代码"):
        photos.add(store, ADMIN, "没有", "2026-02", [("b.jpg", png())])
    # All or none: eleven more would make thirteen.
    with pytest.raises(photos.PhotoRefused, match="超过每月12张"):
        photos.add(store, ADMIN, "A-1", "2026-02", [("p.png", png())] * 12)
    with pytest.raises(photos.PhotoRefused, match="无法识别"):
        photos.add(store, ADMIN, "A-1", "2026-02", [("p.png", png()), ("x.jpg", b"xx" * 50)])
    listed = photos.listed(store, "A-1")
    assert list(listed["month"]) == ["2026-02"]
    assert list(listed["user_name"]) == ["甲区填报员"]
    pictures = photos.images(store, list(listed["id"]))
    assert Image.open(io.BytesIO(next(iter(pictures.values())))).format == "JPEG"
    store.close()


def test_photos_are_in_the_backup_and_after_restore(tmp_path):
    url = f"sqlite:///{tmp_path}/s.sqlite"
    store = _store_with_projects(url)
    photos.add(store, ADMIN, "A-1", "2026-02", [("a.jpg", jpeg_with_gps((800, 600)))])
    kept = photos.images(store, list(photos.listed(store, "A-1")["id"]))
    store.close()
    backup = recovery.backup(url, tmp_path / "backups", actor=ADMIN)
    store = Store(url)
    photos.add(store, ADMIN, "A-1", "2026-02", [("b.png", png())])
    assert len(photos.listed(store, "A-1")) == 2
    store.close()
    recovery.restore(backup, url, actor=ADMIN)
    store = Store(url)
    again = photos.listed(store, "A-1")
    assert len(again) == 1
    assert photos.images(store, list(again["id"])) == kept
    store.close()


@pytest.mark.skipif("HEIF" not in photos.FORMATS, reason="pillow-heif is not installed")
def test_a_heic_photo_from_a_phone_is_read_and_stripped():
    import pillow_heif

    img = Image.new("RGB", (800, 600), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (31.0, 52.0, 10.0), 3: "E", 4: (118.0, 41.0, 5.0)}
    heif = pillow_heif.from_pillow(img)
    out = io.BytesIO()
    heif.save(out, quality=80, exif=exif.tobytes())
    prepared = photos.prepare(out.getvalue(), "IMG_0001.HEIC")
    shown = Image.open(io.BytesIO(prepared.image))
    assert shown.format == "JPEG" and shown.size == (800, 600)
    assert not shown.getexif().get_ifd(0x8825) and 0x010F not in shown.getexif()
