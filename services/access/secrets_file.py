"""Read the secrets files (``.streamlit/secrets.toml``) afresh, as the access configuration
needs on every run.

Streamlit parses its secrets once and reloads them only when its file watcher sees a change;
a deleted file stops that watcher and the old values stay until a restart. Reading the few
small TOML files on every run costs well under a millisecond and makes an added, changed or
deleted file count at the next page load.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def read_secrets_files(paths: Iterable[str | Path]) -> dict[str, Any]:
    """The tables of the ``.toml`` files that exist, merged in order (a later file's top-level
    key wins, as in Streamlit's ``secrets.files``); ``{}`` when none exists.

    Raises:
        ValueError: a file is not valid TOML (the message names the file and the position,
            never its content).
    """
    merged: dict[str, Any] = {}
    for raw in paths:
        path = Path(raw)
        if path.suffix != ".toml" or not path.is_file():
            continue
        try:
            merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:  # deleted between the check and the read
            continue
        except tomllib.TOMLDecodeError as err:
            raise ValueError(f"{path} is not valid TOML ({err})") from None
    return merged
