"""Users: USER_ID plus metadata (the shared metadata checks do the rest)."""

from __future__ import annotations

from .items import MetadataChecker


class UsersChecker(MetadataChecker):
    """Checks a Users dataset."""

    dataset_type = "users"
    special = ("USER_ID",)
    id_name = "USER_ID"
