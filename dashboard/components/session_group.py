"""The dataset group of the session: one choice shared by every page's group selector.

A page's selectbox key is dropped by Streamlit when another page draws, so each page
opened on its first group again (trial s14: Data on one group, Recommendations back on
demo-shop). A plain session-state value survives page switches; each selector opens on it
and records what the reader picks.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

SESSION_GROUP = "session_group"  # the ARN of the group last picked on any page


def chosen_group() -> str | None:
    """The ARN of the group last picked on any page (or a link's group), None before any."""
    value = st.session_state.get(SESSION_GROUP)
    return value if isinstance(value, str) else None


def choose_group(arn: str) -> None:
    """Make the group ``arn`` the one every page's selector opens on."""
    st.session_state[SESSION_GROUP] = arn


def remember_pick(key: str, arn_of: dict[str, str]) -> Callable[[], None]:
    """An ``on_change`` for the selectbox ``key``: makes its pick (an option of ``arn_of``,
    option → group ARN) the session's group. A callback runs before the page, so the pick
    is not overwritten by ``open_on`` with the group of the run before."""

    def remember() -> None:
        arn = arn_of.get(st.session_state.get(key, ""))
        if arn is not None:
            choose_group(arn)

    return remember


def open_on(key: str, value: str | None) -> None:
    """Set the selectbox ``key`` (drawn after this call) to ``value`` (the session group's
    option) unless it shows it already; None (the group is not among the options) leaves it."""
    if value is not None and st.session_state.get(key) != value:
        st.session_state[key] = value
