"""The sidebar badge: which backend, account and region the pages show (never a secret)."""

from __future__ import annotations

import streamlit as st

from dashboard import reads
from dashboard.components.text import md_code, md_escape
from services.i18n import _
from services.personalize.account import Account


def badge_lines(a: Account) -> list[str]:
    """The badge as Markdown lines (pure, for tests and the sidebar); the backend itself is
    named by the identity block above it (``sign_in.show_identity``)."""
    lines = []
    if a.account_id:
        lines.append(
            _("Account {account} · {region}").format(
                account=md_code(a.account_id), region=md_code(a.region)
            )
        )
    else:
        lines.append(_("Account unknown · {region}").format(region=md_code(a.region)))
    if a.principal:
        lines.append(_("as {principal}").format(principal=md_code(a.principal)))
    if a.endpoint:
        lines.append(_("endpoint {endpoint}").format(endpoint=md_code(a.endpoint)))
    return lines


def show() -> None:
    """Draw the badge in the sidebar."""
    a = reads.account()
    with st.sidebar:
        st.markdown("  \n".join(badge_lines(a)))
        if a.problem:
            st.warning(
                _("Could not ask AWS who you are ({problem})").format(problem=md_escape(a.problem)),
                icon=":material/key:",
            )
