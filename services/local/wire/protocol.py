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
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.model import OperationModel, ServiceModel, Shape

from services.local.errors import EngineError, UnknownOperation
from services.local.wire.body import parse_body
from services.local.wire.validation import validate


class LocalEngine(Protocol):
    """What the wire needs of the engine: run one validated operation.

    ``services.local.engine.LocalEngine`` satisfies it; naming it here keeps the wire below the
    engine (the engine imports the operation table, which imports this module).
    """

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """The operation's response document (None for an empty body)."""
        ...


_log = logging.getLogger(__name__)

CONTROL = "personalize"
RUNTIME = "personalize-runtime"
EVENTS = "personalize-events"
SERVICES = (CONTROL, RUNTIME, EVENTS)


@dataclass(frozen=True)
class WireResponse:
    """What goes back over the wire: status, headers and a JSON body (bytes)."""

    status: int
    headers: dict[str, str]
    body: bytes


# A page's first requests arrive together from its thread pool (a sample of users asked at
# once); ``functools.cache`` lets every thread compute a missing entry, so each of them loaded
# the service models and built the routes again (a third of the Recommendations page's first
# load, issue #21). One thread loads them; the others wait for its result.
_LOADING = threading.RLock()


@cache
def _session() -> botocore.session.Session:
    # one session, so its loader reads the endpoint data and each model file once
    return botocore.session.get_session()


def service_model(name: str) -> ServiceModel:
    """botocore's model of one of the three Personalize services."""
    with _LOADING:
        return _service_model(name)


@cache
def _service_model(name: str) -> ServiceModel:
    return _session().get_service_model(name)


def _rest_routes() -> dict[str, tuple[str, str]]:
    """REST path → (service, operation) for the runtime and events services."""
    with _LOADING:
        return _routes()


@cache
def _routes() -> dict[str, tuple[str, str]]:
    routes: dict[str, tuple[str, str]] = {}
    for svc in (RUNTIME, EVENTS):
        model = service_model(svc)
        for op in model.operation_names:
            routes[model.operation_model(op).http["requestUri"]] = (svc, op)
    return routes


def route_rest(path: str) -> tuple[str, str] | None:
    """The (service, operation) a restJson1 request path names, if any."""
    return _rest_routes().get(path.rstrip("/") or "/")


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


def dispatch(engine: LocalEngine, service: str, operation: str, body: bytes) -> WireResponse:
    """Run one request through validation, the engine, and serialisation."""
    request_id = str(uuid.uuid4())
    try:
        model = service_model(service)
        if operation not in model.operation_names:
            raise UnknownOperation(f"{service} has no operation {operation}")
        op = model.operation_model(operation)
        params = parse_body(body)
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
    return WireResponse(http_status(service, err), headers, body)


def http_status(service: str, err: EngineError) -> int:
    """The HTTP status of ``err`` in ``service``: the model's ``error.httpStatusCode`` for a
    modelled error (runtime and events: 404 ResourceNotFound, 409 ResourceInUse), 400 for a
    modelled error without one (every control-plane error: awsJson1.1 client faults), else
    the error's own default (400 for ValidationException, 500 for an engine failure)."""
    return _modelled_statuses(service).get(err.code, err.status)


@cache
def _modelled_statuses(service: str) -> dict[str, int]:
    model = service_model(service)
    statuses: dict[str, int] = {}
    for op in model.operation_names:
        for shape in model.operation_model(op).error_shapes:
            statuses[shape.name] = int(shape.metadata.get("error", {}).get("httpStatusCode", 400))
    return statuses


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
