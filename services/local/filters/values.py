"""Parse GetRecommendations' ``filterValues``: the values a filter's $PARAMs take."""

from __future__ import annotations

import re
from collections.abc import Mapping

from services.local.filters.expression import (
    MAX_FILTER_VALUE_CHARS,
    MAX_FILTER_VALUES,
    FilterExpressionError,
)
from services.local.filters.tokens import NUMBER_RE

_PARAM_KEY_RE = re.compile(r"^[A-Za-z0-9_]{1,50}$")


def parse_filter_values(raw: Mapping[str, str] | None) -> dict[str, list[str]]:
    """Parse GetRecommendations ``filterValues``: ``{"GENRES": '"comedy","drama"'}``.

    Each value is a comma-separated list of double-quoted strings; bare numbers are also
    accepted for numeric parameters (``"10"`` or ``10``).

    Raises:
        FilterExpressionError: for a bad key, an empty or over-long value, or bad quoting.
    """
    if not raw:
        return {}
    if not isinstance(raw, Mapping):
        raise FilterExpressionError("filterValues must be a map of parameter name to values")
    if len(raw) > MAX_FILTER_VALUES:
        raise FilterExpressionError(
            f"filterValues has {len(raw)} parameters; the limit is {MAX_FILTER_VALUES}"
        )
    parsed: dict[str, list[str]] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not _PARAM_KEY_RE.match(key):
            hint = " (leave out the '$')" if isinstance(key, str) and key.startswith("$") else ""
            raise FilterExpressionError(
                f"filterValues key {key!r} must be 1-50 letters, digits or underscores{hint}"
            )
        if not isinstance(value, str):
            raise FilterExpressionError(f"filterValues[{key!r}] must be a string")
        if len(value) > MAX_FILTER_VALUE_CHARS:
            raise FilterExpressionError(
                f"filterValues[{key!r}] is {len(value)} characters long; "
                f"the limit is {MAX_FILTER_VALUE_CHARS}"
            )
        parsed[key] = _split_values(key, value)
    return parsed


def _split_values(key: str, value: str) -> list[str]:
    example = '"\\"comedy\\",\\"drama\\""'
    out: list[str] = []
    i, n = 0, len(value)
    while True:
        while i < n and value[i].isspace():
            i += 1
        if i >= n:
            what = "is empty" if not out else "ends with ','"
            raise FilterExpressionError(f"filterValues[{key!r}] {what}; e.g. {example}")
        if value[i] == '"':
            end = value.find('"', i + 1)
            if end < 0:
                raise FilterExpressionError(
                    f"filterValues[{key!r}]: unterminated quote at position {i}"
                )
            out.append(value[i + 1 : end])
            i = end + 1
        else:
            end = value.find(",", i)
            end = n if end < 0 else end
            bare = value[i:end].strip()
            if not NUMBER_RE.fullmatch(bare):
                raise FilterExpressionError(
                    f"filterValues[{key!r}]: {bare!r} must be double-quoted; e.g. {example}"
                )
            out.append(bare)
            i = end
        while i < n and value[i].isspace():
            i += 1
        if i >= n:
            return out
        if value[i] != ",":
            raise FilterExpressionError(
                f"filterValues[{key!r}]: expected ',' between values at position {i}"
            )
        i += 1
