"""Typed reads of a model file's JSON header (``base.load_npz`` returns it as plain JSON values).

Every loader reads its header values through these, so a value comes back in the type the
model holds, and a file written by something else (or damaged into valid JSON) fails with a
message naming the value instead of surfacing later as a wrong score or an AttributeError.
Both errors are among those ``models.training.load_model`` reports as an unreadable model.

Each reader takes the header (or a JSON object nested in it) and a key; ``default``, where a
reader has one, is returned when the key is absent (a value files written before it lack).

Raises (every reader):
    KeyError: the key is absent and no default is given.
    ValueError: the value is not of the reader's kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

HeaderMap = Mapping[str, object]  # a model file's JSON header, or an object nested in it
N = TypeVar("N", int, float)


def _value(header: HeaderMap, key: str, default: object) -> object:
    """``header[key]``; ``default`` when the key is absent and it is not None."""
    if key in header:
        return header[key]
    if default is not None:
        return default
    raise KeyError(f"the model header has no {key}")


def _wrong(key: str, value: object, kind: str) -> ValueError:
    return ValueError(f"the model header's {key} is {value!r}, not {kind}")


def _figure(
    header: HeaderMap, key: str, default: N | None, convert: Callable[[int | float | str], N]
) -> N:
    """A number, converted by ``convert`` (``int`` or ``float``); a numeric string (files of
    older versions) converts too, JSON's true and false do not."""
    value = _value(header, key, default)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _wrong(key, value, "a number")
    try:
        return convert(value)
    except ValueError:
        raise _wrong(key, value, "a number") from None


def header_int(header: HeaderMap, key: str, default: int | None = None) -> int:
    """An integer figure, e.g. ``n_items``; a float is cut to its whole part."""
    return _figure(header, key, default, int)


def header_float(header: HeaderMap, key: str, default: float | None = None) -> float:
    """A real figure, e.g. ``period_days`` (days); a whole number converts."""
    return _figure(header, key, default, float)


def header_str(header: HeaderMap, key: str) -> str:
    """A string, e.g. ``recipe_name``."""
    value = _value(header, key, None)
    if not isinstance(value, str):
        raise _wrong(key, value, "a string")
    return value


def header_bool(header: HeaderMap, key: str) -> bool:
    """A true/false value, e.g. ``incremental``."""
    value = _value(header, key, None)
    if not isinstance(value, bool):
        raise _wrong(key, value, "true or false")
    return value


def header_strings(header: HeaderMap, key: str) -> tuple[str, ...]:
    """A JSON list of strings (a tuple field is written as one), e.g. ``columns``."""
    value = _value(header, key, None)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _wrong(key, value, "a list of strings")
    return tuple(value)


def header_object(
    header: HeaderMap, key: str, default: Mapping[str, object] | None = None
) -> dict[str, object]:
    """A JSON object, e.g. a model's saved ``params``: read its values with the readers above."""
    value = _value(header, key, default)
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise _wrong(key, value, "a JSON object")
    return dict(value)
