"""The sign-in gate, the sidebar's "who am I", and the notice about unconfigured access."""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import deps, identity
from dashboard.components.text import md_escape
from services.access import Identity
from services.i18n import N_, _

_FAILED = "sign_in_failed"
_DEEP_LINK = "sign_in_deep_link"
# Why a password sign-in does not survive a reload (docs/access.md): Streamlit gives a
# page no way to set an HttpOnly cookie, a token readable by page scripts or carried in the
# URL would travel with every copied deep link, history entry and screenshot, so the signed
# token stays in this tab's server-side session. Streamlit's OIDC sign-in sets its own
# HttpOnly cookie, so it does survive.
PASSWORD_SESSION_NOTE = N_(
    "A password sign-in lasts while this tab stays open: reloading the page or opening a link "
    "in a new tab asks you to sign in again (the dashboard keeps no sign-in token in cookies "
    "or links, where a copied link would carry it). After signing in you land on the page "
    "the link named."
)
OIDC_SESSION_NOTE = N_("A sign-in with your identity provider survives reloads and new tabs.")
ROLE_NAMES = {"operator": N_("operator"), "viewer": N_("viewer")}


def _sign_in_form() -> None:
    config = identity.access_config()
    st.title(_("Sign in"))
    if config.oidc:
        if st.button(_("Sign in with your identity provider"), key="sign_in_oidc", type="primary"):
            try:
                st.login()
            except Exception as err:  # Authlib missing, or [auth] incomplete
                st.error(
                    _("OIDC sign-in is not available: {error}").format(error=md_escape(err)),
                    icon=":material/lock:",
                )
    if config.accounts:
        refused = st.session_state.pop(_FAILED, None)
        if refused:  # markdown of the dashboard's own words (identity.sign_in), never typed text
            st.error(refused, icon=":material/lock:")
        # A form, so Enter in either field submits it, as the button does.
        with st.form("sign_in_form", border=False):
            name = st.text_input(_("User name"), key="sign_in_name")
            password = st.text_input(_("Password"), type="password", key="sign_in_password")
            submitted = st.form_submit_button(_("Sign in"), key="sign_in_button", type="primary")
        st.caption(_(PASSWORD_SESSION_NOTE) + (f" {_(OIDC_SESSION_NOTE)}" if config.oidc else ""))
        if submitted:
            refused = identity.sign_in(name.strip(), password)
            # The typed password leaves the session either way, and so does a name that is no
            # account: it may be a password typed into the wrong field.
            del st.session_state["sign_in_password"]
            if refused and name.strip() not in config.accounts:
                del st.session_state["sign_in_name"]
            st.session_state[_FAILED] = refused
            st.rerun()
    elif not config.oidc:
        st.info(_("No way to sign in is configured."))


def _remember_deep_link() -> None:
    """Keep the page and query a signed-out visit's link named, until the sign-in succeeds.

    Every run starts in streamlit_app.py, whose gate stops before ``st.navigation`` resolves
    the link's page: the run reports the default page, and the sign-in's rerun would show the
    Overview at ``/`` (issue #10).
    """
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    name = ctx.pages_manager.intended_page_name
    if name:
        st.session_state.setdefault(_DEEP_LINK, (name, st.query_params.to_dict()))


def follow_deep_link(pages: list[StreamlitPage], shown: StreamlitPage) -> None:
    """After a sign-in, switch to the page (and query) the signed-out visit's link named."""
    link = st.session_state.pop(_DEEP_LINK, None)
    if link is None:
        return
    name, query = link
    page = next((p for p in pages if p.url_path == name), None)
    if page is not None and page.url_path != shown.url_path:
        st.switch_page(page, query_params=query)


def gate() -> Identity:
    """The current identity; without one, draw the sign-in page and stop the run."""
    try:
        who = identity.current()
    except ValueError as err:  # malformed [access]: say where, and let nobody in
        st.error(
            _("Access configuration in .streamlit/secrets.toml: {error}").format(
                error=md_escape(err)
            )
        )
        st.stop()
    if who is None:
        if identity.access_config().oidc and identity._oidc_email():
            st.error(_("Your account has no role in this dashboard: ask an operator for access."))
        _remember_deep_link()
        _sign_in_form()
        st.stop()
    return who


def show_identity(who: Identity) -> None:
    """Sidebar: who you are, your role, the backend; a notice on every page when relevant."""
    settings = deps.settings()
    where = _("local engine") if settings.is_local else f"AWS {settings.region}"
    with st.sidebar:
        role = _(ROLE_NAMES.get(who.role, who.role))
        st.markdown(f"**{md_escape(who.user)}** · {md_escape(role)}")
        st.caption(_("Backend: {where}").format(where=where))
        if who.method in ("password", "oidc") and st.button(_("Sign out"), key="sign_out"):
            identity.sign_out()
            if who.method == "oidc":
                st.logout()
            st.rerun()
    if who.notice:
        st.caption(f":material/info: {_(who.notice)}")
