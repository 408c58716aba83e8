"""How many project points the map draws: at most [map] max_points (the office's setting), the
largest by 总投资 among the projects with coordinates; MapOut counts what was left out for the
page's note."""

from __future__ import annotations

import json

import pytest
from map_kit import drawn

from core.base import schema as S
from core.base import settings
from core.base.periods import Period
from core.figures import measures as M
from core.figures.scope import Scope
from core.output import maps

FEB = Period(2025, 2)


def _map(p, scope=None, **kw):
    scope = scope or Scope(FEB, level=None)
    return maps.project_map(p.boundaries, M.county_ranking(p, scope),
                            M.projects_in_scope(p, scope), **kw)  # fmt: skip


# The mini data's 总投资 (万元): B-002 50,000 > D-004 30,000 > E-005 20,000 > A-001 10,000 >
# C-003 8,000. E-005 has no coordinates: it is never drawn and never takes a point's place.
CAPS = [
    # max_points, the codes drawn, drawn, with coordinates
    (1, {"B-002"}, 1, 4),
    (2, {"B-002", "D-004"}, 2, 4),
    (3, {"B-002", "D-004", "A-001"}, 3, 4),  # A-001, not E-005 (no coordinates)
    (4, {"A-001", "B-002", "C-003", "D-004"}, 4, 4),  # all there are: nothing left out
    (1000, {"A-001", "B-002", "C-003", "D-004"}, 4, 4),
]


@pytest.mark.parametrize(("max_points", "codes", "shown", "total"), CAPS)
def test_the_largest_projects_by_total_investment_are_drawn(mini, max_points, codes, shown, total):
    result = _map(mini, max_points=max_points)
    assert set(result.codes) == codes and len(result.codes) == shown
    assert (result.points_shown, result.points_total) == (shown, total)
    assert result.points_without_coordinates == 1  # E-005
    # the deck draws exactly these points, each with its project's name (the tooltip's)
    names = dict(zip(mini.projects[S.CODE], mini.projects[S.NAME], strict=True))
    assert [p["名称"] for p in drawn(result).points] == [names[c] for c in result.codes]


def test_a_county_filter_caps_the_countys_projects(mini):
    """乙县 has C-003 and D-004 with coordinates (and E-005 without): one point is D-004."""
    result = _map(mini, Scope(FEB, counties=("乙县",), level=None), counties=("乙县",),
                  max_points=1)  # fmt: skip
    assert (result.codes, result.points_shown, result.points_total) == (("D-004",), 1, 2)


@pytest.mark.parametrize("max_points", [200, 300])
def test_the_office_setting_caps_the_demos_map(demo, tmp_path, monkeypatch, max_points):
    """The demo has 349 省重点 projects, all with coordinates, in February 2026: the setting
    draws that many of them, and none left out is larger than one drawn."""
    own = tmp_path / "本办设置.toml"
    own.write_text(f"[map]\nmax_points = {max_points}\n", encoding="utf-8")
    monkeypatch.setenv(settings.SETTINGS_SETTING, str(own))
    scope = Scope(Period(2026, 2))
    result = _map(demo, scope)
    assert (result.points_shown, result.points_total) == (max_points, 349)
    projects = M.projects_in_scope(demo, scope)
    drawn_ = projects[S.CODE].isin(result.codes)
    assert drawn_.sum() == max_points
    left_out = projects.loc[~drawn_, S.TOTAL_INVESTMENT]
    assert left_out.max() <= projects.loc[drawn_, S.TOTAL_INVESTMENT].min()
    data = json.loads(result.deck.to_json())["layers"][0]["data"]
    assert sum("r" in f["properties"] for f in data) == max_points  # only points have a radius
