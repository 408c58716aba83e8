"""Accounts and sign-in (users). The pages ask, core decides; no streamlit here."""
