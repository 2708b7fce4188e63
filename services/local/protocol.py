"""Personalize's wire protocols (awsJson1.1 and restJson1) for the local engine.

botocore's own service models are the single source of truth: they name the operations, route
REST paths, and give every constraint we validate (required, min/max, pattern, enum), so no
operation carries hand-written shape checks. The same ``dispatch`` serves the in-process
``before-send`` hook and the HTTP endpoint.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.model import OperationModel, ServiceModel, Shape

from services.local.errors import EngineError, InvalidInput, UnknownOperation

if TYPE_CHECKING:
    from services.local.engine import LocalEngine

_log = logging.getLogger(__name__)

CONTROL = "personalize"
RUNTIME = "personalize-runtime"
EVENTS = "personalize-events"
SERVICES = (CONTROL, RUNTIME, EVENTS)

# Java regex classes that Python's re lacks; the approximations only widen tag patterns.
_JAVA_CLASSES = {
    r"\p{ASCII}": r"[\x00-\x7F]",
    r"\p{L}": r"\w",
    r"\p{Z}": r"\s",
    r"\p{N}": r"\d",
}


@dataclass(frozen=True)
class WireResponse:
    """What goes back over the wire: status, headers and a JSON body (bytes)."""

    status: int
    headers: dict[str, str]
    body: bytes


@cache
def service_model(name: str) -> ServiceModel:
    """botocore's model of one of the three Personalize services."""
    return botocore.session.get_session().get_service_model(name)


@cache
def _rest_routes() -> dict[str, tuple[str, str]]:
    """REST path → (service, operation) for the runtime and events services."""
    routes: dict[str, tuple[str, str]] = {}
    for svc in (RUNTIME, EVENTS):
        model = service_model(svc)
        for op in model.operation_names:
            routes[model.operation_model(op).http["requestUri"]] = (svc, op)
    return routes


def route_rest(path: str) -> tuple[str, str] | None:
    """The (service, operation) a restJson1 request path names, if any."""
    return _rest_routes().get(path.rstrip("/") or "/")


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    for java, py in _JAVA_CLASSES.items():
        pattern = pattern.replace(java, py)
    return re.compile(pattern)


