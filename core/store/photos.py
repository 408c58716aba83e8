"""Site photos of a project's monthly return (形象进度照片), kept in the store (project_photos).

A photo is checked by its content, never by its name: Pillow must read it as JPEG or PNG (HEIC
too where pillow-heif is installed), its dimensions are read from its header and refused beyond
MAX_PIXELS before anything is decoded (an image bomb: huge dimensions in a small file), and it
is re-encoded as a JPEG of at most SCREEN_SIDE pixels on its long side — which drops its EXIF
(the camera, the phone's GPS position) and anything else the file carried. Upright as the phone
held it: the EXIF orientation is applied before it goes.

The file as uploaded is kept too (`original`, with its name), untouched — with whatever the
phone wrote in it, its position included: so only those who may import every county's data (an
admin) may download it (`original`); it is part of the store and so of its backups.

Who may upload: an admin for any project, a county reporter for its own counties' projects
(core.policy.roles: the right to import, and counties_of) — the county is the stored project's,
never the page's word. The photos are read by the project page only; the Portfolio every page
loads holds none.

In the history. An upload is a history entry of its own (KIND, 现场照片) like an import: it
takes the store's write lock, is numbered with the imports, recorded with who made it and in the
trail, and changes no data row (its data are the current entry's: `data_batch` and the row
counts are copied, so the data's snapshot is reused). A photo belongs to its entry (`batch_id`),
and is shown while that entry is in effect: the current entry's photos are those of the uploads
in its line of descent — an import or an upload follows the entry before it, a roll-back to
entry K has K's (`in_effect`). So a roll-back to an entry before an upload hides its photos
(kept in the store, not shown, not counted against the month's limit) and a roll-back to the
upload, or to any entry after it that had them, shows them again. Photos uploaded before
revision 0010 have no entry and are always shown.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import warnings
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from PIL import Image, ImageOps, UnidentifiedImageError

from core.base import schema as S
from core.policy import roles
from core.policy.roles import Actor
from core.store import audit
from core.store.tables import _BATCHES, _DATA, PHOTOS
from core.store.versions import ROLLBACK, Batch, Store, _current_row, _insert_entry, _translated

MAX_BYTES = 15 * 2**20  # a phone's photo is 2–8 MB
MAX_PIXELS = 50_000_000  # 50 megapixels: beyond any phone; above it a file is refused unread
MAX_PER_MONTH = 12  # photos per project and month
SCREEN_SIDE = 1920  # the long side of the stored picture, in pixels
QUALITY = 85
FORMATS = {"JPEG", "PNG"}

try:  # HEIC as iPhones send it, only where the optional reader is installed
    import pillow_heif  # type: ignore[import-not-found]

    pillow_heif.register_heif_opener()
    FORMATS = FORMATS | {"HEIF"}
except ImportError:  # pragma: no cover - depends on the machine
    pass


class PhotoRefused(ValueError):
    """A photo not taken, with the reason in Chinese (`message`)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def limits_sentence() -> str:
    """The limits, stated before an upload."""
    kinds = "JPEG、PNG" + ("、HEIC" if "HEIF" in FORMATS else "")
    return (
        f"支持{kinds}格式的照片,每张不超过{MAX_BYTES // 2**20}MB、{MAX_PIXELS // 1_000_000}百万像素,"
        f"每个项目每月最多{MAX_PER_MONTH}张。照片中的拍摄位置、设备等信息会被删除,"
        f"并缩放到长边不超过{SCREEN_SIDE}像素后显示;上传的原始文件另行保存,仅管理员可下载。"
    )


@dataclass(frozen=True)
class Prepared:
    image: bytes  # JPEG without metadata
    width: int
    height: int


