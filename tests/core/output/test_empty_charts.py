"""Charts of a scope without projects (城东区 · 生态环保 in the demo): every builder of the
breakdowns makes a valid Vega-Lite spec with finite axes, never a NaN (issue 21: the growth
page's comparison chart failed with "cannot convert float NaN to integer")."""

import json
import math

import pandas as pd
import pytest

from core.base import schema as S
from core.base.periods import Period
from core.figures import measures as M
from core.figures.scope import Scope
from core.output import charts

# An empty column has no type for altair to infer from its values: it says so and draws it as
# nominal, which is harmless for a chart without rows.
pytestmark = pytest.mark.filterwarnings("ignore:I don't know how to infer vegalite type")

EMPTY = Scope(Period(2026, 2), counties=("城东区",), sectors=("生态环保",))
SCHEDULE = 2 / 12


def _builders(demo):
    return {
        "county_ranking": lambda: charts.county_ranking(
            M.county_ranking(demo, EMPTY), EMPTY, SCHEDULE
        ),
        "sector_rates": lambda: charts.comparison(
            M.sector_breakdown(demo, EMPTY), S.SECTOR, EMPTY, SCHEDULE, "sector_rates", "行业"
        ),
        "county_rates": lambda: charts.comparison(
            M.county_ranking(demo, EMPTY),
            S.COUNTY,
            EMPTY,
            SCHEDULE,
            "county_rates",
            "区县",
            highlight=EMPTY.counties,
        ),
        "sector_composition": lambda: charts.sector_composition(
            M.sector_breakdown(demo, EMPTY), EMPTY
        ),
        "funding_by_source": lambda: charts.funding_by_source(
            M.funding_by_source(demo, EMPTY), EMPTY
        ),
        "problems": lambda: charts.problems(
            M.problem_counts(demo, EMPTY, S.PROBLEM_TYPE), S.PROBLEM_TYPE, EMPTY, "p", "问题"
        ),
    }


def test_the_scope_is_empty(demo):
    assert not EMPTY.mask(demo.projects).any()
    assert M.sector_breakdown(demo, EMPTY).empty
    assert not M.county_ranking(demo, EMPTY.citywide()).empty  # other counties have some


@pytest.mark.parametrize(
    "key",
    ["county_ranking", "sector_rates", "county_rates", "sector_composition",
     "funding_by_source", "problems"],
)  # fmt: skip
def test_chart_of_an_empty_scope_is_valid_and_finite(demo, key):
    c = _builders(demo)[key]()
    assert c.data.empty
    spec = c.chart.to_dict(validate=True)
    json.dumps(spec, allow_nan=False)  # a NaN or an infinity anywhere raises here


def test_comparison_axis_runs_to_the_schedule_line_without_bars():
    frame = pd.DataFrame(columns=[S.SECTOR, M.RATE, M.DONE, M.PLAN, M.COUNT])
    c = charts.comparison(frame, S.SECTOR, EMPTY, SCHEDULE, "sector_rates", "行业")
    x = c.chart.to_dict()["layer"][0]["encoding"]["x"]
    ticks = x["axis"]["values"]
    assert ticks[0] == 0 and ticks[-1] * 1.25 >= 16.7  # up to about the 序时进度 line
    assert x["scale"]["domain"][1] > 16.7


def test_comparison_with_a_missing_rate_keeps_finite_ticks():
    frame = pd.DataFrame(
        {S.SECTOR: ["产业项目"], M.RATE: [math.nan], M.DONE: [0.0], M.PLAN: [0.0], M.COUNT: [1]}
    )
    c = charts.comparison(frame, S.SECTOR, EMPTY, SCHEDULE, "sector_rates", "行业")
    ticks = c.chart.to_dict()["layer"][0]["encoding"]["x"]["axis"]["values"]
    assert all(math.isfinite(t) for t in ticks) and len(ticks) > 1


@pytest.mark.parametrize("top", [math.nan, math.inf, 0.0, -3.0])
def test_ticks_of_no_extent(top):
    assert charts._ticks(top) == [0.0]


def test_ticks_unchanged_for_a_real_extent():
    assert charts._ticks(18.37) == [0, 5, 10, 15]
    assert charts._ticks(55.0) == [0, 20, 40]
