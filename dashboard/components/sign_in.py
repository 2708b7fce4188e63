"""The sign-in gate, the sidebar's "who am I", and the notice about unconfigured access."""

from __future__ import annotations

import streamlit as st

from dashboard import deps, identity
from services.access import Identity

_FAILED = "sign_in_failed"
# Why a password sign-in does not survive a reload (README, "Who may act"): Streamlit gives a
# page no way to set an HttpOnly cookie, a token readable by page scripts or carried in the
# URL would travel with every copied deep link, history entry and screenshot, so the signed
# token stays in this tab's server-side session. Streamlit's OIDC sign-in sets its own
# HttpOnly cookie, so it does survive.
PASSWORD_SESSION_NOTE = (
    "A password sign-in lasts while this tab stays open: reloading the page or opening a link "
    "in a new tab asks you to sign in again (the dashboard keeps no sign-in token in cookies "
    "or links, where a copied link would carry it). After signing in you land on the page "
    "the link named."
)
OIDC_SESSION_NOTE = "A sign-in with your identity provider survives reloads and new tabs."


def _sign_in_form() -> None:
    config = identity.access_config()
    st.title("Sign in")
    if config.oidc:
        if st.button("Sign in with your identity provider", key="sign_in_oidc", type="primary"):
            try:
                st.login()
            except Exception as err:  # Authlib missing, or [auth] incomplete
                st.error(f"OIDC sign-in is not available: {err}", icon=":material/lock:")
    if config.accounts:
        if st.session_state.pop(_FAILED, False):
            st.error("Wrong user name or password.", icon=":material/lock:")
        name = st.text_input("User name", key="sign_in_name")
        password = st.text_input("Password", type="password", key="sign_in_password")
        st.caption(PASSWORD_SESSION_NOTE + (f" {OIDC_SESSION_NOTE}" if config.oidc else ""))
        if st.button("Sign in", key="sign_in_button", type="primary"):
            ok = identity.sign_in(name.strip(), password)
            # The typed password leaves the session either way.
            del st.session_state["sign_in_password"]
            st.session_state[_FAILED] = not ok
            st.rerun()
    elif not config.oidc:
        st.info("No way to sign in is configured.")


def gate() -> Identity:
    """The current identity; without one, draw the sign-in page and stop the run."""
    try:
        who = identity.current()
    except ValueError as err:  # malformed [access]: say where, and let nobody in
        st.error(f"Access configuration in .streamlit/secrets.toml: {err}")
        st.stop()
    if who is None:
        if identity.access_config().oidc and identity._oidc_email():
            st.error("Your account has no role in this dashboard: ask an operator for access.")
        _sign_in_form()
        st.stop()
    return who


def show_identity(who: Identity) -> None:
    """Sidebar: who you are, your role, the backend; a notice on every page when relevant."""
    settings = deps.settings()
    where = "local engine" if settings.is_local else f"AWS {settings.region}"
    with st.sidebar:
        st.markdown(f"**{who.user}** · {who.role}")
        st.caption(f"Backend: {where}")
        if who.method in ("password", "oidc") and st.button("Sign out", key="sign_out"):
            identity.sign_out()
            if who.method == "oidc":
                st.logout()
            st.rerun()
    if who.notice:
        st.caption(f":material/info: {who.notice}")
