"""Operations' actions: every one is audited, refreshes the caches and shows a readable result.

Costly or live-traffic actions say what will happen and need an explicit confirmation.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import streamlit as st

from dashboard import deps, identity, reads
from dashboard.components.errors import shown_errors
from dashboard.components.text import md_escape, md_help
from services.errors import ServiceError

T = TypeVar("T")
FLASH_KEY = "ops_flash"
FLASH_SECONDS = 15


def run_action(
    action: str,
    target: str,
    params: Mapping[str, Any],
    call: Callable[[], T],
    *,
    failure: str,
    note: Callable[[T], str] | None = None,
    refused: list[str] | None = None,
) -> T | None:
    """Call the backend inside ``store.audit``; a ServiceError becomes st.error (and an audit
    row with result 'error'), its text also appended to ``refused`` when given (a form shows
    it at the field it names). Returns the call's result, or None when it failed or the user
    may not act (then the refused attempt is audited)."""
    if not identity.permit(action, target, params):
        return None
    store = deps.store()
    with shown_errors(failure):
        with store.audit(identity.actor(), action, target, params) as entry:
            try:
                result = call()
            except ServiceError as err:
                if refused is not None:
                    refused.append(str(err))
                raise
            entry.message = note(result) if note else None
        reads.invalidate()
        return result
    return None


def confirmed_button(
    prefix: str, consent: str, label: str, *, icon: str, blocked: bool = False
) -> bool:
    """A consent checkbox (``{prefix}_confirm``) and the primary button it unlocks
    (``{prefix}_button``); the button stays locked while ``blocked`` or for a role that may
    not act (its refusal is the button's help). True on the click."""
    if st.session_state.pop(f"{prefix}_reset", False):
        st.session_state[f"{prefix}_confirm"] = False  # a finished action must not stay confirmed
    confirmed = st.checkbox(consent, key=f"{prefix}_confirm")
    refusal = identity.refusal()
    return st.button(
        label,
        key=f"{prefix}_button",
        type="primary",
        icon=icon,
        disabled=not confirmed or blocked or refusal is not None,
        help=md_help(refusal),
    )


def clear_confirmation(prefix: str) -> None:
    """Uncheck ``confirmed_button``'s consent on the next run (its action has started)."""
    st.session_state[f"{prefix}_reset"] = True


def flash(message: str) -> None:
    """Keep a success message (plain text) across the reruns that show the action's effect."""
    st.session_state[FLASH_KEY] = (message, time.monotonic())


def show_flash() -> None:
    """Show the message an action left, for ``FLASH_SECONDS``: the running-work poll reruns
    the page as soon as the work it started changes, which must not wipe the message."""
    kept = st.session_state.get(FLASH_KEY)
    if not kept:
        return
    message, since = kept
    if time.monotonic() - since > FLASH_SECONDS:
        del st.session_state[FLASH_KEY]
        return
    st.success(md_escape(message), icon=":material/check_circle:")  # it names resources
