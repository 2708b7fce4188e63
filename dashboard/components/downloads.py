"""The pages' CSV downloads: always through ``services.csv_safety`` (formula cells neutralised).

Streamlit's own table export writes cells as they are, so ``.streamlit/config.toml`` turns it
off (``client.disableDataExport``); a table worth taking to a spreadsheet gets this button.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from services.csv_safety import to_safe_csv


def csv_download(frame: pd.DataFrame, label: str, file_name: str, key: str) -> None:
    """A download button for ``frame`` as UTF-8 CSV with a BOM (so Excel reads Hangul right)
    and every formula-like text cell prefixed with ``'``."""
    st.download_button(
        label,
        to_safe_csv(frame, bom=True),
        file_name=file_name,
        mime="text/csv",
        key=key,
    )
