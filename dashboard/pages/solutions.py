"""solutions page (placeholder until built)."""

import streamlit as st

st.title("solutions")
st.info("This page is being built.")
