"""Writing a setup file: the account read by ``state.read_account`` as TOML.

Round trip: ``parse(to_toml(read_account(p).setup))`` equals what was read, so a plan right
after an export shows no change. Fields at their absent value (None, empty tables) are left
out; schemas are written inline (``definition``), hyperparameters as the strings Personalize
holds.
"""

from __future__ import annotations

from typing import Any

import tomli_w

from services.setup_file.model import VERSION, SetupFile

HEADER = (
    "# The Personalize setup: schemas, dataset groups and what they hold, by name.\n"
    "# Fields: docs/setup-file.md. Check with: python -m services.setup_file plan FILE\n"
)


def to_toml(setup: SetupFile) -> str:
    """The setup as TOML text (UTF-8; Hangul names and expressions are kept as they are)."""
    body: dict[str, Any] = {"version": VERSION}
    dumped = setup.model_dump(by_alias=True, exclude_none=True)
    for kind, items in dumped.items():
        if kind == "version" or not items:
            continue
        body[kind] = [_tidy(item) for item in items]
    for schema in body.get("schemas", []):
        schema.pop("file", None)
    return HEADER + tomli_w.dumps(body, multiline_strings=True)


def _tidy(item: dict[str, Any]) -> dict[str, Any]:
    # Empty tables (no hyperparameters) say nothing; leave them out.
    return {k: v for k, v in item.items() if v != {} and v != []}
