"""Fixtures of the AppTest modules."""

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_data.clear()  # the caches are shared by every AppTest in this process
    st.cache_resource.clear()
    yield
