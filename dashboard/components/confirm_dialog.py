"""Confirm an action in a dialog (st.dialog): the one "are you sure?" of the dashboard.

The page draws the action's button; pressing it opens a dialog that says what will happen,
with Cancel and a confirm button. The action runs only when the confirm button is pressed.
Widget keys, for a ``key`` of "deploy": ``deploy_button`` opens, ``deploy_confirm`` acts,
``deploy_cancel`` closes; ``deploy_open`` in session state keeps the dialog open across reruns.

The dialog is only the person's confirmation, never the permission: the action itself must
still pass ``identity.permit`` (as ``operations.actions.run_action`` does), so a dialog opened
by editing session state cannot act for a viewer, and the refused attempt is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from dashboard.components.language import in_session_language
from services.i18n import _


@dataclass(frozen=True)
class Confirmation:
    """What the dialog says: its ``title``, ``what`` will happen (markdown, untrusted parts
    already escaped by the caller) and the confirm button's ``label``."""

    title: str
    what: str
    label: str


def open_key(key: str) -> str:
    """The session-state key that keeps ``key``'s dialog open."""
    return f"{key}_open"


def close(key: str) -> None:
    """Close ``key``'s dialog on the next run (Cancel, dismissal, or the action ran)."""
    st.session_state.pop(open_key(key), None)


def confirm_button(
    key: str,
    label: str,
    confirmation: Confirmation,
    action: Callable[[], object],
    *,
    disabled: bool = False,
    help: str | None = None,
    icon: str | None = None,
) -> None:
    """Draw the button ``label``; pressed, it opens the dialog; confirmed, ``action()`` runs.

    ``disabled``/``help`` are the button's (a viewer's button is disabled with the reason).
    The dialog closes before ``action`` runs, so an action that fails shows its error in the
    dialog once and a rerun does not offer to repeat it unasked; an action that succeeds
    usually calls ``st.rerun()`` itself.
    """
    if st.button(
        label,
        key=f"{key}_button",
        type="primary",
        icon=icon,
        disabled=disabled,
        help=help,
    ):
        st.session_state[open_key(key)] = True
    if not st.session_state.get(open_key(key)):
        return

    def body() -> None:
        st.markdown(confirmation.what)
        ok, cancel = st.columns(2)
        if cancel.button(_("Cancel"), key=f"{key}_cancel", width="stretch"):
            close(key)
            st.rerun()
        if ok.button(confirmation.label, key=f"{key}_confirm", type="primary", width="stretch"):
            close(key)
            action()

    st.dialog(confirmation.title, on_dismiss=lambda: close(key))(in_session_language(body))()
