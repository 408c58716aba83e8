"""The office's notices as Word documents, in the layout of the briefing (core.output.document):
the 红黑榜 通报 (the ranking under the city's rule, the 红榜 and 黑榜, the exemptions) and the
督办单 of one responsible unit (its open problems with their deadlines). Both are signed with the
office's name from the settings file.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from docx.shared import Pt

from core.base import schema as S
from core.base import settings
from core.base.formatting import MISSING, WAN_PER_YI, pct
from core.base.periods import Convention
from core.figures import measures as M
from core.figures import ranking as R
from core.figures import supervision as V
from core.figures.scope import Scope
from core.output.document import (
    BODY_FONT,
    BODY_SIZE,
    HEADING_FONT,
    TITLE_FONT,
    add_table,
    document_bytes,
    new_document,
    paragraph,
    signature,
)
from core.store.portfolio import Portfolio

# Column widths (cm) of the two tables; each adds up to the 15.6 cm type area.
RANKING_WIDTHS_CM = (1.1, 2.2, 1.3, 2.0, 2.0, 1.5, 2.0, 1.3, 1.2, 1.0)
SHEET_WIDTHS_CM = (
    0.9,
    2.4,
    1.5,
    1.1,
    2.3,
    2.3,
    2.3,
    1.5,
    1.3,
)  # 15.6 cm: dates, counties and types unbroken at 9 pt


def ranking_table(frame: pd.DataFrame, rule: R.Rule, moves: pd.Series) -> pd.DataFrame:
    """The ranking as the 通报 prints it: amounts in 亿元 with two decimals, rates in %."""
    start = rule.measure == R.START_RATE
    measure = (
        frame["开工率"].map(pct)
        if start
        else frame[M.GAP].map(
            lambda g: f"{g * 100:+.1f}".replace("+0.0", "0.0").replace("-0.0", "0.0")
        )
    )
    return pd.DataFrame(
        {
            "名次": frame[R.PLACE],
            rule.unit_word: frame[R.UNIT],
            "项目数": frame[M.COUNT].fillna(0).astype(int),
            "年度计划(亿元)": (frame[M.PLAN] / WAN_PER_YI).map("{:.2f}".format),
            "累计完成(亿元)": (frame[M.DONE] / WAN_PER_YI).map("{:.2f}".format),
            "完成率": frame[M.RATE].map(pct),
            "开工率" if start else "与序时进度之差(个百分点)": measure,
            "较上月": frame[R.UNIT].map(moves).fillna("—"),
            "榜单": frame[R.LIST].replace("", MISSING),
            "豁免": frame[R.EXEMPT].map(lambda r: "是" if r else MISSING),
        }
    )


def ranking_notice(
    p: Portfolio,
    scope: Scope,
    rule: R.Rule,
    convention: Convention = Convention.MONTHS,
    signed: dt.date | None = None,
) -> bytes:
    """The 红黑榜 通报 of the period: the rule stated, the ranking table, the 红榜 and 黑榜
    paragraphs and the month's exemptions, signed by the office."""
    frame = R.ranking(p, scope, rule, convention)
    moves = R.moves(p, scope, rule, convention)
    period = scope.period
    office = settings.current().office
    level = scope.level or "重大"
    doc = new_document()
    title = f"关于{period.label}{level}项目推进情况红黑榜的通报"
    paragraph(doc, title, TITLE_FONT, Pt(22), bold=True, center=True)
    paragraph(doc, f"各{rule.unit_word}、市直有关单位:", BODY_FONT, BODY_SIZE, indent=False)
    paragraph(
        doc,
        f"根据红黑榜排名规则,现将{period.as_of}各{rule.unit_word}{level}项目推进情况排名通报如下。"
        + R.Rule.sentence(rule, convention),
        BODY_FONT,
        BODY_SIZE,
    )
    if frame.empty:
        paragraph(doc, f"截至本期,没有可排名的{rule.unit_word}(均无年度计划投资项目)。",
                  BODY_FONT, BODY_SIZE)  # fmt: skip
    else:
        paragraph(doc, "一、排名情况", HEADING_FONT, BODY_SIZE)
        add_table(doc, ranking_table(frame, rule, moves), RANKING_WIDTHS_CM, Pt(9))
        paragraph(doc, "二、红榜", HEADING_FONT, BODY_SIZE)
        paragraph(doc, R.list_sentence(frame, R.RED_LIST, rule), BODY_FONT, BODY_SIZE)
        paragraph(doc, "三、黑榜", HEADING_FONT, BODY_SIZE)
        black = R.list_sentence(frame, R.BLACK_LIST, rule)
        if (frame[R.LIST] == R.BLACK_LIST).any():
            black += f"请上黑榜的{rule.unit_word}分析原因,落实整改措施。"
        paragraph(doc, black, BODY_FONT, BODY_SIZE)
        excused = R.exemption_sentence(frame)
        if excused:
            paragraph(doc, excused, BODY_FONT, BODY_SIZE)
    signature(doc, office, signed or dt.date.today())
    return document_bytes(doc)


def sheet_table(problems: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "序号": range(1, len(problems) + 1),
            "项目名称": problems[S.NAME],
            "区县": problems[S.COUNTY],
            "类型": problems[S.PROBLEM_TYPE],
            "问题描述": problems[S.PROBLEM_TEXT].replace("", MISSING),
            "交办日期": problems[S.ASSIGNED_ON].replace("", "未交办"),
            "办结时限": problems[S.DEADLINE].replace("", "未定"),
            "超期": problems[V.OVERDUE_DAYS].map(lambda d: f"{d}天" if d > 0 else MISSING),
            "等待月数": problems[V.WAITED],
        }
    )


def supervision_sheet(p: Portfolio, scope: Scope, unit: str, today: dt.date | None = None) -> bytes:
    """The 督办单 of one responsible unit: its open problems as of the period, the most overdue
    first, with their deadlines and the latest feedback, signed by the office."""
    frame = V.problems_as_of(p, scope, today)
    mine = V.open_for_unit(frame, unit)
    overdue = int((mine[V.OVERDUE_DAYS] > 0).sum())
    doc = new_document()
    paragraph(doc, "重大项目问题督办单", TITLE_FONT, Pt(22), bold=True, center=True)
    paragraph(doc, f"{unit}:", BODY_FONT, BODY_SIZE, indent=False)
    if mine.empty:
        text = f"{scope.period.as_of},你单位负责协调解决的重大项目问题均已办结。"
    else:
        text = f"{scope.period.as_of},你单位负责协调解决的重大项目问题中,尚有{len(mine)}个未办结"
        text += f",其中{overdue}个已超过办结时限" if overdue else ""
        text += "。请对照下表抓紧办理,办理情况及时反馈。"
    paragraph(doc, text, BODY_FONT, BODY_SIZE)
    if len(mine):
        add_table(doc, sheet_table(mine), SHEET_WIDTHS_CM, Pt(9))
        latest = [(r[S.NAME], V.latest_note(r[S.HANDLING_NOTES])) for r in mine.to_dict("records")]
        latest = [(name, note) for name, note in latest if note]
        if latest:
            paragraph(doc, "最新办理情况", HEADING_FONT, BODY_SIZE)
            for name, note in latest:
                paragraph(doc, f"{name}:{note}", BODY_FONT, Pt(12))
    signature(doc, settings.current().office, today or dt.date.today())
    return document_bytes(doc)
