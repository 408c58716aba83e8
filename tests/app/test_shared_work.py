"""Thirty people in a meeting mostly look at the same scope: what one session computed for a
scope (its figures, its charts and their specs) is reused by the next session in the process,
not computed again, and draws the same."""

from __future__ import annotations

import json

from app_kit import open_app

from core.output import charts

COUNTY = "城西区"


def _charts(at) -> list:
    return at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")


def _specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in _charts(at)]


def test_a_scope_drawn_by_one_session_is_not_built_again_by_the_next(monkeypatch):
    built = []
    for name in ("county_ranking", "sector_composition", "funding_by_source"):
        original = getattr(charts, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            built.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(charts, name, counted)

    first = open_app(county=[COUNTY])
    assert sorted(built) == ["county_ranking", "funding_by_source", "sector_composition"]
    second = open_app(county=[COUNTY])  # another session, the same scope
    assert len(built) == 3, built
    assert _specs(second) == _specs(first)
    assert len(_specs(first)) == 3

    # Another scope is another chart; the first scope's are still kept.
    open_app(county=["城东区"])
    assert len(built) == 6, built
    open_app(county=[COUNTY])
    assert len(built) == 6, built


def test_the_cached_spec_draws_what_altair_would():
    """The spec sent is streamlit's conversion of the chart; its data are the chart's."""
    at = open_app(county=[COUNTY])
    (ranking,) = [s for s in _specs(at) if "区县" in json.dumps(s, ensure_ascii=False)][:1]
    assert ranking["width"] == "container"
    assert ranking["title"]["text"].startswith("各区县")
    datasets = _charts(at)[0].proto.datasets
    assert len(datasets) >= 1 and all(d.data.data for d in datasets)
