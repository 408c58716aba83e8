"""The floor: the cheapest Streamlit page with one sidebar filter, served and timed like the app.

Every app page's browser time is reported as a ratio to this page's.
"""

import streamlit as st

choice = st.sidebar.selectbox("选项", ["甲", "乙"], key="choice")
st.title(f"ok {choice}")
