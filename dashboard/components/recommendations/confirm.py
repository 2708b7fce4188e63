"""The Recommendations page's confirmation dialogs (st.dialog): their frame and buttons.

A dialog says what will happen and shows the request it sends, then its inputs and buttons.
It stays open across reruns while ``session_state[state_key]`` is set; Cancel clears it.
Pressing the confirm button only says the person confirmed: the action itself still passes
``identity.permit`` (``operations.actions.run_action``), so a dialog opened by editing session
state cannot act for a viewer.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard.components.language import in_session_language
from dashboard.components.text import md_help
from services.i18n import _


def dialog(
    title: str, what: str, request: str, language: str | None, rest: Callable[[], None]
) -> None:
    """Open the dialog ``title``: ``what`` will happen (markdown, untrusted parts escaped by
    the caller), the ``request`` it sends as code in ``language``, then ``rest()`` (its inputs
    and the ``confirmed`` buttons, acting when pressed). The dialog's own reruns run only its
    body, not streamlit_app.py, so the body sets the session's language itself."""

    def body() -> None:
        st.write(what)
        st.code(request, language=language)
        rest()

    st.dialog(title)(in_session_language(body))()


def confirmed(state_key: str, key: str, label: str, refused: str | None = None) -> bool:
    """Draw Cancel and the primary ``label`` button; True when ``label`` was pressed.
    ``refused``: why the inputs cannot be sent yet (plain text); the button is then disabled
    and the reason is its tooltip (the caller shows it at the field)."""
    ok, cancel = st.columns(2)
    if cancel.button(_("Cancel"), key=f"{key}_cancel"):
        st.session_state.pop(state_key, None)
        st.rerun()
    return (
        ok.button(
            label,
            key=f"{key}_confirm",
            type="primary",
            disabled=refused is not None,
            help=md_help(refused),
        )
        and refused is None
    )
