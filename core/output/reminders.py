"""催报: the 催报通知 in Word, in the 公文 form of every document of the product (core.output.document:
A4, 仿宋, page numbers, the office's 落款), addressed to the counties whose returns for the month
are still missing — their missing projects, the deadline, how late — and the same list as plain
text to paste into a chat. Both are written from core.figures.collection.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from docx.shared import Pt

from core.base import schema as S
from core.base import settings
from core.figures import collection as C
from core.output.document import (
    BODY_FONT,
    BODY_SIZE,
    HEADING_FONT,
    TITLE_FONT,
    add_table,
    date_text,
    document_bytes,
    new_document,
    paragraph,
    signature,
)

# 序号, 项目名称, 项目代码, 建设单位, 最近报送月份: 15.6 cm, the type area.
WIDTHS_CM = (1.0, 5.4, 4.2, 3.4, 1.6)
_ORDINALS = "一二三四五六七八九十"


def _ordinal(i: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (up to 99)."""
    if i <= 10:
        return _ORDINALS[i - 1]
    tens, ones = divmod(i, 10)
    return ("" if tens == 1 else _ORDINALS[tens - 1]) + "十" + (_ORDINALS[ones - 1] if ones else "")


def title(c: C.Collection) -> str:
    return f"关于催报{c.period.label}重大项目月度进度的通知"


def _state(c: C.Collection) -> str:
    """Where the month stands against the deadline, in words."""
    if c.overdue:
        days = (c.today - c.deadline).days
        return f"报送截止日期为{date_text(c.deadline)},已逾期{days}天"
    return f"报送截止日期为{date_text(c.deadline)}"


def _county_line(row: pd.Series) -> str:
    due, missing = int(row[C.DUE]), int(row[C.MISSING])
    if missing == due:
        return f"应报{due}个项目,均未报送"
    return f"应报{due}个项目,已报{due - missing}个,未报{missing}个"


def project_table(missing: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "序号": range(1, len(missing) + 1),
        "项目名称": missing[S.NAME].tolist(),
        "项目代码": missing[S.CODE].tolist(),
        "建设单位": [o or C.NOT_KNOWN for o in missing[S.OWNER]],
        "最近报送": missing[C.LAST_RETURN].tolist(),
    })  # fmt: skip


def notice_docx(c: C.Collection, signed: dt.date | None = None) -> bytes:
    """The 催报通知: to the counties with returns missing, each with its missing projects, the
    deadline and how late, signed by the office ([office] name)."""
    office = settings.current().office
    chase = c.to_chase
    doc = new_document()
    paragraph(doc, title(c), TITLE_FONT, Pt(22), bold=True, center=True)
    counties = chase[S.COUNTY].tolist()
    paragraph(doc, ("、".join(counties) if counties else "各区县") + ":", BODY_FONT, BODY_SIZE,
              indent=False)  # fmt: skip
    paragraph(
        doc,
        f"按照重大项目月度调度要求,各区县应于每月{C.deadline_day()}日前报送上月重大项目月度进度。"
        f"截至{date_text(c.today)},{c.period.label}月度进度{_state(c)},"
        + (f"以上{len(counties)}个区县尚未报齐。现将未报送项目通知如下。" if counties
           else "各区县均已报齐,无需催报。"),
        BODY_FONT,
        BODY_SIZE,
    )  # fmt: skip
    if counties:
        paragraph(doc, "一、未报送项目", HEADING_FONT, BODY_SIZE)
        for i, row in enumerate(chase.to_dict("records"), start=1):
            county = row[S.COUNTY]
            paragraph(doc, f"({_ordinal(i)}){county}:{_county_line(pd.Series(row))}。",
                      BODY_FONT, BODY_SIZE)  # fmt: skip
            add_table(doc, project_table(c.missing_of(county)), WIDTHS_CM, Pt(10.5))
        paragraph(doc, "二、有关要求", HEADING_FONT, BODY_SIZE)
        paragraph(
            doc,
            "请以上区县督促项目单位抓紧填报,尽快通过重大项目运行监测系统上传填报模板或台账报送;"
            "项目已竣工、暂停或调出的,请一并书面说明情况。",
            BODY_FONT,
            BODY_SIZE,
        )
    signature(doc, office, signed or c.today)
    return document_bytes(doc)


def chat_text(c: C.Collection) -> str:
    """The same list as plain text for a chat group: one line per county, its missing projects
    named."""
    office = settings.current().office
    chase = c.to_chase
    head = f"【催报】{c.period.label}重大项目月度进度({_state(c)})"
    if chase.empty:
        return f"{head}\n截至{date_text(c.today)},各区县均已报齐。"
    lines = [head, f"截至{date_text(c.today)},以下区县尚未报齐:"]
    for i, row in enumerate(chase.to_dict("records"), start=1):
        names = "、".join(c.missing_of(row[S.COUNTY])[S.NAME])
        lines.append(f"{i}. {row[S.COUNTY]}:{_county_line(pd.Series(row))}。未报:{names}")
    lines.append(f"请抓紧督促项目单位填报,尽快报送。——{office}")
    return "\n".join(lines)
