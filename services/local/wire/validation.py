"""Requests checked against botocore's service model, answered as AWS's front end answers them.

Every constraint of an input shape (required, length, range, pattern, enum) is checked and
every violation is reported, as AWS services do before an operation runs:

- HTTP 400 ``ValidationException`` with ``"1 validation error detected: Value 'x' at 'name'
  failed to satisfy constraint: Member must ..."``; several violations are counted
  (``"3 validation errors detected: "``) and joined with ``"; "``.
- A missing required member is ``Value null at 'member' ... Member must not be null``.
- A member sent as JSON ``null`` is absent, everywhere: ``validate`` removes it from the
  request, so no handler ever sees a ``None`` where the model has a value (the awsJson1.1 and
  restJson1 deserializers treat a null structure member as unset).
- Paths: nested members are joined with ``.``; a list of structures names its element as
  ``tags.1.member.tagKey`` (1-based); a list of scalars is reported once, with the element
  shape's constraints: ``Member must satisfy constraint: [Member must have length ...]``; maps
  report ``Map keys must satisfy constraint: [...]`` and ``Map value must satisfy constraint:
  [...]`` once each, keys first.
- Values print as Java does (``[a, b]``, ``{k=v}``); a sensitive member's value is left out
  (``Value at 'tags.1.member.tagKey'``), and so is a list of sensitive members.
- A member of the wrong JSON type is ``SerializationException`` (HTTP 400), as the awsJson
  and restJson front ends answer before validation.

Sources: Amazon Personalize API reference, "Common Errors" (ValidationException: "The input
fails to satisfy the constraints specified by an AWS service", HTTP 400; SerializationException
is the protocol's answer to a body it cannot read); the constraint texts are those AWS front
ends send (as quoted in AWS SDK and CLI problem reports, e.g. aws/aws-cli#790); the constraints
themselves are botocore's model ``metadata`` (``min``/``max``/``pattern``/``enum``/
``sensitive``). Members the model does not know are refused (InvalidInputException); boto3
refuses them before sending.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from botocore.model import Shape

from services.local.errors import InvalidInput, SerializationFailed, ValidationFailed

# Java regex classes that Python's re lacks, written so they also work inside a [...] class
# (the tag patterns are [\p{L}\p{Z}\p{N}_.:/=+\-@]). \w is str.isalnum() plus "_", i.e. \p{L}
# and \p{N} together with "_", which those patterns allow anyway; \p{Z} is listed exactly
# (Zs, Zl, Zp), since \s would also let \t \n \r and other controls through.
_JAVA_CLASSES = {
    r"\p{ASCII}": r"[\x00-\x7F]",  # used outside a class (NextToken)
    r"\p{L}": r"\w",
    r"\p{Z}": r"\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000",
    r"\p{N}": r"\d",
}
_NUMBERS = ("integer", "long", "float", "double")
_CONTAINERS = ("structure", "list", "map")


def validate(shape: Shape, value: Any) -> None:
    """Check a request against its operation's input shape, and drop its null members.

    ``value`` is changed in place: every structure member whose value is ``None`` (JSON
    ``null``), at any depth, is removed, so a handler's ``params.get(name, default)`` sees an
    absent member, as AWS's deserializers do.

    Raises:
        ValidationFailed: one or more constraints fail (all are listed, in model order).
        SerializationFailed: a member has the wrong JSON type.
        InvalidInput: a member the model does not have.
    """
    found: list[str] = []
    _check(shape, value, "", found)
    if found:
        count = "1 validation error" if len(found) == 1 else f"{len(found)} validation errors"
        raise ValidationFailed(f"{count} detected: " + "; ".join(found))


def constraints(shape: Shape) -> list[str]:
    """The constraints of a scalar shape, phrased as AWS phrases them (max before min)."""
    meta = shape.metadata
    kind = shape.type_name
    out: list[str] = []
    what = "value" if kind in _NUMBERS else "length"
    if meta.get("max") is not None:
        out.append(f"Member must have {what} less than or equal to {_bound(shape, meta['max'])}")
    if meta.get("min") is not None:
        out.append(f"Member must have {what} greater than or equal to {_bound(shape, meta['min'])}")
    if meta.get("pattern"):
        out.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
    if kind == "string" and shape.enum:
        out.append(f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")
    return out


def _check(shape: Shape, value: Any, path: str, found: list[str]) -> None:
    kind = shape.type_name
    if kind == "structure":
        _check_structure(shape, value, path, found)
    elif kind == "list":
        _check_list(shape, value, path, found)
    elif kind == "map":
        _check_map(shape, value, path, found)
    else:
        _type_check(shape, value, path)
        found.extend(_violation(shape, value, path, c) for c in _broken(shape, value))


def _check_structure(shape: Shape, value: Any, path: str, found: list[str]) -> None:
    if not isinstance(value, dict):
        raise SerializationFailed(f"Expected an object at '{path or shape.name}'.")
    unknown = [key for key in value if key not in shape.members]
    if unknown:
        raise InvalidInput(f"Unknown parameter '{_join(path, unknown[0])}'")
    required = set(shape.required_members)
    for name, member in shape.members.items():
        where = _join(path, name)
        if value.get(name) is None:
            value.pop(name, None)  # null is absent: handlers never see a None member
            if name in required:
                found.append(
                    f"Value null at '{where}' failed to satisfy constraint: Member must not be null"
                )
            continue
        _check(member, value[name], where, found)


def _check_list(shape: Shape, value: Any, path: str, found: list[str]) -> None:
    if not isinstance(value, list):
        raise SerializationFailed(f"Expected a list at '{path}'.")
    found.extend(_violation(shape, value, path, c) for c in _broken(shape, value))
    member = shape.member
    if member.type_name in _CONTAINERS:
        for i, item in enumerate(value, start=1):
            _check(member, item, f"{path}.{i}.member", found)
        return
    for item in value:
        _type_check(member, item, path)
    if any(_broken(member, item) for item in value):
        rules = ", ".join(constraints(member))
        found.append(_violation(member, value, path, f"Member must satisfy constraint: [{rules}]"))


def _check_map(shape: Shape, value: Any, path: str, found: list[str]) -> None:
    if not isinstance(value, dict):
        raise SerializationFailed(f"Expected a map at '{path}'.")
    found.extend(_violation(shape, value, path, c) for c in _broken(shape, value))
    nested = shape.value.type_name in _CONTAINERS
    for key, item in value.items():
        _type_check(shape.key, key, path)
        if nested:  # a map of lists (metadataColumns, includedDatasetColumns): check each
            _check(shape.value, item, _join(path, key), found)
        else:
            _type_check(shape.value, item, path)
    hidden = _sensitive(shape.key) or _sensitive(shape.value)
    aspects = [("Map keys", shape.key, list(value))]
    if not nested:
        aspects.append(("Map value", shape.value, list(value.values())))
    for aspect, part, items in aspects:
        if any(_broken(part, item) for item in items):
            rules = ", ".join(constraints(part))
            constraint = f"{aspect} must satisfy constraint: [{rules}]"
            found.append(_violation(shape, value, path, constraint, hidden=hidden))


def _type_check(shape: Shape, value: Any, path: str) -> None:
    kind = shape.type_name
    if kind == "string":
        ok = isinstance(value, str)
    elif kind in ("integer", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind in ("float", "double"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind == "timestamp":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    else:
        ok = True
    if not ok:
        raise SerializationFailed(
            f"The value at '{path}' is a {type(value).__name__}; the model expects a {kind}."
        )


def _broken(shape: Shape, value: Any) -> list[str]:
    """The constraints ``value`` fails (min, max, pattern, enum; each once)."""
    meta = shape.metadata
    kind = shape.type_name
    if kind in ("string", "list", "map"):
        size: float = len(value)
        what = "length"
    elif kind in _NUMBERS:
        size = value
        what = "value"
    else:
        return []
    out: list[str] = []
    low, high = meta.get("min"), meta.get("max")
    if low is not None and size < low:
        out.append(f"Member must have {what} greater than or equal to {_bound(shape, low)}")
    if high is not None and size > high:
        out.append(f"Member must have {what} less than or equal to {_bound(shape, high)}")
    if kind == "string":
        pattern = meta.get("pattern")
        if pattern and not _pattern(pattern).fullmatch(value):
            out.append(f"Member must satisfy regular expression pattern: {pattern}")
        if shape.enum and value not in shape.enum:
            out.append(f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")
    return out


def _violation(
    shape: Shape, value: Any, path: str, constraint: str, *, hidden: bool = False
) -> str:
    shown = "Value" if hidden or _sensitive(shape) else f"Value '{_java(value)}'"
    return f"{shown} at '{path}' failed to satisfy constraint: {constraint}"


def _sensitive(shape: Shape) -> bool:
    """A sensitive shape, or a list of sensitive members (PutEvents' ``impression`` of item
    IDs): printing the list would print the values the model hides."""
    if shape.type_name == "list" and _sensitive(shape.member):
        return True
    return bool(shape.metadata.get("sensitive"))


def _java(value: Any) -> str:
    """``value`` as Java's toString prints it (the text AWS's messages quote)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_java(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_java(k)}={_java(v)}" for k, v in value.items()) + "}"
    return str(value)


def _bound(shape: Shape, bound: float) -> str:
    return str(float(bound)) if shape.type_name in ("float", "double") else str(int(bound))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    for java, py in _JAVA_CLASSES.items():
        pattern = pattern.replace(java, py)
    return re.compile(pattern)
