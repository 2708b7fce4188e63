"""Widget keys of one dataset group (or campaign): what a switch of group must draw afresh.

Streamlit keeps a keyed widget's value when its options or default change between reruns,
and the browser keeps the label it showed: a selectbox keyed "cmp_a" over one group's versions
went on showing the previous group's version names (trial s13). A key that names the group
gives each group its own widget, opened on that group's default.
"""

from __future__ import annotations

import streamlit as st


def scoped(key: str, *scope: str) -> str:
    """``key`` for the group (campaign, …) named by ``scope``: e.g. ``scoped("cmp_a", arn)``
    is ``"cmp_a@arn"``."""
    return "@".join((key, *scope))


def follow_default(key: str, default: str, scope: str) -> None:
    """Let the text widget ``key`` (drawn after this call, without ``value=``) show
    ``default``, the group ``scope``'s value (its sampled users, its most popular item): a
    switch of group refills it; in the same group a new default (a new sample) replaces the
    value until the person edits it, and an edited value is kept.

    The key stays the same (unlike ``scoped``): a text widget shows what session state says,
    so setting the value is enough to redraw it."""
    given = f"{key}__default"
    before = st.session_state.get(given)
    if (
        key not in st.session_state
        or before is None
        or before[0] != scope
        or st.session_state[key] == before[1]
    ):
        st.session_state[key] = default
    st.session_state[given] = (scope, default)
