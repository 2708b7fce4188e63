"""Who may act: viewer and operator roles, operator passwords, signed sessions.

Nothing here imports streamlit: the dashboard reads ``.streamlit/secrets.toml`` and hands the
mapping to ``AccessConfig.from_secrets``; ``python -m services.access add`` adds an account.
"""

from services.access.config import (
    LOCKED,
    OPEN,
    OPERATOR,
    ROLES,
    SIGNED_IN,
    VIEWER,
    AccessConfig,
    Account,
    Identity,
)
from services.access.passwords import hash_password, verify_password
from services.access.sessions import sign_session, verify_session

__all__ = [
    "LOCKED",
    "OPEN",
    "OPERATOR",
    "ROLES",
    "SIGNED_IN",
    "VIEWER",
    "AccessConfig",
    "Account",
    "Identity",
    "hash_password",
    "sign_session",
    "verify_password",
    "verify_session",
]
