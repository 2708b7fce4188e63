"""The buttons of the Recommendations page's confirmation dialogs (st.dialog).

A dialog stays open across reruns while ``session_state[state_key]`` is set; Cancel clears it.
Pressing the confirm button only says the person confirmed: the action itself still passes
``identity.permit`` (``operations.actions.run_action``), so a dialog opened by editing session
state cannot act for a viewer.
"""

from __future__ import annotations

import streamlit as st

from services.i18n import _


def confirmed(state_key: str, key: str, label: str) -> bool:
    """Draw Cancel and the primary ``label`` button; True when ``label`` was pressed."""
    ok, cancel = st.columns(2)
    if cancel.button(_("Cancel"), key=f"{key}_cancel"):
        st.session_state.pop(state_key, None)
        st.rerun()
    return ok.button(label, key=f"{key}_confirm", type="primary")
