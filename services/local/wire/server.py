"""The engine over HTTP: the same dispatch as in-process, for boto3 ``endpoint_url`` and the CLI.

Before a body is parsed the request is checked as AWS's endpoints check it, and anything
malformed gets a 4xx with an AWS-shaped error (``__type`` body and ``x-amzn-ErrorType``
header), never a 500: an unknown or missing operation (X-Amz-Target for awsJson1.1, the path
and POST for restJson1) is a 400 ``UnknownOperationException``; a Content-Type that is not the
protocol's a 415 ``UnsupportedMediaTypeException``; a body over ``MAX_BODY_BYTES`` (declared
by Content-Length, or counted while it streams in) a 413, refused without reading the rest.
The body itself is parsed by ``body.parse_body`` inside the dispatch.

With access keys (``create_app(engine, keys)``: ``serve`` off loopback, or ``--require-auth``)
every operation request must carry a SigV4 signature by one of them (``auth``): the header,
key and date are checked before anything else, the signature once the body is in, and a
refused request never reaches the dispatch. Without keys (an open loopback engine) a request
must name a loopback Host (no DNS rebinding from a browser). ``GET /_health`` stays open; it
says only "ok".
"""

from __future__ import annotations

import datetime as dt

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.local.engine import LocalEngine
from services.local.errors import (
    EngineError,
    RequestTooLarge,
    SerializationFailed,
    UnknownOperation,
    UnsupportedMediaType,
)
from services.local.wire.auth import (
    AccessKeys,
    SignedRequest,
    check_header,
    check_open_host,
    verify,
)
from services.local.wire.body import MAX_BODY_BYTES
from services.local.wire.protocol import CONTROL, _error, dispatch, operation_of, route_rest

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# The media type each protocol sends (parameters such as charset are ignored, as AWS does).
_MEDIA_TYPES = {CONTROL: "application/x-amz-json-1.1"}
_REST_MEDIA_TYPE = "application/json"


def create_app(engine: LocalEngine, keys: AccessKeys | None = None) -> Starlette:
    """A Starlette app answering all three Personalize services on one port; with ``keys``,
    only to requests signed by one of them."""

    async def handle(request: Request) -> Response:
        headers = {k.lower(): v for k, v in request.headers.items()}
        service, op = _operation(request.method, request.url.path, headers)
        try:
            if keys:
                check_header(keys, headers, _now())  # before a byte of the body is read
            else:
                check_open_host(headers)
            if op is None:
                raise UnknownOperation(_unknown(request.method, request.url.path, headers))
            _check_media_type(service, headers)
            body = await _read_body(request, headers)
            if keys:
                verify(keys, _signed(request, headers, body), _now())
        except EngineError as err:
            wire = _error(service, err, "-")
        except ClientDisconnect:
            return Response(status_code=400)  # nobody is listening for the answer
        else:
            # The dispatch is synchronous (SQLite, numpy); run it off the event loop.
            wire = await run_in_threadpool(dispatch, engine, service, op, body)
        return Response(wire.body, status_code=wire.status, headers=wire.headers)

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/_health", health, methods=["GET"]),
            Route("/{path:path}", handle, methods=METHODS),
        ]
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _signed(request: Request, headers: dict[str, str], body: bytes) -> SignedRequest:
    # The path and query as sent (still percent-encoded): what the client signed.
    path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"")
    return SignedRequest(
        request.method, path.decode("latin-1"), query.decode("latin-1"), headers, body
    )


def _operation(method: str, path: str, headers: dict[str, str]) -> tuple[str, str | None]:
    """(service, operation or None): X-Amz-Target names a control-plane operation, else the
    path a runtime or events one; only POST reaches an operation."""
    if "x-amz-target" in headers:
        service = CONTROL
    else:
        routed = route_rest(path)
        service = routed[0] if routed else CONTROL
    if method != "POST":
        return service, None
    return service, operation_of(service, headers, path)


def _unknown(method: str, path: str, headers: dict[str, str]) -> str:
    target = headers.get("x-amz-target")
    if target is not None:
        return f"X-Amz-Target {target[:100]!r} names no Personalize operation."
    if method == "POST" and path.rstrip("/") in ("", "/"):
        return "The request has no X-Amz-Target header naming the operation."
    return f"No operation at {method} {path[:200]}."


def _check_media_type(service: str, headers: dict[str, str]) -> None:
    raw = headers.get("content-type")
    expected = _MEDIA_TYPES.get(service, _REST_MEDIA_TYPE)
    if raw is None:
        if headers.get("content-length", "0").strip() in ("", "0"):
            return  # no body, no type: what a client sends for an operation without input
        raise UnsupportedMediaType(f"The request has a body but no Content-Type ({expected}).")
    media = raw.split(";", 1)[0].strip().lower()
    if media != expected:
        raise UnsupportedMediaType(
            f"Content-Type {raw[:100]!r} is not {expected}, the {service} protocol's."
        )


async def _read_body(request: Request, headers: dict[str, str]) -> bytes:
    """The body, refused before reading when Content-Length says it is too large, and while
    reading when more arrives than the limit (chunked or a Content-Length that lies)."""
    declared = headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise SerializationFailed(
                f"Content-Length {declared[:40]!r} is not a number."
            ) from None
        if size > MAX_BODY_BYTES:
            raise RequestTooLarge(_too_large(f"{size} bytes"))
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > MAX_BODY_BYTES:
            raise RequestTooLarge(_too_large(f"more than {MAX_BODY_BYTES} bytes"))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(size: str) -> str:
    return f"The request body ({size}) is over the endpoint's limit of {MAX_BODY_BYTES} bytes."
