"""What a projector shows: the map's scope, zoom, colours and labels; charts' rankings,
highlights, ticks, funding colours, labels clear of the 序时进度 line; projector type."""

import pytest
from map_kit import drawn

from core.base import schema as S
from core.base.periods import Period
from core.figures import measures as M
from core.figures.scope import Scope
from core.output import charts, maps

FEB = Period(2026, 2)


def test_map_with_a_county_filter(demo):
    scope = Scope(FEB, counties=("青山县", "临湖县"))
    ranking = M.county_ranking(demo, scope)
    result = maps.project_map(demo.boundaries, ranking, M.projects_in_scope(demo, scope),
                              counties=scope.counties)  # fmt: skip
    d = drawn(result)
    features = d.counties
    outside = [p for name, p in features.items() if name not in scope.counties]
    assert outside and all(p["fill"] == [*maps.OUT_OF_SCOPE, 255] for p in outside)
    assert all(p["详情"] == maps.OUT_OF_SCOPE_LABEL for p in outside)
    # Opaque fills, each exactly a legend swatch.
    legend = dict(result.legend)
    swatches = set(legend.values())
    for name in scope.counties:
        fill = features[name]["fill"]
        assert fill[3] == 255
    assert maps._hex(maps.OUT_OF_SCOPE) == legend[maps.OUT_OF_SCOPE_LABEL]
    assert "无年度计划" in legend and len(swatches) == len(legend)
    labels = {x["label"] for x in d.names.values()}
    assert "青山县\n5.4%" in labels and "城东区" in labels  # values only inside the scope
    assert d.names["城东区"]["tc"] == [*maps.OUT_OF_SCOPE_TEXT, 255]


def test_map_zooms_to_the_chosen_counties(demo):
    city = maps.view_of(demo.boundaries)
    one = maps.view_of(demo.boundaries, ["城南区"])
    assert one.zoom > city.zoom + 0.5
    lon = next(c.center[0] for c in demo.boundaries.counties if c.name == "城南区")
    assert abs(one.longitude - lon) < 0.2


@pytest.mark.parametrize("metric", maps.METRICS)
def test_county_fill_matches_a_legend_swatch_at_the_stops(metric):
    _, legend = maps._legend(metric, 0.2)
    colors = {c for _, c in legend}
    if metric == maps.METRIC_RATE:
        assert maps._hex(maps.county_color(metric, 0.2, 0.0, 0.2)) in colors
    else:
        assert maps._hex(maps.county_color(metric, 0.1, 0.0, 0.2)) in colors


def test_ranking_shows_the_whole_city_and_highlights_the_filter(demo):
    scope = Scope(FEB, counties=("城东区",), sectors=("产业项目",))
    ranking = M.county_ranking(demo, scope.citywide())
    c = charts.county_ranking(ranking, scope, 2 / 12)
    assert len(c.data) == len(ranking) > 1  # not a one-bar chart
    spec = c.chart.to_dict()
    assert "红黑榜" not in c.title and "排名" in c.title
    assert "突出显示城东区" in spec["title"]["subtitle"][0]
    assert "城东区" in str(spec["layer"][0]["encoding"]["opacity"])


def test_comparison_labels_sit_right_of_every_bar_and_the_line(demo):
    scope = Scope(FEB)
    ranking = M.county_ranking(demo, scope)
    c = charts.comparison(ranking, S.COUNTY, scope, 2 / 12, "county_rates", "各区县完成率")
    spec = c.chart.to_dict()
    bars, text = spec["layer"][0], spec["layer"][1]
    domain_top = bars["encoding"]["x"]["scale"]["domain"][1]
    assert text["encoding"]["x"]["datum"] == domain_top
    assert max(c.data["完成率(%)"].max(), 16.7) < domain_top / 1.15
    ticks = bars["encoding"]["x"]["axis"]["values"]
    assert len(ticks) <= 8


def test_counts_axis_has_whole_ticks_and_every_axis_few(demo):
    scope = Scope(FEB, counties=("城东区",), sectors=("产业项目",))
    c = charts.problems(M.problem_counts(demo, scope, S.PROBLEM_TYPE), S.PROBLEM_TYPE, scope,
                        "problems_by_type", "存在问题按类型")  # fmt: skip
    spec = c.chart.to_dict()
    axis = spec["encoding"]["x"]["axis"]
    assert (axis["tickMinStep"], axis["format"]) == (1, "d")
    assert spec["config"]["axisQuantitative"]["tickCount"] <= 6


def test_one_colour_per_funding_source_on_every_chart(demo):
    scope = Scope(FEB)
    by_source = charts.funding_by_source(M.funding_by_source(demo, scope), scope)
    by_county = charts.funding_by_county(M.funding_by_county(demo, scope), scope, demo.counties)

    def colours(chart):
        spec = chart.chart.to_dict()
        layer = spec.get("layer", [spec])[0]
        scale = layer["encoding"]["color"]["scale"]
        return dict(zip(scale["domain"], scale["range"], strict=True))

    a, b = colours(by_source), colours(by_county)
    assert a == {k: b[k] for k in a}
    assert len(set(a.values())) == len(a)


@pytest.mark.parametrize("key", ["county_ranking", "cumulative", "funding_by_source"])
def test_projector_spec_has_no_text_under_20px(demo, key):
    scope = Scope(FEB)
    made = {
        "county_ranking": lambda: charts.county_ranking(
            M.county_ranking(demo, scope), scope, 1 / 6
        ),
        "cumulative": lambda: charts.cumulative(M.cumulative_by_month(demo, scope), scope),
        "funding_by_source": lambda: charts.funding_by_source(
            M.funding_by_source(demo, scope), scope
        ),
    }[key]()
    spec = charts.projector_spec(made, 700)
    sizes = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in charts._FONT_KEYS and isinstance(v, int | float):
                    sizes.append(v)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    assert sizes and min(sizes) >= charts.PROJECTOR_MIN_SIZE
    assert spec["height"] == 700


def test_small_curve_speaks_yi_with_two_decimals(demo):
    code = demo.projects[S.CODE].iloc[0]
    c = charts.project_curve(M.project_curve(demo, code, FEB), Scope(FEB), "某项目")
    assert "金额(亿元)" in c.data.columns
    assert "万元" not in str(c.chart.to_dict())
