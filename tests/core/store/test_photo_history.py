"""Site photos in the history (core.store.photos, core.store.project_history): an upload is an
entry of its own like an import, a roll-back to before it hides its photos, one to it (or after
it) shows them again; the project's history says so; the file as uploaded is kept, for an admin,
and survives a backup and its restore."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from PIL import Image

from core.base import schema as S
from core.figures import project as P
from core.policy import roles
from core.policy.roles import Role
from core.store import audit, photos, recovery
from core.store.project_history import project_changes
from core.store.versions import IMPORT, ROLLBACK, Store
from tests.access_kit import ADMIN, account


def jpeg_with_gps(colour=(120, 160, 200)) -> bytes:
    img = Image.new("RGB", (800, 600), colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (31.0, 52.0, 10.0), 3: "E", 4: (118.0, 41.0, 5.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _store(url: str) -> Store:
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


def _months(store: Store, code: str = "A-1", **kwargs) -> list[str]:
    return list(photos.listed(store, code, **kwargs)["month"])


def test_an_upload_is_an_entry_and_a_roll_back_hides_it(url):
    store = _store(url)
    first = store.current()
    reporter = account(store, "甲区填报员", Role.REPORTER, counties=("甲区",))
    assert photos.add(store, reporter, "A-1", "2026-02", [("二月.jpg", jpeg_with_gps())]) == 1
    two = [("三月a.jpg", jpeg_with_gps((1, 2, 3))), ("三月b.jpg", jpeg_with_gps((4, 5, 6)))]
    assert photos.add(store, ADMIN, "A-1", "2026-03", two) == 2
    entry = store.current()
    # An entry of its own, numbered with the imports, who made it kept; the data unchanged.
    assert (entry.id, entry.kind, entry.files) == (3, photos.KIND, ("三月a.jpg", "三月b.jpg"))
    assert entry.note == "A-1 2026-03现场照片2张" and entry.user == ADMIN.user
    assert entry.data_batch == first.id and entry.row_counts == first.row_counts
    assert store.history()[1].user == "甲区填报员"
    assert store.current_tables()[0][S.PROJECTS].shape == (2, len(S.COLUMNS[S.PROJECTS]))
    trail = [e.detail for e in audit.entries(store) if e.action == audit.IMPORT]
    assert "现场照片:A-1 2026-03上传照片2张" in trail
    assert _months(store) == ["2026-02", "2026-03", "2026-03"]

    store.rollback(2, "三月照片传错了", actor=ADMIN)  # entry 4: entry 2's data and photos
    assert _months(store) == ["2026-02"]
    assert _months(store, hidden=True) == ["2026-03", "2026-03"]  # kept, not shown
    # Hidden photos are not counted against the month's limit: twelve may come again.
    assert photos.add(store, ADMIN, "A-1", "2026-03", [("新.jpg", jpeg_with_gps())] * 12) == 12
    store.rollback(4, actor=ADMIN)  # entry 6: back to before the twelve
    assert _months(store) == ["2026-02"]

    store.rollback(3, "照片没有错", actor=ADMIN)  # entry 7: the upload applied again
    assert _months(store) == ["2026-02", "2026-03", "2026-03"]
    store.rollback(1, actor=ADMIN)  # entry 8: the first import, before any photo
    assert _months(store) == [] and len(_months(store, hidden=True)) == 15
    assert _months(store, "B-2") == []
    store.close()


def test_the_project_history_lists_the_uploads_and_what_roll_backs_hid(url):
    store = _store(url)
    photos.add(store, ADMIN, "A-1", "2026-02", [("a.jpg", jpeg_with_gps())])  # 2
    photos.add(store, ADMIN, "A-1", "2026-03", [("b.jpg", jpeg_with_gps())] * 2)  # 3
    photos.add(store, ADMIN, "B-2", "2026-03", [("c.jpg", jpeg_with_gps())])  # 4
    store.rollback(2, actor=ADMIN)  # 5: hides 3 and 4
    store.rollback(4, actor=ADMIN)  # 6: shows 3 and 4 again
    store.rollback(1, actor=ADMIN)  # 7: hides 2, 3 and 4
    table = P.history_table(project_changes(store, "A-1"))
    assert list(table["批次"]) == ["第7批", "第6批", "第5批", "第3批", "第2批", "第1批"]
    assert list(table["操作"]) == [
        "回滚(恢复第1批)", "回滚(恢复第4批)", "回滚(恢复第2批)",
        photos.KIND, photos.KIND, IMPORT,
    ]  # fmt: skip
    assert list(table["修改内容"])[:5] == [
        "隐藏现场照片3张", "新增现场照片2张", "隐藏现场照片2张",
        "新增现场照片2张", "新增现场照片1张",
    ]  # fmt: skip
    other = P.history_table(project_changes(store, "B-2"))
    assert list(other["修改内容"])[:4] == [
        "隐藏现场照片1张",
        "新增现场照片1张",
        "隐藏现场照片1张",
        "新增现场照片1张",
    ]
    assert list(other["批次"])[:4] == ["第7批", "第6批", "第5批", "第4批"]
    assert store.history()[0].kind == ROLLBACK
    store.close()


def test_an_import_checked_before_an_upload_still_commits(url):
    """An upload writes no row: the import's check against the older version still holds."""
    store = _store(url)
    seen = store.version()
    photos.add(store, ADMIN, "A-1", "2026-02", [("a.jpg", jpeg_with_gps())])
    monthly = pd.DataFrame({S.CODE: ["A-1"], S.MONTH: ["2026-03"], S.MONTH_COMPLETED: ["2"]})
    entry = store.import_batch({S.MONTHLY: monthly}, files=["三月.xlsx"], seen_version=seen,
                               actor=ADMIN)  # fmt: skip
    assert entry.id == 3 and len(store.current_tables()[0][S.MONTHLY]) == 2
    assert _months(store) == ["2026-02"]  # the import follows the upload: still shown
    store.close()


def test_the_original_is_kept_for_an_admin_and_in_the_backup(tmp_path):
    url = f"sqlite:///{tmp_path}/s.sqlite"
    store = _store(url)
    uploaded = jpeg_with_gps()
    photos.add(store, ADMIN, "A-1", "2026-02", [("IMG_0001.jpg", uploaded)])
    (pid,) = photos.listed(store, "A-1")["id"]
    shown = photos.images(store, [pid])[pid]
    assert not Image.open(io.BytesIO(shown)).getexif()  # the picture shown has no EXIF
    assert photos.original(store, ADMIN, pid) == ("IMG_0001.jpg", uploaded)  # byte for byte
    assert Image.open(io.BytesIO(uploaded)).getexif().get_ifd(0x8825)  # the position is in it
    reporter = account(store, "甲区填报员", Role.REPORTER, counties=("甲区",))
    with pytest.raises(roles.Refused, match="只有管理员可以下载"):
        photos.original(store, reporter, pid)
    assert photos.original(store, ADMIN, pid + 100) is None
    store.close()
    backup = recovery.backup(url, tmp_path / "backups", actor=ADMIN)
    store = Store(url)
    store.rollback(1, actor=ADMIN)  # hidden, then the backup brings back the entry that shows it
    assert _months(store) == []
    store.close()
    recovery.restore(backup, url, actor=ADMIN)
    store = Store(url)
    assert list(photos.listed(store, "A-1")["id"]) == [pid]
    assert photos.original(store, ADMIN, pid) == ("IMG_0001.jpg", uploaded)
    store.close()
