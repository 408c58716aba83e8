"""Every county ready (issue 25, item 3): the opening views of the city and of every county are
computed in the background after the data are loaded, so that a county's first view builds
nothing; under AppTest (no server) nothing is warmed, so the other tests count what pages do."""

from __future__ import annotations

import json

import pytest
from app_kit import open_app

from app_pages import common, opening
from core.base.periods import Convention
from core.output import charts

CHARTS = ("county_ranking", "sector_composition", "funding_by_source")


@pytest.fixture
def built(monkeypatch):
    """The overview's chart builders, counted."""
    calls = []
    for name in CHARTS:
        original = getattr(charts, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(charts, name, counted)
    return calls


def _specs(at) -> list[dict]:
    charts_drawn = at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")
    return [json.loads(c.proto.spec) for c in charts_drawn]


def test_a_warmed_county_builds_nothing_on_its_first_view(demo, monkeypatch, built):
    p = demo.with_tables()  # the demo with a memo of its own
    monkeypatch.setattr(common, "portfolio", lambda: p)
    assert opening.warm(p) == 1 + len(p.counties)
    assert sorted(set(built)) == sorted(CHARTS)
    assert built.count("county_ranking") == 1 + len(p.counties)  # once per scope
    built.clear()
    for county in (p.counties[0], p.counties[-1]):
        at = open_app(county=[county])
        assert built == [], built
        assert len(_specs(at)) == 3
    at = open_app("alerts", county=[p.counties[1]])
    assert built == [] and at.metric


def test_the_page_draws_what_it_would_have_computed(demo, monkeypatch):
    county = demo.counties[2]
    cold = demo.with_tables()
    monkeypatch.setattr(common, "portfolio", lambda: cold)
    computed = _specs(open_app(county=[county]))
    warm = demo.with_tables()
    opening.warm(warm)
    monkeypatch.setattr(common, "portfolio", lambda: warm)
    assert _specs(open_app(county=[county])) == computed


def test_no_warming_under_apptest(demo, monkeypatch, built):
    p = demo.with_tables()
    monkeypatch.setattr(common, "portfolio", lambda: p)
    monkeypatch.setattr(opening, "_warmed", set())
    open_app()
    assert opening._warmed == set() and opening._thread[0] is None
    assert len(built) == 3  # the city's charts only, by the page itself


def test_one_background_thread_warms_a_loaded_data_set(demo, monkeypatch):
    p = demo.with_tables()
    monkeypatch.setattr(opening, "_served", lambda: True)  # as in a server
    monkeypatch.setattr(opening, "_warmed", set())
    opening.start(p)
    opening.start(p)  # a second page run: no second thread
    thread = opening._thread[0]
    assert thread is not None and thread.daemon
    assert [t.name for t in __import__("threading").enumerate()].count("briefing-warm") == 1
    thread.join(timeout=300)
    assert not thread.is_alive() and opening._thread[0] is None
    keys = {key for key, _settings in p._memo}
    conv = Convention.default()
    for scope in opening.opening_scopes(p):
        assert ("chart", "county_ranking", scope, conv) in keys
        assert ("chart_spec", "sector_composition", scope, conv, "screen") in keys


def test_the_warming_waits_for_script_runs_in_flight(demo, monkeypatch):
    """A script run in progress (the first visitor after a start) has the interpreter to itself:
    the warming starts its next scope only when no run is in flight."""
    p = demo.with_tables()
    monkeypatch.setattr(opening, "_served", lambda: True)
    monkeypatch.setattr(opening, "_warmed", set())
    warmed = []
    original = opening.warm_scope
    monkeypatch.setattr(opening, "warm_scope", lambda *a: (warmed.append(a[1]), original(*a)))
    with opening.running(), opening.running():  # two sessions' runs
        opening.start(p)
        thread = opening._thread[0]
        thread.join(timeout=0.5)
        assert warmed == [] and thread.is_alive()
    thread.join(timeout=300)
    assert not thread.is_alive()
    assert len(warmed) == 1 + len(p.counties)
    assert opening._in_flight == [0]
