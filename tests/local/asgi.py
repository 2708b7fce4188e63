"""Send HTTP requests to an ASGI app in-process: the endpoint's own code, no socket.

Starlette's TestClient needs an HTTP client package this project does not otherwise use; an
ASGI call is three callables, so the tests speak it directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


async def send(
    app: Any,
    method: str,
    path: str,
    headers: Sequence[tuple[str, str]],
    body: bytes | Sequence[bytes] = b"",
) -> Reply:
    """One request; ``body`` as a list of chunks streams in (as chunked transfer does)."""
    chunks = [body] if isinstance(body, bytes) else list(body)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("utf-8", "surrogateescape"),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 4599),
    }
    status = 0
    reply_headers: dict[str, str] = {}
    parts: list[bytes] = []

    async def receive() -> dict[str, Any]:
        if chunks:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
        return {"type": "http.disconnect"}

    async def reply(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            reply_headers.update(
                {k.decode("latin-1"): v.decode("latin-1") for k, v in message["headers"]}
            )
        elif message["type"] == "http.response.body":
            parts.append(message.get("body", b""))

    await app(scope, receive, reply)
    return Reply(status, reply_headers, b"".join(parts))
