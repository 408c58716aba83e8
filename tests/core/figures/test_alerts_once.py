"""Alerts computed once for the whole city per data version, then selected by scope: every
scope's list equals the list computed for that scope alone (issue 25, item 1)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core.base import schema as S
from core.base.periods import Convention
from core.figures import alerts as A
from core.figures import supervision as V
from core.figures.scope import Scope


def _scopes(p):
    period = p.latest_period
    yield Scope(period)
    yield Scope(period, level=None)
    for county in p.counties:
        yield Scope(period, counties=(county,))
        yield Scope(period, counties=(county,), level=None)
    sectors = sorted(set(p.projects[S.SECTOR]))
    yield Scope(period, sectors=(sectors[0],), level=None)
    yield Scope(period, counties=tuple(p.counties[:2]), sectors=(sectors[-1],), level=None)
    yield Scope(period, stage=S.STAGE_CONSTRUCTION, level=None)
    yield Scope(period.shift(-3), counties=(p.counties[-1],), level=None)


@pytest.mark.parametrize("conv", list(Convention))
def test_each_scope_is_a_selection_of_the_city(demo, conv):
    checked = 0
    for scope in _scopes(demo):
        day = V.period_day(scope.period)
        alone = A._alerts(demo, scope, conv, day)  # the scope's own computation, as before
        selected = A.alerts(demo, scope, conv)
        pd.testing.assert_frame_equal(selected, alone)
        checked += len(alone)
    assert checked > 100  # the scopes hold alerts: the comparison is not of empty lists


def test_the_city_is_computed_once(demo):
    """A county's list does not compute the rules again: it is read from the city's list,
    whose object is kept for the data version."""
    period, day = demo.latest_period, dt.date(2099, 1, 1)
    city = A.city_alerts(demo, period, Convention.MONTHS, V.period_day(period, day))
    one = A.alerts(demo, Scope(period, counties=(demo.counties[0],)), today=day)
    assert A.city_alerts(demo, period, Convention.MONTHS, V.period_day(period, day)) is city
    assert set(one[S.CODE]) <= set(city[S.CODE]) and 0 < len(one) < len(city)
