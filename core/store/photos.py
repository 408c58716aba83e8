"""Site photos of a project's monthly return (形象进度照片), kept in the store (project_photos).

A photo is checked by its content, never by its name: Pillow must read it as JPEG or PNG (HEIC
too where pillow-heif is installed), its dimensions are read from its header and refused beyond
MAX_PIXELS before anything is decoded (an image bomb: huge dimensions in a small file), and it
is re-encoded as a JPEG of at most SCREEN_SIDE pixels on its long side — which drops its EXIF
(the camera, the phone's GPS position) and anything else the file carried. Upright as the phone
held it: the EXIF orientation is applied before it goes.

Who may upload: an admin for any project, a county reporter for its own counties' projects
(core.policy.roles: the right to import, and counties_of) — the county is the stored project's,
never the page's word. The photos are read by the project page only; the Portfolio every page
loads holds none.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from PIL import Image, ImageOps, UnidentifiedImageError

from core.base import schema as S
from core.policy import roles
from core.policy.roles import Actor
from core.store import audit
from core.store.tables import _DATA, PHOTOS
from core.store.versions import Store

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
        f"并缩放到长边不超过{SCREEN_SIDE}像素后保存。"
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
    out = io.BytesIO()
    img.save(out, "JPEG", quality=QUALITY, optimize=True)  # no exif= given: none is written
    return Prepared(out.getvalue(), img.width, img.height)


def _county(conn: sa.Connection, code: str) -> str | None:
    projects = _DATA[S.PROJECTS]
    column = projects.c[S.STORE_COLUMNS[S.COUNTY]]
    where = (projects.c[S.STORE_COLUMNS[S.CODE]] == code) & projects.c.valid_to.is_(None)
    return conn.execute(sa.select(column).where(where)).scalar()


def add(store: Store, actor: Actor, code: str, month: str, files: list[tuple[str, bytes]]) -> int:
    """Check and keep the photos of project `code` for `month`, all or none; returns how many.
    Refused (roles.Refused) for an actor who may not import this project's county."""
    own = roles.counties_of(actor)  # raises Refused without the right to import
    prepared = [prepare(data, name) for name, data in files]
    if not prepared:
        raise PhotoRefused("没有选择照片。")
    with store.engine.begin() as conn:
        county = _county(conn, code)
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
            .where((PHOTOS.c.code == code) & (PHOTOS.c.month == month))
        ).scalar_one()
        if count + len(prepared) > MAX_PER_MONTH:
            raise PhotoRefused(
                f"该项目{month}已有{count}张照片,再上传{len(prepared)}张将超过每月{MAX_PER_MONTH}张的限制。"
            )
        now = dt.datetime.now().replace(microsecond=0)
        for p in prepared:
            conn.execute(
                sa.insert(PHOTOS).values(
                    code=code, month=month, image=p.image, width=p.width, height=p.height,
                    uploaded_at=now, user_name=actor.user, user_role=actor.role.value,
                )
            )  # fmt: skip
        audit.record(
            conn, actor, audit.IMPORT, f"现场照片:{code}", f"{month}上传照片{len(prepared)}张"
        )
    return len(prepared)


LISTED = ["id", "month", "width", "height", "uploaded_at", "user_name", "user_role"]


def listed(store: Store, code: str) -> pd.DataFrame:
    """The project's photos without their pictures (id, month, size, who and when), by month
    and upload order."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(*(PHOTOS.c[c] for c in LISTED))
            .where(PHOTOS.c.code == code)
            .order_by(PHOTOS.c.month, PHOTOS.c.id)
        ).all()
    return pd.DataFrame(rows, columns=LISTED)


def images(store: Store, ids: list[int]) -> dict[int, bytes]:
    """The pictures of these photos, by id."""
    if not ids:
        return {}
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(PHOTOS.c.id, PHOTOS.c.image).where(PHOTOS.c.id.in_([int(i) for i in ids]))
        ).all()
    return {r.id: bytes(r.image) for r in rows}
