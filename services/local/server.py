"""The engine over HTTP: the same dispatch as in-process, for boto3 ``endpoint_url`` and the CLI."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.local.engine import LocalEngine
from services.local.errors import UnknownOperation
from services.local.protocol import CONTROL, _error, dispatch, operation_of, route_rest

MAX_BODY = 10 * 1024 * 1024  # larger than any Personalize request may be


def create_app(engine: LocalEngine) -> Starlette:
    """A Starlette app answering all three Personalize services on one port."""

    async def handle(request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        path = request.url.path
        if "x-amz-target" in headers:
            service = CONTROL
        else:
            routed = route_rest(path)
            service = routed[0] if routed else CONTROL
        op = operation_of(service, headers, path)
        if len(body) > MAX_BODY:
            op = None
        if op is None:
            wire = _error(
                service, UnknownOperation(f"No operation at {request.method} {path}."), "-"
            )
        else:
            # The dispatch is synchronous (SQLite, numpy); run it off the event loop.
            from starlette.concurrency import run_in_threadpool

            wire = await run_in_threadpool(dispatch, engine, service, op, body)
        return Response(wire.body, status_code=wire.status, headers=wire.headers)

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/_health", health, methods=["GET"]),
            Route("/{path:path}", handle, methods=["POST"]),
        ]
    )