def prepare(data: bytes, name: str = "") -> Prepared:
    """The photo checked by its content and re-encoded (see the module docstring)."""
    label = f"“{name}”" if name else "照片"
    if len(data) > MAX_BYTES:
        raise PhotoRefused(
            f"{label}大小为{len(data) / 2**20:.1f}MB,超过{MAX_BYTES // 2**20}MB的限制。"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            kind = img.format
            width, height = img.size
            if kind not in FORMATS:
                raise PhotoRefused(f"{label}不是JPEG或PNG格式的图片(按文件内容识别)。")
            if width * height > MAX_PIXELS:
                raise PhotoRefused(
                    f"{label}的尺寸为{width}×{height}像素,超过{MAX_PIXELS // 1_000_000}百万像素的限制。"
                )
            img.load()
    except PhotoRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused(
            f"{label}的像素数超过{MAX_PIXELS // 1_000_000}百万像素的限制,未读取。"
        ) from None
    except UnidentifiedImageError:
        raise PhotoRefused(f"{label}无法识别为图片。") from None
    except (OSError, ValueError, SyntaxError):
        raise PhotoRefused(f"{label}已损坏或不完整,无法读取。") from None
    img = ImageOps.exif_transpose(img)
    img = img.convert("RGB")
    img.thumbnail((SCREEN_SIDE, SCREEN_SIDE), Image.Resampling.LANCZOS)
    img.info.clear()  # a JPEG comment (COM), XMP or ICC text would be copied into the copy
    out = io.BytesIO()
    img.save(out, "JPEG", quality=QUALITY, optimize=True)  # no exif= given: none is written
    return Prepared(out.getvalue(), img.width, img.height)


def _county(conn: sa.Connection, code: str) -> str | None:
    projects = _DATA[S.PROJECTS]
    column = projects.c[S.STORE_COLUMNS[S.COUNTY]]
    where = (projects.c[S.STORE_COLUMNS[S.CODE]] == code) & projects.c.valid_to.is_(None)
    return conn.execute(sa.select(column).where(where)).scalar()


KIND = "现场照片"  # the history entry of an upload


def in_effect(conn: sa.Connection, entry: int | None = None) -> set[int]:
    """The upload entries whose photos are shown at history entry `entry` (None: the current
    one): walking back from it, an upload counts and leads to the entry before it, a roll-back
    leads to the entry it restored, any other entry to the one before it."""
    rows = conn.execute(sa.select(_BATCHES.c.id, _BATCHES.c.kind, _BATCHES.c.restored_from)).all()
    by_id = {r.id: r for r in rows}
    n = max(by_id, default=0) if entry is None else entry
    shown: set[int] = set()
    while n in by_id:
        row = by_id[n]
        if row.kind == ROLLBACK and row.restored_from is not None:
            n = row.restored_from
            continue
        if row.kind == KIND:
            shown.add(n)
        n -= 1
    return shown


def in_effect_by_entry(conn: sa.Connection, uploads: set[int]) -> dict[int, frozenset[int]]:
    """For every history entry, which of the upload entries `uploads` were in effect once it
    was made (`in_effect`, for all entries at once: the history of one project's photos)."""
    rows = conn.execute(
        sa.select(_BATCHES.c.id, _BATCHES.c.kind, _BATCHES.c.restored_from).order_by(_BATCHES.c.id)
    ).all()
    out: dict[int, frozenset[int]] = {}
    before: frozenset[int] = frozenset()
    for row in rows:
        if row.kind == ROLLBACK and row.restored_from is not None:
            now = out.get(row.restored_from, frozenset())
        else:
            now = before | ({row.id} if row.kind == KIND and row.id in uploads else set())
        out[row.id] = before = now
    return out


def _shown(conn: sa.Connection):
    """The clause of the photos shown now (see the module docstring)."""
    return PHOTOS.c.batch_id.is_(None) | PHOTOS.c.batch_id.in_(sorted(in_effect(conn)))


@_translated
def add(store: Store, actor: Actor, code: str, month: str, files: list[tuple[str, bytes]]) -> int:
    """Check and keep the photos of project `code` for `month`, all or none, as a history entry
    of their own (KIND); returns how many. Refused (roles.Refused) for an actor who may not
    import this project's county."""
    own = roles.counties_of(actor)  # raises Refused without the right to import
    prepared = [prepare(data, name) for name, data in files]
    if not prepared:
        raise PhotoRefused("没有选择照片。")
    with store._write() as conn:  # the store's write lock: entries are numbered one by one
        current = _current_row(conn)
        county = None if current is None else _county(conn, code)
        if county is None:
            raise PhotoRefused(f"数据库中没有项目代码为“{code}”的项目,请先导入该项目的数据。")
        if own is not None and county not in own:
            raise roles.Refused(
                f"{actor.label()}只能为{'、'.join(own) or '本账户的区县'}的项目上传照片,"
                f"该项目属于{county}。"
            )
        count = conn.execute(
            sa.select(sa.func.count())
            .select_from(PHOTOS)
            .where((PHOTOS.c.code == code) & (PHOTOS.c.month == month) & _shown(conn))
        ).scalar_one()
        if count + len(prepared) > MAX_PER_MONTH:
            raise PhotoRefused(
                f"该项目{month}已有{count}张照片,再上传{len(prepared)}张将超过每月{MAX_PER_MONTH}张的限制。"
            )
        now = dt.datetime.now().replace(microsecond=0)
        entry = Batch(
            id=current.id + 1,
            created_at=now,
            kind=KIND,
            files=tuple(name for name, _ in files),
            note=f"{code} {month}现场照片{len(prepared)}张",
            row_counts=json.loads(current.row_counts),
            data_batch=current.data_batch,  # the data are unchanged: their snapshot serves
            restored_from=None,
            changes={},
            user=actor.user,
            role=actor.role.value,
        )
        _insert_entry(conn, entry, current.boundaries_batch)
        for p, (name, data) in zip(prepared, files, strict=True):
            conn.execute(
                sa.insert(PHOTOS).values(
                    code=code, month=month, image=p.image, width=p.width, height=p.height,
                    uploaded_at=now, user_name=actor.user, user_role=actor.role.value,
                    batch_id=entry.id, original=data, original_name=name,
                )
            )  # fmt: skip
        audit.record(
            conn, actor, audit.IMPORT, f"第{entry.id}批",
            f"现场照片:{code} {month}上传照片{len(prepared)}张",
        )  # fmt: skip
    return len(prepared)


LISTED = ["id", "month", "width", "height", "uploaded_at", "user_name", "user_role",
          "batch_id", "original_name"]  # fmt: skip


@_translated
def listed(store: Store, code: str, *, hidden: bool = False) -> pd.DataFrame:
    """The project's photos shown now without their pictures (id, month, size, who and when,
    the upload's entry, the name of the file uploaded), by month and upload order; with
    `hidden`, those a roll-back hides instead."""
    with store.engine.connect() as conn:
        shown = _shown(conn)
        rows = conn.execute(
            sa.select(*(PHOTOS.c[c] for c in LISTED))
            .where((PHOTOS.c.code == code) & (~shown if hidden else shown))
            .order_by(PHOTOS.c.month, PHOTOS.c.id)
        ).all()
    return pd.DataFrame(rows, columns=LISTED)


@_translated
def images(store: Store, ids: list[int]) -> dict[int, bytes]:
    """The pictures of these photos, by id."""
    if not ids:
        return {}
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(PHOTOS.c.id, PHOTOS.c.image).where(PHOTOS.c.id.in_([int(i) for i in ids]))
        ).all()
    return {r.id: bytes(r.image) for r in rows}


