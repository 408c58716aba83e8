"""The floor: the cheapest Streamlit page with the app's kind of filter, served and timed like
the app. Its one sidebar multiselect is changed the way the app's 区县 filter is, and every app
page's browser time is reported as a ratio to this page's."""

import streamlit as st

st.sidebar.multiselect("区县", ["城东区", "城西区"], key="county", placeholder="全市(可多选)")
st.title("ok")
