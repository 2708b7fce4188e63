"""recommendations page (placeholder until built)."""

import streamlit as st

st.title("recommendations")
st.info("This page is being built.")
