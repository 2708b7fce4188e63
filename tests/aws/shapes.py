"""Responses built from botocore's output shapes, so stubbed answers look like AWS's.

``response(service, method, overrides)`` walks the operation's output shape: every required
member gets a value of its type (enums their first value, ARNs an ARN, lengths within
min/max), and ``overrides`` — only what the code under test reads — are merged in and checked
against the model: an unknown member, a value outside an enum, too long a string or one not
matching the model's pattern raises at once. So a test cannot queue a response AWS would never
send, and never copies the local engine's output.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape
from botocore.response import StreamingBody

from tests.aws.operations import methods

ACCOUNT = "123456789012"
REGION = "us-east-1"
WHEN = datetime(2024, 1, 1, tzinfo=UTC)


class ShapeError(ValueError):
    """An override that the service model does not allow."""


@cache
def operation_model(service: str, method: str) -> OperationModel:
    model = botocore.session.get_session().get_service_model(service)
    return model.operation_model(methods(service)[method])


def _string(shape: Shape, member: str) -> str:
    enum = shape.enum
    if enum:
        return enum[0]
    lowered = member.lower()
    if lowered.endswith("arn"):
        value = f"arn:aws:personalize:{REGION}:{ACCOUNT}:{lowered[:-3] or 'resource'}/generated"
    else:
        value = member or "value"
    low = shape.metadata.get("min", 0)
    return value.ljust(low, "x")[: shape.metadata.get("max", len(value) or 1)]


def _check_string(shape: Shape, value: str, path: str) -> None:
    if shape.enum and value not in shape.enum:
        raise ShapeError(f"{path}={value!r} is not one of {shape.enum}")
    high = shape.metadata.get("max")
    if high is not None and len(value) > high:
        raise ShapeError(f"{path} is longer than {high} characters")
    pattern = shape.metadata.get("pattern")
    if pattern:
        try:
            compiled = re.compile(pattern)
        except re.error:  # a Java-only construct: botocore does not check it either
            return
        if not compiled.search(value):
            raise ShapeError(f"{path}={value!r} does not match {pattern!r}")


def build(shape: Shape, override: Any = None, path: str = "", member: str = "") -> Any:
    """A value of ``shape``: ``override`` checked against it, required members filled in."""
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        given = override or {}
        if not isinstance(given, dict):
            raise ShapeError(f"{path or shape.name} is a structure, not {type(given).__name__}")
        unknown = set(given) - set(shape.members)
        if unknown:
            raise ShapeError(
                f"{path or shape.name} has no member {sorted(unknown)}; "
                f"it has {sorted(shape.members)}"
            )
        names = [m for m in shape.members if m in given or m in shape.required_members]
        return {
            name: build(shape.members[name], given.get(name), f"{path}.{name}".lstrip("."), name)
            for name in names
        }
    if isinstance(shape, ListShape):
        items = override or []
        return [build(shape.member, x, f"{path}[{i}]", member) for i, x in enumerate(items)]
    if isinstance(shape, MapShape):
        return {
            build(shape.key, k, f"{path}.key", "key"): build(shape.value, v, f"{path}[{k}]", k)
            for k, v in (override or {}).items()
        }
    if kind == "string":
        if override is None:
            return _string(shape, member)
        _check_string(shape, str(override), path)
        return override
    if kind in ("integer", "long"):
        return int(override) if override is not None else max(shape.metadata.get("min", 0), 1)
    if kind in ("float", "double"):
        return float(override) if override is not None else 0.0
    if kind == "boolean":
        return bool(override)
    if kind == "timestamp":
        return override if override is not None else WHEN
    if kind == "blob":
        data = override if override is not None else b""
        if shape.serialization.get("streaming") or shape.metadata.get("streaming"):
            return StreamingBody(io.BytesIO(data), len(data))
        return data
    raise ShapeError(f"{path}: no example for shape type {kind}")


def response(service: str, method: str, overrides: dict[str, Any] | None = None) -> dict:
    """The output of ``service.method`` with ``overrides`` merged into a model-shaped answer."""
    shape = operation_model(service, method).output_shape
    if shape is None:
        if overrides:
            raise ShapeError(f"{service}.{method} has no output; pass no overrides")
        return {}
    return build(shape, overrides or {})
