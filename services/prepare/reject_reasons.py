"""Why preparing a raw export rejected a row: one template per kind of reason.

A rejected row's reason is written in English, as data: into the rejects file (a column people
open in a spreadsheet), the conversion's counts and the CLI's output. The same template, marked
for the catalogue, renders it again in the reader's language on the pages: ``reason_code``
reads a reason written here back into its kind (a stable code, e.g. ``"not_datetime"``) and
its values, which a run stores with its counts (``services.pipeline.steps.rejections``), and
``reason_in_language`` turns a code and values (or a reason text) into the reader's words. A
text this module did not write (an older run's, another tool's) is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from services.i18n import N_, _

EMPTY = "empty"
TOO_LONG = "too_long"
NOT_IN_VALUES = "not_in_values"
NOT_NUMBER = "not_number"
NOT_WHOLE = "not_whole"
NOT_BOOLEAN = "not_boolean"
NOT_DATETIME = "not_datetime"
BEFORE_1970 = "before_1970"
BLANK_ROW = "blank_row"
BLANK_LINE = "blank_line"
MALFORMED = "malformed"

# English is the data's wording (the rejects files under tests/data/raw/expected keep it).
_TEMPLATES = {
    EMPTY: N_("{field} is empty"),
    TOO_LONG: N_("{field} is longer than {limit} characters"),
    NOT_IN_VALUES: N_("{field} value is not in the mapping's values"),
    NOT_NUMBER: N_("{field} is not a number"),
    NOT_WHOLE: N_("{field} is not a whole number"),
    NOT_BOOLEAN: N_("{field} is not true/false"),
    NOT_DATETIME: N_("{field} is not a date-time or an epoch number"),
    BEFORE_1970: N_("{field} is before 1970"),
    BLANK_ROW: N_("blank row (no value in any mapped column)"),
    BLANK_LINE: N_("blank line"),
    MALFORMED: N_("malformed row: {fields} fields, the header has {width}"),
}
# What each placeholder may hold: a field name (Avro: letters, digits, _) or a count.
_VALUES = {"field": r"[A-Za-z_][A-Za-z0-9_]*", "limit": r"\d+", "fields": r"\d+", "width": r"\d+"}


def reject_reason(code: str, **values: object) -> str:
    """The English reason of ``code`` (one of this module's constants) with its values, as
    the rejects file and the counts keep it: ``reject_reason(NOT_DATETIME, field="TIMESTAMP")``
    is "TIMESTAMP is not a date-time or an epoch number".

    Raises:
        KeyError: an unknown code, or a value the template needs is missing.
    """
    return _TEMPLATES[code].format(**values)


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    def pattern(template: str) -> re.Pattern[str]:
        parts = re.split(r"\{(\w+)\}", template)  # text, name, text, name, …, text
        return re.compile(
            "".join(
                re.escape(part) if i % 2 == 0 else f"(?P<{part}>{_VALUES[part]})"
                for i, part in enumerate(parts)
            )
        )

    return tuple((code, pattern(template)) for code, template in _TEMPLATES.items())


def reason_code(text: str) -> tuple[str, dict[str, str]] | None:
    """The kind and values of a reason ``reject_reason`` wrote ("TIMESTAMP is not a date-time
    or an epoch number" → ``("not_datetime", {"field": "TIMESTAMP"})``); None for any other
    text."""
    for code, pattern in _patterns():
        found = pattern.fullmatch(text)
        if found:
            return code, found.groupdict()
    return None


def reason_in_language(
    text: str, code: str | None = None, values: Mapping[str, object] | None = None
) -> str:
    """A reason in the reader's language: from ``code`` and ``values`` when given (as a run
    stores them), else read from ``text``; ``text`` itself when neither names a known kind."""
    if code is None:
        found = reason_code(text)
        if found is None:
            return text
        code, values = found
    template = _TEMPLATES.get(code)
    if template is None:
        return text
    try:
        return _(template).format(**(values or {}))
    except (KeyError, IndexError):  # values stored without what the template needs
        return text
