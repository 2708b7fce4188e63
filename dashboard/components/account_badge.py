"""The sidebar badge: which backend, account and region the pages show (never a secret)."""

from __future__ import annotations

import streamlit as st

from dashboard import reads
from dashboard.components.text import md_code, md_escape
from services.personalize.account import Account


def badge_lines(a: Account) -> list[str]:
    """The badge as Markdown lines (pure, for tests and the sidebar); the backend itself is
    named by the identity block above it (``sign_in.show_identity``)."""
    lines = []
    if a.account_id:
        lines.append(f"Account {md_code(a.account_id)} · {md_code(a.region)}")
    else:
        lines.append(f"Account unknown · {md_code(a.region)}")
    if a.principal:
        lines.append(f"as {md_code(a.principal)}")
    if a.endpoint:
        lines.append(f"endpoint {md_code(a.endpoint)}")
    return lines


def show() -> None:
    """Draw the badge in the sidebar."""
    a = reads.account()
    with st.sidebar:
        st.markdown("  \n".join(badge_lines(a)))
        if a.problem:
            st.warning(
                md_escape(f"Could not ask AWS who you are ({a.problem})"), icon=":material/key:"
            )
