"""The sidebar badge: which backend, account and region the pages show (never a secret)."""

from __future__ import annotations

import streamlit as st

from dashboard import deps
from services.account import Account, current_account

ACCOUNT_TTL = 3600  # the account behind the credentials does not change while we run


@st.cache_data(ttl=ACCOUNT_TTL, show_spinner=False)
def account() -> Account:
    """The account facts, asked once an hour (STS GetCallerIdentity on AWS)."""
    return current_account(deps.settings())


def badge_lines(a: Account) -> list[str]:
    """The badge as Markdown lines (pure, for tests and the sidebar)."""
    backend = "Local engine" if a.backend == "local" else "Amazon Personalize"
    lines = [f"**{backend}**"]
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
    a = account()
    with st.sidebar:
        st.markdown("  \n".join(badge_lines(a)))
        if a.problem:
            st.warning(f"Could not ask AWS who you are ({a.problem})", icon=":material/key:")
