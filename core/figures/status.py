"""The red/amber/green status of a project against 序时进度: the rule and its colours."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.base import settings

ON_TRACK = "正常"
BEHIND = "滞后"
SERIOUSLY_BEHIND = "严重滞后"
NO_PLAN = "无年度计划"
STATUSES = (ON_TRACK, BEHIND, SERIOUSLY_BEHIND, NO_PLAN)

# Colours chosen to stay apart on a washed-out projector and for red-green colour blindness
# (the green leans blue, the amber is dark enough to read on white).
COLORS = {
    ON_TRACK: "#1b7f5a",
    BEHIND: "#e08a00",
    SERIOUSLY_BEHIND: "#c62828",
    NO_PLAN: "#9e9e9e",
}
RGB = {k: tuple(int(v[i : i + 2], 16) for i in (1, 3, 5)) for k, v in COLORS.items()}


def rule() -> str:
    """The rule in one sentence, with the office's threshold (settings: [status])."""
    n = f"{-settings.current().serious_gap * 100:g}"
    return (
        f"状态规则:完成率不低于序时进度为“正常”;落后序时进度不足{n}个百分点为“滞后”;"
        f"落后{n}个百分点及以上为“严重滞后”;本年没有年度计划投资的项目为“无年度计划”。"
    )


def statuses(gaps: pd.Series) -> pd.Series:
    """Status from 完成率 − 序时进度 (fractions); a missing gap means there is no plan.

    The rule reads the gap as shown, in points to the published decimals ([format]
    percent_decimals), so a project shown as "-0.0个百分点" is not called 滞后 and one shown as
    "-10.0" is 严重滞后 ("-9.99" at two decimals is not).
    """
    scale = 10 ** settings.current().percent_decimals
    shown = np.floor(np.round(gaps.astype(float) * 100 * scale, 6) + 0.5) / scale
    serious = settings.current().serious_gap * 100
    out = pd.Series(NO_PLAN, index=gaps.index, dtype=object)
    out[shown >= 0] = ON_TRACK
    out[(shown < 0) & (shown > serious)] = BEHIND
    out[shown <= serious] = SERIOUSLY_BEHIND
    return out
