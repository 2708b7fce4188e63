"""A request body, from bytes to a JSON object, or a 4xx error saying what is wrong with it.

Both ways into the engine (the HTTP endpoint and the in-process hook) parse bodies here, before
validation against the operation's input shape (``protocol.validate``). Like AWS's own
services (the Smithy protocol tests for malformed requests, ``malformedRequests/`` of
smithy-aws-protocol-tests), a body that is not UTF-8 JSON, or is JSON that cannot map to an
input structure (not an object, a number no double or long holds), is a 400
``SerializationException``; a body over ``MAX_BODY_BYTES`` is refused unread by the server
(``RequestEntityTooLargeException``, 413).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from services.local.errors import SerializationFailed

# Larger than any valid Personalize request: the largest, GetPersonalizedRanking with 500
# item IDs of 256 characters or PutItems with 10 items of 24 KB properties, stays under 300 KB.
MAX_BODY_BYTES = 1024 * 1024
# Personalize's input shapes nest at most 6 levels (CreateSolution → solutionConfig →
# hpoConfig → algorithmHyperParameterRanges → integerHyperParameterRanges → [] → {}).
MAX_DEPTH = 32
_LONG = 2**63  # integers must fit a long (the widest integer shape)
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_body(body: bytes) -> dict[str, Any]:
    """The JSON object in ``body`` (an empty body is ``{}``).

    Raises:
        SerializationFailed: not UTF-8; not JSON (NaN and Infinity are not JSON); not an
            object; nested deeper than ``MAX_DEPTH``; a number beyond a double or a long; a
            string with an unpaired surrogate escape.
    """
    if not body.strip():
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise SerializationFailed(f"The request body is not UTF-8 (byte {err.start}).") from err
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_double, parse_int=_long)
    except json.JSONDecodeError as err:
        raise SerializationFailed(
            f"The request body is not JSON: {err.msg} at line {err.lineno} column {err.colno}."
        ) from err
    except RecursionError as err:
        raise SerializationFailed(
            f"The request body nests deeper than {MAX_DEPTH} levels."
        ) from err
    if not isinstance(value, dict):
        raise SerializationFailed(
            f"The request body must be a JSON object, not {type(value).__name__}."
        )
    _check_tree(value)
    return value


def _no_constant(name: str) -> Any:
    raise SerializationFailed(f"The request body is not JSON: {name} is not a JSON number.")


def _double(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise SerializationFailed(f"The number {text[:40]} does not fit a double.")
    return value


def _long(text: str) -> int:
    if len(text.lstrip("-")) > 19:  # before int(): a long has at most 19 digits
        raise SerializationFailed(f"The number {text[:40]}… does not fit a long.")
    value = int(text)
    if not -_LONG <= value < _LONG:
        raise SerializationFailed(f"The number {text} does not fit a long.")
    return value


def _check_tree(root: dict[str, Any]) -> None:
    """Depth and strings of every node, without recursion (the tree is untrusted)."""
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SerializationFailed(f"The request body nests deeper than {MAX_DEPTH} levels.")
        if isinstance(node, dict):
            for key, child in node.items():
                _check_text(key)
                stack.append((child, depth + 1))
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
        elif isinstance(node, str):
            _check_text(node)


def _check_text(text: str) -> None:
    # JSON allows "\ud800" escapes; such a string cannot be stored or sent back as UTF-8.
    if _SURROGATE.search(text):
        raise SerializationFailed("The request body has a string with an unpaired surrogate.")