def validate(shape: Shape, value: Any, path: str = "") -> None:
    """Check ``value`` against a botocore input shape; raise InvalidInput on the first fault.

    botocore checks only required members, types and minimums on the client; the service
    enforces max, pattern and enum, and so do we.
    """
    where = path or shape.name
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise InvalidInput(f"Value at '{where}' must be an object")
        for req in shape.required_members:
            if value.get(req) is None:
                raise InvalidInput(
                    f"Value null at '{_join(path, req)}' failed to satisfy "
                    "constraint: Member must not be null"
                )
        for key, member_value in value.items():
            member = shape.members.get(key)
            if member is None:
                raise InvalidInput(f"Unknown parameter '{_join(path, key)}'")
            if member_value is not None:
                validate(member, member_value, _join(path, key))
        return
    if kind == "list":
        if not isinstance(value, list):
            raise InvalidInput(f"Value at '{where}' must be a list")
        _check_size(shape, len(value), where, "Member must have length")
        for i, item in enumerate(value):
            validate(shape.member, item, f"{where}.{i + 1}")
        return
    if kind == "map":
        if not isinstance(value, dict):
            raise InvalidInput(f"Value at '{where}' must be a map")
        _check_size(shape, len(value), where, "Map must have length")
        for k, v in value.items():
            validate(shape.key, k, f"{where}.key")
            validate(shape.value, v, f"{where}.{k}")
        return
    if kind == "string":
        if not isinstance(value, str):
            raise InvalidInput(f"Value at '{where}' must be a string")
        _check_size(shape, len(value), where, "Member must have length")
        enum = shape.enum
        if enum and value not in enum:
            raise InvalidInput(
                f"Value '{_clip(value)}' at '{where}' failed to satisfy constraint: Member must "
                f"satisfy enum value set: [{', '.join(enum)}]"
            )
        pattern = shape.metadata.get("pattern")
        if pattern and not _pattern(pattern).fullmatch(value):
            raise InvalidInput(
                f"Value '{_clip(value)}' at '{where}' failed to satisfy constraint: Member must "
                f"satisfy regular expression pattern: {pattern}"
            )
        return
    if kind in ("integer", "long", "float", "double"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(f"Value at '{where}' must be a number")
        if kind in ("integer", "long") and not float(value).is_integer():
            raise InvalidInput(f"Value at '{where}' must be an integer")
        _check_size(shape, value, where, "Member must have value")
        return
    if kind == "boolean" and not isinstance(value, bool):
        raise InvalidInput(f"Value at '{where}' must be a boolean")
    if kind == "timestamp" and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise InvalidInput(f"Value at '{where}' must be a timestamp in epoch seconds")


def _check_size(shape: Shape, size: float, where: str, what: str) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        raise InvalidInput(
            f"Value at '{where}' failed to satisfy constraint: {what} greater than or equal to "
            f"{low}"
        )
    if high is not None and size > high:
        raise InvalidInput(
            f"Value at '{where}' failed to satisfy constraint: {what} less than or equal to {high}"
        )


def serialize(shape: Shape | None, value: Any) -> Any:
    """Shape an engine result for the wire: drop members the model lacks, epoch timestamps."""
    if shape is None or value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for key, member in shape.members.items():
            if key in value and value[key] is not None:
                out[key] = serialize(member, value[key])
        return out
    if kind == "list":
        return [serialize(shape.member, v) for v in value]
    if kind == "map":
        return {k: serialize(shape.value, v) for k, v in value.items()}
    if kind == "timestamp":
        if isinstance(value, dt.datetime):
            return value.timestamp()
        return float(value)
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _clip(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def dispatch(engine: LocalEngine, service: str, operation: str, body: bytes) -> WireResponse:
    """Run one request through validation, the engine, and serialisation."""
    request_id = str(uuid.uuid4())
    try:
        model = service_model(service)
        if operation not in model.operation_names:
            raise UnknownOperation(f"{service} has no operation {operation}")
        op = model.operation_model(operation)
        try:
            params = json.loads(body or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise InvalidInput(f"Request body is not valid JSON: {err}") from err
        if op.input_shape is not None:
            validate(op.input_shape, params)
        result = engine.call(service, operation, params)
        payload = serialize(op.output_shape, result)
        data = b"" if payload is None else json.dumps(payload).encode()
        return WireResponse(200, _headers(service, request_id), data)
    except EngineError as err:
        return _error(service, err, request_id)
    except Exception:  # an engine bug must reach the client as a 500, not kill the server
        _log.exception("unhandled error in %s.%s", service, operation)
        return _error(service, EngineError("The local engine failed; see its log."), request_id)


def _headers(service: str, request_id: str) -> dict[str, str]:
    ctype = "application/x-amz-json-1.1" if service == CONTROL else "application/json"
    return {"Content-Type": ctype, "x-amzn-RequestId": request_id}


def _error(service: str, err: EngineError, request_id: str) -> WireResponse:
    headers = _headers(service, request_id)
    # awsJson1.1 reads the code from __type; restJson1 prefers the header. Send both.
    headers["x-amzn-ErrorType"] = err.code
    body = json.dumps({"__type": err.code, "message": err.message}).encode()
    return WireResponse(err.status, headers, body)


def operation_of(service: str, headers: dict[str, str], path: str) -> str | None:
    """The operation a request names: X-Amz-Target for JSON, the path for REST."""
    if service == CONTROL:
        target = headers.get("x-amz-target", "")
        prefix = "AmazonPersonalize."
        return target[len(prefix) :] if target.startswith(prefix) else None
    routed = route_rest(path)
    return routed[1] if routed and routed[0] == service else None


class _RawStream(io.BytesIO):
    # AWSResponse reads ``raw.stream()``; a BytesIO with that method is all it needs.
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


def attach(client: Any, engine: LocalEngine) -> None:
    """Answer every request of this boto3 client in-process, without a socket."""
    service = client.meta.service_model.service_name
    client.meta.events.register("before-send", _before_send(service, engine))


def _before_send(service: str, engine: LocalEngine) -> Callable[..., AWSResponse]:
    def handler(request: Any, **_: Any) -> AWSResponse:
        headers = {k.lower(): _text(v) for k, v in request.headers.items()}
        path = request.url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
        op = operation_of(service, headers, "/" + path)
        body = request.body or b""
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode()
        if op is None:
            wire = _error(service, UnknownOperation("unknown operation"), str(uuid.uuid4()))
        else:
            wire = dispatch(engine, service, op, body)
        return AWSResponse(request.url, wire.status, wire.headers, _RawStream(wire.body))

    return handler


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def operation_model(service: str, operation: str) -> OperationModel:
    """botocore's model of one operation."""
    return service_model(service).operation_model(operation)
