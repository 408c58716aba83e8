"""Fixtures of the AppTest modules."""

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_data.clear()  # the caches are shared by every AppTest in this process
    st.cache_resource.clear()
    yield


@pytest.fixture(autouse=True, scope="session")
def validated_chart_specs():
    """The server makes a chart's screen spec without checking it against the Vega-Lite schema
    (common._Unvalidated, for speed); in the page tests every chart drawn is checked."""
    from app_pages import common

    unchecked = common._Unvalidated.to_dict
    common._Unvalidated.to_dict = lambda self: self.chart.to_dict(validate=True)
    yield
    common._Unvalidated.to_dict = unchecked
