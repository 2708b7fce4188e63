"""The local engine's filter-expression errors in the reader's language.

The engine answers CreateFilter (and the rule playground's check) as Personalize does, with an
English ``InvalidInputException`` message: "Invalid filterExpression: unexpected character
'#' at position 30 (near 'Items.CATEGORY IN (#')". The pages translate the messages they
know by their pattern here, at display time, and keep the engine's own text beside them; a
message no pattern knows (or AWS's own wording) is shown as it came.
"""

from __future__ import annotations

import re

from services.i18n import N_, _

_PREFIX = r"(?:Invalid filterExpression: )?"
_NEAR = r"at position (?P<pos>\d+) \(near (?P<near>.*)\)"
# (pattern over the engine's whole message, the catalogue's template of its named groups);
# the engine's texts are in services/local/filters (tokens.py, parse.py, schema_check.py).
_KNOWN: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(rf"{_PREFIX}unexpected character (?P<char>'.*?'|\".*?\") {_NEAR}.*", re.S),
        N_("Unexpected character {char} at position {pos} (near {near})."),
    ),
    (
        re.compile(rf"{_PREFIX}unbalanced parentheses: '\(' is never closed {_NEAR}", re.S),
        N_("A '(' is never closed: at position {pos} (near {near})."),
    ),
    (
        re.compile(rf"{_PREFIX}unbalanced parentheses: '\)' has no matching '\(' {_NEAR}", re.S),
        N_("A ')' has no matching '(': at position {pos} (near {near})."),
    ),
    (
        re.compile(rf"{_PREFIX}empty string value {_NEAR}", re.S),
        N_("An empty string value at position {pos} (near {near})."),
    ),
    (
        re.compile(rf"{_PREFIX}'\$' must start a parameter name {_NEAR}", re.S),
        N_("'$' must start a parameter name: at position {pos} (near {near})."),
    ),
    (
        re.compile(
            rf"{_PREFIX}the filter expression is (?P<length>\d+) characters long; "
            r"the limit is (?P<limit>\d+)",
            re.S,
        ),
        N_("The expression is {length} characters long; Personalize takes at most {limit}."),
    ),
    (
        re.compile(
            rf"{_PREFIX}(?P<ref>\S+): the (?P<dataset>\w+) schema has no field (?P<field>'.*?')"
            r".*?; its fields are (?P<fields>.*)",
            re.S,
        ),
        N_("{ref}: the {dataset} schema has no field {field}; its fields are {fields}."),
    ),
)


def readable_filter_error(message: str) -> str | None:
    """``message`` (the engine's filter-expression error) in the reader's language, or None
    when no known pattern matches it (show it as it came)."""
    for pattern, template in _KNOWN:
        found = pattern.fullmatch(message.strip())
        if found:
            return _(template).format(**found.groupdict())
    return None
