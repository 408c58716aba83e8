"""名次变化 (core.output.charts.rank_history): months in time order across a new year — January's
places follow last December's, which is named with its year."""

from __future__ import annotations

import pandas as pd

from core.base.periods import Period
from core.figures.scope import Scope
from core.output import charts


def test_last_december_comes_before_january():
    history = pd.DataFrame(
        {
            "单位": ["甲区", "乙县"] * 3,
            "月份": ["2025-12", "2025-12", "2026-01", "2026-01", "2026-02", "2026-02"],
            "名次": [1, 2, 2, 1, 1, 2],
        }
    )
    out = charts.rank_history(history, Scope(Period(2026, 2)), "名次变化")
    spec = out.chart.to_dict()
    x = spec["layer"][0]["encoding"]["x"]
    assert x["sort"] == ["2025年12月", "1月", "2月"]
    names = spec["layer"][1]
    data = spec["datasets"][names["data"]["name"]]
    assert {(d["月份"], d["单位"]) for d in data} == {("2月", "甲区"), ("2月", "乙县")}
