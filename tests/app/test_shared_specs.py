"""A chart's spec is made once and shared by every session (app_pages.widgets.scoped_chart):
drawing it must leave it whole, or the next session's chart would come without its data."""

from __future__ import annotations

from app_kit import open_app

from app_pages import common


def _drawn(at) -> list[tuple[str, list[bytes]]]:
    charts = at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")
    return [(c.proto.spec, [d.data.data for d in c.proto.datasets]) for c in charts]


def test_a_shared_spec_draws_the_same_chart_every_time(demo, monkeypatch):
    p = demo.with_tables()  # a memo of its own: the first run makes the specs
    monkeypatch.setattr(common, "portfolio", lambda: p)
    first = _drawn(open_app())
    assert len(first) == 3 and all(datasets and all(datasets) for _, datasets in first)
    specs = [v for (key, _settings), v in _entries(p) if key[0] == "chart_spec"]
    assert len(specs) == 3 and all(s.get("datasets") for s in specs)  # still in the shared spec
    assert _drawn(open_app()) == first  # a second session: the same specs, the same data
    assert _drawn(open_app()) == first


def _entries(p):
    return [(key, p._memo.get(key, lambda: None)) for key in p._memo]
