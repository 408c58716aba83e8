"""altair as the server uses it (core.output.altair_setup): faster, and the same specs."""

from collections import defaultdict

import pytest
from altair.utils import schemapi

from core.base.periods import Convention
from core.figures import measures as M
from core.figures.scope import Scope
from core.output import altair_setup, charts

altair_setup.apply()  # as importing core.output.charts does


def _table_as_altair_builds_it(classes) -> dict:
    table = defaultdict(list)
    for tp in classes:
        if tp._schema is not None:
            table[schemapi._FromDict.hash_schema(tp._schema)].append(tp)
    return dict(table)


def test_schema_table_is_altairs_and_built_once():
    classes = list(schemapi.SchemaBase._default_wrapper_classes())
    first, second = schemapi._FromDict(iter(classes)), schemapi._FromDict(iter(classes))
    assert first.class_dict is second.class_dict
    assert {k: v for k, v in first.class_dict.items() if v} == _table_as_altair_builds_it(classes)


def test_no_validation_at_construction():
    assert schemapi.DEBUG_MODE is False
    altair_setup.apply()  # idempotent
    assert schemapi.DEBUG_MODE is False


CONV = Convention.MONTHS
BUILDS = {
    "county_ranking": lambda p, s: charts.county_ranking(
        M.county_ranking(p, s.citywide(), CONV), s, 0.16
    ),
    "sector_composition": lambda p, s: charts.sector_composition(M.sector_breakdown(p, s, CONV), s),
    "funding_by_source": lambda p, s: charts.funding_by_source(M.funding_by_source(p, s), s),
}


@pytest.mark.parametrize("counties", [(), ("城东区",), ("城东区", "高新区")])
@pytest.mark.parametrize("name", BUILDS)
def test_spec_without_checks_is_the_checked_spec(demo, name, counties):
    chart = BUILDS[name](demo, Scope(demo.latest_period, counties=counties, level=None)).chart
    assert chart.to_dict(validate=False) == chart.to_dict(validate=True)
    with schemapi.debug_mode(True):  # built as altair ships: validated at every step
        shipped = BUILDS[name](demo, Scope(demo.latest_period, counties=counties, level=None))
    assert shipped.chart.to_dict() == chart.to_dict()
