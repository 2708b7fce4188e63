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
    """The setup as TOML text (UTF-8; Hangul names and expressions are kept as they are).

    Every resource is written as a ``[[kind]]`` table, whatever its length, so a reviewer
    adds one the same way; its tables (hyperparameters) are written inline, on its own
    lines. tomli-w writes each value, so quoting and escapes are its."""
    out = [HEADER, f"version = {VERSION}\n"]
    dumped = setup.model_dump(by_alias=True, exclude_none=True)
    for kind, items in dumped.items():
        if kind == "version":
            continue
        for item in items:
            out.append(f"\n[[{kind}]]\n")
            for key, value in item.items():
                if value in ({}, []) or (kind == "schemas" and key == "file"):
                    continue  # empty tables say nothing; schemas are written inline
                out.append(_line(key, value))
    return "".join(out)


def _line(key: str, value: Any) -> str:
    if isinstance(value, dict):
        inner = ", ".join(_line(k, v).strip() for k, v in value.items())
        return f"{_line(key, 0).partition('=')[0]}= {{ {inner} }}\n"
    return tomli_w.dumps({key: value}, multiline_strings=True)
