"""JSON text from requests and files, parsed without letting its shape crash the engine.

Personalize members that hold JSON as a string (a schema, event and item ``properties``, batch
input lines, our own ``nextToken``) are untrusted: ``json.loads`` raises ``RecursionError``,
not a ``ValueError``, on text such as ``[[[[…`` nested a few thousand deep (well within the
24,000 characters a ``properties`` member may have), which used to surface as HTTP 500.
"""

from __future__ import annotations

import json
from typing import Any


def loads(text: str | bytes) -> Any:
    """``json.loads(text)``, with nesting too deep for the parser reported as the
    ``json.JSONDecodeError`` (a ``ValueError``) every caller already handles."""
    try:
        return json.loads(text)
    except RecursionError:
        doc = text if isinstance(text, str) else text.decode("utf-8", "replace")
        raise json.JSONDecodeError("nested too deeply", doc, 0) from None
