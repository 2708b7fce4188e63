"""The setup file (PERSONALIZE_SETUP_FILE) compared with the account."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import deps
from dashboard.reads.costs import _prices
from dashboard.reads.page_read import page_read
from dashboard.reads.workspace import LIST_TTL
from services.i18n import N_, _
from services.setup_file.drift import SetupReport
from services.setup_file.drift import setup_report as build_setup_report


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _setup_report(path: str) -> SetupReport:
    return build_setup_report(deps.clients().personalize, Path(path), _prices())


@page_read(N_("the account, to compare it with the setup file"))
def setup_report() -> SetupReport | None:
    """The setup file (PERSONALIZE_SETUP_FILE) against the account: its problems or its plan;
    None when no file is set (or the read failed, and said so); cached ``LIST_TTL`` s."""
    path = deps.settings().setup_file
    if not path:
        return None
    with st.spinner(_("Comparing the account with the setup file…")):
        return _setup_report(str(path))
