"""Alerts computed once for the whole city per data version, then selected by scope: every
scope's list equals the list computed for that scope alone (issue 25, item 1)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core.base import schema as S
from core.base.periods import Convention, Period
from core.figures import alerts as A
from core.figures import supervision as V
from core.figures.scope import Scope
from tests.cycle_kit import portfolio_of, project


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


# --- a change of the settings file applies at the next call ------------------------------
# Plan 1000, 399 done at the end of June against 50.0%: 10.1 points behind, 严重滞后 (yellow
# from 10). At two decimals 39.90% and 10.10; from 15 points not an alert at all.


@pytest.mark.parametrize(
    ("settings_text", "expected"),
    [
        ("", ["完成率39.9%,落后序时进度10.1个百分点"]),
        ("[format]\npercent_decimals = 2\n", ["完成率39.90%,落后序时进度10.10个百分点"]),
        ("[status]\nserious_gap_points = 15\n", []),
    ],
)
@pytest.mark.parametrize("county", [None, "甲区"])
def test_a_change_of_settings_applies_to_the_city_and_each_scope(
    tmp_path, monkeypatch, settings_text, expected, county
):
    p = portfolio_of([project("A"), project("B", county="乙县")], plans=[("A", "2026", "1000")],
                     monthly=[("A", "2026-06", "399"), ("B", "2026-06", "1")])  # fmt: skip
    scope = Scope(Period(2026, 6), counties=(county,) if county else (), level=None)

    def reasons() -> list[str]:
        frame = A.alerts(p, scope, today=dt.date(2026, 11, 27))
        return frame.loc[frame[A.RULE] == A.SERIOUS, A.REASON].tolist()

    assert reasons() == ["完成率39.9%,落后序时进度10.1个百分点"]  # the defaults, kept
    own = tmp_path / "settings.toml"
    own.write_text(settings_text, encoding="utf-8")
    monkeypatch.setenv("BRIEFING_SETTINGS", str(own))
    assert reasons() == expected