@_translated
def original(store: Store, actor: Actor, photo_id: int) -> tuple[str, bytes] | None:
    """The file of a photo as it was uploaded (its name and bytes; None for a photo uploaded
    before the originals were kept, or none with this id), for those who may import every
    county's data: it still holds what the phone wrote, its position included."""
    if not roles.may(actor, roles.IMPORT_ANY):
        raise roles.Refused("原始照片文件含拍摄位置等信息,只有管理员可以下载。")
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(PHOTOS.c.original_name, PHOTOS.c.original).where(PHOTOS.c.id == int(photo_id))
        ).first()
    if row is None or row.original is None:
        return None
    return row.original_name, bytes(row.original)


@dataclass(frozen=True)
class MonthPhotos:
    """The photos of a project's latest month with photos, as shown (for 汇报模式 and the deck)."""

    month: str  # "2026-02"
    pictures: tuple[bytes, ...]  # JPEGs, in upload order
    sizes: tuple[tuple[int, int], ...]  # (width, height) of each


@_translated
def latest(store: Store, code: str, up_to: str) -> MonthPhotos | None:
    """The shown photos (never those a roll-back hides) of the latest month up to `up_to` that
    has any; None when there is none."""
    listing = listed(store, code)
    listing = listing.loc[listing["month"] <= up_to]
    if listing.empty:
        return None
    month = str(listing["month"].max())
    rows = listing.loc[listing["month"] == month]
    pictures = images(store, list(rows["id"]))
    return MonthPhotos(
        month,
        tuple(pictures[int(i)] for i in rows["id"]),
        tuple((int(w), int(h)) for w, h in zip(rows["width"], rows["height"], strict=True)),
    )
