"""Each project's plan and year-to-date completion in the order of the project list
(core.figures.measures.aligned_plan, aligned_ytd), by positions found once per table: a
project without a return or plan reads 0, a return of a code not in the list is ignored, and
every month reads its own column through the same positions."""

import numpy as np
import pandas as pd
import pytest

from core.base.periods import Period
from core.figures import measures as M
from tests.cycle_kit import portfolio_of, project

# The list A, B, C, D; returns of C, A and X (not in the list) in January and February 2026,
# plans of D and A; B has neither.
PROJECTS = [project("A"), project("B"), project("C"), project("D")]
MONTHLY = [("C", "2026-01", "30"), ("A", "2026-01", "10"), ("X", "2026-01", "99"),
           ("C", "2026-02", "5"), ("A", "2026-02", "20")]  # fmt: skip
PLANS = [("D", "2026", "400"), ("A", "2026", "100")]


@pytest.fixture(scope="module")
def p():
    return portfolio_of(PROJECTS, plans=PLANS, monthly=MONTHLY)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (Period(2026, 1), [10, 0, 30, 0]),
        (Period(2026, 2), [30, 0, 35, 0]),  # year to date: January and February
        (Period(2026, 5), [30, 0, 35, 0]),  # after the last return: its latest of the year
        (Period(2025, 6), [0, 0, 0, 0]),  # a year without returns
    ],
)
def test_year_to_date_in_the_order_of_the_list(p, period, expected):
    assert M.aligned_ytd(p, period).tolist() == expected


@pytest.mark.parametrize(("year", "expected"), [(2026, [100, 0, 0, 400]), (2027, [0, 0, 0, 0])])
def test_plans_in_the_order_of_the_list(p, year, expected):
    assert M.aligned_plan(p, year).tolist() == expected


def test_a_series_not_of_the_table_is_aligned_by_its_own_index(p):
    """The positions held for ytd are not used for a Series with another index."""
    M.aligned_ytd(p, Period(2026, 1))  # the positions of ytd's index, held
    other = pd.Series([7.0, np.nan], index=["D", "B"])
    assert M._aligned(p, "ytd", other).tolist() == [0, 0, 0, 7]
