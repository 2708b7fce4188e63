"""operations page (placeholder until built)."""

import streamlit as st

st.title("operations")
st.info("This page is being built.")
