"""The office's notices as Word documents, in the 公文 form of the briefing (core.output.document):
the 红黑榜 通报 (the ranking under the city's rule, the 红榜 and 黑榜, the exemptions) and the
督办单 of one responsible unit (督办〔2026〕N号, numbered per year in the office's database; its open
problems with their deadlines, the date by which the unit reports back, and the lines the unit
signs on receipt). Both are signed with the office's name from the settings file.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from docx.shared import Pt

from core.base import schema as S
from core.base import settings
from core.base.formatting import (
    MISSING,
    WAN_PER_YI,
    amount_decimals,
    fixed,
    pct,
    signed_points,
)
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
    date_text,
    document_bytes,
    new_document,
    paragraph,
    rule_line,
    signature,
)
from core.store import numbers
from core.store.portfolio import Portfolio
from core.store.versions import Store

# Column widths (cm) of the two tables; each adds up to the 15.6 cm type area.
RANKING_WIDTHS_CM = (1.1, 2.2, 1.3, 2.0, 2.0, 1.5, 2.0, 1.3, 1.2, 1.0)
FEEDBACK_DAYS = 15  # a 督办单's 反馈时限: this many days after it is issued
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
        else frame[M.GAP].map(signed_points).str.removesuffix("个百分点")
    )
    digits = max(2, amount_decimals())
    return pd.DataFrame(
        {
            "名次": frame[R.PLACE],
            rule.unit_word: frame[R.UNIT],
            "项目数": frame[M.COUNT].fillna(0).astype(int),
            "年度计划(亿元)": (frame[M.PLAN] / WAN_PER_YI).map(lambda v: fixed(v, digits)),
            "累计完成(亿元)": (frame[M.DONE] / WAN_PER_YI).map(lambda v: fixed(v, digits)),
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


def sheet_number(store: Store | None, unit: str, scope: Scope, day: dt.date) -> str:
    """督办〔2026〕3号: the year's next number from the office's database (the same unit and period
    keep theirs); 督办〔2026〕　号, to be filled in by hand, without a database that can be written."""
    subject = f"{unit}|{scope.period.key}"
    taken = None
    if store is not None:
        taken = numbers.try_take(store.engine, numbers.SUPERVISION, day.year, subject)
    return f"督办〔{day.year}〕{taken or '　'}号"


def supervision_sheet(
    p: Portfolio,
    scope: Scope,
    unit: str,
    today: dt.date | None = None,
    store: Store | None = None,
    feedback_days: int = FEEDBACK_DAYS,
) -> bytes:
    """The 督办单 of one responsible unit: its number, its open problems as of the period, the
    most overdue first, with their deadlines and the latest feedback, the 反馈时限, signed by the
    office, and the 签收 lines for the unit."""
    day = today or dt.date.today()
    frame = V.problems_as_of(p, scope, today)
    mine = V.open_for_unit(frame, unit)
    overdue = int((mine[V.OVERDUE_DAYS] > 0).sum())
    office = settings.current().office
    doc = new_document()
    paragraph(doc, "重大项目问题督办单", TITLE_FONT, Pt(22), bold=True, center=True)
    number = paragraph(doc, sheet_number(store, unit, scope, day), BODY_FONT, BODY_SIZE,
                       center=True)  # fmt: skip
    number.paragraph_format.space_after = Pt(12)
    rule_line(number)
    paragraph(doc, f"{unit}:", BODY_FONT, BODY_SIZE, indent=False)
    deadline = day + dt.timedelta(days=feedback_days)
    if mine.empty:
        text = f"{scope.period.as_of},你单位负责协调解决的重大项目问题均已办结。"
    else:
        text = f"{scope.period.as_of},你单位负责协调解决的重大项目问题中,尚有{len(mine)}个未办结"
        text += f",其中{overdue}个已超过办结时限" if overdue else ""
        text += f"。请对照下表抓紧办理,并于{date_text(deadline)}前将办理情况书面反馈{office}。"
    paragraph(doc, text, BODY_FONT, BODY_SIZE)
    if len(mine):
        paragraph(doc, f"反馈时限:{date_text(deadline)}前", HEADING_FONT, BODY_SIZE)
        add_table(doc, sheet_table(mine), SHEET_WIDTHS_CM, Pt(9))
        latest = [(r[S.NAME], V.latest_note(r[S.HANDLING_NOTES])) for r in mine.to_dict("records")]
        latest = [(name, note) for name, note in latest if note]
        if latest:
            paragraph(doc, "最新办理情况", HEADING_FONT, BODY_SIZE)
            for name, note in latest:
                paragraph(doc, f"{name}:{note}", BODY_FONT, Pt(12))
    signature(doc, office, day)
    # The unit's receipt: who signed for the sheet and when, below a rule.
    receipt = paragraph(doc, "", BODY_FONT, BODY_SIZE, indent=False)
    receipt.paragraph_format.space_before = Pt(14)
    rule_line(receipt, "000000", 8)
    paragraph(doc, "签收单位:" + unit, BODY_FONT, BODY_SIZE, indent=False)
    for line in ("签收人:", "签收日期:　　　　年　　月　　日", "联系电话:"):
        paragraph(doc, line, BODY_FONT, BODY_SIZE, indent=False)
    return document_bytes(doc)
