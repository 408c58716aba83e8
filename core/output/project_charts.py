"""The charts of one project's page (一项目一档): its year month by month, and its nodes.

Styled as every chart of core.output.charts (its _finish: titles, fonts, sizes, downloads).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.base.formatting import WAN_PER_YI, round_half_up
from core.figures import measures as M
from core.figures.project import ProjectFile, own_scope
from core.figures.scope import Scope
from core.output import charts
from core.output.charts import PRIMARY, SECONDARY, TARGET, ChartOut

AMOUNT = "金额(亿元)"
MONTHS = [f"{m}月" for m in range(1, 13)]


def scope_of(f: ProjectFile, row: pd.Series) -> Scope:
    """The scope a project's charts and files are named by: its own county, sector, level."""
    return own_scope(row, f.period)


def _subtitle(f: ProjectFile) -> list[str]:
    return [f"{f.name}(项目代码{f.code})", f.period.as_of]


def curve(f: ProjectFile, scope: Scope) -> ChartOut:
    """The year's cumulative amount month by month against the plan's 序时 line, last year's
    beside it; an amount stated for several months together (1-2月合计) is drawn as one span
    over the months it covers, labelled, and no point is invented inside it."""
    frame = f.curve
    digits = 2
    data = pd.DataFrame(
        {
            "月份": frame[M.MONTH_NO].map(lambda m: f"{m}月"),
            "系列": frame[M.SERIES],
            AMOUNT: (frame[M.VALUE] / WAN_PER_YI).map(lambda v: round_half_up(v, digits)),
        }
    )
    styles = {M.THIS_YEAR: (PRIMARY, [1, 0]), M.LAST_YEAR: (SECONDARY, [1, 0]),
              M.PLAN_LINE: (TARGET, [6, 4])}  # fmt: skip
    series = charts.present_in_order(styles, data["系列"])
    colors = alt.Scale(domain=series, range=[styles[k][0] for k in series])
    dash = alt.Scale(domain=series, range=[styles[k][1] for k in series])
    x = alt.X("月份:N", sort=MONTHS, scale=alt.Scale(domain=MONTHS), title=None,
              axis=alt.Axis(labelAngle=0))  # fmt: skip
    y = alt.Y(
        f"{AMOUNT}:Q",
        title="累计金额(亿元)",
        scale=alt.Scale(domain=[0, 1]) if not data[AMOUNT].any() else alt.Undefined,
    )
    lines = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=60), strokeWidth=3)
        .encode(
            x=x,
            y=y,
            color=alt.Color("系列:N", scale=colors, title=None),
            strokeDash=alt.StrokeDash("系列:N", scale=dash, title=None),
            tooltip=list(data.columns),
        )
    )
    layers = [lines]
    if f.sums:
        spans = pd.DataFrame(
            {
                "起": [f"{s.start}月" for s in f.sums],
                "止": [f"{s.end}月" for s in f.sums],
                AMOUNT: [round_half_up(s.cumulative / WAN_PER_YI, digits) for s in f.sums],
                "说明": [s.label for s in f.sums],
            }
        )
        layers.append(
            alt.Chart(spans)
            .mark_rule(color=PRIMARY, strokeDash=[2, 3], size=3)
            .encode(
                x=alt.X("起:N", sort=MONTHS), x2="止:N", y=f"{AMOUNT}:Q", tooltip=["说明", AMOUNT]
            )
        )
        layers.append(
            alt.Chart(spans)
            .mark_text(
                align="right",
                baseline="bottom",
                dx=-6,
                dy=-8,
                color=PRIMARY,
                fontSize=charts.LABEL_SIZE,
            )
            .encode(x=alt.X("止:N", sort=MONTHS), y=f"{AMOUNT}:Q", text="说明:N")
        )
    return charts._finish(
        "project_file_curve",
        "本年累计完成投资与年度计划",
        scope,
        alt.layer(*layers),
        data,
        subtitle=_subtitle(f),
    )


def gantt(f: ProjectFile, scope: Scope) -> ChartOut:
    """The project's nodes as the 挂图作战 page draws one project."""
    return charts.gantt_project(f.nodes, scope, f.name)
