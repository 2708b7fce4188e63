"""Roles and who has them, from the ``[access]`` (and ``[auth]``) sections of the secrets.

Three modes:
- ``SIGNED_IN``: accounts or OIDC (Streamlit's ``[auth]`` for ``st.login``) are configured;
  everybody signs in, and the configuration gives each user a role.
- ``OPEN``: nothing configured and the local engine: the local demo runs as operator (the
  pages say so).
- ``LOCKED``: nothing configured and real AWS: everybody is a viewer until access is set up,
  so nobody starts paid training or changes live traffic by accident.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from services.access.passwords import DUMMY_HASH, check_format, verify_password
from services.i18n import N_, _

VIEWER, OPERATOR = "viewer", "operator"
ROLES = (VIEWER, OPERATOR)
OPEN, LOCKED, SIGNED_IN = "open", "locked", "signed-in"

HOW_TO_ENABLE = N_(
    "Actions are disabled: the dashboard is connected to AWS and no access is configured. "
    "Add an operator account with `python -m services.access add NAME` (it writes "
    ".streamlit/secrets.toml), or configure sign-in with OIDC ([auth] and [access] operators "
    "in .streamlit/secrets.toml; see .streamlit/secrets.toml.example); it applies from the next "
    "page load."
)
OPEN_NOTICE = N_(
    "Local demo: no access is configured, so everybody acts as operator. Configure accounts "
    "or OIDC in .streamlit/secrets.toml to require sign-in."
)


def account_name(name: str) -> str:
    """An account name in one Unicode form (NFC): "김철수" typed on a Mac (decomposed jamo)
    and in the secrets file (composed syllables) name the same account."""
    return unicodedata.normalize("NFC", name)


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    password_hash: str = field(repr=False)


@dataclass(frozen=True)
class Identity:
    """Who is looking, with which role; ``method``: password, oidc, local or unconfigured."""

    user: str
    role: str
    method: str
    notice: str | None = None

    @property
    def can_act(self) -> bool:
        return self.role == OPERATOR

    @property
    def refusal(self) -> str | None:
        """Why this user may not act (None for operators): shown on every disabled action."""
        if self.can_act:
            return None
        if self.method == "unconfigured":
            return _(HOW_TO_ENABLE)
        return _("{user} is a viewer: only operators may start work or change campaigns.").format(
            user=self.user
        )


def _role(value: object, where: str) -> str:
    if value not in ROLES:
        raise ValueError(f"{where}: role must be 'viewer' or 'operator', not {value!r}")
    return str(value)


def _names(value: object, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where} must be a list of e-mail addresses")
    return frozenset(v.strip().lower() for v in value)


@dataclass(frozen=True)
class AccessConfig:
    accounts: Mapping[str, Account] = field(default_factory=dict)
    operators: frozenset[str] = frozenset()  # OIDC e-mails (lower case)
    viewers: frozenset[str] = frozenset()
    default_role: str | None = None  # for OIDC users in neither list; None refuses them
    oidc: bool = False

    @classmethod
    def from_secrets(cls, secrets: Mapping[str, Any]) -> AccessConfig:
        """Parse the secrets mapping (as ``st.secrets`` or ``tomllib`` give it).

        Raises:
            ValueError: a role, list or hash is malformed (the message names where, never the
                hash itself).
        """
        access = secrets.get("access") or {}
        if not isinstance(access, Mapping):
            raise ValueError("[access] must be a table")
        accounts: dict[str, Account] = {}
        for name, entry in (access.get("accounts") or {}).items():
            where = f"[access.accounts.{name}]"
            if not isinstance(entry, Mapping) or "password_hash" not in entry:
                raise ValueError(f"{where} needs role and password_hash")
            try:
                check_format(str(entry["password_hash"]))
            except ValueError as err:
                raise ValueError(f"{where}: {err}") from None
            name = account_name(name)
            accounts[name] = Account(
                name, _role(entry.get("role", OPERATOR), where), str(entry["password_hash"])
            )
        default = access.get("default_role")
        return cls(
            accounts=accounts,
            operators=_names(access.get("operators"), "[access] operators"),
            viewers=_names(access.get("viewers"), "[access] viewers"),
            default_role=None if default is None else _role(default, "[access] default_role"),
            oidc=isinstance(secrets.get("auth"), Mapping) and bool(secrets.get("auth")),
        )

    def mode(self, is_local: bool) -> str:
        if self.accounts or self.oidc:
            return SIGNED_IN
        return OPEN if is_local else LOCKED

    def role_for_email(self, email: str) -> str | None:
        """The role of an OIDC user, or None when this user may not use the dashboard."""
        key = email.strip().lower()
        if key in self.operators:
            return OPERATOR
        if key in self.viewers:
            return VIEWER
        return self.default_role

    def authenticate(self, name: str, password: str) -> Account | None:
        """The account when the password matches, else None (same cost for unknown names)."""
        account = self.accounts.get(account_name(name))
        ok = verify_password(password, account.password_hash if account else DUMMY_HASH)
        return account if ok and account is not None else None
