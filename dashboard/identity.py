"""Who is using the dashboard, with which role, and the one check every action passes.

The role comes from the configuration on every run (``services.access``); session state holds
only a signed token naming the signed-in account, so setting session state or query
parameters cannot grant a role. Refused attempts are written to the audit log.
"""

from __future__ import annotations

import getpass
import logging
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import streamlit as st
from streamlit.runtime.secrets import secrets_singleton

from dashboard import deps
from dashboard.components.errors import shown_errors
from dashboard.components.text import md_escape
from services.access import (
    LOCKED,
    OPEN,
    OPERATOR,
    VIEWER,
    AccessConfig,
    Identity,
    sign_session,
    verify_session,
)
from services.access.config import HOW_TO_ENABLE, OPEN_NOTICE, account_name
from services.access.secrets_file import read_secrets_files
from services.access.throttle import client_key, user_key
from services.errors import ServiceError
from services.i18n import _
from services.store.audit_text import (
    REFUSED,
    REFUSED_LOCKED,
    WRONG_PASSWORD,
    WRONG_PASSWORD_LOCKED,
    note,
)

_log = logging.getLogger(__name__)
SESSION_KEY = "access_session"


def _secrets() -> Mapping[str, Any]:
    """The secrets as they are on disk now (docs/access.md promises they are read on every run).

    Streamlit's own ``st.secrets`` keeps what it parsed until its watcher sees a change, and
    a deleted file is never seen, so on a server the files are read here. Anything else (an
    AppTest, or secrets given programmatically) has no files: its ``st.secrets`` is used.
    """
    if st.secrets is secrets_singleton:
        return read_secrets_files(st.get_option("secrets.files"))
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml at all (StreamlitSecretNotFoundError)
        return {}


def access_config() -> AccessConfig:
    """The ``[access]``/``[auth]`` configuration (ValueError when it is malformed)."""
    return AccessConfig.from_secrets(_secrets())


@st.cache_resource(show_spinner=False)
def _session_key() -> bytes:
    # Per process: a restart signs everybody out, and no key is ever stored or shown.
    return secrets.token_bytes(32)


def _oidc_email() -> str | None:
    try:
        user = st.user
        if getattr(user, "is_logged_in", False):
            return getattr(user, "email", None)
    except Exception:  # st.user needs [auth]; without it nobody is signed in through OIDC
        _log.debug("st.user unavailable", exc_info=True)
    return None


def current() -> Identity | None:
    """The signed-in identity, or None when somebody must sign in first."""
    config = access_config()
    mode = config.mode(deps.settings().is_local)
    if mode == OPEN:
        return Identity(getpass.getuser(), OPERATOR, "local", OPEN_NOTICE)
    if mode == LOCKED:
        return Identity(getpass.getuser(), VIEWER, "unconfigured", HOW_TO_ENABLE)
    user = verify_session(_session_key(), st.session_state.get(SESSION_KEY))
    if user is not None and user in config.accounts:
        return Identity(user, config.accounts[user].role, "password")
    email = _oidc_email() if config.oidc else None
    if email:
        role = config.role_for_email(email)
        if role is not None:
            return Identity(email, role, "oidc")
    return None


def actor() -> str:
    """The name written to the audit log for whatever this session does."""
    identity = current()
    return identity.user if identity else "anonymous"


def refusal() -> str | None:
    """Why the current user may not act (None for operators): shown on disabled actions."""
    identity = current()
    return identity.refusal if identity else _("Sign in first.")


def permit(action: str, target: str | None, params: Mapping[str, Any] | None = None) -> bool:
    """The check every action makes before calling the backend: False (drawn as an error and
    audited as a refused attempt) unless the current user is an operator."""
    reason = refusal()
    if reason is None:
        return True
    _record(actor(), action, target, dict(params or {}), "error", note(REFUSED, reason=reason))
    st.error(_("Not allowed: {reason}").format(reason=md_escape(reason)), icon=":material/lock:")
    return False


def _record(
    user: str,
    action: str,
    target: str | None,
    params: Mapping[str, Any],
    result: str,
    message: str | None = None,
) -> None:
    """Audit a sign-in, sign-out or refusal; a store that cannot be written says so on the
    page instead of failing it (these change nothing in Personalize)."""
    with shown_errors(_("Not recorded in the audit log")):
        deps.store().record_action(user, action, target, params, result, message)


# The audit actor of a failed sign-in whose name is no account: what was typed may well be a
# password typed into the wrong field, so it is not written anywhere.
UNKNOWN_ACTOR = "(unknown user name)"


def _client_address() -> str | None:
    try:
        address = st.context.ip_address  # None for a browser on this machine
    except Exception:  # no request behind this run (a script run alone)
        _log.debug("no client address", exc_info=True)
        return None
    return address if isinstance(address, str) else None  # AppTest's runtime is a mock


def _seconds(wait: timedelta) -> str:
    return f"{max(1, round(wait.total_seconds())):,} s"


def sign_in(name: str, password: str) -> str | None:
    """Check an account's password: None when it matches (a signed session starts), else what
    to tell the person. Every attempt is audited, never with the password, and with the typed
    name only when it is an account (else ``UNKNOWN_ACTOR``).

    The message is markdown (the dashboard's own words). Failures are throttled per account
    name and per client (``services.access.throttle``): a locked name or client is refused
    before its password is checked. A store that cannot be read (it then records no action
    either) leaves the limit unenforced and is logged; the password is still checked.
    """
    config = access_config()
    name = account_name(name)
    actor = name if name in config.accounts else UNKNOWN_ACTOR
    keys = (user_key(name, config.accounts), client_key(_client_address()))
    where = {"client": keys[1].removeprefix("client:")}  # which address tried, for the audit
    throttle = wait = None
    try:
        throttle = deps.throttle()
        wait = throttle.wait(keys)
    except ServiceError as err:  # a store that cannot be read records no action either
        _log.warning("failed sign-ins cannot be counted: %s", err)
    if wait is not None:
        _record(actor, "sign_in", None, where, "error", note(REFUSED_LOCKED, wait=_seconds(wait)))
        return _("Too many failed sign-ins: try again in {wait}.").format(wait=_seconds(wait))
    account = config.authenticate(name, password)
    if account is None:
        lock = None
        with shown_errors(_("Failed sign-ins could not be counted")):
            lock = throttle.failed(keys) if throttle else None
        wrong = note(WRONG_PASSWORD_LOCKED, wait=_seconds(lock)) if lock else note(WRONG_PASSWORD)
        _record(actor, "sign_in", None, where, "error", wrong)
        if lock:
            return _("Wrong user name or password. Too many failures: wait {wait}.").format(
                wait=_seconds(lock)
            )
        return _("Wrong user name or password.")
    with shown_errors(_("Earlier failed sign-ins could not be cleared")):
        if throttle:
            throttle.succeeded(keys[0])
    st.session_state[SESSION_KEY] = sign_session(_session_key(), account.name)
    _record(account.name, "sign_in", None, {"role": account.role}, "ok")
    return None


def sign_out() -> None:
    identity = current()
    st.session_state.pop(SESSION_KEY, None)
    if identity is not None:
        _record(identity.user, "sign_out", None, {}, "ok")
