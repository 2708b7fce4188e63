"""What a create made, kept above its form, where the confirm was pressed: the page's flash
sits at the top, far above the tab, and fades after ``actions.FLASH_SECONDS`` (the running-work
poll reruns the page when the new resource settles), so two trials saw no confirmation at all
(New solution in s12, New campaign in s13b). The note stays until dismissed or replaced by the
next create."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from services.i18n import _


def show_kept_note(
    state_key: str, text: str, link: Callable[[DeltaGenerator], object] | None = None
) -> None:
    """A success box of ``text`` (markdown, its values escaped by the caller) with a Dismiss
    button (key ``{state_key}_dismiss``) that drops ``state_key`` from the session, where the
    form keeps what it made; ``link`` draws a page link in the column beside the button."""
    st.success(text, icon=":material/check_circle:")
    beside, dismiss = st.columns([3, 1], vertical_alignment="center")
    if link is not None:
        link(beside)
    if dismiss.button(_("Dismiss"), key=f"{state_key}_dismiss"):
        st.session_state.pop(state_key, None)
        st.rerun()
