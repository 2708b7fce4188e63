"""The sidebar badge: which backend, account and region the pages show (never a secret)."""

from __future__ import annotations

import streamlit as st

from dashboard import reads
from services.personalize.account import Account


def badge_lines(a: Account) -> list[str]:
    """The badge as Markdown lines (pure, for tests and the sidebar); the backend itself is
    named by the identity block above it (``sign_in.show_identity``)."""
    lines = []
    if a.account_id:
        lines.append(f"Account `{a.account_id}` · `{a.region}`")
    else:
        lines.append(f"Account unknown · `{a.region}`")
    if a.principal:
        lines.append(f"as `{a.principal}`")
    if a.endpoint:
        lines.append(f"endpoint `{a.endpoint}`")
    return lines


def show() -> None:
    """Draw the badge in the sidebar."""
    a = reads.account()
    with st.sidebar:
        st.markdown("  \n".join(badge_lines(a)))
        if a.problem:
            st.warning(f"Could not ask AWS who you are ({a.problem})", icon=":material/key:")
